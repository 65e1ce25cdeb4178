"""Interface language: English source strings, Simplified Chinese translation.

Every visible string goes through `tr()`; `resources/i18n/chatsum_zh_CN.ts`
holds the translations (edited by hand or in Qt Linguist) and is compiled to
the `.qm` file loaded here (`pyside6-lrelease`). Qt's own strings (standard
buttons, file dialogs) come from the `qtbase` catalogue that ships with Qt.
The language follows the system locale unless the user picked one
(`ui_language` setting: auto | en | zh). `fill()` substitutes %1, %2… in a
single pass, like QString::arg, so translators can reorder placeholders.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from chatsum.ui.resources import resource_path

LANGUAGES = ("en", "zh_CN")
_PLACEHOLDER = re.compile(r"%(\d)")
_installed: list[QTranslator] = []


def fill(template: str, *values: object) -> str:
    """Replace %1..%9 with `values` (each placeholder once, in one pass)."""

    def value(match: re.Match[str]) -> str:
        index = int(match.group(1)) - 1
        return str(values[index]) if 0 <= index < len(values) else match.group(0)

    return _PLACEHOLDER.sub(value, template)


def choose_language(setting: str, system: QLocale | None = None) -> str:
    """ "en" or "zh_CN" from the ui_language setting (auto follows the system)."""
    wanted = setting.strip().lower()
    if wanted.startswith("zh"):
        return "zh_CN"
    if wanted == "en":
        return "en"
    locale = system or QLocale.system()
    return "zh_CN" if locale.language() == QLocale.Language.Chinese else "en"


def translation_file(language: str) -> str:
    return str(resource_path("i18n", f"chatsum_{language}.qm"))


def install_language(language: str) -> bool:
    """Switch the application's translators and default locale; True if loaded."""
    app = QCoreApplication.instance()
    assert app is not None, "install_language needs a QApplication"
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese, QLocale.Country.China)
        if language == "zh_CN"
        else QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    )
    if language == "en":
        return True
    ours = QTranslator(app)
    loaded = ours.load(translation_file(language))
    if loaded:
        app.installTranslator(ours)
        _installed.append(ours)
    qt_own = QTranslator(app)
    if qt_own.load(
        f"qtbase_{language}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    return loaded
