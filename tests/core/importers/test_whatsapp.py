"""WhatsApp .txt/.zip exports: every timestamp shape, placeholders, system lines, encodings."""

from __future__ import annotations

import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind, ParsedMessage
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.base import ParseOptions, ParseReport
from chatsum.core.importers.registry import plan
from chatsum.core.importers.sources import file_entry
from chatsum.core.importers.whatsapp import WHATSAPP
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.progress import drive
from tests.core.importers.cjk_harness import (
    FIXTURES,
    detected_format,
    parse_fixture,
    parse_unsniffed,
    sniffs,
    utc_ms,
)

WA = FIXTURES / "whatsapp"
UTC = {"default_utc_offset_min": 0}


def at(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> int:
    return utc_ms(year, month, day, hour, minute, second, offset_min=0)


def test_android_24h_day_first_with_system_lines_media_and_continuations() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "android_24h_dmy.txt", **UTC)

    [chat] = parsed.conversations
    assert (chat.platform, chat.title, chat.kind) == (
        "whatsapp",
        "android_24h_dmy",
        ConversationKind.GROUP,
    )
    assert parsed.kinds == [
        MessageKind.SYSTEM, MessageKind.SYSTEM, MessageKind.SYSTEM, MessageKind.TEXT,
        MessageKind.MEDIA, MessageKind.MEDIA, MessageKind.LINK, MessageKind.DELETED,
        MessageKind.TEXT, MessageKind.TEXT, MessageKind.SYSTEM, MessageKind.STICKER,
        MessageKind.FILE, MessageKind.TEXT,
    ]  # fmt: skip
    by_line = {m.location: m for m in parsed.messages}
    # system lines are never attributed, even one whose subject contains ": "
    assert by_line["line 2"].sender_name is None
    assert by_line["line 2"].text == 'Alice created group "New Year: 2020"'
    assert by_line["line 15"].text == "Bob left"
    # lines without a timestamp continue the message, blank lines included
    assert (
        by_line["line 4"].text == "Happy new year everyone!\nSee you all tomorrow\n\nbring snacks"
    )
    assert by_line["line 4"].ts_ms == at(2019, 12, 31, 23, 55)
    assert by_line["line 8"].media == "<Media omitted>" and by_line["line 8"].text == ""
    # an attached picture keeps its caption as text
    assert (by_line["line 9"].media, by_line["line 9"].text) == (
        "IMG-20200101-WA0001.jpg",
        "fireworks!",
    )
    assert by_line["line 12"].text == ""
    assert by_line["line 13"].text == "Lunch at 1"
    assert by_line["line 13"].edited_ts_ms == by_line["line 13"].ts_ms
    assert by_line["line 14"].sender_name == "+44 7700 900123"  # direction marks stripped
    assert by_line["line 16"].media == "STK-20200101-WA0002.webp"
    assert by_line["line 17"].media == "report.pdf"
    # the file has no final newline
    assert by_line["line 18"].text == "last line without a newline"
    assert all(m.offset_assumed and m.utc_offset_min == 0 for m in parsed.messages)
    assert parsed.warnings() == {}


def test_the_default_offset_is_applied_and_marked_assumed() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "android_24h_dmy.txt", default_utc_offset_min=120)

    first = parsed.messages[0]
    assert first.ts_ms == utc_ms(2019, 12, 31, 23, 50, offset_min=120)
    assert (first.utc_offset_min, first.offset_assumed) == (120, True)


def test_twelve_hour_month_first_is_inferred_from_a_second_field_above_12() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "android_12h_mdy.txt", **UTC)

    assert [m.ts_ms for m in parsed.messages] == [
        at(2020, 1, 12, 9, 5),
        at(2020, 1, 12, 12, 30),  # 12:30 PM is half past noon
        at(2020, 1, 13, 0, 5),  # 12:05 AM is just after midnight
        at(2020, 1, 13, 23, 59),
    ]
    assert parsed.warnings() == {}


def test_ios_brackets_marks_attachments_and_group_system_lines() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "ios_brackets.txt", **UTC)

    assert parsed.conversations[0].kind == ConversationKind.GROUP
    messages = parsed.messages
    assert [m.kind for m in messages[:2]] == [MessageKind.SYSTEM, MessageKind.SYSTEM]
    assert [m.sender_name for m in messages[:2]] == [None, None]
    assert messages[1].text == "Frank created group “Hiking Club”"
    assert messages[2].ts_ms == at(2021, 2, 14, 10, 1, 15)
    kinds_media = [(m.sender_name, m.kind, m.media) for m in messages[3:9]]
    assert kinds_media == [
        ("Grace", MessageKind.MEDIA, "image omitted"),
        ("Grace", MessageKind.MEDIA, "00000012-PHOTO-2021-02-14-10-03-00.jpg"),
        ("Heidi", MessageKind.STICKER, "sticker omitted"),
        ("Frank", MessageKind.FILE, "00000013-Route.pdf"),
        ("Heidi", MessageKind.DELETED, None),
        ("Grace", MessageKind.MEDIA, "audio omitted"),
    ]
    assert messages[-1].text == "Meet at 8\nat the north gate"
    assert not any("\u200e" in (m.text + (m.media or "")) for m in messages)


def test_spanish_a_m_p_m_with_no_break_and_thin_spaces() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "android_es_ampm.txt", **UTC)

    assert [(m.ts_ms, m.kind) for m in parsed.messages] == [
        (at(2021, 3, 25, 13, 55), MessageKind.TEXT),
        (at(2021, 3, 25, 14, 1), MessageKind.MEDIA),
        (at(2021, 3, 25, 14, 2), MessageKind.MEDIA),
        (at(2021, 3, 26, 9, 15), MessageKind.DELETED),
        (at(2021, 3, 26, 0, 0), MessageKind.TEXT),  # 12:00 a. m. is midnight
    ]
    assert parsed.messages[1].media == "<Multimedia omitido>"
    assert parsed.messages[2].media == "IMG-20210325-WA0003.jpg"
    assert parsed.messages[0].sender_name == "Iván"


@pytest.mark.parametrize(
    ("name", "first", "last", "senders"),
    [
        ("finnish_klo.txt", at(2018, 6, 13, 21, 25, 15), at(2018, 6, 14, 7, 5), ["Matti", "Liisa", "Matti"]),
        ("dotted_spaced.txt", at(2018, 6, 13, 21, 25, 15), at(2018, 6, 13, 21, 26), ["Ivan", "Ana"]),
        ("dotted_dmy.txt", at(2022, 12, 24, 18, 0), at(2022, 12, 24, 18, 1), ["Jonas", "Mia"]),
        ("dashed_dmy.txt", at(2022, 12, 24, 18, 0), at(2022, 12, 24, 18, 5), ["Sanne", "Daan"]),
        ("ymd_chinese.txt", at(2020, 1, 5, 9, 5), at(2020, 1, 6, 0, 1), ["张三", "李四", "张三", "李四"]),
    ],
)  # fmt: skip
def test_locale_variants(name: str, first: int, last: int, senders: list[str]) -> None:
    parsed = parse_fixture(WHATSAPP, WA / name, **UTC)

    assert [m.ts_ms for m in (parsed.messages[0], parsed.messages[-1])] == [first, last]
    assert [m.sender_name for m in parsed.messages] == senders
    assert parsed.warnings() == {}


def test_chinese_afternoon_prefix_converts_to_24_hours() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "ymd_chinese.txt", **UTC)

    assert [m.ts_ms for m in parsed.messages[1:3]] == [
        at(2020, 1, 5, 15, 5),
        at(2020, 1, 5, 12, 10),
    ]


def test_ambiguous_dates_assume_day_first_and_say_so() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "ambiguous_dates.txt", **UTC)

    assert parsed.messages[0].ts_ms == at(2021, 4, 3, 10, 0)
    assert parsed.warnings() == {"date-order-assumed": 1}


def test_the_date_order_setting_resolves_ambiguous_files() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "ambiguous_dates.txt", date_order="mdy", **UTC)

    assert parsed.messages[0].ts_ms == at(2021, 3, 4, 10, 0)
    assert parsed.warnings() == {}


def test_the_setting_never_overrides_a_proven_order() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "android_24h_dmy.txt", date_order="mdy", **UTC)

    assert parsed.messages[0].ts_ms == at(2019, 12, 31, 23, 50)


def test_lines_before_the_first_message_and_impossible_dates_are_reported() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "leading_junk.txt", **UTC)

    assert parsed.warnings() == {"before-first-message": 1, "bad-date": 1}
    assert parsed.examples("before-first-message") == ["line 1: Chat exported by a backup tool"]
    assert parsed.examples("bad-date")[0].startswith("line 3: 31/02/2022")
    # the impossible line is kept, as text of the message before it
    assert parsed.messages[0].text == "hello\n31/02/2022, 10:05 - Nina: not a real day"
    assert len(parsed.messages) == 2


@pytest.mark.parametrize("name", ["utf8_bom_crlf.txt", "utf16_bom.txt"])
def test_bom_and_utf16_encodings(name: str) -> None:
    parsed = parse_fixture(WHATSAPP, WA / name, **UTC)

    assert parsed.messages[0].ts_ms == at(2022, 8, 15, 8, 0)
    assert not parsed.messages[0].sender_name.startswith("\ufeff")  # type: ignore[union-attr]
    assert all("\r" not in m.text for m in parsed.messages)
    assert parsed.warnings() == {}


def test_utf16_text_survives() -> None:
    parsed = parse_fixture(WHATSAPP, WA / "utf16_bom.txt", **UTC)

    assert [(m.sender_name, m.text) for m in parsed.messages] == [
        ("王芳", "你好"),
        ("Tom", "hi 👋"),
    ]


def test_a_file_that_does_not_open_like_whatsapp_is_not_sniffed() -> None:
    path = WA / "not_whatsapp.txt"

    assert not sniffs(WHATSAPP, path)
    with pytest.raises(ImportFormatError, match=r"not_whatsapp\.txt line 1"):
        plan([path])


def test_parsing_a_file_with_no_timestamp_line_names_the_file(tmp_path: Path) -> None:
    notes = tmp_path / "meeting.txt"
    notes.write_text("notes\nmore notes\n", encoding="utf-8")

    with pytest.raises(ImportFormatError, match=r"meeting\.txt line 1: no line starts"):
        parse_unsniffed(WHATSAPP, notes)


def test_content_decides_not_the_file_name(tmp_path: Path) -> None:
    renamed = tmp_path / "backup.log"
    shutil.copyfile(WA / "ios_brackets.txt", renamed)

    assert detected_format(renamed) == "whatsapp-txt"
    assert detected_format(FIXTURES / "telegram" / "result_single_chat.json") == "telegram-json"


def test_exported_zip_is_read_by_content_and_titled_after_the_chat(tmp_path: Path) -> None:
    archive = tmp_path / "WhatsApp Chat - Family 家人.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(WA / "ios_brackets.txt", "_chat.txt")
        bundle.writestr(
            "00000012-PHOTO-2021-02-14-10-03-00.jpg", b"\xff\xd8\xff\xe0 not really a jpeg"
        )

    result = plan([archive])

    [unit] = result.units
    assert unit.format_id == "whatsapp-txt"
    assert result.skipped == [f"{archive}:00000012-PHOTO-2021-02-14-10-03-00.jpg"]
    items = list(unit.run(ParseOptions(), ParseReport(unit.display)))
    assert items[0].title == "Family 家人"  # type: ignore[union-attr]
    assert sum(isinstance(item, ParsedMessage) for item in items) == 10


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    def peak_for(count: int) -> int:
        path = tmp_path / f"big_{count}.txt"
        with path.open("w", encoding="utf-8") as out:
            for i in range(count):
                out.write(
                    f"{1 + i % 28}/3/2022, {i % 24:02d}:{i % 60:02d} - 用户{i % 7}: 消息 {i}\n"
                )
        tracemalloc.start()
        try:
            items = WHATSAPP.parse(file_entry(path), ParseOptions(), ParseReport("x"))
            consumed = sum(1 for _ in items)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert consumed == count + 1
        return peak

    small, large = peak_for(2_000), peak_for(20_000)
    assert large < small * 2 + 256 * 1024


def test_reimporting_adds_nothing_and_a_newer_export_adds_only_new_messages(tmp_path: Path) -> None:
    db = tmp_path / "chatsum.db"
    chat = tmp_path / "WhatsApp Chat with Hiking Club.txt"
    shutil.copyfile(WA / "ios_brackets.txt", chat)

    first = drive(import_paths(db, [chat], ParseOptions(default_utc_offset_min=60)))
    again = drive(import_paths(db, [chat], ParseOptions(default_utc_offset_min=60)))
    with chat.open("a", encoding="utf-8") as out:
        out.write("[15/02/2021, 09:00:00] Grace: Sunday works too\n")
    newer = drive(import_paths(db, [chat], ParseOptions(default_utc_offset_min=60)))

    assert first.messages_new == 10
    assert again.messages_new == 0
    assert (newer.messages_new, newer.duplicates) == (1, 10)
