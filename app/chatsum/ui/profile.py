"""One pass over a conversation that feeds both the message view and Insights.

The message view needs to know where each local day starts (to place date
separators without asking SQLite for every row), and the Insights tab needs
messages per day, activity by hour and weekday, and the most active members.
All of it comes from reading each message's time and sender once, in a
worker, in time order; the result is a frozen `ConversationProfile` that can
cross back to the GUI thread. Days are local days on the exporting device's
clock, the same clock the message view shows.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from chatsum.core.progress import CancelToken, Progress

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
PROGRESS_EVERY = 20_000


def day_to_date(day: int) -> date:
    return date.fromordinal(_EPOCH_ORDINAL + day)


@dataclass(frozen=True)
class DayRuns:
    """Where each run of same-day messages starts, by position in time order."""

    days: tuple[int, ...] = ()
    starts: tuple[int, ...] = ()


@dataclass(frozen=True)
class ConversationProfile:
    conversation_id: int
    message_count: int
    runs: DayRuns
    per_day: tuple[tuple[int, int], ...]  # (day, messages), ascending
    hour_weekday: tuple[tuple[int, ...], ...]  # [weekday 0=Mon][hour 0..23]
    senders: tuple[tuple[str, int], ...]  # most active first
    utc_offset_min: int = 0  # the clock most messages were written on


def profile_conversation(
    db_path: Path, conversation_id: int, cancel: CancelToken
) -> Generator[Progress, None, ConversationProfile]:
    from chatsum.core.storage.store import Store

    store = Store.open(db_path)
    try:
        total = store.count_messages(conversation_id)
        days: list[int] = []
        starts: list[int] = []
        per_day: Counter[int] = Counter()
        grid = [[0] * 24 for _ in range(7)]
        senders: Counter[str] = Counter()
        offsets: Counter[int] = Counter()
        previous_day: int | None = None
        position = 0
        for position, message in enumerate(store.iter_messages(conversation_id, batch=20_000)):
            minutes = (message.ts_ms // 60_000) + message.utc_offset_min
            day = minutes // 1440
            if day != previous_day:
                days.append(day)
                starts.append(position)
                previous_day = day
            per_day[day] += 1
            # 1970-01-01 was a Thursday (weekday 3).
            grid[(day + 3) % 7][(minutes % 1440) // 60] += 1
            if message.sender_name:
                senders[message.sender_name] += 1
            if position % 64 == 0:  # sampled: offsets change rarely within a chat
                offsets[message.utc_offset_min] += 1
            if position % PROGRESS_EVERY == 0:
                cancel.raise_if_cancelled()
                yield Progress("profile", "reading messages", position, total, "messages")
        return ConversationProfile(
            conversation_id=conversation_id,
            message_count=position + 1 if days else 0,
            runs=DayRuns(tuple(days), tuple(starts)),
            per_day=tuple(sorted(per_day.items())),
            hour_weekday=tuple(tuple(row) for row in grid),
            senders=tuple(senders.most_common()),
            utc_offset_min=offsets.most_common(1)[0][0] if offsets else 0,
        )
    finally:
        store.close()
