"""Shared test fixtures: an isolated CHATSUM_HOME and small archive builders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from chatsum.config import Settings, load_settings
from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.storage.store import Store

BASE_MS = 1_700_000_000_000


@pytest.fixture()
def hub_online(monkeypatch: pytest.MonkeyPatch) -> None:
    """Downloads allowed, for tests that talk to a local 'hub'.

    huggingface_hub reads HF_HUB_OFFLINE once, at import; a suite that imported
    it while the variable was set would otherwise leave it offline for all later tests.
    """
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)


@pytest.fixture()
def settings(tmp_path: Path) -> Settings:
    return load_settings({"home": tmp_path / "home"}, environ={})


def parsed(
    key: str,
    sender: str | None,
    text: str,
    minute: int,
    kind: MessageKind = MessageKind.TEXT,
    external_id: str | None = None,
    reply_to: str | None = None,
) -> ParsedMessage:
    return ParsedMessage(
        conversation_key=key,
        ts_ms=BASE_MS + minute * 60_000,
        utc_offset_min=480,
        offset_assumed=False,
        kind=kind,
        text=text,
        sender_name=sender,
        external_id=external_id,
        reply_to_external_id=reply_to,
    )


def write_conversation(
    store: Store,
    lines: Iterable[tuple[str | None, str]],
    title: str = "爬山群",
    platform: str = "test",
    path: str = "memory.txt",
    sha: str = "0" * 64,
) -> int:
    """Store a conversation from (sender, text) pairs one minute apart; returns its id."""
    writer = store.writer()
    writer.begin(path, 1, sha, "test")
    conversation_id = writer.add_conversation(
        ParsedConversation("c", platform, title, ConversationKind.GROUP)
    )
    for minute, (sender, text) in enumerate(lines):
        kind = MessageKind.SYSTEM if sender is None else MessageKind.TEXT
        writer.add_message(parsed("c", sender, text, minute, kind))
    writer.commit([])
    return conversation_id
