"""Every Qt item model of the app passes Qt's model tester, on real data."""

from __future__ import annotations

from chatsum.config import Settings
from chatsum.core.progress import CancelToken, drive
from chatsum.core.storage.store import Store
from chatsum.ui.item_models import (
    PAGE_SIZE,
    ConversationFilterModel,
    ConversationListModel,
    ConversationSort,
    MessageListModel,
    MessagePageLoader,
    ModelListModel,
    ModelRow,
    Roles,
)
from chatsum.ui.profile import profile_conversation
from tests.ui.conftest import write_long_chat


def _conversations(settings: Settings) -> list:
    store = Store.open(settings.db_path)
    try:
        return store.list_conversations()
    finally:
        store.close()


def test_conversation_models_pass_the_model_tester(qtmodeltester, book_club: Settings) -> None:
    write_long_chat(book_club.db_path, 300, title="Alpha team")
    model = ConversationListModel()
    model.set_conversations(_conversations(book_club))
    model.set_badges({1: 4})
    qtmodeltester.check(model)

    proxy = ConversationFilterModel()
    proxy.setSourceModel(model)
    proxy.set_sort(ConversationSort.TITLE)
    qtmodeltester.check(proxy)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["Alpha team", "读书会"]
    proxy.set_sort(ConversationSort.SIZE)
    assert proxy.index(0, 0).data() == "Alpha team"
    proxy.set_filter_text("读书")
    assert proxy.rowCount() == 1
    assert proxy.index(0, 0).data(Roles.CONVERSATION).title == "读书会"
    qtmodeltester.check(proxy)


def test_message_model_pages_in_rows_and_places_day_separators(
    qtbot, qtmodeltester, ui_settings: Settings
) -> None:
    ui_settings.home.mkdir(parents=True)
    conversation_id = write_long_chat(ui_settings.db_path, 1000, per_day=100)
    loader = MessagePageLoader(ui_settings.db_path)
    try:
        model = MessageListModel(loader)
        model.show_conversation(conversation_id, 1000)
        assert model.rowCount() == 1000
        assert model.index(650).data(Roles.MESSAGE) is None  # not loaded yet: asked for
        qtbot.waitUntil(lambda: model.index(650).data(Roles.MESSAGE) is not None)
        assert model.index(650).data(Roles.MESSAGE).text == "message number 650"
        qtmodeltester.check(model)

        profile = drive(profile_conversation(ui_settings.db_path, conversation_id, CancelToken()))
        assert profile.message_count == 1000
        assert len(profile.runs.days) == 10
        model.set_day_runs(profile.runs)
        assert model.rowCount() == 1010
        assert model.index(0).data(Roles.DAY) == profile.runs.days[0]
        assert model.position_for_row(0) is None
        # Row of message 650: 650 messages and 7 separators (days 0..6) before it.
        assert model.row_for_position(650) == 657
        assert model.position_for_row(657) == 650
        qtbot.waitUntil(lambda: model.index(657).data(Roles.MESSAGE) is not None)
        assert model.index(657).data(Roles.MESSAGE).text == "message number 650"
        assert model.row_for_day(profile.runs.days[3]) == 303
        qtmodeltester.check(model)
    finally:
        loader.stop()


def test_message_model_serves_pages_across_a_big_chat(qtbot, ui_settings: Settings) -> None:
    ui_settings.home.mkdir(parents=True)
    count = PAGE_SIZE * 30
    conversation_id = write_long_chat(ui_settings.db_path, count)
    loader = MessagePageLoader(ui_settings.db_path)
    try:
        model = MessageListModel(loader)
        model.show_conversation(conversation_id, count)
        # Ask for many far-apart rows at once, like a fast scroll-bar drag:
        # the newest requests are served and nothing is left hanging.
        rows = [count - 1, 0, count // 2, *range(PAGE_SIZE, count, PAGE_SIZE * 3)]
        for row in rows:
            model.index(row).data(Roles.MESSAGE)
        last = count - 1
        qtbot.waitUntil(lambda: model.index(last).data(Roles.MESSAGE) is not None)
        qtbot.waitUntil(lambda: all(model.index(r).data(Roles.MESSAGE) is not None for r in rows))
        assert model.index(last).data(Roles.MESSAGE).text == f"message number {last}"
    finally:
        loader.stop()


def test_model_list_model_passes_the_model_tester(qtmodeltester) -> None:
    model = ModelListModel()
    model.set_rows(
        [
            ModelRow(
                "a",
                "Model A",
                True,
                2**30,
                "Apache-2.0",
                ("summarize",),
                ("pypi",),
                "sha256 ok",
                in_use=True,
            ),
            ModelRow("b", "Model B", False, None, "MIT", (), ("hub",), "no published sha256"),
        ]
    )
    qtmodeltester.check(model)
    assert model.index(0, 3).data() == "installed, in use"
    assert model.index(1, 1).data() == "?"
    assert model.row_of("b") == 1
