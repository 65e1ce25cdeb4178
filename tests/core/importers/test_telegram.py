"""Telegram Desktop exports: result.json (single chat and full export) and the HTML pages."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.base import ParseOptions, ParseReport
from chatsum.core.importers.chatlab import CHATLAB_JSON
from chatsum.core.importers.json_stream import JsonStream
from chatsum.core.importers.registry import plan
from chatsum.core.importers.telegram import TELEGRAM_JSON
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

TG = FIXTURES / "telegram"
MOSCOW = 180


# ---------------------------------------------------------------- result.json


def test_single_chat_reads_rich_text_service_messages_edits_and_replies() -> None:
    parsed = parse_fixture(TELEGRAM_JSON, TG / "result_single_chat.json", default_utc_offset_min=0)

    [chat] = parsed.conversations
    assert (chat.title, chat.kind, chat.external_id, chat.platform) == (
        "Hiking 徒步",
        ConversationKind.GROUP,
        "1234567890",
        "telegram",
    )
    by_id = {m.external_id: m for m in parsed.messages}
    created = by_id["1"]
    assert (created.kind, created.sender_name) == (MessageKind.SYSTEM, None)
    assert created.text == "Alice created group «Hiking 徒步» with Alice, Bob"
    assert by_id["10"].text == "Alice invited Dave, Deleted Account"
    # date and date_unixtime together give the exact offset of the exporting clock
    hello = by_id["2"]
    assert (hello.ts_ms, hello.utc_offset_min, hello.offset_assumed) == (
        utc_ms(2023, 1, 15, 10, 1, offset_min=MOSCOW),
        MOSCOW,
        False,
    )
    assert (hello.sender_name, hello.sender_id, hello.text) == (
        "Alice",
        "user111",
        "周末去爬山吗？",
    )
    reply = by_id["3"]
    assert reply.text == "Sure, see the route at https://example.com/route"
    assert reply.kind == MessageKind.TEXT
    assert reply.reply_to_external_id == "2"
    assert reply.edited_ts_ms == utc_ms(2023, 1, 15, 10, 5, offset_min=MOSCOW)
    assert by_id["4"].kind == MessageKind.LINK  # only link entities
    assert (by_id["5"].kind, by_id["5"].media, by_id["5"].text) == (
        MessageKind.MEDIA,
        "photo",
        "the view",
    )
    assert (by_id["6"].kind, by_id["6"].media) == (MessageKind.STICKER, "👍")
    assert (by_id["7"].kind, by_id["7"].media) == (MessageKind.FILE, "trail.gpx")
    assert (by_id["8"].kind, by_id["8"].media) == (MessageKind.MEDIA, "voice message")
    assert by_id["9"].text == "Poll: Saturday or Sunday? (Saturday / Sunday)"
    assert by_id["13"].text == "Bob pinned a message"


def test_records_with_only_one_kind_of_date_assume_the_configured_offset() -> None:
    parsed = parse_fixture(TELEGRAM_JSON, TG / "result_single_chat.json", default_utc_offset_min=60)
    by_id = {m.external_id: m for m in parsed.messages}

    only_local = by_id["11"]
    assert (only_local.ts_ms, only_local.utc_offset_min, only_local.offset_assumed) == (
        utc_ms(2023, 1, 15, 10, 10, offset_min=60),
        60,
        True,
    )
    only_unix = by_id["12"]
    assert (only_unix.ts_ms, only_unix.utc_offset_min, only_unix.offset_assumed) == (
        1673766660000,
        60,
        True,
    )
    assert (only_unix.sender_name, only_unix.sender_id) == ("Deleted Account", "user555")


def test_full_export_reads_every_chat_and_knows_who_self_is() -> None:
    parsed = parse_fixture(TELEGRAM_JSON, TG / "result_full_export.json")

    assert [(c.title, c.kind, c.external_id) for c in parsed.conversations] == [
        ("Bob", ConversationKind.PRIVATE, "222"),
        ("Saved Messages", ConversationKind.PRIVATE, "111"),
        ("News", ConversationKind.CHANNEL, "999"),
        ("Old group", ConversationKind.GROUP, "777"),  # from left_chats
    ]
    assert [(m.conversation_key, m.is_self) for m in parsed.messages] == [
        ("telegram:222", True),
        ("telegram:222", False),
        ("telegram:222", None),  # the call is a service message: nobody's
        ("telegram:111", True),
        ("telegram:999", False),
        ("telegram:777", False),
    ]
    assert parsed.messages[2].text == "Bob made a call (65 s)"
    # a summer date: the export's own clock was an hour further ahead
    assert parsed.messages[-1].utc_offset_min == 120
    assert parsed.messages[-1].location == "left_chats.list[0].messages[0]"


def test_personal_chat_alone_uses_the_chat_id_to_tell_self() -> None:
    parsed = parse_fixture(TELEGRAM_JSON, TG / "result_personal.json")

    assert [(m.sender_name, m.is_self) for m in parsed.messages] == [
        ("Alice", True),
        ("Bob", False),
    ]


def test_a_truncated_file_is_an_error_naming_its_line() -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_fixture(TELEGRAM_JSON, TG / "truncated.json")

    assert caught.value.file.endswith("truncated.json")
    assert caught.value.location is not None and caught.value.location.startswith("line 123 ")
    assert "truncated" in caught.value.problem


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(ImportFormatError) as caught:
        parse_fixture(TELEGRAM_JSON, TG / "malformed.json")

    assert caught.value.location == "line 45 column 4"
    assert "Expecting ',' delimiter" in caught.value.problem


def test_a_record_without_a_date_is_an_error_naming_the_record() -> None:
    with pytest.raises(ImportFormatError, match=r"no_date\.json messages\[1\] \(line \d+"):
        parse_fixture(TELEGRAM_JSON, TG / "no_date.json")


def test_json_that_is_not_telegram_is_rejected() -> None:
    assert not sniffs(TELEGRAM_JSON, FIXTURES / "chatlab" / "chat.json")
    assert not sniffs(CHATLAB_JSON, TG / "result_single_chat.json")
    assert not sniffs(WHATSAPP, TG / "result_single_chat.json")
    assert detected_format(TG / "result_full_export.json") == "telegram-json"


def test_an_object_without_messages_or_chats_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "result.json"
    path.write_text('{"name": "x", "type": "private_group", "id": 1}', encoding="utf-8")

    with pytest.raises(ImportFormatError, match="neither 'messages' nor 'chats'"):
        parse_unsniffed(TELEGRAM_JSON, path)


def test_import_twice_then_a_newer_export(tmp_path: Path) -> None:
    db = tmp_path / "chatsum.db"
    export = tmp_path / "result.json"
    data = json.loads((TG / "result_single_chat.json").read_text(encoding="utf-8"))
    data["messages"] = data["messages"][:5]
    export.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    first = drive(import_paths(db, [export]))
    again = drive(import_paths(db, [export]))
    newer = drive(import_paths(db, [TG / "result_single_chat.json"]))

    assert (first.messages_new, again.messages_new) == (5, 0)
    assert (newer.messages_new, newer.duplicates) == (8, 5)


# ---------------------------------------------------------------- JsonStream


def _stream(text: str, chunk: int) -> JsonStream:
    return JsonStream(io.StringIO(text), "test.json", chunk_chars=chunk)


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 1 << 20])
def test_stream_walks_nested_containers_across_any_buffer_edge(chunk: int) -> None:
    document = {
        "about": "x" * 50,
        "numbers": [1, 22, 333, 4444.5, -6e3, True, None],
        "chats": {
            "list": [{"id": 1, "messages": [{"t": "é中"}, {"t": "\\n"}]}, {"id": 2, "messages": []}]
        },
    }
    stream = _stream(json.dumps(document, indent=1, ensure_ascii=False), chunk)
    seen: dict[str, object] = {}
    for key in stream.object_keys():
        if key == "numbers":
            seen[key] = [value for _, value in stream.array_values()]
        elif key == "chats":
            chats = []
            for sub in stream.object_keys():
                assert sub == "list"
                for _ in stream.array_items():
                    chat: dict[str, object] = {}
                    for field in stream.object_keys():
                        if field == "messages":
                            chat[field] = [value for _, value in stream.array_values()]
                        else:
                            chat[field] = stream.value()
                    chats.append(chat)
            seen[key] = {"list": chats}
        else:
            seen[key] = stream.value()

    assert seen == document


@pytest.mark.parametrize("chunk", [3, 1 << 20])
def test_stream_errors_name_the_line_and_column_after_sliding(chunk: int) -> None:
    text = '{\n "messages": [\n  {"a": 1},\n  {"a": 2} {"a": 3}\n ]\n}\n'
    stream = _stream(text, chunk)
    with pytest.raises(ImportFormatError) as caught:
        for _ in stream.object_keys():
            list(stream.array_values())

    assert caught.value.location == "line 4 column 12"
    assert caught.value.problem == "expected ',' or ']' but found '{'"


def test_stream_reports_a_trailing_comma_as_invalid_json() -> None:
    stream = _stream('[{"a": 1},\n ]', 4)

    with pytest.raises(ImportFormatError, match="line 2 column 2: invalid JSON"):
        list(stream.array_values())


def test_stream_reports_a_number_cut_by_the_end_of_file() -> None:
    stream = _stream('{"messages": [1, 2, 3', 2)

    with pytest.raises(ImportFormatError, match="truncated"):
        for _ in stream.object_keys():
            list(stream.array_values())


# ---------------------------------------------------------------- HTML export


def _run_bundle(path: Path, **options: object) -> tuple[list[ParsedItem], ParseReport]:
    [unit] = plan([path]).units
    assert unit.format_id == "telegram-html"
    report = ParseReport(unit.display)
    return list(unit.run(ParseOptions(**options), report)), report  # type: ignore[arg-type]


ParsedItem = ParsedConversation | ParsedMessage


def test_html_pages_of_a_chat_are_read_in_order_and_joined_messages_keep_their_sender() -> None:
    items, report = _run_bundle(TG / "html_export" / "chats" / "chat_01")

    assert isinstance(items[0], ParsedConversation)
    assert items[0].title == "Hiking 徒步"
    messages = [item for item in items if isinstance(item, ParsedMessage)]
    assert [(m.external_id, m.kind, m.sender_name) for m in messages] == [
        ("10", MessageKind.SYSTEM, None),
        ("11", MessageKind.TEXT, "Alice"),
        ("12", MessageKind.TEXT, "Bob"),
        ("13", MessageKind.TEXT, "Bob"),  # joined: no name in the page
        ("14", MessageKind.MEDIA, "Alice"),
        ("15", MessageKind.STICKER, "Alice"),  # joined, at the top of messages2.html
        ("16", MessageKind.FILE, "Carol"),  # "via @gpxbot" dropped from the name
        ("17", MessageKind.TEXT, "Bob"),  # forwarded: the forwarder, not the origin
        ("18", MessageKind.LINK, "Carol"),
    ]
    hello = messages[1]
    assert hello.text == "周末去爬山吗？\nAnyone up for it?"
    assert (hello.ts_ms, hello.utc_offset_min, hello.offset_assumed) == (
        utc_ms(2023, 1, 15, 10, 1, offset_min=MOSCOW),
        MOSCOW,
        False,
    )
    assert messages[0].ts_ms == hello.ts_ms  # a leading service line takes the next time
    assert messages[0].text == "Alice created group «Hiking 徒步»"
    assert messages[2].text == "Me & Carol"
    assert messages[3].reply_to_external_id == "11"
    assert messages[6].media == "trail.gpx"
    assert messages[7].text == "Snow expected on Saturday"
    assert messages[8].location == "messages2.html line 169"
    assert report.warning_count == 0


def test_old_html_without_offset_assumes_the_configured_one() -> None:
    items, _ = _run_bundle(TG / "html_export" / "chats" / "chat_02", default_utc_offset_min=-300)

    messages = [item for item in items if isinstance(item, ParsedMessage)]
    assert [(m.sender_name, m.offset_assumed, m.utc_offset_min) for m in messages] == [
        ("Dave", True, -300),
        ("Dave", True, -300),
    ]
    assert messages[0].ts_ms == utc_ms(2019, 5, 5, 12, 0, offset_min=-300)


def test_whole_html_export_as_a_zip_makes_one_conversation_per_chat(tmp_path: Path) -> None:
    archive = tmp_path / "Telegram Desktop export.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted((TG / "html_export").rglob("*.html")):
            bundle.write(path, "ChatExport/" + path.relative_to(TG / "html_export").as_posix())

    result = plan([archive])

    [unit] = result.units
    assert unit.format_id == "telegram-html"
    assert result.skipped == [f"{archive}:ChatExport/export_results.html"]
    items = list(unit.run(ParseOptions(), ParseReport(unit.display)))
    titles = [item.title for item in items if isinstance(item, ParsedConversation)]
    assert titles == ["Hiking 徒步", "Old chat"]


def test_a_later_page_alone_warns_about_its_nameless_first_message(tmp_path: Path) -> None:
    page = tmp_path / "messages2.html"
    shutil.copyfile(TG / "html_export" / "chats" / "chat_01" / "messages2.html", page)

    items, report = _run_bundle(page)

    first = next(item for item in items if isinstance(item, ParsedMessage))
    assert first.sender_name is None
    assert report.groups["joined-without-sender"].examples == ["messages2.html line 39"]


def test_result_json_with_a_utf8_bom_is_detected_and_read(tmp_path: Path) -> None:
    export = tmp_path / "result.json"
    export.write_bytes(b"\xef\xbb\xbf" + (TG / "result_personal.json").read_bytes())

    assert detected_format(export) == "telegram-json"
    assert [m.text for m in parse_fixture(TELEGRAM_JSON, export).messages] == ["hey", "yo"]
