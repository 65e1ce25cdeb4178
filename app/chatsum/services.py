"""AppServices: the one place that turns Settings into concrete objects.

Everything is built lazily, on first use, never at import time, so
`chatsum --help` and the window open fast. Tests inject fakes through the
constructor. SQLite connections belong to one thread: `open_store()` gives a
worker its own; `store` is the calling (main) thread's.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from chatsum.config import Settings

if TYPE_CHECKING:
    from chatsum.core.llm.base import TextGenerator
    from chatsum.core.llm.store import ModelStore
    from chatsum.core.storage.store import Store


class AppServices:
    def __init__(self, settings: Settings, **overrides: Any) -> None:
        self.settings = settings
        self._overrides = overrides
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
        return self.store.forget_conversation(conversation_id)

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

            return OpenAICompatibleGenerator(self.settings.remote_llm_url, context_length=self.settings.n_ctx)
        from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine

        return LlamaCppEngine(self.model_store, self.settings.model, EngineConfig.from_settings(self.settings))

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "engine" in self.__dict__ and self._overrides.get("generator") is None:
            close_engine = getattr(self.engine, "close", None)
            if callable(close_engine):
                close_engine()
