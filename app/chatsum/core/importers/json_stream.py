"""Walk a huge JSON document without holding it in memory.

Telegram's result.json, DiscordChatExporter and ChatLab files keep every
message in one array; a million messages is a quarter of a gigabyte, several
times that as Python objects. The standard library has no streaming parser,
so `JsonStream` walks the containers an importer asks for by hand (object
keys, array elements) and hands each leaf value, typically one message, to
the C decoder (`JSONDecoder.raw_decode`) over a sliding text buffer. Memory
stays near one chunk plus one message, and positions are tracked across the
slides so every error names the line and column.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.scanner import make_scanner
from typing import IO, Any

from chatsum.core.errors import ImportFormatError

CHUNK_CHARS = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_ELEMENT_END = re.compile(r"[ \t\n\r]*([,\]])[ \t\n\r]*")
# A decode error this close to the end of the buffer may just mean "read more".
_NEAR_END = 16


class JsonStream:
    """A cursor over JSON text read chunk by chunk from `handle`.

    The walking methods must be nested the way the document is: after
    `object_keys()` yields a key, or `array_items()` yields an index, the
    caller consumes exactly one value (with `value()`, `skip()` or another
    walking method) before asking for the next.
    """

    def __init__(self, handle: IO[str], display: str, chunk_chars: int = CHUNK_CHARS) -> None:
        self._handle = handle
        self._display = display
        self._chunk = chunk_chars
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines_dropped = 0  # newlines in text already slid out of the buffer
        self._column_dropped = 0  # characters after the last dropped newline
        decoder = json.JSONDecoder()
        self._decode = decoder.raw_decode
        self._scan = make_scanner(decoder)  # type: ignore[arg-type]  # typeshed types it oddly

    # ------------------------------------------------------------ buffer

    def _read_more(self, at_least: int) -> bool:
        """Slide the consumed text out and append more; False at end of input."""
        if self._eof:
            return False
        more = self._handle.read(max(at_least, self._chunk))
        if not more:
            # Keep the buffer as it is: error positions still refer to it.
            self._eof = True
            return False
        pos = self._pos
        if pos:
            buf = self._buf
            newlines = buf.count("\n", 0, pos)
            if newlines:
                self._lines_dropped += newlines
                self._column_dropped = pos - buf.rfind("\n", 0, pos) - 1
            else:
                self._column_dropped += pos
            self._buf = buf[pos:]
            self._pos = 0
        if not self._buf and self._lines_dropped == 0 and self._column_dropped == 0:
            more = more.lstrip("\ufeff")
        self._buf += more
        return True

    def _peek(self) -> str:
        """The next significant character ('' at the end), skipping whitespace."""
        while True:
            match = _WHITESPACE.match(self._buf, self._pos)
            pos = match.end() if match else self._pos
            self._pos = pos
            if pos < len(self._buf):
                return self._buf[pos]
            if not self._read_more(0):
                return ""

    def location(self, pos: int | None = None) -> str:
        """ "line L column C" of a buffer position (default: the cursor)."""
        at = self._pos if pos is None else pos
        buf = self._buf
        newlines = buf.count("\n", 0, at)
        column = at - buf.rfind("\n", 0, at) if newlines else self._column_dropped + at + 1
        return f"line {self._lines_dropped + newlines + 1} column {column}"

    def error(self, problem: str, pos: int | None = None) -> ImportFormatError:
        return ImportFormatError(self._display, self.location(pos), problem)

    # ------------------------------------------------------------ values

    def value(self) -> Any:
        """Decode the complete value at the cursor."""
        if self._peek() == "":
            raise self.error("the file ends where a value was expected; is it truncated?")
        while True:
            buf = self._buf
            try:
                result, end = self._decode(buf, self._pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(buf) or exc.msg.startswith("Unterminated string")
                maybe_cut = cut or exc.pos >= len(buf) - _NEAR_END
                if maybe_cut and self._read_more(len(buf) - self._pos):
                    continue
                if cut:
                    raise self.error(
                        "the file ends in the middle of a value; is it truncated?", exc.pos
                    ) from exc
                raise self.error(f"invalid JSON ({exc.msg})", exc.pos) from exc
            # A number near the end of the buffer ("12", "1.", "3e") may go on in the next chunk.
            if end > len(buf) - _NEAR_END and self._read_more(0):
                continue
            self._pos = end
            return result

    def skip(self) -> None:
        self.value()

    def _expect(self, char: str, what: str) -> None:
        found = self._peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise self.error(f"expected {what} but found {shown}")
        self._pos += 1

    # ------------------------------------------------------------ containers

    def object_keys(self) -> Iterator[str]:
        """Enter the object at the cursor and yield its keys one by one."""
        self._expect("{", "a JSON object ('{')")
        if self._peek() == "}":
            self._pos += 1
            return
        while True:
            if self._peek() != '"':
                raise self.error("expected a member name in double quotes")
            key = self.value()
            self._expect(":", "':' after a member name")
            yield key
            separator = self._peek()
            if separator == ",":
                self._pos += 1
            elif separator == "}":
                self._pos += 1
                return
            else:
                raise self._separator_error(separator, "}")

    def array_items(self) -> Iterator[int]:
        """Enter the array at the cursor and yield the index of each element."""
        self._expect("[", "a JSON array ('[')")
        if self._peek() == "]":
            self._pos += 1
            return
        index = 0
        while True:
            yield index
            index += 1
            separator = self._peek()
            if separator == ",":
                self._pos += 1
            elif separator == "]":
                self._pos += 1
                return
            else:
                raise self._separator_error(separator, "]")

    def array_values(self) -> Iterator[tuple[int, Any]]:
        """(index, decoded element) for each element of the array at the cursor.

        The hot loop of every big import: an element that lies wholly inside the
        buffer, followed by its ',' or ']', is decoded by the C scanner in one
        call; anything else (a buffer edge, an error) takes the careful path.
        """
        self._expect("[", "a JSON array ('[')")
        if self._peek() == "]":
            self._pos += 1
            return
        scan = self._scan
        element_end = _ELEMENT_END.match
        index = 0
        while True:
            buf = self._buf
            try:
                result, end = scan(buf, self._pos)
                found = element_end(buf, end)
            except (json.JSONDecodeError, StopIteration):
                found = None
            if found is None:
                result = self.value()
                closer = self._peek()
                if closer not in (",", "]"):
                    raise self._separator_error(closer, "]")
                self._pos += 1
                if closer == ",":
                    self._peek()  # land on the next element so the fast path can resume
            else:
                closer = found.group(1)
                self._pos = found.end()
            yield index, result
            if closer == "]":
                return
            index += 1

    def _separator_error(self, found: str, closer: str) -> ImportFormatError:
        if not found:
            return self.error(f"the file ends before the closing '{closer}'; is it truncated?")
        return self.error(f"expected ',' or '{closer}' but found {found!r}")
