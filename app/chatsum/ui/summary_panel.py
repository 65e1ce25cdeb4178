"""The Summary tab: pick a period, watch it being written, read it as topic cards.

A summary is asked for as a `SummaryRequest` (a day, week or month of the
chat's own calendar, or an exact range such as the messages the user
selected) and produced by the summarizing pipeline in a worker; the panel
shows its progress and how much the model has written, and can cancel it.
The result is shown as one card per topic. Every citation is a link to the
cited message (`citation_clicked`), claims nothing supports are flagged, and
the whole summary can be copied or exported as Markdown, HTML or PDF.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from chatsum.core.domain import Conversation, Summary, Topic, local_datetime
from chatsum.core.progress import Progress
from chatsum.ui.i18n import fill
from chatsum.ui.summary_render import (
    CITE_SCHEME,
    CitationNumbers,
    cite_line,
    item_html,
    to_html,
    to_markdown,
    topic_sections,
    write_pdf,
)
from chatsum.ui.workers import GeneratorWorker, JobFailure, JobRunner


@dataclass(frozen=True)
class SummaryRequest:
    """What to summarize: a calendar period around `day`, or an exact range."""

    conversation_id: int
    scope: str  # day | week | month | range
    day: date | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    utc_offset_min: int = 0
    regenerate: bool = False


@dataclass(frozen=True)
class GenerationStats:
    """What the status bar shows about the last generation."""

    model_id: str
    completion_tokens: int
    seconds: float

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.seconds if self.seconds > 0 else 0.0


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


class TopicCard(QFrame):
    """One topic: title, summary, and its sections with citation links."""

    def __init__(self, topic: Topic, numbers: CitationNumbers, on_link: Any, on_hover: Any) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("topicCard")
        layout = QVBoxLayout(self)
        title = QLabel(topic.title)
        title.setTextFormat(Qt.TextFormat.PlainText)
        title.setWordWrap(True)
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        title.setFont(font)
        layout.addWidget(title)
        if topic.summary:
            summary = QLabel(topic.summary)
            summary.setTextFormat(Qt.TextFormat.PlainText)
            summary.setWordWrap(True)
            layout.addWidget(summary)
        self.links: list[QLabel] = []
        for section in topic_sections(topic):
            items = "".join(f"<li>{item_html(item, numbers)}</li>" for item in section.items)
            label = QLabel(f"<b>{section.label}</b><ul style='margin-left:-20px'>{items}</ul>")
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setOpenExternalLinks(False)
            label.setTextInteractionFlags(
                Qt.TextInteractionFlag.LinksAccessibleByMouse
                | Qt.TextInteractionFlag.TextSelectableByMouse
            )
            label.linkActivated.connect(on_link)
            label.linkHovered.connect(on_hover)
            layout.addWidget(label)
            self.links.append(label)


class SummaryPanel(QWidget):
    """Period controls, progress, topic cards, copy and export."""

    citation_clicked = Signal(int)  # message id
    summary_shown = Signal(object)  # Summary
    generated = Signal(object)  # GenerationStats

    def __init__(self, runner: JobRunner, summarize: Any, parent: QWidget | None = None) -> None:
        """`summarize(request, cancel)` returns the pipeline generator (or None if unavailable)."""
        super().__init__(parent)
        self._runner = runner
        self._summarize = summarize
        self._conversation: Conversation | None = None
        self._utc_offset_min = 0
        self._selection: tuple[int, int] | None = None
        self._worker: GeneratorWorker | None = None
        self._summary: Summary | None = None
        self._numbers: CitationNumbers | None = None
        self._pieces = 0
        self._started = 0.0

        self.scope_box = QComboBox()
        self.scope_box.addItem(self.tr("Day"), "day")
        self.scope_box.addItem(self.tr("Week"), "week")
        self.scope_box.addItem(self.tr("Month"), "month")
        self.scope_box.addItem(self.tr("Custom range"), "range")
        self.scope_box.currentIndexChanged.connect(self._update_controls)
        self.day_edit = QDateEdit()
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_edit = QDateEdit()
        self.until_edit.setCalendarPopup(True)
        self.until_edit.setDisplayFormat("yyyy-MM-dd")
        self.until_label = QLabel("–")
        self.day_edit.dateChanged.connect(self._on_dates_edited)
        self.until_edit.dateChanged.connect(self._on_dates_edited)
        self.summarize_button = QPushButton(self.tr("Summarize"))
        self.summarize_button.clicked.connect(lambda: self._on_summarize_clicked(False))
        self.regenerate_button = QPushButton(self.tr("Regenerate"))
        self.regenerate_button.setToolTip(
            self.tr("Ask the model again instead of using the saved summary")
        )
        self.regenerate_button.clicked.connect(lambda: self._on_summarize_clicked(True))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.cancel_button.clicked.connect(self.cancel)
        self.copy_button = QToolButton()
        self.copy_button.setText(self.tr("Copy"))
        self.copy_button.clicked.connect(self._on_copy_clicked)
        self.export_button = QToolButton()
        self.export_button.setText(self.tr("Export"))
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for label, kind in (
            (self.tr("Markdown…"), "md"),
            (self.tr("HTML…"), "html"),
            (self.tr("PDF…"), "pdf"),
        ):
            action = QAction(label, menu)
            action.triggered.connect(lambda _=False, k=kind: self._on_export_triggered(k))
            menu.addAction(action)
        self.export_button.setMenu(menu)

        controls = QHBoxLayout()
        controls.addWidget(self.scope_box)
        controls.addWidget(self.day_edit)
        controls.addWidget(self.until_label)
        controls.addWidget(self.until_edit)
        controls.addStretch(1)
        actions = QHBoxLayout()
        actions.addWidget(self.summarize_button)
        actions.addWidget(self.regenerate_button)
        actions.addWidget(self.cancel_button)
        actions.addStretch(1)
        actions.addWidget(self.copy_button)
        actions.addWidget(self.export_button)

        self.progress = QProgressBar()
        self.progress.setMaximumHeight(14)
        self.progress.setTextVisible(False)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)

        self.cards = QWidget()
        self.cards_layout = QVBoxLayout(self.cards)
        self.cards_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.cards)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(actions)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(scroll, 1)
        self.progress.hide()
        self._show_placeholder(self.tr("Pick a day, week or month and press Summarize."))
        self._update_controls()

    # ------------------------------------------------------------ inputs

    @property
    def running(self) -> bool:
        return self._worker is not None

    @property
    def summary(self) -> Summary | None:
        return self._summary

    def set_conversation(self, conversation: Conversation | None, utc_offset_min: int = 0) -> None:
        self._conversation = conversation
        self._utc_offset_min = utc_offset_min
        self._selection = None
        if conversation is not None and conversation.last_ts_ms is not None:
            first = local_datetime(
                conversation.first_ts_ms or conversation.last_ts_ms, utc_offset_min
            ).date()
            last = local_datetime(conversation.last_ts_ms, utc_offset_min).date()
            for edit in (self.day_edit, self.until_edit):
                edit.setDateRange(_qdate(first), _qdate(last))
            self.day_edit.setDate(_qdate(last))
            self.until_edit.setDate(_qdate(last))
        if self._summary is not None and (
            conversation is None or self._summary.conversation_id != conversation.id
        ):
            self._summary = None
            self._show_placeholder(self.tr("Pick a day, week or month and press Summarize."))
        self._update_controls()

    def summarize_selection(self, first_ms: int, until_ms: int) -> None:
        """Summarize exactly the messages the user selected."""
        self.scope_box.setCurrentIndex(self.scope_box.findData("range"))
        first = local_datetime(first_ms, self._utc_offset_min).date()
        last = local_datetime(until_ms - 1, self._utc_offset_min).date()
        self.day_edit.setDate(_qdate(first))
        self.until_edit.setDate(_qdate(last))
        self._selection = (first_ms, until_ms)
        self._start(self._request(False))

    def _request(self, regenerate: bool) -> SummaryRequest | None:
        conversation = self._conversation
        if conversation is None:
            return None
        scope = str(self.scope_box.currentData())
        if scope != "range":
            return SummaryRequest(
                conversation.id,
                scope,
                _pydate(self.day_edit.date()),
                utc_offset_min=self._utc_offset_min,
                regenerate=regenerate,
            )
        if self._selection is not None:
            since_ms, until_ms = self._selection
        else:
            from chatsum.core.pipelines.summarizing.periods import day_start_ms

            since_ms = day_start_ms(_pydate(self.day_edit.date()), self._utc_offset_min)
            until_ms = day_start_ms(
                _pydate(self.until_edit.date().addDays(1)), self._utc_offset_min
            )
        return SummaryRequest(
            conversation.id, "range", None, since_ms, until_ms, self._utc_offset_min, regenerate
        )

    def _update_controls(self, *_: Any) -> None:
        custom = self.scope_box.currentData() == "range"
        self.until_edit.setVisible(custom)
        self.until_label.setVisible(custom)
        idle = self._worker is None
        ready = idle and self._conversation is not None and self._summarize is not None
        self.summarize_button.setEnabled(ready)
        self.regenerate_button.setEnabled(ready and self._summary is not None)
        self.cancel_button.setVisible(not idle)
        self.copy_button.setEnabled(self._summary is not None)
        self.export_button.setEnabled(self._summary is not None)

    # ------------------------------------------------------------ running

    def _on_summarize_clicked(self, regenerate: bool) -> None:
        self._start(self._request(regenerate))

    def _on_dates_edited(self, _day: QDate) -> None:
        self._selection = None  # the user chose other days than the selected messages

    def _start(self, request: SummaryRequest | None) -> None:
        if request is None or self._worker is not None or self._summarize is None:
            return
        summarize = self._summarize
        self._pieces = 0
        self._started = time.monotonic()
        self.progress.setRange(0, 0)
        self.progress.show()
        self.status.setText(self.tr("Starting…"))
        self._worker = self._runner.start(
            "summary",
            lambda cancel: summarize(request, cancel),
            on_progress=self._on_summary_progressed,
            on_piece=self._on_summary_produced,
            on_result=self._on_summary_finished,
            on_failure=self._on_summary_failed,
        )
        self._update_controls()

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.status.setText(self.tr("Cancelling…"))

    def _on_summary_progressed(self, progress: Progress) -> None:
        if progress.total:
            self.progress.setRange(0, progress.total)
            self.progress.setValue(progress.done)
        stage = {
            "read": self.tr("Reading messages"),
            "cache": self.tr("Found a saved summary"),
            "prepare": self.tr("Preparing the chat"),
            "summarize": self.tr("The model is reading the chat"),
            "map": self.tr("Summarizing part by part"),
            "merge": self.tr("Merging topics"),
            "reduce": self.tr("Merging topics"),
            "week": self.tr("Building the week from its days"),
            "month": self.tr("Building the month from its weeks"),
            "done": self.tr("Done"),
        }.get(progress.stage, progress.stage)
        self.status.setText(f"{stage}: {progress.message}" if progress.message else stage)

    def _on_summary_produced(self, piece: str) -> None:
        self._pieces += 1
        if self._pieces % 8 == 0:
            seconds = time.monotonic() - self._started
            self.status.setText(
                fill(
                    self.tr("The model is writing… %1 pieces in %2 s"),
                    self._pieces,
                    f"{seconds:.0f}",
                )
            )

    def _on_summary_finished(self, summary: Summary) -> None:
        self._worker = None
        self.progress.hide()
        self.show_summary(summary)
        if not summary.from_cache and summary.timings.llm_s > 0:
            self.generated.emit(
                GenerationStats(
                    summary.model_id, summary.timings.completion_tokens, summary.timings.llm_s
                )
            )

    def _on_summary_failed(self, failure: JobFailure) -> None:
        self._worker = None
        self.progress.hide()
        self.status.setText(
            self.tr("Cancelled; nothing was saved.") if failure.cancelled else failure.message
        )
        self._update_controls()

    # ------------------------------------------------------------ showing

    def _clear_cards(self) -> None:
        while self.cards_layout.count():
            item = self.cards_layout.takeAt(0)
            widget = item.widget()
            if widget is not None:
                widget.hide()
                widget.deleteLater()

    def _show_placeholder(self, text: str) -> None:
        self._clear_cards()
        label = QLabel(text)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setEnabled(False)
        self.cards_layout.addWidget(label)
        self.cards_layout.addStretch(1)

    def show_summary(self, summary: Summary) -> None:
        self._summary = summary
        self._numbers = CitationNumbers(summary)
        self._clear_cards()
        if summary.gist:
            gist = QLabel(summary.gist)
            gist.setTextFormat(Qt.TextFormat.PlainText)
            gist.setWordWrap(True)
            font = gist.font()
            font.setItalic(True)
            gist.setFont(font)
            self.cards_layout.addWidget(gist)
        if not summary.topics:
            self.cards_layout.addWidget(QLabel(self.tr("Nothing to summarize in this period.")))
        for topic in summary.topics:
            self.cards_layout.addWidget(
                TopicCard(topic, self._numbers, self._on_link_activated, self._on_link_hovered)
            )
        footer = QLabel(self._footer(summary))
        footer.setTextFormat(Qt.TextFormat.PlainText)
        footer.setWordWrap(True)
        footer.setEnabled(False)
        self.cards_layout.addWidget(footer)
        self.cards_layout.addStretch(1)
        self.status.setText(
            self.tr("Summary from the saved copy.")
            if summary.from_cache
            else self.tr("Summary ready.")
        )
        self._update_controls()
        self.summary_shown.emit(summary)

    def _footer(self, summary: Summary) -> str:
        quality = summary.quality
        parts = [
            fill(self.tr("%1 messages"), summary.message_count or quality.messages_in),
            fill(self.tr("model %1"), summary.model_id),
            fill(self.tr("%1 s"), f"{summary.timings.total_s:.1f}"),
        ]
        if quality.unsupported_claims:
            parts.append(self.tr("%n unverified claim(s)", "", quality.unsupported_claims))
        if quality.viewpoints_reattributed:
            parts.append(
                self.tr(
                    "%n view(s) re-attributed to their author", "", quality.viewpoints_reattributed
                )
            )
        if quality.flags:
            parts.append(fill(self.tr("flags: %1"), ", ".join(quality.flags)))
        return " · ".join(parts)

    def topic_cards(self) -> list[TopicCard]:
        return [
            widget
            for index in range(self.cards_layout.count())
            if isinstance(widget := self.cards_layout.itemAt(index).widget(), TopicCard)
        ]

    def _on_link_activated(self, link: str) -> None:
        scheme, _, value = link.partition(":")
        if scheme == CITE_SCHEME and value.isdigit():
            self.citation_clicked.emit(int(value))

    def _on_link_hovered(self, link: str) -> None:
        scheme, _, value = link.partition(":")
        if scheme != CITE_SCHEME or not value.isdigit() or self._numbers is None:
            QToolTip.hideText()
            return
        from html import escape

        text = cite_line(self._numbers.citation(int(value)), self._utc_offset_min)
        QToolTip.showText(
            QCursor.pos(), f"<p style='white-space:pre-wrap'>{escape(text)}</p>", self
        )

    # ------------------------------------------------------------ copy and export

    def _title(self) -> str:
        summary = self._summary
        name = self._conversation.title if self._conversation is not None else ""
        if summary is None or summary.since_ms is None:
            return name
        first = local_datetime(summary.since_ms, self._utc_offset_min).date()
        last = local_datetime(
            (summary.until_ms or summary.since_ms + 1) - 1, self._utc_offset_min
        ).date()
        span = first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"
        return f"{name} · {span}"

    def markdown(self) -> str:
        return (
            to_markdown(self._summary, self._title(), self._utc_offset_min) if self._summary else ""
        )

    def _on_copy_clicked(self) -> None:
        if self._summary is not None:
            QGuiApplication.clipboard().setText(self.markdown())
            self.status.setText(self.tr("Copied as Markdown."))

    def _on_export_triggered(self, kind: str) -> None:
        if self._summary is None:
            return
        filters = {
            "md": self.tr("Markdown (*.md)"),
            "html": self.tr("Web page (*.html)"),
            "pdf": self.tr("PDF (*.pdf)"),
        }
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export summary"), f"summary.{kind}", filters[kind]
        )
        if path:
            self.export(Path(path), kind)

    def export(self, path: Path, kind: str) -> None:
        assert self._summary is not None
        title = self._title()
        if kind == "pdf":
            write_pdf(self._summary, title, str(path), self._utc_offset_min)
        elif kind == "html":
            path.write_text(to_html(self._summary, title, self._utc_offset_min), encoding="utf-8")
        else:
            path.write_text(self.markdown(), encoding="utf-8")
        self.status.setText(fill(self.tr("Exported to %1"), path))
