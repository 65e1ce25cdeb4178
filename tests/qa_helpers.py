"""A small two-chat archive (Chinese and English) for index, retrieval and Q&A tests.

Written through the store's ImportWriter, like an import, with message times
chosen so sessions (silences of days) and date filters can be tested.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.index.vector_store import ChromaVectorIndex
from chatsum.core.storage.store import Store

BASE_MS = 1_709_500_000_000  # 2024-03-03
DAY_MS = 86_400_000

TEAM = "产品研发群"
HIKERS = "Weekend Hikers"

# (chat, day, minute, sender, text)
MESSAGES = [
    (TEAM, 0, 0, "李娜", "新版App原定3月15号上线，测试说还有十几个bug"),
    (TEAM, 0, 2, "王强", "支付模块那两个严重bug这周修不完"),
    (TEAM, 0, 4, "张伟", "那上线时间要不要推迟？"),
    (TEAM, 0, 6, "李娜", "我建议推迟到3月29号"),
    (TEAM, 0, 8, "张伟", "好，那就定3月29号上线"),
    (HIKERS, 1, 0, "Emma", "Where should we hike this Saturday?"),
    (HIKERS, 1, 2, "Jack", "How about the Dipsea trail on Mount Tam?"),
    (HIKERS, 1, 4, "Olivia", "Too many stairs, what about Tennessee Valley?"),
    (HIKERS, 1, 6, "Emma", "Tennessee Valley it is, meet at the trailhead at 8am"),
    (TEAM, 2, 0, "王强", "线上服务器又宕机了，数据库连接池被打满"),
    (TEAM, 2, 2, "陈静", "是不是报表查询没加索引？"),
    (TEAM, 2, 4, "王强", "对，我先回滚了，影响了40分钟"),
    (HIKERS, 3, 0, "Jack", "I can drive on Saturday, my car fits five people"),
    (HIKERS, 3, 2, "Olivia", "Pick me up at Safeway at 7:15 please"),
]


def ts(day: int, minute: int) -> int:
    return BASE_MS + day * DAY_MS + minute * 60_000


def write_messages(
    db_path: Path, rows: list[tuple[str, int, int, str, str]], source: str
) -> dict[str, int]:
    """Write (chat, day, minute, sender, text) rows as one import; returns chat title -> id."""
    store = Store.open(db_path)
    try:
        writer = store.writer()
        writer.begin(source, len(rows), source.encode().hex().ljust(64, "0")[:64], "test")
        ids: dict[str, int] = {}
        for chat in dict.fromkeys(row[0] for row in rows):
            ids[chat] = writer.add_conversation(
                ParsedConversation(chat, "test", chat, ConversationKind.GROUP)
            )
        for chat, day, minute, sender, text in rows:
            writer.add_message(
                ParsedMessage(
                    conversation_key=chat,
                    ts_ms=ts(day, minute),
                    utc_offset_min=480 if chat == TEAM else -420,
                    offset_assumed=False,
                    kind=MessageKind.TEXT,
                    text=text,
                    sender_name=sender,
                )
            )
        writer.commit([])
        return ids
    finally:
        store.close()


def build_archive(db_path: Path) -> dict[str, int]:
    return write_messages(db_path, MESSAGES, "chats.txt")


def index_opener(folder: Path) -> Callable[[str], ChromaVectorIndex]:
    return lambda name: ChromaVectorIndex.open(folder, "", name)


def message_id(db_path: Path, text: str) -> int:
    store = Store.open(db_path)
    try:
        return int(
            store.conn.execute("SELECT id FROM messages WHERE text = ?", (text,)).fetchone()[0]
        )
    finally:
        store.close()
