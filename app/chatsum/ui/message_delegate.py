"""Painting one row of the message view, fast and as plain text.

Every row has the same height (a header line and two lines of text), so the
view never needs to measure rows it is not showing; a longer message is
elided here and shown whole in the detail pane and tooltip. Chat text is drawn
with `QTextLayout`, never interpreted as HTML, so markup or links inside a
message stay inert characters. Search hits are drawn as background ranges on
the same layout.
"""

from __future__ import annotations

import zlib

from PySide6.QtCore import (
    QDate,
    QLocale,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextLayout,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from chatsum.core.domain import Message, MessageKind
from chatsum.ui.item_models import Roles
from chatsum.ui.profile import day_to_date

BODY_LINES = 2
PADDING = 6
_Index = QModelIndex | QPersistentModelIndex


def sender_color(name: str) -> QColor:
    """A stable, readable colour per sender name."""
    hue = zlib.crc32(name.encode("utf-8")) % 360
    return QColor.fromHsl(hue, 150, 90)


def hit_ranges(text: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, length) of every case-insensitive occurrence of each term."""
    folded = text.casefold()
    ranges: list[tuple[int, int]] = []
    for term in terms:
        needle = term.casefold()
        if not needle or len(needle) != len(term):
            continue
        start = folded.find(needle)
        while start >= 0:
            ranges.append((start, len(needle)))
            start = folded.find(needle, start + len(needle))
    return ranges


def _lay_out(layout: QTextLayout, width: float, max_lines: int) -> int:
    """Lay out up to `max_lines`; returns where the text after them starts."""
    layout.beginLayout()
    y = 0.0
    end = 0
    for _ in range(max_lines):
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        line.setPosition(QPointF(0, y))
        y += line.height()
        end = line.textStart() + line.textLength()
    layout.endLayout()
    return end


def body_layout(
    text: str, font: QFont, width: float, highlight: QColor, terms: tuple[str, ...]
) -> QTextLayout:
    """At most BODY_LINES lines of `text`, elided, with search hits marked."""
    flat = " ".join(text.split())
    layout = QTextLayout(flat, font)
    end = _lay_out(layout, width, BODY_LINES)
    if end < len(flat):
        last_start = layout.lineAt(layout.lineCount() - 1).textStart()
        tail = QFontMetrics(font).elidedText(
            flat[last_start:], Qt.TextElideMode.ElideRight, int(width)
        )
        flat = flat[:last_start] + tail
        layout = QTextLayout(flat, font)
    elif not terms:
        return layout
    formats = []
    for start, length in hit_ranges(flat, terms):
        fmt = QTextCharFormat()
        fmt.setBackground(highlight)
        item = QTextLayout.FormatRange()
        item.start, item.length, item.format = start, length, fmt
        formats.append(item)
    # Formats must be in place before the lines are laid out.
    layout.setFormats(formats)
    _lay_out(layout, width, BODY_LINES)
    return layout


class MessageDelegate(QStyledItemDelegate):
    """Draws date separators and messages; all rows have one cheap size."""

    HIT_COLOR = QColor(255, 214, 10, 170)
    CITED_COLOR = QColor(255, 196, 0, 60)

    @staticmethod
    def row_height(font: QFont) -> int:
        """The one height of every row: a header line and BODY_LINES of text."""
        return QFontMetrics(font).lineSpacing() * (BODY_LINES + 1) + 3 * PADDING

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(200, self.row_height(option.font))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        try:
            day = index.data(Roles.DAY)
            if day is not None:
                self._paint_separator(painter, option, day)
                return
            message = index.data(Roles.MESSAGE)
            self._paint_background(painter, option, bool(index.data(Roles.HIGHLIGHTED)))
            if message is None:
                painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
                painter.drawText(
                    QRectF(option.rect).adjusted(PADDING * 2, PADDING, 0, 0),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
                    self.tr("Loading…"),
                )
                return
            terms: tuple[str, ...] = getattr(index.model(), "search_terms", ())
            self._paint_message(painter, option, message, terms)
        finally:
            painter.restore()

    def _paint_background(
        self, painter: QPainter, option: QStyleOptionViewItem, cited: bool
    ) -> None:
        if option.state & QStyle.StateFlag.State_Selected:
            painter.fillRect(
                option.rect, option.palette.color(QPalette.ColorRole.Highlight).lighter(170)
            )
        elif cited:
            painter.fillRect(option.rect, self.CITED_COLOR)
        if cited:
            painter.fillRect(
                option.rect.adjusted(0, 0, -option.rect.width() + 4, 0), QColor(255, 170, 0)
            )

    def _paint_separator(self, painter: QPainter, option: QStyleOptionViewItem, day: int) -> None:
        when = day_to_date(day)
        label = QLocale().toString(
            QDate(when.year, when.month, when.day), QLocale.FormatType.LongFormat
        )
        metrics = QFontMetrics(option.font)
        width = metrics.horizontalAdvance(label) + 24
        height = metrics.height() + 8
        rect = QRectF(option.rect)
        chip = QRectF(rect.center().x() - width / 2, rect.center().y() - height / 2, width, height)
        line_pen = option.palette.color(QPalette.ColorRole.Mid)
        painter.setPen(line_pen)
        middle = rect.center().y()
        painter.drawLine(QPointF(rect.left() + 12, middle), QPointF(chip.left() - 8, middle))
        painter.drawLine(QPointF(chip.right() + 8, middle), QPointF(rect.right() - 12, middle))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(option.palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(chip, height / 2, height / 2)
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)

    def _paint_message(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        message: Message,
        terms: tuple[str, ...],
    ) -> None:
        rect = QRectF(option.rect).adjusted(PADDING * 2, PADDING, -PADDING * 2, -PADDING)
        metrics = QFontMetrics(option.font)
        muted = option.palette.color(QPalette.ColorRole.PlaceholderText)
        time_text = message.local_time.strftime("%H:%M")
        if message.kind == MessageKind.SYSTEM:
            painter.setPen(muted)
            italic = QFont(option.font)
            italic.setItalic(True)
            painter.setFont(italic)
            text = metrics.elidedText(
                f"{time_text}  {' '.join(message.text.split())}",
                Qt.TextElideMode.ElideRight,
                int(rect.width()),
            )
            painter.drawText(
                rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, text
            )
            return
        bold = QFont(option.font)
        bold.setBold(True)
        sender = message.sender_name or self.tr("(unknown sender)")
        painter.setFont(bold)
        painter.setPen(sender_color(sender))
        header = QRectF(rect.left(), rect.top(), rect.width(), metrics.lineSpacing())
        painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, sender)
        painter.setFont(option.font)
        painter.setPen(muted)
        stamp = time_text + (self.tr(" (edited)") if message.edited_ts_ms else "")
        painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, stamp)
        body_top = rect.top() + metrics.lineSpacing() + PADDING / 2
        body = self._body_text(message)
        if message.kind in (
            MessageKind.MEDIA,
            MessageKind.STICKER,
            MessageKind.FILE,
            MessageKind.DELETED,
        ):
            self._paint_chip(painter, option, QPointF(rect.left(), body_top), body, metrics)
            return
        painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        layout = body_layout(body, option.font, rect.width(), self.HIT_COLOR, terms)
        layout.draw(painter, QPointF(rect.left(), body_top))

    def _body_text(self, message: Message) -> str:
        label = {
            MessageKind.MEDIA: self.tr("Media"),
            MessageKind.STICKER: self.tr("Sticker"),
            MessageKind.FILE: self.tr("File"),
            MessageKind.DELETED: self.tr("Message deleted"),
        }.get(message.kind)
        if label is None:
            return message.text
        detail = message.media or message.text
        return f"{label}: {detail}" if detail and message.kind != MessageKind.DELETED else label

    def _paint_chip(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        top_left: QPointF,
        label: str,
        metrics: QFontMetrics,
    ) -> None:
        width = min(metrics.horizontalAdvance(label) + 20, option.rect.width() - 4 * PADDING)
        chip = QRectF(top_left.x(), top_left.y(), width, metrics.height() + 6)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(option.palette.color(QPalette.ColorRole.Mid))
        painter.setBrush(option.palette.color(QPalette.ColorRole.AlternateBase))
        painter.drawRoundedRect(chip, 6, 6)
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        text = metrics.elidedText(label, Qt.TextElideMode.ElideMiddle, int(width - 16))
        painter.drawText(chip.adjusted(8, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter, text)
