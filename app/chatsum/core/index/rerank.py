"""Optional second-stage scoring of retrieved passages.

A cross-encoder reads the question and a passage together and judges their
match better than comparing two independent embeddings, at the price of one
model call per passage. None ships with chatsum (no packaged cross-encoder
exists), so retrieval works without one and uses a reranker only when the
caller passes one, e.g. a local folder holding a sentence-transformers
cross-encoder such as bge-reranker or ms-marco-MiniLM.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from chatsum.core.errors import ModelError


class Reranker(Protocol):
    def score(self, query: str, passages: Sequence[str]) -> list[float]: ...


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder loaded from a local folder."""

    def __init__(self, folder: Path, batch_size: int = 16) -> None:
        self._folder = folder
        self._batch_size = batch_size
        self._model: Any = None
        self._lock = threading.Lock()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                from sentence_transformers import CrossEncoder

                if not self._folder.is_dir():
                    raise ModelError(f"The reranker folder {self._folder} does not exist.")
                try:
                    self._model = CrossEncoder(str(self._folder), local_files_only=True)
                except (OSError, ValueError) as exc:
                    raise ModelError(
                        f"{self._folder} does not hold a cross-encoder model: {exc}"
                    ) from exc
            return self._model

    def score(self, query: str, passages: Sequence[str]) -> list[float]:
        if not passages:
            return []
        scores = self._loaded().predict(
            [(query, p) for p in passages], batch_size=self._batch_size, show_progress_bar=False
        )
        return [float(s) for s in scores]
