"""The SQL side of one import unit: every statement that writes it, in one transaction.

`ImportWriter` turns parsed messages into rows; this class puts them in the
database. Keeping the two apart lets the same statements run on the
importer's own connection (`UnitTransaction`) or in a child process
(`chatsum.core.storage.transaction_process`), where SQLite's work for a big
file runs on the other core instead of waiting for the parser's GIL.

Duplicates are rejected by the unique indexes on (conversation, fingerprint)
and (conversation, external id), so re-importing costs no lookups in Python.
`rollback()` leaves the database exactly as it was before `begin()`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from chatsum.core.domain import ConversationKind, ParsedConversation

_INSERT_MESSAGE = """
INSERT OR IGNORE INTO messages (
    conversation_id, participant_id, sender_name, ts_ms, utc_offset_min, offset_assumed,
    kind, text, media, external_id, reply_to_external_id, edited_ts_ms, fingerprint, source_id
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


def conversation_identity(conversation: ParsedConversation) -> str:
    """The key that makes two exports of the same chat one conversation."""
    if conversation.external_id:
        return f"{conversation.platform}:id:{conversation.external_id}"
    return f"{conversation.platform}:title:{conversation.title}"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Transaction(Protocol):
    """What `ImportWriter` needs from the database while it writes one unit."""

    def begin(self, path: str, size: int, sha256: str, format_id: str) -> int: ...

    def conversation(
        self, conversation: ParsedConversation, into: int | None, as_new: bool
    ) -> tuple[int, bool]: ...

    def participant(self, platform: str, identity: str, name: str, is_self: bool | None) -> int: ...

    def write(self, rows: Sequence[tuple[Any, ...]], bodies: Sequence[str]) -> None: ...

    def commit(self, summary: dict[str, Any]) -> int: ...

    def rollback(self) -> None: ...


class UnitTransaction:
    """One unit's writes on a connection, between `begin()` and `commit()`/`rollback()`."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.messages_new = 0
        self._source_id = 0
        self._fts_after_id = 0
        self._first_new_id = 0
        self._kinds_unknown: set[int] = set()

    def begin(self, path: str, size: int, sha256: str, format_id: str) -> int:
        """Open the transaction and record the source; returns its id."""
        self.conn.execute("BEGIN IMMEDIATE")
        self._fts_after_id = self._max_message_id()
        self._first_new_id = self._fts_after_id + 1
        self._source_id = int(
            self.conn.execute(
                "INSERT INTO sources(path, size, sha256, format, imported_at) VALUES (?, ?, ?, ?, ?)",
                (path, size, sha256, format_id, _now()),
            ).lastrowid
            or 0
        )
        return self._source_id

    def _max_message_id(self) -> int:
        return int(self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM messages").fetchone()[0])

    def conversation(
        self, conversation: ParsedConversation, into: int | None, as_new: bool
    ) -> tuple[int, bool]:
        """The stored conversation for a parsed one, and whether it was created now.

        `into` forces a target conversation; `as_new` never merges with an
        existing one.
        """
        created = False
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
                conversation_id = int(row[0])
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
                            _now(),
                        ),
                    ).lastrowid
                    or 0
                )
                created = True
                if conversation.kind == ConversationKind.UNKNOWN:
                    self._kinds_unknown.add(conversation_id)
        self.conn.execute(
            "INSERT OR IGNORE INTO source_conversations(source_id, conversation_id) VALUES (?, ?)",
            (self._source_id, conversation_id),
        )
        return conversation_id, created

    def participant(self, platform: str, identity: str, name: str, is_self: bool | None) -> int:
        """Find or create a participant; an existing one takes the newest display name."""
        row = self.conn.execute(
            "SELECT id FROM participants WHERE platform = ? AND identity = ?", (platform, identity)
        ).fetchone()
        if row is None:
            return int(
                self.conn.execute(
                    "INSERT INTO participants(platform, identity, display_name, is_self) VALUES (?, ?, ?, ?)",
                    (platform, identity, name, is_self),
                ).lastrowid
                or 0
            )
        self.conn.execute(
            "UPDATE participants SET display_name = ?, is_self = COALESCE(?, is_self) WHERE id = ?",
            (name, is_self, row[0]),
        )
        return int(row[0])

    def write(self, rows: Sequence[tuple[Any, ...]], bodies: Sequence[str]) -> None:
        """Insert a batch of message rows and add the new ones to the full-text index.

        `bodies[i]` is `fts_body()` of row i's text when the caller computed
        them (the importer's process has the spare CPU); it sends none for a
        batch that may hold duplicates, and those bodies are computed here.
        """
        # rowcount sums sqlite3_changes() over the batch: inserted rows only,
        # not the ignored duplicates.
        inserted = max(0, self.conn.executemany(_INSERT_MESSAGE, rows).rowcount)
        self.messages_new += inserted
        last_id = self._max_message_id()
        if len(bodies) == inserted == len(rows) == last_id - self._fts_after_id:
            # Every row is new, so the batch holds ids after_id+1 ... last_id in order.
            first_id = self._fts_after_id + 1
            self.conn.executemany(
                "INSERT INTO messages_fts(rowid, body) VALUES (?, ?)",
                ((first_id + i, body) for i, body in enumerate(bodies) if body),
            )
        elif inserted:
            # Duplicates or no bodies: index exactly the rows past the last indexed id.
            self.conn.execute(
                """INSERT INTO messages_fts(rowid, body)
                   SELECT id, chatsum_fts_body(text) FROM messages WHERE id > ? AND text != ''""",
                (self._fts_after_id,),
            )
        self._fts_after_id = last_id

    def commit(self, summary: dict[str, Any]) -> int:
        """Finish derived fields, record the source's counts, commit; returns messages added.

        `summary` holds the source's conversations, participants, by_kind and
        warnings as the writer counted them.
        """
        self._write_names()
        self._resolve_replies()
        self._infer_kinds()
        self.conn.execute(
            """UPDATE sources SET conversations = ?, participants = ?, messages_new = ?,
               duplicates = ?, by_kind = ?, warnings = ? WHERE id = ?""",
            (
                summary["conversations"],
                summary["participants"],
                self.messages_new,
                summary["messages_seen"] - self.messages_new,
                json.dumps(summary["by_kind"]),
                json.dumps(summary["warnings"], ensure_ascii=False),
                self._source_id,
            ),
        )
        self.conn.execute("COMMIT")
        return self.messages_new

    def rollback(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

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
