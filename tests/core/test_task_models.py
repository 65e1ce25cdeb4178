"""Per-task model settings and the engines AppServices builds for them (no model is loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.cli.cmd_eval import chosen_generator
from chatsum.config import MODEL_TASKS, load_settings, save_setting
from chatsum.core.errors import ConfigError
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.services import AppServices

MAIN = "qwen2.5-coder-1.5b-instruct-q4km"


def test_every_task_uses_the_main_model_unless_it_names_its_own(tmp_path: Path) -> None:
    settings = load_settings({"home": tmp_path, "model": MAIN}, environ={})
    assert [settings.model_for(task) for task in MODEL_TASKS] == [MAIN] * 3

    (tmp_path / "config.toml").write_text('extract_model = "qwen3-4b"\n', encoding="utf-8")
    env = {"CHATSUM_SUMMARY_MODEL": "qwen2.5-3b"}
    settings = load_settings({"home": tmp_path, "model": MAIN}, environ=env)
    assert settings.model_for("summary") == "qwen2.5-3b"
    assert settings.model_for("answer") == MAIN
    assert settings.model_for("extract") == "qwen3-4b"
    with pytest.raises(ConfigError, match="Unknown task"):
        settings.model_for("translate")


def test_save_setting_keeps_a_task_model_and_clearing_it_falls_back(tmp_path: Path) -> None:
    settings = load_settings({"home": tmp_path}, environ={})
    settings = save_setting(settings, "answer_model", "qwen2.5-3b")
    assert load_settings({"home": tmp_path}, environ={}).model_for("answer") == "qwen2.5-3b"
    settings = save_setting(settings, "answer_model", "")
    again = load_settings({"home": tmp_path}, environ={})
    assert again.model_for("answer") == again.model


def test_services_build_one_engine_per_distinct_model(tmp_path: Path) -> None:
    settings = load_settings(
        {"home": tmp_path, "model": MAIN, "summary_model": MAIN, "extract_model": "qwen3-4b"},
        environ={},
    )
    services = AppServices(settings)
    try:
        summary, answer, extract = (services.engine_for(task) for task in MODEL_TASKS)
        assert summary is answer is services.engine  # the same model: one engine
        assert summary.model_id == MAIN
        assert extract.model_id == "qwen3-4b" and extract is not summary
        assert services.engine_for("extract") is extract  # kept for the next run
        assert not getattr(extract, "loaded", True)  # building an engine loads nothing
        with chosen_generator(services, None, "extract") as generator:
            assert generator is extract  # the CLI without --model
        with chosen_generator(services, MAIN, "extract") as generator:
            assert generator.model_id == MAIN  # --model wins
        services.close_engines()
        assert services.engine_for("extract") is not extract
    finally:
        services.close()


def test_an_injected_generator_or_a_server_serves_every_task(tmp_path: Path) -> None:
    settings = load_settings({"home": tmp_path, "extract_model": "qwen3-4b"}, environ={})
    fake = FakeTextGenerator()
    services = AppServices(settings, generator=fake)
    assert all(services.engine_for(task) is fake for task in MODEL_TASKS)
    remote = AppServices(settings.replace(remote_llm_url="http://127.0.0.1:9/v1"))
    assert remote.engine_for("extract") is remote.engine
