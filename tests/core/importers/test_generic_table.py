"""Generic CSV / JSONL with guessed or mapped columns, and the time formats they carry."""

from __future__ import annotations

from datetime import datetime

import pytest

from chatsum.core.domain import MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.generic_table import GENERIC_CSV, GENERIC_JSONL, guess_columns
from chatsum.core.importers.loose_time import parse_moment
from chatsum.core.importers.registry import plan
from tests.core.importers.cjk_harness import (
    FIXTURES,
    detected_format,
    parse_fixture,
    parse_unsniffed,
    sniffs,
    utc_ms,
)

GENERIC = FIXTURES / "generic"


def test_csv_with_epoch_iso_and_local_times_and_a_channel_column() -> None:
    parsed = parse_fixture(GENERIC_CSV, GENERIC / "messages.csv")

    assert [c.key for c in parsed.conversations] == ["general", "random"]
    by_id = {m.external_id: m for m in parsed.messages}
    assert by_id["m1"].ts_ms == 1_700_000_000_000  # epoch seconds
    assert by_id["m2"].ts_ms == 1_700_000_060_000  # epoch milliseconds
    assert (by_id["m3"].ts_ms, by_id["m3"].utc_offset_min, by_id["m3"].offset_assumed) == (
        utc_ms(2023, 11, 14, 22, 15, offset_min=60),
        60,
        False,
    )
    assert by_id["m4"].text == "multi-line\ntext, with a comma"
    assert by_id["m4"].ts_ms == utc_ms(2023, 11, 14, 22, 16)
    assert by_id["m5"].kind is MessageKind.SYSTEM and by_id["m5"].sender_name is None
    assert (by_id["m7"].kind, by_id["m7"].media) == (MessageKind.MEDIA, "[图片]")
    assert "m6" not in by_id
    assert parsed.examples("bad-time") == ["line 8: 'whenever'"]


def test_chinese_headers_in_gb18030() -> None:
    parsed = parse_fixture(GENERIC_CSV, GENERIC / "chinese_headers.csv")

    assert [m.sender_name for m in parsed.messages] == ["张三", "李四", None]
    assert [m.ts_ms for m in parsed.messages] == [
        utc_ms(2023, 5, 1, 15, 5),  # 下午 3:05
        utc_ms(2023, 5, 1, 15, 6, 30),  # 2023年5月1日
        utc_ms(2023, 5, 1, 15, 7),
    ]
    assert parsed.messages[2].kind is MessageKind.SYSTEM  # a recall notice


def test_excel_unicode_text_day_order_decided_by_a_later_row() -> None:
    parsed = parse_fixture(GENERIC_CSV, GENERIC / "excel_unicode.txt")

    # 25/04 proves day-first, which also fixes the earlier 03/04 as 3 April.
    assert [m.ts_ms for m in parsed.messages] == [
        utc_ms(2023, 4, 3, 9, 15),
        utc_ms(2023, 4, 25, 10, 0),
        utc_ms(2023, 4, 26, 22, 5),
    ]
    assert parsed.warnings() == {}


def test_ambiguous_day_order_is_reported_and_follows_the_setting() -> None:
    assumed = parse_fixture(GENERIC_CSV, GENERIC / "ambiguous_dates.csv")
    assert assumed.messages[0].ts_ms == utc_ms(2023, 4, 3, 9, 15)
    assert assumed.warnings() == {"date-order-assumed": 1}

    chosen = parse_fixture(GENERIC_CSV, GENERIC / "ambiguous_dates.csv", date_order="mdy")
    assert chosen.messages[0].ts_ms == utc_ms(2023, 3, 4, 9, 15)
    assert chosen.warnings() == {}


def test_no_time_column_keeps_row_order() -> None:
    parsed = parse_fixture(GENERIC_CSV, GENERIC / "no_time.csv")

    assert parsed.texts == ["first", "second", "third"]
    stamps = [m.ts_ms for m in parsed.messages]
    assert stamps == sorted(stamps) and len(set(stamps)) == 3
    assert parsed.warnings() == {"times-missing": 1}


def test_unknown_column_names_need_a_column_map() -> None:
    path = GENERIC / "custom_columns.csv"
    assert not sniffs(GENERIC_CSV, path)
    with pytest.raises(ImportFormatError, match="column map"):
        parse_unsniffed(GENERIC_CSV, path)

    mapped = parse_unsniffed(
        GENERIC_CSV, path, column_map={"sender": "who", "text": "said", "time": "when"}
    )
    assert [(m.sender_name, m.text) for m in mapped.messages] == [("Ana", "hi"), ("Ben", "hey")]
    assert mapped.messages[1].ts_ms == utc_ms(2023, 1, 1, 10, 1)

    with pytest.raises(ImportFormatError, match="'speaker'"):
        parse_unsniffed(GENERIC_CSV, path, column_map={"sender": "speaker", "text": "said"})


@pytest.mark.parametrize(
    ("name", "location"),
    [("truncated_quote.csv", "line 3"), ("truncated_row.csv", "line 4")],
)
def test_truncated_csv_is_an_error(name: str, location: str) -> None:
    with pytest.raises(ImportFormatError, match="truncated") as caught:
        parse_fixture(GENERIC_CSV, GENERIC / name)
    assert caught.value.location == location


def test_rows_of_the_wrong_width_are_counted() -> None:
    parsed = parse_fixture(GENERIC_CSV, GENERIC / "wide_rows.csv")

    assert parsed.texts == ["ok", "fine"]
    assert parsed.examples("csv-row-width") == ["line 3: 4 columns, expected 3"]


def test_a_spreadsheet_that_is_not_a_chat_is_not_claimed() -> None:
    path = GENERIC / "not_chat.csv"
    assert not sniffs(GENERIC_CSV, path)
    with pytest.raises(ImportFormatError, match="not a chat export"):
        plan([path])


def test_jsonl_nested_authors_and_non_objects() -> None:
    parsed = parse_fixture(GENERIC_JSONL, GENERIC / "messages.jsonl")

    assert [(m.sender_name, m.sender_id) for m in parsed.messages] == [
        ("Ana", "u1"),
        ("Ben", "u2"),
        ("Cleo", None),
    ]
    assert parsed.messages[0].ts_ms == 1_700_000_000_123
    assert (parsed.messages[1].utc_offset_min, parsed.messages[1].offset_assumed) == (0, False)
    assert parsed.messages[2].text == "list of parts"
    assert parsed.examples("not-an-object") == ["record 3 (line 3)"]


def test_jsonl_cut_short_is_an_error() -> None:
    with pytest.raises(ImportFormatError, match="truncated") as caught:
        parse_fixture(GENERIC_JSONL, GENERIC / "broken.jsonl")
    assert caught.value.location == "record 2 (line 2)"


def test_column_guesses_prefer_specific_names() -> None:
    columns = guess_columns(["Name", "Sender", "Created_At", "Body", "Chat"])
    assert columns == {
        "sender": "Sender",
        "time": "Created_At",
        "text": "Body",
        "conversation": "Chat",
    }
    assert guess_columns(["发送者", "时间", "内容"]) == {
        "sender": "发送者",
        "time": "时间",
        "text": "内容",
    }


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2023-05-01 12:00", datetime(2023, 5, 1, 12, 0)),
        ("2023/5/1 下午 3:05:09", datetime(2023, 5, 1, 15, 5, 9)),
        ("2023年5月1日 上午12:30", datetime(2023, 5, 1, 0, 30)),
        ("01/05/2023 3:05 PM", datetime(2023, 5, 1, 15, 5)),
        ("13.05.23 07:00", datetime(2023, 5, 13, 7, 0)),
        ("2023-05-01T12:00:00.1234567", datetime(2023, 5, 1, 12, 0, 0, 123456)),
    ],
)
def test_written_times(written: str, expected: datetime) -> None:
    parsed = parse_moment(written)
    assert parsed is not None and parsed[0] == expected


@pytest.mark.parametrize(
    ("name", "format_id"),
    [
        ("messages.csv", "generic-csv"),
        ("chinese_headers.csv", "generic-csv"),
        ("excel_unicode.txt", "generic-csv"),
        ("messages.jsonl", "generic-jsonl"),
    ],
)
def test_registry_detects_generic_tables(name: str, format_id: str) -> None:
    assert detected_format(GENERIC / name) == format_id
