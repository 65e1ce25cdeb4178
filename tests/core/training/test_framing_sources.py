"""Framing dialogues as the app's own summary call, and the strict checks on replies:
reference targets from a dataset, and teacher candidates (best of n) on a real archive."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from chatsum.core.domain import Claim, Message, MessageKind, Topic, Viewpoint
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.pipeline import summarize_messages
from chatsum.core.pipelines.training.framing import Rejected, frame, numbering_of
from chatsum.core.pipelines.training.sources import (
    ARCHIVE_LICENCE,
    archive_examples,
    archive_pieces,
    dataset_examples,
)
from chatsum.core.pipelines.training.targets import summary_reply
from chatsum.core.progress import CancelToken, drive
from chatsum.core.storage.store import Store
from tests.conftest import write_conversation

LINES = [
    ("张三", "周六去香山爬山吧，天气预报是晴天"),
    ("李四", "香山周末人太多了，建议早上七点出发"),
    ("王五", "我周六要加班，去不了"),
    ("张三", "那就七点在地铁站集合"),
    ("李四", "我来买水和零食"),
    ("王五", "另外下周的周会要改时间，周一有客户来访"),
    ("张三", "改到周三上午可以吗"),
    ("李四", "周三上午我没问题"),
    ("王五", "那就周三上午十点开会"),
    ("张三", "我去更新日历邀请"),
]


def messages_of(lines: list[tuple[str, str]]) -> tuple[Message, ...]:
    return tuple(
        Message(i, 0, None, who, 1_700_000_000_000 + i * 60_000, 480, False, MessageKind.TEXT, text)
        for i, (who, text) in enumerate(lines, start=1)
    )


def truth(ids: dict[int, int]) -> list[Topic]:
    """Ground truth for LINES; `ids` maps line number (1..10) to message id."""
    return [
        Topic(
            "周末爬山",
            "约周六爬香山，定了集合时间和地点",
            key_points=(Claim("香山周末游客多，需提早出发", (ids[2],)),),
            viewpoints=(
                Viewpoint("张三", "提议周六结伴爬山", (ids[1],)),
                Viewpoint("李四", "主张早上七点动身以避开人流", (ids[2],)),
                Viewpoint("王五", "因加班无法参加", (ids[3],)),
            ),
            decisions=(Claim("七点于地铁站会合", (ids[4],)),),
            action_items=(Claim("李四负责采购饮水和零食", (ids[5],)),),
        ),
        Topic(
            "周会改期",
            "周会与客户来访冲突，改到周三上午",
            key_points=(Claim("原定周一的例会撞上客户来访", (ids[6],)),),
            viewpoints=(Viewpoint("李四", "周三上午有空", (ids[8],)),),
            decisions=(Claim("例会挪到周三十点", (ids[9],)),),
        ),
    ]


OPTIONS = SummaryOptions(language="zh")


def reference_frame(messages: tuple[Message, ...], topics: list[Topic]) -> Any:
    return drive(
        frame(
            messages,
            OPTIONS,
            CancelToken(),
            answer=lambda numbering, schema: summary_reply(
                topics, "讨论了爬山和周会", numbering, schema
            ),
        )
    )


def test_the_recorded_prompt_is_the_one_the_app_sends() -> None:
    messages = messages_of(LINES)
    framed = reference_frame(messages, truth({i: i for i in range(1, 11)}))
    app = FakeTextGenerator([framed.reply])
    drive(summarize_messages(messages, app, OPTIONS))
    sent, options = app.calls[0]
    assert tuple(sent) == framed.messages
    assert options.json_schema == framed.schema
    assert framed.summary.quality.citations_cited > 0


def test_a_misattributed_view_is_rejected() -> None:
    messages = messages_of(LINES)
    topics = truth({i: i for i in range(1, 11)})
    wrong = Viewpoint("王五", "主张早上七点动身以避开人流", (2,))  # line 2 is 李四's
    topics[0] = replace(topics[0], viewpoints=(topics[0].viewpoints[0], wrong))
    # the target writer itself refuses to cite someone else's line for a view...
    framed = reference_frame(messages, topics)
    views = json.loads(framed.reply)["topics"][0]["views"]
    assert all(v["person"] != "王五" for v in views)

    # ...and a reply that does so anyway (a teacher's) is rejected by the app's checks
    def misattributing(prompt: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
        _, numbering = numbering_of(messages, OPTIONS)
        data = summary_reply(
            truth({i: i for i in range(1, 11)}), "两件事", numbering, options.json_schema
        )
        data["topics"][0]["views"][1]["person"] = "王五"
        return data

    with pytest.raises(Rejected, match="misattributed"):
        drive(frame(messages, OPTIONS, CancelToken(), teacher=FakeTextGenerator(misattributing)))


def test_copied_text_and_invalid_numbers_are_rejected() -> None:
    messages = messages_of(LINES)

    def copying(prompt: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
        _, numbering = numbering_of(messages, OPTIONS)
        topics = truth({i: i for i in range(1, 11)})
        topics[0] = replace(topics[0], summary=LINES[1][1] + "，" + LINES[5][1])
        return summary_reply(topics, "两件事", numbering, options.json_schema)

    with pytest.raises(Rejected, match="verbatim"):
        drive(frame(messages, OPTIONS, CancelToken(), teacher=FakeTextGenerator(copying)))

    def bad_numbers(prompt: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
        _, numbering = numbering_of(messages, OPTIONS)
        data = summary_reply(
            truth({i: i for i in range(1, 11)}), "两件事", numbering, options.json_schema
        )
        data["topics"][0]["points"][0]["ids"] = [99]
        return data

    with pytest.raises(Rejected, match="invalid citations"):
        drive(frame(messages, OPTIONS, CancelToken(), teacher=FakeTextGenerator(bad_numbers)))


def test_dataset_references_get_citations_only_where_the_words_are(tmp_path: Path) -> None:
    record = {
        "id": "d1",
        "language": "zh",
        "messages": [
            {"sender": who, "time": f"2024-05-10 09:{i:02d}", "text": text}
            for i, (who, text) in enumerate(LINES)
        ],
        "reference": {
            "gist": "讨论了周六爬山和周会改期",
            "topics": [
                {
                    "title": "周末爬山",
                    "summary": "约好周六爬香山",
                    "key_points": ["香山周末人多，最好早点动身"],
                    "viewpoints": [
                        {"participant": "李四", "view": "主张七点就走，避开人群"},
                        {"participant": "张三", "view": "担心预算超支"},
                    ],
                },
                {
                    "title": "周会改期",
                    "summary": "周会改到周三上午",
                    "key_points": ["周一有客户来访，周会改时间"],
                    "viewpoints": [{"participant": "王五", "view": "提出周三十点开会"}],
                },
            ],
        },
    }
    path = tmp_path / "dialogues.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    outcome = drive(dataset_examples(path, "CC-BY-4.0", CancelToken()))
    assert not outcome.rejected
    (example,) = outcome.examples
    assert example.licence == "CC-BY-4.0" and example.source == "dataset"
    reply = json.loads(example.target)
    first_views = reply["topics"][0]["views"]
    assert [v["person"] for v in first_views] == ["李四"], "a view no line supports is left out"
    assert first_views[0]["ids"] == [2]
    assert reply["topics"][1]["views"][0] == {
        "ids": [9],
        "person": "王五",
        "view": "提出周三十点开会",
    }


def _store_chat(tmp_path: Path) -> tuple[Path, dict[int, int]]:
    db = tmp_path / "archive.db"
    store = Store.open(db)
    try:
        conversation_id = write_conversation(store, LINES)
        stored = list(store.iter_messages(conversation_id, None, None))
    finally:
        store.close()
    return db, {line: m.id for line, m in enumerate(stored, start=1)}


def test_teacher_best_of_n_keeps_only_a_candidate_that_passes(tmp_path: Path) -> None:
    db, ids = _store_chat(tmp_path)
    store = Store.open(db)
    try:
        pieces = archive_pieces(store, [1])
    finally:
        store.close()
    assert len(pieces) == 1 and len(pieces[0].messages) == len(LINES)

    def teacher_reply(prompt: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
        _, numbering = numbering_of(pieces[0].messages, OPTIONS)
        data = summary_reply(truth(ids), "讨论了爬山和周会改期", numbering, options.json_schema)
        if options.seed == 7:  # the first candidate credits 李四's line to 张三
            data["topics"][0]["views"][1]["person"] = "张三"
        return data

    teacher = FakeTextGenerator(teacher_reply, model_id="fake-teacher")
    outcome = drive(archive_examples(pieces, teacher, best_of=2, cancel=CancelToken()))
    assert not outcome.rejected
    (example,) = outcome.examples
    assert example.licence == ARCHIVE_LICENCE and example.meta["teacher"] == "fake-teacher"
    views = json.loads(example.target)["topics"][0]["views"]
    assert {v["person"]: v["ids"] for v in views}["李四"] == [2]

    only_bad = drive(archive_examples(pieces, teacher, best_of=1, cancel=CancelToken()))
    assert not only_bad.examples
    assert only_bad.rejected == {"archive: misattributed viewpoints": 1}
