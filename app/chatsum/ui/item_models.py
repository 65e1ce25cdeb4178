"""Qt item models over the archive ("model" here means a Qt item model).

`MessageListModel` is what lets a million-message chat scroll smoothly. The
view asks for rows it is about to paint; the model answers from a small cache
of pages and, for a page it does not hold yet, answers "loading" and asks
`MessagePageLoader` for it. The loader is one background thread with its own
SQLite connection that serves the newest requests first, so dragging the
scroll bar across the whole chat never queues up stale reads, and the GUI
thread never waits on the disk. Rows are all one height (see `MessageView`),
so the view never measures rows it does not show.

Date separators are rows of their own. Where they go comes from the
conversation's `DayRuns` (computed once in a worker, see `profile.py`): with
separators, row r maps to a message position by a binary search over the run
starts. Until the runs arrive the model shows messages without separators.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import OrderedDict, deque
from dataclasses import dataclass
from enum import IntEnum
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from chatsum.core.domain import Conversation, Message
from chatsum.ui.i18n import fill
from chatsum.ui.profile import DayRuns

if TYPE_CHECKING:
    from chatsum.core.pipelines.extracting import ExtractionResult

PAGE_SIZE = 200
CACHED_PAGES = 64
_Index = QModelIndex | QPersistentModelIndex


class Roles(IntEnum):
    """Custom data roles shared by the models and their delegates."""

    CONVERSATION = Qt.ItemDataRole.UserRole + 1
    BADGE = Qt.ItemDataRole.UserRole + 2
    MESSAGE = Qt.ItemDataRole.UserRole + 10
    DAY = Qt.ItemDataRole.UserRole + 11
    HIGHLIGHTED = Qt.ItemDataRole.UserRole + 12
    POSITION = Qt.ItemDataRole.UserRole + 13
    MESSAGE_IDS = Qt.ItemDataRole.UserRole + 14
    SORT_KEY = Qt.ItemDataRole.UserRole + 20


# ---------------------------------------------------------------- conversations


class ConversationListModel(QAbstractListModel):
    """Every conversation in the archive, with an optional new-messages badge."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Conversation] = []
        self._badges: dict[int, int] = {}

    def set_conversations(self, conversations: list[Conversation]) -> None:
        self.beginResetModel()
        self._rows = list(conversations)
        self.endResetModel()

    def set_badges(self, badges: dict[int, int]) -> None:
        """Messages added since the last summary, by conversation id."""
        self._badges = dict(badges)
        if self._rows:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._rows) - 1), [Roles.BADGE.value]
            )

    def conversation(self, row: int) -> Conversation:
        return self._rows[row]

    def row_of(self, conversation_id: int) -> int | None:
        for row, conversation in enumerate(self._rows):
            if conversation.id == conversation_id:
                return row
        return None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        conversation = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return conversation.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{conversation.title} ({conversation.platform})"
        if role == Roles.CONVERSATION:
            return conversation
        if role == Roles.BADGE:
            return self._badges.get(conversation.id, 0)
        return None


class ConversationSort(IntEnum):
    RECENT = 0
    TITLE = 1
    SIZE = 2


class ConversationFilterModel(QSortFilterProxyModel):
    """Filters conversations by a text in title or platform and sorts them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._needle = ""
        self._sort = ConversationSort.RECENT
        self.setDynamicSortFilter(True)

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        self._needle = text.strip().casefold()
        self.endFilterChange()

    def set_sort(self, sort: ConversationSort) -> None:
        self._sort = sort
        order = (
            Qt.SortOrder.AscendingOrder
            if sort == ConversationSort.TITLE
            else Qt.SortOrder.DescendingOrder
        )
        self.invalidate()
        self.sort(0, order)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        if not self._needle:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        conversation: Conversation = index.data(Roles.CONVERSATION)
        haystack = f"{conversation.title} {conversation.platform}".casefold()
        return self._needle in haystack

    def lessThan(self, left: _Index, right: _Index) -> bool:
        a: Conversation = left.data(Roles.CONVERSATION)
        b: Conversation = right.data(Roles.CONVERSATION)
        if self._sort == ConversationSort.TITLE:
            return (a.title.casefold(), a.id) < (b.title.casefold(), b.id)
        if self._sort == ConversationSort.SIZE:
            return (a.message_count, a.id) < (b.message_count, b.id)
        return (a.last_ts_ms or 0, a.id) < (b.last_ts_ms or 0, b.id)


# ---------------------------------------------------------------- messages


@dataclass(frozen=True)
class MessagePage:
    """Messages at positions [first, first + len(messages)) of one conversation."""

    conversation_id: int
    generation: int
    page: int
    messages: tuple[Message, ...]


class MessagePageLoader(QObject):
    """A reader thread with its own connection; newest requests are served first."""

    page_loaded = Signal(object)  # MessagePage
    KEEP_REQUESTS = 6

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db_path = db_path
        self._requests: deque[tuple[int, int, int]] = deque()
        self._wake = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="message-pages", daemon=True)
        self._thread.start()

    def request(self, conversation_id: int, generation: int, page: int) -> None:
        request = (conversation_id, generation, page)
        with self._wake:
            if request in self._requests:
                self._requests.remove(request)
            self._requests.append(request)
            while len(self._requests) > self.KEEP_REQUESTS:
                self._requests.popleft()
            self._wake.notify()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        self._thread.join(timeout=5)

    def _serve(self) -> None:
        from chatsum.core.storage.store import Store

        store = Store.open(self._db_path)
        try:
            while True:
                with self._wake:
                    while not self._requests and not self._stopping:
                        self._wake.wait()
                    if self._stopping:
                        return
                    conversation_id, generation, page = self._requests.pop()
                messages = store.messages(conversation_id, limit=PAGE_SIZE, offset=page * PAGE_SIZE)
                self.page_loaded.emit(
                    MessagePage(conversation_id, generation, page, tuple(messages))
                )
        finally:
            store.close()


class MessageListModel(QAbstractListModel):
    """The messages of one conversation, fetched lazily in pages, with day separators."""

    def __init__(self, loader: MessagePageLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._loader.page_loaded.connect(self._on_page_loaded)
        self._conversation_id: int | None = None
        self._count = 0
        self._generation = 0
        self._pages: OrderedDict[int, tuple[Message, ...]] = OrderedDict()
        self._requested: set[int] = set()
        self._runs = DayRuns()
        self._separator_rows: list[int] = []
        self._highlighted: frozenset[int] = frozenset()
        self.search_terms: tuple[str, ...] = ()

    # ------------------------------------------------------------ loading

    @property
    def conversation_id(self) -> int | None:
        return self._conversation_id

    @property
    def message_count(self) -> int:
        return self._count

    @property
    def has_separators(self) -> bool:
        return bool(self._separator_rows)

    def show_conversation(self, conversation_id: int | None, message_count: int) -> None:
        self.beginResetModel()
        self._generation += 1
        self._conversation_id = conversation_id
        self._count = message_count if conversation_id is not None else 0
        self._pages.clear()
        self._requested.clear()
        self._runs = DayRuns()
        self._separator_rows = []
        self._highlighted = frozenset()
        self.search_terms = ()
        self.endResetModel()

    def set_day_runs(self, runs: DayRuns) -> None:
        """Insert date separators (positions of messages keep their meaning)."""
        self.beginResetModel()
        self._runs = runs
        self._separator_rows = [start + day for day, start in enumerate(runs.starts)]
        self.endResetModel()

    def _on_page_loaded(self, page: MessagePage) -> None:
        if page.generation != self._generation or page.conversation_id != self._conversation_id:
            return
        # The loader may have dropped older requests in favour of newer ones:
        # forget them all so that rows still on screen ask again when repainted.
        self._requested.clear()
        self._pages[page.page] = page.messages
        self._pages.move_to_end(page.page)
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        if not page.messages:
            return
        first = self.row_for_position(page.page * PAGE_SIZE)
        last = self.row_for_position(page.page * PAGE_SIZE + len(page.messages) - 1)
        self.dataChanged.emit(self.index(first), self.index(last))

    # ------------------------------------------------------------ positions and rows

    def row_for_position(self, position: int) -> int:
        """The row showing the message at `position` in time order."""
        if not self._separator_rows:
            return position
        return position + bisect_right(self._runs.starts, position)

    def position_for_row(self, row: int) -> int | None:
        """The message position shown in `row`, or None for a separator row."""
        if not self._separator_rows:
            return row
        run = bisect_right(self._separator_rows, row) - 1
        if run >= 0 and self._separator_rows[run] == row:
            return None
        return row - run - 1

    def row_for_day(self, day: int) -> int | None:
        """The separator row of the first day on or after `day`."""
        if not self._separator_rows:
            return None
        run = bisect_right(self._runs.days, day - 1)
        if run >= len(self._separator_rows):
            run = len(self._separator_rows) - 1
        return self._separator_rows[run]

    def message_at(self, row: int) -> Message | None:
        """The message shown in `row` if its page is loaded (asks for it otherwise)."""
        position = self.position_for_row(row)
        if position is None or not 0 <= position < self._count:
            return None
        page = position // PAGE_SIZE
        messages = self._pages.get(page)
        if messages is None:
            if page not in self._requested and self._conversation_id is not None:
                self._requested.add(page)
                self._loader.request(self._conversation_id, self._generation, page)
            return None
        self._pages.move_to_end(page)
        offset = position - page * PAGE_SIZE
        return messages[offset] if offset < len(messages) else None

    # ------------------------------------------------------------ highlights

    def set_highlighted(self, message_ids: set[int] | frozenset[int]) -> None:
        self._highlighted = frozenset(message_ids)
        if self.rowCount():
            self.dataChanged.emit(
                self.index(0), self.index(self.rowCount() - 1), [Roles.HIGHLIGHTED.value]
            )

    @property
    def highlighted(self) -> frozenset[int]:
        return self._highlighted

    # ------------------------------------------------------------ Qt interface

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid():
            return 0
        return self._count + len(self._separator_rows)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.position_for_row(index.row()) is None:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row = index.row()
        position = self.position_for_row(row)
        if position is None:
            run = bisect_right(self._separator_rows, row) - 1
            if role == Roles.DAY:
                return self._runs.days[run]
            return None
        if role == Roles.POSITION:
            return position
        if role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
            Roles.MESSAGE,
            Roles.HIGHLIGHTED,
        ):
            return None
        message = self.message_at(row)
        if message is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return message.text
        if role == Qt.ItemDataRole.ToolTipRole:
            # A tooltip may be read as rich text: only escaped chat text goes in.
            from html import escape

            return f"<p style='white-space:pre-wrap'>{escape(message.text)}</p>"
        if role == Roles.MESSAGE:
            return message
        return message.id in self._highlighted


# ---------------------------------------------------------------- language models


@dataclass(frozen=True)
class ModelRow:
    """One row of the Models dialog: a catalog entry or a user's own file."""

    id: str
    name: str
    installed: bool
    size: int | None
    license: str
    roles: tuple[str, ...]
    sources: tuple[str, ...]
    checksum: str  # what is known about the file's sha256, in words
    in_use: bool = False
    notes: str = ""


def _size_text(size: int | None) -> str:
    if not size:
        return "?"
    return f"{size / 1024**3:.2f} GB" if size >= 1024**3 else f"{size / 1024**2:.0f} MB"


class ModelListModel(QAbstractTableModel):
    """Known and installed language models, with size, licence and checksum state."""

    COLUMNS = ("model", "size", "licence", "status", "checksum")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ModelRow] = []

    def set_rows(self, rows: list[ModelRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row(self, row: int) -> ModelRow:
        return self._rows[row]

    def row_of(self, model_id: str) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.id == model_id), None)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self.COLUMNS):
            return None
        return {
            "model": self.tr("Model"),
            "size": self.tr("Size"),
            "licence": self.tr("Licence"),
            "status": self.tr("Status"),
            "checksum": self.tr("Checksum"),
        }[self.COLUMNS[section]]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "model":
                return ("● " if row.in_use else "") + f"{row.name} ({row.id})"
            if column == "size":
                return _size_text(row.size)
            if column == "licence":
                return row.license
            if column == "status":
                state = self.tr("installed") if row.installed else self.tr("not installed")
                return fill(self.tr("%1, in use"), state) if row.in_use else state
            return row.checksum
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(part for part in (row.id, ", ".join(row.roles), row.notes) if part)
        if role == Qt.ItemDataRole.FontRole and row.in_use:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        if role == Roles.SORT_KEY:
            return row.id
        return None


# ---------------------------------------------------------------- extraction


class ExtractionTableModel(QAbstractTableModel):
    """Extracted records: one row per customer, one column per schema field.

    Values are chat text and are shown as plain text; the tooltip (which Qt
    would render as rich text) is escaped. `Roles.MESSAGE_IDS` gives the ids
    of the messages a cell came from. Field headers are the schema's own
    names, or their English display names when `english`.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._result: ExtractionResult | None = None
        self._english = True

    @property
    def result(self) -> ExtractionResult | None:
        return self._result

    def set_result(self, result: ExtractionResult | None, english: bool = True) -> None:
        self.beginResetModel()
        self._result = result
        self._english = english
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._result is None:
            return 0
        return len(self._result.records)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._result is None:
            return 0
        return 1 + len(self._result.schema.fields)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if self._result is None or not 0 <= section < self.columnCount():
            return None
        if section == 0:
            return self.tr("Customer")
        item = self._result.schema.fields[section - 1]
        return item.display_en if self._english else item.name

    def message_ids(self, index: _Index) -> tuple[int, ...]:
        """The messages behind a cell (the whole record's for the customer column)."""
        if self._result is None or not index.isValid():
            return ()
        if not 0 <= index.row() < len(self._result.records):
            return ()
        record = self._result.records[index.row()]
        if index.column() == 0:
            return record.message_ids
        if not 0 < index.column() <= len(record.cells):
            return ()
        return record.cells[index.column() - 1].message_ids

    def _text(self, index: _Index) -> str | None:
        if self._result is None or not index.isValid():
            return None
        if not 0 <= index.row() < len(self._result.records):
            return None
        record = self._result.records[index.row()]
        if index.column() == 0:
            return record.customer
        if not 0 < index.column() <= len(record.cells):
            return None
        return record.cells[index.column() - 1].display()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        text = self._text(index)
        if text is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return text.replace("\n", " ")
        if role == Qt.ItemDataRole.ToolTipRole:
            if not text:
                return None
            count = len(self.message_ids(index))
            note = self.tr("%n source message(s); click to show", "", count) if count else ""
            body = escape(text)
            return f"<p style='white-space:pre-wrap'>{body}</p>" + (
                f"<p><i>{note}</i></p>" if note else ""
            )
        if role == Roles.MESSAGE_IDS:
            return self.message_ids(index)
        return None
