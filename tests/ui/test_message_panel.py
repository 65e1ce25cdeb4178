"""The message view: search with highlighted hits, jump to a date, act on a selection."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QItemSelection, QItemSelectionModel

from chatsum.config import Settings
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.ui.item_models import Roles
from chatsum.ui.profile import day_to_date
from tests.ui.conftest import write_long_chat


def _current_message(window):
    return window.messages.view.currentIndex().data(Roles.MESSAGE)


def test_search_highlights_hits_and_steps_through_them(
    qtbot, make_window, book_club: Settings
) -> None:
    window = make_window(book_club)
    panel = window.messages
    qtbot.waitUntil(lambda: panel.model.has_separators, timeout=10_000)
    panel.search_box.setText("三体")
    qtbot.waitUntil(lambda: panel.hit_label.text() == "1 of 3", timeout=10_000)
    hits = panel.model.highlighted
    assert len(hits) == 3  # 《三体》, 我也选三体, 那就三体
    qtbot.waitUntil(lambda: _current_message(window) is not None, timeout=10_000)
    first = _current_message(window)
    assert "三体" in first.text and first.id in hits
    assert panel.model.search_terms == ("三体",)
    panel.next_hit.click()
    qtbot.waitUntil(lambda: panel.hit_label.text() == "2 of 3", timeout=10_000)
    qtbot.waitUntil(
        lambda: getattr(_current_message(window), "id", first.id) != first.id, timeout=10_000
    )
    assert "三体" in _current_message(window).text

    panel.search_box.setText("nothing like this")
    qtbot.waitUntil(lambda: panel.hit_label.text() == "No matches", timeout=10_000)
    assert panel.model.highlighted == frozenset()


def test_jump_to_a_date_scrolls_to_its_separator(qtbot, make_window, ui_settings: Settings) -> None:
    ui_settings.home.mkdir(parents=True)
    write_long_chat(ui_settings.db_path, 2000, per_day=40)
    window = make_window(ui_settings)
    panel = window.messages
    qtbot.waitUntil(lambda: panel.jump_button.isEnabled(), timeout=10_000)
    panel.date_edit.setDate(QDate(2025, 2, 10))  # day 40 of the chat
    panel.jump_button.click()
    top = panel.view.indexAt(panel.view.viewport().rect().topLeft())
    assert day_to_date(top.data(Roles.DAY)) == date(2025, 2, 10)
    assert top.row() == 40 * 40 + 40


def test_a_selected_range_is_summarized_exactly(qtbot, make_window, ui_settings: Settings) -> None:
    ui_settings.home.mkdir(parents=True)
    write_long_chat(ui_settings.db_path, 500, per_day=100)
    generator = FakeTextGenerator([{"topics": [], "gist": "nothing"}])
    window = make_window(ui_settings, generator)
    panel = window.messages
    model = panel.model
    qtbot.waitUntil(lambda: model.has_separators, timeout=10_000)
    first, last = model.row_for_position(150), model.row_for_position(260)
    panel.view.selectionModel().select(
        QItemSelection(model.index(first), model.index(last)),
        QItemSelectionModel.SelectionFlag.ClearAndSelect,
    )
    assert panel.selection_label.text() == "111 message(s) selected"
    with qtbot.waitSignal(panel.summarize_requested, timeout=10_000) as requested:
        panel.summarize_button.click()
    chosen = requested.args[0]
    assert (chosen.first_position, chosen.last_position, chosen.message_count) == (150, 260, 111)
    qtbot.waitUntil(lambda: not window.summary.running and bool(generator.calls), timeout=10_000)
    prompt = "\n".join(messages[-1].content for messages, _ in generator.calls)
    assert "message number 150" in prompt and "message number 260" in prompt
    assert "message number 149" not in prompt and "message number 261" not in prompt
