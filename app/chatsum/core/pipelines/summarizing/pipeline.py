"""Summaries from messages in memory: prepare, window, map, reduce, check, assemble.

No database here, so the evaluation runs the same code on dialogues from a
JSONL file and the archive API (`api.py`) only adds reading and caching. The
result is always a complete `Summary`; when a step failed, its quality flags
say so (`failed_window`, `merge_failed`, ...) and the archive API does not
cache it, so partial results are never kept as final.
"""

from __future__ import annotations

import time
from collections.abc import Generator, Sequence

from chatsum.core.domain import (
    Citation,
    Message,
    Summary,
    SummaryQuality,
    SummaryTimings,
    Topic,
)
from chatsum.core.llm.base import TextGenerator
from chatsum.core.pipelines.summarizing.language import resolve_language
from chatsum.core.pipelines.summarizing.mapreduce import Event, StepResult, SummaryRun
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.preprocessing import prepare_lines
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION
from chatsum.core.progress import CancelToken, Progress

# Flags that mean some input was not summarized: such a summary is never cached.
INCOMPLETE_FLAGS = frozenset({"failed_window", "merge_failed", "failed", "merge_not_shrinking"})


def is_complete(summary: Summary) -> bool:
    return not INCOMPLETE_FLAGS.intersection(summary.quality.flags)


def summarize_messages(
    messages: Sequence[Message],
    generator: TextGenerator,
    options: SummaryOptions | None = None,
    cancel: CancelToken | None = None,
    *,
    conversation_id: int = 0,
    since_ms: int | None = None,
    until_ms: int | None = None,
    scope: str = "range",
) -> Generator[Event, None, Summary]:
    """Summarize messages (in time order) into 2–5 cited topics."""
    options = options or SummaryOptions()
    cancel = cancel or CancelToken()
    started = time.monotonic()
    language = resolve_language(options.language, (m.text for m in messages))
    prepared = prepare_lines(messages, language, options.redact_pii)
    yield Progress("prepare", f"{len(prepared.lines)} lines to read", 1, 1, "steps")
    run = SummaryRun(generator, options, language, cancel)
    windows = run.windows(prepared.lines) if prepared.lines else []
    if not windows:
        run.flags.append("nothing_to_summarize")
        result = StepResult([])
    elif len(windows) == 1:
        yield Progress("summarize", "reading the chat", 0, 1, "windows")
        result = yield from run.whole(windows[0].lines)
        if not result.ok:
            run.flags.append("failed")
    else:
        partials: list[Topic] = []
        for index, window in enumerate(windows):
            cancel.raise_if_cancelled()
            yield Progress(
                "map", f"part {index + 1} of {len(windows)}", index, len(windows), "windows"
            )
            part = yield from run.part(window.lines)
            if not part.ok:
                run.flags.append("failed_window")
            partials.extend(part.topics)
        result = yield from run.merge(partials)
        if not result.ok:
            run.flags.append("merge_failed")
            result = StepResult(partials[: options.max_topics], result.gist, ok=False)
    cancel.raise_if_cancelled()
    by_id = {m.id: m for m in messages}
    summary = assemble(
        run,
        result,
        conversation_id=conversation_id,
        since_ms=since_ms,
        until_ms=until_ms,
        scope=scope,
        citations={
            mid: Citation(mid, m.conversation_id, m.sender_name, m.ts_ms, m.text)
            for mid, m in by_id.items()
        },
        messages_in=prepared.messages_in,
        messages_dropped=prepared.dropped,
        redactions=prepared.redactions,
        windows=len(windows),
        started=started,
    )
    yield Progress("done", "summary ready", 1, 1, "steps")
    return summary


def rollup_summaries(
    children: Sequence[Summary],
    generator: TextGenerator,
    options: SummaryOptions | None = None,
    cancel: CancelToken | None = None,
    *,
    conversation_id: int,
    since_ms: int | None,
    until_ms: int | None,
    scope: str,
    language: str,
) -> Generator[Event, None, Summary]:
    """Merge the topics of shorter summaries (days, weeks) into one longer summary."""
    options = options or SummaryOptions()
    cancel = cancel or CancelToken()
    started = time.monotonic()
    run = SummaryRun(generator, options, language, cancel)
    citations = {c.message_id: c for child in children for c in child.cited_messages}
    topics = [topic for child in children for topic in child.topics]
    if not topics:
        run.flags.append("nothing_to_summarize")
        result = StepResult([])
    else:
        result = yield from run.merge(topics)
        if not result.ok:
            run.flags.append("merge_failed")
            result = StepResult(topics[: options.max_topics], result.gist, ok=False)
    return assemble(
        run,
        result,
        conversation_id=conversation_id,
        since_ms=since_ms,
        until_ms=until_ms,
        scope=scope,
        citations=citations,
        messages_in=sum(child.message_count for child in children),
        messages_dropped=sum(child.quality.messages_dropped for child in children),
        redactions=sum(child.quality.redactions for child in children),
        windows=sum(child.quality.windows for child in children),
        started=started,
    )


def assemble(
    run: SummaryRun,
    result: StepResult,
    *,
    conversation_id: int,
    since_ms: int | None,
    until_ms: int | None,
    scope: str,
    citations: dict[int, Citation],
    messages_in: int,
    messages_dropped: int,
    redactions: int,
    windows: int,
    started: float,
) -> Summary:
    topics = tuple(result.topics[: run.options.max_topics])
    if topics and len(topics) < run.options.min_topics:
        run.flags.append("too_few_topics")
    if run.stats.schema_failures:
        run.flags.append("schema_invalid")
    cited = sorted(
        {mid for topic in topics for claim in topic.claims() for mid in claim.message_ids}
    )
    tally = run.tally
    quality = SummaryQuality(
        schema_valid=run.stats.schema_failures == 0,
        schema_retries=run.stats.schema_retries,
        windows=windows,
        reduce_rounds=run.reduce_rounds,
        messages_in=messages_in,
        messages_dropped=messages_dropped,
        redactions=redactions,
        citations_cited=tally.cited,
        citations_invalid=tally.invalid,
        citations_misattributed=tally.misattributed,
        citations_repaired=tally.repaired,
        citations_dropped=tally.dropped,
        viewpoints_reattributed=tally.reattributed,
        unsupported_claims=tally.unsupported,
        flags=tuple(dict.fromkeys(run.flags)),
    )
    timings = SummaryTimings(
        total_s=round(time.monotonic() - started, 3),
        llm_s=round(run.stats.seconds, 3),
        llm_calls=run.stats.calls,
        prompt_tokens=run.stats.prompt_tokens,
        completion_tokens=run.stats.completion_tokens,
    )
    return Summary(
        conversation_id=conversation_id,
        since_ms=since_ms,
        until_ms=until_ms,
        scope=scope,
        language=run.language,
        gist=result.gist,
        topics=topics,
        model_id=run.generator.model_id,
        prompt_version=PROMPT_VERSION,
        timings=timings,
        quality=quality,
        cited_messages=tuple(citations[mid] for mid in cited if mid in citations),
        message_count=messages_in,
    )
