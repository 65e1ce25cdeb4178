"""Opening the archive database: WAL, foreign keys, our SQL functions, migrations.

Every connection goes through `connect()` so the full-text helper functions are
always registered (the FTS triggers call them) and pragmas are always the same.
Migrations are named `mNNN_what`, applied in order inside a transaction each,
and recorded in `_migrations`, so a database opened by a newer chatsum is
upgraded exactly once and an older one is never touched twice.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from chatsum.core.storage.fts import fts_body
from chatsum.core.storage.migrations import MIGRATIONS


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection with our pragmas and functions; applies pending migrations.

    `check_same_thread` is off only so the import writer can hand a batch to
    its flusher thread under a lock; a connection still belongs to one job.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("PRAGMA cache_size=-65536")
    conn.create_function("chatsum_fts_body", 1, fts_body, deterministic=True)
    migrate(conn)
    return conn


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY name")]


def migrate(conn: sqlite3.Connection) -> list[str]:
    """Apply every migration not yet recorded; return the names applied now."""
    done = set(applied_migrations(conn))
    applied: list[str] = []
    for name, statements in MIGRATIONS:
        if name in done:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            if conn.execute("SELECT 1 FROM _migrations WHERE name = ?", (name,)).fetchone():
                conn.execute("COMMIT")
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO _migrations(name, applied_at) VALUES (?, ?)",
                (name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
