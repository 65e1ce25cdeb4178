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

    def text_generator(self, task: str = "summary") -> Any:
        """The language model for a task (created on first use; call only inside a job)."""
        return self.services.engine_for(task)

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
        self.services.close_engines()

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
        generator = self.text_generator("summary")
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

    # ------------------------------------------------------------ extraction

    def can_extract(self) -> bool:
        try:
            import chatsum.core.pipelines.extracting  # noqa: F401
        except ImportError:
            return False
        return True

    def extract(self, conversation_id: int, cancel: CancelToken) -> Generator[Any, None, Any]:
        """Extract the built-in lead schema; roles saved for the chat are used."""
        from chatsum.core.pipelines.extracting import LEAD_SCHEMA_ID, extract_records

        return extract_records(
            self.db_path,
            self.text_generator("extract"),
            conversation_id,
            LEAD_SCHEMA_ID,
            cancel=cancel,
        )

    def write_extraction(self, result: Any, path: Path, kind: str, english: bool) -> None:
        """Export records as "csv" or "json", the same files `chatsum extract` writes."""
        from chatsum.core.pipelines.extracting import write_file

        write_file(result, path, kind, english=english)

    def extraction_view_job(self, conversation_id: int, message_count: int) -> Any:
        """A job reading the saved extraction and the roles of a conversation.

        Detecting roles reads every message in pure Python; for a long chat
        that runs in a child process so the window keeps the GIL.
        """
        from functools import partial

        if message_count >= IN_CHILD_FROM:
            from chatsum.ui.process_jobs import in_child_process

            return in_child_process(
                "chatsum.ui.backend:extraction_view", self.db_path, conversation_id
            )
        return partial(extraction_view, self.db_path, conversation_id)

    def save_roles_job(self, conversation_id: int, roles: dict[str, str | None]) -> Any:
        """A job storing the user's roles for a conversation, then reading them back."""
        db_path = self.db_path

        def job(cancel: CancelToken) -> Generator[Any, None, Any]:
            from chatsum.core.pipelines.extracting import save_roles

            yield from ()
            save_roles(db_path, conversation_id, roles)
            return (yield from extraction_view(db_path, conversation_id, cancel))

        return job

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
            self.text_generator("answer"),
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


IN_CHILD_FROM = 20_000
"""Conversations this long are read in a child process (see `extraction_view_job`)."""


@dataclass(frozen=True)
class ExtractionView:
    """What the Extract tab shows for a conversation before any run."""

    conversation_id: int
    result: Any  # ExtractionResult | None: the saved run of the lead schema
    roles: tuple[Any, ...]  # RoleAssignment: heuristics and the user's saved roles


def extraction_view(
    db_path: Path, conversation_id: int, cancel: CancelToken
) -> Generator[Any, None, ExtractionView]:
    """The saved lead extraction and the current roles (no model is used)."""
    from chatsum.core.pipelines.extracting import LEAD_SCHEMA_ID, detect_roles, load_extraction
    from chatsum.core.progress import Progress

    yield Progress("read", "extraction")
    result = load_extraction(db_path, conversation_id, LEAD_SCHEMA_ID)
    cancel.raise_if_cancelled()
    detected = detect_roles(db_path, conversation_id, cancel=cancel)
    # The last run's roles (the model may have settled close calls), unless
    # the user has set one since.
    used = {r.participant_id: r for r in result.roles} if result is not None else {}
    roles = tuple(
        r if r.source == "user" or r.participant_id not in used else used[r.participant_id]
        for r in detected
    )
    return ExtractionView(conversation_id, result, roles)


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
