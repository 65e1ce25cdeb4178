"""QQ message-manager exports: TXT (UTF-8, GB18030, UTF-16, 12-hour) and MHT."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.qq import QQ_TXT
from chatsum.core.importers.qq_mht import QQ_MHT
from tests.core.importers.cjk_harness import (
    FIXTURES,
    detected_format,
    parse_fixture,
    sniffs,
    utc_ms,
)

QQ = FIXTURES / "qq"


def test_txt_blocks_become_separate_conversations() -> None:
    parsed = parse_fixture(QQ_TXT, QQ / "message_manager.txt")

    assert [(c.title, c.kind) for c in parsed.conversations] == [
        ("小明", ConversationKind.PRIVATE),
        ("周末登山群", ConversationKind.GROUP),
    ]
    friend = [m for m in parsed.messages if m.conversation_key == parsed.conversations[0].key]
    group = [m for m in parsed.messages if m.conversation_key == parsed.conversations[1].key]
    assert len(friend) == 4 and len(group) == 5
    assert friend[0].ts_ms == utc_ms(2012, 3, 4, 9, 15, 22)
    assert (friend[0].sender_name, friend[0].sender_id) == ("小明", "123456789")
    assert friend[1].text == "有空，去哪？\n去爬山吧"
    assert [(m.kind, m.media) for m in friend[2:]] == [
        (MessageKind.MEDIA, "[图片]"),
        (MessageKind.STICKER, "[表情]"),
    ]
    admin, member, joined, recall, owner = group
    assert (admin.sender_name, admin.sender_id) == (
        "老李",
        "laoli@example.com",
    )  # 【管理员】 dropped
    assert (owner.sender_name, owner.sender_id) == ("张三", "10001")
    assert member.text == "收到"
    for system in (joined, recall):
        assert system.kind is MessageKind.SYSTEM
        assert system.sender_name is None and system.sender_id is None
    assert parsed.warnings() == {}


def test_txt_in_gb18030_with_bare_discussion_nicks() -> None:
    parsed = parse_fixture(QQ_TXT, QQ / "discussion_gb18030.txt")

    [chat] = parsed.conversations
    assert (chat.title, chat.kind) == ("项目讨论组", ConversationKind.GROUP)
    assert [(m.sender_name, m.sender_id, m.text) for m in parsed.messages] == [
        ("王工", None, "需求文档更新了"),
        ("李工", None, "好，我看一下"),
    ]


def test_txt_twelve_hour_clock_in_utf16() -> None:
    parsed = parse_fixture(QQ_TXT, QQ / "twelve_hour.txt")

    assert [m.ts_ms for m in parsed.messages] == [
        utc_ms(2013, 7, 1, 9, 5),
        utc_ms(2013, 7, 1, 15, 30, 15),
        utc_ms(2013, 7, 1, 0, 10),  # 12:10 AM
        utc_ms(2013, 7, 1, 12, 20),  # 12:20 PM
    ]
    assert parsed.messages[-1].text == "lunch"  # the last line has no newline


def test_txt_lines_outside_messages_are_counted() -> None:
    parsed = parse_fixture(QQ_TXT, QQ / "stray_lines.txt")

    assert parsed.texts == ["hello"]
    assert parsed.conversations[0].title == "stray_lines"  # no 消息对象 block: the file names it
    assert parsed.examples("outside-message") == ["line 2: 这一行不属于任何消息"]


def test_txt_without_any_message_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty_export.txt"
    path.write_text(
        "消息记录（此消息记录为文本格式，不支持重新导入）\n这不是消息\n", encoding="utf-8"
    )
    with pytest.raises(ImportFormatError) as caught:
        parse_fixture(QQ_TXT, path)
    assert caught.value.location == "line 2"


def test_mht_quoted_printable_html() -> None:
    parsed = parse_fixture(QQ_MHT, QQ / "chat.mht")

    [chat] = parsed.conversations
    assert (chat.title, chat.kind) == ("小红", ConversationKind.PRIVATE)
    moon, picture, mixed, morning, recall = parsed.messages
    assert moon.text == "今晚的月亮好圆 & 好亮\n你看到了吗？"
    assert moon.ts_ms == utc_ms(2010, 5, 20, 21, 3, 11)
    assert (picture.kind, picture.media, picture.text, picture.sender_name) == (
        MessageKind.MEDIA,
        "[图片]",
        "",
        "我",
    )
    assert mixed.text == "哈哈[图片]好看"
    assert morning.text == "早安"  # the <script> body never reaches the text
    assert morning.ts_ms == utc_ms(2010, 5, 21, 8, 0)
    assert recall.kind is MessageKind.SYSTEM and recall.sender_name is None
    assert parsed.examples("unrecognised-row") == ["row 10: 这一行不是消息"]


def test_mht_base64_gbk_without_tencent_headers_reads_the_same() -> None:
    quoted = parse_fixture(QQ_MHT, QQ / "chat.mht")
    encoded = parse_fixture(QQ_MHT, QQ / "chat_base64_gbk.mht")

    assert encoded.messages == quoted.messages
    assert encoded.conversations == quoted.conversations


def test_mht_truncated_is_an_error() -> None:
    with pytest.raises(ImportFormatError, match="truncated") as caught:
        parse_fixture(QQ_MHT, QQ / "truncated.mht")
    assert caught.value.file.endswith("truncated.mht")


def test_mht_sniff_ignores_other_web_archives(tmp_path: Path) -> None:
    page = tmp_path / "saved_page.mht"
    page.write_text(
        "From: <Saved by Windows Internet Explorer 8>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; boundary="b"\r\n\r\n--b\r\n'
        "Content-Type: text/html\r\n\r\n<html><body><p>News of the day</p></body></html>\r\n--b--\r\n",
        encoding="ascii",
    )
    assert not sniffs(QQ_MHT, page)
    assert not sniffs(QQ_TXT, page)


@pytest.mark.parametrize(
    ("name", "format_id"),
    [
        ("message_manager.txt", "qq-txt"),
        ("discussion_gb18030.txt", "qq-txt"),
        ("twelve_hour.txt", "qq-txt"),
        ("chat.mht", "qq-mht"),
        ("chat_base64_gbk.mht", "qq-mht"),
    ],
)
def test_registry_detects_qq_exports_renamed(name: str, format_id: str, tmp_path: Path) -> None:
    renamed = tmp_path / "backup.dat"
    shutil.copy(QQ / name, renamed)
    assert detected_format(renamed) == format_id


def test_txt_rule_typed_inside_a_body_is_text_not_a_block() -> None:
    parsed = parse_fixture(QQ_TXT, QQ / "rule_in_body.txt")

    assert [c.title for c in parsed.conversations] == ["A", "B"]
    assert parsed.texts == ["标题\n" + "=" * 64 + "\n正文", "last", "hi"]
    assert [m.conversation_key for m in parsed.messages] == ["A", "A", "B"]
