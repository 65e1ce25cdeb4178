"""LINE chat history (.txt), in its English, Japanese and Chinese versions.

Line 1 names the chat (`[LINE] Chat history with NAME`, `[LINE] NAMEとのトーク履歴`,
`[LINE] 与NAME的聊天记录` …), line 2 is the save date. Then a date line
(`2020/01/04(Sat)`, `2020/01/04（土）`, `2020.01.04 Saturday`) opens each day
and every message is `TIME<TAB>Sender<TAB>Text`, the time 24-hour or 12-hour
(`3:05 PM`, `午後3:05`). An empty sender, or no sender column at all, marks
a system line. A multi-line message is wrapped in double quotes over several
lines; if something that starts a new message turns up before the closing
quote, the quote was part of the text after all and is kept as written. Other
lines that start no message continue the previous one, as LINE wrote them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
    iter_lines,
)
from chatsum.core.importers.chat_text import classify_body
from chatsum.core.importers.loose_time import MERIDIEM, hour_24, stamp_local

PLATFORM = "line"

# (pattern for line 1, conversation kind it implies)
_TITLES: tuple[tuple[re.Pattern[str], ConversationKind], ...] = (
    (re.compile(r"^\[LINE\]\s*Chat history with (?P<name>.+?)\s*$"), ConversationKind.PRIVATE),
    (re.compile(r"^\[LINE\]\s*Chat history in (?P<name>.+?)\s*$"), ConversationKind.GROUP),
    (re.compile(r"^\[LINE\]\s*(?P<name>.+?)とのトーク履歴\s*$"), ConversationKind.PRIVATE),
    (re.compile(r"^\[LINE\]\s*(?P<name>.+?)のトーク履歴\s*$"), ConversationKind.GROUP),
    (
        re.compile(r"^\[LINE\]\s*(?:与|與|和)(?P<name>.+?)的聊天(?:记录|記錄)\s*$"),
        ConversationKind.PRIVATE,
    ),
    (re.compile(r"^\[LINE\]\s*(?P<name>.+?)的聊天(?:记录|記錄)\s*$"), ConversationKind.UNKNOWN),
)
_DATE_LINE = re.compile(
    r"^(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})"
    r"(?:\s*[（(][^)）]*[)）]|\s+[^\s\d]+)?\s*$"
)
_MESSAGE = re.compile(
    rf"^(?:(?P<mer1>{MERIDIEM})\s*)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}})(?:\s*(?P<mer2>{MERIDIEM}))?\t(?P<rest>.*)$"
)


def parse_title(line: str) -> tuple[str, ConversationKind] | None:
    for pattern, kind in _TITLES:
        match = pattern.match(line.strip())
        if match is not None:
            return match.group("name").strip('"「」 '), kind
    return None


def _date_line(line: str) -> date | None:
    match = _DATE_LINE.match(line.strip())
    if match is None:
        return None
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None


@dataclass
class _Pending:
    number: int
    moment: datetime
    sender: str
    lines: list[str] = field(default_factory=list)
    open_quote: bool = False
    quoted: bool = False

    def add(self, line: str) -> None:
        """A line that starts nothing: inside an open quote, or a bare continuation."""
        self.lines.append(line)
        if self.open_quote and line.endswith('"'):
            self.open_quote = False
            self.quoted = True
            self.lines[0] = self.lines[0][1:]
            self.lines[-1] = self.lines[-1][:-1]

    def text(self) -> str:
        joined = "\n".join(self.lines)
        return joined.replace('""', '"') if self.quoted else joined


class LineTxtImporter:
    format_id = "line-txt"

    def sniff(self, sample: Sample) -> bool:
        first = next((line for line in sample.text.splitlines() if line.strip()), "")
        return parse_title(first) is not None

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        lines = iter_lines(entry)
        key = ""
        for number, line in lines:
            if not line.strip():
                continue
            title = parse_title(line)
            if title is None:
                raise format_error(
                    entry,
                    f"line {number}",
                    "expected `[LINE] Chat history with NAME` (a LINE .txt export)",
                )
            key = title[0]
            yield ParsedConversation(key=key, platform=PLATFORM, title=title[0], kind=title[1])
            break
        if not key:
            raise format_error(entry, "line 1", "the file is empty; expected a LINE .txt export")
        yield from self._messages(key, lines, options, report)

    def _messages(
        self, key: str, lines: Iterator[tuple[int, str]], options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedMessage]:
        day: date | None = None
        pending: _Pending | None = None
        save_line_seen = False
        for number, line in lines:
            started = self._start(line, day)
            new_day = _date_line(line) if started is None else None
            if started is None and new_day is None:
                if pending is not None:
                    pending.add(line)
                elif _MESSAGE.match(line):
                    report.warn(
                        "no-date",
                        "messages before the first date line were skipped",
                        f"line {number}: {line}",
                    )
                elif line.strip() and save_line_seen:
                    report.warn(
                        "outside-message",
                        "lines outside any message were skipped",
                        f"line {number}: {line}",
                    )
                elif line.strip():
                    save_line_seen = True  # line 2: "Saved on: …" / "保存日時：…"
                continue
            if pending is not None:
                yield _finish(key, pending, options)
                pending = None
            if new_day is not None:
                day = new_day
            elif started is not None:
                moment, sender, text = started
                pending = _Pending(number, moment, sender, [text])
                pending.open_quote = text.startswith('"') and not (
                    len(text) > 1 and text.endswith('"')
                )
        if pending is not None:
            yield _finish(key, pending, options)

    @staticmethod
    def _start(line: str, day: date | None) -> tuple[datetime, str, str] | None:
        """(time, sender, text) when `line` starts a message on a known day."""
        match = _MESSAGE.match(line)
        if match is None or day is None:
            return None
        hour = hour_24(int(match["h"]), match["mer1"] or match["mer2"])
        if hour > 23 or int(match["m"]) > 59:
            return None
        moment = datetime(day.year, day.month, day.day, hour, int(match["m"]))
        sender, tab, text = match["rest"].partition("\t")
        if not tab:
            return moment, "", sender
        return moment, sender.strip(), text


def _finish(key: str, pending: _Pending, options: ParseOptions) -> ParsedMessage:
    body = classify_body(pending.text())
    system = body.kind is MessageKind.SYSTEM or not pending.sender
    stamp = stamp_local(pending.moment, options)
    return ParsedMessage(
        conversation_key=key,
        ts_ms=stamp.ts_ms,
        utc_offset_min=stamp.offset_min,
        offset_assumed=stamp.offset_assumed,
        kind=MessageKind.SYSTEM if system else body.kind,
        text=body.text,
        sender_name=None if system else pending.sender,
        media=body.media,
        location=f"line {pending.number}",
    )


LINE_TXT = LineTxtImporter()
