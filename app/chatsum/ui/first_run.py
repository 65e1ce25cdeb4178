"""The screen shown while the archive is empty: what to export, and a sample.

Most people do not know that their chat app can export a conversation, or
which of its formats to pick. This screen says it per app, in a few steps,
and offers the bundled sample chat so the app can be tried in a minute.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from chatsum.ui.icons import platform_pixmap


class FirstRunPanel(QScrollArea):
    """Welcome text, export instructions per app, import and sample buttons."""

    import_requested = Signal()
    sample_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(14)

        title = QLabel(self.tr("Welcome to chatsum"))
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        title.setFont(font)
        intro = QLabel(
            self.tr(
                "Export a group chat from your messaging app, drop the file, folder or zip "
                "anywhere on this window, and chatsum summarizes it by topic and answers "
                "questions about it. Everything stays on this computer."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(title)
        layout.addWidget(intro)

        buttons = QHBoxLayout()
        self.import_button = QPushButton(self.tr("Import chat exports…"))
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self.import_requested.emit)
        self.sample_button = QPushButton(self.tr("Try the sample archive"))
        self.sample_button.clicked.connect(self.sample_requested.emit)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.sample_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

        heading = QLabel(self.tr("How to export your chats"))
        bold = heading.font()
        bold.setBold(True)
        bold.setPointSizeF(bold.pointSizeF() * 1.2)
        heading.setFont(bold)
        layout.addWidget(heading)
        grid = QGridLayout()
        grid.setSpacing(12)
        for index, (platform, name, steps) in enumerate(self._instructions()):
            grid.addWidget(self._card(platform, name, steps), index // 2, index % 2)
        layout.addLayout(grid)
        layout.addStretch(1)
        self.setWidget(body)

    def _instructions(self) -> list[tuple[str, str, str]]:
        return [
            (
                "whatsapp",
                "WhatsApp",
                self.tr(
                    "Open the chat, tap its name (or ⋮ on Android), choose More → Export chat → "
                    "Without media. Drop the .txt or .zip you get."
                ),
            ),
            (
                "telegram",
                "Telegram",
                self.tr(
                    "In Telegram Desktop open the chat, ⋮ → Export chat history, format "
                    "“Machine-readable JSON”. Drop result.json or the whole folder."
                ),
            ),
            (
                "wechat",
                self.tr("WeChat"),
                self.tr(
                    "WeChat cannot export chats itself. On Windows, use MemoTrace (留痕) to export "
                    "a chat as CSV or TXT, then drop that file."
                ),
            ),
            (
                "qq",
                "QQ",
                self.tr(
                    "Open Message Manager (消息管理器), right-click the group and export its "
                    "history as .txt (or .mht). Drop the file."
                ),
            ),
            (
                "discord",
                "Discord",
                self.tr(
                    "Use DiscordChatExporter to export a channel as JSON (or CSV). Drop the file."
                ),
            ),
            (
                "slack",
                "Slack",
                self.tr(
                    "A workspace admin exports data from Settings → Import/Export Data → Export. "
                    "Drop the zip as it is."
                ),
            ),
            (
                "line",
                "LINE",
                self.tr("Open the chat, ≡ → Settings → Export chat history. Drop the .txt file."),
            ),
        ]

    def _card(self, platform: str, name: str, steps: str) -> QFrame:
        card = QFrame()
        card.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(card)
        badge = QLabel()
        badge.setPixmap(platform_pixmap(platform, 36, self.devicePixelRatioF()))
        badge.setAlignment(Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        title = QLabel(name)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        label = QLabel(steps)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        text.addWidget(title)
        text.addWidget(label, 1)
        layout.addWidget(badge)
        layout.addLayout(text, 1)
        return card
