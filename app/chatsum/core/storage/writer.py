"""Writing one import unit (a file or a bundle) in one transaction.

The hot path of importing a million messages: rows are buffered and written
with `executemany(INSERT OR IGNORE …)`, participants are resolved through an
in-memory cache, and duplicates are rejected by the unique indexes on
(conversation, fingerprint) and (conversation, external id), so re-importing
costs no lookups in Python. Each full batch is written, and added to the
full-text index, by a flusher thread while the importer parses the next one:
SQLite releases the GIL, so parsing and writing overlap on two cores. Every
use of the connection goes through one lock. `rollback()` leaves the database
exactly as it was before `begin()`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import blake2b
from typing import Any

from chatsum.core.domain import ConversationKind, ParsedConversation, ParsedMessage

BATCH_ROWS = 20_000

_INSERT_MESSAGE = """
INSERT OR IGNORE INTO messages (
    conversation_id, participant_id, sender_name, ts_ms, utc_offset_min, offset_assumed,
    kind, text, media, external_id, reply_to_external_id, edited_ts_ms, fingerprint, source_id
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


@dataclass
class UnitCounts:
    """What one unit added; the import report is built from these."""

    conversations: set[int] = field(default_factory=set)
    new_conversations: int = 0
    participants: set[int] = field(default_factory=set)
    messages_seen: int = 0
    messages_new: int = 0
    by_kind: Counter[str] = field(default_factory=Counter)

    @property
    def duplicates(self) -> int:
        return self.messages_seen - self.messages_new


def conversation_identity(conversation: ParsedConversation) -> str:
    """The key that makes two exports of the same chat one conversation."""
    if conversation.external_id:
        return f"{conversation.platform}:id:{conversation.external_id}"
    return f"{conversation.platform}:title:{conversation.title}"


class ImportWriter:
    """Buffers parsed items of one unit and writes them inside one transaction."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()
        self._flusher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chatsum-flush")
        self._pending: Future[None] | None = None
        self._fts_after_id = 0
        self.counts = UnitCounts()
        self._source_id: int | None = None
        self._conversations: dict[str, tuple[int, str]] = {}
        self._participants: dict[tuple[str, str], int] = {}
        self._occurrences: dict[str, int] = {}
        self._run_ts: int | None = None
        self._by_kind: dict[str, int] = {}
        self._rows: list[tuple[Any, ...]] = []
        self._kinds_unknown: set[int] = set()
        self._first_new_id = 0

    # ------------------------------------------------------------ transaction

    def begin(self, path: str, size: int, sha256: str, format_id: str) -> None:
        self.conn.execute("BEGIN IMMEDIATE")
        self._fts_after_id = int(
            self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]
        )
        self._first_new_id = self._fts_after_id + 1
        self._source_id = self.conn.execute(
            "INSERT INTO sources(path, size, sha256, format, imported_at) VALUES (?, ?, ?, ?, ?)",
            (path, size, sha256, format_id, datetime.now(UTC).isoformat(timespec="seconds")),
        ).lastrowid

    def rollback(self) -> None:
        try:
            self._wait()
        except sqlite3.Error:
            pass  # the batch failed; rolling back discards it anyway
        finally:
            self._flusher.shutdown(wait=True)
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    def commit(self, warnings: list[dict[str, Any]]) -> int:
        """Flush, finish derived fields, record the source; returns the source id."""
        self.flush()
        self._wait()
        self._flusher.shutdown(wait=True)
        self.counts.by_kind.update(self._by_kind)
        self._write_names()
        self._resolve_replies()
        self._infer_kinds()
        self.conn.execute(
            """UPDATE sources SET conversations = ?, participants = ?, messages_new = ?,
               duplicates = ?, by_kind = ?, warnings = ? WHERE id = ?""",
            (
                len(self.counts.conversations),
                len(self.counts.participants),
                self.counts.messages_new,
                self.counts.duplicates,
                json.dumps(dict(self.counts.by_kind)),
                json.dumps(warnings, ensure_ascii=False),
                self._source_id,
            ),
        )
        self.conn.execute("COMMIT")
        assert self._source_id is not None
        return self._source_id

    # ------------------------------------------------------------ items

    def add_conversation(
        self, conversation: ParsedConversation, into: int | None = None, as_new: bool = False
    ) -> int:
        """Find or create the stored conversation for a parsed one.

        `into` forces a target conversation; `as_new` never merges with an
        existing one.
        """
        self._wait()
        if into is not None:
            conversation_id = into
        else:
            identity = conversation_identity(conversation)
            if as_new:
                identity = f"{identity}#source{self._source_id}"
            row = self.conn.execute(
                "SELECT id FROM conversations WHERE identity_key = ?", (identity,)
            ).fetchone()
            if row is not None:
                conversation_id = row[0]
            else:
                conversation_id = int(
                    self.conn.execute(
                        """INSERT INTO conversations(platform, external_id, title, kind, identity_key, created_at)
                           VALUES (?, ?, ?, ?, ?, ?)""",
                        (
                            conversation.platform,
                            conversation.external_id,
                            conversation.title,
                            conversation.kind.value,
                            identity,
                            datetime.now(UTC).isoformat(timespec="seconds"),
                        ),
                    ).lastrowid
                    or 0
                )
                self.counts.new_conversations += 1
                if conversation.kind == ConversationKind.UNKNOWN:
                    self._kinds_unknown.add(conversation_id)
        self._conversations[conversation.key] = (conversation_id, conversation.platform)
        self.counts.conversations.add(conversation_id)
        self.conn.execute(
            "INSERT OR IGNORE INTO source_conversations(source_id, conversation_id) VALUES (?, ?)",
            (self._source_id, conversation_id),
        )
        return conversation_id

    def _participant(self, platform: str, message: ParsedMessage) -> int | None:
        if message.sender_name is None and message.sender_id is None:
            return None
        identity = message.sender_id or message.sender_name or ""
        key = (platform, identity)
        participant_id = self._participants.get(key)
        if participant_id is None:
            self._wait()
            name = message.sender_name or identity
            row = self.conn.execute(
                "SELECT id FROM participants WHERE platform = ? AND identity = ?", key
            ).fetchone()
            if row is None:
                participant_id = int(
                    self.conn.execute(
                        "INSERT INTO participants(platform, identity, display_name, is_self) VALUES (?, ?, ?, ?)",
                        (platform, identity, name, message.is_self),
                    ).lastrowid
                    or 0
                )
            else:
                participant_id = int(row[0])
                self.conn.execute(
                    "UPDATE participants SET display_name = ?, is_self = COALESCE(?, is_self) WHERE id = ?",
                    (name, message.is_self, participant_id),
                )
            self._participants[key] = participant_id
            self.counts.participants.add(participant_id)
        return participant_id

    def add_message(self, message: ParsedMessage) -> None:
        conversation_id, platform = self._conversations[message.conversation_key]
        participant_id = self._participant(platform, message)
        ts_ms = message.ts_ms
        kind = message.kind.value
        # Identical messages (same sender, second and text) are told apart by
        # their position among each other; they are adjacent in every export,
        # so only the current timestamp's run needs counting.
        if ts_ms != self._run_ts:
            self._run_ts = ts_ms
            self._occurrences.clear()
        content_key = f"{conversation_id}\x1f{message.sender_id or message.sender_name}\x1f{ts_ms}\x1f{kind}\x1f{message.text}"
        occurrence = self._occurrences.get(content_key, 0)
        self._occurrences[content_key] = occurrence + 1
        fingerprint = int.from_bytes(
            blake2b(f"{content_key}\x1f{occurrence}".encode(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        self._rows.append(
            (
                conversation_id,
                participant_id,
                message.sender_name,
                ts_ms,
                message.utc_offset_min,
                int(message.offset_assumed),
                kind,
                message.text,
                message.media,
                message.external_id,
                message.reply_to_external_id,
                message.edited_ts_ms,
                fingerprint,
                self._source_id,
            )
        )
        self.counts.messages_seen += 1
        self._by_kind[kind] = self._by_kind.get(kind, 0) + 1
        if len(self._rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Hand the buffered rows to the flusher thread (waiting for the previous batch)."""
        if not self._rows:
            return
        self._wait()
        rows, self._rows = self._rows, []
        self._pending = self._flusher.submit(self._write_batch, rows)

    def _wait(self) -> None:
        """Block until the batch in flight is written; re-raise its error."""
        pending, self._pending = self._pending, None
        if pending is not None:
            pending.result()

    def _write_batch(self, rows: list[tuple[Any, ...]]) -> None:
        with self._lock:
            # rowcount sums sqlite3_changes() over the batch: inserted rows only,
            # not the ignored duplicates.
            inserted = self.conn.executemany(_INSERT_MESSAGE, rows).rowcount
            self.counts.messages_new += max(0, inserted)
            # New rows always get ids above every earlier one, so the batch's
            # rows are exactly those past the last indexed id.
            self.conn.execute(
                """INSERT INTO messages_fts(rowid, body)
                   SELECT id, chatsum_fts_body(text) FROM messages WHERE id > ? AND text != ''""",
                (self._fts_after_id,),
            )
            self._fts_after_id = int(
                self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0]
            )

    # ------------------------------------------------------------ finishing

    def _write_names(self) -> None:
        """Record each display name a participant used, with when (new rows only)."""
        self.conn.execute(
            """INSERT INTO participant_names(participant_id, name, first_ts_ms, last_ts_ms)
               SELECT participant_id, sender_name, MIN(ts_ms), MAX(ts_ms) FROM messages
               WHERE id >= ? AND participant_id IS NOT NULL AND sender_name IS NOT NULL
               GROUP BY participant_id, sender_name
               ON CONFLICT(participant_id, name) DO UPDATE SET
                 first_ts_ms = MIN(first_ts_ms, excluded.first_ts_ms),
                 last_ts_ms = MAX(last_ts_ms, excluded.last_ts_ms)""",
            (self._first_new_id,),
        )

    def _resolve_replies(self) -> None:
        self.conn.execute(
            """UPDATE messages SET reply_to_id = (
                   SELECT r.id FROM messages r
                   WHERE r.conversation_id = messages.conversation_id
                     AND r.external_id = messages.reply_to_external_id)
               WHERE source_id = ? AND reply_to_external_id IS NOT NULL""",
            (self._source_id,),
        )

    def _infer_kinds(self) -> None:
        """A conversation whose export did not say: 3+ senders is a group, 2 private."""
        for conversation_id in self._kinds_unknown:
            senders = int(
                self.conn.execute(
                    "SELECT COUNT(DISTINCT participant_id) FROM messages WHERE conversation_id = ?",
                    (conversation_id,),
                ).fetchone()[0]
            )
            kind = ConversationKind.GROUP if senders >= 3 else ConversationKind.PRIVATE
            if senders:
                self.conn.execute(
                    "UPDATE conversations SET kind = ? WHERE id = ?", (kind.value, conversation_id)
                )
