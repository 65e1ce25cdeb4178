"""Extraction on the real path: a transcript imported by the real importer, role
detection and schema-constrained extraction by llama.cpp running SmolLM2-135M.

The tiny model's answers are not expected to be right; what must hold for any
model is the contract: every reply parses and validates against the reply
schema (the grammar built from it works end to end), every kept value cites
messages of this conversation, kept phones and e-mails appear verbatim in a
cited message, and the stored result reads back the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatsum.core.llm.catalog import load_catalog
from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine
from chatsum.core.llm.installing import assemble
from chatsum.core.llm.store import ModelStore
from chatsum.core.pipelines.extracting import (
    Role,
    detect_roles,
    extract_records,
    load_extraction,
    resolve_schema,
)
from chatsum.core.pipelines.extracting.contact import find_contact
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.progress import drive
from chatsum.core.storage.store import Store
from tests.core.llm.helpers import SMOLLM2_ID

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parents[1] / "fixtures" / "extracting"


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaCppEngine]:
    store = ModelStore(tmp_path_factory.mktemp("models"), load_catalog())
    drive(assemble(store, SMOLLM2_ID))
    engine = LlamaCppEngine(store, SMOLLM2_ID, EngineConfig(n_ctx=2048, n_gpu_layers=0))
    yield engine
    engine.close()


@pytest.fixture()
def imported(tmp_path: Path) -> tuple[Path, int]:
    db_path = tmp_path / "archive.db"
    report = drive(import_paths(db_path, [FIXTURES / "helpdesk_group.txt"]))
    assert report.failed == [] and report.messages_new == 5
    store = Store.open(db_path)
    (conversation,) = store.list_conversations()
    store.close()
    return db_path, conversation.id


def test_real_model_extraction_keeps_the_contract(
    engine: LlamaCppEngine, imported: tuple[Path, int]
) -> None:
    db_path, conversation = imported
    roles = {a.name: a.role for a in detect_roles(db_path, conversation, engine)}
    assert roles["Jake Miller"] == Role.CUSTOMER
    assert roles["Emma Support"] == roles["Ryan Sales"] == Role.STAFF

    schema = resolve_schema(FIXTURES / "contact_lead.yaml")
    result = drive(extract_records(db_path, engine, conversation, schema))
    assert result.stats.model_calls == 1
    assert result.stats.schema_valid_rate == 1.0
    (record,) = result.records
    assert record.customer == "Jake Miller"

    store = Store.open(db_path)
    messages = {m.id: m for m in store.messages(conversation)}
    store.close()
    for cell in record.cells:
        for value in cell.values:
            assert value.message_ids and set(value.message_ids) <= set(messages)
            item = schema.by_name[cell.field]
            if item.format:
                cited = [messages[i].text for i in value.message_ids]
                assert any(find_contact(item.format, value.text, text) for text in cited)
    assert load_extraction(db_path, conversation, "contact") == result
