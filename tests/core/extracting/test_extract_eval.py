"""The extraction eval: its dataset, its scoring rules, and a run with a scripted model."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from chatsum.core.errors import ConfigError
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.extracting import Field, FieldKind, lead_schema
from chatsum.core.pipelines.extracting.evaluation import (
    EvalCase,
    FieldTally,
    load_cases,
    run_extract_eval,
    similarity,
)
from chatsum.core.progress import drive
from tests.core.extracting.conftest import make_reply

DATA = Path(__file__).parents[3] / "bench" / "data" / "extract_eval.jsonl"


def test_dataset_is_well_formed() -> None:
    cases = load_cases(DATA)
    schema = lead_schema()
    assert 10 <= len(cases) <= 15
    assert {c.lang for c in cases} == {"zh", "en"}
    for case in cases:
        senders = {line.sender for line in case.lines}
        assert senders == set(case.roles), case.id
        staff = [n for n, r in case.roles.items() if r == "staff"]
        assert 2 <= len(staff) <= 3 and 1 <= len(case.expected) <= 2, case.id
        for customer, fields in case.expected.items():
            assert case.roles[customer] == "customer"
            assert set(fields) <= set(schema.by_name), case.id
            for name in fields.get("下一步跟进计划-参与人", []):
                assert name in staff, case.id


def test_bad_lines_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text('{"id": "a", "chat_text": "10:00 王: 你好", "roles": {}, "expected": []}\n')
    with pytest.raises(ConfigError, match=r"cases\.jsonl line 1 chat_text line 1"):
        load_cases(path)


PHONE = Field("电话", format="phone")
ENUM = Field("意向", FieldKind.ENUM, choices=("有意向", "无意向"))
TEXT = Field("地区")
LIST = Field("产品", FieldKind.LIST)


def test_exact_fields_score_all_or_nothing() -> None:
    tally = FieldTally()
    tally.add(PHONE, "138 1234 5678", "+86 13812345678")  # same number
    tally.add(PHONE, "13812345678", "13900001111")  # wrong number
    tally.add(PHONE, "", "13900001111")  # invented
    tally.add(ENUM, "有意向", "")  # missed
    tally.add(ENUM, "", "")  # nothing either way: not counted
    assert (tally.tp, tally.fp, tally.fn) == (1.0, 2.0, 2.0)
    assert tally.precision == pytest.approx(1 / 3)
    assert tally.recall == pytest.approx(1 / 3)


def test_free_text_earns_its_similarity() -> None:
    assert similarity("杭州西湖区", "杭州西湖区") == 1.0
    assert similarity("杭州西湖区", "杭州") == pytest.approx(2 * 2 / 7)
    assert similarity("around $3,000 a year", "$3,000 a year") == pytest.approx(2 * 4 / 9)
    tally = FieldTally()
    tally.add(TEXT, "杭州西湖区", "杭州")
    assert tally.tp == pytest.approx(4 / 7)
    assert tally.fp == tally.fn == pytest.approx(3 / 7)


def test_lists_count_shared_items() -> None:
    tally = FieldTally()
    tally.add(LIST, ["极净X1", "极净X2 Pro"], ["X2 Pro", "石头T7"])
    assert (tally.tp, tally.fp, tally.fn) == (1.0, 1.0, 1.0)
    assert tally.f1 == pytest.approx(0.5)


def oracle_for(cases: list[EvalCase]) -> FakeTextGenerator:
    """Answers with each case's expected values, citing lines that contain them."""
    schema = lead_schema()
    expected = {name: fields for c in cases for name, fields in c.expected.items()}
    roles = {name: role for c in cases for name, role in c.roles.items()}
    line = re.compile(r"^\[(\d+)\] .*$", re.MULTILINE)

    def reply(messages: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
        prompt = messages[-1].content
        if options.json_schema and "staff" in options.json_schema["properties"]:
            names = options.json_schema["properties"]["staff"]["items"]["enum"]
            return {
                "staff": [n for n in names if roles[n] == "staff"],
                "customers": [n for n in names if roles[n] == "customer"],
            }
        customer = re.search(r"for the customer (.+)\.\s*$", prompt)
        assert customer is not None
        lines = [(int(m.group(1)), m.group(0)) for m in line.finditer(prompt)]
        values = {}
        for name, value in expected[customer.group(1)].items():
            texts = value if isinstance(value, list) else [value]
            cites = [n for n, text in lines if any(t in text for t in texts)] or [1]
            values[name] = (value, cites[:4])
        return make_reply(schema, **values)

    return FakeTextGenerator(reply, context_length=8192)


def test_a_model_that_knows_the_answers_scores_high(tmp_path: Path) -> None:
    cases = load_cases(DATA, limit=4)
    report = drive(run_extract_eval(cases, oracle_for(cases), lead_schema(), tmp_path))
    summary = report.as_dict()
    assert summary["cases"] == 4
    assert summary["schema_valid_rate"] == 1.0
    assert summary["records"]["matched"] == summary["records"]["expected"]
    assert summary["role_accuracy"] == 1.0
    assert summary["contact_fields"]["precision"] == 1.0
    assert summary["contact_fields"]["recall"] == 1.0
    assert summary["fields_micro"]["precision"] == 1.0
    # Values the chat never states (inferred ones the oracle cannot cite) are the only misses.
    assert summary["fields_micro"]["recall"] > 0.9


def test_an_empty_model_scores_zero_recall(tmp_path: Path) -> None:
    cases = load_cases(DATA, limit=2)
    generator = FakeTextGenerator([make_reply(lead_schema())])
    summary = drive(run_extract_eval(cases, generator, lead_schema(), tmp_path)).as_dict()
    assert summary["fields_micro"]["recall"] == 0.0
    assert summary["fields_micro"]["precision"] is None
