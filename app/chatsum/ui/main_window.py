"""The main window: conversations, messages, and Summary / Ask / Extract / Insights tabs.

The window wires panels together and owns nothing heavy: the archive is read
by jobs in `JobRunner` (each with its own SQLite connection), the model work
goes through `GuiBackend`, and the window only reacts to their signals in the
GUI thread. Files, folders and zips dropped anywhere on the window are
imported; while the archive is empty the first-run screen explains what to
export. Closing the window cancels running jobs and waits for them, so an
import in progress is rolled back rather than cut off.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from chatsum.core.domain import Conversation
from chatsum.core.progress import Progress
from chatsum.services import AppServices
from chatsum.ui.ask_panel import AskPanel
from chatsum.ui.backend import GuiBackend
from chatsum.ui.conversation_panel import ConversationPanel
from chatsum.ui.extract_panel import ExtractPanel
from chatsum.ui.first_run import FirstRunPanel
from chatsum.ui.i18n import fill
from chatsum.ui.icons import app_icon
from chatsum.ui.import_panel import ImportPanel
from chatsum.ui.insights_panel import InsightsPanel
from chatsum.ui.message_panel import MessagePanel, MessageRange
from chatsum.ui.process_jobs import in_child_process
from chatsum.ui.profile import ConversationProfile, profile_conversation
from chatsum.ui.resources import sample_exports
from chatsum.ui.summary_log import SummaryLog, messages_after
from chatsum.ui.summary_panel import GenerationStats, SummaryPanel
from chatsum.ui.workers import JobFailure, JobRunner

# Conversations this long are read for the profile in a child process (a
# process start costs about half a second; reading 20,000 messages about 0.1 s).
PROFILE_IN_CHILD_FROM = 20_000


class DropOverlay(QLabel):
    """Shown over the window while files are dragged onto it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet(
            "background: rgba(59,111,216,0.18); border: 3px dashed #3b6fd8;"
            "border-radius: 16px; font-size: 20pt; color: #1d3f8f;"
        )
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()


def dropped_paths(event: QDropEvent | QDragEnterEvent) -> list[Path]:
    """Local files and folders carried by a drag, in the order given."""
    mime = event.mimeData()
    if not mime.hasUrls():
        return []
    return [
        Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile() and url.toLocalFile()
    ]


class MainWindow(QMainWindow):
    """Everything the user sees; see the module docstring for who does what."""

    def __init__(
        self,
        services: AppServices,
        runner: JobRunner | None = None,
        backend: GuiBackend | None = None,
    ) -> None:
        super().__init__()
        self.services = services
        self.runner = runner or JobRunner(self)
        self.backend = backend or GuiBackend(services)
        self._profile: ConversationProfile | None = None
        self._profile_job: Any = None
        self._index_job: Any = None
        self.summary_log = SummaryLog()
        self._closing = False
        db_path = services.settings.db_path
        self.setWindowTitle("chatsum")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)

        self.conversations = ConversationPanel()
        self.messages = MessagePanel(self.runner, db_path)
        self.summary = SummaryPanel(
            self.runner, self.backend.summarize if self.backend.can_summarize() else None
        )
        self.ask = AskPanel(self.runner, self.backend)
        self.extract = ExtractPanel(self.runner, self.backend)
        self.insights = InsightsPanel()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.summary, self.tr("Summary"))
        self.tabs.addTab(self.ask, self.tr("Ask"))
        self.tabs.addTab(self.extract, self.tr("Extract"))
        self.tabs.addTab(self.insights, self.tr("Insights"))
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.conversations)
        self.splitter.addWidget(self.messages)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 4)
        self.splitter.setSizes([260, 620, 480])

        self.first_run = FirstRunPanel()
        self.pages = QStackedWidget()
        self.pages.addWidget(self.first_run)
        self.pages.addWidget(self.splitter)
        self.import_panel = ImportPanel(self.runner, db_path)
        self.import_panel.setMaximumHeight(260)
        self.import_panel.hide()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.import_panel)
        self.setCentralWidget(central)
        self.overlay = DropOverlay(central)
        self.overlay.setText(self.tr("Drop chat exports to import them"))

        self._build_menus()
        self._build_status_bar()
        self._connect()
        self._refuse_text_drops()
        self.resize(1360, 840)
        self.reload_conversations()

    # ------------------------------------------------------------ building

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.import_action = QAction(self.tr("&Import files…"), self)
        self.import_action.setShortcut(QKeySequence.StandardKey.Open)
        self.import_action.triggered.connect(self._on_import_files_triggered)
        file_menu.addAction(self.import_action)
        import_folder = QAction(self.tr("Import a &folder…"), self)
        import_folder.triggered.connect(self._on_import_folder_triggered)
        file_menu.addAction(import_folder)
        sample = QAction(self.tr("Try the &sample archive"), self)
        sample.triggered.connect(self.import_sample)
        file_menu.addAction(sample)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        tools = self.menuBar().addMenu(self.tr("&Tools"))
        self.index_action = QAction(self.tr("Update the search &index"), self)
        self.index_action.triggered.connect(self.update_index)
        tools.addAction(self.index_action)
        self.models_action = QAction(self.tr("&Models…"), self)
        self.models_action.triggered.connect(self.open_models_dialog)
        tools.addAction(self.models_action)
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings_dialog)
        tools.addAction(self.settings_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        how = QAction(self.tr("How to &export chats"), self)
        how.triggered.connect(lambda: self.pages.setCurrentWidget(self.first_run))
        help_menu.addAction(how)
        about = QAction(self.tr("&About chatsum"), self)
        about.triggered.connect(self._on_about_triggered)
        help_menu.addAction(about)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.model_label = QLabel()
        self.device_label = QLabel()
        self.speed_label = QLabel()
        self.jobs_label = QLabel()
        self.jobs_spinner = QProgressBar()
        self.jobs_spinner.setRange(0, 0)
        self.jobs_spinner.setMaximumWidth(80)
        self.jobs_spinner.setMaximumHeight(12)
        self.jobs_spinner.hide()
        self.index_label = QLabel()
        self.index_cancel = QPushButton(self.tr("Stop indexing"))
        self.index_cancel.clicked.connect(self._on_index_cancel_clicked)
        self.index_cancel.hide()
        bar.addWidget(self.index_label)
        bar.addWidget(self.index_cancel)
        for widget in (self.model_label, self.device_label, self.speed_label):
            bar.addPermanentWidget(widget)
        bar.addPermanentWidget(self.jobs_spinner)
        bar.addPermanentWidget(self.jobs_label)
        self.refresh_model_status()
        self._on_jobs_count_changed(0)

    def _connect(self) -> None:
        self.runner.count_changed.connect(self._on_jobs_count_changed)
        self.conversations.conversation_selected.connect(self._on_conversation_selected)
        self.messages.summarize_requested.connect(self._on_summarize_selection_requested)
        self.messages.ask_requested.connect(self._on_ask_selection_requested)
        self.messages.failed.connect(self._on_job_failed)
        self.summary.citation_clicked.connect(self.show_message)
        self.summary.generated.connect(self._on_generation_measured)
        self.summary.summary_shown.connect(self._on_summary_shown)
        self.ask.citation_clicked.connect(self.show_message)
        self.ask.generated.connect(self._on_generation_measured)
        self.extract.citations_clicked.connect(self.show_messages)
        self.import_panel.imported.connect(self._on_import_finished)
        self.first_run.import_requested.connect(self._on_import_files_triggered)
        self.first_run.sample_requested.connect(self.import_sample)

    def _refuse_text_drops(self) -> None:
        # Text fields accept drops by default and would swallow a dropped file
        # as its path; files belong to the window.
        for widget in self.findChildren(QLineEdit) + self.findChildren(QPlainTextEdit):
            widget.setAcceptDrops(False)

    # ------------------------------------------------------------ conversations

    def reload_conversations(self) -> None:
        self.runner.query(
            "list conversations",
            self.services.settings.db_path,
            lambda store: store.list_conversations(),
            self._on_conversations_loaded,
            self._on_job_failed,
        )
        self._refresh_badges()

    def _refresh_badges(self) -> None:
        ends = self.summary_log.summarized_until()
        if ends:
            self.runner.query(
                "new since summary",
                self.services.settings.db_path,
                lambda store: messages_after(store, ends),
                self._on_badges_loaded,
            )

    def _on_conversations_loaded(self, conversations: list[Conversation]) -> None:
        if self._closing:
            return
        empty = not conversations
        if empty:
            self.pages.setCurrentWidget(self.first_run)
        elif self.pages.currentWidget() is self.first_run:
            self.pages.setCurrentWidget(self.splitter)
        self.conversations.set_conversations(conversations)

    def _on_badges_loaded(self, badges: dict[int, int]) -> None:
        if not self._closing:
            self.conversations.model.set_badges(badges)

    def _on_conversation_selected(self, conversation: Conversation | None) -> None:
        if conversation is not None and conversation == self.messages.conversation:
            return
        self.messages.show_conversation(conversation)
        self.summary.set_conversation(conversation)
        self.ask.set_conversation(conversation)
        self.extract.set_conversation(conversation)
        self._profile = None
        if self._profile_job is not None:
            self._profile_job.cancel()
            self._profile_job = None
        if conversation is None:
            self.insights.clear()
            return
        self.insights.show_loading()
        db_path = self.services.settings.db_path
        conversation_id = conversation.id
        if conversation.message_count >= PROFILE_IN_CHILD_FROM:
            # Reading every message is pure Python: in a thread it would fight
            # the window for the GIL for seconds.
            profile_job = in_child_process(
                "chatsum.ui.profile:profile_conversation", db_path, conversation_id
            )
        else:
            profile_job = partial(profile_conversation, db_path, conversation_id)
        self._profile_job = self.runner.start(
            "read conversation",
            profile_job,
            on_result=self._on_profile_ready,
            on_failure=self._on_job_failed,
        )
        self.insights.set_topics(self.summary_log.timeline(conversation_id))

    def _on_profile_ready(self, profile: ConversationProfile) -> None:
        current = self.messages.conversation
        if self._closing or current is None or current.id != profile.conversation_id:
            return
        self._profile_job = None
        self._profile = profile
        self.messages.set_day_runs(profile.conversation_id, profile.runs)
        self.insights.set_profile(profile)
        self.summary.set_conversation(current, profile.utc_offset_min)

    def show_message(self, message_id: int) -> None:
        """Scroll the message view to a cited message and highlight it."""
        self.show_messages((message_id,))

    def show_messages(self, message_ids: tuple[int, ...]) -> None:
        """Scroll to the first of several cited messages and highlight them all."""
        if not message_ids:
            return
        first = min(message_ids)
        self.runner.query(
            "find cited message",
            self.services.settings.db_path,
            lambda store: store.messages_by_ids([first]).get(first),
            lambda message: self._on_cited_message_found(message, tuple(message_ids)),
            self._on_job_failed,
        )

    def _on_cited_message_found(self, message: Any, message_ids: tuple[int, ...] = ()) -> None:
        if message is None:
            self.statusBar().showMessage(self.tr("That message is no longer in the archive."), 5000)
            return
        current = self.messages.conversation
        if current is None or current.id != message.conversation_id:
            self.conversations.select(message.conversation_id)
        self.messages.show_message(message.id, message_ids)

    # ------------------------------------------------------------ selection → summary / ask

    def _on_summarize_selection_requested(self, selected: MessageRange) -> None:
        self.tabs.setCurrentWidget(self.summary)
        self.summary.summarize_selection(selected.since_ms, selected.until_ms)

    def _on_ask_selection_requested(self, selected: MessageRange) -> None:
        self.tabs.setCurrentWidget(self.ask)
        self.ask.limit_to_range(selected)

    def _on_summary_shown(self, summary: Any) -> None:
        self.summary_log.add(summary)
        self.insights.set_topics(self.summary_log.timeline(summary.conversation_id))
        self._refresh_badges()

    # ------------------------------------------------------------ importing

    def import_paths(self, paths: list[Path], job: Any = None) -> bool:
        if not paths:
            return False
        if not self.import_panel.start(paths, job, self.backend.parse_options()):
            QMessageBox.information(
                self,
                self.tr("Import running"),
                self.tr("Wait for the current import to finish, or cancel it."),
            )
            return False
        return True

    def import_sample(self) -> None:
        samples = sample_exports()
        if not samples:
            QMessageBox.warning(
                self,
                self.tr("No sample"),
                self.tr("The sample exports are missing from this installation."),
            )
            return
        self.import_paths(samples)

    def _on_import_files_triggered(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self,
            self.tr("Import chat exports"),
            "",
            self.tr("Chat exports (*.txt *.json *.jsonl *.csv *.html *.mht *.zip);;All files (*)"),
        )
        self.import_paths([Path(name) for name in files])

    def _on_import_folder_triggered(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("Import a folder of exports"))
        if folder:
            self.import_paths([Path(folder)])

    def _on_import_finished(self, report: Any) -> None:
        if self._closing:
            return
        if report is not None and report.messages_new:
            self.messages.show_conversation(None)
        self.reload_conversations()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if dropped_paths(event):
            event.acceptProposedAction()
            self.overlay.setGeometry(self.centralWidget().rect().adjusted(12, 12, -12, -12))
            self.overlay.raise_()
            self.overlay.show()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self.overlay.hide()
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        self.overlay.hide()
        paths = dropped_paths(event)
        if paths:
            event.acceptProposedAction()
            # Start after the drop returns, so the drag source is not kept waiting.
            QTimer.singleShot(0, lambda: self.import_paths(paths))
        else:
            event.ignore()

    # ------------------------------------------------------------ search index

    def update_index(self) -> None:
        """Embed new messages into the semantic index (questions use it)."""
        if self._index_job is not None:
            return
        self.index_label.setText(self.tr("Indexing…"))
        self.index_cancel.show()
        self._index_job = self.runner.start(
            "index",
            self.backend.index_job(),
            on_progress=self._on_index_progressed,
            on_result=self._on_index_finished,
            on_failure=self._on_index_failed,
        )

    def _on_index_progressed(self, progress: Progress) -> None:
        if progress.total:
            self.index_label.setText(
                fill(
                    self.tr("Indexing: %1 of %2 messages"),
                    QLocale().toString(progress.done),
                    QLocale().toString(progress.total),
                )
            )

    def _on_index_finished(self, report: Any) -> None:
        self._index_job = None
        self.index_cancel.hide()
        self.index_label.setText(self.tr("Search index up to date."))

    def _on_index_failed(self, failure: JobFailure) -> None:
        self._index_job = None
        self.index_cancel.hide()
        self.index_label.setText(
            self.tr("Indexing stopped; it resumes where it left off.")
            if failure.cancelled
            else failure.message
        )

    def _on_index_cancel_clicked(self) -> None:
        if self._index_job is not None:
            self._index_job.cancel()

    # ------------------------------------------------------------ models, settings, status

    def open_models_dialog(self) -> None:
        from chatsum.ui.models_dialog import ModelsDialog

        dialog = ModelsDialog(self.services, self.runner, self.backend, self)
        dialog.settings_changed.connect(self._on_settings_changed)
        dialog.exec()
        self.refresh_model_status()

    def open_settings_dialog(self) -> None:
        from chatsum.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.services.settings, QSettings(), self)
        if dialog.exec():
            self._on_settings_changed(dialog.settings)

    def _on_settings_changed(self, settings: Any) -> None:
        self.services.settings = settings
        self.backend.settings_changed()
        self.refresh_model_status()

    def refresh_model_status(self) -> None:
        status = self.backend.model_status()
        self.model_label.setText(fill(self.tr("Model: %1"), status.model))
        self.device_label.setText(status.device)
        self.device_label.setToolTip(status.device_detail)

    def _on_generation_measured(self, stats: GenerationStats) -> None:
        self.speed_label.setText(fill(self.tr("%1 tokens/s"), f"{stats.tokens_per_s:.1f}"))
        self.speed_label.setToolTip(
            fill(
                self.tr("Last generation: %1 tokens in %2 s"),
                stats.completion_tokens,
                f"{stats.seconds:.1f}",
            )
        )
        self.refresh_model_status()

    def _on_jobs_count_changed(self, count: int) -> None:
        self.refresh_model_status()  # a job may have just loaded or released the model
        self.jobs_spinner.setVisible(count > 0)
        self.jobs_label.setText(
            self.tr("%n job(s) running", "", count) if count else self.tr("Idle")
        )
        self.jobs_label.setToolTip("\n".join(self.runner.active_jobs))

    def _on_job_failed(self, failure: JobFailure) -> None:
        if failure.cancelled or self._closing:
            return
        if failure.details:
            from chatsum.ui.error_dialog import ErrorDialog

            ErrorDialog.show_failure(failure, self)
        else:
            self.statusBar().showMessage(failure.message, 10_000)

    def _on_about_triggered(self) -> None:
        from chatsum import __version__

        QMessageBox.about(
            self,
            self.tr("About chatsum"),
            fill(
                self.tr(
                    "chatsum %1\nSummaries and answers over your exported group chats, on your own computer."
                ),
                __version__,
            ),
        )

    # ------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        """Cancel every job and wait for each to stop at its next cancel point."""
        self._closing = True
        self.statusBar().showMessage(self.tr("Stopping running jobs…"))
        self.runner.shutdown()
        self.messages.close_loader()
        self.backend.close()
        QSettings().setValue("window/geometry", self.saveGeometry())
        super().closeEvent(event)
