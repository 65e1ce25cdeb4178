"""Merge rules across pieces: later statements win, lists union, citations kept."""

from __future__ import annotations

from chatsum.core.pipelines.extracting import FieldKind, Value, lead_schema
from chatsum.core.pipelines.extracting.merging import merge_records, merge_values

# message id → position in the chat; ids deliberately not in chat order.
POSITION = {50: 0, 10: 1, 70: 2, 20: 3, 90: 4}


def test_later_statement_wins_for_single_values() -> None:
    merged = merge_values(
        FieldKind.STRING,
        [Value("5000左右", (20,)), Value("3000左右", (10,))],
        POSITION,
    )
    assert merged == (Value("5000左右", (20,)),)


def test_the_same_value_again_keeps_both_citations() -> None:
    merged = merge_values(
        FieldKind.STRING,
        [Value("3000左右", (10,)), Value("4000", (70,)), Value("3000 左右", (90,))],
        POSITION,
    )
    assert merged == (Value("3000 左右", (10, 90)),)


def test_lists_take_the_union_with_each_items_messages() -> None:
    merged = merge_values(
        FieldKind.LIST,
        [Value("X1", (50,)), Value("X2套餐", (10,)), Value("x1", (70,)), Value("扫拖一体", (20,))],
        POSITION,
    )
    assert [v.text for v in merged] == ["X2套餐", "x1", "扫拖一体"]
    assert merged[1].message_ids == (50, 70)


def test_records_have_every_field_in_schema_order() -> None:
    schema = lead_schema()
    found = {
        ("王先生", 7): [
            {"客户预算-总体预算金额": [Value("3000", (10,))], "意向产品": [Value("X1", (10,))]},
            {"客户预算-总体预算金额": [Value("5000", (20,))], "意向产品": [Value("X2", (20,))]},
        ],
        ("李女士", 8): [],
    }
    records = merge_records(schema, found, POSITION)
    assert [r.customer for r in records] == ["王先生", "李女士"]
    wang, li = records
    assert [c.field for c in wang.cells] == [f.name for f in schema.fields]
    assert wang.cell("客户预算-总体预算金额").texts == ["5000"]
    assert wang.cell("意向产品").texts == ["X1", "X2"]
    assert wang.message_ids == (10, 20)
    assert li.plain_values(schema)["意向产品"] == []
    assert li.plain_values(schema)["基本信息-姓名"] == ""
