"""Preprocessing: what is dropped, what is kept, how lines are merged, normalized, redacted."""

from __future__ import annotations

import pytest

from chatsum.core.domain import MessageKind
from chatsum.core.pipelines.summarizing.language import dominant_language, resolve_language
from chatsum.core.pipelines.summarizing.preprocessing import (
    MAX_MESSAGE_CHARS,
    is_filler,
    normalize_text,
    prepare_lines,
)
from chatsum.core.pipelines.summarizing.redaction import redact
from tests.core.summarizing.helpers import chat, message


@pytest.mark.parametrize(
    "text",
    ["ok", "OK!", "好的", "好的～", "哈哈哈哈", "hhhh", "hahaha", "嗯嗯", "收到", "👍👍", "😂",
     "[微笑][微笑]", "[图片]", "[Sticker]", "<Media omitted>", "image omitted", "  ", "？？？",
     "张三撤回了一条消息"],
)  # fmt: skip
def test_messages_without_information_are_filler(text: str) -> None:
    assert is_filler(text)


@pytest.mark.parametrize(
    "text", ["+1", "同意", "可以", "ok 我周六能去", "哈哈哈 这个方案不错", "[图片] 这是菜单", "no"]
)
def test_messages_that_say_something_are_kept(text: str) -> None:
    assert not is_filler(text)


def test_dropped_kinds_and_captions() -> None:
    messages = [
        message(1, None, "张三 joined the group", 0, MessageKind.SYSTEM),
        message(2, "张三", "", 1, MessageKind.MEDIA),
        message(3, "李四", "菜单在这里", 2, MessageKind.MEDIA),
        message(4, "王五", "", 3, MessageKind.STICKER),
        message(5, "王五", "This message was deleted", 4, MessageKind.DELETED),
    ]
    prepared = prepare_lines(messages, "zh")
    assert [line.message_ids for line in prepared.lines] == [(3,)]
    assert prepared.messages_in == 5 and prepared.dropped == 4


def test_consecutive_messages_of_one_sender_merge_and_keep_every_id() -> None:
    messages = [
        message(1, "张三", "周六去爬山吗", 0),
        message(2, "张三", "香山", 1),
        message(3, "张三", "早上八点出发", 2),
        message(4, "李四", "好的", 3),  # filler: dropped, does not break the burst
        message(5, "张三", "带午饭", 3.5),
        message(6, "李四", "我去", 4),
        message(7, "张三", "太好了", 30),  # too long after: a new line
    ]
    lines = prepare_lines(messages, "zh").lines
    assert [line.message_ids for line in lines] == [(1, 2, 3, 5), (6,), (7,)]
    assert lines[0].text == "周六去爬山吗 / 香山 / 早上八点出发 / 带午饭"
    assert lines[0].ts_ms == messages[0].ts_ms and lines[0].last_ts_ms == messages[4].ts_ms


def test_a_burst_stops_growing_at_the_line_limit() -> None:
    messages = [message(i, "张三", "很长的一句话" * 20, i * 0.1) for i in range(1, 6)]
    lines = prepare_lines(messages, "zh").lines
    assert len(lines) > 1
    assert sorted(mid for line in lines for mid in line.message_ids) == [1, 2, 3, 4, 5]


def test_long_messages_are_clipped_for_the_model() -> None:
    lines = prepare_lines([message(1, "张三", "字" * 1000, 0)], "zh").lines
    assert len(lines[0].text) == MAX_MESSAGE_CHARS and lines[0].text.endswith("…")


def test_mentions_and_invisible_characters_are_normalized() -> None:
    assert normalize_text("@张三\u2005周六来吗\u200b", "zh") == "@张三 周六来吗"
    assert normalize_text("＠李四 hi\n\nthere", "en") == "@李四 hi there"


def test_wechat_quote_becomes_a_short_reply_prefix() -> None:
    text = "「张三：我们周六早上八点在香山公园东门集合吧大家千万别迟到」\n- - - - - - - - - - - - - - -\n我可能晚到十分钟"
    assert (
        normalize_text(text, "zh")
        == "(回复张三:我们周六早上八点在香山公园东门集合吧大家千万别…) 我可能晚到十分钟"
    )


def test_markdown_quote_becomes_a_short_reply_prefix() -> None:
    assert normalize_text("> Bob: shall we meet at 8?\nsure, 8 works", "en") == (
        "(re Bob: shall we meet at 8?) sure, 8 works"
    )


def test_redaction_hides_phones_emails_and_id_numbers() -> None:
    text = "电话13812345678或+86 138-1234-5678，邮箱a.b@example.com，身份证110105199003071234，座机010-62345678"
    hidden, count = redact(text, "zh")
    assert count == 5
    for secret in ("13812345678", "1234-5678", "a.b@example.com", "110105199003071234", "62345678"):
        assert secret not in hidden
    assert "[电话]" in hidden and "[邮箱]" in hidden and "[身份证号]" in hidden
    assert redact("call +44 20 7946 0958 or mail x@y.org", "en") == (
        "call [phone] or mail [email]",
        2,
    )


def test_redaction_leaves_ordinary_numbers_alone() -> None:
    assert redact("预算200元，3月15号上线，版本2.1.0，订单号20240315", "zh")[1] == 0


def test_prepare_lines_redacts_only_when_asked() -> None:
    messages = chat([("张三", "我的手机13812345678")])
    assert "13812345678" in prepare_lines(messages, "zh").lines[0].text
    prepared = prepare_lines(messages, "zh", redact_pii=True)
    assert prepared.lines[0].text == "我的手机[电话]" and prepared.redactions == 1


def test_dominant_language() -> None:
    assert dominant_language(["周五 deploy 到 staging 环境", "好的"]) == "zh"
    assert dominant_language(["let's deploy on Friday", "周五"]) == "en"
    assert dominant_language([]) == "en"
    assert resolve_language("zh", ["hello there"]) == "zh"
    assert resolve_language("auto", ["你好"]) == "zh"
