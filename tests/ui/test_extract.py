"""The Extract tab: records from the real pipeline, cells that open their messages,
roles the user corrects, CSV / JSON export, and Qt's model tester on the table."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

from chatsum.config import Settings
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.extracting import (
    Cell,
    CustomerRecord,
    ExtractionResult,
    Value,
    lead_schema,
    load_extraction,
)
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.progress import drive
from chatsum.core.storage.store import Store
from chatsum.ui.item_models import ExtractionTableModel, Roles
from tests.core.extracting.conftest import make_reply

HELPDESK = Path(__file__).resolve().parents[1] / "fixtures" / "extracting" / "helpdesk_group.txt"
_LINE = re.compile(r"^\[(\d+)\] ([^:]+?) \((\w+)\): (.*)$", re.MULTILINE)
_CUSTOMER = re.compile(r"Fill the record for the customer (.+)\.$")
_EMAIL = re.compile(r"[\w.]+@[\w.]+\w")


def lead_reader(messages: list[ChatMessage], options: GenerationOptions) -> dict[str, Any]:
    """Reads its piece like a model: the customer's name, e-mail and the plan they ask about."""
    prompt = messages[-1].content
    match = _CUSTOMER.search(prompt)
    if (
        options.json_schema is None
        or match is None
        or "基本信息-姓名" not in str(options.json_schema)
    ):
        return {"staff": [], "customers": []}  # the roles call: leave the heuristics
    customer = match.group(1)
    lines = [(int(n), who, text) for n, who, _, text in _LINE.findall(prompt)]
    own = [(n, text) for n, who, text in lines if who == customer]
    values: dict[str, tuple[Any, list[int]]] = {}
    if own:
        values["基本信息-姓名"] = (customer, [own[0][0]])
    for number, text in own:
        if email := _EMAIL.search(text):
            values["基本信息-邮箱"] = (email.group(0), [number])
    plans = [n for n, _, text in lines if "Pro plan" in text]
    if plans:
        values["意向产品"] = (["Pro plan"], plans[:1])
    return make_reply(lead_schema(), **values)


@pytest.fixture()
def helpdesk(ui_settings: Settings) -> Settings:
    """An archive holding a small customer-service group chat, imported for real."""
    ui_settings.home.mkdir(parents=True, exist_ok=True)
    report = drive(import_paths(ui_settings.db_path, [HELPDESK]))
    assert report.messages_new == 5
    return ui_settings


def _open_extract(qtbot, window) -> Any:
    panel = window.extract
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.roles_table.rowCount() == 3, timeout=10_000)
    qtbot.waitUntil(lambda: panel.extract_button.isEnabled(), timeout=10_000)
    return panel


def _extract(qtbot, panel) -> Any:
    with qtbot.waitSignal(panel.result_shown, timeout=20_000) as shown:
        panel.extract_button.click()
    return shown.args[0]


def _column(model: ExtractionTableModel, header: str) -> int:
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return headers.index(header)


def test_extraction_fills_the_table_and_a_cell_opens_its_messages(
    qtbot, qtmodeltester, make_window, helpdesk: Settings
) -> None:
    window = make_window(helpdesk, FakeTextGenerator(lead_reader))
    panel = _open_extract(qtbot, window)
    assert panel.model.rowCount() == 0 and not panel.csv_button.isEnabled()
    result = _extract(qtbot, panel)

    model = panel.model
    assert [r.customer for r in result.records] == ["Jake Miller"]
    assert model.rowCount() == 1
    assert model.columnCount() == 1 + len(lead_schema().fields)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Customer"
    email_column = _column(model, "E-mail")  # English names in the English interface
    assert model.index(0, email_column).data() == "jake.miller@brightpath.io"
    assert model.index(0, _column(model, "Products of interest")).data() == "Pro plan"
    assert panel.csv_button.isEnabled() and panel.json_button.isEnabled()
    assert "1 customer record" in panel.status.text()
    qtmodeltester.check(model)

    # Clicking the e-mail cell scrolls to the message that gives it and highlights it.
    index = model.index(0, email_column)
    (cited,) = index.data(Roles.MESSAGE_IDS)
    with qtbot.waitSignal(panel.citations_clicked) as clicked:
        panel.table.clicked.emit(index)
    assert clicked.args[0] == (cited,)
    view = window.messages.view

    def shown() -> bool:
        current = view.currentIndex()
        return current.isValid() and getattr(current.data(Roles.MESSAGE), "id", None) == cited

    qtbot.waitUntil(shown, timeout=10_000)
    assert view.currentIndex().data(Roles.HIGHLIGHTED) is True
    assert "jake.miller@brightpath.io" in view.currentIndex().data(Roles.MESSAGE).text
    assert window.messages.model.highlighted == {cited}

    # The run is saved: another window shows it without running the model.
    idle = FakeTextGenerator(lead_reader)
    again = make_window(helpdesk, idle)
    again_panel = again.extract
    again.tabs.setCurrentWidget(again_panel)
    qtbot.waitUntil(lambda: again_panel.model.rowCount() == 1, timeout=10_000)
    assert again_panel.status.text().startswith("Saved records")
    assert idle.calls == []


def test_a_changed_role_is_saved_and_used_by_the_next_run(
    qtbot, make_window, helpdesk: Settings
) -> None:
    generator = FakeTextGenerator(lead_reader)
    window = make_window(helpdesk, generator)
    panel = _open_extract(qtbot, window)
    boxes = panel.role_boxes()
    assert {name: box.currentData() for name, box in boxes.items()} == {
        "Emma Support": "staff",
        "Ryan Sales": "staff",
        "Jake Miller": "customer",
    }
    with qtbot.waitSignal(panel.roles_saved, timeout=10_000) as saved:
        boxes["Ryan Sales"].setCurrentIndex(boxes["Ryan Sales"].findData("customer"))
    assert saved.args[0] == {"Ryan Sales": "customer"}
    qtbot.waitUntil(lambda: panel.role_boxes()["Ryan Sales"].currentData() == "customer")
    sources = {
        panel.roles_table.item(row, 0).text(): panel.roles_table.item(row, 2).text()
        for row in range(3)
    }
    assert sources["Ryan Sales"] == "you"

    result = _extract(qtbot, panel)
    assert sorted(r.customer for r in result.records) == ["Jake Miller", "Ryan Sales"]
    assert result.staff_names() == ["Emma Support"]
    prompts = [messages[-1].content for messages, _ in generator.calls]
    assert any("Fill the record for the customer Ryan Sales." in p for p in prompts)
    stored = load_extraction(helpdesk.db_path, result.conversation_id)
    assert stored is not None and len(stored.records) == 2
    store = Store.open(helpdesk.db_path)
    try:
        overrides = store.conn.execute("SELECT COUNT(*) FROM extraction_roles").fetchone()[0]
    finally:
        store.close()
    assert overrides == 1


def test_export_writes_csv_and_json(qtbot, make_window, helpdesk: Settings, tmp_path: Path) -> None:
    window = make_window(helpdesk, FakeTextGenerator(lead_reader))
    panel = _open_extract(qtbot, window)
    result = _extract(qtbot, panel)
    panel.export(tmp_path / "leads.csv", "csv")
    panel.export(tmp_path / "leads.json", "json")
    with (tmp_path / "leads.csv").open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    assert rows[0][:3] == ["Customer", "Name", "Name (message ids)"]
    assert rows[1][0] == "Jake Miller" and "jake.miller@brightpath.io" in rows[1]
    data = json.loads((tmp_path / "leads.json").read_text(encoding="utf-8"))
    email = data["records"][0]["fields"]["E-mail"]
    assert email["value"] == "jake.miller@brightpath.io"
    assert email["message_ids"] == list(result.records[0].cell("基本信息-邮箱").message_ids)
    assert "leads.json" in panel.status.text()


def test_cells_are_plain_text_and_tooltips_escaped(qtbot, helpdesk: Settings) -> None:
    schema = lead_schema()
    cells = tuple(
        Cell(f.name, (Value("<b>bold</b> <a href='x'>link</a>", (1,)),) if i == 0 else ())
        for i, f in enumerate(schema.fields)
    )
    result = ExtractionResult(1, schema, (), (CustomerRecord("<i>王</i>", None, cells),))
    model = ExtractionTableModel()
    model.set_result(result, english=False)
    assert model.headerData(1, Qt.Orientation.Horizontal) == "基本信息-姓名"
    assert model.index(0, 1).data() == "<b>bold</b> <a href='x'>link</a>"
    tooltip = model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;bold" in tooltip and "<b>bold" not in tooltip
    assert model.index(0, 2).data(Roles.MESSAGE_IDS) == ()


def test_cancelling_an_extraction_saves_nothing(qtbot, make_window, helpdesk: Settings) -> None:
    window = make_window(helpdesk, FakeTextGenerator(lead_reader, delay_s=0.05))
    panel = _open_extract(qtbot, window)
    panel.extract_button.click()
    assert panel.running and panel.cancel_button.isVisible()
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: not panel.running, timeout=10_000)
    assert panel.status.text() == "Cancelled; nothing was saved."
    assert panel.model.rowCount() == 0 and panel.extract_button.isEnabled()
    conversation = window.messages.conversation
    assert load_extraction(helpdesk.db_path, conversation.id) is None
