"""The app around the panels: translations, plain-text safety, crash reporting, screenshots."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QMessageBox

from chatsum.config import Settings
from chatsum.ui import error_dialog
from chatsum.ui.i18n import choose_language, fill, install_language
from chatsum.ui.item_models import Roles
from chatsum.ui.resources import resource_path

TS = resource_path("i18n", "chatsum_zh_CN.ts")
QM = resource_path("i18n", "chatsum_zh_CN.qm")


def test_fill_substitutes_placeholders_once_and_in_any_order() -> None:
    assert fill("%2 then %1", "a", "b") == "b then a"
    assert fill("%1 stays %1", "%2") == "%2 stays %2"


def test_language_follows_the_system_unless_chosen() -> None:
    chinese = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    english = QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom)
    assert choose_language("auto", chinese) == "zh_CN"
    assert choose_language("auto", english) == "en"
    assert choose_language("zh", english) == "zh_CN"
    assert choose_language("en", chinese) == "en"


def test_compiled_translation_matches_its_source(tmp_path: Path) -> None:
    lrelease = Path(sys.executable).with_name("pyside6-lrelease")
    if not lrelease.exists():
        pytest.skip("pyside6-lrelease is not installed")
    fresh = tmp_path / "fresh.qm"
    subprocess.run([str(lrelease), "-silent", str(TS), "-qm", str(fresh)], check=True)
    assert fresh.read_bytes() == QM.read_bytes(), "run pyside6-lrelease on the .ts (see docs/UI.md)"
    assert '<translation type="unfinished"' not in TS.read_text(encoding="utf-8")


def test_the_window_speaks_chinese(qtbot, make_window, book_club: Settings) -> None:
    assert install_language("zh_CN")
    try:
        window = make_window(book_club)
        assert window.tabs.tabText(0) == "总结"
        assert window.summary.summarize_button.text() == "总结"
        assert window.messages.search_box.placeholderText() == "在此聊天中搜索"
        assert window.jobs_label.text() == "空闲"
        qtbot.waitUntil(lambda: window.messages.conversation is not None)
        assert window.messages.subtitle.text().startswith("14 条消息")
    finally:
        install_language("en")
    assert QLocale().language() == QLocale.Language.English


def test_chat_text_is_never_interpreted_as_html(qtbot, make_window, book_club: Settings) -> None:
    window = make_window(book_club)
    model = window.messages.model
    qtbot.waitUntil(lambda: model.has_separators, timeout=10_000)
    row = model.rowCount() - 1
    qtbot.waitUntil(lambda: model.index(row).data(Roles.MESSAGE) is not None, timeout=10_000)
    index = model.index(row)
    assert index.data(Roles.MESSAGE).text.startswith("<a href=")
    assert index.data().startswith("<a href=")  # raw text, drawn as text by the delegate
    escaped = index.data(Qt.ItemDataRole.ToolTipRole)  # a tooltip may be rich text: escaped
    assert "&lt;a href=" in escaped and "<a href" not in escaped
    window.messages.view.setCurrentIndex(index)
    shown = window.messages.detail.toPlainText()
    assert '<a href="https://evil.example/x">click me</a>' in shown


def test_uncaught_errors_in_any_thread_are_logged_and_shown(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        error_dialog.ErrorDialog, "exec", lambda self: shown.append(self.informativeText()) or 0
    )
    log_file = error_dialog.setup_logging(tmp_path / "logs")
    relay = error_dialog.ExceptionRelay(log_file)
    old_hooks = sys.excepthook, threading.excepthook
    error_dialog.install_excepthooks(relay)
    try:

        def broken() -> None:
            raise RuntimeError("boom in a worker")

        thread = threading.Thread(target=broken)
        thread.start()
        thread.join()
        qtbot.waitUntil(lambda: relay.dialogs_shown == 1)
        try:
            raise ValueError("boom in the GUI thread")
        except ValueError:
            sys.excepthook(*sys.exc_info())
        qtbot.waitUntil(lambda: relay.dialogs_shown == 2)
    finally:
        sys.excepthook, threading.excepthook = old_hooks
    assert "RuntimeError: boom in a worker" in shown[0] and str(log_file) in shown[0]
    logged = log_file.read_text(encoding="utf-8")
    assert (
        "boom in a worker" in logged
        and "Traceback" in logged
        and "boom in the GUI thread" in logged
    )
    assert QMessageBox.Icon.Critical == error_dialog.ErrorDialog("m", None, None).icon()


def test_no_display_is_explained(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chatsum.ui import app

    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app.sys, "platform", "linux")
    assert app.main([]) == 2
    assert "no display found" in capsys.readouterr().err


def test_screenshots_render_every_view_in_both_languages(qapp, tmp_path: Path) -> None:
    from chatsum.ui.screenshots import render_screenshots

    written = render_screenshots(tmp_path)
    names = sorted(path.name for path in written)
    views = (
        "ask",
        "conversations",
        "extract",
        "first_run",
        "import_report",
        "insights",
        "models",
        "summary",
    )
    assert names == sorted(f"{view}_{lang}.png" for view in views for lang in ("en", "zh"))
    assert all(path.stat().st_size > 10_000 for path in written)


def test_settings_dialog_saves_to_the_shared_config(
    qtbot, ui_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QSettings

    from chatsum.config import load_settings
    from chatsum.ui.settings_dialog import SettingsDialog, remembered_home

    gui_state = QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat)
    dialog = SettingsDialog(ui_settings, gui_state)
    qtbot.addWidget(dialog)
    dialog.ui_language.setCurrentIndex(dialog.ui_language.findData("zh"))
    dialog.summary_language.setCurrentIndex(dialog.summary_language.findData("en"))
    dialog.redact.setChecked(True)
    dialog.threshold.setValue(0.5)
    new_home = tmp_path / "elsewhere"
    monkeypatch.setattr(
        "chatsum.ui.settings_dialog.QFileDialog.getExistingDirectory", lambda *a, **k: str(new_home)
    )
    dialog._on_browse_clicked()
    dialog.accept()
    saved = load_settings({"home": ui_settings.home}, environ={})
    assert (saved.ui_language, saved.summary_language, saved.redact_pii) == ("zh", "en", True)
    assert saved.retrieval_min_score == 0.5
    assert dialog.settings == saved
    assert remembered_home(gui_state) == str(new_home)
