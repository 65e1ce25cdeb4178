"""generate_json: constrained replies are parsed and validated whatever the backend did."""

from __future__ import annotations

from typing import Any

import pytest

from chatsum.core.errors import ModelError
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.llm.structured import generate_json
from chatsum.core.progress import drive

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "topics": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "title": {"type": "string"},
                    "message_ids": {"type": "array", "items": {"type": "integer"}},
                },
                "required": ["title", "message_ids"],
            },
        }
    },
    "required": ["topics"],
}
ASK = [ChatMessage("user", "List the topics.")]


def test_valid_reply_is_returned_parsed_and_the_schema_reaches_the_generator() -> None:
    reply = {"topics": [{"title": "爬山改期", "message_ids": [1, 2]}]}
    fake = FakeTextGenerator([reply])
    pieces: list[str] = []
    gen = generate_json(fake, ASK, SCHEMA, GenerationOptions(max_tokens=300, repeat_penalty=1.3))
    while True:
        try:
            pieces.append(next(gen))
        except StopIteration as stop:
            result = stop.value
            break
    assert result.data == reply
    assert "".join(pieces) == result.completion.text
    _, options = fake.calls[0]
    assert options.json_schema == SCHEMA
    assert options.repeat_penalty == 1.0 and options.max_tokens == 300


def test_reply_of_the_wrong_shape_names_where_it_is_wrong() -> None:
    fake = FakeTextGenerator([{"topics": [{"title": "x", "message_ids": ["one"]}]}])
    with pytest.raises(
        ModelError,
        match=r"at \$\['topics'\]\[0\]\['message_ids'\]\[0\]: 'one' is not of type 'integer'",
    ):
        drive(generate_json(fake, ASK, SCHEMA))


def test_text_that_is_not_json_is_an_error() -> None:
    fake = FakeTextGenerator(["Sure! Here are the topics: hiking"], model_id="tiny")
    with pytest.raises(ModelError, match=r"\(tiny\) did not return valid JSON"):
        drive(generate_json(fake, ASK, SCHEMA))


def test_an_invalid_schema_is_a_programming_error_not_a_model_error() -> None:
    from jsonschema.exceptions import SchemaError

    with pytest.raises(SchemaError):
        drive(generate_json(FakeTextGenerator(), ASK, {"type": "no-such-type"}))
