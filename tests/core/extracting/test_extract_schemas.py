"""The built-in lead schema and user schemas from YAML field lists and JSON Schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.core.errors import ConfigError, NotFoundError
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.extracting import (
    FieldKind,
    Grounding,
    extract_records,
    lead_schema,
    resolve_schema,
)
from chatsum.core.progress import drive
from tests.core.extracting.conftest import make_reply

FIXTURES = Path(__file__).parents[2] / "fixtures" / "extracting"

LEAD_FIELDS = [
    "基本信息-姓名",
    "基本信息-手机号码",
    "基本信息-邮箱",
    "基本信息-地区",
    "基本信息-详细地址",
    "基本信息-性别",
    "基本信息-年龄",
    "基本信息-生日",
    "咨询类型",
    "意向产品",
    "购买异议点",
    "客户预算-预算是否充足",
    "客户预算-总体预算金额",
    "客户预算-预算明细",
    "竞品信息",
    "客户是否有意向",
    "客户是否有卡点",
    "客户购买阶段",
    "下一步跟进计划-参与人",
    "下一步跟进计划-时间点",
    "下一步跟进计划-具体事项",
]


def test_lead_schema_is_the_issues_field_list() -> None:
    schema = resolve_schema("lead")
    assert schema.field_names() == LEAD_FIELDS
    kinds = {f.name: f.kind for f in schema.fields}
    assert [n for n, k in kinds.items() if k == FieldKind.LIST] == [
        "咨询类型",
        "意向产品",
        "购买异议点",
        "下一步跟进计划-参与人",
    ]
    by_name = schema.by_name
    assert by_name["客户预算-预算是否充足"].choices == ("充足", "不充足")
    assert by_name["客户是否有意向"].choices == ("有意向", "无意向")
    assert by_name["客户是否有卡点"].choices == ("有卡点", "无卡点")
    assert by_name["下一步跟进计划-参与人"].refers_to == "staff"
    assert by_name["基本信息-手机号码"].effective_grounding == Grounding.VERBATIM
    english = schema.field_names(english=True)
    assert len(set(english)) == len(english) and all(e.isascii() for e in english)


def test_yaml_field_list(tmp_path: Path) -> None:
    schema = resolve_schema(FIXTURES / "renovation_lead.yaml")
    assert schema.id == "renovation"
    assert schema.field_names() == ["小区", "面积", "风格", "装修类型", "电话"]
    assert schema.field_names(english=True)[0] == "Residential compound"
    assert schema.by_name["装修类型"].choices == ("全包", "半包", "清包")
    assert schema.by_name["风格"].kind == FieldKind.LIST
    assert schema.by_name["电话"].format == "phone"
    # A bare list of fields works too; the file name is the schema id.
    bare = tmp_path / "mini.yml"
    bare.write_text("- name: 预算\n  description: 总预算\n", encoding="utf-8")
    assert resolve_schema(bare).id == "mini"
    # YAML would read yes/no as booleans; a field list keeps what the user typed.
    contact = resolve_schema(FIXTURES / "contact_lead.yaml")
    assert contact.by_name["interested"].choices == ("yes", "no")


def test_json_schema(tmp_path: Path) -> None:
    schema = resolve_schema(FIXTURES / "training_lead.schema.json")
    assert schema.id == "training"
    assert schema.field_names() == ["孩子年龄", "感兴趣课程", "上课方式", "家长邮箱", "顾问"]
    assert schema.by_name["上课方式"].kind == FieldKind.ENUM
    assert schema.by_name["家长邮箱"].format == "email"
    assert schema.by_name["顾问"].refers_to == "staff"
    assert schema.by_name["感兴趣课程"].display_en == "Courses"
    # An array-of-records schema is read from its items.
    wrapped = tmp_path / "list.json"
    wrapped.write_text(
        '{"type": "array", "items": {"properties": {"城市": {"type": "string"}}}}',
        encoding="utf-8",
    )
    assert resolve_schema(wrapped).field_names() == ["城市"]


def test_descriptions_reach_the_prompt(db_path: Path, service_chat: int) -> None:
    schema = resolve_schema(FIXTURES / "renovation_lead.yaml")
    generator = FakeTextGenerator([make_reply(schema)])
    result = drive(extract_records(db_path, generator, service_chat, schema))
    system = generator.calls[0][0][0].content
    assert "- 面积: 房屋面积，如“120平”" in system
    assert "- 装修类型 (one of: 全包 / 半包 / 清包): 客户想要的承包方式" in system
    assert result.schema.id == "renovation"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", "fields: [name: x\n", r"bad\.yaml line \d+: not valid YAML"),
        ("bad.json", '{"properties": {', r"bad\.json line 1: not valid JSON"),
        (
            "kind.yaml",
            "- name: 预算\n  type: number\n",
            r"kind\.yaml field 1 \(预算\): type 'number'",
        ),
        ("enum.yaml", "- name: 阶段\n  type: enum\n", r"enum\.yaml.*阶段.*no choices"),
        ("twice.yaml", "- name: a\n- name: a\n", r"twice\.yaml: .*lists the field 'a' twice"),
        ("int.json", '{"properties": {"年龄": {"type": "integer"}}}', r"int\.json property '年龄'"),
    ],
)
def test_bad_schema_files_name_the_file_and_field(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        resolve_schema(path)


def test_missing_schema_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="--schema lead"):
        resolve_schema(tmp_path / "nope.yaml")


def test_lead_schema_round_trips_through_storage_form() -> None:
    schema = lead_schema()
    again = type(schema).from_dict(schema.as_dict())
    assert again == schema
