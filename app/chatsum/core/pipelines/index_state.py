"""What the semantic index holds, recorded next to the archive in SQLite.

Chroma keeps vectors; this keeps the bookkeeping that makes indexing
incremental and resumable: which embedder and chunking built the index, which
chunks exist (and their messages), and each conversation's signature at the
time it was last indexed completely. It lives in pipelines because it needs
both the archive's connection and the index's vocabulary (chunks, windows),
and `core.index` and `core.storage` never import each other.

Forgetting a conversation cascades through these tables; a chunk row is
written only after its vector is in Chroma, so the two can only disagree by
vectors that SQLite does not know yet (an interrupted batch), which the next
run repairs.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from chatsum.core.index.chunking import Window


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RecordedIndex:
    archive_id: str
    embedder_id: str | None
    collection: str | None
    chunking: str | None


@dataclass(frozen=True)
class ChunkRow:
    chunk_id: str
    conversation_id: int
    message_ids: tuple[int, ...]


class IndexState:
    """SQL for the index bookkeeping tables (migration m003_index_state)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def _write(self, statements: Iterable[tuple[str, Sequence[object]]]) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                self.conn.execute(sql, params)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    # ------------------------------------------------------------ which index

    def recorded(self) -> RecordedIndex:
        """The index's record, created (with a fresh archive id) on first use."""
        row = self.conn.execute(
            "SELECT archive_id, embedder_id, collection, chunking FROM index_state WHERE id = 1"
        ).fetchone()
        if row is None:
            archive_id = uuid.uuid4().hex[:8]
            self.conn.execute(
                "INSERT OR IGNORE INTO index_state(id, archive_id, updated_at) VALUES (1, ?, ?)",
                (archive_id, _now()),
            )
            return self.recorded()
        return RecordedIndex(row[0], row[1], row[2], row[3])

    def reset(self, embedder_id: str, collection: str, chunking: str) -> None:
        """Forget every chunk and record a new (empty) index."""
        self._write(
            [
                ("DELETE FROM index_chunks", ()),
                ("DELETE FROM index_conversations", ()),
                (
                    "UPDATE index_state SET embedder_id = ?, collection = ?, chunking = ?, "
                    "updated_at = ? WHERE id = 1",
                    (embedder_id, collection, chunking, _now()),
                ),
            ]
        )

    # ------------------------------------------------------------ conversations

    def current_signatures(self) -> dict[int, tuple[str, int]]:
        """Per conversation: (signature of its messages now, message count).

        Imports only ever add messages (duplicates are ignored, never
        rewritten), so count, newest id and latest time tell every change; they
        come from the (conversation, time, id) index without reading any text.
        """
        rows = self.conn.execute(
            "SELECT conversation_id, COUNT(*), MAX(id), MAX(ts_ms) "
            "FROM messages GROUP BY conversation_id"
        )
        return {row[0]: (f"{row[1]}:{row[2]}:{row[3]}", row[1]) for row in rows}

    def indexed_signatures(self) -> dict[int, str]:
        rows = self.conn.execute("SELECT conversation_id, signature FROM index_conversations")
        return {row[0]: row[1] for row in rows}

    def mark_indexed(self, conversation_id: int, signature: str, chunk_count: int) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO index_conversations(conversation_id, signature, chunk_count, "
            "indexed_at) VALUES (?, ?, ?, ?)",
            (conversation_id, signature, chunk_count, _now()),
        )

    def unmark(self, conversation_ids: Iterable[int]) -> None:
        self.conn.executemany(
            "DELETE FROM index_conversations WHERE conversation_id = ?",
            [(c,) for c in conversation_ids],
        )

    # ------------------------------------------------------------ chunks

    def chunk_ids(self, conversation_id: int | None = None) -> set[str]:
        if conversation_id is None:
            rows = self.conn.execute("SELECT chunk_id FROM index_chunks")
        else:
            rows = self.conn.execute(
                "SELECT chunk_id FROM index_chunks WHERE conversation_id = ?", (conversation_id,)
            )
        return {row[0] for row in rows}

    def chunk_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM index_chunks").fetchone()[0])

    def add_chunks(self, windows: Sequence[Window]) -> None:
        """Record chunks whose vectors are stored; each message's first chunk is its home."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.executemany(
                "INSERT OR REPLACE INTO index_chunks(chunk_id, conversation_id, first_ts_ms, "
                "last_ts_ms, message_ids) VALUES (?, ?, ?, ?, ?)",
                [
                    (
                        w.chunk.id,
                        w.chunk.conversation_id,
                        w.chunk.first_ts_ms,
                        w.chunk.last_ts_ms,
                        json.dumps(list(w.chunk.message_ids)),
                    )
                    for w in windows
                ],
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO index_chunk_messages(message_id, chunk_id) VALUES (?, ?)",
                [(m, w.chunk.id) for w in windows for m in w.chunk.message_ids],
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def delete_chunks(self, chunk_ids: Iterable[str]) -> None:
        """Forget chunks, and the conversations they belonged to as complete."""
        ids = list(chunk_ids)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                self.conn.execute(
                    "DELETE FROM index_conversations WHERE conversation_id IN "
                    f"(SELECT conversation_id FROM index_chunks WHERE chunk_id IN ({marks}))",
                    part,
                )
                self.conn.execute(f"DELETE FROM index_chunks WHERE chunk_id IN ({marks})", part)
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def home_chunks(self, message_ids: Iterable[int]) -> dict[int, str]:
        wanted = sorted(set(message_ids))
        found: dict[int, str] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.conn.execute(
                "SELECT message_id, chunk_id FROM index_chunk_messages "
                f"WHERE message_id IN ({marks})",
                part,
            ):
                found[row[0]] = row[1]
        return found

    def chunks(self, chunk_ids: Iterable[str]) -> dict[str, ChunkRow]:
        wanted = sorted(set(chunk_ids))
        found: dict[str, ChunkRow] = {}
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.conn.execute(
                "SELECT chunk_id, conversation_id, message_ids FROM index_chunks "
                f"WHERE chunk_id IN ({marks})",
                part,
            ):
                found[row[0]] = ChunkRow(row[0], row[1], tuple(json.loads(row[2])))
        return found
