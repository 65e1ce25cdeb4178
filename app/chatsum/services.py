"""AppServices: the one place that turns Settings into concrete objects.

Everything is built lazily, on first use, never at import time, so
`chatsum --help` and the window open fast. Tests inject fakes through the
constructor. SQLite connections belong to one thread: `open_store()` gives a
worker its own; `store` is the calling (main) thread's.
"""

from __future__ import annotations

import threading
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chatsum.config import Settings

if TYPE_CHECKING:
    from chatsum.core.index.embedders import Embedder
    from chatsum.core.index.vector_store import ChromaVectorIndex
    from chatsum.core.llm.base import TextGenerator
    from chatsum.core.llm.store import ModelStore
    from chatsum.core.pipelines.retrieval import RetrievalParts
    from chatsum.core.storage.store import Store


class AppServices:
    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        self._overrides = overrides
        self._task_engines: dict[str, TextGenerator] = {}
        self._engines_lock = threading.Lock()
        settings.home.mkdir(parents=True, exist_ok=True)

    def open_store(self) -> Store:
        """A new Store (its own connection) for the calling thread."""
        from chatsum.core.storage.store import Store

        return Store.open(self.settings.db_path)

    @cached_property
    def store(self) -> Store:
        return self.open_store()

    def forget_conversation(self, conversation_id: int) -> int:
        """Remove a conversation and everything derived from it (rows and vectors)."""
        removed = self.store.forget_conversation(conversation_id)
        from chatsum.core.pipelines.indexing import forget_vectors

        try:
            forget_vectors(self.store, self.open_vector_index, conversation_id)
        except Exception as exc:  # the index may be unreachable (a server that is down)
            import logging

            logging.getLogger(__name__).warning(
                "vectors of conversation %s stay until the next `chatsum index`: %s",
                conversation_id,
                exc,
            )
        return removed

    def open_vector_index(self, name: str) -> ChromaVectorIndex:
        """A Chroma collection by name: on the server when chroma_url is set, else local."""
        from chatsum.core.index.vector_store import ChromaVectorIndex

        return ChromaVectorIndex.open(self.settings.chroma_dir, self.settings.chroma_url, name)

    @cached_property
    def embedder(self) -> Embedder:
        """The injected `embedder`, or the one the `embedder` setting names."""
        if self._overrides.get("embedder") is not None:
            return self._overrides["embedder"]  # type: ignore[no-any-return]
        from chatsum.core.index.embedder_catalog import make_embedder

        return make_embedder(self.settings.embedder)

    @cached_property
    def vector_index(self) -> ChromaVectorIndex:
        """This archive's collection for the configured embedder (any thread may ask)."""
        from chatsum.core.pipelines.indexing import open_current_index

        store = self.open_store()
        try:
            return open_current_index(store, self.embedder.id, self.open_vector_index)
        finally:
            store.close()

    def retrieval_parts(self) -> RetrievalParts:
        """What a worker needs to search the archive (it opens its own store)."""
        from chatsum.core.pipelines.retrieval import RetrievalParts

        return RetrievalParts(self.embedder, self.vector_index)

    @cached_property
    def model_store(self) -> ModelStore:
        from chatsum.core.llm.catalog import load_catalog
        from chatsum.core.llm.store import ModelStore

        return ModelStore(self.settings.models_dir, load_catalog())

    @cached_property
    def engine(self) -> TextGenerator:
        """The text generator: an injected `generator`, the remote server, or the local model."""
        if self._overrides.get("generator") is not None:
            return self._overrides["generator"]  # type: ignore[no-any-return]
        if self.settings.remote_llm_url:
            from chatsum.core.llm.remote import OpenAICompatibleGenerator

            return OpenAICompatibleGenerator(
                self.settings.remote_llm_url, context_length=self.settings.n_ctx
            )
        return self._local_engine(self.settings.model)

    def _local_engine(self, model_id: str) -> TextGenerator:
        from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine

        return LlamaCppEngine(self.model_store, model_id, EngineConfig.from_settings(self.settings))

    def engine_for(self, task: str) -> TextGenerator:
        """The generator for "summary", "answer" or "extract".

        A task whose setting names another installed model gets an engine of
        its own (loaded on first use, like `engine`, and kept until `close`);
        otherwise, and with an injected generator or a remote server, every
        task shares `engine`.
        """
        model_id = self.settings.model_for(task)
        shared = (
            self._overrides.get("generator") is not None
            or bool(self.settings.remote_llm_url)
            or model_id == self.settings.model
        )
        if shared:
            return self.engine
        with self._engines_lock:
            engine = self._task_engines.get(model_id)
            if engine is None:
                engine = self._task_engines[model_id] = self._local_engine(model_id)
            return engine

    def close_engines(self) -> None:
        """Close every engine this object made; the next use builds them again."""
        engines = list(self._task_engines.values())
        self._task_engines.clear()
        engine = self.__dict__.pop("engine", None)
        if engine is not None and self._overrides.get("generator") is None:
            engines.append(engine)
        for each in engines:
            close_engine = getattr(each, "close", None)
            if callable(close_engine):
                close_engine()

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        self.close_engines()
