"""The Ask tab: questions about the archive, answered as a chat with sources.

Each question is one turn of a Q&A session run by the answering pipeline in a
worker; the answer streams into its bubble as the model writes it and is then
replaced by the checked answer, whose `[message id]` markers become numbered
links to the cited messages. The question as the pipeline searched it (after
resolving "it", "他说的" from earlier turns) is shown under the question, and
an answer the archive does not hold is shown as "not found", not as a reply.
Sessions are kept in the archive, so earlier conversations can be reopened.
"""

from __future__ import annotations

import re
import time
from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from chatsum.core.domain import Answer, AnswerOutcome, Citation, Conversation, local_datetime
from chatsum.core.progress import Progress
from chatsum.ui.i18n import fill
from chatsum.ui.summary_panel import GenerationStats
from chatsum.ui.workers import GeneratorWorker, JobFailure, JobRunner

_MARKER = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")


def answer_html(answer: Answer) -> str:
    """The answer text, escaped, with [id] markers as numbered citation links."""
    numbers: dict[int, int] = {}

    def link(match: re.Match[str]) -> str:
        links = []
        for raw in re.findall(r"\d+", match.group(1)):
            message_id = int(raw)
            number = numbers.setdefault(message_id, len(numbers) + 1)
            links.append(f"<a href='cite:{message_id}'>[{number}]</a>")
        return "".join(links)

    return _MARKER.sub(link, escape(answer.text)).replace("\n", "<br>")


class Bubble(QLabel):
    """One chat bubble (question or answer); text is escaped or plain."""

    def __init__(self, mine: bool) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.setOpenExternalLinks(False)
        self.setTextFormat(Qt.TextFormat.PlainText)
        background = "#dbe7ff" if mine else "palette(alternate-base)"
        self.setStyleSheet(
            f"QLabel {{ background: {background}; border-radius: 10px; padding: 8px; }}"
        )


class AskPanel(QWidget):
    """Session choice, the chat history, and the question box."""

    citation_clicked = Signal(int)
    generated = Signal(object)  # GenerationStats

    def __init__(self, runner: JobRunner, backend: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._backend = backend
        self._conversation: Conversation | None = None
        self._range: Any = None
        self._session_id: int | None = None
        self._worker: GeneratorWorker | None = None
        self._streaming: Bubble | None = None
        self._streamed = ""
        self._citations: dict[int, Citation] = {}
        self._started = 0.0

        self.session_box = QComboBox()
        self.session_box.addItem(self.tr("New conversation"), None)
        self.session_box.activated.connect(self._on_session_activated)
        self.scope_box = QComboBox()
        self.scope_box.addItem(self.tr("This chat"), "conversation")
        self.scope_box.addItem(self.tr("All chats"), "all")
        self.scope_box.addItem(self.tr("Selected messages"), "range")
        self.scope_box.currentIndexChanged.connect(self._on_scope_changed)
        top = QHBoxLayout()
        top.addWidget(self.session_box, 1)
        top.addWidget(self.scope_box)

        self.history = QWidget()
        self.history_layout = QVBoxLayout(self.history)
        self.history_layout.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.history)
        self.scroll.verticalScrollBar().rangeChanged.connect(self._on_history_grown)

        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.question_box = QLineEdit()
        self.question_box.setPlaceholderText(
            self.tr("Ask about your chats, e.g. “When is the launch?”")
        )
        self.question_box.returnPressed.connect(self._on_ask_clicked)
        self.ask_button = QPushButton(self.tr("Ask"))
        self.ask_button.clicked.connect(self._on_ask_clicked)
        self.cancel_button = QPushButton(self.tr("Stop"))
        self.cancel_button.clicked.connect(self.cancel)
        bottom = QHBoxLayout()
        bottom.addWidget(self.question_box, 1)
        bottom.addWidget(self.ask_button)
        bottom.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.status)
        layout.addLayout(bottom)
        self._update_controls()
        if not self._backend.can_ask():
            self.status.setText(self.tr("Questions are not available in this build."))

    # ------------------------------------------------------------ scope and sessions

    @property
    def running(self) -> bool:
        return self._worker is not None

    def set_conversation(self, conversation: Conversation | None) -> None:
        self._conversation = conversation
        self._range = None
        if self.scope_box.currentData() == "range":
            self.scope_box.setCurrentIndex(0)
        self._update_controls()
        if self._backend.can_ask() and self.session_box.count() == 1:
            self.reload_sessions()

    def limit_to_range(self, selected: Any) -> None:
        """Ask only about the messages the user selected (a MessageRange)."""
        self._range = selected
        self.scope_box.setCurrentIndex(self.scope_box.findData("range"))
        self.status.setText(
            self.tr("Questions now search the %n selected message(s).", "", selected.message_count)
        )
        self.question_box.setFocus()
        self._update_controls()

    def _on_scope_changed(self, _index: int) -> None:
        if self.scope_box.currentData() != "range":
            self._range = None
        self._update_controls()

    def scope(self) -> Any:
        from chatsum.core.pipelines.answering import AskScope

        kind = self.scope_box.currentData()
        if kind == "range" and self._range is not None:
            return AskScope(
                self._range.conversation_id, None, self._range.since_ms, self._range.until_ms
            )
        if kind == "conversation" and self._conversation is not None:
            return AskScope(self._conversation.id)
        return AskScope()

    def reload_sessions(self) -> None:
        self._runner.query(
            "Q&A sessions",
            self._backend.db_path,
            self._backend.qa_sessions,
            self._on_sessions_loaded,
        )

    def _on_sessions_loaded(self, sessions: list[Any]) -> None:
        current = self._session_id
        self.session_box.clear()
        self.session_box.addItem(self.tr("New conversation"), None)
        for session in sessions:
            self.session_box.addItem(
                fill(self.tr("%1 (%2 questions)"), session.title, session.turns), session.id
            )
        index = self.session_box.findData(current) if current is not None else 0
        self.session_box.setCurrentIndex(max(0, index))

    def _on_session_activated(self, _index: int) -> None:
        session_id = self.session_box.currentData()
        self._clear_history()
        self._session_id = session_id
        if session_id is None:
            return
        self._runner.query(
            "Q&A turns",
            self._backend.db_path,
            lambda store: self._backend.qa_turns(store, session_id),
            self._on_turns_loaded,
        )

    def _on_turns_loaded(self, answers: list[Answer]) -> None:
        for answer in answers:
            self.show_turn(answer)

    def show_turn(self, answer: Answer) -> None:
        """Add a finished question and answer to the history view."""
        self._add_question(answer.question)
        self._finish_bubble(self._add_answer(), answer)

    # ------------------------------------------------------------ asking

    def ask(self, question: str) -> bool:
        question = question.strip()
        if not question or self._worker is not None or not self._backend.can_ask():
            return False
        self._add_question(question)
        self._streaming = self._add_answer()
        self._streaming.setText("…")
        self._streamed = ""
        self._started = time.monotonic()
        self.question_box.clear()
        scope = self.scope()
        session_id = self._session_id
        backend = self._backend
        self._worker = self._runner.start(
            "answer",
            lambda cancel: backend.ask(question, session_id, scope, cancel),
            on_progress=self._on_answer_progressed,
            on_piece=self._on_answer_produced,
            on_result=self._on_answer_finished,
            on_failure=self._on_answer_failed,
        )
        self._update_controls()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self.status.setText(self.tr("Stopping…"))

    def _on_ask_clicked(self) -> None:
        self.ask(self.question_box.text())

    def _on_answer_progressed(self, progress: Progress) -> None:
        text = {
            "resolving references": self.tr("Working out what the question refers to…"),
            "searching the archive": self.tr("Searching the archive…"),
            "writing the answer": self.tr("Writing the answer…"),
        }.get(progress.message, progress.message)
        self.status.setText(text)

    def _on_answer_produced(self, piece: str) -> None:
        self._streamed += piece
        if self._streaming is not None:
            self._streaming.setTextFormat(Qt.TextFormat.PlainText)
            self._streaming.setText(self._streamed)

    def _on_answer_finished(self, answer: Answer) -> None:
        self._worker = None
        if self._streaming is not None:
            self._finish_bubble(self._streaming, answer)
        self._streaming = None
        new_session = self._session_id is None
        self._session_id = answer.session_id
        self.status.clear()
        if answer.timings.completion_tokens:
            seconds = answer.timings.total_s - (answer.timings.first_token_s or 0.0)
            self.generated.emit(
                GenerationStats(answer.model_id, answer.timings.completion_tokens, seconds)
            )
        if new_session:
            self.reload_sessions()
        self._update_controls()

    def _on_answer_failed(self, failure: JobFailure) -> None:
        self._worker = None
        if self._streaming is not None:
            kept = self._streamed.strip()
            note = (
                self.tr("(stopped)")
                if failure.cancelled
                else fill(self.tr("(failed: %1)"), failure.message)
            )
            self._streaming.setTextFormat(Qt.TextFormat.PlainText)
            self._streaming.setText(f"{kept}\n{note}" if kept else note)
        self._streaming = None
        self.status.setText(
            self.tr("Stopped; this answer was not saved.") if failure.cancelled else failure.message
        )
        self._update_controls()

    # ------------------------------------------------------------ bubbles

    def _insert(self, widget: QWidget, mine: bool) -> None:
        row = QHBoxLayout()
        if mine:
            row.addStretch(1)
        row.addWidget(widget, 5)
        if not mine:
            row.addStretch(1)
        self.history_layout.insertLayout(self.history_layout.count() - 1, row)

    def _add_question(self, question: str) -> Bubble:
        bubble = Bubble(mine=True)
        bubble.setText(question)
        self._insert(bubble, True)
        return bubble

    def _add_answer(self) -> Bubble:
        bubble = Bubble(mine=False)
        bubble.linkActivated.connect(self._on_link_activated)
        bubble.linkHovered.connect(self._on_link_hovered)
        self._insert(bubble, False)
        return bubble

    def _finish_bubble(self, bubble: Bubble, answer: Answer) -> None:
        for citation in answer.citations:
            self._citations[citation.message_id] = citation
        parts: list[str] = []
        if (
            answer.rewritten_question
            and answer.rewritten_question.strip() != answer.question.strip()
        ):
            searched = escape(fill(self.tr("Searched for: %1"), answer.rewritten_question))
            parts.append(f"<span style='color:gray'>{searched}</span>")
        if answer.outcome == AnswerOutcome.REJECTED:
            heading = escape(self.tr("Not found in your chats"))
            parts.append(f"<b style='color:#8a6d00'>⚠ {heading}</b>")
            parts.append(f"<span style='color:gray'>{escape(answer.text)}</span>")
        else:
            parts.append(answer_html(answer))
        bubble.setTextFormat(Qt.TextFormat.RichText)
        bubble.setText("<br>".join(parts))
        bubble.setProperty("outcome", answer.outcome.value)

    def answer_bubbles(self) -> list[Bubble]:
        """Finished answers, oldest first."""
        return [
            bubble for bubble in self.history.findChildren(Bubble) if bubble.property("outcome")
        ]

    def _clear_history(self) -> None:
        while self.history_layout.count() > 1:
            item = self.history_layout.takeAt(0)
            layout = item.layout()
            if layout is not None:
                while layout.count():
                    child = layout.takeAt(0).widget()
                    if child is not None:
                        child.deleteLater()

    def _on_history_grown(self, _low: int, high: int) -> None:
        self.scroll.verticalScrollBar().setValue(high)

    def _on_link_activated(self, link: str) -> None:
        scheme, _, value = link.partition(":")
        if scheme == "cite" and value.isdigit():
            self.citation_clicked.emit(int(value))

    def _on_link_hovered(self, link: str) -> None:
        scheme, _, value = link.partition(":")
        citation = self._citations.get(int(value)) if scheme == "cite" and value.isdigit() else None
        if citation is None:
            QToolTip.hideText()
            return
        when = local_datetime(citation.ts_ms, 0).strftime("%Y-%m-%d %H:%M")
        text = f"{citation.sender_name or ''} · {when}\n{citation.text}"
        QToolTip.showText(
            QCursor.pos(), f"<p style='white-space:pre-wrap'>{escape(text)}</p>", self
        )

    def _update_controls(self) -> None:
        idle = self._worker is None
        available = self._backend.can_ask()
        self.ask_button.setEnabled(idle and available)
        self.question_box.setEnabled(available)
        self.cancel_button.setVisible(not idle)
        self.session_box.setEnabled(idle and available)
        range_index = self.scope_box.findData("range")
        model = self.scope_box.model()
        item = model.item(range_index) if hasattr(model, "item") else None
        if item is not None:
            item.setEnabled(self._range is not None)
