"""`chatsum models ...` through the real CLI entry point, with the tiny real model."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from chatsum.cli.main import main
from chatsum.config import Settings, load_settings
from chatsum.core.llm.catalog import load_catalog
from chatsum.services import AppServices
from tests.core.llm.helpers import SMOLLM2_ID, sha256_of, smollm2_package_file


def run(home: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    services = AppServices(load_settings({"home": home, "n_ctx": 1024}, environ={}))
    try:
        code = main(list(argv), services=services)
    finally:
        services.close()
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def home_with_tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CHATSUM_HOME where SmolLM2 was installed with `models add` (recognised by its sha256)."""
    home = tmp_path_factory.mktemp("home")
    services = AppServices(load_settings({"home": home}, environ={}))
    try:
        assert main(["models", "add", str(smollm2_package_file())], services=services) == 0
    finally:
        services.close()
    return home


def test_list_json_shows_the_catalog_on_a_fresh_home(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(settings.home, capsys, "models", "list", "--json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert set(rows) == {entry.id for entry in load_catalog()}
    assert not any(row["installed"] for row in rows.values())
    assert [model_id for model_id, row in rows.items() if row["in_use"]] == [Settings().model]
    assert "hub" in rows["qwen2.5-3b-instruct-q4km"]["sources"]


def test_list_json_shows_an_added_model_installed(
    home_with_tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(home_with_tiny_model, capsys, "models", "list", "--json")
    assert code == 0
    row = {r["id"]: r for r in json.loads(out)}[SMOLLM2_ID]
    assert row["installed"] and row["installed_from"] == "local"
    assert Path(row["path"]).parent == home_with_tiny_model / "models"
    assert sha256_of(Path(row["path"])) == sha256_of(smollm2_package_file())


def test_models_test_json_reports_a_real_generation(
    home_with_tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        home_with_tiny_model, capsys, "models", "test", SMOLLM2_ID, "--json", "--max-tokens", "12"
    )
    assert code == 0
    report = json.loads(out)
    assert report["model_id"] == SMOLLM2_ID and report["device"] == "cpu"
    assert report["path"].startswith(str(home_with_tiny_model))
    assert report["load_s"] > 0 and report["time_to_first_token_s"] > 0
    assert report["prompt_tokens"] > 20 and report["prompt_tokens_per_s"] > 0
    assert 1 <= report["completion_tokens"] <= 12 and report["generation_tokens_per_s"] > 0
    assert report["reply"]


def test_use_saves_the_choice_and_verify_rehashes(
    home_with_tiny_model: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(home_with_tiny_model, capsys, "models", "use", SMOLLM2_ID)
    assert code == 0 and SMOLLM2_ID in out
    saved = tomllib.loads((home_with_tiny_model / "config.toml").read_text(encoding="utf-8"))
    assert saved["model"] == SMOLLM2_ID
    code, out, _ = run(home_with_tiny_model, capsys, "models", "verify", "--json")
    assert code == 0 and json.loads(out) == [{"id": SMOLLM2_ID, "ok": True, "problem": ""}]


def test_errors_name_the_file_or_model_and_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.gguf"
    notes.write_text("not a model")
    code, _, err = run(tmp_path / "home", capsys, "models", "add", str(notes))
    assert code == 5 and "notes.gguf: not a GGUF model file" in err
    code, _, err = run(tmp_path / "home", capsys, "models", "use", "qwen2.5-3b-instruct-q4km")
    assert code == 5 and "chatsum models pull qwen2.5-3b-instruct-q4km" in err
    code, _, err = run(tmp_path / "home", capsys, "models", "use", "no-such-model")
    assert code == 4 and "Known models" in err


def test_remove_of_a_linked_model_keeps_the_users_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = run(tmp_path, capsys, "models", "add", "--symlink", str(smollm2_package_file()))
    assert code == 0
    code, out, _ = run(tmp_path, capsys, "models", "remove", SMOLLM2_ID)
    assert code == 0 and "Removed" in out
    assert smollm2_package_file().is_file()
    code, out, _ = run(tmp_path, capsys, "models", "list", "--json")
    assert not {r["id"]: r for r in json.loads(out)}[SMOLLM2_ID]["installed"]
