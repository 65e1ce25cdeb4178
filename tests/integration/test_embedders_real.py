"""The real embedders: the packaged MiniLM through sentence-transformers (offline),
the packaged multilingual USE, and the cross-encoder reranker path."""

from __future__ import annotations

import numpy as np
import pytest

from chatsum.core.index.embedder_catalog import make_embedder, packaged_minilm_path
from chatsum.core.index.embedders import SentenceTransformerEmbedder
from chatsum.core.index.rerank import CrossEncoderReranker

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


def test_packaged_minilm_embeds_offline_and_ranks_a_paraphrase_first() -> None:
    embedder = make_embedder("all-minilm-l6-v2")
    assert isinstance(embedder, SentenceTransformerEmbedder) and embedder.id == "all-minilm-l6-v2"
    rows = embedder.embed_documents(
        ["We moved the product launch to next Friday.", "I left my water bottle at the beach."]
    )
    assert embedder.dimension == 384 and rows.shape == (2, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query("When is the launch now?")
    assert float(rows[0] @ query) > float(rows[1] @ query) + 0.2


def test_a_local_sentence_transformers_folder_loads_under_its_own_id() -> None:
    embedder = make_embedder(str(packaged_minilm_path()))
    assert embedder.id.startswith("st-model-") and embedder.embed_query("hello").shape == (384,)


def test_the_multilingual_default_matches_chinese_and_english_across_languages() -> None:
    embedder = make_embedder("use-multilingual")
    rows = embedder.embed_documents(["服务器昨晚宕机了，数据库连接池被打满", "周六我们去爬山吧"])
    assert rows.shape == (2, 512)
    for question in ("服务器为什么宕机？", "Why did the server go down?"):
        query = embedder.embed_query(question)
        assert float(rows[0] @ query) > float(rows[1] @ query)


def test_a_cross_encoder_folder_scores_every_passage() -> None:
    # No trained cross-encoder is packaged; a BERT folder loads as one with an
    # untrained head, which is enough to run the real scoring path.
    reranker = CrossEncoderReranker(packaged_minilm_path())
    passages = ["launch moved to Friday", "water bottle at the beach", "server outage"]
    scores = reranker.score("when is the launch?", passages)
    assert len(scores) == 3 and all(np.isfinite(scores))
    assert reranker.score("when is the launch?", passages) == scores
    assert reranker.score("q", []) == []
