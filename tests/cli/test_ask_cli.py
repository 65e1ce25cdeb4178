"""`chatsum index`, `chatsum ask` and `chatsum eval answer` through the real CLI,
on a real archive and a local Chroma, with the fake model and embedder injected."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chatsum.cli.main import main
from chatsum.config import Settings
from chatsum.core.index.embedders import FakeEmbedder
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.services import AppServices
from tests.qa_helpers import TEAM, build_archive, message_id

LAUNCH = "好，那就定3月29号上线"


def run(
    settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str, replies: Any = None
) -> tuple[int, str, str]:
    services = AppServices(
        settings, generator=FakeTextGenerator(replies or ["ok"]), embedder=FakeEmbedder()
    )
    try:
        code = main(list(argv), services=services)
    finally:
        services.close()
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def archive(settings: Settings) -> Settings:
    build_archive(settings.db_path)
    return settings


def test_index_builds_then_updates_nothing(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(archive, capsys, "index", "--json")
    first = json.loads(out)
    assert code == 0 and first["rebuilt"] and first["messages_embedded"] == 14
    assert first["embedder_id"] == "fake" and first["vectors_total"] == first["chunks_added"]
    code, out, _ = run(archive, capsys, "index")
    assert code == 0 and "0 conversation(s) indexed, 2 unchanged" in out
    code, out, _ = run(archive, capsys, "index", "--rebuild", "--json")
    assert json.loads(out)["rebuilt"] and json.loads(out)["chunks_added"] == first["chunks_added"]


def test_ask_json_gives_the_answer_and_its_cited_messages(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    launch = message_id(archive.db_path, LAUNCH)
    code, out, _ = run(
        archive,
        capsys,
        "ask",
        "新版App什么时候上线？",
        "--json",
        replies=[f"3月29号上线 [{launch}]。"],
    )
    assert code == 0
    data = json.loads(out)  # nothing but the JSON on stdout: no streamed pieces
    assert data["rejected"] is False and data["outcome"] == "answered"
    assert data["rewritten_question"] == "新版App什么时候上线？"
    assert data["answer"] == f"3月29号上线 [{launch}]。"
    [cited] = data["citations"]
    assert cited["id"] == launch and cited["conversation"] == TEAM and cited["sender"] == "张伟"
    assert cited["text"] == LAUNCH and cited["time"].startswith("2024-03-0")
    assert data["dropped_citations"] == [] and data["unsupported_claims"] == []


def test_ask_an_unknown_thing_is_rejected(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(archive, capsys, "ask", "Who won the chess tournament?", "--json")
    data = json.loads(out)
    assert code == 0 and data["rejected"] is True and data["answer"] == "Not found in the archive."
    assert data["citations"] == []


def test_ask_streams_text_then_lists_sources_and_honours_filters(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    launch = message_id(archive.db_path, LAUNCH)
    code, out, _ = run(
        archive,
        capsys,
        "ask",
        "新版App什么时候上线？",
        "--conversation",
        TEAM,
        "--since",
        "2024-03-01",
        "--until",
        "2024-03-10",
        "--participant",
        "张伟",
        replies=[f"定在3月29号 [{launch}]。"],
    )
    assert code == 0
    assert out.startswith(f"定在3月29号 [{launch}]。")
    assert (
        f"sources:\n  [{launch}] {TEAM} · 2024-03-0" in out and "张伟: 好，那就定3月29号上线" in out
    )


def test_interactive_follow_ups_share_a_session(
    archive: Settings, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = iter(["那个是谁提议的？", "quit"])
    monkeypatch.setattr("builtins.input", lambda prompt="": next(asked))

    def reply(messages: Any, options: Any) -> Any:
        return {"question": "推迟上线是谁提议的？"} if options.json_schema else "李娜。"

    code, out, err = run(archive, capsys, "ask", "新版App什么时候上线？", "-i", replies=reply)
    assert code == 0 and "→ 推迟上线是谁提议的？" in err
    code, out, _ = run(archive, capsys, "ask", "--sessions", "--json")
    [session] = json.loads(out)
    assert session["turns"] == 2 and session["title"] == "新版App什么时候上线？"


def test_ask_without_a_question_explains_itself(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(archive, capsys, "ask")
    assert code == 2 and "--interactive" in err


def test_eval_answer_reports_the_metrics(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    data = tmp_path / "eval.jsonl"
    records = [
        {
            "type": "dialogue",
            "id": "d1",
            "chat": "Team",
            "start": "2024-03-04 10:00",
            "utc_offset_min": 480,
            "messages": [["Ann", "The launch moves to Friday"], ["Bo", "ok, Friday it is"]],
        },
        {
            "type": "dialogue",
            "id": "d2",
            "chat": "Team",
            "start": "2024-03-09 10:00",
            "utc_offset_min": 480,
            "messages": [["Bo", "the database migration needs two hours of downtime"]],
        },
        {
            "type": "question",
            "id": "q1",
            "question": "When does the launch move to?",
            "answers": ["Friday"],
            "dialogue": "d1",
            "kind": "answerable",
        },
        {
            "type": "question",
            "id": "q2",
            "question": "How long is the migration downtime?",
            "answers": ["two hours"],
            "dialogue": "d2",
            "kind": "answerable",
        },
        {
            "type": "question",
            "id": "n1",
            "question": "Who won the chess tournament?",
            "answers": [],
            "dialogue": None,
            "kind": "absent",
        },
        {
            "type": "question",
            "id": "c1",
            "question": "hello!",
            "answers": [],
            "dialogue": None,
            "kind": "chitchat",
        },
    ]
    data.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")

    def eval_answer(*extra: str, **kwargs: Any) -> tuple[int, str, str]:
        return run(
            settings, capsys, "eval", "answer", "--data", str(data), "--json", *extra, **kwargs
        )

    code, out, _ = eval_answer("--no-llm")
    report = json.loads(out)
    metrics = report["metrics"]
    assert code == 0 and report["embedder"] == "fake" and report["model"] is None
    assert metrics["retrieval_hit_at_5"] == 1.0 and metrics["rejection_recall"] == 1.0
    assert metrics["chitchat_detected"] == 1.0 and metrics["answer_accuracy"] is None
    assert report["threshold_sweep"][0]["threshold"] == 0.15
    code, out, _ = eval_answer(replies=["The launch moves to Friday."])
    metrics = json.loads(out)["metrics"]
    assert json.loads(out)["model"] == "fake"
    assert metrics["answer_accuracy"] == 0.5  # the scripted reply fits q1 only
    assert metrics["citation_validity"] == 1.0 and metrics["citations"] >= 1
    assert not (settings.home / "chroma").exists()  # the eval never touches the user's index
    code, out, _ = eval_answer("--no-llm", "--only", "q2,n1")
    assert code == 0 and [r["id"] for r in json.loads(out)["results"]] == ["q2", "n1"]
