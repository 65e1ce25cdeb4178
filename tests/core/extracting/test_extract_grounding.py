"""Provenance and checks: citations become stored ids; unsupported values are dropped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from chatsum.core.pipelines.extracting import Role, lead_schema
from chatsum.core.pipelines.extracting.grounding import Speakers, ground_reply, support
from chatsum.core.pipelines.extracting.pieces import Piece, split_into_pieces
from chatsum.core.storage.store import Store
from tests.conftest import write_conversation

Reply = Callable[[dict[str, tuple[Any, list[int]]]], dict[str, Any]]


@pytest.fixture()
def piece_and_ids(db_path: Path, service_chat: int) -> tuple[Piece, list[int], Speakers]:
    store = Store.open(db_path)
    messages = store.messages(service_chat)
    store.close()
    by_name = {m.sender_name: m.participant_id for m in messages}
    roles = {by_name["客服-小美"]: Role.STAFF, by_name["老李"]: Role.STAFF}
    roles[by_name["王先生"]] = Role.CUSTOMER
    (piece,) = split_into_pieces(messages, roles, len, 10_000)
    staff = {by_name["客服-小美"]: "客服-小美", by_name["老李"]: "老李"}
    return piece, [m.id for m in messages], Speakers(by_name["王先生"], staff)


def ground(reply: dict[str, Any], fixture: tuple[Piece, list[int], Speakers]) -> tuple:
    piece, _, speakers = fixture
    return ground_reply(reply, lead_schema(), piece, "王先生", speakers)


def test_local_numbers_map_to_stored_ids(piece_and_ids: tuple, lead_reply: Reply) -> None:
    _, ids, _ = piece_and_ids
    values, dropped = ground(
        lead_reply(
            {
                "客户预算-总体预算金额": ("3000左右", [5]),
                "客户是否有意向": ("有意向", [2, 5]),
                "意向产品": (["扫地机器人X1", "X2套餐"], [2, 4]),
            }
        ),
        piece_and_ids,
    )
    assert dropped == []
    assert values["客户预算-总体预算金额"][0].message_ids == (ids[4],)
    assert values["客户是否有意向"][0].message_ids == (ids[1], ids[4])
    # Each list item keeps the message that says it.
    assert [v.message_ids for v in values["意向产品"]] == [(ids[1],), (ids[3],)]


def test_contacts_keep_the_chats_spelling(piece_and_ids: tuple, lead_reply: Reply) -> None:
    _, ids, _ = piece_and_ids
    values, _ = ground(
        lead_reply(
            {
                "基本信息-手机号码": ("13812345678", [6]),
                "基本信息-邮箱": ("WANG.FEI@example.com", [6]),
            }
        ),
        piece_and_ids,
    )
    assert values["基本信息-手机号码"][0].text == "138 1234 5678"
    assert values["基本信息-手机号码"][0].message_ids == (ids[5],)
    assert values["基本信息-邮箱"][0].text == "wang.fei@example.com"


def test_contacts_not_in_the_chat_or_malformed_are_dropped(
    piece_and_ids: tuple, lead_reply: Reply
) -> None:
    values, dropped = ground(
        lead_reply(
            {"基本信息-手机号码": ("13812345679", [6]), "基本信息-邮箱": ("wang.fei@", [6])}
        ),
        piece_and_ids,
    )
    assert values == {}
    reasons = {d.field: d.reason for d in dropped}
    assert "verbatim" in reasons["基本信息-手机号码"]
    assert "valid e-mail" in reasons["基本信息-邮箱"]


def test_a_staff_members_own_number_is_not_the_customers(
    piece_and_ids: tuple, lead_reply: Reply
) -> None:
    values, dropped = ground(lead_reply({"基本信息-手机号码": ("13900001111", [8])}), piece_and_ids)
    assert values == {}
    assert dropped[0].value == "13900001111"


@pytest.mark.parametrize(
    ("staff_text", "kept"),
    [
        ("您有问题随时打我电话 13511112222", False),  # addressed, but the number is hers
        ("Any questions, call me at 13511112222, your advisor", False),
        ("好的，已为您登记电话 13511112222，明天联系您", True),  # relays the customer's
    ],
)
def test_a_staff_message_to_the_customer_counts_unless_the_number_is_the_writers(
    tmp_path: Path, lead_reply: Reply, staff_text: str, kept: bool
) -> None:
    store = Store.open(tmp_path / "archive.db")
    chat = write_conversation(store, [("王先生", "想了解一下X1"), ("客服-小美", staff_text)])
    messages = store.messages(chat)
    store.close()
    by_name = {m.sender_name: m.participant_id for m in messages}
    roles = {by_name["客服-小美"]: Role.STAFF, by_name["王先生"]: Role.CUSTOMER}
    (piece,) = split_into_pieces(messages, roles, len, 10_000)
    speakers = Speakers(by_name["王先生"], {by_name["客服-小美"]: "客服-小美"})
    reply = lead_reply({"基本信息-手机号码": ("13511112222", [2])})
    values, _ = ground_reply(reply, lead_schema(), piece, "王先生", speakers)
    assert ("基本信息-手机号码" in values) is kept


def test_miscited_values_are_recited_to_the_supporting_message(
    piece_and_ids: tuple, lead_reply: Reply
) -> None:
    _, ids, _ = piece_and_ids
    values, dropped = ground(
        lead_reply(
            {
                "基本信息-手机号码": ("13812345678", [1]),
                "客户预算-总体预算金额": ("3000左右", [1]),
            }
        ),
        piece_and_ids,
    )
    assert dropped == []
    assert values["基本信息-手机号码"][0].message_ids == (ids[5],)
    assert values["客户预算-总体预算金额"][0].message_ids == (ids[4],)


def test_unsupported_values_are_dropped(piece_and_ids: tuple, lead_reply: Reply) -> None:
    values, dropped = ground(
        lead_reply(
            {
                "基本信息-地区": ("上海浦东", [2]),  # said nowhere
                "客户是否有意向": ("有意向", []),  # inferred, but cites nothing
                "客户是否有卡点": ("可能", [5]),  # not a choice
                "下一步跟进计划-参与人": (["王先生"], [7]),  # not staff
            }
        ),
        piece_and_ids,
    )
    assert values == {}
    assert {d.field for d in dropped} == {
        "基本信息-地区",
        "客户是否有意向",
        "客户是否有卡点",
        "下一步跟进计划-参与人",
    }


def test_support_counts_words_and_cjk_characters() -> None:
    assert support("X2套餐", "我们还有X2套餐，3999元") == 1.0
    # Numbers count double: the amount matters more than its unit.
    assert support("3000元左右", "预算大概3000左右") == pytest.approx(4 / 5)
    assert support("3000元", "预算大概3000左右") == pytest.approx(2 / 3)
    assert support("5000元", "预算大概3000左右") == pytest.approx(0.0)
    assert support("Pro plan", "the pro-plan costs") == 1.0
    assert support("上海", "北京") == 0.0


def test_echoes_of_the_description_example_are_dropped(
    piece_and_ids: tuple, lead_reply: Reply
) -> None:
    _, ids, _ = piece_and_ids
    values, dropped = ground(
        lead_reply({"购买异议点": (["价格贵", "担心质量"], [5])}), piece_and_ids
    )
    # "价格贵" is also the description's example, but the chat says "有点贵": kept.
    assert [v.text for v in values["购买异议点"]] == ["价格贵"]
    assert values["购买异议点"][0].message_ids == (ids[4],)
    assert [(d.value, d.reason) for d in dropped] == [
        ("担心质量", "copied from the field's description, not said in the chat")
    ]
