"""The remote backend against llama-cpp-python's real OpenAI-compatible server.

The server is started by the test on 127.0.0.1 with SmolLM2 from its package
and stopped afterwards; the generator talks to it over real HTTP/SSE.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatsum.core.errors import Cancelled, ContextOverflowError, ModelError
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.remote import OpenAICompatibleGenerator
from chatsum.core.llm.structured import generate_json
from chatsum.core.progress import CancelToken, drive
from tests.core.llm.helpers import smollm2_package_file

pytestmark = pytest.mark.slow

QUESTION = [ChatMessage("user", "Write two short sentences about rain.")]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    command = [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(smollm2_package_file()),
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "1024",
    ]  # fmt: skip
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/v1/models", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    pytest.fail("llama_cpp.server did not start within 90 s")


@pytest.fixture()
def remote(server_url: str) -> OpenAICompatibleGenerator:
    return OpenAICompatibleGenerator(server_url + "/v1", context_length=1024)


def test_streams_a_reply_over_server_sent_events(remote: OpenAICompatibleGenerator) -> None:
    pieces: list[str] = []
    stream = remote.stream_chat(QUESTION, GenerationOptions(max_tokens=24, temperature=0.0))
    while True:
        try:
            pieces.append(next(stream))
        except StopIteration as stop:
            completion = stop.value
            break
    assert len(pieces) >= 5 and "".join(pieces) == completion.text
    assert completion.usage.completion_tokens >= len(pieces) - 1
    assert 0 < completion.usage.time_to_first_token_s < completion.usage.total_s
    assert completion.finish_reason in {"stop", "length"}


def test_token_counts_come_from_the_server(remote: OpenAICompatibleGenerator) -> None:
    short, longer = remote.count_tokens("hello"), remote.count_tokens("hello " * 50)
    assert remote.exact_token_counts
    assert 0 < short < longer
    assert remote.count_chat_tokens(QUESTION) > remote.count_tokens(QUESTION[0].content)


def test_json_schema_reply_is_validated(remote: OpenAICompatibleGenerator) -> None:
    schema = {
        "type": "object",
        "properties": {"weather": {"enum": ["rain", "sun"]}, "words": {"type": "integer"}},
        "required": ["weather", "words"],
        "additionalProperties": False,
    }
    reply = drive(
        generate_json(remote, QUESTION, schema, GenerationOptions(max_tokens=40, temperature=0.0))
    )
    assert reply.data["weather"] in {"rain", "sun"} and isinstance(reply.data["words"], int)


def test_overflow_is_refused_locally_and_cancel_stops_the_stream(
    remote: OpenAICompatibleGenerator,
) -> None:
    with pytest.raises(ContextOverflowError):
        drive(
            remote.stream_chat(
                [ChatMessage("user", "rain " * 2000)], GenerationOptions(max_tokens=8)
            )
        )
    cancel = CancelToken()
    stream = remote.stream_chat(QUESTION, GenerationOptions(max_tokens=200), cancel)
    next(stream)
    cancel.cancel()
    with pytest.raises(Cancelled):
        drive(stream)


def test_an_unreachable_server_is_a_clear_error() -> None:
    remote = OpenAICompatibleGenerator(f"http://127.0.0.1:{free_port()}", context_length=1024)
    with pytest.raises(ModelError, match="Cannot reach the model server"):
        drive(remote.stream_chat(QUESTION, GenerationOptions(max_tokens=4)))
