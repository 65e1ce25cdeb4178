"""From one model reply to checked values, each tied to stored message ids.

The model's word is not taken: a value survives only if the messages it cites
support it, and the citations are mapped from local numbers to stored ids here.
What "support" means depends on the field's grounding:

- verbatim (phone, e-mail): well formed, present character for character in a
  message, and that message is the customer's own — or a staff member's
  addressed to the customer ("您的电话…") that does not call the number the
  staff member's own ("打我电话 135…", "call me at …") — so a staff member's
  own number never lands in a customer's record;
- quoted (names, amounts, products…): most of the value's words (CJK characters
  or Latin words) occur in the cited messages, sender names included (a
  customer's name is often only the name they write under);
- inferred (enumerations, stages, objections…): at least one valid citation,
  and enumerations and staff lists must hold allowed values; a free-text value
  that is word for word the example in the field's description, and barely
  occurs in the chat, is the model echoing its instructions and is dropped.

Small models often cite the wrong line for a right value; for verbatim and
quoted values the piece is searched for the messages that do support it and
those are cited instead. Anything still unsupported is dropped with a reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from chatsum.core.pipelines.extracting.contact import find_contact, is_valid_contact
from chatsum.core.pipelines.extracting.pieces import NumberedMessage, Piece
from chatsum.core.pipelines.extracting.prompting import CITES_KEY, MAX_CITATIONS, VALUE_KEY
from chatsum.core.pipelines.extracting.records import DroppedValue, Value
from chatsum.core.pipelines.extracting.schema import Field, FieldKind, Grounding, Schema

QUOTE_SUPPORT = 0.6
"""Share of a quoted value's words that must occur in the messages it cites."""

ECHO_SUPPORT = 0.3
"""An inferred value found word for word in its field's description must share at
least this much with the messages it cites, or it is an echo of the example."""

_UNIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9\u00c0-\u024f]+")
_NOT_WORD = re.compile(r"[\W_]+")
_ADDRESSED = re.compile(r"您|你|\byour?\b", re.IGNORECASE)
_SPEAKERS_OWN = re.compile(
    r"(?:我|本人|\b(?:my|me|our|us)\b)[^，。！？,.!?\n]{0,10}$", re.IGNORECASE
)
"""Text just before a number that makes it the writer's own ("我的手机 ", "call us on ")."""


def support(value: str, text: str) -> float:
    """How much of `value` occurs in `text`: 1.0 when it is there whole."""
    folded_value = _NOT_WORD.sub("", value.casefold())
    if folded_value and folded_value in _NOT_WORD.sub("", text.casefold()):
        return 1.0
    units = _UNIT.findall(value.casefold())
    if not units:
        return 0.0
    present = set(_UNIT.findall(text.casefold()))
    # Numbers carry an amount's meaning ("3000元" vs "3000左右"): they count double.
    weights = [2 if any(ch.isdigit() for ch in unit) else 1 for unit in units]
    found = sum(w for unit, w in zip(units, weights, strict=True) if unit in present)
    return found / sum(weights)


def _as_seen(entry: NumberedMessage) -> str:
    """A message as the model saw it: its sender's name belongs to what it says."""
    return f"{entry.message.sender_name or ''}: {entry.message.text}"


@dataclass(frozen=True)
class Speakers:
    """Whose record this is and who the staff are, for ownership checks."""

    customer_id: int | None
    staff_names: Mapping[int, str]


@dataclass
class _FieldGrounder:
    item: Field
    piece: Piece
    speakers: Speakers
    customer: str
    dropped: list[DroppedValue]

    def drop(self, value: str, reason: str) -> None:
        self.dropped.append(DroppedValue(self.customer, self.item.name, value, reason))

    def cited(self, numbers: Sequence[Any]) -> list[NumberedMessage]:
        entries = []
        for number in numbers:
            if isinstance(number, int) and self.piece.message_id(number) is not None:
                entries.append(self.piece.entries[number - 1])
        return list({e.number: e for e in entries}.values())

    def _owned(self, entry: NumberedMessage, spelling: str) -> bool:
        sender = entry.message.participant_id
        if self.speakers.customer_id is None or sender == self.speakers.customer_id:
            return True
        text = entry.message.text
        before = text[: max(0, text.find(spelling))]
        return (
            sender in self.speakers.staff_names
            and bool(_ADDRESSED.search(text))
            and not _SPEAKERS_OWN.search(before)
        )

    def contact(self, value: str, cited: list[NumberedMessage]) -> Value | None:
        kind = self.item.format or "phone"
        if not is_valid_contact(kind, value):
            self.drop(value, f"not a valid {'e-mail' if kind == 'email' else 'phone number'}")
            return None
        for pool in (cited, list(self.piece.entries)):
            found = [
                (entry, spelling)
                for entry in pool
                if (spelling := find_contact(kind, value, entry.message.text))
                and self._owned(entry, spelling)
            ]
            if found:
                latest = found[-MAX_CITATIONS:]
                ids = tuple(entry.message.id for entry, _ in latest)
                return Value(latest[-1][1], ids)
        self.drop(value, "not written verbatim by or to this customer in the chat")
        return None

    def quoted(self, value: str, cited: list[NumberedMessage]) -> Value | None:
        # Cite the messages that back the value on their own, else the cited set together.
        own = [e for e in cited if support(value, _as_seen(e)) >= QUOTE_SUPPORT]
        if own:
            return Value(value, tuple(e.message.id for e in own))
        joined = "\n".join(_as_seen(e) for e in cited)
        if cited and support(value, joined) >= QUOTE_SUPPORT:
            return Value(value, tuple(e.message.id for e in cited))
        backing = [e for e in self.piece.entries if support(value, _as_seen(e)) >= QUOTE_SUPPORT]
        if backing:
            return Value(value, tuple(e.message.id for e in backing[-MAX_CITATIONS:]))
        self.drop(value, "not supported by the cited messages")
        return None

    def inferred(self, value: str, cited: list[NumberedMessage]) -> Value | None:
        allowed = self._allowed()
        if allowed and value not in allowed:
            self.drop(value, f"not one of {', '.join(allowed)}")
            return None
        if not cited:
            self.drop(value, "cites no message of the chat")
            return None
        if not allowed and self._echoes_instructions(value, cited):
            self.drop(value, "copied from the field's description, not said in the chat")
            return None
        return Value(value, tuple(e.message.id for e in cited))

    def _echoes_instructions(self, value: str, cited: list[NumberedMessage]) -> bool:
        """A small model's habit: answering with the description's own example."""
        in_description = support(value, self.item.description) == 1.0
        said = max(support(value, _as_seen(e)) for e in cited)
        return in_description and said < ECHO_SUPPORT

    def _allowed(self) -> tuple[str, ...]:
        if self.item.refers_to == "staff":
            return tuple(self.speakers.staff_names.values())
        return self.item.choices

    def one(self, value: str, cited: list[NumberedMessage]) -> Value | None:
        grounding = self.item.effective_grounding
        if grounding == Grounding.VERBATIM:
            return self.contact(value, cited)
        if grounding == Grounding.QUOTED:
            return self.quoted(value, cited)
        return self.inferred(value, cited)


def _texts(raw_value: Any, kind: FieldKind) -> list[str]:
    if kind == FieldKind.LIST:
        items = raw_value if isinstance(raw_value, list) else [raw_value]
    else:
        items = [raw_value]
    seen: dict[str, None] = {}
    for item in items:
        text = " ".join(str(item or "").split())
        if text:
            seen.setdefault(text, None)
    return list(seen)[: None if kind == FieldKind.LIST else 1]


def ground_reply(
    reply: Mapping[str, Any],
    schema: Schema,
    piece: Piece,
    customer: str,
    speakers: Speakers,
) -> tuple[dict[str, list[Value]], list[DroppedValue]]:
    """Checked values per field (empty fields left out) and what was dropped."""
    values: dict[str, list[Value]] = {}
    dropped: list[DroppedValue] = []
    for item in schema.fields:
        raw = reply.get(item.name)
        if not isinstance(raw, Mapping):
            continue
        grounder = _FieldGrounder(item, piece, speakers, customer, dropped)
        cited = grounder.cited(raw.get(CITES_KEY) or [])
        kept = [
            value
            for text in _texts(raw.get(VALUE_KEY), item.kind)
            if (value := grounder.one(text, cited)) is not None
        ]
        if kept:
            values[item.name] = kept
    return values, dropped
