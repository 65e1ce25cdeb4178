"""The whole summary path for real: an English WhatsApp export (the tiny model reads
only English) imported by the real importer into a real archive, summarized by llama.cpp running SmolLM2-135M under
the JSON-schema grammar, checked, cached and rendered. The tiny model's wording is
not judged (it is English-only and weak); what is asserted is what the pipeline
guarantees whatever the model writes: streamed output, a parsed summary, every
citation pointing at a message of the chat (and, for a view, one its participant
wrote), the cache, and a report that quotes the cited messages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatsum.core.llm.catalog import load_catalog
from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine
from chatsum.core.llm.installing import assemble
from chatsum.core.llm.store import ModelStore
from chatsum.core.pipelines.importing import import_paths
from chatsum.core.pipelines.summarizing import (
    PROMPT_VERSION,
    SummaryOptions,
    render_html,
    summarize_range,
)
from chatsum.core.pipelines.summarizing.citations import citation_validity
from chatsum.core.pipelines.summarizing.pipeline import is_complete
from chatsum.core.progress import Progress, drive
from chatsum.core.storage.store import Store
from tests.core.llm.helpers import SMOLLM2_ID

pytestmark = pytest.mark.slow

EXPORT = (
    Path(__file__).resolve().parents[1]
    / "fixtures/summarizing/WhatsApp Chat with Weekend Hikers.txt"
)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaCppEngine]:
    models = ModelStore(tmp_path_factory.mktemp("models"), load_catalog())
    drive(assemble(models, SMOLLM2_ID))
    # One thread: on a shared, busy CI machine two llama.cpp threads waiting on
    # each other were measured 30x slower; the tiny model needs no more.
    engine = LlamaCppEngine(models, SMOLLM2_ID, EngineConfig(n_ctx=4096, n_threads=1))
    yield engine
    engine.close()


def test_a_real_import_summarized_by_the_tiny_model(tmp_path: Path, engine: LlamaCppEngine) -> None:
    db = tmp_path / "chatsum.db"
    report = drive(import_paths(db, [EXPORT]))
    assert not report.failed and report.messages_new == 19
    store = Store.open(db)
    conversation = store.list_conversations()[0]
    senders = {m.id: m.sender_name or "?" for m in store.messages(conversation.id)}
    store.close()

    # One topic keeps the tiny model's reply (and the test) short.
    options = SummaryOptions(language="en", min_topics=1, max_topics=1)
    events: list[object] = []
    job = summarize_range(db, engine, conversation.id, options=options)
    while True:
        try:
            events.append(next(job))
        except StopIteration as stop:
            summary = stop.value
            break

    assert any(isinstance(e, str) for e in events), "the model's output streams"
    assert [e.stage for e in events if isinstance(e, Progress)][-1] == "done"
    assert summary.model_id == SMOLLM2_ID and summary.prompt_version == PROMPT_VERSION
    assert summary.language == "en" and summary.message_count == len(senders)
    assert summary.timings.llm_calls >= 1 and summary.timings.completion_tokens > 0
    # Whatever the tiny model cited, what is left after checking is right.
    valid, total = citation_validity(summary.topics, senders)
    assert valid == total
    assert {c.message_id for c in summary.cited_messages} <= set(senders)
    assert all(c.supported == bool(c.message_ids) for t in summary.topics for c in t.claims())
    if is_complete(summary):
        assert summary.topics
        again = drive(summarize_range(db, engine, conversation.id, options=options))
        assert again.from_cache and again.topics == summary.topics
    page = render_html(summary, conversation.title, 0)
    for citation in summary.cited_messages:
        assert f'id="m{citation.message_id}"' in page
