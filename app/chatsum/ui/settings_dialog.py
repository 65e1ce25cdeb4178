"""The Settings dialog: where data lives, languages, privacy, retrieval.

Settings are persisted with `chatsum.config.save_setting` into the TOML file
the CLI reads too, so both clients agree. The data location itself cannot be
stored in that file (the file lives inside it), so the window remembers a
chosen location in QSettings and uses it at the next start unless
`CHATSUM_HOME` or `--home` says otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chatsum.config import Settings, save_setting

HOME_KEY = "data/home"


class SettingsDialog(QDialog):
    """Edits the settings a user is expected to change; `settings` holds the result."""

    def __init__(
        self, settings: Settings, gui_state: QSettings, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Settings"))
        self.settings = settings
        self._gui_state = gui_state

        self.home_edit = QLineEdit(str(settings.home))
        self.home_edit.setReadOnly(True)
        browse = QPushButton(self.tr("Change…"))
        browse.clicked.connect(self._on_browse_clicked)
        home_row = QHBoxLayout()
        home_row.addWidget(self.home_edit, 1)
        home_row.addWidget(browse)
        self.home_note = QLabel(self.tr("A new location is used the next time chatsum starts."))
        self.home_note.setWordWrap(True)
        self.home_note.setEnabled(False)

        self.ui_language = QComboBox()
        for label, value in (
            (self.tr("Follow the system"), "auto"),
            ("English", "en"),
            ("简体中文", "zh"),
        ):
            self.ui_language.addItem(label, value)
        self.summary_language = QComboBox()
        for label, value in (
            (self.tr("The chat's own language"), "auto"),
            (self.tr("Chinese"), "zh"),
            (self.tr("English"), "en"),
        ):
            self.summary_language.addItem(label, value)
        self.redact = QCheckBox(
            self.tr("Hide phone numbers, e-mail addresses and ID numbers from the model")
        )
        self.embedder = QLineEdit(settings.embedder)
        self.embedder.setToolTip(self.tr("A catalog id, a local folder or a hub model id"))
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0.0, 1.0)
        self.threshold.setSingleStep(0.05)
        self.threshold.setDecimals(2)
        self.threshold.setToolTip(
            self.tr("Below this relevance chatsum says the archive does not hold the answer")
        )

        form = QFormLayout()
        form.addRow(self.tr("Data location"), home_row)
        form.addRow("", self.home_note)
        form.addRow(self.tr("Interface language"), self.ui_language)
        form.addRow(self.tr("Summary language"), self.summary_language)
        form.addRow(self.tr("Privacy"), self.redact)
        form.addRow(self.tr("Embedder"), self.embedder)
        form.addRow(self.tr("Retrieval threshold"), self.threshold)
        self.language_note = QLabel(
            self.tr("The interface language changes the next time chatsum starts.")
        )
        self.language_note.setEnabled(False)
        self.language_note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.language_note)
        layout.addWidget(buttons)
        self._load(settings)

    def _load(self, settings: Settings) -> None:
        self.ui_language.setCurrentIndex(max(0, self.ui_language.findData(settings.ui_language)))
        self.summary_language.setCurrentIndex(
            max(0, self.summary_language.findData(settings.summary_language))
        )
        self.redact.setChecked(settings.redact_pii)
        self.threshold.setValue(settings.retrieval_min_score)
        self._new_home: Path | None = None

    def _on_browse_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, self.tr("Where chatsum keeps its data"), str(self.settings.home)
        )
        if folder:
            self._new_home = Path(folder)
            self.home_edit.setText(folder)

    def values(self) -> dict[str, Any]:
        return {
            "ui_language": self.ui_language.currentData(),
            "summary_language": self.summary_language.currentData(),
            "redact_pii": self.redact.isChecked(),
            "embedder": self.embedder.text().strip() or self.settings.embedder,
            "retrieval_min_score": round(self.threshold.value(), 2),
        }

    def accept(self) -> None:
        settings = self.settings
        for name, value in self.values().items():
            if getattr(settings, name) != value:
                settings = save_setting(settings, name, value)
        self.settings = settings
        if self._new_home is not None:
            self._gui_state.setValue(HOME_KEY, str(self._new_home))
        super().accept()


def remembered_home(gui_state: QSettings) -> str | None:
    value = gui_state.value(HOME_KEY)
    return str(value) if value else None
