"""One schema-held model call: parsing, retry, cut strings, context limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatsum.core.errors import ContextOverflowError
from chatsum.core.llm.base import ChatMessage
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.summarizing.generation import (
    CallStats,
    generate_json,
    trim_cut_strings,
)
from chatsum.core.pipelines.summarizing.schemas import summary_schema
from chatsum.core.progress import CancelToken, drive

SCHEMA = summary_schema("zh", ["张伟", "李娜"], 1, 2, final=False)
GOOD = {
    "agenda": ["团建"],
    "topics": [
        {
            "headline": "团建",
            "overview": "商量周六去哪",
            "points": [{"ids": [1], "text": "周六爬山"}],
            "results": {"decided": [], "open": [], "todo": []},
            "views": [{"ids": [1], "person": "张伟", "view": "想爬山"}],
        }
    ],
}


def call(generator: FakeTextGenerator, stats: CallStats | None = None) -> Any:
    return drive(
        generate_json(
            generator,
            [ChatMessage("user", "[1] 张伟: 周六爬山")],
            SCHEMA,
            300,
            0.1,
            7,
            stats or CallStats(),
            CancelToken(),
        )
    )


def test_a_valid_reply_is_one_call() -> None:
    stats = CallStats()
    reply = call(FakeTextGenerator([GOOD]), stats)
    assert reply.schema_valid and reply.data == GOOD
    assert stats.calls == 1 and stats.schema_retries == 0 and stats.completion_tokens > 0


def test_an_unparsable_reply_is_retried_with_another_seed_and_more_temperature() -> None:
    generator = FakeTextGenerator(["```json\n{broken", GOOD])
    stats = CallStats()
    reply = call(generator, stats)
    first, second = generator.calls[0][1], generator.calls[1][1]
    assert reply.schema_valid and stats.schema_retries == 1 and stats.schema_failures == 0
    assert second.seed != first.seed and second.temperature > first.temperature
    assert first.json_schema == SCHEMA


def test_a_reply_breaking_the_schema_twice_is_kept_if_it_has_topics() -> None:
    loose = {"topics": [{"headline": "团建"}]}
    stats = CallStats()
    reply = call(FakeTextGenerator([loose, loose]), stats)
    assert not reply.schema_valid and reply.data == loose and stats.schema_failures == 1
    assert call(FakeTextGenerator(["[]", "nope"])).data is None


def test_a_code_fenced_reply_parses() -> None:
    fenced = "```json\n" + json.dumps(GOOD, ensure_ascii=False) + "\n```"
    assert call(FakeTextGenerator([fenced])).schema_valid


def test_strings_cut_by_the_grammar_end_at_a_clause() -> None:
    schema = {
        "type": "object",
        "properties": {
            "zh": {"type": "string", "maxLength": 20},
            "en": {"type": "array", "items": {"type": "string", "maxLength": 24}},
        },
    }
    data = {
        "zh": "张伟提议去香山爬山，李娜和王强同意，赵敏提出",
        "en": ["we will meet at the gate at", "short"],
    }
    assert trim_cut_strings(data, schema) == {
        "zh": "张伟提议去香山爬山，李娜和王强同意",
        "en": ["we will meet at the gate…", "short"],
    }


def test_a_cut_string_with_no_clause_or_space_to_end_at_stays_within_its_limit() -> None:
    schema = {"type": "string", "maxLength": 12}
    # Exactly at the limit: the grammar stopped it there.
    assert trim_cut_strings("abc 预算不够需要再和经", schema) == "abc 预算不够需要再和…"
    assert trim_cut_strings("预算不够需要再和经理商量", schema) == "预算不够需要再和经理商…"


def test_a_prompt_that_leaves_no_room_to_answer_is_refused() -> None:
    with pytest.raises(ContextOverflowError):
        call(FakeTextGenerator([GOOD], context_length=40))
