"""Hybrid retrieval: vectors in Chroma + SQLite full text, fused by rank.

The two searches fail differently. Embeddings find "when did we agree to move
the launch" in "好，那就定3月29号上线" but blur names, numbers and rare terms;
full text nails "Vault" or "楼外楼" but misses paraphrases. Both lists are fused
with reciprocal-rank fusion (RRF), which needs no score calibration between
them, at the level of index chunks: a full-text hit counts for the chunk the
message lives in ("home chunk").

Ranks cannot say whether anything relevant was found at all, so each fused
passage also gets an absolute `relevance` in 0..1 — the larger of its cosine
similarity to the question and the share of the question's terms it contains —
which the answering step compares with `retrieval_min_score` to refuse.

Full text goes through `fulltext.FullTextSearch` (any term, rare terms first)
rather than `Store.search`, which requires every term.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chatsum.core.domain import Message
from chatsum.core.errors import NotFoundError
from chatsum.core.index.embedders import Embedder
from chatsum.core.index.rerank import Reranker
from chatsum.core.index.vector_store import ChromaVectorIndex, VectorFilter
from chatsum.core.pipelines.fulltext import FullTextSearch, TextFilters
from chatsum.core.pipelines.index_state import IndexState
from chatsum.core.pipelines.question_text import query_terms
from chatsum.core.storage.store import Store

RRF_K = 60


@dataclass(frozen=True)
class RetrievalFilters:
    conversation_id: int | None = None
    participant: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None


@dataclass(frozen=True)
class Passage:
    """Retrieved messages: the matching window plus context around it, in time order."""

    key: str
    conversation_id: int
    conversation_title: str
    matched_ids: tuple[int, ...]
    messages: tuple[Message, ...]
    relevance: float
    vector_score: float
    term_coverage: float
    fused_score: float
    found_by: tuple[str, ...] = field(default_factory=tuple)


@dataclass
class _Candidate:
    key: str
    conversation_id: int
    message_ids: tuple[int, ...]
    fused: float = 0.0
    vector_score: float | None = None
    found_by: set[str] = field(default_factory=set)


def resolve_participants(store: Store, name: str) -> tuple[int, ...]:
    """Participant ids whose current or earlier display name contains `name`."""
    pattern = f"%{name.strip()}%"
    rows = store.conn.execute(
        "SELECT id FROM participants WHERE display_name LIKE ? OR identity = ? "
        "UNION SELECT participant_id FROM participant_names WHERE name LIKE ?",
        (pattern, name.strip(), pattern),
    ).fetchall()
    if not rows:
        raise NotFoundError(f"Nobody in the archive is called {name!r}.")
    return tuple(sorted(row[0] for row in rows))


def _term_present(term: str, folded: str) -> bool:
    if term.isascii():
        return re.search(r"(?<![a-z0-9])" + re.escape(term), folded) is not None
    return term in folded


def term_coverage(weights: dict[str, float], texts: Sequence[str]) -> float:
    """Weighted share of the question's terms found in the texts (Latin terms
    as word prefixes); weights are the terms' inverse document frequencies."""
    total = sum(weights.values())
    if not total:
        return 0.0
    folded = "\n".join(texts).lower()
    return sum(w for t, w in weights.items() if _term_present(t, folded)) / total


class HybridRetriever:
    """Finds the passages of the archive that best match a question."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder | None,
        index: ChromaVectorIndex | None,
        reranker: Reranker | None = None,
        vector_k: int = 30,
        text_k: int = 30,
        context: int = 2,
    ) -> None:
        self.store = store
        self.state = IndexState(store.conn)
        self.fulltext = FullTextSearch(store.conn)
        self.embedder = embedder
        self.index = index
        self.reranker = reranker
        self.vector_k = vector_k
        self.text_k = text_k
        self.context = context

    # ------------------------------------------------------------ the two searches

    def _vector_filter(
        self, filters: RetrievalFilters, participants: tuple[int, ...] | None
    ) -> VectorFilter:
        return VectorFilter(
            conversation_ids=None
            if filters.conversation_id is None
            else (filters.conversation_id,),
            participant_ids=participants,
            since_ms=filters.since_ms,
            until_ms=filters.until_ms,
        )

    # ------------------------------------------------------------ fusion

    def _candidates(
        self, query_vector: Any, terms: list[str], filters: RetrievalFilters
    ) -> dict[str, _Candidate]:
        participants = (
            resolve_participants(self.store, filters.participant) if filters.participant else None
        )
        candidates: dict[str, _Candidate] = {}
        if self.index is not None and query_vector is not None:
            hits = self.index.query(
                query_vector, self.vector_k, self._vector_filter(filters, participants)
            )
            for rank, hit in enumerate(hits):
                candidate = candidates.setdefault(
                    hit.chunk_id, _Candidate(hit.chunk_id, hit.conversation_id, hit.message_ids)
                )
                candidate.fused += 1.0 / (RRF_K + rank + 1)
                candidate.vector_score = hit.score
                candidate.found_by.add("vector")
        text_filters = TextFilters(
            filters.conversation_id, participants, filters.since_ms, filters.until_ms
        )
        text_hits = self.fulltext.search(terms, text_filters, self.text_k)
        homes = self.state.home_chunks(m for m, _ in text_hits)
        chunk_rows = self.state.chunks(c for c in homes.values() if c not in candidates)
        for rank, (message_id, conversation_id) in enumerate(text_hits):
            home = homes.get(message_id)
            if home is not None and (home in candidates or home in chunk_rows):
                ids = (
                    candidates[home].message_ids
                    if home in candidates
                    else chunk_rows[home].message_ids
                )
                key = home
            else:
                key, ids = f"m{message_id}", (message_id,)
            candidate = candidates.setdefault(key, _Candidate(key, conversation_id, ids))
            candidate.fused += 1.0 / (RRF_K + rank + 1)
            candidate.found_by.add("text")
        return candidates

    def _fill_vector_scores(self, chosen: list[_Candidate], query_vector: Any) -> None:
        """Cosine similarity for passages that only full text found."""
        missing = [c for c in chosen if c.vector_score is None]
        if not missing or query_vector is None:
            return
        stored = self.index.vectors([c.key for c in missing]) if self.index is not None else {}
        loose = [c for c in missing if c.key not in stored]
        if loose and self.embedder is not None:
            texts = self.store.messages_by_ids(m for c in loose for m in c.message_ids)
            vectors = self.embedder.embed_documents(
                ["\n".join(texts[m].text for m in c.message_ids if m in texts) for c in loose]
            )
            stored.update({c.key: v for c, v in zip(loose, vectors, strict=True)})
        for candidate in missing:
            vector = stored.get(candidate.key)
            if vector is not None:
                candidate.vector_score = float(np.dot(np.asarray(vector), query_vector))

    # ------------------------------------------------------------ passages

    def _expand(self, candidate: _Candidate, by_id: dict[int, Message]) -> list[Message]:
        own = [by_id[m] for m in candidate.message_ids if m in by_id]
        if not own or not self.context:
            return own
        before, _ = self.store.neighbours(own[0], self.context, 0)
        _, after = self.store.neighbours(own[-1], 0, self.context)
        return [*before, *own, *after]

    def _titles(self, conversation_ids: set[int]) -> dict[int, str]:
        marks = ",".join("?" * len(conversation_ids))
        rows = self.store.conn.execute(
            f"SELECT id, title FROM conversations WHERE id IN ({marks})", sorted(conversation_ids)
        )
        return {row[0]: row[1] for row in rows}

    def retrieve(
        self, query: str, filters: RetrievalFilters | None = None, limit: int = 5
    ) -> list[Passage]:
        """The best `limit` passages for a question, best first."""
        filters = filters or RetrievalFilters()
        terms = query_terms(query)
        weights = self.fulltext.weights(terms)
        query_vector = self.embedder.embed_query(query) if self.embedder is not None else None
        candidates = self._candidates(query_vector, terms, filters)
        chosen = sorted(candidates.values(), key=lambda c: -c.fused)[: limit * 3]
        self._fill_vector_scores(chosen, query_vector)
        by_id = self.store.messages_by_ids(m for c in chosen for m in c.message_ids)
        # Passages forgotten since they were indexed have no messages left.
        chosen = [c for c in chosen if any(m in by_id for m in c.message_ids)]
        if self.reranker is not None and chosen:
            scores = self.reranker.score(
                query,
                ["\n".join(by_id[m].text for m in c.message_ids if m in by_id) for c in chosen],
            )
            order = sorted(range(len(chosen)), key=lambda i: -scores[i])
            chosen = [chosen[i] for i in order]
        chosen = chosen[:limit]
        titles = self._titles({c.conversation_id for c in chosen}) if chosen else {}
        passages: list[Passage] = []
        for candidate in chosen:
            coverage = term_coverage(
                weights, [by_id[m].text for m in candidate.message_ids if m in by_id]
            )
            vector_score = max(0.0, candidate.vector_score or 0.0)
            passages.append(
                Passage(
                    key=candidate.key,
                    conversation_id=candidate.conversation_id,
                    conversation_title=titles.get(candidate.conversation_id, ""),
                    matched_ids=candidate.message_ids,
                    messages=tuple(self._expand(candidate, by_id)),
                    relevance=max(vector_score, coverage),
                    vector_score=vector_score,
                    term_coverage=coverage,
                    fused_score=candidate.fused,
                    found_by=tuple(sorted(candidate.found_by)),
                )
            )
        return passages


@dataclass(frozen=True)
class RetrievalParts:
    """What a worker thread needs to build its own retriever on its own store."""

    embedder: Embedder | None
    index: ChromaVectorIndex | None
    reranker: Reranker | None = None
    vector_k: int = 30
    text_k: int = 30
    context: int = 2

    def retriever(self, store: Store) -> HybridRetriever:
        return HybridRetriever(
            store,
            self.embedder,
            self.index,
            self.reranker,
            vector_k=self.vector_k,
            text_k=self.text_k,
            context=self.context,
        )
