"""Writing a unit from a child process: the same rows as in-process, and nothing
half-written when a batch fails, the unit is rolled back or the child dies."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, ParsedConversation
from chatsum.core.pipelines import importing
from chatsum.core.storage.store import Store
from chatsum.core.storage.transaction_process import ProcessTransaction, WriterProcessError
from chatsum.core.storage.writer import ImportWriter
from tests.conftest import parsed
from tests.core.pipelines.test_importing import TELEGRAM, WHATSAPP, run, snapshot

LINES = [("王强", "周六去爬山"), ("李娜", "好啊"), ("王强", "周六去爬山"), (None, "Tom joined")]


def stored(db: Path) -> list[tuple[object, ...]]:
    """The messages and index rows, without the columns that differ by design (source)."""
    store = Store.open(db)
    try:
        rows = store.conn.execute(
            """SELECT m.id, c.title, m.sender_name, m.ts_ms, m.kind, m.text, m.fingerprint,
                      m.reply_to_id, f.body
               FROM messages m JOIN conversations c ON c.id = m.conversation_id
               LEFT JOIN messages_fts f ON f.rowid = m.id ORDER BY m.id"""
        ).fetchall()
        return [tuple(r) for r in rows]
    finally:
        store.close()


def write_unit(store: Store, in_child_process: bool, sha: str) -> ImportWriter:
    writer: ImportWriter = store.writer(in_child_process=in_child_process)
    writer.begin("chat.txt", 1, sha, "test")
    writer.add_conversation(ParsedConversation("c", "test", "爬山群", ConversationKind.GROUP))
    for minute, (sender, text) in enumerate(LINES):
        writer.add_message(parsed("c", sender, text, minute, external_id=f"m{minute}"))
    return writer


def test_child_writer_stores_what_the_in_process_writer_stores(tmp_path: Path) -> None:
    results = []
    for in_child in (False, True):
        db = tmp_path / f"{in_child}.db"
        store = Store.open(db)
        writer = write_unit(store, in_child, "1" * 64)
        writer.commit([])
        assert writer.counts.messages_new == len(LINES) and writer.counts.duplicates == 0
        again = write_unit(store, in_child, "2" * 64)
        again.commit([])
        assert again.counts.messages_new == 0 and again.counts.duplicates == len(LINES)
        assert [s["messages_new"] for s in store.sources()] == [len(LINES), 0]
        store.close()
        results.append(stored(db))
    assert results[0] == results[1] and len(results[0]) == len(LINES)


def test_child_writer_rollback_leaves_the_database_unchanged(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run(db, WHATSAPP)
    before = snapshot(db)
    store = Store.open(db)
    writer = write_unit(store, True, "3" * 64)
    writer.flush()
    writer.rollback()
    store.close()
    assert snapshot(db) == before


def test_a_failing_batch_is_raised_and_nothing_is_written(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run(db, WHATSAPP)
    before = snapshot(db)
    store = Store.open(db)
    transaction = ProcessTransaction(db)
    transaction.begin("bad.txt", 1, "4" * 64, "test")
    transaction.write([(1, 2, 3)], ["x"])  # three values for fourteen columns
    with pytest.raises(Exception, match="bindings"):
        transaction.commit(
            {
                "conversations": 0,
                "participants": 0,
                "messages_seen": 1,
                "by_kind": {},
                "warnings": [],
            }
        )
    transaction.rollback()
    store.close()
    assert snapshot(db) == before


def test_a_dead_writer_process_is_an_error_and_its_unit_is_gone(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run(db, WHATSAPP)
    before = snapshot(db)
    transaction = ProcessTransaction(db)
    transaction.begin("dies.txt", 1, "5" * 64, "test")
    transaction._child.kill()
    transaction._child.join()
    with pytest.raises(WriterProcessError, match="nothing of this file was saved"):
        transaction.participant("test", "Ann", "Ann", None)
    transaction.rollback()
    assert snapshot(db) == before


def test_the_import_pipeline_gives_the_same_archive_with_a_child_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_process, in_child = tmp_path / "in.db", tmp_path / "child.db"
    run(in_process, WHATSAPP, TELEGRAM)
    monkeypatch.setattr(importing, "CHILD_WRITER_MIN_BYTES", 0)
    report = run(in_child, WHATSAPP, TELEGRAM)
    assert [s.status for s in report.sources] == ["imported", "imported"]
    assert report.messages_new > 0
    assert stored(in_child) == stored(in_process)
