"""`chatsum train …` through the real CLI entry point (no model needed for these paths)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatsum.cli.main import main
from chatsum.config import Settings
from chatsum.core.pipelines.training.dataset import TRAIN_FILE, VALID_FILE
from chatsum.core.pipelines.training.examples import read_examples
from chatsum.services import AppServices

EVAL = {
    "id": "e1",
    "language": "en",
    "messages": [
        {"sender": "Ann", "time": "2024-05-10 09:00", "text": "Picnic at the lake on Sunday?"},
        {"sender": "Bob", "time": "2024-05-10 09:01", "text": "Only if it does not rain"},
    ],
    "reference": {"gist": "A picnic.", "topics": []},
}


def run(settings: Settings, *argv: str) -> int:
    services = AppServices(settings)
    try:
        return main(list(argv), services)
    finally:
        services.close()


def test_train_data_writes_examples_and_reports_json(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    eval_path = tmp_path / "eval.jsonl"
    eval_path.write_text(json.dumps(EVAL) + "\n", encoding="utf-8")
    out = tmp_path / "data"
    argv = ["train", "data", "--out", str(out), "--synthetic", "10", "--lang", "en"]
    code = run(settings, *argv, "--eval-set", str(eval_path), "--valid-share", "0.3", "--json")
    assert code == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["by_language"] == {"en": manifest["train"] + manifest["valid"]}
    assert manifest["eval_sets"][0]["path"] == str(eval_path)
    examples = [*read_examples(out / TRAIN_FILE), *read_examples(out / VALID_FILE)]
    assert len(examples) == manifest["train"] + manifest["valid"] > 0
    assert all(e.language == "en" and e.source == "synthetic" for e in examples)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--dataset", "x.jsonl"], "--dataset-licence"),
        (["--conversation", "1"], "teacher"),
        (["--lang", "fr"], "--lang"),
    ],
)
def test_train_data_refuses_what_it_cannot_label(
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code = run(settings, "train", "data", "--out", str(tmp_path / "d"), *argv)
    assert code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_export_refuses_an_unfinished_run(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(settings, "train", "export", "--run", str(tmp_path / "missing")) == 2
    assert "not a training run" in capsys.readouterr().err


def test_lora_needs_an_installed_base(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(settings, "train", "lora", "--data", str(tmp_path), "--out", str(tmp_path / "r"))
    assert code == 5
    assert "not installed" in capsys.readouterr().err
