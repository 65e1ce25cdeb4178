"""Facebook Messenger / Instagram message_N.json: mojibake, newest-first order, attachments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.discord import DISCORD_JSON
from chatsum.core.importers.messenger import MESSENGER, repair_mojibake
from chatsum.core.importers.telegram import TELEGRAM_JSON
from tests.core.importers.cjk_harness import FIXTURES, detected_format, parse_fixture, sniffs

MS = FIXTURES / "messenger"
GROUP = (
    MS / "your_facebook_activity" / "messages" / "inbox" / "hikinggroup_abc123" / "message_1.json"
)
INSTAGRAM = MS / "your_instagram_activity" / "messages" / "inbox" / "bob_987" / "message_1.json"


def test_group_thread_is_repaired_reordered_and_classified() -> None:
    parsed = parse_fixture(MESSENGER, GROUP)

    [thread] = parsed.conversations
    assert (thread.platform, thread.title, thread.kind, thread.key) == (
        "messenger",
        "Hiking crew ⛰️",
        ConversationKind.GROUP,
        "messenger:inbox/hikinggroup_abc123",
    )
    times = [m.ts_ms for m in parsed.messages]
    assert times == sorted(times)  # the file is newest first
    assert [(m.kind, m.sender_name) for m in parsed.messages] == [
        (MessageKind.SYSTEM, None),
        (MessageKind.FILE, "Zoë Kovács"),
        (MessageKind.TEXT, "Bob"),
        (MessageKind.MEDIA, "王芳"),
        (MessageKind.STICKER, "Zoë Kovács"),
        (MessageKind.LINK, "Bob"),
        (MessageKind.SYSTEM, None),
        (MessageKind.DELETED, "Bob"),
        (MessageKind.DELETED, "Bob"),
    ]
    texts = [m.text for m in parsed.messages]
    assert texts[0] == "Zoë Kovács added Bob to the group."
    assert texts[1] == "Who's coming? 周六爬山"
    assert texts[2] == "Ça marche 👍"
    assert parsed.messages[1].media == "plan.pdf"
    assert (parsed.messages[3].media, parsed.messages[3].text) == ("2 photos", "")
    assert texts[-2:] == ["", ""]
    assert parsed.messages[0].ts_ms == 1673776920000
    assert all(m.offset_assumed for m in parsed.messages)


def test_instagram_is_told_apart_by_the_export_folders() -> None:
    parsed = parse_fixture(MESSENGER, INSTAGRAM)

    assert [(c.platform, c.kind) for c in parsed.conversations] == [
        ("instagram", ConversationKind.PRIVATE)
    ]
    assert [m.text for m in parsed.messages] == ["à samedi", "see you there"]


def test_equal_times_keep_their_written_order(tmp_path: Path) -> None:
    path = tmp_path / "message_1.json"
    path.write_text(
        json.dumps(
            {
                "participants": [{"name": "A"}, {"name": "B"}],
                "messages": [
                    {"sender_name": "B", "timestamp_ms": 1000, "content": "second"},
                    {"sender_name": "A", "timestamp_ms": 1000, "content": "first"},
                ],
            }
        ),
        encoding="utf-8",
    )

    assert [m.text for m in parse_fixture(MESSENGER, path).messages] == ["first", "second"]


@pytest.mark.parametrize(
    ("raw", "repaired"),
    [
        ("KovÃ¡cs", "Kovács"),
        ("\u00f0\u009f\u0091\u008d", "👍"),  # the four UTF-8 bytes of an emoji
        ("café", "café"),  # real Latin-1 text that is not mojibake stays
        ("王芳", "王芳"),  # already proper Unicode
        ("plain", "plain"),
    ],
)
def test_mojibake_repair(raw: str, repaired: str) -> None:
    assert repair_mojibake(raw) == repaired


def test_truncated_file_names_line_and_column() -> None:
    with pytest.raises(ImportFormatError, match=r"truncated_message_1\.json line \d+ column \d+"):
        parse_fixture(MESSENGER, MS / "truncated_message_1.json")


def test_sniffing(tmp_path: Path) -> None:
    assert not sniffs(MESSENGER, FIXTURES / "telegram" / "result_single_chat.json")
    assert not sniffs(TELEGRAM_JSON, GROUP)
    assert not sniffs(DISCORD_JSON, GROUP)
    renamed = tmp_path / "thread.json"
    renamed.write_bytes(GROUP.read_bytes())
    assert detected_format(renamed) == "messenger-json"
