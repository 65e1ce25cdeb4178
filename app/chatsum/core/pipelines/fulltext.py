"""Full-text search for questions: any of the terms, rare terms first, bounded cost.

`Store.search` requires every term, which suits a search box but not a
question. Here terms are OR-ed and ranked by bm25 — but bm25 must score every
message that matches, and in a big archive a common word matches tens of
thousands. So the document frequency of each term is read first from the
index's vocabulary (`TermStatistics`), terms are taken rarest first while
their postings fit a budget, and when even the rarest term is too common the
search falls back to its most recent mentions, which FTS5 reads in rowid order
and stops early.

The same frequencies weight the question's terms (inverse document frequency)
when the retriever measures how much of a question a passage covers.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from chatsum.core.storage.fts import fts_query, query_terms
from chatsum.core.storage.term_stats import TermStatistics

POSTINGS_BUDGET = 20_000


@dataclass(frozen=True)
class TextFilters:
    conversation_id: int | None = None
    participant_ids: tuple[int, ...] | None = None
    since_ms: int | None = None
    until_ms: int | None = None


class FullTextSearch:
    def __init__(self, conn: sqlite3.Connection, postings_budget: int = POSTINGS_BUDGET) -> None:
        self.conn = conn
        self.postings_budget = postings_budget
        self._statistics = TermStatistics(conn)

    # ------------------------------------------------------------ statistics

    def frequency(self, term: str) -> int:
        """Messages that may hold the term (an upper bound for a Chinese phrase:
        the rarer of its characters)."""
        parts = query_terms(term)
        return min((self._statistics.frequency(part) for part in parts), default=0)

    def archive_size(self) -> int:
        return int(self.conn.execute("SELECT IFNULL(MAX(id), 0) FROM messages").fetchone()[0])

    def weights(self, terms: Sequence[str]) -> dict[str, float]:
        """Inverse document frequency of each term: rare terms say more."""
        size = max(1, self.archive_size())
        return {t: math.log(1 + size / (1 + self.frequency(t))) for t in terms}

    # ------------------------------------------------------------ search

    def _run(
        self, expression: str, filters: TextFilters, order: str, limit: int
    ) -> list[tuple[int, int]]:
        clauses: list[str] = ["messages_fts MATCH ?"]
        params: list[object] = [expression]
        if filters.conversation_id is not None:
            clauses.append("m.conversation_id = ?")
            params.append(filters.conversation_id)
        if filters.participant_ids is not None:
            clauses.append(f"m.participant_id IN ({','.join('?' * len(filters.participant_ids))})")
            params.extend(filters.participant_ids)
        if filters.since_ms is not None:
            clauses.append("m.ts_ms >= ?")
            params.append(filters.since_ms)
        if filters.until_ms is not None:
            clauses.append("m.ts_ms < ?")
            params.append(filters.until_ms)
        rows = self.conn.execute(
            "SELECT m.id, m.conversation_id FROM messages_fts f JOIN messages m ON m.id = f.rowid "
            f"WHERE {' AND '.join(clauses)} ORDER BY {order} LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [(row[0], row[1]) for row in rows]

    def search(
        self, terms: Sequence[str], filters: TextFilters, limit: int
    ) -> list[tuple[int, int]]:
        """(message id, conversation id), best first."""
        present = sorted((t for t in terms if self.frequency(t) > 0), key=self.frequency)
        if not present or limit <= 0:
            return []
        chosen: list[str] = []
        postings = 0
        for term in present:
            if postings + self.frequency(term) <= self.postings_budget:
                chosen.append(term)
                postings += self.frequency(term)
        if chosen:
            expression = " OR ".join(f"({fts_query(t)})" for t in chosen)
            return self._run(expression, filters, "f.rank", limit)
        # Every term is common: the latest messages holding all of them, then the rarest.
        hits = self._run(
            " AND ".join(f"({fts_query(t)})" for t in present), filters, "f.rowid DESC", limit
        )
        if len(hits) < limit:
            seen = {m for m, _ in hits}
            more = self._run(f"({fts_query(present[0])})", filters, "f.rowid DESC", limit)
            hits.extend(h for h in more if h[0] not in seen)
        return hits[:limit]
