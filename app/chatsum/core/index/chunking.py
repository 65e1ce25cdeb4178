"""Cutting a conversation into the windows we embed.

A question is usually answered by a short exchange, not by one message ("move
the launch?" / "ok, Friday"), so the unit of the semantic index is a window of
consecutive messages. Windows never cross a *session* boundary (a silence
longer than `session_gap_ms`), are bounded in approximate tokens so every
embedder sees all of the window, and overlap by a few messages so an exchange
cut at a boundary is still whole in one of the two windows.

Windows are cut greedily from the start of each session, so appending messages
to a conversation changes only its last window(s): re-chunking the whole
conversation and comparing chunk ids (a hash of the message ids) tells the
indexer exactly which chunks are new and which are stale. The text starts with
the window's time span and names each sender, so "what did 王强 say" embeds
the name; a time on every line was measured to cost retrieval quality (the
digits drown short messages), so times stay in the header.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from chatsum.core.domain import Chunk, Message, MessageKind

_TOKEN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]|\w{1,4}|[^\w\s]")


def approx_tokens(text: str) -> int:
    """Tokens as a subword tokenizer would roughly count them: one per CJK
    character, one per four Latin letters, one per punctuation mark."""
    return len(_TOKEN.findall(text))


@dataclass(frozen=True)
class ChunkingOptions:
    max_tokens: int = 160
    overlap_messages: int = 1
    session_gap_ms: int = 2 * 3600 * 1000
    max_message_chars: int = 600


@dataclass(frozen=True)
class Window:
    """A chunk plus the participants who speak in it (for participant filters)."""

    chunk: Chunk
    participant_ids: tuple[int, ...]


def chunk_id(conversation_id: int, message_ids: Iterable[int]) -> str:
    digest = hashlib.blake2b(
        ",".join(str(i) for i in message_ids).encode(), digest_size=10
    ).hexdigest()
    return f"c{conversation_id}-{digest}"


def message_line(message: Message, max_chars: int) -> str:
    """How one message reads inside a chunk: `王强: text`."""
    text = " ".join(message.text.split())
    if len(text) > max_chars:
        text = text[:max_chars] + "…"
    if message.kind is MessageKind.SYSTEM or not message.sender_name:
        return f"— {text}"
    return f"{message.sender_name}: {text}"


def time_span(first: Message, last: Message) -> str:
    """`2024-03-04 10:00–10:12` (the end with its date when it is another day)."""
    start, end = first.local_time, last.local_time
    tail = end.strftime("%H:%M" if end.date() == start.date() else "%Y-%m-%d %H:%M")
    return f"{start.strftime('%Y-%m-%d %H:%M')}–{tail}"


def _indexable(message: Message) -> bool:
    return bool(message.text.strip()) and message.kind is not MessageKind.DELETED


def _sessions(messages: Iterable[Message], gap_ms: int) -> Iterator[list[Message]]:
    session: list[Message] = []
    for message in messages:
        if session and message.ts_ms - session[-1].ts_ms > gap_ms:
            yield session
            session = []
        session.append(message)
    if session:
        yield session


def _make_window(conversation_id: int, members: list[Message], lines: list[str]) -> Window:
    first, last = members[0], members[-1]
    ids = tuple(m.id for m in members)
    participants = sorted({m.participant_id for m in members if m.participant_id is not None})
    chunk = Chunk(
        id=chunk_id(conversation_id, ids),
        conversation_id=conversation_id,
        message_ids=ids,
        text=time_span(first, last) + "\n" + "\n".join(lines),
        first_ts_ms=first.ts_ms,
        last_ts_ms=last.ts_ms,
    )
    return Window(chunk, tuple(participants))


def _session_windows(
    conversation_id: int, session: list[Message], options: ChunkingOptions
) -> Iterator[Window]:
    lines = [message_line(m, options.max_message_chars) for m in session]
    costs = [approx_tokens(line) for line in lines]
    start = 0
    while start < len(session):
        end, budget = start, 0
        while end < len(session) and (end == start or budget + costs[end] <= options.max_tokens):
            budget += costs[end]
            end += 1
        yield _make_window(conversation_id, session[start:end], lines[start:end])
        if end >= len(session):
            return
        # Step back for the overlap, but always move forward.
        start = max(start + 1, end - options.overlap_messages)


def chunk_messages(
    conversation_id: int, messages: Iterable[Message], options: ChunkingOptions | None = None
) -> Iterator[Window]:
    """Windows over one conversation's messages, given in time order."""
    options = options or ChunkingOptions()
    indexable = (m for m in messages if _indexable(m))
    for session in _sessions(indexable, options.session_gap_ms):
        yield from _session_windows(conversation_id, session, options)
