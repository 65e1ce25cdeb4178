"""The semantic index in Chroma: one collection per embedder.

A local `PersistentClient` under CHATSUM_HOME by default, or an `HttpClient` to
a Chroma server for archives shared by a team or too big for one laptop; the
same class drives both. Telemetry is off, and embeddings are always passed in:
the collection has no embedding function, because Chroma's default one
downloads a model on first use.

Each vector is one chunk. Its metadata holds what filters need without a trip
to SQLite: the conversation, the time span (ms), the participants speaking in
it (an int list, filtered with `$contains`) and the message ids.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from chatsum.core.errors import ConfigError
from chatsum.core.index.chunking import Window
from chatsum.core.index.embedders import Vectors

COLLECTION_PREFIX = "chatsum-"


def collection_name(archive_id: str, embedder_id: str) -> str:
    """A valid Chroma name (3–512 of [a-zA-Z0-9._-], alphanumeric ends).

    It names the archive (several archives may share one Chroma server) and
    the embedder (vectors of two embedders never share a collection).
    """
    raw = f"{COLLECTION_PREFIX}{archive_id}-{embedder_id}"
    slug = re.sub(r"[^a-zA-Z0-9._-]+", "-", raw)
    slug = re.sub(r"\.{2,}", ".", slug)
    return slug[:512].strip("-._")


_OVERFETCH = 8  # nearest chunks looked at per wanted one before Chroma filters


@dataclass(frozen=True)
class VectorFilter:
    """Restricts a search; None means no restriction."""

    conversation_ids: tuple[int, ...] | None = None
    participant_ids: tuple[int, ...] | None = None
    since_ms: int | None = None
    until_ms: int | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.conversation_ids is not None:
            clauses.append({"conversation_id": {"$in": list(self.conversation_ids)}})
        if self.participant_ids is not None:
            people = [{"participants": {"$contains": p}} for p in self.participant_ids]
            clauses.append(people[0] if len(people) == 1 else {"$or": people})
        if self.since_ms is not None:
            clauses.append({"last_ts_ms": {"$gte": self.since_ms}})
        if self.until_ms is not None:
            clauses.append({"first_ts_ms": {"$lt": self.until_ms}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    def accepts(self, metadata: dict[str, Any]) -> bool:
        """What `where()` asks of Chroma, checked on one chunk's metadata."""
        if (
            self.conversation_ids is not None
            and metadata["conversation_id"] not in self.conversation_ids
        ):
            return False
        if self.participant_ids is not None and not set(self.participant_ids) & set(
            metadata.get("participants") or ()
        ):
            return False
        if self.since_ms is not None and metadata["last_ts_ms"] < self.since_ms:
            return False
        return self.until_ms is None or metadata["first_ts_ms"] < self.until_ms


@dataclass(frozen=True)
class VectorHit:
    chunk_id: str
    score: float  # cosine similarity, higher is closer
    conversation_id: int
    message_ids: tuple[int, ...]


def _metadata(window: Window) -> dict[str, Any]:
    chunk = window.chunk
    data: dict[str, Any] = {
        "conversation_id": chunk.conversation_id,
        "first_ts_ms": chunk.first_ts_ms,
        "last_ts_ms": chunk.last_ts_ms,
        "message_ids": list(chunk.message_ids),
    }
    if window.participant_ids:
        data["participants"] = list(window.participant_ids)
    return data


class ChromaVectorIndex:
    """Chunks and their vectors in one Chroma collection."""

    def __init__(self, client: Any, name: str) -> None:
        self._client = client
        self.name = name
        self._collection: Any = None

    @classmethod
    def open(cls, chroma_dir: Path, chroma_url: str, name: str) -> ChromaVectorIndex:
        """The server at `chroma_url` when set, else a persistent index in `chroma_dir`."""
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if chroma_url:
            parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
            if not parsed.hostname:
                raise ConfigError(f"chroma_url {chroma_url!r} is not a URL like http://host:8000")
            client = chromadb.HttpClient(
                host=parsed.hostname,
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=chroma_settings,
            )
        else:
            chroma_dir.mkdir(parents=True, exist_ok=True)
            client = chromadb.PersistentClient(path=str(chroma_dir), settings=chroma_settings)
        return cls(client, name)

    @property
    def collection(self) -> Any:
        if self._collection is None:
            self._collection = self._client.get_or_create_collection(
                self.name, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        return self._collection

    def max_batch(self) -> int:
        return int(self._client.get_max_batch_size())

    def upsert(self, windows: Sequence[Window], vectors: Vectors) -> None:
        if not windows:
            return
        step = self.max_batch()
        for start in range(0, len(windows), step):
            part = windows[start : start + step]
            self.collection.upsert(
                ids=[w.chunk.id for w in part],
                embeddings=vectors[start : start + step],
                metadatas=[_metadata(w) for w in part],
            )

    def delete(self, chunk_ids: Sequence[str]) -> None:
        step = self.max_batch()
        for start in range(0, len(chunk_ids), step):
            self.collection.delete(ids=list(chunk_ids[start : start + step]))

    def delete_conversation(self, conversation_id: int) -> None:
        self.collection.delete(where={"conversation_id": conversation_id})

    def count(self) -> int:
        return int(self.collection.count())

    def iter_ids(self, page: int = 10_000) -> Iterator[str]:
        offset = 0
        while True:
            ids = self.collection.get(include=[], limit=page, offset=offset)["ids"]
            yield from ids
            if len(ids) < page:
                return
            offset += page

    def vectors(self, chunk_ids: Sequence[str]) -> dict[str, Vectors]:
        """Stored vectors of some chunks (for scoring passages found by full text)."""
        if not chunk_ids:
            return {}
        got = self.collection.get(ids=list(chunk_ids), include=["embeddings"])
        return dict(zip(got["ids"], got["embeddings"], strict=True))

    def query(
        self, vector: Vectors, limit: int, filter: VectorFilter | None = None
    ) -> list[VectorHit]:
        if limit <= 0:
            return []
        where = filter.where() if filter else None
        if filter is None or where is None:
            return self._query(vector, limit, None)
        # Chroma filters first, by reading every chunk id that passes `where`:
        # ~250 ms when most of a 1M-message archive does. The nearest chunks
        # of an unfiltered search usually hold enough that pass, and the best
        # `limit` of those are exactly the filtered search's answer.
        passing = [
            hit
            for hit, metadata in self._nearest(vector, limit * _OVERFETCH, None)
            if filter.accepts(metadata)
        ]
        if len(passing) >= limit:
            return passing[:limit]
        return self._query(vector, limit, where)

    def _query(self, vector: Vectors, limit: int, where: dict[str, Any] | None) -> list[VectorHit]:
        return [hit for hit, _ in self._nearest(vector, limit, where)]

    def _nearest(
        self, vector: Vectors, limit: int, where: dict[str, Any] | None
    ) -> list[tuple[VectorHit, dict[str, Any]]]:
        result = self.collection.query(
            query_embeddings=[vector],
            n_results=limit,
            where=where,
            include=["metadatas", "distances"],
        )
        return [
            (
                VectorHit(
                    chunk_id=chunk_id,
                    score=1.0 - float(distance),
                    conversation_id=int(meta["conversation_id"]),
                    message_ids=tuple(int(i) for i in meta["message_ids"]),
                ),
                meta,
            )
            for chunk_id, distance, meta in zip(
                result["ids"][0], result["distances"][0], result["metadatas"][0], strict=True
            )
        ]

    def drop(self) -> None:
        """Delete the whole collection (a rebuild, or a change of embedder)."""
        names = {getattr(c, "name", c) for c in self._client.list_collections()}
        if self.name in names:
            self._client.delete_collection(self.name)
        self._collection = None
