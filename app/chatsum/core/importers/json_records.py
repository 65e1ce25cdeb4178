"""Stream the records of a JSON array or a JSONL file without loading it whole.

Message dumps are either one big array of flat objects (chatlog, ad-hoc
exports) or one object per line (JSONL). Both are read the same way: a
growing window of text is handed to `json.JSONDecoder.raw_decode`, one value
at a time, so memory stays at the size of the largest single record. A value
that cannot be decoded with the whole rest of the file available is malformed
or truncated, and is reported with its record number and line.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from chatsum.core.importers.base import Entry, format_error, open_text

_CHUNK = 256 * 1024
_MAX_RECORD_CHARS = 64 * 1024 * 1024
_SEPARATORS = " \t\r\n,\ufeff"


@dataclass(frozen=True)
class Record:
    number: int  # 1-based
    line: int  # 1-based line where the record starts
    value: Any


def iter_records(entry: Entry) -> Iterator[Record]:
    """Top-level values of a JSON array, or of JSONL / concatenated JSON."""
    decoder = json.JSONDecoder()
    with open_text(entry) as handle:
        buffer = handle.read(_CHUNK)
        position = 0
        line = 1
        eof = not buffer
        in_array: bool | None = None
        number = 0
        while True:
            # Skip separators, counting lines, refilling as needed.
            while True:
                while position < len(buffer) and buffer[position] in _SEPARATORS:
                    if buffer[position] == "\n":
                        line += 1
                    position += 1
                if position < len(buffer) or eof:
                    break
                buffer, position = handle.read(_CHUNK), 0
                eof = not buffer
            if position >= len(buffer):
                if in_array:
                    raise format_error(
                        entry, f"line {line}", "the JSON array is not closed (file truncated?)"
                    )
                return
            char = buffer[position]
            if in_array is None:
                in_array = char == "["
                if in_array:
                    position += 1
                    continue
            if in_array and char == "]":
                return
            while True:
                try:
                    value, end = decoder.raw_decode(buffer, position)
                except json.JSONDecodeError as exc:
                    if eof or len(buffer) - position > _MAX_RECORD_CHARS:
                        cut_short = exc.pos >= len(buffer.rstrip()) or exc.msg.startswith(
                            "Unterminated"
                        )
                        problem = (
                            "ends in the middle of this record; the file looks truncated"
                            if eof and cut_short
                            else f"is not valid JSON ({exc.msg}); expected one message object per record"
                        )
                        raise format_error(
                            entry, f"record {number + 1} (line {line})", problem
                        ) from exc
                    more = handle.read(_CHUNK)
                    eof = not more
                    buffer = buffer[position:] + more
                    position = 0
                    continue
                break
            number += 1
            yield Record(number, line, value)
            line += buffer.count("\n", position, end)
            position = end
