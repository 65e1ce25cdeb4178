"""Turning one import unit's parsed messages into rows, batch by batch.

The hot path of importing a million messages: participants are resolved
through an in-memory cache, each message gets its fingerprint, and rows are
handed in batches to a `Transaction` (`chatsum.core.storage.transaction`),
which writes them with `executemany(INSERT OR IGNORE …)` on this process's
connection or, for big files, in a child process so parsing and writing run
on two cores. The whole unit is one transaction: `rollback()` leaves the
database exactly as it was before `begin()`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from hashlib import blake2b
from typing import Any

from chatsum.core.domain import ParsedConversation, ParsedMessage
from chatsum.core.storage.fts import fts_body
from chatsum.core.storage.transaction import Transaction

BATCH_ROWS = 20_000


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


class ImportWriter:
    """Buffers parsed items of one unit and writes them through one transaction."""

    def __init__(self, transaction: Transaction) -> None:
        self._transaction = transaction
        self.counts = UnitCounts()
        self._source_id: int | None = None
        self._conversations: dict[str, tuple[int, str]] = {}
        self._participants: dict[tuple[str, str], int] = {}
        self._occurrences: dict[str, int] = {}
        self._run_ts: int | None = None
        self._by_kind: dict[str, int] = {}
        self._rows: list[tuple[Any, ...]] = []
        self._bodies: list[str] = []
        # Full-text bodies are worth computing here only while every message
        # is new, i.e. every conversation of the unit was created by it; a
        # re-import's duplicates would be computed for nothing.
        self._all_new = True

    # ------------------------------------------------------------ transaction

    def begin(self, path: str, size: int, sha256: str, format_id: str) -> None:
        self._source_id = self._transaction.begin(path, size, sha256, format_id)

    def rollback(self) -> None:
        self._rows, self._bodies = [], []
        self._transaction.rollback()

    def commit(self, warnings: list[dict[str, Any]]) -> int:
        """Write what is buffered, finish derived fields, record the source; returns its id."""
        self.flush()
        self.counts.by_kind.update(self._by_kind)
        self.counts.messages_new = self._transaction.commit(
            {
                "conversations": len(self.counts.conversations),
                "participants": len(self.counts.participants),
                "messages_seen": self.counts.messages_seen,
                "by_kind": dict(self.counts.by_kind),
                "warnings": warnings,
            }
        )
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
        conversation_id, created = self._transaction.conversation(conversation, into, as_new)
        self.counts.new_conversations += int(created)
        if not created and self._all_new:
            self._all_new = False
            self._bodies = []
        self._conversations[conversation.key] = (conversation_id, conversation.platform)
        self.counts.conversations.add(conversation_id)
        return conversation_id

    def _participant(self, platform: str, message: ParsedMessage) -> int | None:
        if message.sender_name is None and message.sender_id is None:
            return None
        identity = message.sender_id or message.sender_name or ""
        key = (platform, identity)
        participant_id = self._participants.get(key)
        if participant_id is None:
            participant_id = self._transaction.participant(
                platform, identity, message.sender_name or identity, message.is_self
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
        if self._all_new:
            self._bodies.append(fts_body(message.text))
        self.counts.messages_seen += 1
        self._by_kind[kind] = self._by_kind.get(kind, 0) + 1
        if len(self._rows) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        """Hand the buffered rows to the transaction."""
        if self._rows:
            rows, bodies = self._rows, self._bodies
            self._rows, self._bodies = [], []
            self._transaction.write(rows, bodies)
