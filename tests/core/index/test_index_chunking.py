"""Chunking: session windows, token bounds, overlap, ids and what the text carries."""

from __future__ import annotations

from itertools import pairwise

from chatsum.core.domain import Message, MessageKind
from chatsum.core.index.chunking import ChunkingOptions, approx_tokens, chunk_id, chunk_messages

MINUTE = 60_000
START = 1_709_500_000_000


def message(
    i: int, minute: int, text: str, sender: str | None = "Ann", kind: MessageKind = MessageKind.TEXT
) -> Message:
    return Message(
        id=i,
        conversation_id=7,
        participant_id=None if sender is None else 100 + len(sender),
        sender_name=sender,
        ts_ms=START + minute * MINUTE,
        utc_offset_min=480,
        offset_assumed=False,
        kind=kind,
        text=text,
    )


def talk(count: int, gap_after: dict[int, int] | None = None) -> list[Message]:
    gaps = gap_after or {}
    minute, messages = 0, []
    for i in range(1, count + 1):
        sender = "Ann" if i % 2 else "王强"
        messages.append(
            message(i, minute, f"message number {i} about the launch plan and the date", sender)
        )
        minute += gaps.get(i, 1)
    return messages


def test_windows_never_cross_a_silence_longer_than_the_session_gap() -> None:
    messages = talk(12, gap_after={6: 300})  # five hours after message 6
    windows = list(chunk_messages(7, messages, ChunkingOptions(max_tokens=1000)))
    assert [w.chunk.message_ids for w in windows] == [(1, 2, 3, 4, 5, 6), (7, 8, 9, 10, 11, 12)]


def test_windows_are_token_bounded_and_overlap_by_the_configured_messages() -> None:
    options = ChunkingOptions(max_tokens=60, overlap_messages=2)
    windows = list(chunk_messages(7, talk(30), options))
    assert len(windows) > 3
    for window in windows:
        body = window.chunk.text.split("\n", 1)[1]
        assert approx_tokens(body) <= options.max_tokens
    for before, after in pairwise(windows):
        assert before.chunk.message_ids[-2:] == after.chunk.message_ids[:2]
    covered = {i for w in windows for i in w.chunk.message_ids}
    assert covered == set(range(1, 31))


def test_a_message_longer_than_the_budget_is_a_window_of_its_own() -> None:
    long = message(2, 1, "word " * 400)
    windows = list(
        chunk_messages(
            7,
            [message(1, 0, "hi there"), long, message(3, 2, "ok")],
            ChunkingOptions(max_tokens=50),
        )
    )
    assert (2,) in [w.chunk.message_ids for w in windows]
    assert all(w.chunk.message_ids for w in windows)


def test_text_names_senders_and_the_time_span_and_skips_empty_and_deleted() -> None:
    messages = [
        message(1, 0, "明天上线吗？", "王强"),
        message(2, 1, "", "Ann", MessageKind.MEDIA),
        message(3, 2, "gone", "Ann", MessageKind.DELETED),
        message(4, 3, "Ann joined the group", None, MessageKind.SYSTEM),
        message(5, 4, "推迟到周五", "Ann"),
    ]
    (window,) = chunk_messages(7, messages)
    assert window.chunk.message_ids == (1, 4, 5)
    lines = window.chunk.text.splitlines()
    assert lines[0] == "2024-03-04 05:06–05:10"  # START is 2024-03-03 21:06 UTC = 05:06 at +08:00
    assert lines[1:] == ["王强: 明天上线吗？", "— Ann joined the group", "Ann: 推迟到周五"]
    assert window.participant_ids == (102, 103)
    assert (window.chunk.first_ts_ms, window.chunk.last_ts_ms) == (
        messages[0].ts_ms,
        messages[4].ts_ms,
    )


def test_ids_are_stable_and_appending_changes_only_the_last_window() -> None:
    options = ChunkingOptions(max_tokens=60, overlap_messages=1)
    before = [w.chunk.id for w in chunk_messages(7, talk(20), options)]
    again = [w.chunk.id for w in chunk_messages(7, talk(20), options)]
    after = [w.chunk.id for w in chunk_messages(7, talk(21), options)]
    assert before == again
    assert after[: len(before) - 1] == before[:-1]
    assert after[len(before) - 1] != before[-1]
    assert chunk_id(7, [1, 2]) != chunk_id(8, [1, 2]) != chunk_id(7, [1, 3])


def test_approx_tokens_counts_cjk_characters_and_word_pieces() -> None:
    assert approx_tokens("数据库") == 3
    assert approx_tokens("deployment") == 3  # depl|oyme|nt
    assert approx_tokens("a, b") == 3
