"""`pull` against a local server that serves files the way the model hub does.

The real huggingface-hub download code runs (HEAD metadata, ETag, Range,
retries, error codes); only the endpoint differs, as `hf_endpoint` allows.
The file served is a GGUF written by the test, large enough (about 30 MB) that
huggingface-hub writes it in several 10 MB chunks, so interrupted and
cancelled transfers leave real partial files to resume from.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import huggingface_hub.constants
import pytest

from chatsum.core.errors import Cancelled, ModelError
from chatsum.core.llm.catalog import Catalog, HubSource, ModelEntry
from chatsum.core.llm.hub import DOWNLOADS_DIR, pull
from chatsum.core.llm.store import ModelStore
from chatsum.core.progress import CancelToken, Progress, drive
from tests.core.llm.helpers import LocalHub, sha256_of, write_chat_gguf

REPO = "chatsum-test/tiny-chat-GGUF"
FILENAME = "tiny-chat-q4.gguf"

pytestmark = pytest.mark.usefixtures("hub_online")


@pytest.fixture(scope="module")
def served_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_chat_gguf(tmp_path_factory.mktemp("hub") / FILENAME, filler_bytes=30 * 1024 * 1024)


@pytest.fixture()
def hub(served_file: Path) -> Iterator[LocalHub]:
    hub = LocalHub().start()
    hub.serve(REPO, FILENAME, served_file)
    yield hub
    hub.stop()


def store_with(
    tmp_path: Path, served_file: Path, sha256: str | None = "official", **hub_source: str
) -> ModelStore:
    entry = ModelEntry(
        id="tiny-chat",
        name="Tiny chat",
        family="llama",
        file="tiny-chat.gguf",
        license="MIT",
        context_length=4096,
        ram_estimate_mb=10,
        roles=("test",),
        size=served_file.stat().st_size,
        sha256=sha256_of(served_file) if sha256 == "official" else sha256,
        hub=HubSource(hub_source.get("repo", REPO), hub_source.get("filename", FILENAME)),
    )
    return ModelStore(tmp_path / "models", Catalog((entry,), tmp_path / "catalog.toml"))


def leftovers(store: ModelStore) -> list[str]:
    folder = store.models_dir / DOWNLOADS_DIR
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_pull_downloads_verifies_and_installs(
    tmp_path: Path, hub: LocalHub, served_file: Path
) -> None:
    store = store_with(tmp_path, served_file)
    events: list[Progress] = []
    gen = pull(store, "tiny-chat", hub.endpoint)
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            result = stop.value
            break
    assert result.sha_origin == "catalog" and result.resumed_from == 0
    assert result.downloaded == served_file.stat().st_size
    assert sha256_of(store.prepare_load("tiny-chat").path) == sha256_of(served_file)
    stages = {e.stage for e in events}
    assert {"download", "verify download"} <= stages
    assert events[-1].done == events[-1].total
    assert [r[0] for r in hub.requests] == ["HEAD", "GET"]
    assert leftovers(store) == []


def test_unknown_catalog_checksum_is_taken_from_the_hub(
    tmp_path: Path, hub: LocalHub, served_file: Path
) -> None:
    store = store_with(tmp_path, served_file, sha256=None)
    result = drive(pull(store, "tiny-chat", hub.endpoint))
    assert result.sha_origin == "hub" and result.sha256 == sha256_of(served_file)
    installed = store.get("tiny-chat")
    assert installed is not None and installed.sha_origin == "hub"


def test_interrupted_transfer_resumes_with_a_range_request(
    tmp_path: Path, served_file: Path
) -> None:
    hub = LocalHub(drop_first_get_after=25 * 1024 * 1024).start()
    hub.serve(REPO, FILENAME, served_file)
    try:
        store = store_with(tmp_path, served_file)
        result = drive(pull(store, "tiny-chat", hub.endpoint))
    finally:
        hub.stop()
    gets = hub.gets()
    assert len(gets) == 2
    assert gets[0][2] is None
    resumed_at = int(str(gets[1][2]).removeprefix("bytes=").split("-")[0])
    assert 0 < resumed_at <= 25 * 1024 * 1024
    assert sha256_of(store.models_dir / "tiny-chat.gguf") == sha256_of(served_file)
    assert result.downloaded == served_file.stat().st_size  # counted across both requests


def test_cancelled_pull_keeps_its_part_and_the_next_pull_resumes(
    tmp_path: Path, served_file: Path
) -> None:
    hub = LocalHub(delay_per_chunk_s=0.01).start()  # about 1.2 s for the whole file
    hub.serve(REPO, FILENAME, served_file)
    try:
        store = store_with(tmp_path, served_file)
        cancel = CancelToken()
        gen = pull(store, "tiny-chat", hub.endpoint, cancel)
        for event in gen:
            if event.done >= 10 * 1024 * 1024:
                cancel.cancel()
                break
        with pytest.raises(Cancelled, match="resume"):
            drive(gen)
        part = store.models_dir / DOWNLOADS_DIR / "tiny-chat.gguf.part"
        kept = part.stat().st_size
        assert 0 < kept < served_file.stat().st_size
        assert store.get("tiny-chat") is None and not (store.models_dir / "tiny-chat.gguf").exists()

        result = drive(pull(store, "tiny-chat", hub.endpoint))
    finally:
        hub.stop()
    assert result.resumed_from == kept
    assert hub.gets()[-1][2] == f"bytes={kept}-"
    assert result.downloaded == served_file.stat().st_size - kept
    assert sha256_of(store.models_dir / "tiny-chat.gguf") == sha256_of(served_file)
    assert leftovers(store) == []


def test_a_download_that_does_not_match_its_checksum_is_deleted(
    tmp_path: Path, served_file: Path, hub: LocalHub
) -> None:
    corrupted = tmp_path / "corrupted.gguf"
    data = bytearray(served_file.read_bytes())
    data[len(data) // 2] ^= 0xFF
    corrupted.write_bytes(bytes(data))
    hub.serve(
        REPO, FILENAME, corrupted, claimed_sha256=sha256_of(served_file)
    )  # the hub claims the official hash
    store = store_with(tmp_path, served_file)
    with pytest.raises(ModelError, match="does not match the catalog's") as info:
        drive(pull(store, "tiny-chat", hub.endpoint))
    assert "nothing was installed" in info.value.user_message
    assert store.get("tiny-chat") is None
    assert not (store.models_dir / "tiny-chat.gguf").exists()
    assert leftovers(store) == []


def test_a_hub_file_that_differs_from_the_catalog_is_not_even_downloaded(
    tmp_path: Path, served_file: Path, hub: LocalHub
) -> None:
    store = store_with(tmp_path, served_file, sha256="ab" * 32)
    with pytest.raises(ModelError, match="not the one the catalog lists"):
        drive(pull(store, "tiny-chat", hub.endpoint))
    assert hub.gets() == []


def test_gated_and_missing_files_give_clear_messages(
    tmp_path: Path, served_file: Path, hub: LocalHub
) -> None:
    hub.serve("chatsum-test/gated-GGUF", FILENAME, served_file, gated=True)
    gated = store_with(tmp_path / "a", served_file, repo="chatsum-test/gated-GGUF")
    with pytest.raises(ModelError, match="is gated: accept its licence"):
        drive(pull(gated, "tiny-chat", hub.endpoint))
    missing_file = store_with(tmp_path / "b", served_file, filename="nope.gguf")
    with pytest.raises(ModelError, match="the file is not in the repository"):
        drive(pull(missing_file, "tiny-chat", hub.endpoint))
    missing_repo = store_with(tmp_path / "c", served_file, repo="nobody/nothing")
    with pytest.raises(ModelError, match="repository does not exist"):
        drive(pull(missing_repo, "tiny-chat", hub.endpoint))


def test_offline_gives_a_clear_message(
    tmp_path: Path, served_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    store = store_with(tmp_path, served_file)
    with pytest.raises(ModelError, match=r"Cannot reach http://127\.0\.0\.1"):
        drive(pull(store, "tiny-chat", f"http://127.0.0.1:{closed_port}"))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(ModelError, match="HF_HUB_OFFLINE"):
        drive(pull(store, "tiny-chat", f"http://127.0.0.1:{closed_port}"))
