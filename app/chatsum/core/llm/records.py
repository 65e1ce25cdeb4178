"""The registry's records: what is installed, how it was verified, how to load it.

Plain frozen dataclasses with their JSON form, shared by the store (which
reads and writes `registry.json`), the installers and the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from chatsum.core.llm.files import GgufInfo

Source = Literal["pypi", "hub", "local"]
ShaOrigin = Literal["catalog", "hub", "recorded"]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class VerifiedFile:
    """A file whose sha256 was checked, with the stat fingerprint it had then."""

    file: str  # name inside the models folder, or an absolute path for linked files
    size: int
    sha256: str
    mtime_ns: int
    verified_at: str

    def to_record(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "size": self.size,
            "sha256": self.sha256,
            "mtime_ns": self.mtime_ns,
            "verified_at": self.verified_at,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> VerifiedFile:
        return cls(
            file=str(record["file"]),
            size=int(record["size"]),
            sha256=str(record["sha256"]),
            mtime_ns=int(record["mtime_ns"]),
            verified_at=str(record["verified_at"]),
        )


@dataclass(frozen=True)
class InstalledModel:
    id: str
    name: str
    source: Source
    sha_origin: ShaOrigin
    info: GgufInfo
    weights: VerifiedFile | None  # None for an adapter variant: its weights are the base's
    base: str | None = None
    adapter: VerifiedFile | None = None

    def to_record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "source": self.source,
            "sha_origin": self.sha_origin,
            "gguf": self.info.to_record(),
            "weights": self.weights.to_record() if self.weights else None,
            "base": self.base,
            "adapter": self.adapter.to_record() if self.adapter else None,
        }

    @classmethod
    def from_record(cls, model_id: str, record: dict[str, Any]) -> InstalledModel:
        return cls(
            id=model_id,
            name=str(record["name"]),
            source=record["source"],
            sha_origin=record["sha_origin"],
            info=GgufInfo.from_record(record["gguf"]),
            weights=VerifiedFile.from_record(record["weights"]) if record.get("weights") else None,
            base=record.get("base"),
            adapter=VerifiedFile.from_record(record["adapter"]) if record.get("adapter") else None,
        )


@dataclass(frozen=True)
class LoadPlan:
    """Everything the engine needs to load a verified model."""

    model_id: str
    name: str
    path: Path
    size: int
    info: GgufInfo
    adapter_path: Path | None = None


@dataclass(frozen=True)
class ModelStatus:
    """One row of `chatsum models list`: a catalog entry or a user-added model."""

    id: str
    name: str
    installed: bool
    path: str | None
    size: int | None
    roles: tuple[str, ...]
    license: str
    context_length: int | None
    ram_estimate_mb: int | None
    sources: tuple[str, ...]
    installed_from: str | None = None
    sha256_known: bool = True
    notes: str = ""
    base: str | None = None


@dataclass(frozen=True)
class AssembleOutcome:
    model_id: str
    action: Literal["assembled", "already-verified", "parts-missing"]
    detail: str = ""
