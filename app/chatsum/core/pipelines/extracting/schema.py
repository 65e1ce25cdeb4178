"""What to extract: a schema is an ordered list of fields, one record per customer.

A field is deliberately small — a name, a kind (free text, list of texts, or
one of a fixed set of choices), a description that goes into the prompt, an
English display name for the English interface, an optional `format` (phone,
email) that switches on pattern checks, and an optional `refers_to` ("staff")
that ties a list to the conversation's staff names. That is all a small local
model can be held to, and all the validation and merge rules need to know.
Values always stay as written in the chat; only the field names are translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chatsum.core.errors import ConfigError


class FieldKind(StrEnum):
    STRING = "string"
    LIST = "list"
    ENUM = "enum"


class Grounding(StrEnum):
    """How a value must be supported by the messages it cites.

    `quoted` values are copied from the chat, so their words must occur in the
    cited messages; `inferred` values (a judgement such as a stage or an
    enumeration) only need valid citations; `verbatim` values (phone numbers,
    e-mails) must appear character for character.
    """

    QUOTED = "quoted"
    INFERRED = "inferred"
    VERBATIM = "verbatim"


FORMATS = ("phone", "email")
REFERENCES = ("staff",)


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind = FieldKind.STRING
    description: str = ""
    name_en: str = ""
    choices: tuple[str, ...] = ()
    format: str | None = None
    refers_to: str | None = None
    grounding: Grounding = Grounding.QUOTED

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ConfigError("A schema field has an empty name.")
        if self.kind == FieldKind.ENUM and not self.choices:
            raise ConfigError(f"Field {self.name!r} is an enumeration but lists no choices.")
        if self.format is not None and self.format not in FORMATS:
            raise ConfigError(
                f"Field {self.name!r} has format {self.format!r}; "
                f"known formats are {', '.join(FORMATS)}."
            )
        if self.refers_to is not None and self.refers_to not in REFERENCES:
            raise ConfigError(
                f"Field {self.name!r} refers to {self.refers_to!r}; only 'staff' is known."
            )

    @property
    def display_en(self) -> str:
        return self.name_en or self.name

    @property
    def effective_grounding(self) -> Grounding:
        if self.format is not None:
            return Grounding.VERBATIM
        if self.choices or self.refers_to is not None:
            return Grounding.INFERRED
        return self.grounding

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.name, "type": self.kind.value}
        if self.description:
            data["description"] = self.description
        if self.name_en:
            data["name_en"] = self.name_en
        if self.choices:
            data["choices"] = list(self.choices)
        if self.format:
            data["format"] = self.format
        if self.refers_to:
            data["refers_to"] = self.refers_to
        if self.grounding != Grounding.QUOTED:
            data["grounding"] = self.grounding.value
        return data


@dataclass(frozen=True)
class Schema:
    """A named set of fields; `id` keys stored results ("lead" or a file's stem)."""

    id: str
    title: str
    fields: tuple[Field, ...]
    title_en: str = ""
    description: str = ""
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.fields:
            raise ConfigError(f"Schema {self.id!r} has no fields.")
        names: dict[str, Field] = {}
        for item in self.fields:
            if item.name in names:
                raise ConfigError(f"Schema {self.id!r} lists the field {item.name!r} twice.")
            names[item.name] = item
        object.__setattr__(self, "by_name", names)

    def field_names(self, english: bool = False) -> list[str]:
        return [f.display_en if english else f.name for f in self.fields]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "title_en": self.title_en,
            "description": self.description,
            "fields": [f.as_dict() for f in self.fields],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], origin: str = "schema") -> Schema:
        """The inverse of `as_dict` (also the shape of the simple YAML field list)."""
        raw_fields = data.get("fields")
        if not isinstance(raw_fields, list) or not raw_fields:
            raise ConfigError(f"{origin}: needs a non-empty list under 'fields'.")
        fields = tuple(
            field_from_dict(item, f"{origin} field {index + 1}")
            for index, item in enumerate(raw_fields)
        )
        try:
            return cls(
                id=str(data.get("id") or "custom"),
                title=str(data.get("title") or data.get("id") or "custom"),
                title_en=str(data.get("title_en") or ""),
                description=str(data.get("description") or ""),
                fields=fields,
            )
        except ConfigError as exc:
            raise ConfigError(f"{origin}: {exc.user_message}") from None


def field_from_dict(item: Any, where: str) -> Field:
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        raise ConfigError(f"{where}: each field needs at least a 'name'.")
    kind_raw = str(item.get("type") or "string").strip().lower()
    try:
        kind = FieldKind(kind_raw)
    except ValueError:
        raise ConfigError(
            f"{where} ({item['name']}): type {kind_raw!r} is not one of string, list, enum."
        ) from None
    choices = item.get("choices") or item.get("enum") or ()
    if not isinstance(choices, list | tuple):
        raise ConfigError(f"{where} ({item['name']}): 'choices' must be a list.")
    grounding_raw = str(item.get("grounding") or Grounding.QUOTED.value)
    try:
        grounding = Grounding(grounding_raw)
    except ValueError:
        raise ConfigError(
            f"{where} ({item['name']}): grounding {grounding_raw!r} is not one of "
            "quoted, inferred, verbatim."
        ) from None
    try:
        return _field(item, kind, choices, grounding)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc.user_message}") from None


def _field(item: dict[str, Any], kind: FieldKind, choices: Any, grounding: Grounding) -> Field:
    return Field(
        name=str(item["name"]).strip(),
        kind=kind,
        description=str(item.get("description") or "").strip(),
        name_en=str(item.get("name_en") or item.get("english") or "").strip(),
        choices=tuple(str(c) for c in choices),
        format=(str(item["format"]).strip().lower() if item.get("format") else None),
        refers_to=(str(item["refers_to"]).strip().lower() if item.get("refers_to") else None),
        grounding=grounding,
    )
