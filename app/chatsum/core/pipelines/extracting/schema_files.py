"""User-defined schemas, read from a JSON Schema file or a simple YAML field list.

Two shapes because two kinds of users write them: developers already have JSON
Schemas (an object whose `properties` are the fields, or an array of such
objects), while a sales manager can write a YAML list of fields with a name,
a type (string, list, enum), a description and an English name. Both become the
same `Schema`; the descriptions go into the prompt, so they are kept verbatim.
Every problem is reported with the file and the field it concerns.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chatsum.core.errors import ConfigError, NotFoundError
from chatsum.core.pipelines.extracting.lead import LEAD_SCHEMA_ID, lead_schema
from chatsum.core.pipelines.extracting.schema import Field, FieldKind, Schema, field_from_dict

_PHONE_FORMATS = {"phone", "tel", "telephone", "mobile"}


def resolve_schema(ref: str | Path) -> Schema:
    """'lead' (the built-in schema) or the path of a .json / .yaml / .yml file."""
    if str(ref).strip().lower() == LEAD_SCHEMA_ID:
        return lead_schema()
    path = Path(ref).expanduser()
    if not path.is_file():
        raise NotFoundError(
            f"No schema file {str(path)!r}. Use --schema lead or a .json/.yaml schema file."
        )
    return load_schema_file(path)


def load_schema_file(path: Path) -> Schema:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path} line {exc.lineno}: not valid JSON ({exc.msg}).") from None
    else:
        data = _load_yaml(path, text)
    if isinstance(data, dict) and ("properties" in data or data.get("type") == "array"):
        return schema_from_json_schema(data, path.stem, str(path))
    if isinstance(data, list):
        data = {"fields": data}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a JSON Schema object or a list of fields, found {type(data).__name__}."
        )
    return Schema.from_dict({"id": path.stem, **data}, str(path))


def _load_yaml(path: Path, text: str) -> Any:
    import yaml

    try:
        # Every value of a field list is text: the base loader keeps `[yes, no]`
        # as the strings a user typed instead of turning them into booleans.
        return yaml.load(text, Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else "?"
        raise ConfigError(f"{path} line {line}: not valid YAML ({exc.problem}).") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc}).") from None


def schema_from_json_schema(data: dict[str, Any], default_id: str, origin: str) -> Schema:
    """A JSON Schema for one record (or an array of records) as a `Schema`."""
    record = data
    if data.get("type") == "array" and isinstance(data.get("items"), dict):
        record = data["items"]
    properties = record.get("properties")
    if not isinstance(properties, dict) or not properties:
        raise ConfigError(f"{origin}: the JSON Schema has no 'properties' to extract.")
    fields = tuple(
        _field_from_property(name, spec, f"{origin} property {name!r}")
        for name, spec in properties.items()
    )
    return Schema.from_dict(
        {
            "id": data.get("$id") or data.get("x-id") or default_id,
            "title": data.get("title") or record.get("title") or default_id,
            "title_en": data.get("x-title-en"),
            "description": data.get("description") or record.get("description"),
            "fields": [f.as_dict() for f in fields],
        },
        origin,
    )


def _field_from_property(name: str, spec: Any, where: str) -> Field:
    if not isinstance(spec, dict):
        raise ConfigError(f"{where}: must be an object.")
    kind = FieldKind.STRING
    choices = spec.get("enum") or ()
    items = spec.get("items")
    if spec.get("type") == "array":
        kind = FieldKind.LIST
        if not isinstance(items, dict) or items.get("type", "string") != "string":
            raise ConfigError(f"{where}: only lists of strings can be extracted.")
        choices = items.get("enum") or ()
    elif spec.get("type", "string") != "string":
        raise ConfigError(
            f"{where}: type {spec.get('type')!r} is not supported; use string, "
            "string with enum, or array of strings."
        )
    elif choices:
        kind = FieldKind.ENUM
    fmt = str(spec.get("format") or spec.get("x-format") or "").lower() or None
    if fmt in _PHONE_FORMATS:
        fmt = "phone"
    elif fmt not in (None, "email"):
        fmt = None  # date, uri, ...: kept as text; only phone and e-mail are checked.
    item: dict[str, Any] = {
        "name": name,
        "type": kind.value,
        "description": spec.get("description") or "",
        "name_en": spec.get("x-name-en") or spec.get("title") or "",
        "choices": list(choices),
        "format": fmt,
        "refers_to": spec.get("x-refers-to"),
        "grounding": spec.get("x-grounding"),
    }
    return field_from_dict(item, where)
