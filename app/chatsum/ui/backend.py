"""What the panels ask of the core, in one adapter over AppServices.

Panels never import pipelines directly: they get job factories from
`GuiBackend` (functions of a `CancelToken` returning a core generator), so a
test can hand the window services built with fakes and the panels run the
real pipelines against them. The language model is created and used only
inside jobs (worker threads), so loading it never blocks the window.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication

from chatsum.config import Settings
from chatsum.core.progress import CancelToken
from chatsum.services import AppServices

if TYPE_CHECKING:
    from chatsum.core.importers.base import ParseOptions
    from chatsum.ui.summary_panel import SummaryRequest


@dataclass(frozen=True)
class ModelStatusView:
    """The model part of the status bar."""

    model: str
    device: str
    device_detail: str


class GuiBackend:
    """Builds the generators panels run, from the application's services."""

    def __init__(self, services: AppServices) -> None:
        self.services = services
        self._parts: Any = None

    @property
    def db_path(self) -> Path:
        return self.services.settings.db_path

    # ------------------------------------------------------------ models

    def text_generator(self) -> Any:
        """The language model (created on first use; call only inside a job)."""
        return self.services.engine

    def model_status(self) -> ModelStatusView:
        model = self.services.settings.model
        engine = self.services.__dict__.get("engine")  # never create it from the GUI thread
        device = getattr(engine, "device", None)
        detail = str(getattr(engine, "device_info", "") or "")
        if device is None:
            return ModelStatusView(
                model,
                QCoreApplication.translate("GuiBackend", "not loaded"),
                QCoreApplication.translate(
                    "GuiBackend", "The model loads when it is first needed."
                ),
            )
        label = (
            QCoreApplication.translate("GuiBackend", "GPU")
            if device == "gpu"
            else QCoreApplication.translate("GuiBackend", "CPU")
        )
        return ModelStatusView(model, label, detail)

    def settings_changed(self) -> None:
        """Drop the engine and retrieval parts so the next job builds them anew."""
        self.close()
        self._parts = None
        self.services.__dict__.pop("embedder", None)

    def close(self) -> None:
        engine = self.services.__dict__.pop("engine", None)
        if engine is not None and hasattr(engine, "close"):
            engine.close()

    # ------------------------------------------------------------ importing

    def parse_options(self) -> ParseOptions:
        from chatsum.core.importers.base import ParseOptions
        from chatsum.core.pipelines.importing import local_utc_offset_min

        settings = self.services.settings
        offset = settings.default_utc_offset_min
        return ParseOptions(
            date_order=settings.date_order,
            default_utc_offset_min=local_utc_offset_min() if offset is None else offset,
        )

    # ------------------------------------------------------------ summaries

    def can_summarize(self) -> bool:
        try:
            import chatsum.core.pipelines.summarizing.api  # noqa: F401
        except ImportError:
            return False
        return True

    def summarize(self, request: SummaryRequest, cancel: CancelToken) -> Generator[Any, None, Any]:
        from chatsum.core.pipelines.summarizing.api import summarize_period, summarize_range
        from chatsum.core.pipelines.summarizing.options import SummaryOptions

        settings = self.services.settings
        options = SummaryOptions(language=settings.summary_language, redact_pii=settings.redact_pii)
        if request.regenerate:
            options = replace(options, use_cache=False)
        generator = self.text_generator()
        db_path = settings.db_path
        if request.scope == "range" or request.day is None:
            return summarize_range(
                db_path,
                generator,
                request.conversation_id,
                request.since_ms,
                request.until_ms,
                options,
                cancel,
            )
        return summarize_period(
            db_path,
            generator,
            request.conversation_id,
            request.scope,
            request.day,
            request.utc_offset_min,
            options,
            cancel,
        )

    # ------------------------------------------------------------ questions

    def can_ask(self) -> bool:
        try:
            import chatsum.core.pipelines.answering  # noqa: F401
        except ImportError:
            return False
        return True

    def ask(
        self, question: str, session_id: int | None, scope: Any, cancel: CancelToken
    ) -> Generator[Any, None, Any]:
        from chatsum.core.pipelines.answering import AnswerOptions, answer_question

        settings = self.services.settings
        options = AnswerOptions(min_relevance=settings.retrieval_min_score)
        return answer_question(
            settings.db_path,
            self.text_generator(),
            self.retrieval_parts(),
            question,
            session_id,
            scope,
            options,
            cancel,
        )

    def retrieval_parts(self) -> Any:
        """Embedder and vector index for retrieval (call inside a job).

        Built here rather than by `AppServices.retrieval_parts`, which opens
        the index through the services' own Store and would tie that SQLite
        connection to whichever worker thread got there first.
        """
        if self._parts is None:
            from chatsum.core.pipelines.indexing import open_current_index
            from chatsum.core.pipelines.retrieval import RetrievalParts
            from chatsum.core.storage.store import Store

            embedder = self.services.embedder
            store = Store.open(self.db_path)
            try:
                index = open_current_index(store, embedder.id, self.services.open_vector_index)
            finally:
                store.close()
            self._parts = RetrievalParts(embedder, index)
        return self._parts

    def index_job(self) -> Any:
        """A job bringing the semantic index up to date, in a child process.

        Chroma holds the GIL while it writes a batch (about half a second):
        in a thread that would freeze the window.
        """
        from chatsum.ui.process_jobs import in_child_process

        self._parts = None  # the next question opens the updated index
        return in_child_process("chatsum.ui.backend:index_in_child", self.services.settings)

    def qa_sessions(self, store: Any) -> list[Any]:
        from chatsum.core.pipelines.qa_history import QAHistory

        return QAHistory(store.conn).sessions()

    def qa_turns(self, store: Any, session_id: int) -> list[Any]:
        from chatsum.core.pipelines.qa_history import QAHistory

        return QAHistory(store.conn).turns(session_id)


def index_in_child(settings: Settings, cancel: CancelToken) -> Generator[Any, None, Any]:
    """`index_archive` with services built from `settings` (runs in the child process)."""
    from chatsum.core.pipelines.indexing import index_archive

    services = AppServices(settings)
    try:
        return (
            yield from index_archive(
                settings.db_path, services.embedder, services.open_vector_index, cancel
            )
        )
    finally:
        services.close()
