"""Plain `Name: text` transcripts — the fallback for hand-made or dataset dialogues.

One utterance per line, `Name: text` or `Name：text` (full-width colon, as in
Chinese dialogue datasets whose speakers are ids such as `2000_2_1`),
optionally after a timestamp (`2023-05-01 12:00:05 Name: text`, `[12:00]
Name: text`). Lines that start no utterance continue the previous one.

Because almost any text has colons, sniffing is strict: most of the first
non-empty lines must be utterances, names must look like names (no dates, URLs,
brackets or log levels), and speakers must recur — a config file of unique
`key: value` pairs is not a conversation. It is tried last, after every real
export format. Transcripts usually have no times: messages then get synthetic
times one second apart from 2000-01-01, and the report says so once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from chatsum.core.domain import MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
    iter_lines,
)
from chatsum.core.importers.chat_text import classify_body, title_from_file
from chatsum.core.importers.loose_time import (
    SYNTHETIC_BASE,
    Stamp,
    SyntheticClock,
    parse_moment,
    stamp_local,
)

PLATFORM = "transcript"
_SNIFF_LINES = 30

_DATE_PREFIX = re.compile(
    r"^\[?(?P<stamp>\d{4}[-/.]\d{1,2}[-/.]\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?)\]?\s*[-,|]?\s*"
)
_CLOCK_PREFIX = re.compile(r"^\[?(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?\]?\s*[-|]?\s+")
_UTTERANCE = re.compile(r"^(?P<name>[^:：\t\[\]<>{}/\\,\"=#*|]{1,40}?)\s*[:：]\s*(?P<text>\S.*)$")
_DATE_LIKE = re.compile(r"^\d+[.\-\s]\d")
_NOT_NAMES = {
    "debug",
    "info",
    "warn",
    "warning",
    "error",
    "critical",
    "fatal",
    "trace",
    "note",
    "todo",
    "http",
    "https",
    "ftp",
    "mailto",
    "file",
}


@dataclass(frozen=True)
class Utterance:
    name: str
    text: str
    stamp_text: str | None = None
    clock: time | None = None


def parse_utterance(line: str) -> Utterance | None:
    """The speaker, text and any leading time of a transcript line."""
    rest = line.strip()
    stamp: str | None = None
    clock: time | None = None
    prefix = _DATE_PREFIX.match(rest)
    if prefix is not None:
        stamp, rest = prefix.group("stamp"), rest[prefix.end() :]
    else:
        clock_prefix = _CLOCK_PREFIX.match(rest)
        if clock_prefix is not None:
            try:
                clock = time(
                    int(clock_prefix["h"]), int(clock_prefix["m"]), int(clock_prefix["s"] or 0)
                )
            except ValueError:
                return None
            rest = rest[clock_prefix.end() :]
    match = _UTTERANCE.match(rest)
    if match is None:
        return None
    name = match.group("name").strip()
    if (
        not name
        or name.isdigit()
        or _DATE_LIKE.match(name)
        or name.lower() in _NOT_NAMES
        or len(name.split()) > 4
        or match.group("text").startswith("//")
    ):
        return None
    return Utterance(name, match.group("text").strip(), stamp, clock)


class PlainTranscriptImporter:
    format_id = "plain-transcript"

    def sniff(self, sample: Sample) -> bool:
        lines = [line for line in sample.text.splitlines() if line.strip()]
        lines = lines[:_SNIFF_LINES]
        utterances = [u for u in (parse_utterance(line) for line in lines) if u is not None]
        if len(utterances) < 2 or len(utterances) < 0.7 * len(lines):
            return False
        speakers = {u.name for u in utterances}
        return len(utterances) < 4 or len(speakers) <= 0.75 * len(utterances)

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        key = title_from_file(entry.name)
        yield ParsedConversation(key=key, platform=PLATFORM, title=key)
        timeline = _Timeline(options, report)
        pending: _Pending | None = None
        stray: int | None = None
        for number, line in iter_lines(entry):
            utterance = parse_utterance(line)
            if utterance is None:
                if pending is not None and line.strip():
                    pending.lines.append(line.strip())
                elif line.strip():
                    stray = stray or number
                    report.warn(
                        "outside-message",
                        "lines before the first `Name: text` line were skipped",
                        f"line {number}: {line}",
                    )
                continue
            if pending is not None:
                yield pending.message(key)
            pending = _Pending(
                number, utterance.name, timeline.stamp(utterance, number), [utterance.text]
            )
        if pending is None:
            raise format_error(
                entry, f"line {stray or 1}", "expected `Name: text` lines (a plain transcript)"
            )
        yield pending.message(key)


@dataclass
class _Pending:
    number: int
    name: str
    stamp: Stamp
    lines: list[str] = field(default_factory=list)

    def message(self, key: str) -> ParsedMessage:
        body = classify_body("\n".join(self.lines))
        system = body.kind is MessageKind.SYSTEM
        return ParsedMessage(
            conversation_key=key,
            ts_ms=self.stamp.ts_ms,
            utc_offset_min=self.stamp.offset_min,
            offset_assumed=self.stamp.offset_assumed,
            kind=body.kind,
            text=body.text,
            sender_name=None if system else self.name,
            media=body.media,
            location=f"line {self.number}",
        )


class _Timeline:
    """Times for utterances: real ones when written, else synthetic but ordered.

    A clock-only prefix (`[12:05]`) is placed on the day of the last full
    timestamp (or the synthetic base day) and rolls to the next day when the
    clock goes backwards. Each kind of guess is reported once.
    """

    def __init__(self, options: ParseOptions, report: ParseReport) -> None:
        self._options = options
        self._report = report
        self._clock = SyntheticClock(options)
        self._day: date = SYNTHETIC_BASE.date()
        self._last: datetime | None = None
        self._warned: set[str] = set()

    def stamp(self, utterance: Utterance, number: int) -> Stamp:
        if utterance.stamp_text is not None:
            written = parse_moment(utterance.stamp_text)
            if written is None:
                self._report.warn(
                    "bad-time",
                    "unreadable timestamps were replaced by the previous time plus one second",
                    f"line {number}: {utterance.stamp_text}",
                )
                return self._clock.next()
            self._last = written[0]
            self._day = written[0].date()
            return self._observed(stamp_local(written[0], self._options))
        if utterance.clock is not None:
            moment = datetime.combine(self._day, utterance.clock)
            if self._last is not None and moment < self._last:
                self._day += timedelta(days=1)
                moment += timedelta(days=1)
            self._last = moment
            self._once(
                "dates-missing",
                number,
                "the transcript gives times without dates; days were counted from 2000-01-01, "
                "advancing when the clock passes midnight",
            )
            return self._observed(stamp_local(moment, self._options))
        self._once(
            "times-missing",
            number,
            "times were missing; messages got synthetic times one second apart from "
            "2000-01-01 so their order was kept",
        )
        return self._clock.next()

    def _observed(self, stamp: Stamp) -> Stamp:
        self._clock.observe(stamp)
        return stamp

    def _once(self, code: str, number: int, message: str) -> None:
        if code not in self._warned:
            self._warned.add(code)
            self._report.warn(code, message, f"line {number}")


PLAIN_TRANSCRIPT = PlainTranscriptImporter()
