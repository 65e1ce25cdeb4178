"""Helpers for summarizer tests: messages, a small archive, and an echo model.

`echo_model` is a FakeTextGenerator script that reads the numbered input of
whatever prompt it gets (chat lines "n who: text" / "n张三：text" or merge items
"[n] label：text") and answers with a schema-valid summary that cites those numbers
correctly, one topic per few items. It lets tests follow message ids through
map and reduce without scripting every reply by hand; tests that need wrong
citations script their replies explicitly.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from chatsum.core.domain import (
    ConversationKind,
    Message,
    MessageKind,
    ParsedConversation,
    ParsedMessage,
)
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.storage.store import Store

BASE_MS = 1_715_212_800_000  # 2024-05-09 00:00 UTC = 08:00 at UTC+8
OFFSET = 480
DAY_MS = 86_400_000

_ITEM = re.compile(r"^\[?(\d+)\]? ?([^:：\n]+?)[:：] ?(.*)$", re.M)


def message(
    mid: int,
    sender: str | None,
    text: str,
    minute: float,
    kind: MessageKind = MessageKind.TEXT,
    reply_to: int | None = None,
) -> Message:
    return Message(
        id=mid,
        conversation_id=1,
        participant_id=None,
        sender_name=sender,
        ts_ms=BASE_MS + int(minute * 60_000),
        utc_offset_min=OFFSET,
        offset_assumed=False,
        kind=kind,
        text=text,
        reply_to_id=reply_to,
    )


def chat(rows: list[tuple[str, str]], gap_min: float = 1.0) -> list[Message]:
    """Messages from (sender, text) rows, `gap_min` minutes apart, ids from 1."""
    return [message(i + 1, who, text, i * gap_min) for i, (who, text) in enumerate(rows)]


def write_chat(
    db: Path, rows: list[tuple[int, int, str, str]], source: str, title: str = "周末群"
) -> int:
    """Import (day, minute, sender, text) rows like one export file; returns the conversation id."""
    store = Store.open(db)
    try:
        writer = store.writer()
        writer.begin(source, 1, source.encode().hex().ljust(64, "0")[:64], "test")
        conversation_id = int(
            writer.add_conversation(ParsedConversation("c", "test", title, ConversationKind.GROUP))
        )
        for day, minute, sender, text in rows:
            writer.add_message(
                ParsedMessage(
                    conversation_key="c",
                    ts_ms=BASE_MS + day * DAY_MS + minute * 60_000,
                    utc_offset_min=OFFSET,
                    offset_assumed=False,
                    kind=MessageKind.TEXT,
                    text=text,
                    sender_name=sender,
                )
            )
        writer.commit([])
        return conversation_id
    finally:
        store.close()


def prompt_items(messages: list[ChatMessage]) -> list[tuple[int, str, str]]:
    """(number, speaker or label, text) of every numbered item in the user message."""
    return [(int(n), who.strip(), text) for n, who, text in _ITEM.findall(messages[-1].content)]


def echo_model(messages: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
    schema = options.json_schema
    assert schema is not None, "the summarizer always asks for schema-constrained output"
    topics_schema = schema["properties"]["topics"]
    fields = topics_schema["items"]["properties"]
    items = prompt_items(messages)
    count = max(topics_schema["minItems"], min(topics_schema["maxItems"], (len(items) + 2) // 3))
    groups = [items[i::count] or items[:1] for i in range(count)]
    reply: dict[str, Any]
    if "group" in fields:  # a merge step: group the numbered earlier topics
        reply = {
            "topics": [
                {
                    "group": [n for n, _, _ in group],
                    "headline": f"合并{i}",
                    "overview": "合并的话题",
                }
                for i, group in enumerate(groups, start=1)
            ]
        }
    else:
        people = fields["views"]["items"]["properties"]["person"]["enum"]
        topics = [_echo_topic(index, group, people) for index, group in enumerate(groups, 1)]
        reply = {"agenda": [t["headline"] for t in topics], "topics": topics}
    if "wrap_up" in schema["properties"]:
        reply["wrap_up"] = "大家讨论了几件事"
    return reply


def _echo_topic(index: int, group: list[tuple[int, str, str]], people: list[str]) -> dict[str, Any]:
    first = group[0]
    views = [
        {"ids": [n], "person": who, "view": f"说了{text[:8]}"}
        for n, who, text in group
        if who in people
    ][:3] or [{"ids": [first[0]], "person": people[0], "view": "没有表态"}]
    return {
        "headline": f"话题{index}",
        "overview": f"讨论了{first[2][:10]}",
        "points": [{"ids": [first[0]], "text": f"要点{first[2][:10]}"}],
        "results": {"decided": [], "open": [], "todo": []},
        "views": views,
    }
