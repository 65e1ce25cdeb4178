"""Platform badges and the app icon, drawn rather than shipped as images.

A platform is shown as a coloured disc with a short mark (its initial, or 微
for WeChat). Drawing keeps the badges crisp at any scale, needs no image files
for the dozens of formats importers add over time, and avoids shipping other
companies' logos. The app icon is an SVG in `resources/icons/`.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from chatsum.ui.resources import resource_path

# (colour, mark) by platform id; anything else gets a neutral disc with its initial.
PLATFORM_BADGES: dict[str, tuple[str, str]] = {
    "whatsapp": ("#25D366", "W"),
    "telegram": ("#2AABEE", "T"),
    "wechat": ("#07C160", "微"),
    "qq": ("#12B7F5", "Q"),
    "discord": ("#5865F2", "D"),
    "slack": ("#4A154B", "S"),
    "line": ("#06C755", "L"),
    "instagram": ("#C13584", "I"),
    "messenger": ("#0084FF", "M"),
    "chatlab": ("#FF7A45", "C"),
}


def platform_pixmap(platform: str, size: int = 32, ratio: float = 1.0) -> QPixmap:
    colour, mark = PLATFORM_BADGES.get(platform, ("#8C8C8C", (platform[:1] or "?").upper()))
    pixmap = QPixmap(int(size * ratio), int(size * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(colour))
    painter.drawEllipse(QRectF(1, 1, size - 2, size - 2))
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(size * 0.5))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, mark)
    painter.end()
    return pixmap


@cache
def platform_icon(platform: str) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(platform_pixmap(platform, size))
    return icon


def app_icon() -> QIcon:
    path = resource_path("icons", "chatsum.svg")
    return QIcon(str(path)) if path.exists() else QIcon(platform_pixmap("chatsum", 64))
