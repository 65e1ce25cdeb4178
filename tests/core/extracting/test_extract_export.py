"""CSV and JSON export keep every value with its message ids."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.extracting import (
    ExtractionResult,
    extract_records,
    lead_schema,
    result_as_dict,
    write_csv,
)
from chatsum.core.progress import drive
from chatsum.core.storage.store import Store
from tests.core.extracting.conftest import make_reply


@pytest.fixture()
def result(db_path: Path, service_chat: int) -> ExtractionResult:
    reply = make_reply(
        lead_schema(),
        **{
            "基本信息-手机号码": ("13812345678", [6]),
            "意向产品": (["扫地机器人X1", "X2套餐"], [2, 4]),
            "客户是否有意向": ("有意向", [2]),
        },
    )
    return drive(extract_records(db_path, FakeTextGenerator([reply]), service_chat, "lead"))


def stored_ids(db_path: Path, conversation: int) -> list[int]:
    store = Store.open(db_path)
    ids = [m.id for m in store.messages(conversation)]
    store.close()
    return ids


def test_json_has_values_and_message_ids(
    result: ExtractionResult, db_path: Path, service_chat: int
) -> None:
    ids = stored_ids(db_path, service_chat)
    data = json.loads(json.dumps(result_as_dict(result), ensure_ascii=False))
    (record,) = data["records"]
    assert record["customer"] == "王先生"
    assert record["fields"]["基本信息-手机号码"] == {
        "value": "138 1234 5678",
        "message_ids": [ids[5]],
    }
    products = record["fields"]["意向产品"]
    assert products["value"] == ["扫地机器人X1", "X2套餐"]
    assert products["item_message_ids"] == [[ids[1]], [ids[3]]]
    assert record["fields"]["基本信息-地区"] == {"value": "", "message_ids": []}
    assert {r["name"]: r["role"] for r in data["roles"]}["老李"] == "staff"
    assert data["stats"]["schema_valid_rate"] == 1.0


def test_json_in_english_renames_fields_not_values(result: ExtractionResult) -> None:
    fields = result_as_dict(result, english=True)["records"][0]["fields"]
    assert fields["Interested"]["value"] == "有意向"
    assert "Phone" in fields and "基本信息-手机号码" not in fields


def test_csv_has_a_message_id_column_per_field(
    result: ExtractionResult, db_path: Path, service_chat: int
) -> None:
    ids = stored_ids(db_path, service_chat)
    out = io.StringIO()
    write_csv(result, out)
    header, row = list(csv.reader(io.StringIO(out.getvalue())))
    assert len(header) == 1 + 2 * 21
    assert header[:3] == ["客户", "基本信息-姓名", "基本信息-姓名（来源消息）"]
    cells = dict(zip(header, row, strict=True))
    assert cells["客户"] == "王先生"
    assert cells["意向产品"] == "扫地机器人X1; X2套餐"
    assert cells["意向产品（来源消息）"] == f"{ids[1]} {ids[3]}"
    assert cells["基本信息-邮箱"] == ""

    english = io.StringIO()
    write_csv(result, english, english=True)
    assert english.getvalue().splitlines()[0].startswith("Customer,Name,Name (message ids),Phone")
