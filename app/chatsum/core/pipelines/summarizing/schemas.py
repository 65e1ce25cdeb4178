"""JSON schemas the model's output is held to, one per step.

Constrained decoding turns the schema into a grammar, so the shape is never in
doubt; what the schema can still do is steer a small model:
- every string has a maxLength (a bound on runaway text and on time: at about
  12 tokens a second every spare sentence costs seconds);
- `person` is an enum of the people in the input, so a viewpoint always names
  a real participant, and it comes *after* `ids`, so the model picks the line
  first and then copies the speaker written on that line;
- arrays have maxItems, so the output stays a summary;
- a model writes properties in grammar order, and some grammar builders sort
  keys (ours does, to cache grammars), so the names are chosen to sort into
  the order we want them written: topics, then wrap_up (the gist, written
  from the topics); headline, overview, points, results (decided, open,
  todo), views; ids before the text they support.
Citation numbers are small local integers (the grammar converter cannot bound
integers, so range checks happen in `citations`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Longest strings in characters: Chinese says in 20 characters what English says in 60.
# The prompt asks for less (see prompts._FIELDS); these bounds only cut runaways.
_LIMITS = {
    "zh": {"title": 16, "summary": 60, "claim": 40, "gist": 80},
    "en": {"title": 48, "summary": 200, "claim": 120, "gist": 240},
}
MAX_IDS = 3
MAX_POINTS = 3
MAX_VIEWS = 4
MAX_OTHER = 2


def _text(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 2, "maxLength": max_length}


def _ids() -> dict[str, Any]:
    return {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": MAX_IDS}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _list(item: dict[str, Any], max_items: int, min_items: int = 0) -> dict[str, Any]:
    return {"type": "array", "items": item, "minItems": min_items, "maxItems": max_items}


def summary_schema(
    language: str,
    participants: Sequence[str],
    min_topics: int,
    max_topics: int,
    with_gist: bool,
) -> dict[str, Any]:
    """The schema of one step's output: topics (and the gist on the final step)."""
    limits = _LIMITS.get(language, _LIMITS["en"])
    claim = _object({"ids": _ids(), "text": _text(limits["claim"])})
    view = _object(
        {
            "ids": _ids(),
            "person": {"enum": list(participants)},
            "view": _text(limits["claim"]),
        }
    )
    results = _object(
        {
            "decided": _list(claim, MAX_OTHER),
            "open": _list(claim, MAX_OTHER),
            "todo": _list(claim, MAX_OTHER),
        }
    )
    topic = _object(
        {
            "headline": _text(limits["title"]),
            "overview": _text(limits["summary"]),
            "points": _list(claim, MAX_POINTS, 1),
            "results": results,
            "views": _list(view, MAX_VIEWS, 1),
        }
    )
    properties: dict[str, Any] = {"topics": _list(topic, max_topics, min_topics)}
    if with_gist:
        # Last: written first, the gist became a recount of the chat that the
        # topic overviews then copied.
        properties["wrap_up"] = _text(limits["gist"])
    return _object(properties)


def output_token_budget(language: str, max_topics: int, with_gist: bool) -> int:
    """max_tokens for a step: room for a full answer of `max_topics` topics.

    A bound, not a target: it only stops a model that would fill every field
    to its limit, and it is reserved in the context window before packing.
    """
    per_topic = 260 if language == "zh" else 320
    return 60 + per_topic * max_topics + (120 if with_gist else 0)
