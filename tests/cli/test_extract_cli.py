"""`chatsum extract` through the real CLI entry point, a real archive and a scripted model."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from chatsum.cli.main import main
from chatsum.config import Settings
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.extracting import lead_schema
from chatsum.core.pipelines.extracting.prompting import CITES_KEY, VALUE_KEY
from chatsum.core.pipelines.extracting.schema import FieldKind
from chatsum.core.storage.store import Store
from chatsum.services import AppServices
from tests.conftest import write_conversation

CHAT = [
    ("客服-小美", "您好，欢迎咨询！请问有什么可以帮您？"),
    ("刘女士", "我想给客厅买一台空气净化器，预算2000元以内"),
    ("客服-小美", "推荐AirPro 300，现在活动价1899元"),
    ("刘女士", "好的，我的邮箱是 liu.yan@163.com，发我资料吧"),
]


def lead_reply() -> dict[str, Any]:
    values = {
        "基本信息-邮箱": ("liu.yan@163.com", [4]),
        "意向产品": (["AirPro 300"], [3]),
        "客户预算-总体预算金额": ("2000元以内", [2]),
        "基本信息-手机号码": ("13700000000", [2]),  # not in the chat: must be dropped
    }
    reply = {}
    for item in lead_schema().fields:
        empty: Any = [] if item.kind == FieldKind.LIST else ""
        value, cites = values.get(item.name, (empty, []))
        reply[item.name] = {VALUE_KEY: value, CITES_KEY: cites}
    return reply


@pytest.fixture()
def archive(settings: Settings) -> int:
    store = Store.open(settings.db_path)
    conversation = write_conversation(store, CHAT, title="净化器咨询群")
    store.close()
    return conversation


def run(
    settings: Settings, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str, FakeTextGenerator]:
    generator = FakeTextGenerator([lead_reply()])
    services = AppServices(settings, generator=generator)
    try:
        code = main(list(argv), services=services)
    finally:
        services.close()
    out, err = capsys.readouterr()
    return code, out, err, generator


def test_json_records_with_message_ids(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err, generator = run(settings, capsys, "extract", "净化器")
    assert code == 0, err
    data = json.loads(out)
    (record,) = data["records"]
    assert record["customer"] == "刘女士"
    assert record["fields"]["基本信息-邮箱"]["value"] == "liu.yan@163.com"
    assert record["fields"]["基本信息-邮箱"]["message_ids"] != []
    assert record["fields"]["基本信息-手机号码"]["value"] == ""
    assert "1 unsupported value(s) dropped" in err
    assert len(generator.calls) == 1


def test_csv_to_a_file_then_stored_without_the_model(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "leads.csv"
    code, _, err, _ = run(
        settings, capsys, "extract", str(archive), "--format", "csv", "--output", str(target)
    )
    assert code == 0, err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    header, row = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["客户"] == "刘女士" and cells["意向产品"] == "AirPro 300"

    code, out, _, generator = run(
        settings, capsys, "extract", str(archive), "--stored", "--format", "csv", "--english"
    )
    assert code == 0 and generator.calls == []
    assert out.splitlines()[0].startswith("Customer,Name,Name (message ids)")
    assert "AirPro 300" in out


def test_roles_flag_is_saved_and_shown(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err, generator = run(
        settings,
        capsys,
        "extract",
        str(archive),
        "--roles",
        "客服-小美=customer,刘女士=staff",
        "--roles-only",
    )
    assert code == 0, err
    assert generator.calls == []
    expected = {"刘女士": ["staff", "user"], "客服-小美": ["customer", "user"]}
    assert role_table(out) == expected

    # Remembered for the next run of this conversation.
    _, out, _, _ = run(settings, capsys, "extract", str(archive), "--roles-only")
    assert role_table(out) == expected


def role_table(out: str) -> dict[str, list[str]]:
    """participant → [role, decided by], from the printed table."""
    return {line.split()[0]: line.split()[1:3] for line in out.splitlines()[2:]}


def test_user_errors_are_one_clean_line(
    settings: Settings, archive: int, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err, _ = run(settings, capsys, "extract", str(archive), "--roles", "张三=staff")
    assert code == 2 and "'张三' is not a participant" in err
    code, _, err, _ = run(settings, capsys, "extract", str(archive), "--roles", "staff")
    assert code == 2 and "NAME=staff" in err
    code, _, err, _ = run(settings, capsys, "extract", str(archive), "--schema", "nope.yaml")
    assert code == 4 and "nope.yaml" in err
    code, _, err, _ = run(settings, capsys, "extract", str(archive), "--stored")
    assert code == 4 and "without --stored" in err
    code, _, err, _ = run(settings, capsys, "extract", "没有这个群")
    assert code == 4


def test_eval_extract_reports_the_figures(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err, generator = run(settings, capsys, "eval", "extract", "--limit", "2", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["cases"] == 2 and len(report["per_case"]) == 2
    assert report["schema_valid_rate"] == 1.0
    assert 0 < report["model_calls"] <= len(generator.calls)  # plus any role questions
    assert set(report["fields"]) == {f.name for f in lead_schema().fields}
    assert report["records"]["expected"] == 2
    # The scripted values belong to another chat: nothing is supported, nothing is right.
    assert report["contact_fields"]["precision"] is None
    assert not settings.db_path.exists()  # the user's archive is never touched

    code, out, _, _ = run(settings, capsys, "eval", "extract", "--limit", "1")
    assert code == 0
    assert "schema-valid replies     100%" in out
    assert "(all fields)" in out
