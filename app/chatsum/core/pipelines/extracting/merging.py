"""Merging the values found in successive pieces into one record per customer.

Conflict rules, as sales teams read a chat: for a single-valued field the
statement made later in the chat wins (the latest message a value cites
decides, so a budget revised on day three replaces day one's); the same value
found again keeps the citations of both. List fields take the union of their
items, each item keeping every message it was found in. Merging is pure and
order-independent in its inputs, so it is tested without a model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from chatsum.core.pipelines.extracting.records import Cell, CustomerRecord, Value
from chatsum.core.pipelines.extracting.schema import FieldKind, Schema

_NOT_WORD = re.compile(r"[\W_]+")

Found = Mapping[str, list[Value]]
"""One piece's checked values for one customer: field name → values."""


def _key(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold()) or text


def _latest(value: Value, position: Mapping[int, int]) -> int:
    return max((position.get(mid, -1) for mid in value.message_ids), default=-1)


def _union_ids(*groups: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted({mid for group in groups for mid in group}))


def merge_values(
    kind: FieldKind, values: Iterable[Value], position: Mapping[int, int]
) -> tuple[Value, ...]:
    """Values of one field from every piece → the cell's final values.

    `position` orders message ids as they appear in the chat.
    """
    by_key: dict[str, Value] = {}
    for value in sorted(values, key=lambda v: _latest(v, position)):
        key = _key(value.text)
        earlier = by_key.pop(key, None)
        ids = _union_ids(earlier.message_ids if earlier else (), value.message_ids)
        by_key[key] = Value(value.text, ids)
    merged = list(by_key.values())
    if kind == FieldKind.LIST:
        return tuple(sorted(merged, key=lambda v: _latest(v, position)))
    return (max(merged, key=lambda v: _latest(v, position)),) if merged else ()


def merge_records(
    schema: Schema,
    found: Mapping[tuple[str, int | None], Iterable[Found]],
    position: Mapping[int, int],
) -> list[CustomerRecord]:
    """One record per customer from everything found for them, in schema field order."""
    records = []
    for (customer, participant_id), pieces in found.items():
        by_field: dict[str, list[Value]] = {}
        for piece_values in pieces:
            for name, values in piece_values.items():
                by_field.setdefault(name, []).extend(values)
        cells = tuple(
            Cell(item.name, merge_values(item.kind, by_field.get(item.name, ()), position))
            for item in schema.fields
        )
        records.append(CustomerRecord(customer, participant_id, cells))
    return records
