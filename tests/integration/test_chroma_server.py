"""The index on a real Chroma server (`chroma run` on loopback), as a team would share it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from chatsum.config import Settings
from chatsum.core.index.embedders import FakeEmbedder
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.answering import answer_question
from chatsum.core.pipelines.indexing import index_archive
from chatsum.core.progress import drive
from chatsum.services import AppServices
from tests.qa_helpers import TEAM, build_archive, message_id


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    log = tmp_path_factory.mktemp("chroma-log") / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(
            [
                str(chroma),
                "run",
                "--path",
                str(tmp_path_factory.mktemp("chroma-server")),
                "--port",
                str(port),
                "--host",
                "127.0.0.1",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=1).read()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma run did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_index_ask_and_forget_against_a_chroma_server(settings: Settings, chroma_url: str) -> None:
    settings = settings.replace(chroma_url=chroma_url)
    build_archive(settings.db_path)
    launch = message_id(settings.db_path, "好，那就定3月29号上线")
    services = AppServices(
        settings, embedder=FakeEmbedder(), generator=FakeTextGenerator([f"3月29号 [{launch}]。"])
    )
    try:
        report = drive(
            index_archive(settings.db_path, services.embedder, services.open_vector_index)
        )
        assert report.vectors_total == services.vector_index.count() > 0
        assert not settings.chroma_dir.exists()  # nothing went to a local index
        answer = drive(
            answer_question(
                settings.db_path,
                services.engine,
                services.retrieval_parts(),
                "新版App什么时候上线？",
            )
        )
        assert [c.message_id for c in answer.citations] == [launch]
        team = services.store.find_conversation(TEAM).id
        services.forget_conversation(team)
        left = services.vector_index.count()
        assert 0 < left < report.vectors_total
        again = drive(
            index_archive(settings.db_path, services.embedder, services.open_vector_index)
        )
        assert again.repaired == 0 and again.vectors_total == left
    finally:
        services.close()
