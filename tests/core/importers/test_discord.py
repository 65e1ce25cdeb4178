"""DiscordChatExporter exports: JSON (exact offsets) and CSV (culture-formatted dates)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.base import ParseOptions
from chatsum.core.importers.discord import DISCORD_CSV, DISCORD_JSON
from chatsum.core.importers.messenger import MESSENGER
from chatsum.core.importers.telegram import TELEGRAM_JSON
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.progress import drive
from chatsum.core.storage.store import Store
from tests.core.importers.cjk_harness import (
    FIXTURES,
    detected_format,
    parse_fixture,
    sniffs,
    utc_ms,
)

DC = FIXTURES / "discord"
GENERAL_JSON = DC / "Hikers - Outdoors - general [910000000000000001].json"
GENERAL_CSV = DC / "Hikers - Outdoors - general [910000000000000001].csv"


def test_json_reads_authors_replies_edits_attachments_and_system_events() -> None:
    parsed = parse_fixture(DISCORD_JSON, GENERAL_JSON)

    [channel] = parsed.conversations
    assert (channel.title, channel.kind, channel.external_id, channel.key) == (
        "Hikers / #general",
        ConversationKind.GROUP,
        "910000000000000001",
        "discord:910000000000000001",
    )
    first, reply, picture, route, sticker, joined, link = parsed.messages
    assert (first.sender_name, first.sender_id, first.text) == (
        "Alice",  # the nickname wins over the account name
        "100000000000000001",
        "Who is in for Saturday? 周六爬山",
    )
    assert (first.ts_ms, first.utc_offset_min, first.offset_assumed) == (
        utc_ms(2023, 1, 15, 10, 0, offset_min=60) + 123,
        60,
        False,
    )
    assert reply.reply_to_external_id == first.external_id == "930000000000000001"
    assert reply.edited_ts_ms == utc_ms(2023, 1, 15, 10, 2, offset_min=60)
    assert (picture.kind, picture.media, picture.text) == (MessageKind.MEDIA, "trail.jpg", "")
    assert (route.kind, route.media, route.text) == (MessageKind.FILE, "route.gpx", "route file")
    assert (sticker.kind, sticker.media) == (MessageKind.STICKER, "Thumbs Up")
    assert (joined.kind, joined.sender_name, joined.text) == (
        MessageKind.SYSTEM,
        None,
        "RoleBot: Joined the server.",
    )
    assert (link.kind, link.ts_ms, link.utc_offset_min) == (
        MessageKind.LINK,
        utc_ms(2023, 1, 15, 9, 7, offset_min=0),
        0,
    )


def test_direct_messages_are_private_and_titled_by_the_channel() -> None:
    parsed = parse_fixture(
        DISCORD_JSON, DC / "Direct Messages - Private - bob_b [940000000000000000].json"
    )

    assert [(c.title, c.kind) for c in parsed.conversations] == [
        ("bob_b", ConversationKind.PRIVATE)
    ]


def test_a_message_without_timestamp_is_an_error_naming_the_record() -> None:
    with pytest.raises(
        ImportFormatError, match=r"missing_timestamp\.json messages\[1\] \(line \d+"
    ):
        parse_fixture(DISCORD_JSON, DC / "missing_timestamp.json")


def test_csv_infers_month_first_dates_and_reads_attachment_urls() -> None:
    parsed = parse_fixture(DISCORD_CSV, GENERAL_CSV, default_utc_offset_min=60)

    [channel] = parsed.conversations
    assert (channel.title, channel.external_id) == (
        "Hikers - Outdoors - general",
        "910000000000000001",
    )
    assert [m.ts_ms for m in parsed.messages] == [
        utc_ms(2023, 1, 15, 10, 0, offset_min=60),
        utc_ms(2023, 1, 15, 10, 1, offset_min=60),
        utc_ms(2023, 1, 15, 10, 3, offset_min=60),
        utc_ms(2023, 1, 15, 13, 4, offset_min=60),
    ]
    assert all(m.offset_assumed for m in parsed.messages)
    quoted = parsed.messages[1]
    assert quoted.text == 'me!\nsecond line, "quoted"'
    assert quoted.location == "line 3"  # where the multi-line row starts
    assert (parsed.messages[2].kind, parsed.messages[2].media) == (MessageKind.MEDIA, "trail.jpg")
    assert (parsed.messages[3].kind, parsed.messages[3].media) == (
        MessageKind.FILE,
        "route.gpx, map.png",
    )
    assert parsed.warnings() == {}


def test_csv_with_the_old_default_date_format_and_an_unreadable_date() -> None:
    parsed = parse_fixture(DISCORD_CSV, DC / "old_default_dates.csv", default_utc_offset_min=0)

    assert [m.ts_ms for m in parsed.messages] == [
        utc_ms(2020, 1, 15, 10, 30, offset_min=0),
        utc_ms(2020, 1, 15, 14, 5, offset_min=0),
    ]
    assert parsed.warnings() == {"bad-date": 1}
    assert parsed.examples("bad-date") == ["line 4: 'yesterday'"]


def test_sniffing_tells_discord_from_other_json_and_csv(tmp_path: Path) -> None:
    assert not sniffs(TELEGRAM_JSON, GENERAL_JSON)
    assert not sniffs(MESSENGER, GENERAL_JSON)
    other_csv = tmp_path / "export.csv"
    other_csv.write_text("Author,Date,Content\nA,2023-01-01,hi\n", encoding="utf-8")
    assert not sniffs(DISCORD_CSV, other_csv)
    renamed = tmp_path / "channel.txt"
    shutil.copyfile(GENERAL_CSV, renamed)
    assert detected_format(renamed) == "discord-csv"


def test_json_and_csv_of_one_channel_merge_into_one_conversation(tmp_path: Path) -> None:
    db = tmp_path / "chatsum.db"
    options = ParseOptions(default_utc_offset_min=60)
    drive(import_paths(db, [GENERAL_JSON], options))
    report = drive(import_paths(db, [GENERAL_CSV], options))

    store = Store.open(db)
    try:
        [conversation] = store.list_conversations()
    finally:
        store.close()
    assert conversation.external_id == "910000000000000001"
    assert report.sources[0].new_conversations == 0
