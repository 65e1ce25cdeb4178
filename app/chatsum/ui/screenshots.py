"""`chatsum-app --screenshot DIR`: every main view as PNG, in English and Chinese.

The sample exports bundled in `resources/samples/` are imported for real into
a temporary archive (together with one unreadable file, so the import report
shows how errors look), and the real window is built on it once per
language. Summary, Ask and Extract show the example content of
`screenshot_examples` (no model runs; Extract on an example customer-service
chat imported for real into an archive of its own); everything else — the conversation
list, the message view with search hits and a cited message highlighted, the
charts, the import report and the Models dialog — is what the app shows for
that archive. The grabs need no display (`QT_QPA_PLATFORM=offscreen`).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from chatsum.config import load_settings
from chatsum.core.progress import drive
from chatsum.services import AppServices
from chatsum.ui.i18n import install_language
from chatsum.ui.main_window import MainWindow
from chatsum.ui.resources import sample_exports
from chatsum.ui.screenshot_examples import (
    SERVICE_CHAT,
    SERVICE_CHAT_NAME,
    example_answers,
    example_extraction,
    example_summary,
)

LANGUAGES = {"en": "en", "zh_CN": "zh"}
SIZE = (1400, 860)


def settle(window: MainWindow, timeout_s: float = 20.0) -> None:
    """Let jobs finish and their results reach the widgets."""
    deadline = time.monotonic() + timeout_s
    quiet = 0
    while time.monotonic() < deadline and quiet < 10:
        QApplication.processEvents()
        quiet = 0 if window.runner.active_jobs else quiet + 1
        time.sleep(0.02)


def _save(widget: QWidget, path: Path, written: list[Path]) -> None:
    QApplication.processEvents()
    widget.grab().save(str(path))
    written.append(path)


def _import_sample(home: Path, broken: Path) -> object:
    from chatsum.core.pipelines.importing import import_paths

    settings = load_settings({"home": home}, environ={})
    settings.home.mkdir(parents=True, exist_ok=True)
    return drive(import_paths(settings.db_path, [*sample_exports(), broken]))


def _import_service_chat(home: Path) -> None:
    from chatsum.core.pipelines.importing import import_paths

    settings = load_settings({"home": home}, environ={})
    settings.home.mkdir(parents=True, exist_ok=True)
    export = home / SERVICE_CHAT_NAME
    export.write_text(SERVICE_CHAT, encoding="utf-8")
    drive(import_paths(settings.db_path, [export]))


def _window(home: Path) -> MainWindow:
    window = MainWindow(AppServices(load_settings({"home": home}, environ={})))
    window.resize(*SIZE)
    window.show()
    settle(window)
    return window


def render_screenshots(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="chatsum-shots-") as tmp:
        root = Path(tmp)
        broken = root / "exported_chat.json"
        broken.write_text('{"messages": [{"from": "Tom", "text": "hi"', encoding="utf-8")
        report = _import_sample(root / "sample", broken)
        _import_service_chat(root / "service")
        for qt_language, suffix in LANGUAGES.items():
            install_language(qt_language)

            def shot(name: str, widget: QWidget, suffix: str = suffix) -> None:
                _save(widget, out_dir / f"{name}_{suffix}.png", written)

            empty = _window(root / f"empty-{suffix}")
            shot("first_run", empty)
            empty.close()
            window = _window(root / "sample")
            try:
                _main_views(window, report, shot)
            finally:
                window.close()
            service = _window(root / "service")
            try:
                _extract_view(service, shot)
            finally:
                service.close()
    install_language("en")
    return written


def _main_views(window: MainWindow, report: object, shot: Callable[[str, QWidget], None]) -> None:
    conversation = window.messages.conversation
    assert conversation is not None, "the sample archive holds no conversation"
    store = window.services.open_store()
    try:
        messages = store.messages(conversation.id)
    finally:
        store.close()
    language = "zh" if QApplication.translate("MainWindow", "Summary") != "Summary" else "en"

    window.messages.search_box.setText("香山")
    window.messages._on_search_submitted()
    settle(window)
    shot("conversations", window)

    window.messages.search_box.clear()
    summary = example_summary(messages, language)
    window.summary.show_summary(summary)
    window.tabs.setCurrentWidget(window.summary)
    first_cited = summary.topics[1].decisions[0].message_ids[0]
    window.show_message(first_cited)
    settle(window)
    shot("summary", window)

    window.tabs.setCurrentWidget(window.ask)
    for answer in example_answers(messages, language):
        window.ask.show_turn(answer)
    settle(window)
    shot("ask", window)

    window.tabs.setCurrentWidget(window.insights)
    settle(window)
    shot("insights", window)

    window.import_panel.show_report(report)
    settle(window)
    shot("import_report", window)
    window.import_panel.hide()

    from chatsum.ui.models_dialog import ModelsDialog

    dialog = ModelsDialog(window.services, window.runner, window.backend, window)
    dialog.show()
    settle(window)
    shot("models", dialog)
    dialog.close()


def _extract_view(window: MainWindow, shot: Callable[[str, QWidget], None]) -> None:
    """The Extract tab with example records; the phone cell of the first one clicked."""
    conversation = window.messages.conversation
    assert conversation is not None, "the service chat was not imported"
    window.tabs.setCurrentWidget(window.extract)
    settle(window)  # the real roles, from the heuristics
    store = window.services.open_store()
    try:
        messages = store.messages(conversation.id)
    finally:
        store.close()
    panel = window.extract
    panel.show_result(example_extraction(messages), saved=True)
    index = panel.model.index(0, 2)  # 基本信息-手机号码 / Phone
    panel.table.setCurrentIndex(index)
    panel.table.clicked.emit(index)
    settle(window)
    shot("extract", window)
