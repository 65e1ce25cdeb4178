"""Embedder selection, the fake embedder's contract, and Chroma collection names."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from chatsum.core.errors import ModelError
from chatsum.core.index.embedder_catalog import make_embedder
from chatsum.core.index.embedders import (
    FakeEmbedder,
    SentenceTransformerEmbedder,
    UniversalSentenceEncoderEmbedder,
)
from chatsum.core.index.vector_store import VectorFilter, collection_name


def test_fake_embedder_is_deterministic_unit_length_and_term_sensitive() -> None:
    embedder = FakeEmbedder()
    rows = embedder.embed_documents(["服务器宕机了", "服务器宕机", "hiking on Saturday"])
    assert rows.shape == (3, embedder.dimension) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0)
    query = embedder.embed_query("服务器宕机")
    assert np.allclose(query, rows[1])
    assert float(rows[0] @ query) > 0.8 > float(rows[2] @ query)
    assert np.allclose(FakeEmbedder().embed_query("服务器宕机"), query)
    assert embedder.documents_embedded == 3


def test_catalog_ids_folders_and_hub_ids_resolve_to_the_right_embedder(tmp_path: Path) -> None:
    assert isinstance(make_embedder("use-multilingual"), UniversalSentenceEncoderEmbedder)
    assert make_embedder("").id == "use-multilingual"
    folder = tmp_path / "my model"
    folder.mkdir()
    local = make_embedder(str(folder))
    assert isinstance(local, SentenceTransformerEmbedder)
    assert re.fullmatch(r"st-my-model-[0-9a-f]{8}", local.id)
    other = tmp_path / "b" / "my model"
    other.mkdir(parents=True)
    assert make_embedder(str(other)).id != local.id
    assert make_embedder("BAAI/bge-small-zh-v1.5").id == "st-BAAI-bge-small-zh-v1.5"


@pytest.mark.parametrize("spec", ["/no/such/folder", "./missing", "bge"])
def test_what_cannot_be_an_embedder_is_refused_with_a_useful_message(spec: str) -> None:
    with pytest.raises(ModelError) as raised:
        make_embedder(spec)
    assert spec in raised.value.user_message


@pytest.mark.parametrize(
    "archive, embedder",
    [("a1b2c3d4", "use-multilingual"), ("x", "st-BAAI/bge m3..v2"), ("x", "-" * 600), ("é", "…")],
)
def test_collection_names_follow_chromas_rules(archive: str, embedder: str) -> None:
    name = collection_name(archive, embedder)
    assert 3 <= len(name) <= 512
    assert re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9._-]*[a-zA-Z0-9]", name)
    assert ".." not in name


def test_collection_names_differ_by_archive_and_by_embedder() -> None:
    names = {
        collection_name(a, e) for a in ("a", "b") for e in ("use-multilingual", "all-minilm-l6-v2")
    }
    assert len(names) == 4


def test_vector_filters_translate_to_chroma_where_clauses() -> None:
    assert VectorFilter().where() is None
    assert VectorFilter(conversation_ids=(3,)).where() == {"conversation_id": {"$in": [3]}}
    where = VectorFilter((1, 2), (5, 6), since_ms=10, until_ms=20).where()
    assert where == {
        "$and": [
            {"conversation_id": {"$in": [1, 2]}},
            {"$or": [{"participants": {"$contains": 5}}, {"participants": {"$contains": 6}}]},
            {"last_ts_ms": {"$gte": 10}},
            {"first_ts_ms": {"$lt": 20}},
        ]
    }
