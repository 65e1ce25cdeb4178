"""ChatLab interchange files: JSON and JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.chatlab import CHATLAB_JSON, CHATLAB_JSONL
from chatsum.core.importers.telegram import TELEGRAM_JSON
from tests.core.importers.cjk_harness import FIXTURES, detected_format, parse_fixture, sniffs

CL = FIXTURES / "chatlab"


def test_json_maps_types_members_owner_and_platform() -> None:
    parsed = parse_fixture(CHATLAB_JSON, CL / "chat.json")

    [chat] = parsed.conversations
    assert (chat.platform, chat.title, chat.kind, chat.external_id) == (
        "wechat",  # ChatLab's "weixin"
        "徒步群",
        ConversationKind.GROUP,
        "123456@chatroom",
    )
    assert [(m.kind, m.sender_name, m.text, m.media) for m in parsed.messages] == [
        (MessageKind.TEXT, "阿丽", "周末去爬山吗？", None),
        (MessageKind.MEDIA, "Bob", "", "[图片]"),
        (MessageKind.STICKER, "Bob", "", "sticker"),
        (MessageKind.LINK, "Alice", "路线 https://example.com/route", None),
        (MessageKind.SYSTEM, None, "Bob 加入了群聊", None),
        (MessageKind.DELETED, "Bob", "", None),
        (MessageKind.LINK, "Bob", "https://example.com/forecast", None),  # name from members
    ]
    assert parsed.messages[0].ts_ms == 1673776800000
    assert [m.is_self for m in parsed.messages[:2]] == [True, False]
    assert parsed.messages[0].sender_id == "wxid_alice"


def test_jsonl_reads_header_members_and_messages_line_by_line() -> None:
    parsed = parse_fixture(CHATLAB_JSONL, CL / "chat.jsonl")

    [chat] = parsed.conversations
    assert (chat.platform, chat.title, chat.external_id) == ("telegram", "Hiking", None)
    assert [m.location for m in parsed.messages] == ["line 6", "line 7", "line 8", "line 9"]
    assert parsed.warnings() == {}


def test_a_truncated_jsonl_line_is_an_error_naming_it() -> None:
    with pytest.raises(
        ImportFormatError, match=r"truncated\.jsonl line 3 column \d+: invalid JSON"
    ):
        parse_fixture(CHATLAB_JSONL, CL / "truncated.jsonl")


def test_a_message_without_timestamp_is_an_error_naming_the_record() -> None:
    with pytest.raises(
        ImportFormatError, match=r"messages\[1\] \(line \d+ column \d+\): no numeric"
    ):
        parse_fixture(CHATLAB_JSON, CL / "missing_timestamp.json")


def test_chatlab_and_telegram_json_are_not_confused() -> None:
    assert not sniffs(TELEGRAM_JSON, CL / "chat.json")
    assert not sniffs(CHATLAB_JSONL, CL / "chat.json")
    assert not sniffs(CHATLAB_JSON, CL / "chat.jsonl")
    assert detected_format(CL / "chat.json") == "chatlab-json"
    assert detected_format(CL / "chat.jsonl") == "chatlab-jsonl"


def test_the_header_is_found_whatever_the_member_order(tmp_path: Path) -> None:
    original = json.loads((CL / "chat.json").read_text(encoding="utf-8"))
    reordered = {key: original[key] for key in ("meta", "chatlab", "members", "messages")}
    path = tmp_path / "export.json"
    path.write_text(json.dumps(reordered, ensure_ascii=False, indent=1), encoding="utf-8")

    parsed = parse_fixture(CHATLAB_JSON, path)

    assert parsed.conversations[0].title == "徒步群"
    assert len(parsed.messages) == 7
