"""Importing from the window: drag and drop, progress, cancel, the report, closing."""

from __future__ import annotations

import shutil
import time
from collections.abc import Generator
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from chatsum.config import Settings
from chatsum.core.pipelines.importing import ImportReport, SourceReport
from chatsum.core.progress import CancelToken, Progress
from chatsum.core.storage.store import Store
from tests.ui.conftest import BOOK_CLUB


def _count(settings: Settings) -> int:
    store = Store.open(settings.db_path)
    try:
        return int(store.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0])
    finally:
        store.close()


def _drop(window, paths: list[Path]) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths])
    target = window.messages.view.viewport()  # anywhere on the window will do
    point = QPointF(target.rect().center())
    enter = QDragEnterEvent(
        target.mapTo(window, point.toPoint()),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    assert window.overlay.isVisible()
    drop = QDropEvent(
        point,
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    assert not window.overlay.isVisible()


def test_dropped_files_folders_and_zips_land_in_the_archive(
    qtbot, make_window, ui_settings: Settings, tmp_path: Path
) -> None:
    window = make_window(ui_settings)
    assert window.pages.currentWidget() is window.first_run

    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(BOOK_CLUB, folder / BOOK_CLUB.name)
    with qtbot.waitSignal(window.import_panel.imported, timeout=20_000) as imported:
        _drop(window, [folder])
    report = imported.args[0]
    assert report.messages_new == _count(ui_settings) > 10
    qtbot.waitUntil(lambda: window.conversations.model.rowCount() == 1)
    assert window.pages.currentWidget() is window.splitter
    qtbot.waitUntil(lambda: window.messages.conversation is not None)
    assert window.messages.conversation.title == "读书会"
    assert "new messages" in window.import_panel.status.text()

    # The same export again, zipped: nothing new, every message a duplicate.
    archive = shutil.make_archive(str(tmp_path / "again"), "zip", folder)
    with qtbot.waitSignal(window.import_panel.imported, timeout=20_000) as imported:
        _drop(window, [Path(archive)])
    assert imported.args[0].messages_new == 0
    assert _count(ui_settings) == report.messages_new


def test_a_file_that_is_not_a_chat_is_reported_with_its_name(
    qtbot, make_window, ui_settings: Settings, tmp_path: Path
) -> None:
    window = make_window(ui_settings)
    broken = tmp_path / "result.json"
    broken.write_text('{"messages": [', encoding="utf-8")
    with qtbot.waitSignal(window.import_panel.imported, timeout=20_000) as imported:
        _drop(window, [broken, BOOK_CLUB])
    report = imported.args[0]
    assert len(report.failed) == 1
    failed_row = window.import_panel.files.topLevelItem(0)
    assert failed_row.text(1) == "failed"
    assert "result.json" in failed_row.child(0).text(0)
    assert "1 file(s) could not be read" in window.import_panel.status.text()
    assert _count(ui_settings) == report.messages_new > 0


def slow_import(paths: list[Path], cancel: CancelToken) -> Generator[Progress, None, ImportReport]:
    """Stands in for the pipeline: one file, messages counted slowly, until cancelled."""
    name = str(paths[0])
    yield Progress("import", name, 0, 1, "files")
    for done in range(5000, 10_000_000, 5000):
        cancel.raise_if_cancelled()
        yield Progress("import", name, done, None, "messages")
        time.sleep(0.01)
    return ImportReport((SourceReport(name, "slow", "imported", messages_new=1),))


def test_progress_shows_per_file_and_cancel_stops_the_job(
    qtbot, make_window, ui_settings: Settings
) -> None:
    window = make_window(ui_settings)
    panel = window.import_panel
    assert window.import_paths([Path("/data/huge_chat.txt")], job=slow_import)
    qtbot.waitUntil(
        lambda: panel.files.topLevelItemCount() == 1 and panel.files.topLevelItem(0).text(2) != ""
    )
    row = panel.files.topLevelItem(0)
    assert row.text(0) == "/data/huge_chat.txt"
    assert row.text(1) == "reading…"
    assert int(row.text(2).replace(",", "")) >= 5000
    assert panel.cancel_button.isVisible()
    assert window.jobs_label.text() == "1 job(s) running"
    with qtbot.waitSignal(panel.imported, timeout=10_000) as ended:
        panel.cancel_button.click()
    assert ended.args[0] is None
    assert panel.heading.text() == "Import cancelled"
    assert row.text(1) == "cancelled, rolled back"
    qtbot.waitUntil(lambda: not window.runner.active_jobs)
    assert window.jobs_label.text() == "Idle"


def test_cancelling_a_real_import_keeps_nothing_of_the_file(
    qtbot, make_window, ui_settings: Settings, tmp_path: Path
) -> None:
    big = tmp_path / "WhatsApp Chat with big.txt"
    with big.open("w", encoding="utf-8") as out:
        for n in range(60_000):
            out.write(
                f"0{1 + n // 20_000}/03/2025, {n // 60 % 24:02d}:{n % 60:02d} - Ann: line {n}\n"
            )
    window = make_window(ui_settings)
    panel = window.import_panel
    progressed = []
    assert window.import_paths([big])
    panel._worker.signals.progressed.connect(progressed.append)
    qtbot.waitUntil(lambda: any(p.unit == "messages" for p in progressed), timeout=20_000)
    with qtbot.waitSignal(panel.imported, timeout=20_000) as ended:
        panel.cancel()
    assert ended.args[0] is None
    assert _count(ui_settings) == 0


def test_closing_the_window_cancels_and_waits_for_jobs(
    qtbot, make_window, ui_settings: Settings
) -> None:
    window = make_window(ui_settings)
    assert window.import_paths([Path("/data/huge_chat.txt")], job=slow_import)
    worker = window.import_panel._worker
    qtbot.waitUntil(lambda: window.import_panel.files.topLevelItemCount() == 1)
    window.close()
    assert worker.cancel_token.cancelled
    assert worker.done  # close() returned only after the job stopped
