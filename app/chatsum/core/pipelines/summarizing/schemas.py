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
  the order we want them written: agenda (the topic names, a plan), topics,
  then wrap_up (the gist, written from the topics); headline, overview, points, results (decided, open,
  todo), views; ids before the text they support.
Citation numbers are small local integers (the grammar converter cannot bound
integers, so range checks happen in `citations`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Longest strings in characters: Chinese says in 20 characters what English says in 60.
# The prompt asks for less (see prompts._FIELDS); these bounds only cut runaways.
_LIMITS = {
    "zh": {"title": 12, "summary": 50, "claim": 26, "gist": 70},
    "en": {"title": 40, "summary": 160, "claim": 100, "gist": 200},
}
MAX_IDS = 3


# Fewest characters per token a model spends on text (conservative), for bounds.
_CHARS_PER_TOKEN = {"zh": 1.2, "en": 3.0}


@dataclass(frozen=True)
class ItemLimits:
    """Most items per topic. Partial steps (map windows, merge groups) are summed up
    again later, so they are kept leaner: output tokens are the slow part."""

    points: int
    views: int
    other: int


FINAL = ItemLimits(points=3, views=4, other=2)
PARTIAL = ItemLimits(points=2, views=3, other=1)
# The final step's limits by name, for code that writes replies in this schema.
MAX_POINTS, MAX_VIEWS, MAX_OTHER = FINAL.points, FINAL.views, FINAL.other


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
    final: bool,
) -> dict[str, Any]:
    """The schema of one step's output; a final step also writes the gist."""
    text = _LIMITS.get(language, _LIMITS["en"])
    items = FINAL if final else PARTIAL
    claim = _object({"ids": _ids(), "text": _text(text["claim"])})
    view = _object(
        {
            "ids": _ids(),
            "person": {"enum": list(participants)},
            "view": _text(text["claim"]),
        }
    )
    results = _object(
        {
            "decided": _list(claim, items.other),
            "open": _list(claim, items.other),
            "todo": _list(claim, items.other),
        }
    )
    topic = _object(
        {
            "headline": _text(text["title"]),
            "overview": _text(text["summary"]),
            "points": _list(claim, items.points, 1),
            "results": results,
            "views": _list(view, items.views, 1),
        }
    )
    properties: dict[str, Any] = {
        # A plan first: naming the distinct matters before writing any of them
        # keeps a small model from folding everything into one topic.
        "agenda": _list(_text(text["title"]), max_topics, min_topics),
        "topics": _list(topic, max_topics, min_topics),
    }
    if final:
        # Last: written first, the gist became a recount of the chat that the
        # topic overviews then copied.
        properties["wrap_up"] = _text(text["gist"])
    return _object(properties)


def reply_token_bound(schema: dict[str, Any], language: str) -> int:
    """Tokens of the longest reply `schema` allows: every list full, every string at
    its maxLength. Used as max_tokens, so a model that fills everything (small
    ones do) still ends with valid JSON instead of being cut off and retried."""
    chars_per_token = _CHARS_PER_TOKEN.get(language, _CHARS_PER_TOKEN["en"])

    def walk(node: dict[str, Any]) -> int:
        if "enum" in node:
            return 8
        kind = node.get("type")
        if kind == "string":
            return math.ceil(int(node.get("maxLength", 64)) / chars_per_token) + 3
        if kind == "array":
            return 2 + int(node.get("maxItems", 8)) * (walk(node["items"]) + 1)
        if kind == "object":
            return 2 + sum(walk(child) + 4 for child in node["properties"].values())
        return 4

    return walk(schema)


def merge_schema(language: str, min_topics: int, max_topics: int, final: bool) -> dict[str, Any]:
    """Grouping earlier topics: `group` (their numbers) first, then a name and overview."""
    text = _LIMITS.get(language, _LIMITS["en"])
    group = {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 12}
    topic = _object(
        {"group": group, "headline": _text(text["title"]), "overview": _text(text["summary"])}
    )
    properties: dict[str, Any] = {"topics": _list(topic, max_topics, min_topics)}
    if final:
        properties["wrap_up"] = _text(text["gist"])
    return _object(properties)
