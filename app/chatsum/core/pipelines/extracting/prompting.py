"""The extraction prompt and the JSON schema the model's reply is held to.

One call fills one customer's record from one piece. The system message (the
rules and the field list with descriptions) is the same for every call of a
run, and the chat comes before the customer's name in the user message, so a
backend that reuses the KV cache of a shared prefix pays for the chat once per
piece, not once per customer. Every field is an object `{"value", "msgs"}`:
the value first (the model says what it found), then the local numbers of the
messages that say it. The schema bounds string lengths and list sizes so a
small model cannot run away, restricts citations to the piece's numbers,
enumerations to their choices (plus "" for "not stated") and staff lists to
the staff's names — constrained decoding then makes every reply valid.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from chatsum.core.llm.base import ChatMessage
from chatsum.core.pipelines.extracting.pieces import Piece
from chatsum.core.pipelines.extracting.schema import Field, FieldKind, Schema

MAX_STRING_CHARS = 80
MAX_ITEM_CHARS = 40
MAX_LIST_ITEMS = 6
MAX_CITATIONS = 4
VALUE_KEY = "value"
CITES_KEY = "msgs"


def _value_schema(item: Field, staff_names: Sequence[str]) -> dict[str, Any]:
    if item.kind == FieldKind.ENUM:
        return {"type": "string", "enum": [*item.choices, ""]}
    if item.kind == FieldKind.LIST:
        items: dict[str, Any] = {"type": "string", "maxLength": MAX_ITEM_CHARS}
        allowed = list(staff_names) if item.refers_to == "staff" else list(item.choices)
        if allowed:
            items = {"type": "string", "enum": allowed}
        elif item.refers_to == "staff":
            return {"type": "array", "maxItems": 0}
        return {"type": "array", "items": items, "maxItems": MAX_LIST_ITEMS}
    return {"type": "string", "maxLength": MAX_STRING_CHARS}


def response_schema(schema: Schema, piece_size: int, staff_names: Sequence[str]) -> dict[str, Any]:
    """The JSON schema of one reply: every field, each with its value and citations."""
    # An enumeration, not minimum/maximum: llama.cpp's grammar converter does
    # not enforce integer bounds, and one out-of-range number fails the reply.
    cite = {
        "type": "array",
        "items": {"type": "integer", "enum": list(range(1, max(1, piece_size) + 1))},
        "maxItems": MAX_CITATIONS,
    }
    properties = {
        item.name: {
            "type": "object",
            "properties": {VALUE_KEY: _value_schema(item, staff_names), CITES_KEY: cite},
            "required": [VALUE_KEY, CITES_KEY],
            "additionalProperties": False,
        }
        for item in schema.fields
    }
    return {
        "type": "object",
        "properties": properties,
        "required": [item.name for item in schema.fields],
        "additionalProperties": False,
    }


def _field_line(item: Field) -> str:
    kind = ""
    if item.kind == FieldKind.ENUM:
        kind = f" (one of: {' / '.join(item.choices)})"
    elif item.kind == FieldKind.LIST:
        kind = " (list)"
        if item.refers_to == "staff":
            kind = " (list of staff names)"
        elif item.choices:
            kind = f" (list, from: {' / '.join(item.choices)})"
    description = f": {item.description}" if item.description else ""
    return f"- {item.name}{kind}{description}"


def system_prompt(schema: Schema) -> str:
    heading = schema.title if not schema.description else f"{schema.title} — {schema.description}"
    return "\n".join(
        [
            "You extract one customer's record from a customer-service group chat.",
            f"Record: {heading}",
            "Rules:",
            "- Use only what the messages say about this customer; never guess or invent.",
            "- Facts about staff, other customers or family members are not this customer's.",
            "- Copy values in the chat's own words and language. Copy phone numbers and "
            "e-mails exactly as written.",
            '- When the chat does not say, give "" (or [] for a list) with "msgs": [].',
            '- "msgs" lists the numbers [n] of the messages that state the value.',
            "- Later messages override earlier ones.",
            "Fields:",
            *(_field_line(item) for item in schema.fields),
        ]
    )


def user_prompt(piece: Piece, customer: str, staff_names: Sequence[str]) -> str:
    staff = ", ".join(staff_names) if staff_names else "unknown"
    return (
        "Chat (messages numbered [n]):\n"
        f"{piece.text}\n\n"
        f"Staff: {staff}.\n"
        f"Fill the record for the customer {customer}."
    )


def build_messages(
    schema: Schema, piece: Piece, customer: str, staff_names: Sequence[str]
) -> list[ChatMessage]:
    return [
        ChatMessage("system", system_prompt(schema)),
        ChatMessage("user", user_prompt(piece, customer, staff_names)),
    ]


def reply_token_allowance(schema: Schema, count_tokens: Callable[[str], int]) -> int:
    """Tokens to reserve for one reply: a typical full reply, with headroom.

    Measured on a filled-in sample with the generator's own tokenizer, so it
    follows the schema's size; the schema's length bounds keep real replies
    near it.
    """
    sample: dict[str, Any] = {}
    for item in schema.fields:
        value: Any = "某" * 12
        if item.kind == FieldKind.LIST:
            value = ["某" * 8, "某" * 8]
        elif item.kind == FieldKind.ENUM:
            value = max(item.choices, key=len)
        sample[item.name] = {VALUE_KEY: value, CITES_KEY: [12, 13]}
    return int(count_tokens(json.dumps(sample, ensure_ascii=False)) * 1.5) + 64
