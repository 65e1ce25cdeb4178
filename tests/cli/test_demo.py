"""`chatsum --selftest` and `chatsum demo` for real: the bundled sample export, the
numpy USE embedder, a local Chroma and llama.cpp running the tiny SmolLM2 model.

The self-test runs for real once, in a home the test owns; the tiny model's
wording is not judged, only what each step guarantees. `demo` is the same
routine with the user's settings: it runs twice on one home with a scripted
model (answers that the schemas accept) and the fake embedder, so the test is
about the command (what it prints, that a second run reuses the archive, the
index and the cached summary), not about the model. The failure paths prove
the self-test can fail: a missing sample export, and a model that is neither
installed nor installable from packages.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chatsum.cli.main import main
from chatsum.config import load_settings
from chatsum.core.index.embedders import FakeEmbedder
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.storage.store import Store
from chatsum.services import AppServices
from tests.core.llm.helpers import SMOLLM2_ID

pytestmark = pytest.mark.slow

STEPS = 5


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    started = time.monotonic()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return Run(code, out, err, time.monotonic() - started)


def step_lines(out: str) -> list[str]:
    return re.findall(r"^ {6}(ok|FAILED) in [\d.]+ s: (.*)$", out, re.M)


@pytest.fixture(scope="module")
def selftest(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    """One real self-test in a home of its own (capsys is per test, so capture here)."""
    home = tmp_path_factory.mktemp("selftest-home")
    out, err = io.StringIO(), io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--home", str(home), "--selftest"])
    return home, Run(code, out.getvalue(), err.getvalue(), time.monotonic() - started)


def test_selftest_passes_every_step_with_the_tiny_model(selftest: tuple[Path, Run]) -> None:
    home, result = selftest
    print(f"selftest took {result.seconds:.1f} s")
    assert result.code == 0, result.out + result.err
    lines = step_lines(result.out)
    assert [verdict for verdict, _ in lines] == ["ok"] * STEPS, result.out
    assert f"self-test in {home}" in result.out
    assert "selftest passed" in result.out

    store = Store.open(home / "chatsum.db")
    try:
        [conversation] = store.list_conversations()
    finally:
        store.close()
    assert conversation.message_count > 0
    imported = lines[1][1]
    assert f"{conversation.message_count} messages (new)" in imported
    vectors = int(re.match(r"(\d+) vectors with use-multilingual", lines[2][1]).group(1))  # type: ignore[union-attr]
    assert vectors > 0
    assert SMOLLM2_ID in lines[3][1] and "model calls" in lines[3][1]
    assert re.match(r"(answered|rejected), \d+ citations", lines[4][1])
    assert (home / "models" / "registry.json").is_file()


def schema_instance(schema: dict[str, Any]) -> Any:
    """The smallest value a JSON schema accepts (first enum value, minimum items)."""
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        return {name: schema_instance(sub) for name, sub in schema["properties"].items()}
    if kind == "array":
        return [schema_instance(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "string":
        return "发布推迟"[: max(2, schema.get("minLength", 2))]
    if kind == "integer":
        return 1
    raise AssertionError(f"schema_instance: no value for {schema}")


def scripted_model(messages: list[ChatMessage], options: GenerationOptions) -> Any:
    if options.json_schema is not None:
        return schema_instance(options.json_schema)
    return "发布改到下周三。"


def test_demo_explains_each_step_and_a_second_run_reuses_everything(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    settings = load_settings({"home": home, "model": SMOLLM2_ID}, environ={})
    generator = FakeTextGenerator(scripted_model, model_id=SMOLLM2_ID)

    def demo() -> Run:
        services = AppServices(settings, generator=generator, embedder=FakeEmbedder())
        try:
            started = time.monotonic()
            code = main(["demo"], services=services)
            out, err = capsys.readouterr()
            return Run(code, out, err, time.monotonic() - started)
        finally:
            services.close()

    first = demo()
    assert first.code == 0, first.out + first.err
    lines = step_lines(first.out)
    assert [verdict for verdict, _ in lines] == ["ok"] * STEPS, first.out
    assert "(new)" in lines[1][1] and "model calls" in lines[3][1]
    assert f"Everything is written under {home}" in first.out
    assert f"Your data is in {home}" in first.out and str(settings.db_path) in first.out

    calls = len(generator.calls)
    second = demo()
    assert second.code == 0, second.out + second.err
    lines = step_lines(second.out)
    assert "already in the archive" in lines[1][1]
    assert "0 messages embedded now" in lines[2][1]
    assert "from the cache" in lines[3][1]
    assert len(generator.calls) == calls + 1  # only the question reached the model
    store = Store.open(settings.db_path)
    try:
        assert len(store.list_conversations()) == 1
    finally:
        store.close()


def test_selftest_fails_and_names_the_step_when_the_sample_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATSUM_RESOURCES", str(tmp_path / "no-resources"))

    result = run(capsys, "--home", str(tmp_path / "home"), "--selftest")

    assert result.code == 1
    verdicts = [verdict for verdict, _ in step_lines(result.out)]
    assert verdicts == ["ok", "FAILED"]
    assert "sample export is missing" in result.out
    assert "selftest FAILED at: import the sample export" in result.err


def test_demo_says_how_to_get_a_model_that_is_not_installed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHATSUM_MODEL", "qwen2.5-3b-instruct-q4km")  # a download, not packaged

    result = run(capsys, "--home", str(tmp_path / "home"), "demo")

    assert result.code == 1
    [(verdict, detail)] = step_lines(result.out)
    assert verdict == "FAILED"
    assert "is not installed" in detail and "chatsum models pull qwen2.5-3b-instruct-q4km" in detail
    assert not (tmp_path / "home" / "chatsum.db").exists()
