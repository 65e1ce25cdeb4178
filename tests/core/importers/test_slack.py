"""Slack workspace exports: a bundle of users, conversation lists and day files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.base import ParseOptions, ParseReport
from chatsum.core.importers.registry import plan
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.progress import drive
from tests.core.importers.cjk_harness import FIXTURES

SLACK = FIXTURES / "slack"


def _parse(path: Path) -> tuple[list[ParsedConversation], list[ParsedMessage], ParseReport]:
    result = plan([path])
    [unit] = result.units
    assert unit.format_id == "slack"
    report = ParseReport(unit.display)
    conversations: list[ParsedConversation] = []
    messages: list[ParsedMessage] = []
    for item in unit.run(ParseOptions(default_utc_offset_min=0), report):
        if isinstance(item, ParsedConversation):
            conversations.append(item)
        else:
            assert item.conversation_key == conversations[-1].key  # announced first
            messages.append(item)
    return conversations, messages, report


def _zip(folder: Path, archive: Path, prefix: str) -> Path:
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
    return archive


def test_every_listed_conversation_and_stray_folder_is_imported() -> None:
    conversations, _, report = _parse(SLACK / "workspace")

    assert [(c.title, c.kind, c.external_id) for c in conversations] == [
        ("#general", ConversationKind.GROUP, "C01GENERAL"),
        ("#random", ConversationKind.GROUP, "C02RANDOM"),
        ("#secret-plans", ConversationKind.GROUP, "G01SECRET"),
        ("Alice, Bob Jones, 王芳", ConversationKind.GROUP, "G02MPIM"),
        ("Alice, Bob Jones", ConversationKind.PRIVATE, "D01AB"),
        ("#old-project", ConversationKind.GROUP, None),
    ]
    assert report.groups["unlisted-folder"].examples == ["old-project"]


def test_messages_resolve_mentions_threads_bots_files_and_subtypes() -> None:
    _, messages, _ = _parse(SLACK / "workspace")
    general = [m for m in messages if m.conversation_key == "slack:C01GENERAL"]

    joined, hello, answer, bot, picture, link, deleted, chinese, route, ghost = general
    assert (joined.kind, joined.sender_name, joined.text) == (
        MessageKind.SYSTEM,
        None,
        "@王芳 has joined the channel",
    )
    assert hello.text == (
        "Hi @Bob Jones, see #random and the plan (https://example.com/plan) & @here"
    )
    assert (hello.sender_name, hello.sender_id) == ("Alice", "U01ALICE")
    assert (hello.ts_ms, hello.external_id, hello.reply_to_external_id) == (
        1673776860000,
        "1673776860.000200",
        None,  # a thread's parent is not a reply
    )
    assert answer.reply_to_external_id == "1673776860.000200"
    assert answer.edited_ts_ms == 1673777000000
    assert (bot.sender_name, bot.sender_id, bot.kind) == (
        "deploybot",
        "B01DEPLOY",
        MessageKind.TEXT,
    )
    assert (picture.kind, picture.media) == (MessageKind.MEDIA, "trail.jpg")
    assert (link.kind, link.text) == (MessageKind.LINK, "https://example.com/forecast")
    assert (deleted.kind, deleted.sender_name, deleted.text) == (MessageKind.DELETED, None, "")
    assert chinese.text == "周末去爬山吗？"
    assert (route.kind, route.media, route.text) == (MessageKind.FILE, "route.gpx", "the route")
    assert (ghost.sender_name, ghost.sender_id) == ("Ghost", "U09GONE")
    assert ghost.location == "general/2023-01-16.json[3]"
    assert all(m.offset_assumed for m in messages)


def test_a_zipped_export_with_a_top_folder_reads_the_same(tmp_path: Path) -> None:
    archive = _zip(SLACK / "workspace", tmp_path / "Acme Slack export.zip", "Acme Slack export/")
    _, from_folder, _ = _parse(SLACK / "workspace")

    _, from_zip, _ = _parse(archive)

    assert [(m.text, m.ts_ms) for m in from_zip] == [(m.text, m.ts_ms) for m in from_folder]


def test_a_broken_day_file_names_the_file_line_and_column() -> None:
    [unit] = plan([SLACK / "broken"]).units

    with pytest.raises(ImportFormatError) as caught:
        list(unit.run(ParseOptions(), ParseReport(unit.display)))

    assert caught.value.file.endswith("general/2023-01-15.json")
    assert caught.value.location == "line 3 column 21"


def test_a_folder_without_users_json_is_not_slack(tmp_path: Path) -> None:
    (tmp_path / "general").mkdir()
    (tmp_path / "channels.json").write_text("[]", encoding="utf-8")
    (tmp_path / "general" / "2023-01-15.json").write_text("[]", encoding="utf-8")

    assert all(unit.format_id != "slack" for unit in plan([tmp_path]).units)


def test_reimporting_the_zip_adds_nothing(tmp_path: Path) -> None:
    archive = _zip(SLACK / "workspace", tmp_path / "export.zip", "")
    db = tmp_path / "chatsum.db"

    first = drive(import_paths(db, [archive]))
    again = drive(import_paths(db, [archive]))

    assert first.messages_new == 15
    assert again.messages_new == 0
