"""Small charts drawn with QPainter (the Essentials build of Qt has no QtCharts).

Each chart is a plain widget with a `set_data` method taking already-aggregated
numbers, so painting is cheap and never touches the archive. Colours come from
one palette; text uses the widget font so Chinese labels render with the same
CJK font as the rest of the UI.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, QLocale, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from chatsum.ui.profile import day_to_date

ACCENT = QColor("#3b6fd8")
MARGIN = 8


class ChartWidget(QWidget):
    """Common frame: a title, an empty-state message and a muted colour."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.empty_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def sizeHint(self) -> QSize:
        return QSize(420, 200)

    def muted(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.PlaceholderText)

    def begin(self) -> tuple[QPainter, QRectF]:
        """A painter with the title drawn; returns the area left for the chart."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = QFontMetrics(self.font())
        bold = self.font()
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.drawText(
            QRectF(MARGIN, 0, self.width() - 2 * MARGIN, metrics.lineSpacing() + 4),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            self.title,
        )
        painter.setFont(self.font())
        top = metrics.lineSpacing() + 8
        return painter, QRectF(MARGIN, top, self.width() - 2 * MARGIN, self.height() - top - MARGIN)

    def draw_empty(self, painter: QPainter, area: QRectF) -> None:
        painter.setPen(self.muted())
        painter.drawText(
            area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text
        )


class DailyActivityChart(ChartWidget):
    """Messages per day as a filled area with month ticks."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._days: list[tuple[int, int]] = []

    def set_data(self, per_day: list[tuple[int, int]] | tuple[tuple[int, int], ...]) -> None:
        self._days = list(per_day)
        self.update()

    def paintEvent(self, _event: object) -> None:
        painter, area = self.begin()
        try:
            if not self._days:
                self.draw_empty(painter, area)
                return
            metrics = QFontMetrics(self.font())
            peak = max(count for _, count in self._days)
            label_width = metrics.horizontalAdvance(QLocale().toString(peak)) + 6
            plot = area.adjusted(label_width, 0, 0, -metrics.lineSpacing() - 4)
            first, last = self._days[0][0], self._days[-1][0]
            span = max(1, last - first)

            def x_of(day: int) -> float:
                return plot.left() + (day - first) / span * plot.width()

            def y_of(count: int) -> float:
                return plot.bottom() - count / peak * plot.height()

            painter.setPen(QPen(self.muted(), 0.5, Qt.PenStyle.DotLine))
            for fraction in (0.5, 1.0):
                y = plot.bottom() - fraction * plot.height()
                painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(self.muted())
            painter.drawText(
                QRectF(
                    area.left(),
                    plot.top() - metrics.height() / 2,
                    label_width - 4,
                    metrics.height(),
                ),
                Qt.AlignmentFlag.AlignRight,
                QLocale().toString(peak),
            )
            painter.drawText(
                QRectF(
                    area.left(),
                    plot.bottom() - metrics.height() / 2,
                    label_width - 4,
                    metrics.height(),
                ),
                Qt.AlignmentFlag.AlignRight,
                "0",
            )
            path = QPainterPath(QPointF(x_of(first), plot.bottom()))
            previous = first - 1
            for day, count in self._days:
                if day - previous > 1:  # days without messages are zero
                    path.lineTo(QPointF(x_of(previous + 1), plot.bottom()))
                    path.lineTo(QPointF(x_of(day - 1), plot.bottom()))
                path.lineTo(QPointF(x_of(day), y_of(count)))
                previous = day
            path.lineTo(QPointF(x_of(last), plot.bottom()))
            fill = QColor(ACCENT)
            fill.setAlpha(90)
            painter.setBrush(fill)
            painter.setPen(QPen(ACCENT, 1.2))
            if len(self._days) == 1:
                painter.drawRect(
                    QRectF(
                        plot.center().x() - 4,
                        y_of(self._days[0][1]),
                        8,
                        plot.bottom() - y_of(self._days[0][1]),
                    )
                )
            else:
                painter.drawPath(path)
            self._draw_ticks(painter, plot, first, last, x_of, metrics)
        finally:
            painter.end()

    def _draw_ticks(
        self,
        painter: QPainter,
        plot: QRectF,
        first: int,
        last: int,
        x_of: object,
        metrics: QFontMetrics,
    ) -> None:
        painter.setPen(self.muted())
        start, end = day_to_date(first), day_to_date(last)
        labels = [start, end] if start != end else [start]
        if (end - start).days > 60:
            month = date(start.year, start.month, 1)
            labels = []
            while month <= end:
                if month >= start:
                    labels.append(month)
                month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        step = max(1, len(labels) // 8)
        last_right = -1e9
        for when in labels[::step]:
            day = (when - date(1970, 1, 1)).days
            text = QLocale().toString(
                QDate(when.year, when.month, when.day),
                "yyyy-MM" if len(labels) > 2 else "yyyy-MM-dd",
            )
            width = metrics.horizontalAdvance(text)
            x = min(max(x_of(day) - width / 2, plot.left()), plot.right() - width)  # type: ignore[operator]
            if x < last_right + 6:
                continue
            painter.drawText(QPointF(x, plot.bottom() + metrics.ascent() + 4), text)
            last_right = x + width


class HeatmapChart(ChartWidget):
    """Messages by weekday (rows) and hour (columns)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._grid: list[list[int]] = []

    def set_data(self, grid: tuple[tuple[int, ...], ...] | list[list[int]]) -> None:
        self._grid = [list(row) for row in grid]
        self.update()

    def paintEvent(self, _event: object) -> None:
        painter, area = self.begin()
        try:
            peak = max((max(row) for row in self._grid), default=0)
            if not peak:
                self.draw_empty(painter, area)
                return
            metrics = QFontMetrics(self.font())
            names = [QLocale().dayName(day, QLocale.FormatType.ShortFormat) for day in range(1, 8)]
            label_width = max(metrics.horizontalAdvance(name) for name in names) + 8
            plot = area.adjusted(label_width, 0, 0, -metrics.lineSpacing() - 2)
            cell_w, cell_h = plot.width() / 24, plot.height() / 7
            painter.setPen(Qt.PenStyle.NoPen)
            for weekday, row in enumerate(self._grid):
                for hour, count in enumerate(row):
                    colour = QColor(ACCENT)
                    colour.setAlphaF(0.06 + 0.94 * count / peak if count else 0.04)
                    painter.setBrush(colour)
                    painter.drawRoundedRect(
                        QRectF(
                            plot.left() + hour * cell_w + 1,
                            plot.top() + weekday * cell_h + 1,
                            cell_w - 2,
                            cell_h - 2,
                        ),
                        2,
                        2,
                    )
            painter.setPen(self.muted())
            for weekday, name in enumerate(names):
                painter.drawText(
                    QRectF(area.left(), plot.top() + weekday * cell_h, label_width - 6, cell_h),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    name,
                )
            for hour in range(0, 24, 3):
                painter.drawText(
                    QRectF(
                        plot.left() + hour * cell_w,
                        plot.bottom() + 2,
                        cell_w * 3,
                        metrics.lineSpacing(),
                    ),
                    Qt.AlignmentFlag.AlignLeft,
                    f"{hour:02d}",
                )
        finally:
            painter.end()


class RankingChart(ChartWidget):
    """Horizontal bars: the most active members and their message counts."""

    MAX_ROWS = 8

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._rows: list[tuple[str, int]] = []

    def set_data(self, rows: list[tuple[str, int]] | tuple[tuple[str, int], ...]) -> None:
        self._rows = list(rows)[: self.MAX_ROWS]
        self.update()

    def paintEvent(self, _event: object) -> None:
        painter, area = self.begin()
        try:
            if not self._rows:
                self.draw_empty(painter, area)
                return
            metrics = QFontMetrics(self.font())
            peak = self._rows[0][1] or 1
            name_width = min(
                area.width() * 0.35,
                max(metrics.horizontalAdvance(name) for name, _ in self._rows) + 8,
            )
            row_h = min(area.height() / len(self._rows), metrics.lineSpacing() + 8)
            for index, (name, count) in enumerate(self._rows):
                top = area.top() + index * row_h
                painter.setPen(self.palette().color(QPalette.ColorRole.Text))
                painter.drawText(
                    QRectF(area.left(), top, name_width - 6, row_h),
                    Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(name_width - 6)),
                )
                count_text = QLocale().toString(count)
                bar_space = area.width() - name_width - metrics.horizontalAdvance(count_text) - 8
                bar = QRectF(
                    area.left() + name_width, top + 3, max(2.0, bar_space * count / peak), row_h - 6
                )
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(ACCENT)
                painter.drawRoundedRect(bar, 3, 3)
                painter.setPen(self.muted())
                painter.drawText(
                    QRectF(bar.right() + 4, top, area.right() - bar.right(), row_h),
                    Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                    count_text,
                )
        finally:
            painter.end()


class TimelineChart(ChartWidget):
    """Topics of cached summaries laid out along time, one lane per summary."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._items: list[tuple[int, int, str]] = []  # (since_ms, until_ms, label)

    def set_data(self, items: list[tuple[int, int, str]]) -> None:
        self._items = sorted(items)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(420, 160)

    def paintEvent(self, _event: object) -> None:
        painter, area = self.begin()
        try:
            if not self._items:
                self.draw_empty(painter, area)
                return
            metrics = QFontMetrics(self.font())
            start = min(item[0] for item in self._items)
            end = max(item[1] for item in self._items)
            span = max(1, end - start)
            lane_h = metrics.lineSpacing() + 6
            lanes: list[float] = []  # right edge of the last label in each lane
            for since, until, label in self._items:
                x = area.left() + (since - start) / span * area.width()
                width = max((until - since) / span * area.width(), 6.0)
                text_width = metrics.horizontalAdvance(label) + 10
                lane = next((i for i, right in enumerate(lanes) if right < x), None)
                if lane is None:
                    lane = len(lanes)
                    lanes.append(0.0)
                if area.top() + (lane + 1) * lane_h > area.bottom():
                    continue
                lanes[lane] = x + max(width, text_width)
                rect = QRectF(x, area.top() + lane * lane_h, max(width, text_width), lane_h - 3)
                colour = QColor(ACCENT)
                colour.setAlpha(50)
                painter.setPen(QPen(ACCENT, 1))
                painter.setBrush(colour)
                painter.drawRoundedRect(rect, 4, 4)
                painter.setPen(self.palette().color(QPalette.ColorRole.Text))
                painter.drawText(
                    rect.adjusted(5, 0, -2, 0),
                    Qt.AlignmentFlag.AlignVCenter,
                    metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(rect.width() - 7)),
                )
        finally:
            painter.end()
