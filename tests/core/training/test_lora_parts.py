"""The trainer's pure parts: data order for exact resume, the schedule, the run record,
and the model card built from it."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from chatsum.core.errors import ConfigError
from chatsum.core.pipelines.training.card import build_card, render_card
from chatsum.core.pipelines.training.export import ExportedAdapter
from chatsum.core.pipelines.training.lora import (
    BaseModelRef,
    LoraSettings,
    RunRecord,
    _learning_rate,
    _order,
)


def test_each_epoch_visits_every_example_once_in_a_seeded_order() -> None:
    first = [_order(7, seed=3, position=p) for p in range(7)]
    second = [_order(7, seed=3, position=p) for p in range(7, 14)]
    assert sorted(first) == sorted(second) == list(range(7))
    assert first != second, "each epoch is shuffled anew"
    assert first == [_order(7, seed=3, position=p) for p in range(7)], "resume sees the same order"
    assert first != [_order(7, seed=4, position=p) for p in range(7)]


def test_schedule_warms_up_then_decays_to_a_tenth() -> None:
    settings = LoraSettings(learning_rate=1e-3, warmup_share=0.1)
    rates = [_learning_rate(settings, step, 100) for step in range(100)]
    assert rates[0] == pytest.approx(1e-4)
    assert max(rates) == pytest.approx(1e-3)
    assert rates[-1] == pytest.approx(1e-4, rel=0.01)
    assert all(a >= b for a, b in itertools.pairwise(rates[10:]))


def test_settings_are_checked() -> None:
    with pytest.raises(ConfigError):
        LoraSettings(rank=0).check()
    with pytest.raises(ConfigError):
        LoraSettings(epochs=0).check()


def record() -> RunRecord:
    return RunRecord(
        base=BaseModelRef("base-model", "/m/base.gguf", "a" * 64, "qwen2"),
        data_dir="/d",
        data={
            "prompt_version": "sum-v9",
            "train": 90,
            "valid": 10,
            "by_source": {"synthetic": 100},
            "by_language": {"zh": 50, "en": 50},
            "licences": {"Apache-2.0": 100},
            "eval_sets": [
                {"path": "bench/data/summarize_eval.jsonl", "sha256": "b" * 64, "dialogues": 12}
            ],
        },
        settings=LoraSettings(rank=8, alpha=16),
        total_steps=12,
        train_examples=90,
        skipped_too_long=0,
        device="cpu",
        threads=2,
        torch_version="2.13.0",
        machine="x86_64",
        step=12,
        losses=[(1, 1.5), (12, 0.4)],
        valid_loss_before=1.4,
        valid_loss_after=0.5,
        tokens_seen=12_000,
        train_seconds=600.0,
        finished=True,
    )


def test_run_record_round_trips(tmp_path: Path) -> None:
    original = record()
    original.write(tmp_path)
    assert RunRecord.read(tmp_path) == original
    assert original.tokens_per_second == pytest.approx(20.0)


def test_card_carries_data_training_and_metrics(tmp_path: Path) -> None:
    exported = ExportedAdapter(tmp_path / "x.gguf", "c" * 64, 1234, 392, "qwen2", 8, 16.0)
    before = {"rougeL": 0.21, "attribution_accuracy": 0.5, "schema_valid_rate": 1.0}
    after = {"rougeL": 0.3, "attribution_accuracy": 0.9, "schema_valid_rate": 1.0}
    card = build_card("base-model-chatsum-lora", record(), exported, before, after)
    assert card["data"]["eval_sets_excluded"] == ["bench/data/summarize_eval.jsonl"]
    assert card["training"]["tokens_per_second"] == 20.0
    text = render_card(card)
    assert "| ROUGE-L | 0.210 | 0.300 |" in text
    assert "| attribution accuracy | 0.500 | 0.900 |" in text
    assert "sum-v9" in text and "c" * 64 in text
    assert "validation loss 1.400 → 0.500" in text


def test_training_refuses_data_built_for_another_prompt(tmp_path: Path) -> None:
    from chatsum.core.pipelines.training.dataset import MANIFEST_FILE, DatasetManifest
    from chatsum.core.pipelines.training.lora import train_lora
    from chatsum.core.progress import CancelToken, drive

    stale = DatasetManifest("sum-v0", 1, 0, {}, {}, {}, {})
    (tmp_path / MANIFEST_FILE).write_text(json.dumps(stale.to_record()))
    base = BaseModelRef("base-model", str(tmp_path / "missing.gguf"), "a" * 64, "qwen2")
    with pytest.raises(ConfigError, match="rebuild it"):
        drive(train_lora(tmp_path, base, tmp_path / "run", LoraSettings(), CancelToken()))
    assert not (tmp_path / "run").exists()
    with pytest.raises(ConfigError, match="not a training data folder"):
        drive(train_lora(tmp_path / "empty", base, tmp_path / "run", LoraSettings(), CancelToken()))
