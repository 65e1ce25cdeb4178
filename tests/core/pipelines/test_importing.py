"""The import pipeline end to end on real fixture files and a real SQLite file:
idempotent re-import, newer exports, merges, bad input, zip safety, cancel."""

from __future__ import annotations

import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from chatsum.core.errors import Cancelled
from chatsum.core.importers.base import ParseOptions
from chatsum.core.pipelines.importing import ImportReport, import_paths
from chatsum.core.progress import CancelToken, Progress, drive
from chatsum.core.storage.store import Store

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "exports"
WHATSAPP = FIXTURES / "whatsapp" / "android_24h_dmy.txt"
TELEGRAM = FIXTURES / "telegram" / "result_single_chat.json"
SAMPLE = Path(__file__).resolve().parents[3] / "resources" / "samples"
OPTIONS = ParseOptions(default_utc_offset_min=60)


def run(db: Path, *paths: Path, **kwargs: object) -> ImportReport:
    return drive(import_paths(db, list(paths), OPTIONS, **kwargs))  # type: ignore[arg-type]


def snapshot(db: Path) -> tuple[object, ...]:
    store = Store.open(db)
    try:
        rows = store.conn.execute("SELECT * FROM messages ORDER BY id").fetchall()
        fts = store.conn.execute("SELECT rowid, body FROM messages_fts ORDER BY rowid").fetchall()
        return (
            store.stats()["messages"],
            [tuple(r) for r in rows],
            [tuple(r) for r in fts],
            len(store.sources()),
        )
    finally:
        store.close()


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "home" / "chatsum.db"


def test_import_reports_formats_counts_and_kinds(db: Path) -> None:
    report = run(db, WHATSAPP, TELEGRAM)
    assert [s.status for s in report.sources] == ["imported", "imported"]
    whatsapp = report.sources[0]
    assert whatsapp.format == "whatsapp-txt"
    assert whatsapp.by_kind["system"] >= 3 and whatsapp.by_kind["media"] >= 1
    assert whatsapp.by_kind["deleted"] == 1
    assert report.messages_new == sum(s.messages_new for s in report.sources) > 0
    store = Store.open(db)
    titles = {c.title for c in store.list_conversations()}
    store.close()
    assert len(titles) == 2


def test_same_file_twice_adds_nothing(db: Path) -> None:
    first = run(db, WHATSAPP)
    before = snapshot(db)
    again = run(db, WHATSAPP)
    assert again.sources[0].status == "unchanged"
    assert again.sources[0].duplicates == first.sources[0].messages_new
    assert snapshot(db)[:3] == before[:3]


def test_newer_export_adds_only_new_messages(db: Path, tmp_path: Path) -> None:
    run(db, WHATSAPP)
    newer = tmp_path / "newer" / WHATSAPP.name
    newer.parent.mkdir()
    newer.write_text(
        WHATSAPP.read_text(encoding="utf-8") + "\n01/01/2020, 09:00 - Bob: morning!\n",
        encoding="utf-8",
    )
    report = run(db, newer)
    source = report.sources[0]
    assert source.status == "imported"
    assert source.messages_new == 1
    assert source.duplicates > 10
    store = Store.open(db)
    [conversation] = store.list_conversations()
    assert store.messages(conversation.id)[-1].text == "morning!"
    store.close()


def test_into_and_as_new(db: Path, tmp_path: Path) -> None:
    run(db, WHATSAPP)
    store = Store.open(db)
    [target] = store.list_conversations()
    store.close()
    renamed = tmp_path / "other name.txt"
    shutil.copyfile(WHATSAPP, renamed)
    merged = run(db, renamed, into=target.id)
    assert merged.sources[0].messages_new == 0
    separate = run(db, renamed, as_new=True)
    assert separate.sources[0].new_conversations == 1
    store = Store.open(db)
    assert len(store.list_conversations()) == 2
    store.close()


def test_not_a_chat_export_is_an_error_naming_the_file(db: Path, tmp_path: Path) -> None:
    run(db, WHATSAPP)
    before = snapshot(db)
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n- milk\n- eggs\n", encoding="utf-8")
    report = run(db, notes)
    [failed] = report.failed
    assert "notes.txt" in (failed.error or "") and "not a chat export" in (failed.error or "")
    assert snapshot(db) == before


@pytest.mark.parametrize("name", ["truncated.json", "malformed.json"])
def test_broken_telegram_json_is_rolled_back_whole(db: Path, name: str) -> None:
    run(db, WHATSAPP)
    before = snapshot(db)
    report = run(db, FIXTURES / "telegram" / name)
    [failed] = report.failed
    assert name in (failed.error or "")
    assert "line" in (failed.error or "") or "messages[" in (failed.error or "")
    assert snapshot(db)[:3] == before[:3]


def test_one_bad_file_does_not_stop_the_others(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        '{"name": "x", "type": "private_group", "id": 1, "messages": [{"id": 1,', encoding="utf-8"
    )
    report = run(db, bad, WHATSAPP)
    assert [s.status for s in report.sources] == ["failed", "imported"]


def test_folder_and_zip_of_exports_import_in_one_go(db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "exports.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(WHATSAPP, "chats/WhatsApp Chat with friends.txt")
        handle.write(TELEGRAM, "telegram/result.json")
        handle.writestr("chats/photo.jpg", b"\xff\xd8not really")
    report = run(db, archive)
    assert sorted(s.format for s in report.sources) == ["telegram-json", "whatsapp-txt"]
    assert any("photo.jpg" in skipped for skipped in report.skipped_files)


def test_zip_with_path_traversal_is_refused(db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.write(WHATSAPP, "../../escape.txt")
    report = run(db, archive)
    [failed] = report.failed
    assert "leaves the archive" in (failed.error or "")
    assert not (tmp_path.parent / "escape.txt").exists()
    assert not db.exists() or snapshot(db)[0] == 0


def test_zip_with_symlink_member_is_refused(db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        info = zipfile.ZipInfo("chat.txt")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        handle.writestr(info, "/etc/passwd")
    report = run(db, archive)
    assert "symbolic link" in (report.failed[0].error or "")


def test_zip_bomb_is_refused(db: Path, tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as handle:
        handle.writestr("chat.txt", b"0" * (60 * 1024 * 1024))
    report = run(db, archive)
    assert "zip bomb" in (report.failed[0].error or "")


def test_cancel_rolls_back_the_unit_in_progress(db: Path, tmp_path: Path) -> None:
    run(db, WHATSAPP)
    before = snapshot(db)
    big = tmp_path / "big.txt"
    with big.open("w", encoding="utf-8") as handle:
        for index in range(12_000):
            handle.write(
                f"02/01/2020, {index // 60 % 24:02d}:{index % 60:02d} - Dan: message {index}\n"
            )
    cancel = CancelToken()
    gen = import_paths(db, [big], OPTIONS, cancel)
    with pytest.raises(Cancelled):
        for event in gen:
            if isinstance(event, Progress) and event.unit == "messages" and event.done >= 5000:
                cancel.cancel()
    assert snapshot(db) == before


def test_sample_archive_imports_with_three_topics_worth_of_messages(db: Path) -> None:
    report = run(db, SAMPLE)
    [source] = report.sources
    assert source.format == "whatsapp-txt" and source.participants == 4
    store = Store.open(db)
    [conversation] = store.list_conversations()
    assert conversation.title == "周末小分队" and conversation.kind.value == "group"
    assert [hit.message.sender_name for hit in store.search("连接池")][:1] in (["张伟"], ["王强"])
    store.close()
