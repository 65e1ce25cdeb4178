"""How common a search term is in the archive, read from the full-text index.

Ranking needs to know how many messages hold each term (rare terms say more)
and how long messages are on average. Both come from the index itself: term
counts from an `fts5vocab` view of it (a TEMP table: nothing is written to the
archive), the row and token totals from the record FTS5 keeps for its own
bm25() (row 1 of `messages_fts_data`: varints, the row count then the token
count of the one column). Reading them costs a lookup, where asking FTS5 to
count a phrase's matches reads every match.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from chatsum.core.storage.fts import QueryTerm

_AVERAGES_ROWID = 1


@dataclass(frozen=True)
class IndexTotals:
    messages: int
    tokens: int

    @property
    def mean_length(self) -> float:
        return self.tokens / self.messages if self.messages else 0.0


def _varints(blob: bytes) -> list[int]:
    """SQLite's varints, as FTS5 writes them: 7 bits a byte, big end first,
    the high bit set on every byte but the last; a ninth byte gives all 8 bits."""
    values: list[int] = []
    position = 0
    while position < len(blob):
        value = 0
        for index in range(9):
            byte = blob[position]
            position += 1
            if index == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


class TermStatistics:
    """Counts for one read of the archive; make a new one after writes."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chatsum_fts_vocab "
            "USING fts5vocab(main, messages_fts, 'row')"
        )
        self._frequencies: dict[QueryTerm, int] = {}

    def _token_frequency(self, token: str) -> int:
        row = self.conn.execute(
            "SELECT doc FROM temp.chatsum_fts_vocab WHERE term = ?", (token,)
        ).fetchone()
        return int(row[0]) if row else 0

    def _prefix_frequency(self, prefix: str) -> int:
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        row = self.conn.execute(
            "SELECT TOTAL(doc) FROM temp.chatsum_fts_vocab WHERE term >= ? AND term < ?",
            (prefix, upper),
        ).fetchone()
        return int(row[0])

    def frequency(self, term: QueryTerm) -> int:
        """Messages that may hold the term: exact for one word, an upper bound
        for a phrase (its rarest token) and the sum over words for a prefix."""
        if term not in self._frequencies:
            counts = [self._token_frequency(token) for token in term.tokens[:-1]]
            last = term.tokens[-1]
            counts.append(
                self._prefix_frequency(last) if term.prefix else self._token_frequency(last)
            )
            self._frequencies[term] = min(counts)
        return self._frequencies[term]

    def totals(self) -> IndexTotals:
        row = self.conn.execute(
            "SELECT block FROM messages_fts_data WHERE id = ?", (_AVERAGES_ROWID,)
        ).fetchone()
        values = _varints(bytes(row[0])) if row and row[0] else []
        if len(values) < 2:
            return IndexTotals(0, 0)
        return IndexTotals(values[0], values[1])
