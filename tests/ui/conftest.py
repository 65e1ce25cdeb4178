"""Fixtures for the desktop app tests: offscreen Qt, real archives, the real window.

Archives are real SQLite files in tmp_path, filled through the real import
pipeline (a WhatsApp export we wrote, `tests/fixtures/ui/`) or, for size,
through the store's writer. The window is built on AppServices with a
`FakeTextGenerator`, so model calls are instant and scripted.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatsum.config import Settings, load_settings
from chatsum.core.domain import (
    ConversationKind,
    MessageKind,
    ParsedConversation,
    ParsedMessage,
)
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.progress import drive
from chatsum.core.storage.store import Store
from chatsum.services import AppServices

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ui"
BOOK_CLUB = FIXTURES / "WhatsApp Chat with 读书会.txt"
DAY_MS = 86_400_000
START_MS = 1_735_689_600_000  # 2025-01-01 00:00 UTC


@pytest.fixture()
def ui_settings(tmp_path: Path) -> Settings:
    return load_settings({"home": tmp_path / "home"}, environ={})


@pytest.fixture()
def book_club(ui_settings: Settings) -> Settings:
    """An archive holding the book-club WhatsApp export, imported for real."""
    ui_settings.home.mkdir(parents=True, exist_ok=True)
    report = drive(import_paths(ui_settings.db_path, [BOOK_CLUB]))
    assert report.messages_new > 10
    return ui_settings


def write_long_chat(db_path: Path, count: int, per_day: int = 100, title: str = "Long chat") -> int:
    """A conversation of `count` messages, `per_day` a day; returns its id."""
    store = Store.open(db_path)
    try:
        writer = store.writer()
        writer.begin("generated", count, f"{count:064d}", "test")
        conversation_id = writer.add_conversation(
            ParsedConversation("c", "telegram", title, ConversationKind.GROUP)
        )
        step = DAY_MS // per_day
        for n in range(count):
            writer.add_message(
                ParsedMessage(
                    "c",
                    START_MS + n * step,
                    0,
                    False,
                    MessageKind.TEXT,
                    f"message number {n}",
                    sender_name=("Ann", "Ben", "王芳")[n % 3],
                )
            )
        writer.commit([])
        return int(conversation_id)
    finally:
        store.close()


@pytest.fixture()
def make_window(qtbot: object) -> Iterator[object]:
    """Builds MainWindow on given settings and waits until its first reads are done."""
    from chatsum.ui.main_window import MainWindow

    windows: list[MainWindow] = []

    def make(settings: Settings, generator: FakeTextGenerator | None = None) -> MainWindow:
        services = AppServices(settings, generator=generator or FakeTextGenerator())
        window = MainWindow(services)
        qtbot.addWidget(window)  # type: ignore[attr-defined]
        window.resize(1200, 800)
        window.show()
        qtbot.waitUntil(lambda: not window.runner.active_jobs, timeout=10_000)  # type: ignore[attr-defined]
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.close()
