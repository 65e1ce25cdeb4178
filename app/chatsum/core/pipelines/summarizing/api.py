"""The summary service the desktop app and the CLI call: archive in, cached Summary out.

Each function is a generator taking the database path (not a connection: it
may run in a worker thread, which opens its own), yielding `Progress` events
and streamed model text, and returning a `Summary`. Results are cached only
when complete; a cancelled run raises `Cancelled` and stores nothing.

- `summarize_range`: any range (scope "range"), or one day (scope "day").
- `summarize_period`: a day, an ISO week or a month; weeks are rolled up from
  day summaries and months from (clipped) week summaries, each level cached,
  so after a re-import only the changed day and the roll-ups above it rerun.
- `summarize_days`: one summary per day of a range (`--by day`).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from chatsum.core.domain import Summary
from chatsum.core.llm.base import TextGenerator
from chatsum.core.pipelines.summarizing.cache import CacheKey, SummaryCache, messages_hash
from chatsum.core.pipelines.summarizing.language import resolve_language
from chatsum.core.pipelines.summarizing.mapreduce import Event
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.periods import (
    child_periods,
    day_start_ms,
    local_day,
    period_bounds,
)
from chatsum.core.pipelines.summarizing.pipeline import (
    is_complete,
    rollup_summaries,
    summarize_messages,
)
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION
from chatsum.core.progress import CancelToken, Progress
from chatsum.core.storage.store import Store


def _cache_key(
    conversation_id: int,
    scope: str,
    since_ms: int | None,
    until_ms: int | None,
    generator: TextGenerator,
    options: SummaryOptions,
    language: str,
    digest: str,
) -> CacheKey:
    return CacheKey(
        conversation_id,
        scope,
        since_ms,
        until_ms,
        generator.model_id,
        PROMPT_VERSION,
        options.cache_key(language),
        digest,
    )


def summarize_range(
    db_path: Path,
    generator: TextGenerator,
    conversation_id: int,
    since_ms: int | None = None,
    until_ms: int | None = None,
    options: SummaryOptions | None = None,
    cancel: CancelToken | None = None,
    *,
    scope: str = "range",
) -> Generator[Event, None, Summary]:
    """Summarize [since_ms, until_ms) of a conversation (None = open end), cached."""
    options = options or SummaryOptions()
    cancel = cancel or CancelToken()
    store = Store.open(db_path)
    try:
        store.get_conversation(conversation_id)
        yield Progress("read", "reading messages", 0, None, "messages")
        messages = list(store.iter_messages(conversation_id, since_ms, until_ms))
        language = resolve_language(options.language, (m.text for m in messages))
        key = _cache_key(
            conversation_id,
            scope,
            since_ms,
            until_ms,
            generator,
            options,
            language,
            messages_hash(messages),
        )
        cache = SummaryCache(store.conn)
        if options.use_cache and (cached := cache.get(key)) is not None:
            yield Progress("cache", "summary from cache", 1, 1, "steps")
            return replace(cached, from_cache=True)
        summary = yield from summarize_messages(
            messages,
            generator,
            replace(options, language=language),
            cancel,
            conversation_id=conversation_id,
            since_ms=since_ms,
            until_ms=until_ms,
            scope=scope,
        )
        cancel.raise_if_cancelled()
        if is_complete(summary):
            cache.put(key, summary)
        return summary
    finally:
        store.close()


def summarize_period(
    db_path: Path,
    generator: TextGenerator,
    conversation_id: int,
    period: str,
    day: date,
    utc_offset_min: int,
    options: SummaryOptions | None = None,
    cancel: CancelToken | None = None,
) -> Generator[Event, None, Summary]:
    """The day, ISO week or month containing `day`, on a clock `utc_offset_min` from UTC."""
    first, end = period_bounds(period, day)
    summary = yield from _summarize_span(
        db_path,
        generator,
        conversation_id,
        period,
        first,
        end,
        utc_offset_min,
        options or SummaryOptions(),
        cancel or CancelToken(),
    )
    return summary


def _summarize_span(
    db_path: Path,
    generator: TextGenerator,
    conversation_id: int,
    scope: str,
    first: date,
    end: date,
    utc_offset_min: int,
    options: SummaryOptions,
    cancel: CancelToken,
) -> Generator[Event, None, Summary]:
    since_ms, until_ms = day_start_ms(first, utc_offset_min), day_start_ms(end, utc_offset_min)
    if scope == "day":
        summary = yield from summarize_range(
            db_path, generator, conversation_id, since_ms, until_ms, options, cancel, scope="day"
        )
        return summary
    store = Store.open(db_path)
    try:
        store.get_conversation(conversation_id)
        messages = list(store.iter_messages(conversation_id, since_ms, until_ms))
        language = resolve_language(options.language, (m.text for m in messages))
        key = _cache_key(
            conversation_id,
            scope,
            since_ms,
            until_ms,
            generator,
            options,
            language,
            messages_hash(messages),
        )
        cache = SummaryCache(store.conn)
        if options.use_cache and (cached := cache.get(key)) is not None:
            yield Progress("cache", f"{scope} summary from cache", 1, 1, "steps")
            return replace(cached, from_cache=True)
        busy_days = {local_day(m.ts_ms, utc_offset_min) for m in messages}
        del messages
        # Children use the parent's language so the roll-up reads one language.
        child_options = replace(options, language=language)
        pieces = [
            piece
            for piece in child_periods(scope, first, end)
            if any(piece[1] <= d < piece[2] for d in busy_days)
        ]
        children: list[Summary] = []
        for index, (child_scope, child_first, child_end) in enumerate(pieces):
            cancel.raise_if_cancelled()
            yield Progress(
                scope, f"{child_scope} {child_first.isoformat()}", index, len(pieces), "parts"
            )
            child = yield from _summarize_span(
                db_path,
                generator,
                conversation_id,
                child_scope,
                child_first,
                child_end,
                utc_offset_min,
                child_options,
                cancel,
            )
            children.append(child)
        yield Progress(scope, "rolling up", len(pieces), len(pieces), "parts")
        summary = yield from rollup_summaries(
            children,
            generator,
            child_options,
            cancel,
            conversation_id=conversation_id,
            since_ms=since_ms,
            until_ms=until_ms,
            scope=scope,
            language=language,
        )
        cancel.raise_if_cancelled()
        if is_complete(summary) and all(is_complete(child) for child in children):
            cache.put(key, summary)
        return summary
    finally:
        store.close()


def summarize_days(
    db_path: Path,
    generator: TextGenerator,
    conversation_id: int,
    first: date,
    end: date,
    utc_offset_min: int,
    options: SummaryOptions | None = None,
    cancel: CancelToken | None = None,
) -> Generator[Event, None, list[Summary]]:
    """One summary per day in [first, end) that has messages."""
    options = options or SummaryOptions()
    cancel = cancel or CancelToken()
    store = Store.open(db_path)
    try:
        since_ms, until_ms = day_start_ms(first, utc_offset_min), day_start_ms(end, utc_offset_min)
        days = sorted(
            {
                local_day(m.ts_ms, utc_offset_min)
                for m in store.iter_messages(conversation_id, since_ms, until_ms)
            }
        )
    finally:
        store.close()
    summaries: list[Summary] = []
    for index, day in enumerate(days):
        cancel.raise_if_cancelled()
        yield Progress("days", day.isoformat(), index, len(days), "days")
        summary = yield from _summarize_span(
            db_path,
            generator,
            conversation_id,
            "day",
            day,
            day + timedelta(days=1),
            utc_offset_min,
            options,
            cancel,
        )
        summaries.append(summary)
    return summaries
