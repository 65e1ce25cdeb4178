"""The whole in-memory pipeline with a fake model: one window, map-reduce, failures, cancel."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatsum.core.domain import Summary
from chatsum.core.errors import Cancelled
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.summarizing.citations import citation_validity
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.pipeline import is_complete, summarize_messages
from chatsum.core.progress import CancelToken, Progress, drive
from tests.core.summarizing.helpers import chat, echo_model, message, prompt_items

PEOPLE = ["张伟", "李娜", "王强", "赵敏"]


def busy_chat(count: int) -> list[Any]:
    return chat(
        [(PEOPLE[i % 4], f"第{i}条消息，关于项目进度和周末安排的讨论") for i in range(count)]
    )


def run(messages: list[Any], generator: FakeTextGenerator, **options: Any) -> Summary:
    return drive(summarize_messages(messages, generator, SummaryOptions(**options)))


def test_one_window_is_one_call_and_every_citation_checks_out() -> None:
    messages = chat([(PEOPLE[i % 3], f"话题内容{i}") for i in range(12)])
    generator = FakeTextGenerator(echo_model)
    summary = run(messages, generator)
    assert len(generator.calls) == 1
    system, user = generator.calls[0][0]
    assert "核心话题" in system.content and user.content.startswith("参与者：张伟、李娜、王强")
    assert user.content.splitlines()[-1] == "12王强：话题内容11"
    assert summary.gist == "大家讨论了几件事" and 2 <= len(summary.topics) <= 5
    assert summary.quality.windows == 1 and summary.quality.schema_valid
    senders = {m.id: m.sender_name for m in messages}
    assert (
        citation_validity(summary.topics, senders)
        == (len([i for t in summary.topics for c in t.claims() for i in c.message_ids]),) * 2
    )
    cited = {c.message_id for c in summary.cited_messages}
    assert cited == {i for t in summary.topics for c in t.claims() for i in c.message_ids}
    assert all(c.text == messages[c.message_id - 1].text for c in summary.cited_messages)


def test_low_temperature_and_schema_are_asked_for() -> None:
    generator = FakeTextGenerator(echo_model)
    run(chat([("张伟", "周六爬山"), ("李娜", "我去")] * 5), generator)
    options = generator.calls[0][1]
    assert options.temperature <= 0.2 and options.json_schema is not None
    assert json.loads(json.dumps(options.json_schema))["required"] == [
        "agenda",
        "topics",
        "wrap_up",
    ]


def test_long_chats_are_mapped_then_reduced_keeping_message_ids() -> None:
    messages = busy_chat(300)
    generator = FakeTextGenerator(echo_model, context_length=4096)
    events: list[Any] = []
    gen = summarize_messages(messages, generator, SummaryOptions(window_tokens=800))
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            summary: Summary = stop.value
            break
    maps = [e for e in events if isinstance(e, Progress) and e.stage == "map"]
    assert summary.quality.windows == len(maps) > 2
    assert (
        "topics" in generator.calls[-1][0][1].content or "话题" in generator.calls[-1][0][1].content
    )
    # The final reduce prompt numbers partial claims; its citations land on real messages.
    senders = {m.id: m.sender_name for m in messages}
    valid, total = citation_validity(summary.topics, senders)
    assert total > 0 and valid == total
    assert is_complete(summary)
    # Chat windows are told the chat is already said (no copying); merges may reuse words.
    guards = [options.repeat_guard for _, options in generator.calls]
    assert all(g is not None and g.include_prompt for g in guards[: len(maps)])
    assert all(g is not None and not g.include_prompt for g in guards[len(maps) :])


def test_reduce_items_map_to_the_messages_of_the_partial_claims() -> None:
    """Follow one burst (two merged messages) from a map window through the reduce."""
    messages = [message(1, "张伟", "提议周六去香山", 0), message(2, "张伟", "早上八点出发", 1)]
    messages += [message(i, PEOPLE[i % 4], f"闲聊{i}", i) for i in range(3, 300)]
    seen_reduce: list[list[tuple[int, str, str]]] = []

    def model(msgs: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
        assert options.json_schema is not None
        if "group" in options.json_schema["properties"]["topics"]["items"]["properties"]:
            seen_reduce.append(prompt_items(msgs))
        return echo_model(msgs, options)

    summary = run(messages, FakeTextGenerator(model, context_length=4096), window_tokens=150)
    assert summary.quality.windows > 1 and summary.quality.reduce_rounds >= 2
    assert seen_reduce and seen_reduce[-1][0][0] == 1
    # The echo model cites item [1] first at every step: the point made from line
    # [1] of the first window, the burst of messages 1 and 2, survives both rounds.
    assert summary.topics[0].key_points[0].message_ids == (1, 2)


def test_many_windows_are_merged_in_rounds() -> None:
    generator = FakeTextGenerator(echo_model, context_length=2600)
    summary = run(busy_chat(900), generator, window_tokens=300)
    assert summary.quality.reduce_rounds >= 2
    assert 2 <= len(summary.topics) <= 5 and is_complete(summary)


def test_a_window_whose_reply_is_unusable_is_retried_then_flagged() -> None:
    calls = {"n": 0}

    def model(msgs: list[ChatMessage], options: GenerationOptions) -> Any:
        calls["n"] += 1
        return "not json" if calls["n"] <= 2 else echo_model(msgs, options)

    generator = FakeTextGenerator(model, context_length=4096)
    summary = run(busy_chat(300), generator, window_tokens=800)
    assert summary.quality.schema_retries >= 1 and not summary.quality.schema_valid
    assert "failed_window" in summary.quality.flags and not is_complete(summary)


def test_a_retry_that_succeeds_keeps_the_summary_complete() -> None:
    replies: list[Any] = ["{truncated", None]

    def model(msgs: list[ChatMessage], options: GenerationOptions) -> Any:
        reply = replies.pop(0) if replies else None
        return reply if reply is not None else echo_model(msgs, options)

    generator = FakeTextGenerator(model)
    summary = run(chat([("张伟", "周六爬山"), ("李娜", "我去")] * 5), generator)
    assert len(generator.calls) == 2 and generator.calls[1][1].seed != generator.calls[0][1].seed
    assert summary.quality.schema_retries == 1 and summary.quality.schema_valid
    assert is_complete(summary)


def test_nothing_to_summarize_calls_no_model() -> None:
    generator = FakeTextGenerator(echo_model)
    summary = run(chat([("张伟", "好的"), ("李娜", "哈哈哈"), ("王强", "[图片]")]), generator)
    assert generator.calls == [] and summary.topics == ()
    assert summary.quality.flags == ("nothing_to_summarize",) and summary.message_count == 3


def test_cancel_stops_at_the_next_piece() -> None:
    token = CancelToken()
    generator = FakeTextGenerator(echo_model, delay_s=0.001)
    gen = summarize_messages(busy_chat(30), generator, SummaryOptions(), token)
    pieces = 0
    with pytest.raises(Cancelled):
        for event in gen:
            if isinstance(event, str):
                pieces += 1
                if pieces == 3:
                    token.cancel()
    assert pieces == 3


def test_english_chats_get_english_instructions() -> None:
    generator = FakeTextGenerator(echo_model)
    run(chat([("Emma", "Where should we hike on Saturday?"), ("Jack", "Mount Tam")] * 4), generator)
    system, user = generator.calls[0][0]
    assert system.content.startswith("You summarize group chats")
    assert user.content.startswith("Participants: Emma, Jack")
