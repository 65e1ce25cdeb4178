"""The models folder: nothing unverified is installed or loadable, whatever goes wrong.

Uses small GGUF files written by the test and fake part packages on sys.path
(real dist-info folders), so the assemble/add/verify paths run for real
without the large weights.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chatsum.core.errors import Cancelled, ModelError, NotFoundError
from chatsum.core.llm.catalog import Catalog, HubSource, ModelEntry, PackagePart, PypiSource
from chatsum.core.llm.installing import add_model, assemble, assemble_all
from chatsum.core.llm.store import ModelStore
from chatsum.core.progress import CancelToken, Progress, drive
from tests.core.llm.helpers import sha256_of, write_chat_gguf, write_lora_adapter


def catalog_of(*entries: ModelEntry) -> Catalog:
    return Catalog(entries=entries, path=Path("test-catalog.toml"))


def entry(model_id: str, gguf: Path, **changes: object) -> ModelEntry:
    values: dict[str, object] = {
        "id": model_id,
        "name": model_id.title(),
        "family": "llama",
        "file": f"{model_id}.gguf",
        "license": "MIT",
        "context_length": 4096,
        "ram_estimate_mb": 10,
        "roles": ("test",),
        "size": gguf.stat().st_size,
        "sha256": sha256_of(gguf),
        "hub": HubSource("someone/x", "x.gguf"),
    }
    values.update(changes)
    return ModelEntry(**values)  # type: ignore[arg-type]


def fake_part_packages(site: Path, name: str, data: bytes, parts: int) -> PypiSource:
    """Split `data` into `parts` installed distributions named `{name}-partN`."""
    size = -(-len(data) // parts)
    part_list = []
    for index in range(parts):
        package = f"{name}-part{index + 1}"
        module = package.replace("-", "_")
        dist_info = site / f"{module}-1.0.dist-info"
        dist_info.mkdir(parents=True)
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {package}\nVersion: 1.0\n"
        )
        rel = f"{module}/data/part{index + 1:02d}.bin"
        (site / rel).parent.mkdir(parents=True)
        (site / rel).write_bytes(data[index * size : (index + 1) * size])
        part_list.append(PackagePart(package, rel))
    return PypiSource(version="1.0", parts=tuple(part_list))


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    return write_chat_gguf(tmp_path / "src" / "tiny-chat.gguf", filler_bytes=300_000)


@pytest.fixture()
def store(tmp_path: Path) -> ModelStore:
    return ModelStore(tmp_path / "models", catalog_of())


def test_add_installs_a_verified_copy_with_its_metadata(store: ModelStore, tiny: Path) -> None:
    events: list[object] = []
    gen = add_model(store, tiny)
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            model = stop.value
            break
    assert any(isinstance(e, Progress) and e.unit == "bytes" for e in events)
    assert model.id == "tiny-chat"
    assert model.info.architecture == "llama" and model.info.context_length == 4096
    assert model.info.has_chat_template
    plan = store.prepare_load("tiny-chat")
    assert plan.path == store.models_dir / "tiny-chat.gguf"
    assert sha256_of(plan.path) == sha256_of(tiny)
    assert [s.id for s in store.statuses() if s.installed] == ["tiny-chat"]


def test_add_refuses_files_that_are_not_usable_gguf(
    store: ModelStore, tmp_path: Path, tiny: Path
) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("hello, not a model")
    with pytest.raises(ModelError, match=r"notes\.gguf: not a GGUF"):
        drive(add_model(store, text))
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(tiny.read_bytes()[:200])
    with pytest.raises(ModelError, match=r"cut\.gguf: the GGUF header is damaged or truncated"):
        drive(add_model(store, cut))
    base_model = write_chat_gguf(tmp_path / "base-only.gguf", chat_template=None)
    with pytest.raises(ModelError, match="no chat template"):
        drive(add_model(store, base_model))
    assert store.installed() == {}
    assert not list(store.models_dir.glob("*.gguf"))


def test_add_recognises_a_catalog_model_by_its_checksum(tmp_path: Path, tiny: Path) -> None:
    store = ModelStore(tmp_path / "models", catalog_of(entry("official", tiny)))
    model = drive(add_model(store, tiny))
    assert model.id == "official" and model.sha_origin == "catalog"
    assert (store.models_dir / "official.gguf").is_file()
    other = write_chat_gguf(tmp_path / "other.gguf", seed=7)
    with pytest.raises(ModelError, match="not its official file"):
        drive(add_model(store, other, model_id="official"))


def test_missing_truncated_and_corrupted_files_are_never_loadable(
    store: ModelStore, tiny: Path
) -> None:
    drive(add_model(store, tiny))
    path = store.prepare_load("tiny-chat").path

    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        ModelError, match=r"tiny-chat.gguf: the model file is .* \(truncated or replaced\)"
    ):
        store.prepare_load("tiny-chat")

    corrupted = bytearray(data)
    corrupted[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(corrupted))
    with pytest.raises(ModelError, match="sha256 no longer matches") as info:
        store.prepare_load("tiny-chat")
    assert "chatsum models add" in info.value.user_message

    path.unlink()
    with pytest.raises(ModelError, match="missing"):
        store.prepare_load("tiny-chat")
    with pytest.raises(ModelError, match="not installed"):
        store.prepare_load("never-added")


def test_a_touched_but_intact_file_is_rehashed_once_and_accepted(
    store: ModelStore, tiny: Path
) -> None:
    model = drive(add_model(store, tiny))
    assert model.weights is not None
    path = store.prepare_load("tiny-chat").path
    os.utime(path, ns=(model.weights.mtime_ns + 10**9, model.weights.mtime_ns + 10**9))
    assert store.prepare_load("tiny-chat").path == path
    refreshed = store.get("tiny-chat")
    assert refreshed is not None and refreshed.weights is not None
    assert refreshed.weights.mtime_ns == path.stat().st_mtime_ns


def test_verify_rehashes_and_remove_deletes(store: ModelStore, tiny: Path) -> None:
    drive(add_model(store, tiny))
    assert drive(store.verify("tiny-chat")).id == "tiny-chat"
    path = store.models_dir / "tiny-chat.gguf"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    stat = path.stat()
    path.write_bytes(bytes(data))
    os.utime(
        path, ns=(stat.st_atime_ns, stat.st_mtime_ns)
    )  # same size and time: only a hash can tell
    assert store.prepare_load("tiny-chat").path == path  # the cheap check cannot see it...
    with pytest.raises(ModelError, match="does not match"):
        drive(store.verify("tiny-chat"))  # ...verify does
    assert store.remove("tiny-chat") == [path]
    assert not path.exists() and store.get("tiny-chat") is None
    with pytest.raises(NotFoundError):
        store.remove("tiny-chat")


def test_symlinked_model_stays_in_place_and_survives_remove(store: ModelStore, tiny: Path) -> None:
    model = drive(add_model(store, tiny, symlink=True))
    assert model.weights is not None and Path(model.weights.file) == tiny.resolve()
    assert store.prepare_load("tiny-chat").path == tiny.resolve()
    assert store.remove("tiny-chat") == []
    assert tiny.exists()


def test_lora_adapter_is_a_first_class_variant_of_its_base(
    store: ModelStore, tiny: Path, tmp_path: Path
) -> None:
    adapter = write_lora_adapter(tmp_path / "style.gguf", scale=0.1, layers=range(2))
    with pytest.raises(ModelError, match="--base"):
        drive(add_model(store, adapter))
    drive(add_model(store, tiny))
    variant = drive(add_model(store, adapter, base="tiny-chat", model_id="tiny-chat-style"))
    assert variant.base == "tiny-chat" and variant.weights is None
    plan = store.prepare_load("tiny-chat-style")
    assert plan.path == store.models_dir / "tiny-chat.gguf"
    assert plan.adapter_path == store.models_dir / "style.gguf"
    with pytest.raises(ModelError, match="base of tiny-chat-style"):
        store.remove("tiny-chat")
    assert {s.id: s.base for s in store.statuses()}["tiny-chat-style"] == "tiny-chat"


def test_assemble_concatenates_parts_verified_and_is_idempotent(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(site))
    pypi = fake_part_packages(site, "tinyparts", tiny.read_bytes(), parts=3)
    single = fake_part_packages(site, "tinysingle", tiny.read_bytes(), parts=1)
    absent = PypiSource("1.0", (PackagePart("not-installed-part1", "x/part01.bin"),))
    store = ModelStore(
        tmp_path / "models",
        catalog_of(
            entry("multi", tiny, pypi=pypi),
            entry("single", tiny, pypi=single),
            entry("absent", tiny, pypi=absent),
        ),
    )
    outcomes = drive(assemble_all(store))
    assert [(o.model_id, o.action) for o in outcomes] == [
        ("multi", "assembled"),
        ("single", "assembled"),
        ("absent", "parts-missing"),
    ]
    assert "not-installed-part1==1.0" in outcomes[2].detail
    for model_id in ("multi", "single"):
        assert sha256_of(store.prepare_load(model_id).path) == sha256_of(tiny)
    again = drive(assemble_all(store))
    assert [o.action for o in again[:2]] == ["already-verified", "already-verified"]
    assert not list(store.models_dir.glob(".*partial"))


def test_assemble_refuses_parts_that_do_not_give_the_official_file(
    tmp_path: Path, tiny: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(site))
    data = bytearray(tiny.read_bytes())
    data[1000] ^= 0xFF  # a tampered part, same size
    pypi = fake_part_packages(site, "tampered", bytes(data), parts=2)
    store = ModelStore(tmp_path / "models", catalog_of(entry("tampered", tiny, pypi=pypi)))
    with pytest.raises(ModelError, match="do not give the official file"):
        drive(assemble(store, "tampered"))
    assert store.get("tampered") is None
    assert not list(store.models_dir.iterdir())


def test_cancelled_assemble_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = write_chat_gguf(tmp_path / "big.gguf", filler_bytes=12_000_000)
    site = tmp_path / "site"
    monkeypatch.syspath_prepend(str(site))
    pypi = fake_part_packages(site, "bigparts", big.read_bytes(), parts=2)
    store = ModelStore(tmp_path / "models", catalog_of(entry("big", big, pypi=pypi)))
    cancel = CancelToken()
    gen = assemble(store, "big", cancel)
    next(gen)
    cancel.cancel()
    with pytest.raises(Cancelled):
        drive(gen)
    assert store.get("big") is None
    assert not list(store.models_dir.iterdir())
