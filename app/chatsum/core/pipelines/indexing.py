"""Building and keeping the semantic index: chunk, embed, store, record.

Incremental by construction: each conversation whose messages changed since
it was last indexed is re-chunked (cheap, streamed) and only chunks whose ids
the index does not hold yet are embedded (expensive); chunks that no longer
exist are deleted. A batch is written to Chroma first and recorded in SQLite
second, so an interrupted or cancelled run loses at most the batch in flight
and the next run resumes from there. A different embedder or chunking means a
different index: the old collection is dropped and everything is re-embedded.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from chatsum.core.index.chunking import ChunkingOptions, Window, chunk_messages
from chatsum.core.index.embedders import Embedder
from chatsum.core.index.vector_store import ChromaVectorIndex, collection_name
from chatsum.core.pipelines.index_state import IndexState
from chatsum.core.progress import CancelToken, EtaClock, Progress
from chatsum.core.storage.store import Store

OpenIndex = Callable[[str], ChromaVectorIndex]


@dataclass(frozen=True)
class IndexReport:
    embedder_id: str
    collection: str
    rebuilt: bool
    conversations_updated: int
    conversations_unchanged: int
    chunks_added: int
    chunks_removed: int
    messages_embedded: int
    vectors_total: int
    repaired: int
    seconds: float

    @property
    def messages_per_s(self) -> float:
        return self.messages_embedded / self.seconds if self.seconds > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "messages_per_s": round(self.messages_per_s, 1)}


def chunking_key(options: ChunkingOptions) -> str:
    return json.dumps(asdict(options), sort_keys=True)


def open_current_index(store: Store, embedder_id: str, open_index: OpenIndex) -> ChromaVectorIndex:
    """The collection that holds (or will hold) this archive's vectors for an embedder."""
    archive_id = IndexState(store.conn).recorded().archive_id
    return open_index(collection_name(archive_id, embedder_id))


def forget_vectors(store: Store, open_index: OpenIndex, conversation_id: int) -> None:
    """Remove a conversation's vectors from the collection the archive records."""
    recorded = IndexState(store.conn).recorded()
    if recorded.collection:
        open_index(recorded.collection).delete_conversation(conversation_id)


@dataclass
class _Tally:
    chunks_added: int = 0
    chunks_removed: int = 0
    messages_embedded: int = 0


class _Indexer:
    """One run of `index_archive`; holds what its steps share."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        index: ChromaVectorIndex,
        options: ChunkingOptions,
        cancel: CancelToken,
        embed_batch: int,
        write_batch: int,
    ) -> None:
        self.store = store
        self.state = IndexState(store.conn)
        self.embedder = embedder
        self.index = index
        self.options = options
        self.cancel = cancel
        self.embed_batch = embed_batch
        self.write_batch = write_batch
        self.tally = _Tally()
        self.clock = EtaClock()
        self.done = 0
        self.total = 0

    def progress(self, message: str) -> Progress:
        return Progress(
            "index",
            message,
            self.done,
            self.total,
            "messages",
            self.clock.eta(self.done, self.total),
        )

    def repair(self) -> int:
        """Make SQLite and Chroma agree after a crash or a failed vector delete.

        Vectors SQLite does not know are deleted; chunks whose vector is gone
        are forgotten (with their conversations' signatures) and re-embedded.
        """
        if self.index.count() == self.state.chunk_count():
            return 0
        in_chroma = set(self.index.iter_ids())
        in_sqlite = self.state.chunk_ids()
        orphans = sorted(in_chroma - in_sqlite)
        lost = in_sqlite - in_chroma
        self.index.delete(orphans)
        lost_rows = self.state.chunks(lost)
        self.state.delete_chunks(lost)
        self.state.unmark({row.conversation_id for row in lost_rows.values()})
        return len(orphans) + len(lost)

    def _write(self, windows: list[Window], fresh: set[int]) -> Generator[Progress, None, None]:
        vectors = []
        for start in range(0, len(windows), self.embed_batch):
            self.cancel.raise_if_cancelled()
            part = windows[start : start + self.embed_batch]
            vectors.append(self.embedder.embed_documents([w.chunk.text for w in part]))
            new_messages = {m for w in part for m in w.chunk.message_ids} & fresh
            fresh -= new_messages
            self.done += len(new_messages)
            self.tally.messages_embedded += len(new_messages)
            yield self.progress(f"conversation {windows[0].chunk.conversation_id}")
        self.cancel.raise_if_cancelled()
        self.index.upsert(windows, np.concatenate(vectors))
        self.state.add_chunks(windows)
        self.tally.chunks_added += len(windows)

    def conversation(self, conversation_id: int, signature: str, count: int) -> Iterator[Progress]:
        start_done = self.done
        existing = self.state.chunk_ids(conversation_id)
        current: set[str] = set()
        pending: list[Window] = []
        fresh: set[int] = set()
        messages = self.store.iter_messages(conversation_id)
        for window in chunk_messages(conversation_id, messages, self.options):
            current.add(window.chunk.id)
            if window.chunk.id in existing:
                continue
            pending.append(window)
            fresh.update(window.chunk.message_ids)
            if len(pending) >= self.write_batch:
                yield from self._write(pending, fresh)
                pending = []
        if pending:
            yield from self._write(pending, fresh)
        stale = sorted(existing - current)
        if stale:
            self.index.delete(stale)
            self.state.delete_chunks(stale)
            self.tally.chunks_removed += len(stale)
        self.state.mark_indexed(conversation_id, signature, len(current))
        self.done = start_done + count
        yield self.progress(f"conversation {conversation_id}")


def index_archive(
    db_path: Path,
    embedder: Embedder,
    open_index: OpenIndex,
    cancel: CancelToken | None = None,
    rebuild: bool = False,
    options: ChunkingOptions | None = None,
    embed_batch: int = 64,
    write_batch: int = 512,
) -> Generator[Progress, None, IndexReport]:
    """Bring the semantic index up to date with the archive.

    `open_index(name)` opens a Chroma collection by name (persistent or
    server). Cancelling raises `Cancelled`; everything written before the
    batch in flight stays, and the next run continues from there.
    """
    started = time.monotonic()
    cancel = cancel or CancelToken()
    options = options or ChunkingOptions()
    store = Store.open(db_path)
    try:
        state = IndexState(store.conn)
        recorded = state.recorded()
        name = collection_name(recorded.archive_id, embedder.id)
        index = open_index(name)
        key = chunking_key(options)
        rebuilt = (
            rebuild
            or recorded.embedder_id != embedder.id
            or recorded.collection != name
            or recorded.chunking != key
        )
        if rebuilt:
            yield Progress("index", f"starting a new index for {embedder.id}")
            if recorded.collection and recorded.collection != name:
                open_index(recorded.collection).drop()
            index.drop()
            state.reset(embedder.id, name, key)
        run = _Indexer(store, embedder, index, options, cancel, embed_batch, write_batch)
        repaired = run.repair()
        current = state.current_signatures()
        indexed = state.indexed_signatures()
        changed = [cid for cid, (sig, _) in sorted(current.items()) if indexed.get(cid) != sig]
        run.total = sum(current[cid][1] for cid in changed)
        yield run.progress(f"{len(changed)} conversation(s) to index")
        for conversation_id in changed:
            signature, count = current[conversation_id]
            yield from run.conversation(conversation_id, signature, count)
        return IndexReport(
            embedder_id=embedder.id,
            collection=name,
            rebuilt=rebuilt,
            conversations_updated=len(changed),
            conversations_unchanged=len(current) - len(changed),
            chunks_added=run.tally.chunks_added,
            chunks_removed=run.tally.chunks_removed,
            messages_embedded=run.tally.messages_embedded,
            vectors_total=index.count(),
            repaired=repaired,
            seconds=time.monotonic() - started,
        )
    finally:
        store.close()
