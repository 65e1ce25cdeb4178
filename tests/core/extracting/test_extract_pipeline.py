"""The whole run with a scripted model: pieces, citations, merge, storage, cancel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from chatsum.core.errors import Cancelled, ContextOverflowError
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.extracting import (
    ExtractionResult,
    Field,
    FieldKind,
    Schema,
    extract_records,
    lead_schema,
    load_extraction,
)
from chatsum.core.progress import CancelToken, Progress, drive
from chatsum.core.storage.store import Store
from tests.conftest import write_conversation
from tests.core.extracting.conftest import make_reply

SMALL = Schema(
    "small",
    "小表",
    (
        Field("预算", description="客户预算"),
        Field("产品", FieldKind.LIST, description="意向产品"),
        Field("意向", FieldKind.ENUM, choices=("有意向", "无意向")),
    ),
)
_LINE = re.compile(r"^\[(\d+)\] ([^:]+?) \((\w+)\): (.*)$", re.MULTILINE)


def reading_model(messages: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
    """A fake that reads its piece like a model would and cites local numbers."""
    lines = [(int(n), who, text) for n, who, _, text in _LINE.findall(messages[-1].content)]
    budget: tuple[str, list[int]] = ("", [])
    products: list[str] = []
    product_cites: list[int] = []
    for number, _, text in lines:
        if found := re.search(r"预算(\d+元)", text):
            budget = (found.group(1), [number])
        for product in re.findall(r"X\d", text):
            if product not in products:
                products.append(product)
                product_cites.append(number)
    return make_reply(SMALL, 预算=budget, 产品=(products, product_cites))


def long_chat(db_path: Path) -> tuple[int, list[int]]:
    lines = [("客服-小美", "您好，欢迎咨询，请问有什么可以帮您？")]
    lines.append(("王先生", "我想买X1，预算3000元"))
    for index in range(40):
        lines.append(("客服-小美", f"我们的第{index}号活动介绍，优惠多多，欢迎了解价格"))
        lines.append(("王先生", f"好的，我再看看第{index}个"))
    lines.append(("王先生", "X2也不错，预算5000元吧"))
    store = Store.open(db_path)
    conversation = write_conversation(store, lines)
    ids = [m.id for m in store.messages(conversation)]
    store.close()
    return conversation, ids


def test_long_chat_split_cited_and_merged(db_path: Path) -> None:
    conversation, ids = long_chat(db_path)
    generator = FakeTextGenerator(reading_model, context_length=1200)
    result = drive(extract_records(db_path, generator, conversation, SMALL))
    assert result.stats.pieces > 2
    assert result.stats.model_calls == result.stats.pieces == result.stats.valid_outputs
    for messages, options in generator.calls:
        assert generator.count_chat_tokens(messages) + options.max_tokens <= 1200
        assert "[1] " in messages[-1].content  # numbering restarts in every piece
    (record,) = result.records
    assert record.customer == "王先生"
    # The later budget wins and cites the last message; products are the union.
    assert record.cell("预算").values[0].text == "5000元"
    assert record.cell("预算").message_ids == (ids[-1],)
    assert record.cell("产品").texts == ["X1", "X2"]
    assert [v.message_ids for v in record.cell("产品").values] == [(ids[1],), (ids[-1],)]


def test_result_is_stored_and_replaced_by_the_next_run(db_path: Path) -> None:
    conversation, _ = long_chat(db_path)
    generator = FakeTextGenerator(reading_model, context_length=1200)
    first = drive(extract_records(db_path, generator, conversation, SMALL))
    second = drive(extract_records(db_path, generator, conversation, SMALL))
    loaded = load_extraction(db_path, conversation, "small")
    assert isinstance(loaded, ExtractionResult)
    assert loaded.run_id == second.run_id != first.run_id
    assert loaded.records == second.records
    assert loaded.roles == second.roles
    assert loaded.schema.field_names() == ["预算", "产品", "意向"]
    assert load_extraction(db_path, conversation, "lead") is None


def test_forgetting_the_conversation_removes_its_results(db_path: Path, service_chat: int) -> None:
    generator = FakeTextGenerator([make_reply(lead_schema())])
    drive(extract_records(db_path, generator, service_chat, "lead"))
    store = Store.open(db_path)
    store.forget_conversation(service_chat)
    counts = [
        store.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
        for table in ("extraction_runs", "extraction_records")
    ]
    store.close()
    assert counts == [0, 0]


def test_invalid_replies_are_counted_and_skipped(db_path: Path, service_chat: int) -> None:
    generator = FakeTextGenerator(
        ['{"基本信息-姓名": "王先生"', {"基本信息-姓名": "not an object"}]
    )
    result = drive(extract_records(db_path, generator, service_chat, "lead"))
    assert result.stats.model_calls == 1
    assert result.stats.valid_outputs == 0
    assert result.stats.schema_valid_rate == 0.0
    (record,) = result.records  # the customer is listed, with nothing known
    assert record.message_ids == ()


def test_reply_schema_constrains_choices_staff_and_citations(
    db_path: Path, service_chat: int
) -> None:
    generator = FakeTextGenerator([make_reply(lead_schema())])
    drive(extract_records(db_path, generator, service_chat, "lead"))
    (messages, options) = generator.calls[0]
    schema = options.json_schema
    assert schema is not None and options.temperature == 0.0
    fields = schema["properties"]
    assert fields["客户是否有意向"]["properties"]["value"]["enum"] == ["有意向", "无意向", ""]
    staff = fields["下一步跟进计划-参与人"]["properties"]["value"]["items"]["enum"]
    assert sorted(staff) == ["客服-小美", "老李"]
    cites = fields["基本信息-姓名"]["properties"]["msgs"]["items"]
    assert cites["enum"] == list(range(1, 9))
    assert "王先生 (customer)" in messages[-1].content
    assert messages[-1].content.rstrip().endswith("王先生.")


def test_roles_override_changes_who_gets_a_record(db_path: Path, service_chat: int) -> None:
    generator = FakeTextGenerator([make_reply(lead_schema())])
    result = drive(
        extract_records(
            db_path, generator, service_chat, "lead", roles_override={"老李": "customer"}
        )
    )
    assert sorted(r.customer for r in result.records) == ["王先生", "老李"]


def test_cancel_stores_nothing(db_path: Path, service_chat: int) -> None:
    cancel = CancelToken()
    generator = FakeTextGenerator([make_reply(lead_schema())], delay_s=0.001)
    run = extract_records(db_path, generator, service_chat, "lead", cancel=cancel)
    with pytest.raises(Cancelled):
        for event in run:
            assert isinstance(event, Progress)
            if event.unit == "calls":
                cancel.cancel()
    assert load_extraction(db_path, service_chat) is None


def test_a_context_too_small_for_the_prompt_is_our_error(db_path: Path, service_chat: int) -> None:
    generator = FakeTextGenerator([make_reply(lead_schema())], context_length=600)
    with pytest.raises(ContextOverflowError, match="extraction prompt"):
        drive(extract_records(db_path, generator, service_chat, "lead"))
