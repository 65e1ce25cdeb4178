"""The reply a model should give, written from topics whose citations are message ids.

Ground truth (synthetic chats), dataset references and a teacher's checked
summary all end up as domain `Topic`s citing stored message ids. This module
writes them in the schema's field names with the prompt's local numbers, so
every source produces replies in one canonical form. It never invents
evidence: a claim none of whose messages is on the prompt (all dropped as
filler, say) is left out, and a viewpoint cites only lines its own person
wrote. Lists are cut to the limits the step's schema sets (read from the
schema, so a change of limits there needs no change here), most important first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chatsum.core.domain import Claim, Topic, Viewpoint
from chatsum.core.pipelines.summarizing.prompts import Numbering

_NO_LIMIT = 1_000


def _max_items(spec: dict[str, Any], name: str) -> int:
    """maxItems of the array property `name` of an object schema (no limit where it has none)."""
    return int(spec.get("properties", {}).get(name, {}).get("maxItems", _NO_LIMIT))


class Limits:
    """How many items the step's schema allows, read from the schema itself."""

    def __init__(self, schema: dict[str, Any] | None) -> None:
        schema = schema or {}
        topic = schema.get("properties", {}).get("topics", {}).get("items", {})
        point = topic.get("properties", {}).get("points", {}).get("items", {})
        self.topics = _max_items(schema, "topics")
        self.points = _max_items(topic, "points")
        self.views = _max_items(topic, "views")
        self.other = _max_items(topic.get("properties", {}).get("results", {}), "decided")
        self.ids = _max_items(point, "ids")


class NumberMap:
    """Message id -> local number (and who wrote that line), from a prompt's numbering."""

    def __init__(self, numbering: Numbering, max_ids: int) -> None:
        self.max_ids = max_ids
        self.number_of: dict[int, int] = {}
        self.writers: dict[int, set[str]] = {}
        for number, evidence in numbering.evidence.items():
            self.writers[number] = {sender for _, sender in evidence}
            for message_id, _ in evidence:
                self.number_of[message_id] = number

    def numbers(self, message_ids: Sequence[int], writer: str | None = None) -> list[int]:
        found: list[int] = []
        for message_id in message_ids:
            number = self.number_of.get(message_id)
            if number is None or number in found:
                continue
            if writer is not None and writer not in self.writers[number]:
                continue
            found.append(number)
        return sorted(found)[: self.max_ids]


def _claims(claims: Sequence[Claim], numbers: NumberMap, limit: int) -> list[dict[str, Any]]:
    out = []
    for claim in claims:
        ids = numbers.numbers(claim.message_ids)
        if ids and claim.supported:
            out.append({"ids": ids, "text": claim.text})
    return out[:limit]


def _views(views: Sequence[Viewpoint], numbers: NumberMap, limit: int) -> list[dict[str, Any]]:
    out = []
    for view in views:
        ids = numbers.numbers(view.message_ids, writer=view.participant)
        if ids and view.supported:
            out.append({"ids": ids, "person": view.participant, "view": view.view})
    return out[:limit]


def topic_reply(topic: Topic, numbers: NumberMap, limits: Limits) -> dict[str, Any] | None:
    """One topic in the schema's shape, or None when it keeps no cited point or view."""
    points = _claims(topic.key_points, numbers, limits.points)
    views = _views(topic.viewpoints, numbers, limits.views)
    if not points or not views:
        return None
    return {
        "headline": topic.title,
        "overview": topic.summary,
        "points": points,
        "results": {
            "decided": _claims(topic.decisions, numbers, limits.other),
            "open": _claims(topic.open_questions, numbers, limits.other),
            "todo": _claims(topic.action_items, numbers, limits.other),
        },
        "views": views,
    }


def summary_reply(
    topics: Sequence[Topic], gist: str, numbering: Numbering, schema: dict[str, Any] | None
) -> dict[str, Any]:
    """The whole reply, shaped by the step's schema: `topics`, plus any top-level field the
    schema adds around them, filled by its type: a list of strings gets the topic titles
    (a plan of the topics), a string gets the one-line `gist` (the final step's wrap-up)."""
    limits = Limits(schema)
    numbers = NumberMap(numbering, limits.ids)
    replies = [r for topic in topics if (r := topic_reply(topic, numbers, limits)) is not None]
    replies = replies[: limits.topics]
    properties = (schema or {}).get("properties", {"topics": {}})
    data: dict[str, Any] = {}
    for key, spec in properties.items():
        if key == "topics":
            data[key] = replies
        elif spec.get("type") == "array" and spec.get("items", {}).get("type") == "string":
            data[key] = [reply["headline"] for reply in replies]
        elif spec.get("type") == "string":
            data[key] = gist
    return data
