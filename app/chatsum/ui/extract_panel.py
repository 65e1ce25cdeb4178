"""The Extract tab: one record per customer of a service chat, in a table.

The extracting pipeline (built-in 客户线索 / customer-lead schema) runs in a
worker with progress and cancel, like a summary. When a conversation is
chosen the panel reads, in a job, the saved result of the last run and who is
staff and who is a customer; the roles are listed and the user can change
any of them: the change is saved for the conversation at once and the next
run uses it. Every cell of the table knows the messages it came from;
clicking it emits `citations_clicked` so the message view scrolls to and
highlights them. The table can be exported as CSV or JSON (the same files
as `chatsum extract`). Values come from the chat and are shown as plain text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QModelIndex, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatsum.core.domain import Conversation
from chatsum.core.progress import Progress
from chatsum.ui.backend import ExtractionView, GuiBackend
from chatsum.ui.i18n import fill
from chatsum.ui.item_models import ExtractionTableModel
from chatsum.ui.workers import GeneratorWorker, JobFailure, JobRunner

ROLE_VALUES = ("staff", "customer", "other")


def interface_is_english() -> bool:
    return QLocale().language() != QLocale.Language.Chinese


class ExtractPanel(QWidget):
    """Roles, the Extract / Cancel / Export buttons, progress and the records table."""

    citations_clicked = Signal(object)  # tuple of message ids
    result_shown = Signal(object)  # ExtractionResult
    roles_saved = Signal(object)  # {name: role}

    def __init__(
        self, runner: JobRunner, backend: GuiBackend, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._backend = backend
        self._available = backend.can_extract()
        self._conversation: Conversation | None = None
        self._worker: GeneratorWorker | None = None
        self._view_job: GeneratorWorker | None = None
        self._filling_roles = False
        self._view_stale = False

        self.title = QLabel(self.tr("Customer leads (客户线索): one record per customer"))
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.extract_button = QPushButton(self.tr("Extract"))
        self.extract_button.setToolTip(
            self.tr("Ask the model for one record per customer of this chat")
        )
        self.extract_button.clicked.connect(self._on_extract_clicked)
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.csv_button = QPushButton(self.tr("Export CSV…"))
        self.csv_button.clicked.connect(lambda: self._on_export_clicked("csv"))
        self.json_button = QPushButton(self.tr("Export JSON…"))
        self.json_button.clicked.connect(lambda: self._on_export_clicked("json"))
        actions = QHBoxLayout()
        for button in (self.extract_button, self.cancel_button):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.csv_button)
        actions.addWidget(self.json_button)

        self.progress = QProgressBar()
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        self.roles_table = QTableWidget(0, 3)
        self.roles_table.setHorizontalHeaderLabels(
            [self.tr("Participant"), self.tr("Role"), self.tr("Decided by")]
        )
        self.roles_table.verticalHeader().hide()
        self.roles_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.roles_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        roles_box = QWidget()
        roles_layout = QVBoxLayout(roles_box)
        roles_layout.setContentsMargins(0, 0, 0, 0)
        roles_label = QLabel(
            self.tr("Roles (change one to correct it; it is saved for this chat and used next run)")
        )
        roles_label.setWordWrap(True)
        roles_layout.addWidget(roles_label)
        roles_layout.addWidget(self.roles_table)

        self.model = ExtractionTableModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setDefaultSectionSize(120)
        self.table.clicked.connect(self._on_cell_clicked)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(roles_box)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 3)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(actions)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.progress.hide()
        self.status.setText(self.tr("Choose a customer-service chat and press Extract."))
        self._update_controls()

    # ------------------------------------------------------------ inputs

    @property
    def running(self) -> bool:
        return self._worker is not None

    @property
    def result(self) -> Any:
        return self.model.result

    def set_conversation(self, conversation: Conversation | None) -> None:
        if conversation == self._conversation:
            return
        self._conversation = conversation
        self.model.set_result(None, interface_is_english())
        self._fill_roles(())
        if self._view_job is not None:
            self._view_job.cancel()
            self._view_job = None
        # Roles are read from every message: only for a chat the user looks at here.
        self._view_stale = conversation is not None and self._available
        if self.isVisible():
            self._load_view()
        self._update_controls()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._load_view()

    def _load_view(self) -> None:
        conversation = self._conversation
        if not self._view_stale or conversation is None:
            return
        self._view_stale = False
        self.status.setText(self.tr("Reading the saved records and roles…"))
        self._view_job = self._runner.start(
            "read extraction",
            self._backend.extraction_view_job(conversation.id, conversation.message_count),
            on_result=self._on_view_loaded,
            on_failure=self._on_view_failed,
        )

    def _on_view_loaded(self, view: ExtractionView) -> None:
        if self._conversation is None or view.conversation_id != self._conversation.id:
            return
        self._view_job = None
        self._fill_roles(view.roles)
        if self._worker is not None:
            return
        if view.result is not None:
            self.show_result(view.result, saved=True)
        else:
            self.status.setText(self.tr("No records yet for this chat. Press Extract."))
            self._update_controls()

    def _on_view_failed(self, failure: JobFailure) -> None:
        self._view_job = None
        if not failure.cancelled:
            self.status.setText(failure.message)

    def _update_controls(self) -> None:
        idle = self._worker is None
        self.extract_button.setEnabled(idle and self._available and self._conversation is not None)
        self.cancel_button.setVisible(not idle)
        has_result = self.model.result is not None
        self.csv_button.setEnabled(has_result)
        self.json_button.setEnabled(has_result)
        self.roles_table.setEnabled(idle)

    # ------------------------------------------------------------ roles

    def _role_label(self, role: str) -> str:
        return {
            "staff": self.tr("Staff"),
            "customer": self.tr("Customer"),
            "other": self.tr("Other"),
        }.get(role, role)

    def _source_label(self, source: str) -> str:
        return {
            "user": self.tr("you"),
            "heuristic": self.tr("heuristics"),
            "model": self.tr("the model"),
        }.get(source, source)

    def _fill_roles(self, roles: tuple[Any, ...]) -> None:
        self._filling_roles = True
        try:
            self.roles_table.setRowCount(len(roles))
            for row, assignment in enumerate(roles):
                name = QTableWidgetItem(assignment.name)
                name.setToolTip(
                    fill(self.tr("%1 messages"), assignment.message_count)
                    + ("\n" + "\n".join(assignment.reasons) if assignment.reasons else "")
                )
                self.roles_table.setItem(row, 0, name)
                box = QComboBox()
                for value in ROLE_VALUES:
                    box.addItem(self._role_label(value), value)
                box.setCurrentIndex(box.findData(str(assignment.role)))
                box.currentIndexChanged.connect(
                    lambda _i, who=assignment.name, b=box: self._on_role_changed(who, b)
                )
                self.roles_table.setCellWidget(row, 1, box)
                self.roles_table.setItem(
                    row, 2, QTableWidgetItem(self._source_label(str(assignment.source)))
                )
        finally:
            self._filling_roles = False

    def role_boxes(self) -> dict[str, QComboBox]:
        """Participant name → the combo box that sets their role."""
        boxes: dict[str, QComboBox] = {}
        for row in range(self.roles_table.rowCount()):
            item = self.roles_table.item(row, 0)
            widget = self.roles_table.cellWidget(row, 1)
            if item is not None and isinstance(widget, QComboBox):
                boxes[item.text()] = widget
        return boxes

    def _on_role_changed(self, name: str, box: QComboBox) -> None:
        if self._filling_roles or self._conversation is None:
            return
        roles: dict[str, str | None] = {name: str(box.currentData())}
        conversation_id = self._conversation.id
        self.status.setText(fill(self.tr("Saving the role of %1…"), name))
        self._runner.start(
            "save roles",
            self._backend.save_roles_job(conversation_id, roles),
            on_result=lambda view: self._on_roles_saved(view, roles),
            on_failure=self._on_view_failed,
        )

    def _on_roles_saved(self, view: ExtractionView, roles: dict[str, str | None]) -> None:
        if self._conversation is None or view.conversation_id != self._conversation.id:
            return
        self._fill_roles(view.roles)
        self.status.setText(self.tr("Roles saved; the next extraction uses them."))
        self.roles_saved.emit(roles)

    # ------------------------------------------------------------ running

    def _on_extract_clicked(self) -> None:
        conversation = self._conversation
        if conversation is None or self._worker is not None or not self._available:
            return
        backend = self._backend
        conversation_id = conversation.id
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(self.tr("Starting…"))
        self._worker = self._runner.start(
            "extract",
            lambda cancel: backend.extract(conversation_id, cancel),
            on_progress=self._on_extract_progressed,
            on_result=self._on_extract_finished,
            on_failure=self._on_extract_failed,
        )
        self._update_controls()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.status.setText(self.tr("Cancelling…"))

    def _on_extract_progressed(self, progress: Progress) -> None:
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
            self.status.setText(
                fill(
                    self.tr("The model is reading the chat: %1 of %2 calls (%3)"),
                    progress.done,
                    progress.total,
                    progress.message,
                )
            )
        elif progress.message:
            self.status.setText(fill(self.tr("Working: %1"), progress.message))

    def _on_extract_finished(self, result: Any) -> None:
        self._worker = None
        self.progress.hide()
        if self._conversation is not None and result.conversation_id == self._conversation.id:
            self._fill_roles(result.roles)
            self.show_result(result, saved=False)
        self._update_controls()

    def _on_extract_failed(self, failure: JobFailure) -> None:
        self._worker = None
        self.progress.hide()
        self.status.setText(
            self.tr("Cancelled; nothing was saved.") if failure.cancelled else failure.message
        )
        self._update_controls()

    # ------------------------------------------------------------ showing

    def show_result(self, result: Any, saved: bool = False) -> None:
        self.model.set_result(result, interface_is_english())
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(self.model.columnCount()):
            header.resizeSection(column, min(header.sectionSize(column), 220))
        stats = result.stats
        parts = [
            self.tr("%n customer record(s)", "", len(result.records)),
            fill(self.tr("model %1"), result.model_id),
        ]
        if stats.model_calls:
            parts.append(
                fill(self.tr("%1 model calls, %2 s"), stats.model_calls, f"{stats.seconds:.1f}")
            )
        if result.dropped:
            parts.append(self.tr("%n unsupported value(s) dropped", "", len(result.dropped)))
        prefix = self.tr("Saved records") if saved else self.tr("Records ready")
        self.status.setText(f"{prefix}: " + " · ".join(parts))
        self._update_controls()
        self.result_shown.emit(result)

    def _on_cell_clicked(self, index: QModelIndex) -> None:
        ids = self.model.message_ids(index)
        if ids:
            self.citations_clicked.emit(tuple(ids))

    # ------------------------------------------------------------ export

    def _on_export_clicked(self, kind: str) -> None:
        if self.model.result is None:
            return
        filters = {"csv": self.tr("CSV (*.csv)"), "json": self.tr("JSON (*.json)")}
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export records"), f"leads.{kind}", filters[kind]
        )
        if path:
            self.export(Path(path), kind)

    def export(self, path: Path, kind: str) -> None:
        """Write the shown records as CSV or JSON, with the messages each value came from."""
        result = self.model.result
        assert result is not None
        self._backend.write_extraction(result, path, kind, english=interface_is_english())
        self.status.setText(fill(self.tr("Exported to %1"), path))
