"""`chatsum --selftest` and `chatsum demo` for real: the bundled sample export, the
numpy USE embedder, a local Chroma and llama.cpp running the tiny SmolLM2 model.

The self-test runs once (module fixture) in a home the test owns; `demo` then
runs on that same home, as a user would after installing, and must reuse what
is there (no second copy of the sample, the summary from the cache). The tiny
model's wording is not judged, only what each step guarantees. The failure
paths prove the self-test can fail: a missing sample export, and a model that
is neither installed nor installable from packages.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from chatsum.cli.main import main
from chatsum.core.storage.store import Store
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


def test_demo_on_the_same_home_reuses_the_archive_and_the_cached_summary(
    selftest: tuple[Path, Run], capsys: pytest.CaptureFixture[str]
) -> None:
    home, first = selftest
    assert first.code == 0
    assert run(capsys, "--home", str(home), "models", "use", SMOLLM2_ID).code == 0

    result = run(capsys, "--home", str(home), "demo")

    assert result.code == 0, result.out + result.err
    lines = step_lines(result.out)
    assert [verdict for verdict, _ in lines] == ["ok"] * STEPS
    assert "already in the archive" in lines[1][1]
    assert "0 messages embedded now" in lines[2][1]
    assert "from the cache" in lines[3][1]
    assert f"Your data is in {home}" in result.out
    assert str(home / "chatsum.db") in result.out
    store = Store.open(home / "chatsum.db")
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
