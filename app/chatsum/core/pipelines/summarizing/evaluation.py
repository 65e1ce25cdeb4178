"""`chatsum eval summarize`: run the summarizer on dialogues with reference summaries.

The dataset is JSONL, one dialogue per line (ours is
bench/data/summarize_eval.jsonl; a user's own set in the same shape works):

    {"id": "...", "title": "...", "language": "zh",
     "messages": [{"sender": "...", "time": "2024-05-10 09:01", "text": "..."}],
     "reference": {"gist": "...", "topics": [{"title": "...", "summary": "...",
        "key_points": ["..."], "viewpoints": [{"participant": "...", "view": "..."}]}]}}

Dialogues are summarized in memory by the same pipeline as the archive (no
cache), so the figures are the pipeline's, measured on what a user would get.
Raw citation validity is what the model cited before checking; "after
checking" is recomputed independently from the finished topics. The JSON
report includes each generated summary, so a reader can see what was scored.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chatsum.core.domain import Message, MessageKind, Summary
from chatsum.core.errors import ImportFormatError
from chatsum.core.llm.base import TextGenerator
from chatsum.core.pipelines.summarizing.citations import citation_validity
from chatsum.core.pipelines.summarizing.codec import summary_to_dict
from chatsum.core.pipelines.summarizing.mapreduce import Event
from chatsum.core.pipelines.summarizing.metrics import (
    attribution,
    rouge_l,
    rouge_n,
    shared_views,
    summary_texts,
    verbatim_share,
)
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.pipeline import summarize_messages
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION
from chatsum.core.progress import CancelToken, Progress


@dataclass(frozen=True)
class ReferenceTopic:
    title: str
    summary: str
    key_points: tuple[str, ...]
    viewpoints: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Dialogue:
    id: str
    title: str
    language: str | None
    messages: tuple[Message, ...]
    gist: str
    topics: tuple[ReferenceTopic, ...]

    def reference_text(self) -> str:
        parts = [self.gist]
        for topic in self.topics:
            parts += [topic.title, topic.summary, *topic.key_points]
            parts += [view for _, view in topic.viewpoints]
        return "\n".join(p for p in parts if p)


def _time_ms(value: Any, where: str, path: Path) -> int:
    if isinstance(value, int):
        return value
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            return int(
                datetime.strptime(str(value), pattern).replace(tzinfo=UTC).timestamp() * 1000
            )
        except ValueError:
            continue
    raise ImportFormatError(str(path), where, f"time {value!r} is not 'YYYY-MM-DD HH:MM[:SS]'")


def _dialogue(record: Any, line: int, path: Path) -> Dialogue:
    where = f"line {line}"
    if not isinstance(record, dict) or not isinstance(record.get("messages"), list):
        raise ImportFormatError(str(path), where, "expected an object with a 'messages' list")
    reference = record.get("reference")
    if not isinstance(reference, dict) or not isinstance(reference.get("topics"), list):
        raise ImportFormatError(str(path), where, "expected 'reference' with a 'topics' list")
    messages: list[Message] = []
    for index, item in enumerate(record["messages"], start=1):
        if not isinstance(item, dict) or not item.get("sender") or "text" not in item:
            raise ImportFormatError(
                str(path), f"{where}, message {index}", "needs 'sender', 'time' and 'text'"
            )
        ts = _time_ms(item.get("time"), f"{where}, message {index}", path)
        messages.append(
            Message(
                index,
                0,
                None,
                str(item["sender"]),
                ts,
                0,
                False,
                MessageKind.TEXT,
                str(item["text"]),
            )
        )
    topics = tuple(
        ReferenceTopic(
            str(t.get("title", "")),
            str(t.get("summary", "")),
            tuple(str(p) for p in t.get("key_points", [])),
            tuple((str(v["participant"]), str(v["view"])) for v in t.get("viewpoints", [])),
        )
        for t in reference["topics"]
    )
    return Dialogue(
        id=str(record.get("id") or f"line-{line}"),
        title=str(record.get("title") or ""),
        language=record.get("language"),
        messages=tuple(messages),
        gist=str(reference.get("gist") or ""),
        topics=topics,
    )


def load_dialogues(path: Path) -> list[Dialogue]:
    dialogues: list[Dialogue] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ImportFormatError(str(path), None, f"cannot be read ({exc.strerror})") from exc
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            record = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFormatError(str(path), f"line {number}", f"not JSON ({exc.msg})") from exc
        dialogues.append(_dialogue(record, number, path))
    return dialogues


@dataclass(frozen=True)
class DialogueResult:
    id: str
    language: str
    messages: int
    topics: int
    schema_valid: bool
    rouge1: float
    rouge2: float
    rouge_l: float
    cited: int
    cited_valid_raw: int
    cited_after: int
    valid_after: int
    attribution_right: int
    attribution_matched: int
    views_shared: int
    views_total: int
    verbatim: float
    seconds: float
    flags: tuple[str, ...]
    summary: Summary


def score(dialogue: Dialogue, summary: Summary, seconds: float) -> DialogueResult:
    prediction = "\n".join([*(t.title for t in summary.topics), *summary_texts(summary)])
    reference = dialogue.reference_text()
    quality = summary.quality
    senders = {m.id: m.sender_name or "?" for m in dialogue.messages}
    valid_after, cited_after = citation_validity(summary.topics, senders)
    predicted_views = [(v.participant, v.view) for t in summary.topics for v in t.viewpoints]
    reference_views = [pair for topic in dialogue.topics for pair in topic.viewpoints]
    right, matched = attribution(predicted_views, reference_views)
    shared, views = shared_views(summary)
    return DialogueResult(
        id=dialogue.id,
        language=summary.language,
        messages=len(dialogue.messages),
        topics=len(summary.topics),
        schema_valid=quality.schema_valid,
        rouge1=rouge_n(prediction, reference, 1),
        rouge2=rouge_n(prediction, reference, 2),
        rouge_l=rouge_l(prediction, reference),
        cited=quality.citations_cited,
        cited_valid_raw=quality.citations_cited
        - quality.citations_invalid
        - quality.citations_misattributed,
        cited_after=cited_after,
        valid_after=valid_after,
        attribution_right=right,
        attribution_matched=matched,
        views_shared=shared,
        views_total=views,
        verbatim=verbatim_share(
            summary_texts(summary), (m.text for m in dialogue.messages), summary.language
        ),
        seconds=seconds,
        flags=summary.quality.flags,
        summary=summary,
    )


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


@dataclass(frozen=True)
class EvalReport:
    model_id: str
    prompt_version: str
    data: str
    results: tuple[DialogueResult, ...] = field(default_factory=tuple)

    def totals(self) -> dict[str, Any]:
        r = self.results
        messages = sum(x.messages for x in r)
        seconds = sum(x.seconds for x in r)
        return {
            "dialogues": len(r),
            "schema_valid_rate": _mean([float(x.schema_valid) for x in r]),
            "rouge1": _mean([x.rouge1 for x in r]),
            "rouge2": _mean([x.rouge2 for x in r]),
            "rougeL": _mean([x.rouge_l for x in r]),
            "citation_validity_raw": _ratio(
                sum(x.cited_valid_raw for x in r), sum(x.cited for x in r)
            ),
            "citation_validity_checked": _ratio(
                sum(x.valid_after for x in r), sum(x.cited_after for x in r)
            ),
            "attribution_accuracy": _ratio(
                sum(x.attribution_right for x in r), sum(x.attribution_matched for x in r)
            ),
            "attribution_matched_views": sum(x.attribution_matched for x in r),
            "shared_view_share": _ratio(
                sum(x.views_shared for x in r), sum(x.views_total for x in r)
            ),
            "verbatim_share": _mean([x.verbatim for x in r]),
            "topic_counts": {str(k): v for k, v in sorted(Counter(x.topics for x in r).items())},
            "seconds_per_1000_messages": round(seconds / messages * 1000, 1) if messages else None,
            "seconds_total": round(seconds, 1),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "prompt_version": self.prompt_version,
            "data": self.data,
            "totals": self.totals(),
            "dialogues": [
                {
                    **{k: v for k, v in vars(x).items() if k != "summary"},
                    "rouge1": round(x.rouge1, 4),
                    "rouge2": round(x.rouge2, 4),
                    "rouge_l": round(x.rouge_l, 4),
                    "verbatim": round(x.verbatim, 4),
                    "seconds": round(x.seconds, 2),
                    "flags": list(x.flags),
                    "summary": summary_to_dict(x.summary),
                }
                for x in self.results
            ],
        }


def evaluate(
    data_path: Path,
    generator: TextGenerator,
    options: SummaryOptions | None = None,
    limit: int | None = None,
    cancel: CancelToken | None = None,
) -> Generator[Event, None, EvalReport]:
    options = replace(options or SummaryOptions(), use_cache=False)
    cancel = cancel or CancelToken()
    dialogues = load_dialogues(data_path)[: limit if limit else None]
    results: list[DialogueResult] = []
    for index, dialogue in enumerate(dialogues):
        cancel.raise_if_cancelled()
        yield Progress("eval", dialogue.id, index, len(dialogues), "dialogues")
        started = time.monotonic()
        summary = yield from summarize_messages(dialogue.messages, generator, options, cancel)
        results.append(score(dialogue, summary, time.monotonic() - started))
    yield Progress("eval", "done", len(dialogues), len(dialogues), "dialogues")
    return EvalReport(generator.model_id, PROMPT_VERSION, str(data_path), tuple(results))
