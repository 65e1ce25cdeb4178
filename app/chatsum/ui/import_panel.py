"""Importing from the GUI: progress per file, cancel, and the final report.

The panel drives `chatsum.core.pipelines.importing.import_paths` in a worker.
Its Progress events say which unit (file or bundle) is being read and how many
messages it has yielded so far; the panel keeps one row per unit. Cancel asks
the worker's token to stop: the pipeline rolls back the unit in progress, so
what was imported before stays and nothing is half-written. The report at the
end comes from the pipeline's `ImportReport`: new messages, duplicates
skipped, warnings with examples and errors that name the file and line.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chatsum.core.progress import Progress
from chatsum.ui.i18n import fill
from chatsum.ui.process_jobs import in_child_process
from chatsum.ui.workers import GeneratorWorker, JobFailure, JobRunner

EXAMPLES_SHOWN = 3


def _number(value: int) -> str:
    return QLocale().toString(value)


def _detail(parent: QTreeWidgetItem, text: str) -> QTreeWidgetItem:
    """A line of explanation under a file, across all columns."""
    child = QTreeWidgetItem([text])
    child.setToolTip(0, text)
    parent.addChild(child)
    child.setFirstColumnSpanned(True)
    return child


class ImportPanel(QWidget):
    """One import at a time: a row per file while it runs, then the report."""

    imported = Signal(object)  # ImportReport
    closed = Signal()

    def __init__(self, runner: JobRunner, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._db_path = db_path
        self._worker: GeneratorWorker | None = None
        self._rows: dict[str, QTreeWidgetItem] = {}
        self._current: str | None = None

        self.heading = QLabel()
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel import"))
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton(self.tr("Close"))
        self.close_button.clicked.connect(self._on_close_clicked)

        self.files = QTreeWidget()
        self.files.setColumnCount(3)
        self.files.setHeaderLabels([self.tr("File"), self.tr("Status"), self.tr("Messages")])
        self.files.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.files.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.files.header().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.files.header().setStretchLastSection(False)
        self.files.setUniformRowHeights(False)
        self.files.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.cancel_button)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.files, 1)
        self.close_button.hide()

    @property
    def running(self) -> bool:
        return self._worker is not None

    # ------------------------------------------------------------ running

    def start(self, paths: list[Path], job: Any = None, options: Any = None) -> bool:
        """Import `paths` with ParseOptions `options`; False if an import is running.

        `job(paths, cancel)` replaces the real pipeline (tests use a slow one).
        """
        if self._worker is not None:
            return False
        self.files.clear()
        self._rows = {}
        self._current = None
        self.heading.setText(self.tr("Importing %n item(s)…", "", len(paths)))
        self.status.setText(", ".join(path.name for path in paths))
        self.progress.setRange(0, 0)
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.close_button.hide()
        db_path = self._db_path

        if job is not None:
            factory = partial(job, paths)
        else:
            # Parsing holds the GIL most of the time: a child process keeps the window smooth.
            factory = in_child_process(
                "chatsum.core.pipelines.importing:import_paths", db_path, paths, options
            )

        self._worker = self._runner.start(
            "import",
            factory,
            on_progress=self._on_import_progressed,
            on_result=self._on_import_finished,
            on_failure=self._on_import_failed,
        )
        self.show()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.cancel_button.setEnabled(False)
            self.status.setText(self.tr("Cancelling… the file being read is rolled back."))

    def _row(self, display: str) -> QTreeWidgetItem:
        item = self._rows.get(display)
        if item is None:
            item = QTreeWidgetItem([display, "", ""])
            item.setTextAlignment(2, Qt.AlignmentFlag.AlignRight)
            self.files.addTopLevelItem(item)
            self._rows[display] = item
        return item

    def _on_import_progressed(self, progress: Progress) -> None:
        if progress.unit == "files" and progress.total is not None:
            self.progress.setRange(0, max(1, progress.total))
            self.progress.setValue(progress.done)
            if progress.message != "done":
                if self._current is not None and self._current != progress.message:
                    self._row(self._current).setText(1, self.tr("read"))
                self._current = progress.message
                self._row(progress.message).setText(1, self.tr("reading…"))
                self.status.setText(
                    fill(
                        self.tr("File %1 of %2"),
                        _number(progress.done + 1),
                        _number(progress.total),
                    )
                )
        elif progress.unit == "messages":
            row = self._row(progress.message)
            row.setText(2, _number(progress.done))
            self.status.setText(
                fill(
                    self.tr("%1: %2 messages read"),
                    Path(progress.message).name,
                    _number(progress.done),
                )
            )

    def _on_import_finished(self, report: Any) -> None:
        self._worker = None
        self.show_report(report)
        self.imported.emit(report)

    def _on_import_failed(self, failure: JobFailure) -> None:
        self._worker = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.cancel_button.hide()
        self.close_button.show()
        if failure.cancelled:
            self.heading.setText(self.tr("Import cancelled"))
            self.status.setText(
                self.tr(
                    "Nothing from the file being read was kept; files finished before it stay imported."
                )
            )
            if self._current is not None:
                self._row(self._current).setText(1, self.tr("cancelled, rolled back"))
        else:
            self.heading.setText(self.tr("Import failed"))
            self.status.setText(failure.message)
        self.imported.emit(None)

    # ------------------------------------------------------------ report

    def show_report(self, report: Any) -> None:
        """Fill the panel with an ImportReport (also used for screenshots)."""
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.cancel_button.hide()
        self.close_button.show()
        failed = len(report.failed)
        self.heading.setText(self.tr("Import finished"))
        summary = fill(
            self.tr("%1 new messages, %2 duplicates skipped"),
            _number(report.messages_new),
            _number(report.duplicates),
        )
        if failed:
            summary += " · " + self.tr("%n file(s) could not be read", "", failed)
        if report.skipped_files:
            summary += " · " + self.tr(
                "%n file(s) skipped (not a chat export)", "", len(report.skipped_files)
            )
        self.status.setText(summary)
        self.files.clear()
        self._rows = {}
        for source in report.sources:
            item = self._row(source.path)
            item.setText(1, self._status_text(source))
            item.setText(2, _number(source.messages_new))
            item.setToolTip(0, source.path)
            if source.error:
                _detail(item, source.error).setForeground(0, Qt.GlobalColor.red)
            for warning in source.warnings:
                count = int(warning.get("count", 1))
                text = fill(
                    self.tr("Warning: %1 (%n time(s))", "", count), warning.get("message", "")
                )
                child = _detail(item, text)
                for example in list(warning.get("examples", []))[:EXAMPLES_SHOWN]:
                    _detail(child, fill(self.tr("e.g. %1"), example))
            if source.duplicates and source.status == "imported":
                _detail(item, self.tr("%n duplicate message(s) skipped", "", source.duplicates))
            item.setExpanded(source.status == "failed" or bool(source.warnings))
        for skipped in report.skipped_files:
            item = self._row(skipped)
            item.setText(1, self.tr("skipped"))
        self.show()

    def _status_text(self, source: Any) -> str:
        if source.status == "imported":
            return fill(self.tr("imported as %1"), source.format)
        if source.status == "unchanged":
            return self.tr("already imported")
        return self.tr("failed")

    def _on_close_clicked(self) -> None:
        self.hide()
        self.closed.emit()
