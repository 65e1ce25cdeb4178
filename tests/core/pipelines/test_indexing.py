"""Indexing for real on SQLite and a local Chroma: incremental, resumable, repairable."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from chatsum.config import Settings
from chatsum.core.errors import Cancelled
from chatsum.core.index.chunking import ChunkingOptions
from chatsum.core.index.embedders import FakeEmbedder
from chatsum.core.pipelines.index_state import IndexState
from chatsum.core.pipelines.indexing import IndexReport, index_archive, open_current_index
from chatsum.core.progress import CancelToken, Progress, drive
from chatsum.core.storage.store import Store
from chatsum.services import AppServices
from tests.qa_helpers import HIKERS, MESSAGES, TEAM, build_archive, index_opener, write_messages

SMALL = ChunkingOptions(max_tokens=30, overlap_messages=1)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    build_archive(path)
    return path


def run(db: Path, tmp_path: Path, embedder: FakeEmbedder, **kwargs: object) -> IndexReport:
    return drive(index_archive(db, embedder, index_opener(tmp_path / "chroma"), **kwargs))  # type: ignore[arg-type]


def counts(db: Path, tmp_path: Path, embedder_id: str = "fake") -> tuple[int, int]:
    """(chunks recorded in SQLite, vectors in Chroma)."""
    store = Store.open(db)
    try:
        index = open_current_index(store, embedder_id, index_opener(tmp_path / "chroma"))
        return IndexState(store.conn).chunk_count(), index.count()
    finally:
        store.close()


def test_first_run_indexes_every_message_and_a_second_run_embeds_nothing(
    db: Path, tmp_path: Path
) -> None:
    embedder = FakeEmbedder()
    first = run(db, tmp_path, embedder, options=SMALL)
    assert first.rebuilt and first.conversations_updated == 2
    assert first.messages_embedded == len(MESSAGES)
    assert first.vectors_total == first.chunks_added > 2
    assert counts(db, tmp_path) == (first.chunks_added, first.chunks_added)
    embedded = embedder.documents_embedded
    second = run(db, tmp_path, embedder, options=SMALL)
    assert not second.rebuilt
    assert (second.conversations_updated, second.conversations_unchanged) == (0, 2)
    assert second.chunks_added == 0 and embedder.documents_embedded == embedded


def test_new_messages_embed_only_their_new_chunks_and_stale_ones_go(
    db: Path, tmp_path: Path
) -> None:
    embedder = FakeEmbedder()
    first = run(db, tmp_path, embedder, options=SMALL)
    write_messages(db, [(HIKERS, 3, 4, "Jack", "OK, 7:15 at Safeway, don't be late")], "more.txt")
    embedded = embedder.documents_embedded
    second = run(db, tmp_path, embedder, options=SMALL)
    assert (second.conversations_updated, second.conversations_unchanged) == (1, 1)
    assert 1 <= second.chunks_added <= 2
    assert embedder.documents_embedded - embedded == second.chunks_added
    assert second.chunks_removed == second.chunks_added - 1  # the open last window was replaced
    total = first.chunks_added + second.chunks_added - second.chunks_removed
    assert counts(db, tmp_path) == (total, total)


def test_progress_counts_messages_with_a_total_and_an_eta(db: Path, tmp_path: Path) -> None:
    events = list(
        index_archive(
            db, FakeEmbedder(), index_opener(tmp_path / "chroma"), options=SMALL, embed_batch=1
        )
    )
    progress = [e for e in events if isinstance(e, Progress) and e.total]
    assert progress[-1].done == progress[-1].total == len(MESSAGES)
    assert [p.done for p in progress] == sorted(p.done for p in progress)
    assert any(p.eta_s is not None for p in progress)


def test_a_cancelled_run_keeps_finished_batches_and_the_next_run_resumes(
    db: Path, tmp_path: Path
) -> None:
    embedder, cancel = FakeEmbedder(), CancelToken()
    events = index_archive(
        db,
        embedder,
        index_opener(tmp_path / "chroma"),
        cancel,
        options=SMALL,
        embed_batch=1,
        write_batch=2,
    )
    with pytest.raises(Cancelled):
        for event in events:
            if isinstance(event, Progress) and event.done >= 6:
                cancel.cancel()
    kept, vectors = counts(db, tmp_path)
    assert 0 < kept == vectors
    before = embedder.documents_embedded
    resumed = run(db, tmp_path, embedder, options=SMALL)
    assert not resumed.rebuilt
    fresh = FakeEmbedder()
    full = run(db, tmp_path / "other", fresh, options=SMALL)
    assert kept + resumed.chunks_added == full.chunks_added
    assert embedder.documents_embedded - before == resumed.chunks_added


def test_a_crash_between_chroma_and_sqlite_is_repaired(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    embedder = FakeEmbedder()

    def crash(self: IndexState, windows: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(IndexState, "add_chunks", crash)
    with pytest.raises(RuntimeError):
        run(db, tmp_path, embedder, options=SMALL)
    monkeypatch.undo()
    recorded, vectors = counts(db, tmp_path)
    assert recorded == 0 < vectors  # vectors written, bookkeeping not
    report = run(db, tmp_path, embedder, options=SMALL)
    assert report.repaired == vectors
    assert counts(db, tmp_path) == (report.chunks_added, report.chunks_added)


def test_vectors_lost_from_chroma_are_embedded_again(db: Path, tmp_path: Path) -> None:
    embedder = FakeEmbedder()
    first = run(db, tmp_path, embedder, options=SMALL)
    store = Store.open(db)
    index = open_current_index(store, "fake", index_opener(tmp_path / "chroma"))
    lost = sorted(IndexState(store.conn).chunk_ids())[:2]
    index.delete(lost)
    store.close()
    report = run(db, tmp_path, embedder, options=SMALL)
    assert report.repaired == 2 and report.chunks_added == 2
    assert counts(db, tmp_path) == (first.chunks_added, first.chunks_added)


def test_another_embedder_or_chunking_rebuilds_and_drops_the_old_collection(
    db: Path, tmp_path: Path
) -> None:
    run(db, tmp_path, FakeEmbedder(), options=SMALL)
    other = run(db, tmp_path, FakeEmbedder(id="fake-two"), options=SMALL)
    assert other.rebuilt and other.collection.endswith("fake-two")
    store = Store.open(db)
    client = open_current_index(store, "fake", index_opener(tmp_path / "chroma"))._client
    names = [getattr(c, "name", c) for c in client.list_collections()]
    store.close()
    assert names == [other.collection]
    assert run(
        db, tmp_path, FakeEmbedder(id="fake-two"), options=ChunkingOptions(max_tokens=500)
    ).rebuilt
    assert run(
        db,
        tmp_path,
        FakeEmbedder(id="fake-two"),
        rebuild=True,
        options=ChunkingOptions(max_tokens=500),
    ).rebuilt


def test_forgetting_a_conversation_removes_its_vectors_and_chunks(settings: Settings) -> None:
    build_archive(settings.db_path)
    services = AppServices(settings, embedder=FakeEmbedder())
    try:
        report = drive(
            index_archive(settings.db_path, services.embedder, services.open_vector_index)
        )
        team = services.store.find_conversation(TEAM).id
        team_chunks = len(IndexState(services.store.conn).chunk_ids(team))
        services.forget_conversation(team)
        assert services.vector_index.count() == report.vectors_total - team_chunks
        assert IndexState(services.store.conn).chunk_ids(team) == set()
        assert IndexState(services.store.conn).chunk_count() == services.vector_index.count()
    finally:
        services.close()


def test_a_worker_thread_can_build_the_retrieval_parts(settings: Settings) -> None:
    build_archive(settings.db_path)
    services = AppServices(settings, embedder=FakeEmbedder())
    try:
        assert services.store.list_conversations()  # the main thread's connection exists
        built: list[object] = []
        worker = threading.Thread(target=lambda: built.append(services.retrieval_parts()))
        worker.start()
        worker.join()
        assert len(built) == 1 and built[0].index is services.vector_index  # type: ignore[attr-defined]
    finally:
        services.close()
