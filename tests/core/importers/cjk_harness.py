"""Shared helpers for the WeChat / QQ / LINE / transcript / generic importer tests.

`parse_fixture` runs one importer over a fixture the way the pipeline does and
checks the stream contract on the way (sniff accepts the file; every message
follows the conversation it belongs to), so each test only states what the
format should yield.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from chatsum.core.domain import MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import FileImporter, ParseOptions, ParseReport, read_sample
from chatsum.core.importers.registry import plan
from chatsum.core.importers.sources import file_entry

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exports"
CHINA_MIN = 8 * 60


@dataclass
class Parsed:
    conversations: list[ParsedConversation]
    messages: list[ParsedMessage]
    report: ParseReport

    @property
    def kinds(self) -> list[MessageKind]:
        return [m.kind for m in self.messages]

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.messages]

    def warnings(self) -> dict[str, int]:
        return {code: group.count for code, group in self.report.groups.items()}

    def examples(self, code: str) -> list[str]:
        return self.report.groups[code].examples


def sniffs(importer: FileImporter, path: Path) -> bool:
    return importer.sniff(read_sample(file_entry(path)))


def parse_fixture(importer: FileImporter, path: Path, **options: object) -> Parsed:
    """Sniff and parse `path`; options default to a UTC+8 clock."""
    assert sniffs(importer, path), f"{importer.format_id} does not recognise {path.name}"
    return parse_unsniffed(importer, path, **options)


def parse_unsniffed(importer: FileImporter, path: Path, **options: object) -> Parsed:
    settings = {"default_utc_offset_min": CHINA_MIN, **options}
    report = ParseReport(str(path))
    result = Parsed([], [], report)
    for item in importer.parse(file_entry(path), ParseOptions(**settings), report):  # type: ignore[arg-type]
        if isinstance(item, ParsedConversation):
            result.conversations.append(item)
        else:
            known = {c.key for c in result.conversations}
            assert item.conversation_key in known, f"message before its conversation: {item}"
            result.messages.append(item)
    return result


def detected_format(path: Path) -> str:
    units = plan([path]).units
    assert len(units) == 1
    return units[0].format_id


def utc_ms(
    year: int,
    month: int,
    day: int,
    hour: int,
    minute: int,
    second: int = 0,
    offset_min: int = CHINA_MIN,
) -> int:
    """UTC milliseconds of a wall-clock time at a given offset (what exports write)."""
    zone = timezone(timedelta(minutes=offset_min))
    return int(datetime(year, month, day, hour, minute, second, tzinfo=zone).timestamp() * 1000)
