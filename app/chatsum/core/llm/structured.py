"""JSON that matches a schema, from any `TextGenerator`.

The local engine constrains decoding with a llama.cpp grammar built from the
schema and remote servers get `response_format`, so the model can only emit
text of the right shape; this module still parses and validates the result
with `jsonschema`, because a reply cut off by `max_tokens`, a server that
ignored the schema, or a schema feature the grammar converter does not cover
would otherwise reach the pipelines as broken data.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from chatsum.core.errors import ModelError
from chatsum.core.llm.base import ChatMessage, Completion, GenerationOptions, TextGenerator
from chatsum.core.progress import CancelToken


@dataclass(frozen=True)
class StructuredReply:
    data: Any
    completion: Completion


def generate_json(
    generator: TextGenerator,
    messages: list[ChatMessage],
    schema: dict[str, Any],
    options: GenerationOptions | None = None,
    cancel: CancelToken | None = None,
) -> Generator[str, None, StructuredReply]:
    """Stream a reply held to `schema`; return it parsed and validated.

    The repeat penalty is switched off: it punishes the braces, quotes and
    keys that valid JSON must repeat.
    """
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(schema)
    options = dataclasses.replace(
        options or GenerationOptions(), json_schema=schema, repeat_penalty=1.0
    )
    completion = yield from generator.stream_chat(messages, options, cancel)
    if completion.finish_reason == "length":
        raise ModelError(
            f"The model's JSON reply was cut off at max_tokens={options.max_tokens}; "
            "ask for less or raise max_tokens."
        )
    try:
        data = json.loads(completion.text)
    except ValueError as exc:
        raise ModelError(
            f"The model ({completion.model_id}) did not return valid JSON: {exc}."
        ) from exc
    errors = sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "$" + "".join(f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in first.path)
        raise ModelError(
            f"The model's JSON does not match the expected shape at {where}: {first.message}"
            + (f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else "")
        )
    return StructuredReply(data=data, completion=completion)
