"""`chatsum summarize` and `chatsum eval summarize` through the real CLI, on a real
archive in CHATSUM_HOME, with the fake model injected through AppServices."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chatsum.cli.main import main
from chatsum.config import Settings
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.services import AppServices
from tests.core.summarizing.helpers import echo_model, write_chat

ROWS = [
    (0, 0, "张伟", "周六去香山爬山吧"),
    (0, 1, "李娜", "爬山太累，我想唱K <script>alert(1)</script>"),
    (0, 2, "王强", "我同意爬山"),
    (0, 3, "张伟", "那就周六爬山"),
    (1, 0, "赵敏", "项目上线时间定了吗"),
    (1, 1, "王强", "还有三个bug没修"),
    (1, 2, "张伟", "推迟到周五吧"),
]


@pytest.fixture()
def archive(settings: Settings) -> Settings:
    write_chat(settings.db_path, ROWS, "export.txt", title="周末群")
    return settings


def run(
    settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str, FakeTextGenerator]:
    generator = FakeTextGenerator(echo_model)
    services = AppServices(settings, generator=generator)
    try:
        code = main(list(argv), services=services)
    finally:
        services.close()
    out, err = capsys.readouterr()
    return code, out, err, generator


def test_markdown_report_on_stdout_and_quality_on_stderr(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err, generator = run(archive, capsys, "summarize", "周末")
    assert code == 0 and len(generator.calls) == 1
    assert out.startswith("# 群聊摘要: 周末群") and "[^1]:" in out
    assert "<script>" not in out
    assert "citations checked" in err and "1 model calls" in err


def test_json_report_carries_every_cited_message(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _, _ = run(archive, capsys, "summarize", "1", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["conversation_title"] == "周末群" and data["message_count"] == 7
    cited = {m["id"]: m for m in data["cited_messages"]}
    used = {
        i
        for topic in data["topics"]
        for key in ("key_points", "viewpoints", "decisions", "open_questions", "action_items")
        for claim in topic[key]
        for i in claim["message_ids"]
    }
    assert used and used == set(cited)
    for message in cited.values():
        assert message["sender"] and message["text"] and message["time"].endswith("+08:00")


def test_html_report_to_a_file(
    archive: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "out" / "report.html"
    code, out, err, _ = run(
        archive, capsys, "summarize", "1", "--format", "html", "--output", str(target)
    )
    page = target.read_text(encoding="utf-8")
    assert code == 0 and out == "" and f"wrote {target}" in err
    assert page.startswith("<!DOCTYPE html>") and "<script>" not in page


def test_a_day_is_cached_and_no_cache_recomputes(
    archive: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _, generator = run(
        archive, capsys, "summarize", "1", "--day", "2024-05-10", "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and data["scope"] == "day" and data["message_count"] == 3
    assert len(generator.calls) == 1
    _, _, err, generator = run(archive, capsys, "summarize", "1", "--day", "2024-05-10")
    assert "from cache" in err and generator.calls == []
    _, _, err, generator = run(
        archive, capsys, "summarize", "1", "--day", "2024-05-10", "--no-cache"
    )
    assert "from cache" not in err and len(generator.calls) == 1


def test_week_and_by_day(archive: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _, generator = run(
        archive, capsys, "summarize", "1", "--week", "2024-05-09", "--format", "json"
    )
    assert code == 0 and json.loads(out)["scope"] == "week" and len(generator.calls) == 3
    code, out, _, generator = run(
        archive, capsys, "summarize", "1", "--by", "day", "--format", "json"
    )
    days = json.loads(out)
    assert code == 0 and [d["message_count"] for d in days] == [4, 3]
    assert generator.calls == []  # both days were cached by the week
    code, out, _, _ = run(archive, capsys, "summarize", "1", "--by", "day")
    assert out.count("## 2024-05-") == 2 and "[^2-1]" in out


def test_since_until_and_language(archive: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _, generator = run(
        archive,
        capsys,
        "summarize",
        "1",
        "--since",
        "2024-05-10",
        "--lang",
        "en",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0 and data["message_count"] == 3 and data["language"] == "en"
    assert generator.calls[0][0][0].content.startswith("You summarize group chats")


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--day", "2024-05-10", "--since", "2024-05-01"], 2, "cannot be combined"),
        (["--day", "10.05.2024"], 2, "use YYYY-MM-DD"),
        (["--week", "2024-05-10", "--month", "2024-05"], 2, "only one of"),
        (["--month", "May"], 2, "use YYYY-MM"),
    ],
)
def test_bad_flags_are_explained(
    archive: Settings, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
) -> None:
    result, _, err, _ = run(archive, capsys, "summarize", "1", *argv)
    assert result == code and message in err


def test_unknown_conversation(archive: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err, _ = run(archive, capsys, "summarize", "no such chat")
    assert code == 4 and "No conversation matches" in err


def write_eval_set(path: Path) -> Path:
    record: dict[str, Any] = {
        "id": "tiny",
        "messages": [
            {"sender": who, "time": f"2024-05-10 09:0{i}", "text": text}
            for i, (_, _, who, text) in enumerate(ROWS)
        ],
        "reference": {
            "gist": "团建和上线",
            "topics": [
                {
                    "title": "团建",
                    "summary": "周六爬山",
                    "key_points": ["周六爬山"],
                    "viewpoints": [{"participant": "李娜", "view": "想唱K"}],
                },
                {
                    "title": "上线",
                    "summary": "推迟到周五",
                    "key_points": ["三个bug"],
                    "viewpoints": [{"participant": "张伟", "view": "推迟到周五"}],
                },
            ],
        },
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def test_eval_summarize_prints_the_metrics(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = write_eval_set(tmp_path / "set.jsonl")
    code, out, _, _ = run(settings, capsys, "eval", "summarize", "--data", str(data), "--json")
    report = json.loads(out)
    assert code == 0 and report["totals"]["dialogues"] == 1
    assert report["totals"]["schema_valid_rate"] == 1.0
    assert report["totals"]["citation_validity_checked"] == 1.0
    assert report["dialogues"][0]["id"] == "tiny" and report["model_id"] == "fake"
    code, out, _, _ = run(settings, capsys, "eval", "summarize", "--data", str(data))
    assert code == 0 and "citation_validity_raw" in out and "tiny" in out


def test_eval_summarize_names_a_missing_dataset(
    settings: Settings, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err, _ = run(
        settings, capsys, "eval", "summarize", "--data", str(tmp_path / "x.jsonl")
    )
    assert code == 2 and "x.jsonl: no such dataset" in err
