"""The contract every importer follows, and the helpers they share.

Importers are pure: bytes in, `ParsedConversation` / `ParsedMessage` out, as a
stream, so a million-message file never sits in memory. An importer first
*sniffs* a small decoded sample (the content decides the format, never the file
name) and then *parses* the whole entry. Lines it cannot read inside an
otherwise valid export become warnings with examples in a `ParseReport`;
a file that is not what it claims raises `ImportFormatError` naming the file
and the line or record.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import IO, Protocol

from chatsum.core.domain import ParsedConversation, ParsedMessage
from chatsum.core.errors import ImportFormatError

SNIFF_BYTES = 64 * 1024
MAX_WARNING_EXAMPLES = 5

ParsedItem = ParsedConversation | ParsedMessage


@dataclass
class ParseOptions:
    """Choices an importer cannot always make from the file alone."""

    date_order: str = "auto"  # auto | dmy | mdy
    default_utc_offset_min: int = 0
    # generic CSV/JSONL: explicit column mapping {"sender": col, "time": col, "text": col}
    column_map: dict[str, str] | None = None


@dataclass
class WarningGroup:
    code: str
    message: str
    count: int = 0
    examples: list[str] = field(default_factory=list)


class ParseReport:
    """Collects warnings (counted, with a few examples) while a file is parsed."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.groups: dict[str, WarningGroup] = {}

    def warn(self, code: str, message: str, example: str) -> None:
        group = self.groups.get(code)
        if group is None:
            group = self.groups[code] = WarningGroup(code, message)
        group.count += 1
        if len(group.examples) < MAX_WARNING_EXAMPLES:
            group.examples.append(example[:200])

    @property
    def warning_count(self) -> int:
        return sum(g.count for g in self.groups.values())


@dataclass(frozen=True)
class Entry:
    """One file inside what the user dropped: a plain file, a folder member or a zip member.

    `name` is the path relative to the dropped root (or the file name);
    `display` is what errors show (e.g. ``export.zip:chats/_chat.txt``).
    """

    name: str
    display: str
    size: int
    opener: object  # Callable[[], IO[bytes]]; typed loosely to stay frozen/hashable

    def open(self) -> IO[bytes]:
        return self.opener()  # type: ignore[operator,no-any-return]


class EntryTree(Protocol):
    """A read-only view of a folder or zip: what bundle importers (Slack) read."""

    def entries(self) -> list[Entry]: ...

    def find(self, name: str) -> Entry | None: ...


@dataclass(frozen=True)
class Sample:
    """What sniffing sees: the entry and its first bytes, decoded."""

    entry: Entry
    text: str
    encoding: str


class FileImporter(Protocol):
    """Reads one file. `format_id` names the format in reports ("whatsapp-txt")."""

    format_id: str

    def sniff(self, sample: Sample) -> bool: ...

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]: ...


class BundleImporter(Protocol):
    """Reads an export made of several files (a Slack workspace folder or zip).

    `claim` returns the entries it will read, or an empty list when the tree is
    not its format; those entries are then not offered to file importers.
    """

    format_id: str

    def claim(self, tree: EntryTree) -> list[Entry]: ...

    def parse_bundle(
        self, tree: EntryTree, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]: ...


# ---------------------------------------------------------------- text decoding


def detect_encoding(head: bytes) -> str:
    """Pick the codec for a file from its first bytes.

    BOMs decide first; then UTF-16 without BOM (every other byte zero); then
    UTF-8 if the sample decodes; GB18030 (a superset of GBK) otherwise.
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(head) >= 4:
        even_zeros = head[0:200:2].count(0)
        odd_zeros = head[1:200:2].count(0)
        half = min(len(head), 200) // 2
        if odd_zeros > half * 0.4:
            return "utf-16-le"
        if even_zeros > half * 0.4:
            return "utf-16-be"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a multi-byte character is still UTF-8.
        if exc.start >= len(head) - 3 and exc.reason == "unexpected end of data":
            return "utf-8"
    return "gb18030"


def read_sample(entry: Entry, limit: int = SNIFF_BYTES) -> Sample:
    with entry.open() as stream:
        head = stream.read(limit)
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="ignore")
    return Sample(entry=entry, text=text.lstrip("\ufeff"), encoding=encoding)


def open_text(entry: Entry) -> IO[str]:
    """Open an entry as text with its detected encoding, universal newlines.

    Undecodable bytes become U+FFFD rather than failing the whole file.
    """
    with entry.open() as probe:
        encoding = detect_encoding(probe.read(SNIFF_BYTES))
    raw = entry.open()
    return io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline=None)


def read_all_text(entry: Entry) -> str:
    with open_text(entry) as handle:
        return handle.read().lstrip("\ufeff")


def iter_lines(entry: Entry) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its line ending), streaming."""
    with open_text(entry) as handle:
        for number, line in enumerate(handle, start=1):
            if number == 1:
                line = line.lstrip("\ufeff")
            yield number, line.rstrip("\r\n")


# ---------------------------------------------------------------- time helpers

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def local_to_utc_ms(local: datetime, offset_min: int) -> int:
    """Milliseconds since the epoch for a naive local time at a given UTC offset."""
    aware = local.replace(tzinfo=timezone(timedelta(minutes=offset_min)))
    return int((aware - EPOCH) / timedelta(milliseconds=1))


def aware_to_utc_ms(moment: datetime) -> tuple[int, int]:
    """(UTC ms, offset minutes) for an aware datetime."""
    offset = moment.utcoffset() or timedelta(0)
    return int((moment - EPOCH) / timedelta(milliseconds=1)), int(offset.total_seconds() // 60)


def parse_iso(value: str) -> datetime:
    """ISO 8601 incl. a trailing Z and 7-digit fractions (DiscordChatExporter)."""
    text = value.strip().replace("Z", "+00:00")
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        tail = ""
        for index, char in enumerate(rest):
            if not char.isdigit():
                tail = rest[index:]
                break
            digits += char
        text = f"{head}.{digits[:6].ljust(6, '0')}{tail}"
    return datetime.fromisoformat(text)


def format_error(entry: Entry, location: str | None, problem: str) -> ImportFormatError:
    return ImportFormatError(entry.display, location, problem)
