"""The results of extraction, as frozen records that can cross threads.

Every cell is a tuple of `Value`s, each carrying the stored message ids it came
from: a scalar field holds at most one value, a list field one per item. One
shape for both keeps provenance uniform — the desktop table links any cell to
its messages, and the exporters and the evaluation read cells the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chatsum.core.pipelines.extracting.schema import FieldKind, Schema


class Role(StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"
    OTHER = "other"  # bots, observers: neither answered for nor extracted


class RoleSource(StrEnum):
    USER = "user"
    HEURISTIC = "heuristic"
    MODEL = "model"


@dataclass(frozen=True)
class RoleAssignment:
    """Who a participant is in a service chat, and why we think so."""

    participant_id: int
    name: str
    role: Role
    source: RoleSource
    score: float = 0.0
    message_count: int = 0
    reasons: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "participant_id": self.participant_id,
            "name": self.name,
            "role": self.role.value,
            "source": self.source.value,
            "score": self.score,
            "message_count": self.message_count,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Value:
    text: str
    message_ids: tuple[int, ...]


@dataclass(frozen=True)
class Cell:
    field: str
    values: tuple[Value, ...] = ()

    @property
    def message_ids(self) -> tuple[int, ...]:
        return tuple(sorted({mid for value in self.values for mid in value.message_ids}))

    @property
    def texts(self) -> list[str]:
        return [value.text for value in self.values]

    def display(self, separator: str = "; ") -> str:
        return separator.join(self.texts)


@dataclass(frozen=True)
class CustomerRecord:
    """One customer's record: one cell per schema field, in schema order."""

    customer: str
    participant_id: int | None
    cells: tuple[Cell, ...]

    def cell(self, field_name: str) -> Cell:
        for cell in self.cells:
            if cell.field == field_name:
                return cell
        raise KeyError(field_name)

    @property
    def message_ids(self) -> tuple[int, ...]:
        return tuple(sorted({mid for cell in self.cells for mid in cell.message_ids}))

    def plain_values(self, schema: Schema) -> dict[str, str | list[str]]:
        """Field name → value as the issue defines it ('' or [] when not stated)."""
        out: dict[str, str | list[str]] = {}
        for item in schema.fields:
            texts = self.cell(item.name).texts
            out[item.name] = texts if item.kind == FieldKind.LIST else (texts[0] if texts else "")
        return out


@dataclass(frozen=True)
class DroppedValue:
    """A value the model gave that failed a check; kept for the report and the eval."""

    customer: str
    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class ExtractionStats:
    pieces: int = 0
    model_calls: int = 0
    valid_outputs: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0

    @property
    def schema_valid_rate(self) -> float:
        return self.valid_outputs / self.model_calls if self.model_calls else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pieces": self.pieces,
            "model_calls": self.model_calls,
            "valid_outputs": self.valid_outputs,
            "schema_valid_rate": round(self.schema_valid_rate, 4),
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "seconds": round(self.seconds, 2),
        }


@dataclass(frozen=True)
class ExtractionResult:
    conversation_id: int
    schema: Schema
    roles: tuple[RoleAssignment, ...]
    records: tuple[CustomerRecord, ...]
    dropped: tuple[DroppedValue, ...] = ()
    stats: ExtractionStats = ExtractionStats()
    model_id: str = ""
    since_ms: int | None = None
    until_ms: int | None = None
    run_id: int | None = None
    created_at: str = ""

    def staff_names(self) -> list[str]:
        return [r.name for r in self.roles if r.role == Role.STAFF]
