"""The left column: every conversation, filterable and sortable.

Each row shows the platform badge, the title, how many messages and over
which days, and a badge with the number of messages added since the last
summary of that conversation (when summaries exist). The list itself is
loaded by the main window in a job; this panel only presents it.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, QModelIndex, QPersistentModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from chatsum.core.domain import Conversation, local_datetime
from chatsum.ui.icons import platform_icon
from chatsum.ui.item_models import (
    ConversationFilterModel,
    ConversationListModel,
    ConversationSort,
    Roles,
)

ICON = 32
_Index = QModelIndex | QPersistentModelIndex


def date_span(conversation: Conversation) -> str:
    if conversation.first_ts_ms is None or conversation.last_ts_ms is None:
        return ""
    first = local_datetime(conversation.first_ts_ms, 0).date().isoformat()
    last = local_datetime(conversation.last_ts_ms, 0).date().isoformat()
    return first if first == last else f"{first} – {last}"


class ConversationDelegate(QStyledItemDelegate):
    """Badge, title, counts and span, and a new-messages pill."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        metrics = QFontMetrics(option.font)
        return QSize(220, max(ICON, metrics.lineSpacing() * 2) + 14)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        conversation: Conversation | None = index.data(Roles.CONVERSATION)
        if conversation is None:
            return
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(option.rect, option.palette.color(QPalette.ColorRole.Highlight))
        text_color = option.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        rect = QRectF(option.rect).adjusted(8, 7, -8, -7)
        platform_icon(conversation.platform).paint(
            painter, int(rect.left()), int(rect.center().y() - ICON / 2), ICON, ICON
        )
        metrics = QFontMetrics(option.font)
        left = rect.left() + ICON + 10
        badge = int(index.data(Roles.BADGE) or 0)
        badge_text = QLocale().toString(badge) if badge else ""
        badge_width = metrics.horizontalAdvance(badge_text) + 14 if badge else 0
        right = rect.right() - badge_width - (6 if badge else 0)
        bold = QFont(option.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(text_color)
        title_rect = QRectF(left, rect.top(), right - left, metrics.lineSpacing())
        painter.drawText(
            title_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            QFontMetrics(bold).elidedText(
                conversation.title, Qt.TextElideMode.ElideRight, int(title_rect.width())
            ),
        )
        painter.setFont(option.font)
        muted = QColor(text_color)
        muted.setAlpha(160)
        painter.setPen(muted)
        detail = self.tr("%n message(s)", "", conversation.message_count)
        span = date_span(conversation)
        if span:
            detail += f" · {span}"
        detail_rect = QRectF(
            left, rect.top() + metrics.lineSpacing(), rect.right() - left, metrics.lineSpacing()
        )
        painter.drawText(
            detail_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            metrics.elidedText(detail, Qt.TextElideMode.ElideRight, int(detail_rect.width())),
        )
        if badge:
            pill = QRectF(rect.right() - badge_width, rect.top() + 1, badge_width, metrics.height())
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e5484d"))
            painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
            painter.setPen(QColor("white"))
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, badge_text)
        painter.restore()


class ConversationPanel(QWidget):
    """Filter box, sort choice and the conversation list."""

    conversation_selected = Signal(object)  # Conversation | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = ConversationListModel(self)
        self.proxy = ConversationFilterModel(self)
        self.proxy.setSourceModel(self.model)

        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText(self.tr("Filter conversations"))
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.textChanged.connect(self.proxy.set_filter_text)
        self.sort_box = QComboBox()
        self.sort_box.addItem(self.tr("Recent first"), ConversationSort.RECENT)
        self.sort_box.addItem(self.tr("By name"), ConversationSort.TITLE)
        self.sort_box.addItem(self.tr("Most messages"), ConversationSort.SIZE)
        self.sort_box.currentIndexChanged.connect(self._on_sort_changed)

        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(ConversationDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)

        top = QHBoxLayout()
        top.addWidget(self.filter_box, 1)
        top.addWidget(self.sort_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.proxy.set_sort(ConversationSort.RECENT)

    def set_conversations(self, conversations: list[Conversation]) -> None:
        """Replace the list, keeping the selected conversation selected."""
        current = self.current_conversation()
        self.model.set_conversations(conversations)
        if current is not None and self.select(current.id):
            return
        if self.proxy.rowCount():
            self.view.setCurrentIndex(self.proxy.index(0, 0))
        else:
            self.conversation_selected.emit(None)

    def current_conversation(self) -> Conversation | None:
        index = self.view.currentIndex()
        return index.data(Roles.CONVERSATION) if index.isValid() else None

    def select(self, conversation_id: int) -> bool:
        row = self.model.row_of(conversation_id)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row))
        if not index.isValid():
            self.filter_box.clear()
            index = self.proxy.mapFromSource(self.model.index(row))
        if self.view.currentIndex() == index:
            self.conversation_selected.emit(index.data(Roles.CONVERSATION))
        else:
            self.view.setCurrentIndex(index)
        return True

    def _on_sort_changed(self, _row: int) -> None:
        self.proxy.set_sort(ConversationSort(self.sort_box.currentData()))

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.conversation_selected.emit(
            current.data(Roles.CONVERSATION) if current.isValid() else None
        )
