"""The centre of the window: one conversation's messages, searchable and citable.

Everything here that reads the archive runs as a job (`JobRunner.query`) with
its own connection; the panel only keeps positions and ids. Scrolling to a
message (a search hit, a citation) is two steps: a job finds the message's
position in time order, then the model maps that position to a row (which
depends on where date separators are). The same mapping keeps the view on the
same message when separators arrive after the chat was opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QDate,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from chatsum.core.domain import Conversation, Message, SearchHit, local_datetime
from chatsum.ui.i18n import fill
from chatsum.ui.item_models import MessageListModel, MessagePageLoader, Roles
from chatsum.ui.message_delegate import MessageDelegate
from chatsum.ui.profile import DayRuns
from chatsum.ui.workers import JobRunner

SEARCH_LIMIT = 500


@dataclass(frozen=True)
class MessageRange:
    """A span of one conversation chosen by the user: positions and times."""

    conversation_id: int
    first_position: int
    last_position: int
    since_ms: int
    until_ms: int  # exclusive

    @property
    def message_count(self) -> int:
        return self.last_position - self.first_position + 1


def _range_of(store: Any, conversation_id: int, first: int, last: int) -> MessageRange | None:
    head = store.messages(conversation_id, limit=1, offset=first)
    tail = store.messages(conversation_id, limit=1, offset=last)
    if not head or not tail:
        return None
    return MessageRange(conversation_id, first, last, head[0].ts_ms, tail[0].ts_ms + 1)


def _position_of(store: Any, message_id: int) -> tuple[Message, int] | None:
    message = store.messages_by_ids([message_id]).get(message_id)
    return None if message is None else (message, store.message_row(message))


class MessageView(QTableView):
    """A one-column table used as a list, because it scales to a million rows.

    QListView lays out every row again on each reset and on any dataChanged
    (about two Python calls per row: seconds for a big chat); a table whose
    rows all have one fixed height keeps its geometry in the header as a
    single span, so resets, page arrivals and scroll-bar jumps cost the same
    for 100 rows as for 1,000,000.
    """

    def __init__(self, model: MessageListModel) -> None:
        super().__init__()
        delegate = MessageDelegate(self)
        self.setItemDelegate(delegate)
        self.setModel(model)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.horizontalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        rows = self.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        height = delegate.row_height(self.font())
        rows.setMinimumSectionSize(height)
        rows.setDefaultSectionSize(height)


class MessagePanel(QWidget):
    """Messages of the selected conversation with search, jump-to-date and selection."""

    summarize_requested = Signal(object)  # MessageRange
    ask_requested = Signal(object)  # MessageRange
    message_shown = Signal(int)  # message id scrolled to
    failed = Signal(object)  # JobFailure

    def __init__(self, runner: JobRunner, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._db_path = db_path
        self._conversation: Conversation | None = None
        self._hits: list[Message] = []
        self._hit_index = -1
        self._pending_position: int | None = None
        self.loader = MessagePageLoader(db_path, self)
        self.model = MessageListModel(self.loader, self)

        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(self.tr("Search in this chat"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.returnPressed.connect(self._on_search_submitted)
        self.search_box.textChanged.connect(self._on_search_text_changed)
        self.previous_hit = QToolButton()
        self.previous_hit.setText("↑")
        self.previous_hit.setToolTip(self.tr("Previous match"))
        self.previous_hit.clicked.connect(lambda: self._step_hit(-1))
        self.next_hit = QToolButton()
        self.next_hit.setText("↓")
        self.next_hit.setToolTip(self.tr("Next match"))
        self.next_hit.clicked.connect(lambda: self._step_hit(1))
        self.hit_label = QLabel()
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.jump_button = QPushButton(self.tr("Go to date"))
        self.jump_button.clicked.connect(self._on_jump_clicked)

        toolbar = QHBoxLayout()
        toolbar.addWidget(self.search_box, 1)
        toolbar.addWidget(self.previous_hit)
        toolbar.addWidget(self.next_hit)
        toolbar.addWidget(self.hit_label)
        toolbar.addSpacing(12)
        toolbar.addWidget(self.date_edit)
        toolbar.addWidget(self.jump_button)

        self.view = MessageView(self.model)
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("Select a message to read it in full."))
        self.detail.setMaximumHeight(140)

        self.selection_label = QLabel()
        self.summarize_button = QPushButton(self.tr("Summarize selection"))
        self.summarize_button.clicked.connect(
            lambda: self._emit_selection(self.summarize_requested)
        )
        self.ask_button = QPushButton(self.tr("Ask about selection"))
        self.ask_button.clicked.connect(lambda: self._emit_selection(self.ask_requested))
        actions = QHBoxLayout()
        actions.addWidget(self.selection_label, 1)
        actions.addWidget(self.summarize_button)
        actions.addWidget(self.ask_button)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 5)
        splitter.setStretchFactor(1, 1)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addLayout(toolbar)
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(350)
        self._search_timer.timeout.connect(self._on_search_submitted)
        self._update_enabled()

    # ------------------------------------------------------------ conversation

    @property
    def conversation(self) -> Conversation | None:
        return self._conversation

    def show_conversation(self, conversation: Conversation | None) -> None:
        self._conversation = conversation
        self._hits = []
        self._hit_index = -1
        self.hit_label.clear()
        self.detail.clear()
        self.model.show_conversation(
            None if conversation is None else conversation.id,
            0 if conversation is None else conversation.message_count,
        )
        if conversation is None:
            self.title.setText(self.tr("No conversation selected"))
            self.subtitle.clear()
        else:
            self.title.setText(conversation.title)
            self.subtitle.setText(
                self.tr("%n message(s)", "", conversation.message_count)
                + (f" · {_span(conversation)}" if conversation.first_ts_ms else "")
            )
            if conversation.first_ts_ms and conversation.last_ts_ms:
                first, last = _span_dates(conversation)
                self.date_edit.setDateRange(_qdate(first).addDays(-1), _qdate(last).addDays(1))
                self.date_edit.setDate(_qdate(first))
        if self.search_box.text().strip():
            self._on_search_submitted()
        self._update_enabled()

    def set_day_runs(self, conversation_id: int, runs: DayRuns) -> None:
        """Add date separators, keeping the same message in view."""
        if conversation_id != self.model.conversation_id:
            return
        anchor = self._anchor_position()
        selected = self._selected_positions()
        self.model.set_day_runs(runs)
        if selected is not None:
            first = self.model.index(self.model.row_for_position(selected[0]))
            last = self.model.index(self.model.row_for_position(selected[1]))
            self.view.selectionModel().select(
                QItemSelection(first, last), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        if self._pending_position is not None:
            self._scroll_to_position(self._pending_position)
        elif anchor is not None:
            row = self.model.row_for_position(anchor)
            if row > 0 and self.model.position_for_row(row - 1) is None:
                row -= 1  # show the date separator the anchor message opens
            self.view.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.PositionAtTop)
        self._update_enabled()

    def _anchor_position(self) -> int | None:
        top = self.view.indexAt(self.view.viewport().rect().topLeft())
        for row in (top.row(), top.row() + 1):
            if row >= 0:
                position = self.model.position_for_row(row)
                if position is not None:
                    return position
        return None

    # ------------------------------------------------------------ scrolling to a message

    def show_message(self, message_id: int, also: tuple[int, ...] = ()) -> None:
        """Scroll to a message of the shown conversation and highlight it (and `also`)."""
        self._runner.query(
            "find message",
            self._db_path,
            lambda store: _position_of(store, message_id),
            lambda found: self._on_message_found(found, also),
            self.failed.emit,
        )

    def _on_message_found(
        self, found: tuple[Message, int] | None, also: tuple[int, ...] = ()
    ) -> None:
        if found is None or self._conversation is None:
            return
        message, position = found
        if message.conversation_id != self._conversation.id:
            return
        self.model.set_highlighted({message.id, *also} | set(self._hit_ids()))
        self._scroll_to_position(position)
        self.message_shown.emit(message.id)

    def _scroll_to_position(self, position: int) -> None:
        self._pending_position = position
        index = self.model.index(self.model.row_for_position(position))
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        if self.model.has_separators:
            self._pending_position = None

    def _on_jump_clicked(self) -> None:
        picked = self.date_edit.date()
        day = (date(picked.year(), picked.month(), picked.day()) - date(1970, 1, 1)).days
        row = self.model.row_for_day(day)
        if row is not None:
            self.view.scrollTo(self.model.index(row), QAbstractItemView.ScrollHint.PositionAtTop)

    # ------------------------------------------------------------ search

    def _on_search_text_changed(self, text: str) -> None:
        if not text.strip():
            self._search_timer.stop()
            self._apply_hits([])
        else:
            self._search_timer.start()

    def _on_search_submitted(self) -> None:
        self._search_timer.stop()
        query = self.search_box.text().strip()
        conversation = self._conversation
        if not query or conversation is None:
            return
        self._runner.query(
            "search in chat",
            self._db_path,
            lambda store: (
                query,
                store.search(query, conversation_id=conversation.id, limit=SEARCH_LIMIT, context=0),
            ),
            self._on_search_done,
            self.failed.emit,
        )

    def _on_search_done(self, result: tuple[str, list[SearchHit]]) -> None:
        query, hits = result
        if query != self.search_box.text().strip():
            return  # the user typed on; a newer search is coming
        self._apply_hits(sorted((hit.message for hit in hits), key=lambda m: (m.ts_ms, m.id)))
        self.model.search_terms = tuple(query.split())
        if self._hits:
            self._step_hit(1)

    def _apply_hits(self, hits: list[Message]) -> None:
        self._hits = hits
        self._hit_index = -1
        self.model.search_terms = ()
        self.model.set_highlighted(set(self._hit_ids()))
        if self.search_box.text().strip():
            self.hit_label.setText(
                self.tr("%n match(es)", "", len(hits)) if hits else self.tr("No matches")
            )
        else:
            self.hit_label.clear()
        self._update_enabled()

    def _hit_ids(self) -> list[int]:
        return [message.id for message in self._hits]

    def _step_hit(self, step: int) -> None:
        if not self._hits:
            return
        self._hit_index = (self._hit_index + step) % len(self._hits)
        self.hit_label.setText(
            fill(self.tr("%1 of %2"), str(self._hit_index + 1), str(len(self._hits)))
        )
        self.show_message(self._hits[self._hit_index].id)

    # ------------------------------------------------------------ selection

    def _selected_positions(self) -> tuple[int, int] | None:
        ranges = self.view.selectionModel().selection()
        rows = [(r.top(), r.bottom()) for r in ranges]
        if not rows:
            return None
        positions: list[int] = []
        for top, bottom in rows:
            for row, step in ((top, 1), (bottom, -1)):
                while top <= row <= bottom:
                    position = self.model.position_for_row(row)
                    if position is not None:
                        positions.append(position)
                        break
                    row += step
        return (min(positions), max(positions)) if positions else None

    def _on_selection_changed(self, *_: Any) -> None:
        selected = self._selected_positions()
        if selected is None or selected[0] == selected[1]:
            self.selection_label.clear()
        else:
            self.selection_label.setText(
                self.tr("%n message(s) selected", "", selected[1] - selected[0] + 1)
            )
        self._update_enabled()

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        message: Message | None = current.data(Roles.MESSAGE) if current.isValid() else None
        if message is None:
            self.detail.clear()
            return
        sender = message.sender_name or self.tr("(unknown sender)")
        stamp = message.local_time.strftime("%Y-%m-%d %H:%M:%S")
        body = message.text if not message.media else f"{message.text}\n[{message.media}]"
        self.detail.setPlainText(f"{sender} · {stamp}\n{body}")

    def selected_range(self, on_ready: Any) -> None:
        """Resolve the selected rows to a MessageRange (times come from the archive)."""
        selected = self._selected_positions()
        conversation = self._conversation
        if selected is None or conversation is None:
            return
        first, last = selected
        self._runner.query(
            "selection range",
            self._db_path,
            lambda store: _range_of(store, conversation.id, first, last),
            lambda result: on_ready(result) if result is not None else None,
            self.failed.emit,
        )

    def _emit_selection(self, signal: Any) -> None:
        self.selected_range(signal.emit)

    def _update_enabled(self) -> None:
        has_chat = self._conversation is not None and self.model.message_count > 0
        self.search_box.setEnabled(has_chat)
        self.previous_hit.setEnabled(bool(self._hits))
        self.next_hit.setEnabled(bool(self._hits))
        self.date_edit.setEnabled(has_chat and self.model.has_separators)
        self.jump_button.setEnabled(has_chat and self.model.has_separators)
        selected = self._selected_positions() if has_chat else None
        self.summarize_button.setEnabled(selected is not None)
        self.ask_button.setEnabled(selected is not None)

    def close_loader(self) -> None:
        self.loader.stop()


def _span_dates(conversation: Conversation) -> tuple[date, date]:
    """First and last day of a conversation (UTC; a day of slack covers local clocks)."""
    first = local_datetime(conversation.first_ts_ms or 0, 0).date()
    last = local_datetime(conversation.last_ts_ms or 0, 0).date()
    return first, last


def _span(conversation: Conversation) -> str:
    first, last = _span_dates(conversation)
    return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)
