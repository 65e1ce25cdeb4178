"""The Summary tab: cards from a real summary, citations that scroll, export, cancel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate

from chatsum.config import Settings
from chatsum.core.domain import Citation, Claim, Summary, Topic, Viewpoint
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.storage.store import Store
from chatsum.ui.item_models import Roles
from chatsum.ui.summary_panel import TopicCard
from tests.ui.conftest import write_long_chat
from tests.ui.schema_reply import reply_following_schema


def _summarize_days(window, first: QDate, last: QDate) -> None:
    panel = window.summary
    panel.scope_box.setCurrentIndex(panel.scope_box.findData("range"))
    panel.day_edit.setDate(first)
    panel.until_edit.setDate(last)
    panel.summarize_button.click()


def test_cards_come_from_the_real_summary_pipeline(qtbot, make_window, book_club: Settings) -> None:
    window = make_window(book_club, FakeTextGenerator(reply_following_schema))
    with qtbot.waitSignal(window.summary.summary_shown, timeout=20_000) as shown:
        _summarize_days(window, QDate(2025, 2, 3), QDate(2025, 2, 4))
    summary: Summary = shown.args[0]
    cards = window.summary.topic_cards()
    titles = [card.findChildren(type(window.summary.status))[0].text() for card in cards]
    assert titles == [topic.title for topic in summary.topics]
    assert len(titles) >= 2 and summary.quality.schema_valid
    cited = {
        mid for topic in summary.topics for claim in topic.claims() for mid in claim.message_ids
    }
    links = " ".join(label.text() for card in cards for label in card.links)
    assert {int(mid) for mid in re.findall(r"cite:(\d+)", links)} == cited
    assert "⚠" not in links  # every claim of this summary is supported
    assert window.summary.export_button.isEnabled()

    # The same request again is served from the archive's summary cache.
    with qtbot.waitSignal(window.summary.summary_shown, timeout=20_000) as again:
        window.summary.summarize_button.click()
    assert again.args[0].from_cache
    assert window.summary.status.text() == "Summary from the saved copy."


def test_cancelling_a_summary_saves_nothing(qtbot, make_window, book_club: Settings) -> None:
    slow = FakeTextGenerator(reply_following_schema, delay_s=0.05)
    window = make_window(book_club, slow)
    _summarize_days(window, QDate(2025, 2, 3), QDate(2025, 2, 4))
    assert window.summary.running
    qtbot.waitUntil(lambda: "writing" in window.summary.status.text(), timeout=10_000)
    window.summary.cancel_button.click()
    qtbot.waitUntil(lambda: not window.summary.running, timeout=10_000)
    assert window.summary.status.text() == "Cancelled; nothing was saved."
    assert window.summary.summary is None
    store = Store.open(book_club.db_path)
    try:
        assert store.conn.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 0
    finally:
        store.close()


def _summary_citing(
    messages: dict[int, Any], conversation_id: int, supported: bool = True
) -> Summary:
    ids = sorted(messages)
    return Summary(
        conversation_id=conversation_id,
        since_ms=None,
        until_ms=None,
        scope="range",
        language="en",
        gist="",
        topics=(
            Topic(
                title="<b>Late</b> <a href='http://evil.example'>topic</a>",
                summary="Things said near the end.",
                key_points=(Claim("Ben wrote near the end", (ids[0],)),),
                viewpoints=(Viewpoint("Ann", "Agreed", (ids[1],)),),
                action_items=(Claim("Someone books a room", (), supported=supported),),
            ),
        ),
        model_id="fake",
        prompt_version="test",
        cited_messages=tuple(
            Citation(m.id, m.conversation_id, m.sender_name, m.ts_ms, m.text)
            for m in messages.values()
        ),
    )


def test_clicking_a_citation_scrolls_to_and_highlights_the_message(
    qtbot, make_window, ui_settings: Settings
) -> None:
    ui_settings.home.mkdir(parents=True)
    conversation_id = write_long_chat(ui_settings.db_path, 3000, per_day=50)
    store = Store.open(ui_settings.db_path)
    try:
        wanted = store.messages(conversation_id, limit=2, offset=2600)
        messages = store.messages_by_ids(m.id for m in wanted)
    finally:
        store.close()
    window = make_window(ui_settings)
    view = window.messages.view
    qtbot.waitUntil(lambda: window.messages.model.has_separators, timeout=10_000)
    window.summary.show_summary(_summary_citing(messages, conversation_id, supported=False))
    card = window.summary.topic_cards()[0]
    assert isinstance(card, TopicCard)
    target = wanted[0]
    link_label = next(label for label in card.links if f"cite:{target.id}" in label.text())
    link_label.linkActivated.emit(f"cite:{target.id}")

    def shown() -> bool:
        current = view.currentIndex()
        return current.isValid() and getattr(current.data(Roles.MESSAGE), "id", None) == target.id

    qtbot.waitUntil(shown, timeout=10_000)
    index = view.currentIndex()
    assert view.viewport().rect().intersects(view.visualRect(index))
    assert index.data(Roles.HIGHLIGHTED) is True
    assert index.data(Roles.MESSAGE).text == "message number 2600"
    assert target.id in window.messages.model.highlighted
    # It opens day 52: 2600 messages and the separators of days 0..52 come first.
    assert index.row() == 2600 + 53

    # Model output is shown as text: the HTML in the title stays inert.
    title = card.findChildren(type(window.summary.status))[0]
    assert title.text().startswith("<b>Late</b>")
    assert title.textFormat().name == "PlainText"
    assert "unverified" in " ".join(label.text() for label in card.links)


def test_export_writes_markdown_html_and_pdf(
    qtbot, make_window, book_club: Settings, tmp_path: Path
) -> None:
    window = make_window(book_club)
    store = Store.open(book_club.db_path)
    try:
        messages = store.messages_by_ids(m.id for m in store.messages(1, limit=2, offset=3))
    finally:
        store.close()
    window.summary.show_summary(_summary_citing(messages, 1))
    for kind in ("md", "html", "pdf"):
        window.summary.export(tmp_path / f"summary.{kind}", kind)
    markdown = (tmp_path / "summary.md").read_text(encoding="utf-8")
    first = min(messages)
    assert "[1]" in markdown and messages[first].text in markdown
    assert "- Someone books a room ⚠" in markdown
    html = (tmp_path / "summary.html").read_text(encoding="utf-8")
    assert "&lt;a href=" in html and "<a href='http://evil" not in html
    assert (tmp_path / "summary.pdf").read_bytes().startswith(b"%PDF")


def test_a_summary_feeds_the_topic_timeline_and_the_new_messages_badge(
    qtbot, make_window, book_club: Settings
) -> None:
    window = make_window(book_club, FakeTextGenerator(reply_following_schema))
    panel = window.summary
    qtbot.waitUntil(lambda: window.messages.model.has_separators, timeout=10_000)
    panel.scope_box.setCurrentIndex(panel.scope_box.findData("day"))
    panel.day_edit.setDate(QDate(2025, 2, 3))
    with qtbot.waitSignal(panel.summary_shown, timeout=20_000) as shown:
        panel.summarize_button.click()
    summary: Summary = shown.args[0]
    assert summary.scope == "day"
    timeline = window.insights.timeline._items
    assert [title for _, _, title in timeline] == [topic.title for topic in summary.topics]
    # The five messages of 4 February came after the summarized day.
    badge = window.conversations.model
    qtbot.waitUntil(lambda: badge.index(0).data(Roles.BADGE) == 5, timeout=10_000)
