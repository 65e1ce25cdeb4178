"""The archive commands through the real CLI entry point and a real SQLite file."""

from __future__ import annotations

import json

import pytest

from chatsum.cli.main import main
from chatsum.config import Settings
from chatsum.core.storage.store import Store
from chatsum.services import AppServices
from tests.conftest import write_conversation

CHAT = [("王强", "周六我们去爬山吧"), ("Tom", "The deploy failed"), ("李娜", "服务器宕机了")]


def run(settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    services = AppServices(settings)
    try:
        code = main(list(argv), services=services)
    finally:
        services.close()
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def archive(settings: Settings) -> int:
    store = Store.open(settings.db_path)
    cid = write_conversation(store, CHAT, title="周末小分队")
    store.close()
    return cid


def test_conversations_json_lists_counts(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(settings, capsys, "conversations", "--json")
    assert code == 0
    [row] = json.loads(out)
    assert row["id"] == archive and row["title"] == "周末小分队" and row["messages"] == 3


def test_show_filters_by_sender(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(settings, capsys, "show", "小分队", "--sender", "Tom", "--json")
    assert code == 0
    data = json.loads(out)
    assert [m["text"] for m in data["messages"]] == ["The deploy failed"]
    assert data["messages"][0]["time"].endswith("+08:00")


def test_show_text_and_since_until(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        settings,
        capsys,
        "show",
        str(archive),
        "--since",
        "2023-11-15 06:14",
        "--until",
        "2023-11-15 06:15",
    )
    assert code == 0
    assert "Tom: The deploy failed" in out and "爬山" not in out


def test_search_two_chinese_characters(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(settings, capsys, "search", "宕机", "--json")
    assert code == 0
    [hit] = json.loads(out)
    assert hit["message"]["sender"] == "李娜"
    assert [m["text"] for m in hit["before"]] == ["The deploy failed"]


def test_stats_json(settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(settings, capsys, "stats", "--json")
    data = json.loads(out)
    assert code == 0 and data["messages"] == 3 and data["conversations"] == 1
    assert data["messages_by_kind"] == {"text": 3}


def test_forget_requires_confirmation_then_removes(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(settings, capsys, "forget", "小分队")
    assert code == 2 and "--yes" in err
    code, out, _ = run(settings, capsys, "forget", "小分队", "--yes")
    assert code == 0 and "3 messages removed" in out
    code, _, err = run(settings, capsys, "show", "小分队")
    assert code == 4 and "No conversation matches" in err


def test_bad_date_is_a_clean_error(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(settings, capsys, "show", "小分队", "--since", "last tuesday")
    assert code == 2 and "YYYY-MM-DD" in err
