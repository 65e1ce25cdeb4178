"""Reading the many ways exports write a moment, without guessing silently.

Text exports write dates as `2023-05-01 12:00:00`, `2023/5/1 下午 3:05`,
`01/05/2023 3:05 PM`, ISO 8601 with or without an offset, or epoch seconds or
milliseconds. One parser handles them all so every importer agrees. What the
text cannot say is decided in the open: a time without an offset is taken in
`default_utc_offset_min` and flagged `offset_assumed`; an ambiguous day/month
order is inferred from the values (a field above 12 decides) and otherwise
falls back to the `date_order` setting. Transcripts with no times at all get
synthetic, strictly increasing times so their order survives.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chatsum.core.importers.base import ParseOptions, ParseReport, local_to_utc_ms

# Markers as compared: lower case, spaces removed ("a. m." -> "a.m.").
_AM = {"am", "a.m.", "上午", "午前", "凌晨", "早上"}
_PM = {"pm", "p.m.", "下午", "午後", "晚上", "中午"}
MERIDIEM = r"(?:上午|下午|午前|午後|凌晨|早上|中午|晚上|[AaPp]\.?\s?[Mm]\.?)"

_TIME = (
    rf"(?:(?P<mer1>{MERIDIEM})\s*)?"
    r"(?P<H>\d{1,2})[:.](?P<M>\d{2})(?:[:.](?P<S>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
    rf"(?:\s*(?P<mer2>{MERIDIEM}))?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?"
)
_YMD = re.compile(
    r"^(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?"
    rf"(?:(?:[ T,]+|\s*)(?:{_TIME}))?$"
)
_XYY = re.compile(
    r"^(?P<a>\d{1,2})[-/.](?P<b>\d{1,2})[-/.](?P<y>\d{4}|\d{2}),?"
    rf"(?:\s+(?:{_TIME}))?$"
)
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")


@dataclass(frozen=True)
class Stamp:
    ts_ms: int
    offset_min: int
    offset_assumed: bool


def hour_24(hour: int, meridiem: str | None) -> int:
    """Convert a 12-hour clock hour given its AM/PM (上午/下午, 午前/午後) marker."""
    if not meridiem:
        return hour
    marker = meridiem.strip().lower().replace(" ", "")
    if marker in _PM:
        return hour if hour == 12 else hour + 12
    if marker in _AM:
        return 0 if hour == 12 else hour
    return hour


def _offset_minutes(tz: str | None) -> int | None:
    if not tz:
        return None
    if tz in {"Z", "UTC", "GMT"}:
        return 0
    sign = -1 if tz[0] == "-" else 1
    digits = tz[1:].replace(":", "")
    return sign * (int(digits[:2]) * 60 + int(digits[2:4]))


def _clock(match: re.Match[str]) -> tuple[int, int, int, int]:
    if match.group("H") is None:
        return 0, 0, 0, 0
    meridiem = match.group("mer1") or match.group("mer2")
    hour = hour_24(int(match.group("H")), meridiem)
    frac = (match.group("frac") or "0")[:6].ljust(6, "0")
    return hour, int(match.group("M")), int(match.group("S") or 0), int(frac)


def _full_year(year: str) -> int:
    value = int(year)
    return value + 2000 if len(year) == 2 else value


def parse_moment(value: str, day_first: bool | None = None) -> tuple[datetime, int | None] | None:
    """(naive wall-clock time, stated offset or None), or None when not a date.

    `day_first` resolves `01/05/2023` when neither field is above 12; None
    means day first there. A field above 12 always decides.
    """
    text = value.strip()
    if text[4:5] == "-":
        try:  # fast path: ISO 8601 in C
            moment = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            offset = moment.utcoffset()
            if offset is None:
                return moment, None
            return moment.replace(tzinfo=None), int(offset.total_seconds() // 60)
    try:
        match = _YMD.match(text)
        if match is not None:
            hour, minute, second, micro = _clock(match)
            moment = datetime(
                int(match.group("y")),
                int(match.group("m")),
                int(match.group("d")),
                hour,
                minute,
                second,
                micro,
            )
            return moment, _offset_minutes(match.group("tz"))
        match = _XYY.match(text)
        if match is not None:
            first, second_field = int(match.group("a")), int(match.group("b"))
            use_day_first = _resolve_day_first(first, second_field, day_first)
            day, month = (first, second_field) if use_day_first else (second_field, first)
            hour, minute, second, micro = _clock(match)
            moment = datetime(_full_year(match.group("y")), month, day, hour, minute, second, micro)
            return moment, _offset_minutes(match.group("tz"))
    except ValueError:
        return None
    return None


def _resolve_day_first(first: int, second: int, day_first: bool | None) -> bool:
    if first > 12:
        return True
    if second > 12:
        return False
    return True if day_first is None else day_first


def epoch_ms(value: str) -> int | None:
    """Milliseconds for epoch seconds (9-10 digits, maybe fractional) or ms (12-13 digits)."""
    text = value.strip()
    if not _EPOCH.match(text):
        return None
    whole = text.split(".", 1)[0]
    if len(whole) >= 12:
        return int(float(text))
    return round(float(text) * 1000)


def decide_day_first(values: Iterable[str], options: ParseOptions, report: ParseReport) -> bool:
    """Per-file dd/mm or mm/dd: a field above 12 decides, else the `date_order`
    setting, else day first, which is then reported so the user can change it."""
    ambiguous: str | None = None
    for value in values:
        match = _XYY.match(value.strip())
        if match is None:
            continue
        first, second = int(match.group("a")), int(match.group("b"))
        if first > 12 >= second:
            return True
        if second > 12 >= first:
            return False
        ambiguous = ambiguous or value
    if options.date_order in {"dmy", "mdy"}:
        return options.date_order == "dmy"
    if ambiguous is not None:
        report.warn(
            "date-order-assumed",
            "no date decided between day/month and month/day; day first was assumed "
            "(set the date order to mdy if that is wrong)",
            ambiguous,
        )
    return True


def stamp_local(moment: datetime, options: ParseOptions) -> Stamp:
    """A wall-clock time of unknown offset: the configured default, flagged as assumed."""
    offset = options.default_utc_offset_min
    return Stamp(local_to_utc_ms(moment, offset), offset, True)


def stamp_text(value: str, options: ParseOptions, day_first: bool | None = None) -> Stamp | None:
    """A `Stamp` for any supported written time, or None when it is not one."""
    millis = epoch_ms(value)
    if millis is not None:
        return Stamp(millis, options.default_utc_offset_min, True)
    parsed = parse_moment(value, day_first)
    if parsed is None:
        return None
    moment, offset = parsed
    if offset is None:
        return stamp_local(moment, options)
    return Stamp(local_to_utc_ms(moment, offset), offset, False)


SYNTHETIC_BASE = datetime(2000, 1, 1)


class SyntheticClock:
    """Strictly increasing stand-in times for messages the export left undated.

    Starts at 2000-01-01 00:00 local (the default offset) and advances one
    second per message, or continues one second after the last real time seen.
    """

    def __init__(self, options: ParseOptions) -> None:
        self._offset = options.default_utc_offset_min
        self._last_ms = local_to_utc_ms(SYNTHETIC_BASE, self._offset) - 1000

    def observe(self, stamp: Stamp) -> None:
        self._last_ms = stamp.ts_ms

    def next(self) -> Stamp:
        self._last_ms += 1000
        return Stamp(self._last_ms, self._offset, True)
