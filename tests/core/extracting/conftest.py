"""A small service group chat in a real archive, and a builder for model replies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chatsum.core.pipelines.extracting import lead_schema
from chatsum.core.pipelines.extracting.prompting import CITES_KEY, VALUE_KEY
from chatsum.core.pipelines.extracting.schema import FieldKind, Schema
from chatsum.core.storage.store import Store
from tests.conftest import write_conversation

SERVICE_CHAT = [
    ("客服-小美", "您好，欢迎咨询！请问有什么可以帮您？"),  # 1
    ("王先生", "我想了解一下你们的扫地机器人X1，多少钱？"),  # 2
    ("客服-小美", "X1现在活动价2999元，包邮。"),  # 3
    ("老李", "王先生您好，我们还有X2套餐，带拖地功能，3999元。"),  # 4
    ("王先生", "预算大概3000左右，X2有点贵。"),  # 5
    ("王先生", "我的手机是138 1234 5678，邮箱 wang.fei@example.com"),  # 6
    ("客服-小美", "好的，明天下午三点我给您打电话确认。"),  # 7
    ("老李", "我的电话13900001111，有问题随时找我。"),  # 8
]


@pytest.fixture()
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "archive.db"


@pytest.fixture()
def service_chat(db_path: Path) -> int:
    store = Store.open(db_path)
    try:
        return write_conversation(store, SERVICE_CHAT, title="扫地机器人客户群")
    finally:
        store.close()


def make_reply(schema: Schema, **values: tuple[Any, list[int]]) -> dict[str, Any]:
    """A full reply: given fields as (value, local message numbers), the rest empty."""
    reply: dict[str, Any] = {}
    for item in schema.fields:
        empty: Any = [] if item.kind == FieldKind.LIST else ""
        value, cites = values.get(item.name, (empty, []))
        reply[item.name] = {VALUE_KEY: value, CITES_KEY: cites}
    return reply


@pytest.fixture()
def lead_reply() -> Callable[..., dict[str, Any]]:
    schema = lead_schema()

    def build(values: dict[str, tuple[Any, list[int]]]) -> dict[str, Any]:
        return make_reply(schema, **values)

    return build
