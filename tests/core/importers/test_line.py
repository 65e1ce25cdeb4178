"""LINE chat history (.txt): English, Japanese and Chinese versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.line import LINE_TXT
from tests.core.importers.cjk_harness import (
    FIXTURES,
    detected_format,
    parse_fixture,
    parse_unsniffed,
    sniffs,
    utc_ms,
)

LINE = FIXTURES / "line"


def test_english_history_quotes_system_lines_and_unsends() -> None:
    parsed = parse_fixture(LINE_TXT, LINE / "english.txt", default_utc_offset_min=540)

    [chat] = parsed.conversations
    assert (chat.title, chat.kind) == ("Alice", ConversationKind.PRIVATE)
    hello, quoted, sticker, photo, renamed, unclosed, unsent, late = parsed.messages
    assert hello.ts_ms == utc_ms(2020, 1, 4, 9, 0, offset_min=540)
    assert (hello.utc_offset_min, hello.offset_assumed) == (540, True)
    assert quoted.text == 'Morning!\nAre we still on for lunch?\nI can book the "noodle" place'
    assert quoted.sender_name == "Bob"
    assert (sticker.kind, sticker.media) == (MessageKind.STICKER, "[Sticker]")
    assert (photo.kind, photo.media) == (MessageKind.MEDIA, "[Photo]")
    assert renamed.kind is MessageKind.SYSTEM and renamed.sender_name is None
    assert unclosed.text == '"quoted start but never closed'  # kept as written
    assert unsent.kind is MessageKind.SYSTEM and unsent.sender_name is None
    assert late.text == "Late note\nthat continues without quotes"
    assert late.ts_ms == utc_ms(2020, 1, 5, 23, 59, offset_min=540)
    assert parsed.warnings() == {}


def test_japanese_history_gozen_gogo_clock() -> None:
    parsed = parse_fixture(LINE_TXT, LINE / "japanese.txt")

    assert parsed.conversations[0].title == "田中さん"
    assert [m.ts_ms for m in parsed.messages] == [
        utc_ms(2021, 3, 1, 9, 15),
        utc_ms(2021, 3, 1, 13, 5),
        utc_ms(2021, 3, 1, 12, 30),  # 午後12:30 is half past noon
        utc_ms(2021, 3, 1, 0, 5),  # 午前12:05 is just after midnight
        utc_ms(2021, 3, 1, 15, 0),
    ]
    assert [m.kind for m in parsed.messages] == [
        MessageKind.TEXT,
        MessageKind.STICKER,
        MessageKind.MEDIA,
        MessageKind.TEXT,
        MessageKind.SYSTEM,
    ]


def test_chinese_history_in_utf16_with_am_pm_suffix() -> None:
    parsed = parse_fixture(LINE_TXT, LINE / "chinese_utf16.txt")

    assert (parsed.conversations[0].title, parsed.conversations[0].kind) == (
        "小美",
        ConversationKind.PRIVATE,
    )
    assert [(m.sender_name, m.ts_ms) for m in parsed.messages] == [
        ("小美", utc_ms(2022, 8, 8, 10, 15)),
        ("阿明", utc_ms(2022, 8, 8, 14, 40)),
        ("阿明", utc_ms(2022, 8, 8, 14, 41)),
    ]
    assert parsed.messages[1].media == "[貼圖]"


def test_messages_before_any_date_are_counted() -> None:
    parsed = parse_fixture(LINE_TXT, LINE / "no_date_line.txt")

    assert parsed.conversations[0].kind is ConversationKind.GROUP
    assert parsed.texts == ["Now dated"]
    assert parsed.warnings() == {"no-date": 1, "outside-message": 1}
    assert parsed.examples("no-date")[0].startswith("line 3:")


def test_a_file_without_the_line_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_text("\nHello there\n2020/01/04(Sat)\n", encoding="utf-8")
    assert not sniffs(LINE_TXT, path)
    with pytest.raises(ImportFormatError) as caught:
        parse_unsniffed(LINE_TXT, path)
    assert caught.value.location == "line 2"
    assert "[LINE]" in caught.value.problem


@pytest.mark.parametrize(
    ("name", "format_id"),
    [("english.txt", "line-txt"), ("japanese.txt", "line-txt"), ("chinese_utf16.txt", "line-txt")],
)
def test_registry_detects_line_exports(name: str, format_id: str, tmp_path: Path) -> None:
    renamed = tmp_path / "history"
    shutil.copy(LINE / name, renamed)
    assert detected_format(renamed) == format_id
