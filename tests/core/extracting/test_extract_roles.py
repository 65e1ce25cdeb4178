"""Role detection: heuristics, balance, overrides (passed and stored), the model's say."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.core.errors import ConfigError
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.extracting import Role, RoleSource, detect_roles, save_roles
from chatsum.core.pipelines.extracting.roles import is_ambiguous, score_roles
from chatsum.core.storage.store import Store
from tests.conftest import write_conversation


def roles_of(assignments: list) -> dict[str, Role]:
    return {a.name: a.role for a in assignments}


def test_titles_service_phrases_and_prices_make_staff(db_path: Path, service_chat: int) -> None:
    roles = detect_roles(db_path, service_chat)
    assert roles_of(roles) == {"客服-小美": Role.STAFF, "老李": Role.STAFF, "王先生": Role.CUSTOMER}
    by_name = {a.name: a for a in roles}
    assert "staff title in name" in by_name["客服-小美"].reasons
    # 老李 has no title: service phrases and prices decide.
    assert "staff title in name" not in by_name["老李"].reasons
    assert any("service phrases" in r for r in by_name["老李"].reasons)
    assert any("needs" in r for r in by_name["王先生"].reasons)
    assert roles[0].name == "客服-小美"  # most staff-like first


def test_english_chat(db_path: Path) -> None:
    store = Store.open(db_path)
    conversation = write_conversation(
        store,
        [
            ("Emma (Support)", "Hi, thanks for contacting us! How can I help?"),
            ("Jake Miller", "I'd like a quote for the Pro plan for 12 users. How much is it?"),
            ("Ryan", "Our Pro plan is $25 per user per month, we offer 10% off yearly."),
            ("Jake Miller", "My budget is about $3,000 a year. Is that too expensive?"),
            ("Ryan", "Let me send you the yearly quote today."),
        ],
        title="Acme onboarding",
    )
    store.close()
    assert roles_of(detect_roles(db_path, conversation)) == {
        "Emma (Support)": Role.STAFF,
        "Ryan": Role.STAFF,
        "Jake Miller": Role.CUSTOMER,
    }


def test_always_one_customer_and_one_staff(db_path: Path) -> None:
    store = Store.open(db_path)
    conversation = write_conversation(
        store,
        [("客服A", "您好，请问需要什么？"), ("客服B", "我们的套餐299元，欢迎了解")],
    )
    messages = store.messages(conversation)
    store.close()
    roles = roles_of(score_roles(messages))
    assert sorted(roles.values()) == [Role.CUSTOMER, Role.STAFF]


def test_override_by_name_wins_and_unknown_names_are_errors(
    db_path: Path, service_chat: int
) -> None:
    roles = detect_roles(db_path, service_chat, roles_override={"老李": "customer"})
    by_name = {a.name: a for a in roles}
    assert by_name["老李"].role == Role.CUSTOMER
    assert by_name["老李"].source == RoleSource.USER
    with pytest.raises(ConfigError, match=r"not a participant.*王先生"):
        detect_roles(db_path, service_chat, roles_override={"张三": "staff"})
    with pytest.raises(ConfigError, match="not one of staff, customer, other"):
        detect_roles(db_path, service_chat, roles_override={"老李": "boss"})


def test_saved_roles_are_used_until_cleared(db_path: Path, service_chat: int) -> None:
    save_roles(db_path, service_chat, {"王先生": "other", "老李": "customer"})
    roles = roles_of(detect_roles(db_path, service_chat))
    assert roles["王先生"] == Role.OTHER
    assert roles["老李"] == Role.CUSTOMER
    save_roles(db_path, service_chat, {"王先生": None})
    assert roles_of(detect_roles(db_path, service_chat))["王先生"] == Role.CUSTOMER


def test_saved_roles_go_with_the_conversation(db_path: Path, service_chat: int) -> None:
    save_roles(db_path, service_chat, {"老李": "customer"})
    store = Store.open(db_path)
    store.forget_conversation(service_chat)
    left = store.conn.execute("SELECT COUNT(*) FROM extraction_roles").fetchone()[0]
    store.close()
    assert left == 0


def test_model_settles_only_close_calls(db_path: Path) -> None:
    store = Store.open(db_path)
    conversation = write_conversation(
        store,
        [
            ("客服-小美", "您好，欢迎咨询，我们的课程价格是3999元"),
            ("阿杰", "收到"),
            ("林女士", "我想给孩子报名，预算有限，多少钱？"),
            ("阿杰", "好的"),
        ],
    )
    messages = store.messages(conversation)
    store.close()
    unsure = [a.name for a in score_roles(messages) if is_ambiguous(a)]
    assert unsure == ["阿杰"]

    generator = FakeTextGenerator([{"staff": ["阿杰"], "customers": []}])
    roles = detect_roles(db_path, conversation, generator=generator)
    by_name = {a.name: a for a in roles}
    assert by_name["阿杰"].role == Role.STAFF
    assert by_name["阿杰"].source == RoleSource.MODEL
    assert by_name["林女士"].role == Role.CUSTOMER
    schema = generator.calls[0][1].json_schema
    assert schema is not None
    assert schema["properties"]["staff"]["items"]["enum"] == ["阿杰"]

    # Nothing ambiguous (an override settles 阿杰): the model is not asked.
    quiet = FakeTextGenerator([{"staff": [], "customers": []}])
    detect_roles(db_path, conversation, generator=quiet, roles_override={"阿杰": "other"})
    assert quiet.calls == []
