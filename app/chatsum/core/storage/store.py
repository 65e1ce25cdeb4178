"""The archive's read API: conversations, messages, search, stats, forgetting.

A `Store` owns one SQLite connection and belongs to the thread that opened it;
workers open their own from the database path. Writes of imported messages go
through `chatsum.core.storage.writer.ImportWriter`, which this module hands out,
so all SQL about the archive lives in this package.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatsum.core.domain import (
    Conversation,
    ConversationKind,
    Message,
    MessageKind,
    Participant,
    SearchHit,
)
from chatsum.core.errors import NotFoundError
from chatsum.core.storage import ranking
from chatsum.core.storage.db import connect
from chatsum.core.storage.fts import match_expression, query_terms
from chatsum.core.storage.term_stats import TermStatistics

SEARCH_CANDIDATES = 1000

_MESSAGE_COLUMNS = (
    "m.id, m.conversation_id, m.participant_id, m.sender_name, m.ts_ms, m.utc_offset_min, "
    "m.offset_assumed, m.kind, m.text, m.media, m.reply_to_id, m.edited_ts_ms"
)


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row[0],
        conversation_id=row[1],
        participant_id=row[2],
        sender_name=row[3],
        ts_ms=row[4],
        utc_offset_min=row[5],
        offset_assumed=bool(row[6]),
        kind=MessageKind(row[7]),
        text=row[8],
        media=row[9],
        reply_to_id=row[10],
        edited_ts_ms=row[11],
    )


@dataclass(frozen=True)
class ParticipantActivity:
    participant: Participant
    message_count: int


class Store:
    """Read access to the archive (and the door to writing it)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path) -> Store:
        return cls(connect(path), path)

    def close(self) -> None:
        self.conn.close()

    def writer(self, in_child_process: bool = False) -> Any:
        """An ImportWriter for one unit, writing on this connection or in a child process.

        The child process pays about a second to start and then lets parsing
        and SQLite's work run on two cores: worth it for big files only.
        """
        from chatsum.core.storage.transaction import UnitTransaction
        from chatsum.core.storage.transaction_process import ProcessTransaction
        from chatsum.core.storage.writer import ImportWriter

        if in_child_process:
            return ImportWriter(ProcessTransaction(self.path))
        return ImportWriter(UnitTransaction(self.conn))

    # ------------------------------------------------------------ conversations

    def list_conversations(self) -> list[Conversation]:
        rows = self.conn.execute(
            """
            SELECT c.id, c.platform, c.title, c.kind, c.external_id,
                   COUNT(m.id), MIN(m.ts_ms), MAX(m.ts_ms)
            FROM conversations c LEFT JOIN messages m ON m.conversation_id = c.id
            GROUP BY c.id ORDER BY MAX(m.ts_ms) DESC, c.id
            """
        ).fetchall()
        return [self._conversation(row) for row in rows]

    @staticmethod
    def _conversation(row: sqlite3.Row) -> Conversation:
        return Conversation(
            id=row[0],
            platform=row[1],
            title=row[2],
            kind=ConversationKind(row[3]),
            external_id=row[4],
            message_count=row[5],
            first_ts_ms=row[6],
            last_ts_ms=row[7],
        )

    def get_conversation(self, conversation_id: int) -> Conversation:
        row = self.conn.execute(
            """
            SELECT c.id, c.platform, c.title, c.kind, c.external_id,
                   (SELECT COUNT(*) FROM messages WHERE conversation_id = c.id),
                   (SELECT MIN(ts_ms) FROM messages WHERE conversation_id = c.id),
                   (SELECT MAX(ts_ms) FROM messages WHERE conversation_id = c.id)
            FROM conversations c WHERE c.id = ?
            """,
            (conversation_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(
                f"No conversation with id {conversation_id}. See `chatsum conversations`."
            )
        return self._conversation(row)

    def find_conversation(self, ref: str) -> Conversation:
        """By id, exact title, or a title fragment that matches exactly one conversation."""
        ref = ref.strip()
        if ref.isdigit():
            return self.get_conversation(int(ref))
        rows = self.conn.execute("SELECT id, title FROM conversations").fetchall()
        exact = [row[0] for row in rows if row[1] == ref]
        if len(exact) == 1:
            return self.get_conversation(exact[0])
        folded = ref.casefold()
        partial = [row for row in rows if folded in row[1].casefold()]
        if len(partial) == 1:
            return self.get_conversation(partial[0][0])
        if not partial:
            raise NotFoundError(f"No conversation matches {ref!r}. See `chatsum conversations`.")
        names = ", ".join(f"{row[0]}: {row[1]}" for row in partial[:8])
        raise NotFoundError(f"{ref!r} matches several conversations ({names}); give its id.")

    # ------------------------------------------------------------ messages

    def _range_sql(
        self,
        conversation_id: int | None,
        since_ms: int | None,
        until_ms: int | None,
        sender: str | None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if conversation_id is not None:
            clauses.append("m.conversation_id = ?")
            params.append(conversation_id)
        if since_ms is not None:
            clauses.append("m.ts_ms >= ?")
            params.append(since_ms)
        if until_ms is not None:
            clauses.append("m.ts_ms < ?")
            params.append(until_ms)
        if sender:
            clauses.append("m.sender_name LIKE ?")
            params.append(f"%{sender}%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def messages(
        self,
        conversation_id: int,
        since_ms: int | None = None,
        until_ms: int | None = None,
        sender: str | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Message]:
        """Messages of one conversation in time order, optionally filtered."""
        where, params = self._range_sql(conversation_id, since_ms, until_ms, sender)
        sql = f"SELECT {_MESSAGE_COLUMNS} FROM messages m{where} ORDER BY m.ts_ms, m.id"
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [_message(row) for row in self.conn.execute(sql, params)]

    def iter_messages(
        self,
        conversation_id: int,
        since_ms: int | None = None,
        until_ms: int | None = None,
        batch: int = 5000,
    ) -> Iterator[Message]:
        """All messages of a range in time order, read in batches (constant memory)."""
        where, params = self._range_sql(conversation_id, since_ms, until_ms, None)
        last_ts, last_id = -(2**62), -1
        while True:
            rows = self.conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages m{where} "
                f"{'AND' if where else 'WHERE'} (m.ts_ms, m.id) > (?, ?) "
                "ORDER BY m.ts_ms, m.id LIMIT ?",
                [*params, last_ts, last_id, batch],
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _message(row)
            last_ts, last_id = rows[-1][4], rows[-1][0]

    def count_messages(
        self, conversation_id: int, since_ms: int | None = None, until_ms: int | None = None
    ) -> int:
        where, params = self._range_sql(conversation_id, since_ms, until_ms, None)
        return int(
            self.conn.execute(f"SELECT COUNT(*) FROM messages m{where}", params).fetchone()[0]
        )

    def message_row(self, message: Message) -> int:
        """Position of a message in its conversation's time order (for scrolling a view)."""
        return int(
            self.conn.execute(
                "SELECT COUNT(*) FROM messages WHERE conversation_id = ? AND (ts_ms, id) < (?, ?)",
                (message.conversation_id, message.ts_ms, message.id),
            ).fetchone()[0]
        )

    def messages_by_ids(self, ids: Iterable[int]) -> dict[int, Message]:
        wanted = sorted(set(ids))
        found: dict[int, Message] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.conn.execute(
                f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.id IN ({marks})", part
            ):
                found[row[0]] = _message(row)
        return found

    def neighbours(
        self, message: Message, before: int, after: int
    ) -> tuple[list[Message], list[Message]]:
        earlier = self.conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? "
            "AND (m.ts_ms, m.id) < (?, ?) ORDER BY m.ts_ms DESC, m.id DESC LIMIT ?",
            (message.conversation_id, message.ts_ms, message.id, before),
        ).fetchall()
        later = self.conn.execute(
            f"SELECT {_MESSAGE_COLUMNS} FROM messages m WHERE m.conversation_id = ? "
            "AND (m.ts_ms, m.id) > (?, ?) ORDER BY m.ts_ms, m.id LIMIT ?",
            (message.conversation_id, message.ts_ms, message.id, after),
        ).fetchall()
        return [_message(r) for r in reversed(earlier)], [_message(r) for r in later]

    def names_in(self, text: str) -> set[str]:
        """Display names (two characters or more) of archive participants written in `text`;
        a Latin-script name only as a whole word, so "Will" is not found in "will"."""
        rows = self.conn.execute(
            "SELECT DISTINCT display_name FROM participants "
            "WHERE length(display_name) > 1 AND instr(?, display_name) > 0",
            (text,),
        ).fetchall()
        return {
            name
            for (name,) in rows
            if not name.isascii()
            or re.search(rf"(?<![A-Za-z0-9]){re.escape(name)}(?![A-Za-z0-9])", text)
        }

    def participants(self, conversation_id: int) -> list[ParticipantActivity]:
        rows = self.conn.execute(
            """
            SELECT p.id, p.platform, p.identity, p.display_name, p.is_self, COUNT(m.id) AS n
            FROM messages m JOIN participants p ON p.id = m.participant_id
            WHERE m.conversation_id = ?
            GROUP BY p.id ORDER BY n DESC, p.display_name
            """,
            (conversation_id,),
        ).fetchall()
        return [
            ParticipantActivity(
                Participant(
                    row[0], row[1], row[2], row[3], None if row[4] is None else bool(row[4])
                ),
                row[5],
            )
            for row in rows
        ]

    # ------------------------------------------------------------ search

    def search(
        self,
        query: str,
        conversation_id: int | None = None,
        limit: int = 20,
        context: int = 1,
        since_ms: int | None = None,
        until_ms: int | None = None,
    ) -> list[SearchHit]:
        """Ranked full-text matches (best first) with `context` messages either side.

        Ranking every match of a common word in a million messages costs
        hundreds of milliseconds, so relevance (BM25, `ranking`) orders the
        `SEARCH_CANDIDATES` most recent matches that pass the filters; narrow
        the range or the words to reach further back.
        """
        terms = query_terms(query)
        if not terms:
            return []
        expression = match_expression(terms)
        where, params = self._range_sql(conversation_id, since_ms, until_ms, None)
        extra = where.replace(" WHERE ", " AND ", 1)
        candidates = self.conn.execute(
            f"""SELECT f.rowid, f.body FROM messages_fts f JOIN messages m ON m.id = f.rowid
                WHERE messages_fts MATCH ?{extra} ORDER BY f.rowid DESC LIMIT ?""",
            [expression, *params, SEARCH_CANDIDATES],
        ).fetchall()
        if not candidates:
            return []
        statistics = TermStatistics(self.conn)
        totals = statistics.totals()
        weights = (
            [ranking.idf(statistics.frequency(term), totals.messages) for term in terms]
            if len(terms) > 1
            else [1.0]
        )
        ranked = ranking.rank(candidates, terms, weights, totals)[:limit]
        messages = self.messages_by_ids(message_id for message_id, _ in ranked)
        titles = {
            row[0]: row[1] for row in self.conn.execute("SELECT id, title FROM conversations")
        }
        hits: list[SearchHit] = []
        for message_id, rank in ranked:
            message = messages[message_id]
            before, after = self.neighbours(message, context, context) if context else ([], [])
            hits.append(
                SearchHit(
                    message, titles[message.conversation_id], rank, tuple(before), tuple(after)
                )
            )
        return hits

    # ------------------------------------------------------------ stats, sources, forget

    def stats(self) -> dict[str, Any]:
        def scalar(sql: str) -> int:
            return int(self.conn.execute(sql).fetchone()[0] or 0)

        by_kind = {
            row[0]: row[1]
            for row in self.conn.execute("SELECT kind, COUNT(*) FROM messages GROUP BY kind")
        }
        by_platform = {
            row[0]: row[1]
            for row in self.conn.execute(
                "SELECT c.platform, COUNT(m.id) FROM conversations c "
                "LEFT JOIN messages m ON m.conversation_id = c.id GROUP BY c.platform"
            )
        }
        return {
            "database": str(self.path),
            "conversations": scalar("SELECT COUNT(*) FROM conversations"),
            "participants": scalar("SELECT COUNT(*) FROM participants"),
            "messages": scalar("SELECT COUNT(*) FROM messages"),
            "sources": scalar("SELECT COUNT(*) FROM sources"),
            "messages_by_kind": by_kind,
            "messages_by_platform": by_platform,
            "first_ts_ms": self.conn.execute("SELECT MIN(ts_ms) FROM messages").fetchone()[0],
            "last_ts_ms": self.conn.execute("SELECT MAX(ts_ms) FROM messages").fetchone()[0],
            "database_bytes": self.path.stat().st_size if self.path.exists() else 0,
        }

    def sources(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.conn.execute("SELECT * FROM sources ORDER BY id")]

    def forget_conversation(self, conversation_id: int) -> int:
        """Delete a conversation and everything derived from it; returns messages removed.

        Derived tables cascade from `conversations`; participants left without
        any message anywhere are removed too.
        """
        self.get_conversation(conversation_id)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            removed = self.conn.execute(
                "DELETE FROM messages WHERE conversation_id = ?", (conversation_id,)
            ).rowcount
            self.conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,))
            self.conn.execute(
                "DELETE FROM participants WHERE id NOT IN "
                "(SELECT DISTINCT participant_id FROM messages WHERE participant_id IS NOT NULL)"
            )
            self.conn.execute(
                "DELETE FROM sources WHERE id NOT IN (SELECT source_id FROM source_conversations)"
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return int(removed)
