"""One schema-constrained model call, checked, with one retry.

The engine holds the model to the schema's grammar, so a reply normally parses
and validates; what can still go wrong is a reply cut off by `max_tokens`, or a
backend that ignores the schema. Such a reply is retried once with another seed
and a little more temperature (the same seed would repeat the same reply). A
reply that parses but breaks the schema is still used when it has topics
(the citation checker reads it defensively) and is counted as schema-invalid.
The text pieces are passed through to the caller as they stream, so a GUI can
show the model working and every piece is a cancel point.

Every call carries a repeat guard: small models fall into loops ("12:12:12…")
that run into `max_tokens`, and they copy chat lines instead of summing them
up. Calls that read the chat count the chat as already said (`OWN_WORDS`), so
long copied runs are discouraged; merge calls reuse their partial topics'
words on purpose and only have their own loops broken (`NO_LOOPS`).
"""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import jsonschema

from chatsum.core.errors import ContextOverflowError
from chatsum.core.llm.base import ChatMessage, GenerationOptions, RepeatGuard, TextGenerator
from chatsum.core.progress import CancelToken

RETRY_TEMPERATURE_STEP = 0.2
OWN_WORDS = RepeatGuard(include_prompt=True)
NO_LOOPS = RepeatGuard(include_prompt=False)
_CLAUSE_ENDS = "，。；！？、,.;!?"


@dataclass
class CallStats:
    """Usage summed over every call of a run."""

    calls: int = 0
    seconds: float = 0.0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    schema_retries: int = 0
    schema_failures: int = 0
    finish_reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class JsonReply:
    data: dict[str, Any] | None
    schema_valid: bool


def _parse(text: str) -> dict[str, Any] | None:
    text = text.strip()
    if text.startswith("```"):
        text = text.strip("`").removeprefix("json").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    return data if isinstance(data, dict) else None


def trim_cut_strings(value: Any, schema: dict[str, Any]) -> Any:
    """Strings the grammar cut at maxLength end at their last full clause (or get "…").

    Small models do not count characters, so a long overview is stopped by
    the grammar mid-word; a clean shorter sentence reads better than a torn one.
    """
    if isinstance(value, str):
        limit = schema.get("maxLength")
        if not limit or len(value) < limit:
            return value
        cut = max(value.rfind(mark) for mark in _CLAUSE_ENDS)
        if cut >= len(value) // 2:
            return value[:cut].rstrip()
        space = value.rfind(" ")
        # The "…" takes the last character's place, so the string stays within its limit.
        return (value[:space] if space >= len(value) // 2 else value[:-1]).rstrip() + "…"
    if isinstance(value, dict):
        properties = schema.get("properties", {})
        return {key: trim_cut_strings(item, properties.get(key, {})) for key, item in value.items()}
    if isinstance(value, list):
        return [trim_cut_strings(item, schema.get("items", {})) for item in value]
    return value


def generate_json(
    generator: TextGenerator,
    messages: list[ChatMessage],
    schema: dict[str, Any],
    max_tokens: int,
    temperature: float,
    seed: int,
    stats: CallStats,
    cancel: CancelToken,
    repeat_guard: RepeatGuard = NO_LOOPS,
) -> Generator[str, None, JsonReply]:
    """Stream one JSON reply held to `schema`; retry once if it is unusable."""
    prompt_tokens = generator.count_chat_tokens(messages)
    room = generator.context_length - prompt_tokens
    if room < min(max_tokens, 256):
        raise ContextOverflowError(prompt_tokens + max_tokens, generator.context_length)
    validator = jsonschema.Draft202012Validator(schema)
    fallback: dict[str, Any] | None = None
    for attempt in range(2):
        cancel.raise_if_cancelled()
        options = GenerationOptions(
            max_tokens=min(max_tokens, room),
            temperature=temperature + attempt * RETRY_TEMPERATURE_STEP,
            top_p=0.9,
            repeat_penalty=1.0,
            seed=seed + attempt,
            json_schema=schema,
            repeat_guard=repeat_guard,
        )
        completion = yield from generator.stream_chat(messages, options, cancel)
        stats.calls += 1
        stats.seconds += completion.usage.total_s
        stats.prompt_tokens += completion.usage.prompt_tokens
        stats.completion_tokens += completion.usage.completion_tokens
        stats.finish_reasons.append(completion.finish_reason)
        data = _parse(completion.text)
        if data is not None:
            data = trim_cut_strings(data, schema)
        if data is not None and validator.is_valid(data):
            return JsonReply(data, True)
        if data is not None and isinstance(data.get("topics"), list):
            fallback = fallback or data
        if attempt == 0:
            stats.schema_retries += 1
    stats.schema_failures += 1
    return JsonReply(fallback, False)
