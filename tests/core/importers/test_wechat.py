"""WeChat exports: MemoTrace CSV/TXT, PyWxDump CSV (both dialects), chatlog CSV/JSON."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.wechat_chatlog import CHATLOG_CSV, CHATLOG_JSON
from chatsum.core.importers.wechat_memotrace import MEMOTRACE_CSV, MEMOTRACE_TXT
from chatsum.core.importers.wechat_pywxdump import PYWXDUMP_CSV
from chatsum.core.pipelines.importing import import_paths
from tests.core.importers.cjk_harness import (
    FIXTURES,
    detected_format,
    parse_fixture,
    parse_unsniffed,
    sniffs,
    utc_ms,
)

WECHAT = FIXTURES / "wechat"


def test_memotrace_private_csv_reads_every_type_code() -> None:
    # The default offset is UTC: the +8 offset must come from StrTime vs CreateTime.
    parsed = parse_fixture(
        MEMOTRACE_CSV, WECHAT / "memotrace" / "张三.csv", default_utc_offset_min=0
    )

    [chat] = parsed.conversations
    assert (chat.key, chat.title, chat.kind, chat.external_id) == (
        "wxid_zhangsan",
        "张三",
        ConversationKind.PRIVATE,
        "wxid_zhangsan",
    )
    assert parsed.kinds == [
        MessageKind.TEXT,
        MessageKind.TEXT,
        MessageKind.MEDIA,
        MessageKind.MEDIA,
        MessageKind.MEDIA,
        MessageKind.STICKER,
        MessageKind.LINK,
        MessageKind.FILE,
        MessageKind.TEXT,
        MessageKind.LINK,
        MessageKind.SYSTEM,
        MessageKind.MEDIA,
    ]
    first, reply = parsed.messages[:2]
    assert first.ts_ms == utc_ms(2023, 5, 1, 12, 0)
    assert (first.utc_offset_min, first.offset_assumed) == (480, False)
    assert (first.sender_name, first.sender_id, first.is_self) == ("张三", "wxid_zhangsan", False)
    assert reply.text == "好啊，几点出发？\n我可以开车"
    assert reply.is_self is True and reply.sender_id is None
    assert [m.media for m in parsed.messages[2:6]] == ["[图片]", "[语音]", "[视频]", "[表情包]"]
    assert all(m.text == "" for m in parsed.messages[2:6])
    link, file, quote, music, recall, unknown = parsed.messages[6:]
    assert link.text == "周末爬山路线 & 装备 https://example.com/hike?a=1&b=2"
    assert (file.text, file.media) == ("路线图.pdf", "[文件]")
    assert quote.text == "好的，我带水\n> 张三: 记得带水"
    assert music.text == "登山歌 https://music.example/song"
    assert recall.text == '"张三" 撤回了一条消息'
    assert (recall.sender_name, recall.sender_id, recall.is_self) == (None, None, None)
    assert unknown.media == "[消息类型 9999]"
    assert parsed.warnings() == {"unknown-type": 1}
    assert parsed.examples("unknown-type") == ["line 14: type 9999"]


def test_memotrace_group_csv_names_senders_and_assumes_offset_only_when_needed() -> None:
    parsed = parse_fixture(
        MEMOTRACE_CSV, WECHAT / "memotrace" / "登山群.csv", default_utc_offset_min=-300
    )

    [chat] = parsed.conversations
    assert chat.kind is ConversationKind.GROUP and chat.title == "登山群"
    wang, me, lily, invite = parsed.messages
    assert (wang.sender_name, wang.sender_id) == ("老王", "wxid_wang")  # remark beats nickname
    assert (me.sender_name, me.is_self) == ("我自己", True)
    assert (lily.utc_offset_min, lily.offset_assumed) == (-300, True)  # no StrTime on that row
    assert lily.ts_ms == utc_ms(2023, 5, 1, 12, 1)  # the epoch column is still exact
    assert invite.kind is MessageKind.SYSTEM and invite.sender_name is None
    assert parsed.warnings() == {}


def test_memotrace_csv_counts_untidy_rows() -> None:
    parsed = parse_fixture(MEMOTRACE_CSV, WECHAT / "memotrace_untidy.csv")

    assert parsed.texts == ["first", "last"]
    assert parsed.warnings() == {"csv-row-width": 1, "bad-type": 1, "bad-time": 1}
    assert parsed.examples("csv-row-width") == ["line 3: 13 columns, expected 12"]
    assert parsed.examples("bad-time")[0].startswith("line 5:")


def test_memotrace_csv_cut_inside_a_quoted_field_is_an_error() -> None:
    path = WECHAT / "memotrace_truncated.csv"
    with pytest.raises(ImportFormatError) as caught:
        parse_fixture(MEMOTRACE_CSV, path)
    assert caught.value.file == str(path)
    assert caught.value.location == "line 3"
    assert "truncated" in caught.value.user_message


def test_memotrace_txt_placeholders_quotes_and_recalls() -> None:
    parsed = parse_fixture(MEMOTRACE_TXT, WECHAT / "memotrace" / "李四.txt")

    [chat] = parsed.conversations
    assert chat.title == "李四" and chat.external_id is None
    assert parsed.kinds == [
        MessageKind.TEXT,
        MessageKind.TEXT,
        MessageKind.MEDIA,
        MessageKind.STICKER,
        MessageKind.FILE,
        MessageKind.MEDIA,
        MessageKind.TEXT,
        MessageKind.SYSTEM,
        MessageKind.MEDIA,
    ]
    assert parsed.messages[1].text == "开，十点\n会议室在三楼"
    assert parsed.messages[1].ts_ms == utc_ms(2023, 5, 1, 12, 1, 5)
    assert all(m.offset_assumed and m.utc_offset_min == 480 for m in parsed.messages)
    assert parsed.messages[6].text == "收到，我带电脑\n> 李四: 明天开会吗？"
    assert parsed.messages[7].sender_name is None
    last = parsed.messages[-1]  # the file has no final newline
    assert (last.media, last.location) == ("[视频]", "line 27")


def test_memotrace_txt_counts_stray_lines_and_impossible_dates() -> None:
    parsed = parse_fixture(MEMOTRACE_TXT, WECHAT / "memotrace_stray_lines.txt")

    assert parsed.texts == ["早"]
    assert parsed.warnings() == {"outside-message": 2, "bad-time": 1}
    assert parsed.examples("bad-time") == ["line 5: 2023-13-45 12:00:00 李四"]


def test_memotrace_txt_sniff_rejects_logs_and_transcripts(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text(
        "2023-05-01 12:00:00 INFO started\n2023-05-01 12:00:01 INFO ready\n", encoding="utf-8"
    )
    transcript = tmp_path / "t.txt"
    transcript.write_text(
        "2023-05-01 12:00:00 张三: 你好\n2023-05-01 12:00:05 李四: 在\n", encoding="utf-8"
    )
    assert not sniffs(MEMOTRACE_TXT, log)
    assert not sniffs(MEMOTRACE_TXT, transcript)


def test_pywxdump_packed_content_column() -> None:
    parsed = parse_fixture(PYWXDUMP_CSV, WECHAT / "pywxdump_content.csv")

    [room] = parsed.conversations
    assert (room.key, room.kind) == ("34567@chatroom", ConversationKind.GROUP)
    by_id = {m.external_id: m for m in parsed.messages}
    assert by_id["7001"].text == "今晚聚餐？"  # JSON {"src","msg"}
    assert by_id["7002"].text == "好，七点半" and by_id["7002"].is_self  # Python dict repr
    assert (by_id["7003"].kind, by_id["7003"].media, by_id["7003"].text) == (
        MessageKind.MEDIA,
        "[图片]",
        "",
    )
    assert by_id["7004"].kind is MessageKind.STICKER
    assert (by_id["7005"].kind, by_id["7005"].text) == (
        MessageKind.LINK,
        "餐厅菜单 https://example.com/menu",
    )
    assert (by_id["7006"].kind, by_id["7006"].text) == (MessageKind.FILE, "预算.xlsx")
    assert by_id["7007"].kind is MessageKind.SYSTEM and by_id["7007"].sender_name is None
    notice = next(m for m in parsed.messages if m.external_id is None)  # MsgSvrID 0
    assert notice.kind is MessageKind.SYSTEM and notice.is_self is None
    assert notice.ts_ms == 1685617620 * 1000  # epoch CreateTime, exact
    assert by_id["7001"].ts_ms == utc_ms(2023, 6, 1, 19, 0) and by_id["7001"].offset_assumed
    assert parsed.warnings() == {"unknown-type": 1}
    assert by_id["7011"].text == "恭喜发财"  # unknown label kept, counted


def test_pywxdump_split_msg_src_columns() -> None:
    parsed = parse_fixture(PYWXDUMP_CSV, WECHAT / "pywxdump_msg_src.csv")

    [chat] = parsed.conversations
    assert chat.kind is ConversationKind.PRIVATE
    assert parsed.texts == ["明天见", "明天见！\n带伞", "好的", ""]
    assert [m.is_self for m in parsed.messages] == [False, True, False, False]
    assert parsed.messages[3].media == "[视频]"
    assert parsed.warnings() == {"bad-time": 1}


def test_chatlog_csv_interleaved_chats_and_markdown_media() -> None:
    parsed = parse_fixture(CHATLOG_CSV, WECHAT / "chatlog.csv")

    assert [(c.key, c.title, c.kind) for c in parsed.conversations] == [
        ("4567@chatroom", "读书会", ConversationKind.GROUP),
        ("wxid_amy", "Amy", ConversationKind.PRIVATE),
    ]
    assert [m.conversation_key for m in parsed.messages].count("wxid_amy") == 2
    assert parsed.kinds == [
        MessageKind.TEXT,
        MessageKind.MEDIA,
        MessageKind.FILE,
        MessageKind.LINK,
        MessageKind.STICKER,
        MessageKind.SYSTEM,
        MessageKind.TEXT,
    ]
    assert parsed.messages[2].text == "notes.pdf"
    assert parsed.messages[3].text == "三体书评 https://example.com/review"
    assert parsed.messages[5].sender_name is None
    last = parsed.messages[-1]  # RFC 3339 with its own offset
    assert (last.offset_assumed, last.ts_ms) == (False, utc_ms(2024, 3, 1, 9, 6))


def test_chatlog_json_codes_offsets_and_self() -> None:
    parsed = parse_fixture(CHATLOG_JSON, WECHAT / "chatlog.json", default_utc_offset_min=0)

    assert [c.kind for c in parsed.conversations] == [
        ConversationKind.GROUP,
        ConversationKind.PRIVATE,
    ]
    first = parsed.messages[0]
    assert (first.utc_offset_min, first.offset_assumed) == (480, False)
    assert first.external_id == "1709254800000"
    assert [m.is_self for m in parsed.messages[:4]] == [False, True, False, True]
    assert parsed.messages[2].text == "三体书评 https://example.com/review"
    assert parsed.messages[3].text == "同意\n> 老王: 这周读《三体》"
    assert parsed.messages[4].kind is MessageKind.SYSTEM and parsed.messages[4].is_self is None
    assert (parsed.messages[6].kind, parsed.messages[6].text) == (MessageKind.FILE, "notes.pdf")
    assert len(parsed.messages) == 8
    assert parsed.warnings() == {"unknown-type": 1, "bad-time": 1}


def test_chatlog_json_truncated_names_the_record() -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_fixture(CHATLOG_JSON, WECHAT / "chatlog_truncated.json")
    assert caught.value.location == "record 7 (line 8)"
    assert "truncated" in caught.value.problem


def test_csv_importers_refuse_each_others_headers() -> None:
    assert not sniffs(PYWXDUMP_CSV, WECHAT / "memotrace" / "张三.csv")
    assert not sniffs(CHATLOG_CSV, WECHAT / "pywxdump_content.csv")
    assert not sniffs(MEMOTRACE_CSV, WECHAT / "chatlog.csv")
    with pytest.raises(ImportFormatError, match="missing TalkerId"):
        parse_unsniffed(MEMOTRACE_CSV, WECHAT / "chatlog.csv")


@pytest.mark.parametrize(
    ("name", "format_id"),
    [
        ("memotrace/张三.csv", "wechat-memotrace-csv"),
        ("memotrace/登山群.csv", "wechat-memotrace-csv"),
        ("memotrace/李四.txt", "wechat-memotrace-txt"),
        ("pywxdump_content.csv", "wechat-pywxdump-csv"),
        ("pywxdump_msg_src.csv", "wechat-pywxdump-csv"),
        ("chatlog.csv", "wechat-chatlog-csv"),
        ("chatlog.json", "wechat-chatlog-json"),
    ],
)
def test_registry_detects_wechat_exports_by_content(
    name: str, format_id: str, tmp_path: Path
) -> None:
    renamed = tmp_path / "export.dat"  # the name must not matter
    shutil.copy(WECHAT / name, renamed)
    assert detected_format(renamed) == format_id


def test_round_trip_through_the_archive_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    sources = [WECHAT / "chatlog.json", WECHAT / "memotrace" / "张三.csv"]

    def run() -> list[dict[str, object]]:
        steps = import_paths(db, sources)
        try:
            while True:
                next(steps)
        except StopIteration as done:
            return [source.as_dict() for source in done.value.sources]

    first = run()
    assert [s["status"] for s in first] == ["imported", "imported"]
    assert [s["messages_new"] for s in first] == [8, 12]
    assert first[0]["messages_by_kind"]["system"] == 1
    again = run()
    assert [s["status"] for s in again] == ["unchanged", "unchanged"]
