"""The vector index on a real Chroma PersistentClient: filters, deletes, persistence."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from chatsum.core.domain import Chunk
from chatsum.core.index.chunking import Window
from chatsum.core.index.vector_store import ChromaVectorIndex, VectorFilter

DAY = 86_400_000


def window(
    chunk_id: str, conversation: int, day: int, people: tuple[int, ...], ids: tuple[int, ...]
) -> Window:
    chunk = Chunk(chunk_id, conversation, ids, "text", day * DAY, day * DAY + 600_000)
    return Window(chunk, people)


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_upsert_query_filters_and_deletes(tmp_path: Path) -> None:
    index = ChromaVectorIndex.open(tmp_path / "chroma", "", "chatsum-test-fake")
    windows = [
        window("c1-a", 1, 0, (10, 11), (1, 2, 3)),
        window("c1-b", 1, 5, (11,), (4, 5)),
        window("c2-a", 2, 1, (12,), (6,)),
        window("c2-b", 2, 9, (), (7, 8)),
    ]
    vectors = np.stack([unit(1, 0, 0), unit(1, 1, 0), unit(0, 1, 0), unit(0, 0, 1)])
    index.upsert(windows, vectors)
    index.upsert(windows[:1], vectors[:1])  # idempotent
    assert index.count() == 4 and sorted(index.iter_ids(page=3)) == ["c1-a", "c1-b", "c2-a", "c2-b"]

    hits = index.query(unit(1, 0.1, 0), 4)
    assert hits[0].chunk_id == "c1-a" and hits[0].message_ids == (1, 2, 3)
    assert hits[0].score > 0.99 and [h.score for h in hits] == sorted(
        (h.score for h in hits), reverse=True
    )

    def ids(filter: VectorFilter) -> set[str]:
        return {h.chunk_id for h in index.query(unit(1, 1, 1), 10, filter)}

    assert ids(VectorFilter(conversation_ids=(2,))) == {"c2-a", "c2-b"}
    assert ids(VectorFilter(participant_ids=(11,))) == {"c1-a", "c1-b"}
    assert ids(VectorFilter(participant_ids=(10, 12))) == {"c1-a", "c2-a"}
    assert ids(VectorFilter(since_ms=1 * DAY, until_ms=6 * DAY)) == {"c1-b", "c2-a"}
    assert ids(VectorFilter(conversation_ids=(1,), since_ms=3 * DAY)) == {"c1-b"}

    # A small limit is answered from the unfiltered nearest chunks, filtered
    # here: the same chunks, in the same order, as Chroma's own filtering.
    filters = [
        VectorFilter(conversation_ids=(2,)),
        VectorFilter(participant_ids=(11,)),
        VectorFilter(participant_ids=(10, 12)),
        VectorFilter(since_ms=1 * DAY, until_ms=6 * DAY),
        VectorFilter(conversation_ids=(1,), since_ms=3 * DAY),
    ]
    for query in (unit(1, 0.2, 0), unit(0, 1, 0.3), unit(0.1, 0, 1)):
        for filter in filters:
            for limit in (1, 2):
                assert [h.chunk_id for h in index.query(query, limit, filter)] == [
                    h.chunk_id for h in index._query(query, limit, filter.where())
                ]

    stored = index.vectors(["c2-a", "nope"])
    assert set(stored) == {"c2-a"} and np.allclose(stored["c2-a"], vectors[2], atol=1e-6)

    index.delete(["c1-b"])
    index.delete_conversation(2)
    assert sorted(index.iter_ids()) == ["c1-a"]


def test_vectors_persist_for_another_process_and_drop_removes_them(tmp_path: Path) -> None:
    folder = tmp_path / "chroma"
    index = ChromaVectorIndex.open(folder, "", "chatsum-test-fake")
    index.upsert([window("c1-a", 1, 0, (1,), (1,))], unit(1, 0)[None, :])
    reader = (
        "import sys; from chatsum.core.index.vector_store import ChromaVectorIndex; "
        "print(ChromaVectorIndex.open(__import__('pathlib').Path(sys.argv[1]), '', 'chatsum-test-fake').count())"
    )
    seen = subprocess.run(
        [sys.executable, "-c", reader, str(folder)], capture_output=True, text=True, check=True
    )
    assert seen.stdout.strip() == "1"
    index.drop()
    assert index.count() == 0  # a fresh, empty collection after a drop
