"""Metrics computed by hand on small strings, and the evaluation run end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chatsum.core.domain import Summary, Topic, Viewpoint
from chatsum.core.errors import ImportFormatError
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.summarizing.evaluation import evaluate, load_dialogues
from chatsum.core.pipelines.summarizing.metrics import (
    attribution,
    rouge_l,
    rouge_n,
    shared_views,
    verbatim_share,
)
from chatsum.core.progress import drive
from tests.core.summarizing.helpers import echo_model

REPO = Path(__file__).resolve().parents[3]
EVAL_SET = REPO / "bench/data/summarize_eval.jsonl"


def test_rouge_is_character_level_for_chinese() -> None:
    # 我们周六爬山 vs 周六去爬山: 4 shared characters of 6 and 5.
    assert rouge_n("我们周六爬山", "周六去爬山", 1) == pytest.approx(
        2 * (4 / 6) * (4 / 5) / (4 / 6 + 4 / 5)
    )
    # Bigrams 周六, 爬山 shared: 2 of 5 and 2 of 4.
    assert rouge_n("我们周六爬山", "周六去爬山", 2) == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    # The longest common subsequence is 周六爬山.
    assert rouge_l("我们周六爬山", "周六去爬山") == pytest.approx(
        rouge_n("我们周六爬山", "周六去爬山", 1)
    )


def test_rouge_is_word_level_for_english() -> None:
    assert rouge_n("The cat sat.", "the cat ran", 1) == pytest.approx(2 / 3)
    assert rouge_n("the cat sat", "the cat ran", 2) == pytest.approx(0.5)
    assert rouge_l("a b c d", "a c d b") == pytest.approx(0.75)
    assert rouge_n("", "anything", 1) == 0.0


def test_verbatim_share_counts_long_copied_runs_only() -> None:
    source = ["我们周六早上八点在东门集合吧"]
    # 周六早上八点在东门集合 (11 characters) is copied; 张伟说 is not.
    assert verbatim_share(["张伟说周六早上八点在东门集合"], source, "zh") == pytest.approx(11 / 14)
    assert verbatim_share(["周六早上在东门见"], source, "zh") == 0.0
    english = ["we should meet at the east gate at eight tomorrow"]
    # "meet at the east gate at eight": 7 of 8 words, in a run of at least 6.
    assert verbatim_share(["Bob: meet at the east gate at eight"], english, "en") == pytest.approx(
        7 / 8
    )


def test_attribution_matches_views_by_words_then_compares_people() -> None:
    reference = [("张伟", "想去香山爬山"), ("李娜", "想唱K")]
    predicted = [("张伟", "想去爬山"), ("李娜", "想去爬山锻炼"), ("王强", "完全无关")]
    assert attribution(predicted, reference) == (1, 2)


def write_set(path: Path, records: list[object]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    return path


DIALOGUE = {
    "id": "d1",
    "language": "zh",
    "messages": [
        {"sender": "张伟", "time": "2024-05-10 09:00", "text": "周六去香山爬山吧"},
        {"sender": "李娜", "time": "2024-05-10 09:01", "text": "爬山太累，我想唱K"},
        {"sender": "王强", "time": "2024-05-10 09:02", "text": "我同意张伟"},
        {"sender": "张伟", "time": "2024-05-10 09:05", "text": "项目周五上线"},
    ],
    "reference": {
        "gist": "商量团建和上线",
        "topics": [
            {
                "title": "团建",
                "summary": "周六去爬山",
                "key_points": ["去香山"],
                "viewpoints": [{"participant": "李娜", "view": "嫌累想唱K"}],
            }
        ],
    },
}


def test_evaluation_runs_and_reports_every_metric(tmp_path: Path) -> None:
    data = write_set(tmp_path / "set.jsonl", [DIALOGUE, {**DIALOGUE, "id": "d2"}])
    report = drive(evaluate(data, FakeTextGenerator(echo_model), limit=1))
    assert [r.id for r in report.results] == ["d1"]
    totals = report.totals()
    assert totals["dialogues"] == 1 and totals["schema_valid_rate"] == 1.0
    assert totals["citation_validity_checked"] == 1.0
    assert 0 < totals["rouge1"] <= 1 and totals["topic_counts"] == {
        str(report.results[0].topics): 1
    }
    assert totals["seconds_per_1000_messages"] is not None
    assert json.loads(json.dumps(report.as_dict()))["totals"] == totals


def test_dataset_errors_name_the_file_and_line(tmp_path: Path) -> None:
    bad_json = tmp_path / "a.jsonl"
    bad_json.write_text(json.dumps(DIALOGUE, ensure_ascii=False) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(ImportFormatError, match=r"a\.jsonl line 2: not JSON"):
        load_dialogues(bad_json)
    broken = {**DIALOGUE, "messages": [{"sender": "张伟", "time": "yesterday", "text": "x"}]}
    with pytest.raises(ImportFormatError, match=r"line 1, message 1: time 'yesterday'"):
        load_dialogues(write_set(tmp_path / "b.jsonl", [broken]))
    with pytest.raises(ImportFormatError, match="reference"):
        load_dialogues(write_set(tmp_path / "c.jsonl", [{"messages": []}]))


def test_the_project_eval_set_has_the_promised_shape() -> None:
    dialogues = load_dialogues(EVAL_SET)
    assert 12 <= len(dialogues) <= 20
    assert {d.language for d in dialogues} == {"zh", "en"}
    for d in dialogues:
        speakers = {m.sender_name for m in d.messages}
        assert 15 <= len(d.messages) <= 60, d.id
        assert 3 <= len(speakers) <= 5, d.id
        assert 2 <= len(d.topics) <= 4, d.id
        assert [m.ts_ms for m in d.messages] == sorted(m.ts_ms for m in d.messages), d.id
        for topic in d.topics:
            assert topic.title and topic.summary and topic.key_points, d.id
            assert {who for who, _ in topic.viewpoints} <= speakers, d.id


def test_shared_views_are_word_for_word_the_same_stance_of_different_people() -> None:
    copied = Viewpoint("Ann", "Backs a Sunday start.", (1,))
    topics = (
        Topic("Hike", "plan", viewpoints=(copied, Viewpoint("Bob", "backs a sunday start", (2,)))),
        Topic("Release", "ship", viewpoints=(Viewpoint("Ann", "backs a Sunday start", (3,)),)),
        Topic("Food", "lunch", viewpoints=(Viewpoint("Cy", "wants noodles", (4,)),)),
    )

    def summary(*chosen: Topic) -> Summary:
        return Summary(1, None, None, "range", "en", "", chosen, "model", "sum-test")

    # Bob holds Ann's words too, so all three of those views are shared.
    assert shared_views(summary(*topics)) == (3, 4)
    # One person repeating herself across topics is not sharing.
    assert shared_views(summary(topics[1], Topic("Again", "x", viewpoints=(copied,)))) == (0, 2)
    assert shared_views(summary()) == (0, 0)
