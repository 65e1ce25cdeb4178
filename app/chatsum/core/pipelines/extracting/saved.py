"""Extraction results and role overrides in the archive (tables of m004_extraction).

The desktop app and the CLI read what a run produced without running the model
again, so each run is stored whole: its schema (a custom schema file may later
move), the roles it used, its statistics and dropped values, and one row per
customer whose cells carry their message ids. A new run of the same schema on
the same conversation replaces the previous one in a single transaction.
Everything cascades from `conversations`, so forgetting a chat forgets this too.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from chatsum.core.pipelines.extracting.records import (
    Cell,
    CustomerRecord,
    DroppedValue,
    ExtractionResult,
    ExtractionStats,
    Role,
    RoleAssignment,
    RoleSource,
    Value,
)
from chatsum.core.pipelines.extracting.schema import Schema


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


# ---------------------------------------------------------------- roles


def stored_role_overrides(conn: sqlite3.Connection, conversation_id: int) -> dict[int, Role]:
    rows = conn.execute(
        "SELECT participant_id, role FROM extraction_roles WHERE conversation_id = ?",
        (conversation_id,),
    )
    return {int(row[0]): Role(row[1]) for row in rows}


def store_role_overrides(
    conn: sqlite3.Connection,
    conversation_id: int,
    overrides: Mapping[int, Role | None],
) -> None:
    """Save (or, with None, clear) the user's role for participants of a conversation."""
    with _transaction(conn):
        for participant_id, role in overrides.items():
            if role is None:
                conn.execute(
                    "DELETE FROM extraction_roles WHERE conversation_id = ? AND participant_id = ?",
                    (conversation_id, participant_id),
                )
            else:
                conn.execute(
                    """INSERT INTO extraction_roles(conversation_id, participant_id, role, updated_at)
                       VALUES (?, ?, ?, ?)
                       ON CONFLICT(conversation_id, participant_id)
                       DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at""",
                    (conversation_id, participant_id, role.value, _now()),
                )


# ---------------------------------------------------------------- results


def _cells_json(record: CustomerRecord) -> str:
    return json.dumps(
        {
            cell.field: [{"text": v.text, "message_ids": list(v.message_ids)} for v in cell.values]
            for cell in record.cells
        },
        ensure_ascii=False,
    )


def save_result(conn: sqlite3.Connection, result: ExtractionResult) -> int:
    """Store a run, replacing the earlier run of this schema on this conversation."""
    created = result.created_at or _now()
    with _transaction(conn):
        conn.execute(
            "DELETE FROM extraction_runs WHERE conversation_id = ? AND schema_id = ?",
            (result.conversation_id, result.schema.id),
        )
        run_id = conn.execute(
            """INSERT INTO extraction_runs(conversation_id, schema_id, schema_json, model_id,
                   since_ms, until_ms, roles_json, stats_json, dropped_json, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            (
                result.conversation_id,
                result.schema.id,
                json.dumps(result.schema.as_dict(), ensure_ascii=False),
                result.model_id,
                result.since_ms,
                result.until_ms,
                json.dumps([r.as_dict() for r in result.roles], ensure_ascii=False),
                json.dumps(result.stats.as_dict()),
                json.dumps([d.__dict__ for d in result.dropped], ensure_ascii=False),
                created,
            ),
        ).lastrowid
        conn.executemany(
            """INSERT INTO extraction_records(run_id, position, customer, participant_id, cells_json)
               VALUES (?, ?, ?, ?, ?)""",
            [
                (run_id, index, r.customer, r.participant_id, _cells_json(r))
                for index, r in enumerate(result.records)
            ],
        )
    assert run_id is not None
    return int(run_id)


def _record(row: sqlite3.Row, schema: Schema) -> CustomerRecord:
    cells_raw: dict[str, Any] = json.loads(row["cells_json"])
    cells = tuple(
        Cell(
            item.name,
            tuple(Value(v["text"], tuple(v["message_ids"])) for v in cells_raw.get(item.name, [])),
        )
        for item in schema.fields
    )
    return CustomerRecord(row["customer"], row["participant_id"], cells)


def _role(data: dict[str, Any]) -> RoleAssignment:
    return RoleAssignment(
        data["participant_id"],
        data["name"],
        Role(data["role"]),
        RoleSource(data["source"]),
        data.get("score", 0.0),
        data.get("message_count", 0),
        tuple(data.get("reasons", ())),
    )


def load_result(
    conn: sqlite3.Connection, conversation_id: int, schema_id: str
) -> ExtractionResult | None:
    """The stored run of `schema_id` on a conversation, or None if there is none."""
    run = conn.execute(
        "SELECT * FROM extraction_runs WHERE conversation_id = ? AND schema_id = ? "
        "ORDER BY id DESC LIMIT 1",
        (conversation_id, schema_id),
    ).fetchone()
    if run is None:
        return None
    schema = Schema.from_dict(json.loads(run["schema_json"]), f"stored schema {schema_id!r}")
    rows = conn.execute(
        "SELECT * FROM extraction_records WHERE run_id = ? ORDER BY position", (run["id"],)
    ).fetchall()
    stats = json.loads(run["stats_json"])
    return ExtractionResult(
        conversation_id=conversation_id,
        schema=schema,
        roles=tuple(_role(r) for r in json.loads(run["roles_json"])),
        records=tuple(_record(row, schema) for row in rows),
        dropped=tuple(DroppedValue(**d) for d in json.loads(run["dropped_json"])),
        stats=ExtractionStats(
            pieces=stats["pieces"],
            model_calls=stats["model_calls"],
            valid_outputs=stats["valid_outputs"],
            prompt_tokens=stats["prompt_tokens"],
            completion_tokens=stats["completion_tokens"],
            seconds=stats["seconds"],
        ),
        model_id=run["model_id"],
        since_ms=run["since_ms"],
        until_ms=run["until_ms"],
        run_id=int(run["id"]),
        created_at=run["created_at"],
    )
