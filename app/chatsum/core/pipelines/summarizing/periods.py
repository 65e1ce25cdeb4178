"""Calendar ranges on the exporting device's clock: day, ISO week, month.

A "day" is the day the chat's own clock showed, so ranges are computed in the
conversation's UTC offset and returned as UTC milliseconds. A month is made of
the ISO weeks that overlap it, each clipped to the month, so month roll-ups
reuse week roll-ups (which reuse day summaries) without crossing month ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

PERIODS = ("day", "week", "month")


def day_start_ms(day: date, utc_offset_min: int) -> int:
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return int((midnight - timedelta(minutes=utc_offset_min)).timestamp() * 1000)


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """First day and the day after the last of the period containing `day`."""
    if period == "day":
        return day, day + timedelta(days=1)
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=7)
    if period == "month":
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following
    raise ValueError(f"unknown period {period!r}")


def child_periods(period: str, first: date, end: date) -> list[tuple[str, date, date]]:
    """The pieces a roll-up is built from: days of a week, clipped weeks of a month."""
    if period == "week":
        return [
            ("day", first + timedelta(days=i), first + timedelta(days=i + 1))
            for i in range((end - first).days)
        ]
    if period == "month":
        pieces: list[tuple[str, date, date]] = []
        start = first
        while start < end:
            monday = start - timedelta(days=start.weekday())
            stop = min(monday + timedelta(days=7), end)
            pieces.append(("week", start, stop))
            start = stop
        return pieces
    return []


def local_day(ts_ms: int, utc_offset_min: int) -> date:
    return (datetime.fromtimestamp(ts_ms / 1000, tz=UTC) + timedelta(minutes=utc_offset_min)).date()
