"""What the Markdown, HTML and JSON reports share: labels, times, footnote numbers.

Reports are read by people who were not in the chat, so every claim shows its
evidence: cited messages become numbered footnotes (in order of first use)
that quote the message with its sender and time, and claims checking could not
support are marked unverified. Times are shown on the chat's own clock. The
JSON report is the full summary plus the conversation title, with local times.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from chatsum.core.domain import Citation, Claim, Summary, Topic, Viewpoint, local_datetime
from chatsum.core.pipelines.summarizing.codec import summary_to_dict

LABELS = {
    "zh": {
        "heading": "群聊摘要",
        "messages": "条消息",
        "model": "模型",
        "prompt": "提示词",
        "points": "要点",
        "views": "各方观点",
        "decisions": "决定",
        "questions": "待解决的问题",
        "actions": "待办事项",
        "unverified": "未核实",
        "reattributed": "原标为 {who}，核对引用后改正",
        "sources": "引用的消息",
        "empty": "这段时间没有可总结的内容。",
        "all": "全部",
        "cached": "来自缓存",
    },
    "en": {
        "heading": "Chat summary",
        "messages": "messages",
        "model": "model",
        "prompt": "prompt",
        "points": "Key points",
        "views": "Views",
        "decisions": "Decisions",
        "questions": "Open questions",
        "actions": "Action items",
        "unverified": "unverified",
        "reattributed": "first credited to {who}; corrected from the cited messages",
        "sources": "Cited messages",
        "empty": "Nothing to summarize in this range.",
        "all": "all",
        "cached": "from cache",
    },
}


def labels(language: str) -> dict[str, str]:
    return LABELS.get(language, LABELS["en"])


def format_time(ts_ms: int, utc_offset_min: int) -> str:
    return local_datetime(ts_ms, utc_offset_min).strftime("%Y-%m-%d %H:%M")


def format_range(summary: Summary, utc_offset_min: int) -> str:
    start = format_time(summary.since_ms, utc_offset_min) if summary.since_ms is not None else ""
    end = format_time(summary.until_ms, utc_offset_min) if summary.until_ms is not None else ""
    if not start and not end:
        return labels(summary.language)["all"]
    return f"{start} – {end}".strip(" –")


@dataclass
class Footnotes:
    """Footnote numbers for cited messages, assigned in order of first citation."""

    summary: Summary
    numbers: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._by_id = {c.message_id: c for c in self.summary.cited_messages}

    def refs(self, message_ids: Iterable[int]) -> list[tuple[int, Citation]]:
        found: list[tuple[int, Citation]] = []
        for mid in message_ids:
            citation = self._by_id.get(mid)
            if citation is None:
                continue
            number = self.numbers.setdefault(mid, len(self.numbers) + 1)
            found.append((number, citation))
        return found

    def notes(self) -> list[tuple[int, Citation]]:
        return sorted(
            ((n, self._by_id[mid]) for mid, n in self.numbers.items()), key=lambda x: x[0]
        )


def topic_sections(topic: Topic) -> list[tuple[str, tuple[Claim | Viewpoint, ...]]]:
    """(label key, claims) in reading order, empty sections left out."""
    sections: list[tuple[str, tuple[Claim | Viewpoint, ...]]] = [
        ("points", topic.key_points),
        ("views", topic.viewpoints),
        ("decisions", topic.decisions),
        ("questions", topic.open_questions),
        ("actions", topic.action_items),
    ]
    return [(key, claims) for key, claims in sections if claims]


def render_json(summary: Summary, title: str, utc_offset_min: int) -> str:
    data = {"conversation_title": title, **summary_to_dict(summary, utc_offset_min)}
    return json.dumps(data, ensure_ascii=False, indent=2)
