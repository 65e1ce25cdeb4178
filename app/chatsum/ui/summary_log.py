"""The summaries seen in this session: topic timeline and new-message badges.

The summary cache keeps summaries in the archive but (so far) offers lookup by
exact key only, not a listing, so the window remembers the summaries it has
shown — generated or served from the cache — and draws from them the Insights
topic timeline and, in the conversation list, a badge with the messages that
arrived after the newest summarized range (after an import, say). Once the
cache can list a conversation's entries, this log can be filled from it at
start-up instead.
"""

from __future__ import annotations

from typing import Any

from chatsum.core.domain import Summary


class SummaryLog:
    """Summaries shown, by conversation, without duplicates of the same range."""

    def __init__(self) -> None:
        self._by_conversation: dict[int, dict[tuple[str, int | None, int | None], Summary]] = {}

    def add(self, summary: Summary) -> None:
        key = (summary.scope, summary.since_ms, summary.until_ms)
        self._by_conversation.setdefault(summary.conversation_id, {})[key] = summary

    def timeline(self, conversation_id: int) -> list[tuple[int, int, str]]:
        """(since_ms, until_ms, topic title) for the Insights topic timeline."""
        items = []
        for summary in self._by_conversation.get(conversation_id, {}).values():
            cited = [c.ts_ms for c in summary.cited_messages] or [0]
            since = summary.since_ms if summary.since_ms is not None else min(cited)
            until = summary.until_ms if summary.until_ms is not None else max(cited) + 1
            items += [(since, until, topic.title) for topic in summary.topics]
        return items

    def summarized_until(self) -> dict[int, int]:
        """The end of the newest summarized range of each conversation."""
        ends: dict[int, int] = {}
        for conversation_id, summaries in self._by_conversation.items():
            known = [s.until_ms for s in summaries.values() if s.until_ms is not None]
            if known:
                ends[conversation_id] = max(known)
        return ends


def messages_after(store: Any, ends: dict[int, int]) -> dict[int, int]:
    """Messages stored after each given time, by conversation (runs in a job)."""
    return {cid: store.count_messages(cid, since_ms=until) for cid, until in ends.items()}
