"""The summary cache: finished summaries stored in the archive (`summaries` table).

Keyed by conversation, scope and range, model, prompt version and the options
that change the model's input; `messages_hash` records exactly which messages
the summary was made from. A lookup whose hash differs is a miss, so adding
messages to one day misses only the day, week and month entries that cover
it, while every other day is still served from the cache. One row per key:
writing replaces the stale entry. Rows cascade away with their conversation.

The table is created by migration `m002_summaries`; its SQL lives here, next
to the only code that reads it, because the storage package must not know
about summaries (a layer below pipelines).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from chatsum.core.domain import Message, Summary
from chatsum.core.pipelines.summarizing.codec import summary_from_dict, summary_to_dict

_WHERE_KEY = """conversation_id = ? AND scope = ? AND IFNULL(since_ms, -1) = IFNULL(?, -1)
    AND IFNULL(until_ms, -1) = IFNULL(?, -1) AND model_id = ? AND prompt_version = ?
    AND options_key = ?"""


@dataclass(frozen=True)
class CacheKey:
    conversation_id: int
    scope: str
    since_ms: int | None
    until_ms: int | None
    model_id: str
    prompt_version: str
    options_key: str
    messages_hash: str

    def where_params(self) -> tuple[object, ...]:
        return (
            self.conversation_id,
            self.scope,
            self.since_ms,
            self.until_ms,
            self.model_id,
            self.prompt_version,
            self.options_key,
        )


def messages_hash(messages: Iterable[Message]) -> str:
    """A digest of what a summary reads: ids, times, senders, kinds and texts."""
    digest = hashlib.sha256()
    for m in messages:
        digest.update(
            f"{m.id}\x1f{m.ts_ms}\x1f{m.sender_name}\x1f{m.kind}\x1f{m.text}\x1e".encode()
        )
    return digest.hexdigest()


class SummaryCache:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def get(self, key: CacheKey) -> Summary | None:
        row = self.conn.execute(
            f"SELECT messages_hash, body FROM summaries WHERE {_WHERE_KEY}", key.where_params()
        ).fetchone()
        if row is None or row[0] != key.messages_hash:
            return None
        try:
            return summary_from_dict(json.loads(row[1]))
        except (ValueError, KeyError, TypeError):
            return None  # written by another version: recompute and overwrite

    def put(self, key: CacheKey, summary: Summary) -> None:
        body = json.dumps(summary_to_dict(summary), ensure_ascii=False)
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            self.conn.execute(f"DELETE FROM summaries WHERE {_WHERE_KEY}", key.where_params())
            self.conn.execute(
                """INSERT INTO summaries(conversation_id, scope, since_ms, until_ms, model_id,
                   prompt_version, options_key, messages_hash, created_at, body)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    *key.where_params(),
                    key.messages_hash,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    body,
                ),
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise

    def count(self, conversation_id: int) -> int:
        return int(
            self.conn.execute(
                "SELECT COUNT(*) FROM summaries WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()[0]
        )
