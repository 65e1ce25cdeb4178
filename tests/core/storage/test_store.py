"""The archive on a real SQLite file: migrations, writes, dedup, search, forget."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation
from chatsum.core.errors import NotFoundError
from chatsum.core.storage.db import applied_migrations, connect
from chatsum.core.storage.fts import fts_body, fts_query
from chatsum.core.storage.store import Store
from tests.conftest import parsed, write_conversation

CHAT = [
    ("王强", "周六我们去爬山吧"),
    ("李娜", "好啊，香山还是八达岭？"),
    ("王强", "香山吧，近一点"),
    (None, "李娜 joined the group"),
    ("Tom", "Can I join the hiking trip? I need to deploy the server first"),
    ("李娜", "服务器又宕机了吗"),
    ("Tom", "The deployment failed twice yesterday"),
]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "a.db")
    yield s
    s.close()


def test_migrations_are_recorded_once_and_wal_is_on(tmp_path: Path) -> None:
    conn = connect(tmp_path / "a.db")
    assert "m001_create_archive" in applied_migrations(conn)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    again = connect(tmp_path / "a.db")
    assert applied_migrations(again).count("m001_create_archive") == 1
    again.close()


def test_round_trip_keeps_order_senders_and_kinds(store: Store) -> None:
    cid = write_conversation(store, CHAT)
    messages = store.messages(cid)
    assert [m.text for m in messages] == [text for _, text in CHAT]
    assert messages[0].sender_name == "王强"
    system = messages[3]
    assert (
        system.kind is MessageKind.SYSTEM
        and system.sender_name is None
        and system.participant_id is None
    )
    assert messages[0].local_time.utcoffset().total_seconds() == 8 * 3600
    conversation = store.get_conversation(cid)
    assert conversation.message_count == len(CHAT)
    assert conversation.kind is ConversationKind.GROUP


def test_names_in_finds_participants_written_in_a_text(store: Store) -> None:
    write_conversation(store, CHAT)
    assert store.names_in("王强说李娜和Tom都去") == {"王强", "李娜", "Tom"}
    # A Latin-script name counts only as a whole word.
    assert store.names_in("Tomorrow 张伟 will go") == set()


def test_second_identical_write_adds_nothing(store: Store) -> None:
    write_conversation(store, CHAT)
    cid = write_conversation(store, CHAT)
    assert store.count_messages(cid) == len(CHAT)
    sources = store.sources()
    assert sources[-1]["messages_new"] == 0 and sources[-1]["duplicates"] == len(CHAT)


def test_identical_messages_in_one_minute_are_both_kept(store: Store) -> None:
    cid = write_conversation(store, [("A", "ok"), ("A", "ok")])
    writer = store.writer()
    writer.begin("x", 1, "1" * 64, "test")
    writer.add_conversation(ParsedConversation("c", "test", "爬山群", ConversationKind.GROUP))
    writer.add_message(parsed("c", "A", "ok", 5))
    writer.add_message(parsed("c", "A", "ok", 5))
    writer.add_message(parsed("c", "A", "ok", 5))
    writer.commit([])
    writer = store.writer()
    writer.begin("y", 1, "2" * 64, "test")
    writer.add_conversation(ParsedConversation("c", "test", "爬山群", ConversationKind.GROUP))
    for _ in range(3):
        writer.add_message(parsed("c", "A", "ok", 5))
    writer.commit([])
    assert writer.counts.messages_new == 0
    assert store.count_messages(cid) == 5


def test_external_ids_dedupe_and_replies_resolve(store: Store) -> None:
    for _ in range(2):
        writer = store.writer()
        writer.begin("t.json", 1, "3" * 64, "test")
        writer.add_conversation(
            ParsedConversation("k", "telegram", "Team", ConversationKind.GROUP, "42")
        )
        writer.add_message(parsed("k", "Ann", "first", 0, external_id="1"))
        writer.add_message(parsed("k", "Bob", "answer", 1, external_id="2", reply_to="1"))
        writer.commit([])
    conversation = store.find_conversation("Team")
    first, second = store.messages(conversation.id)
    assert second.reply_to_id == first.id
    assert conversation.message_count == 2


def test_rollback_leaves_database_unchanged(store: Store) -> None:
    write_conversation(store, CHAT)
    before = store.stats()
    writer = store.writer()
    writer.begin("bad", 1, "4" * 64, "test")
    writer.add_conversation(ParsedConversation("n", "test", "New", ConversationKind.GROUP))
    writer.add_message(parsed("n", "X", "never stored", 1))
    writer.flush()
    writer.rollback()
    after = store.stats()
    assert before == after


def fts_rows_match_message_texts(store: Store) -> bool:
    messages = store.conn.execute("SELECT id, text FROM messages WHERE text != ''").fetchall()
    fts = store.conn.execute("SELECT rowid, body FROM messages_fts").fetchall()
    return sorted((m[0], fts_body(m[1])) for m in messages) == sorted(tuple(r) for r in fts)


def test_full_text_index_holds_each_new_message_once_whatever_the_unit(store: Store) -> None:
    # all new (bodies from the importer's side), then a newer export of the
    # same chat plus a new chat in one unit (bodies computed by SQLite)
    write_conversation(store, CHAT)
    assert fts_rows_match_message_texts(store)
    writer = store.writer()
    writer.begin("both.txt", 1, "5" * 64, "test")
    writer.add_conversation(ParsedConversation("new", "test", "新群", ConversationKind.GROUP))
    writer.add_message(parsed("new", "张伟", "新群第一条", 0))
    writer.add_conversation(ParsedConversation("c", "test", "爬山群", ConversationKind.GROUP))
    for minute, (sender, text) in enumerate([*CHAT, ("王强", "明天八点集合")]):
        kind = MessageKind.SYSTEM if sender is None else MessageKind.TEXT
        writer.add_message(parsed("c", sender, text, minute, kind))
    writer.commit([])
    assert writer.counts.messages_new == 2
    assert fts_rows_match_message_texts(store)
    assert [h.message.text for h in store.search("集合")] == ["明天八点集合"]
    # an existing chat with only new messages
    write_conversation(store, [("李娜", "带上雨伞")], sha="6" * 64)
    assert fts_rows_match_message_texts(store)
    assert [h.message.text for h in store.search("雨伞")] == ["带上雨伞"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("爬山", ["周六我们去爬山吧"]),
        ("山", ["周六我们去爬山吧", "香山吧，近一点", "好啊，香山还是八达岭？"]),
        ("八达岭", ["好啊，香山还是八达岭？"]),
        ("宕机", ["服务器又宕机了吗"]),
        (
            "deploy",
            [
                "Can I join the hiking trip? I need to deploy the server first",
                "The deployment failed twice yesterday",
            ],
        ),
        ("hiking trip", ["Can I join the hiking trip? I need to deploy the server first"]),
        ("山爬", []),
    ],
)
def test_search_handles_short_chinese_terms_and_english(
    store: Store, query: str, expected: list[str]
) -> None:
    write_conversation(store, CHAT)
    hits = store.search(query, limit=10, context=1)
    assert sorted(h.message.text for h in hits) == sorted(expected)


def test_search_gives_context_and_never_passes_syntax_through(store: Store) -> None:
    write_conversation(store, CHAT)
    [hit] = store.search("宕机")
    assert hit.context_before[0].text.startswith("Can I join")
    assert hit.context_after[0].text.startswith("The deployment")
    assert store.search('" OR * NEAR(') == []
    assert store.search("") == []


def test_fts_helpers_split_cjk_only() -> None:
    assert fts_body("我们去hiking吧") == " 我 们 去 hiking 吧 "
    assert fts_query("爬山 server") == '"爬 山" AND "server"*'


def test_forget_removes_messages_fts_and_orphans(store: Store) -> None:
    cid = write_conversation(store, CHAT)
    other = write_conversation(store, [("Zoe", "爬山 again")], title="Other", sha="9" * 64)
    removed = store.forget_conversation(cid)
    assert removed == len(CHAT)
    with pytest.raises(NotFoundError):
        store.get_conversation(cid)
    assert [h.message.conversation_id for h in store.search("爬山")] == [other]
    names = {row[0] for row in store.conn.execute("SELECT display_name FROM participants")}
    assert names == {"Zoe"}
    fts_rows = store.conn.execute("SELECT COUNT(*) FROM messages_fts").fetchone()[0]
    assert fts_rows == 1


def test_find_conversation_by_fragment_and_ambiguity(store: Store) -> None:
    write_conversation(store, CHAT, title="Hiking club")
    write_conversation(store, CHAT, title="Hiking club 2", sha="8" * 64)
    assert store.find_conversation("Hiking club").title == "Hiking club"
    with pytest.raises(NotFoundError, match="several"):
        store.find_conversation("hiking")
    with pytest.raises(NotFoundError, match="No conversation"):
        store.find_conversation("nothing")


def test_iter_messages_streams_in_order_across_batches(store: Store) -> None:
    cid = write_conversation(store, [("A", f"m{i}") for i in range(25)])
    texts = [m.text for m in store.iter_messages(cid, batch=7)]
    assert texts == [f"m{i}" for i in range(25)]


def test_database_opened_by_plain_sqlite_keeps_fts_in_sync_on_delete(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "a.db")
    write_conversation(store, CHAT)
    store.close()
    raw = sqlite3.connect(tmp_path / "a.db")
    raw.execute("DELETE FROM messages WHERE text LIKE '%宕机%'")
    raw.commit()
    raw.close()
    store = Store.open(tmp_path / "a.db")
    assert store.search("宕机") == []
    store.close()
