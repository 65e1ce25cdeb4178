"""Hybrid retrieval on a real archive and a local Chroma, with the fake embedder."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from chatsum.core.errors import NotFoundError
from chatsum.core.index.embedders import FakeEmbedder
from chatsum.core.pipelines.fulltext import FullTextSearch, TextFilters
from chatsum.core.pipelines.indexing import index_archive, open_current_index
from chatsum.core.pipelines.question_text import query_terms
from chatsum.core.pipelines.retrieval import (
    RRF_K,
    HybridRetriever,
    RetrievalFilters,
    RetrievalParts,
    term_coverage,
)
from chatsum.core.progress import drive
from chatsum.core.storage.store import Store
from tests.qa_helpers import HIKERS, TEAM, build_archive, index_opener, message_id, ts


@pytest.fixture()
def archive(tmp_path: Path) -> Iterator[tuple[Store, RetrievalParts, dict[str, int]]]:
    db = tmp_path / "a.db"
    ids = build_archive(db)
    embedder = FakeEmbedder()
    opener = index_opener(tmp_path / "chroma")
    drive(index_archive(db, embedder, opener))
    store = Store.open(db)
    yield store, RetrievalParts(embedder, open_current_index(store, embedder.id, opener)), ids
    store.close()


def texts(passage_messages: Sequence[object]) -> list[str]:
    return [m.text for m in passage_messages]  # type: ignore[attr-defined]


def test_the_passage_both_searches_find_comes_first_with_its_context(
    archive: tuple[Store, RetrievalParts, dict[str, int]],
) -> None:
    store, parts, ids = archive
    passages = parts.retriever(store).retrieve("服务器宕机是什么原因？")
    top = passages[0]
    assert top.conversation_id == ids[TEAM] and top.conversation_title == TEAM
    assert top.found_by == ("text", "vector")
    assert "线上服务器又宕机了，数据库连接池被打满" in texts(top.messages)
    assert top.fused_score > 1.0 / (RRF_K + 1)  # more than one list voted for it
    assert top.relevance == max(top.vector_score, top.term_coverage) > 0.5
    assert [p.fused_score for p in passages] == sorted(
        (p.fused_score for p in passages), reverse=True
    )


def test_passages_expand_to_the_surrounding_messages(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    build_archive(db)
    store = Store.open(db)
    try:
        retriever = HybridRetriever(store, None, None, context=1)
        (passage, *_) = retriever.retrieve("Dipsea")
        assert passage.key.startswith("m")  # no index yet: the message itself is the passage
        assert texts(passage.messages) == [
            "Where should we hike this Saturday?",
            "How about the Dipsea trail on Mount Tam?",
            "Too many stairs, what about Tennessee Valley?",
        ]
        assert passage.matched_ids == (message_id(db, "How about the Dipsea trail on Mount Tam?"),)
    finally:
        store.close()


def test_conversation_participant_and_date_filters_apply_to_both_searches(
    archive: tuple[Store, RetrievalParts, dict[str, int]],
) -> None:
    store, parts, ids = archive
    retriever = parts.retriever(store)
    question = "Saturday Safeway 上线 宕机"

    def found(filters: RetrievalFilters) -> set[int]:
        return {
            m.id
            for p in retriever.retrieve(question, filters, limit=10)
            for m in p.messages
            if m.id in p.matched_ids
        }

    everything = found(RetrievalFilters())
    team_only = found(RetrievalFilters(conversation_id=ids[TEAM]))
    assert team_only and team_only < everything
    assert {m.conversation_id for m in store.messages_by_ids(team_only).values()} == {ids[TEAM]}

    by_olivia = store.messages_by_ids(found(RetrievalFilters(participant="Olivia")))
    assert by_olivia and all(
        any(m.sender_name == "Olivia" for m in store.messages(cid))
        for cid in {m.conversation_id for m in by_olivia.values()}
    )
    late = store.messages_by_ids(found(RetrievalFilters(since_ms=ts(2, 0), until_ms=ts(4, 0))))
    assert late and all(ts(2, 0) <= m.ts_ms < ts(4, 0) for m in late.values())
    assert HIKERS in {
        p.conversation_title
        for p in retriever.retrieve(question, RetrievalFilters(since_ms=ts(2, 0)))
    }


def test_a_participant_nobody_is_called_is_an_error(
    archive: tuple[Store, RetrievalParts, dict[str, int]],
) -> None:
    store, parts, _ = archive
    with pytest.raises(NotFoundError):
        parts.retriever(store).retrieve("launch", RetrievalFilters(participant="Nobody"))


def test_a_reranker_decides_the_final_order(
    archive: tuple[Store, RetrievalParts, dict[str, int]],
) -> None:
    store, parts, _ = archive

    class PrefersDipsea:
        def score(self, query: str, passages: Sequence[str]) -> list[float]:
            return [1.0 if "Dipsea" in p else 0.0 for p in passages]

    plain = parts.retriever(store).retrieve("服务器宕机了", limit=3)
    reranked = RetrievalParts(parts.embedder, parts.index, PrefersDipsea()).retriever(store)
    top = reranked.retrieve("服务器宕机了", limit=3)[0]
    assert plain[0].conversation_title == TEAM
    assert top.conversation_title == HIKERS
    assert "How about the Dipsea trail on Mount Tam?" in texts(top.messages)


def test_forgotten_messages_never_come_back_from_a_stale_index(
    archive: tuple[Store, RetrievalParts, dict[str, int]],
) -> None:
    store, parts, ids = archive
    store.forget_conversation(ids[TEAM])  # vectors stay: the store alone does not know the index
    passages = parts.retriever(store).retrieve("服务器宕机 上线")
    assert all(p.conversation_id == ids[HIKERS] for p in passages)


def test_term_coverage_weighs_latin_prefixes_and_chinese_pairs() -> None:
    terms = query_terms("When was the deploy of 服务器?")
    assert terms == ["deploy", "服务", "务器"]
    weights = {"deploy": 2.0, "服务": 1.0, "务器": 1.0}
    assert term_coverage(weights, ["The deployment of the 服务器 failed"]) == 1.0
    assert term_coverage(weights, ["redeploy tomorrow, 服务"]) == 0.25
    assert term_coverage({}, ["anything"]) == 0.0


def test_full_text_prefers_rare_terms_and_stays_cheap_when_all_are_common(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    ids = build_archive(db)
    store = Store.open(db)
    try:
        search = FullTextSearch(store.conn)
        assert search.frequency("saturday") == 2 and search.frequency("宕机") == 1
        assert search.frequency("trai") == 2  # a prefix: "trail" and "trailhead", once each
        assert search.frequency("chess") == 0
        weights = search.weights(["saturday", "宕机", "chess"])
        assert weights["chess"] > weights["宕机"] > weights["saturday"]
        outage = message_id(db, "线上服务器又宕机了，数据库连接池被打满")
        found = search.search(["saturday", "宕机", "chess"], TextFilters(), 5)
        saturday = {
            message_id(db, t)
            for t in (
                "Where should we hike this Saturday?",
                "I can drive on Saturday, my car fits five people",
            )
        }
        assert {m for m, _ in found} == {outage} | saturday  # any of the terms
        assert (outage, ids[TEAM]) in found
        # with a budget no term fits, the latest messages holding the terms come first
        tight = FullTextSearch(store.conn, postings_budget=0)
        latest = [m for m, _ in tight.search(["saturday"], TextFilters(), 5)]
        assert len(latest) == 2 and latest == sorted(latest, reverse=True)
        assert tight.search(["chess"], TextFilters(), 5) == []
    finally:
        store.close()
