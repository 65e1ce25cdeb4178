"""The whole Q&A path for real: an archive written like an import, the packaged
MiniLM (sentence-transformers, offline) in a local Chroma, and llama.cpp running
SmolLM2-135M. The tiny model's wording is not judged, only what the pipeline
guarantees whatever the model writes: streaming, checked citations, sessions,
the prompt cache on a follow-up, and time to the first token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from chatsum.core.domain import Answer, AnswerOutcome
from chatsum.core.index.embedder_catalog import make_embedder
from chatsum.core.llm.catalog import load_catalog
from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine
from chatsum.core.llm.installing import assemble
from chatsum.core.llm.store import ModelStore
from chatsum.core.pipelines.answering import AnswerOptions, answer_question
from chatsum.core.pipelines.indexing import index_archive, open_current_index
from chatsum.core.pipelines.qa_history import QAHistory
from chatsum.core.pipelines.retrieval import RetrievalParts
from chatsum.core.progress import Progress, drive
from chatsum.core.storage.store import Store
from tests.core.llm.helpers import SMOLLM2_ID
from tests.qa_helpers import build_archive, index_opener

pytestmark = pytest.mark.slow

OPTIONS = AnswerOptions(max_tokens=24, passages=2, min_relevance=0.2)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LlamaCppEngine]:
    models = ModelStore(tmp_path_factory.mktemp("models"), load_catalog())
    drive(assemble(models, SMOLLM2_ID))
    engine = LlamaCppEngine(models, SMOLLM2_ID, EngineConfig(n_ctx=2048))
    yield engine
    engine.close()


def ask(
    db: Path,
    engine: LlamaCppEngine,
    parts: RetrievalParts,
    question: str,
    session: int | None = None,
) -> tuple[list[object], Answer]:
    events: list[object] = []
    turn = answer_question(db, engine, parts, question, session, options=OPTIONS)
    while True:
        try:
            events.append(next(turn))
        except StopIteration as stop:
            return events, stop.value


def test_answers_with_the_real_embedder_and_model(
    tmp_path: Path, engine: LlamaCppEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    db = tmp_path / "a.db"
    build_archive(db)
    embedder, opener = make_embedder("all-minilm-l6-v2"), index_opener(tmp_path / "chroma")
    report = drive(index_archive(db, embedder, opener))
    assert report.embedder_id == "all-minilm-l6-v2" and report.vectors_total > 0
    store = Store.open(db)
    parts = RetrievalParts(embedder, open_current_index(store, embedder.id, opener))

    events, answer = ask(db, engine, parts, "Where do we meet for the hike on Saturday?")
    pieces = [e for e in events if isinstance(e, str)]
    stages = [e.message for e in events if isinstance(e, Progress)]
    assert stages[-2:] == ["searching the archive", "writing the answer"]
    assert pieces and answer.model_id == SMOLLM2_ID
    assert answer.outcome in (AnswerOutcome.ANSWERED, AnswerOutcome.REJECTED)
    assert (
        answer.timings.first_token_s is not None
        and answer.timings.first_token_s < answer.timings.total_s
    )
    assert 0 < answer.timings.completion_tokens <= OPTIONS.max_tokens
    shown = store.messages_by_ids(answer.retrieved_ids)
    assert any("trailhead" in m.text or "Saturday" in m.text for m in shown.values())
    assert {c.message_id for c in answer.citations} <= set(shown)
    assert not {c.message_id for c in answer.citations} & set(answer.dropped_citations)

    _, follow_up = ask(db, engine, parts, "What time is it there?", answer.session_id)
    assert follow_up.rewritten_question.strip() and follow_up.session_id == answer.session_id
    assert follow_up.timings.cached_prompt_tokens > 0  # the session's prefix came from the cache
    assert len(QAHistory(store.conn).turns(answer.session_id)) == 2  # type: ignore[arg-type]
    store.close()
