"""The Ask tab: streamed answers with citations, "not found", history, cancel."""

from __future__ import annotations

import re

import pytest

from chatsum.config import Settings
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.retrieval import RetrievalParts
from chatsum.ui.item_models import Roles


def library_reply(messages: list[ChatMessage], _options: GenerationOptions) -> str:
    """Answers from the passage about the library, citing its message id."""
    found = re.search(r"^\[(\d+)\][^\n]*library", messages[-1].content, re.M)
    return f"At the café next to the library [{found.group(1)}]." if found else "Not found."


@pytest.fixture()
def text_only_retrieval(monkeypatch: pytest.MonkeyPatch) -> None:
    """Full-text retrieval only: no embedding model in unit tests."""
    from chatsum.ui.backend import GuiBackend

    monkeypatch.setattr(GuiBackend, "retrieval_parts", lambda self: RetrievalParts(None, None))


def test_answer_streams_in_and_citations_open_the_message(
    qtbot, make_window, book_club: Settings, text_only_retrieval: None
) -> None:
    window = make_window(book_club, FakeTextGenerator(library_reply, delay_s=0.02))
    ask = window.ask
    window.tabs.setCurrentWidget(ask)
    pieces: list[str] = []
    assert ask.ask("Which café near the library do we meet at?")
    ask._worker.signals.produced.connect(pieces.append)
    qtbot.waitUntil(lambda: len(pieces) >= 2, timeout=10_000)
    streaming = ask._streaming
    assert streaming is not None
    assert streaming.text().endswith("".join(pieces))  # what has streamed so far, as plain text
    assert streaming.text().startswith("At ") and not streaming.text().endswith("].")
    assert ask.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not ask.running, timeout=10_000)

    bubble = ask.answer_bubbles()[-1]
    assert bubble.property("outcome") == "answered"
    link = re.search(r"cite:(\d+)", bubble.text())
    assert link is not None and "[1]" in bubble.text()
    with qtbot.waitSignal(ask.citation_clicked) as clicked:
        bubble.linkActivated.emit(link.group(0))
    message_id = int(link.group(1))
    assert clicked.args == [message_id]
    qtbot.waitUntil(
        lambda: (
            getattr(window.messages.view.currentIndex().data(Roles.MESSAGE), "id", None)
            == message_id
        ),
        timeout=10_000,
    )
    assert "library" in window.messages.detail.toPlainText()
    # The question started a session, which is now offered for later.
    qtbot.waitUntil(lambda: ask.session_box.count() == 2, timeout=10_000)


def test_not_found_is_shown_as_such(
    qtbot, make_window, book_club: Settings, text_only_retrieval: None
) -> None:
    generator = FakeTextGenerator(library_reply)
    window = make_window(book_club, generator)
    assert window.ask.ask("What is the budget for the offsite?")
    qtbot.waitUntil(lambda: not window.ask.running, timeout=10_000)
    bubble = window.ask.answer_bubbles()[-1]
    assert bubble.property("outcome") == "rejected"
    assert "Not found in your chats" in bubble.text()
    assert generator.calls == []  # nothing relevant was found: the model was not asked


def test_stop_cancels_the_answer_and_keeps_nothing(
    qtbot, make_window, book_club: Settings, text_only_retrieval: None
) -> None:
    window = make_window(book_club, FakeTextGenerator(library_reply, delay_s=0.2))
    ask = window.ask
    assert ask.ask("Which café near the library do we meet at?")
    qtbot.waitUntil(lambda: ask.status.text() == "Writing the answer…", timeout=10_000)
    ask.cancel_button.click()
    qtbot.waitUntil(lambda: not ask.running, timeout=10_000)
    assert ask.status.text() == "Stopped; this answer was not saved."
    assert "(stopped)" in ask.history.findChildren(type(ask.status))[-1].text()
    store = window.services.open_store()
    try:
        assert store.conn.execute("SELECT COUNT(*) FROM qa_turns").fetchone()[0] == 0
    finally:
        store.close()


def test_history_of_an_earlier_session_can_be_reopened(
    qtbot, make_window, book_club: Settings, text_only_retrieval: None
) -> None:
    window = make_window(book_club, FakeTextGenerator(library_reply))
    assert window.ask.ask("Which café near the library do we meet at?")
    qtbot.waitUntil(lambda: window.ask.session_box.count() == 2, timeout=10_000)
    window.close()

    again = make_window(book_club, FakeTextGenerator(library_reply))
    box = again.ask.session_box
    qtbot.waitUntil(lambda: box.count() == 2, timeout=10_000)
    box.setCurrentIndex(1)
    box.activated.emit(1)
    qtbot.waitUntil(lambda: len(again.ask.answer_bubbles()) == 1, timeout=10_000)
    assert "library" in again.ask.answer_bubbles()[0].text()
