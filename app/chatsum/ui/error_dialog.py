"""Unexpected errors: a dialog with details, and a log file to send.

A `ChatsumError` is something the user can act on and is shown as its message
where it happened. Anything else is a bug: `install_excepthooks` routes
uncaught exceptions from the GUI thread (`sys.excepthook`) and from worker
threads (`threading.excepthook`) to the log in `settings.logs_dir` and to
`ErrorDialog`, shown in the GUI thread (a worker thread never builds widgets).
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from chatsum.core.errors import ChatsumError
from chatsum.ui.i18n import fill

log = logging.getLogger("chatsum.ui")


def setup_logging(logs_dir: Path) -> Path:
    """Log to `logs_dir/chatsum-app.log` (rotated); returns the file."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / "chatsum-app.log"
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s")
    )
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


class ErrorDialog(QMessageBox):
    """A short message with the traceback under "Show Details"."""

    def __init__(
        self,
        message: str,
        details: str | None,
        log_file: Path | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setIcon(QMessageBox.Icon.Critical)
        self.setWindowTitle(self.tr("Something went wrong"))
        self.setText(
            self.tr(
                "chatsum hit an unexpected problem. Your archive is safe: unfinished work was rolled back."
            )
        )
        info = message
        if log_file is not None:
            info += "\n\n" + fill(self.tr("Details were written to %1"), str(log_file))
        self.setInformativeText(info)
        if details:
            self.setDetailedText(details)

    @classmethod
    def show_failure(cls, failure: Any, parent: QWidget | None = None) -> None:
        cls(failure.message, failure.details, ExceptionRelay.log_file, parent).exec()


class ExceptionRelay(QObject):
    """Carries uncaught exceptions from any thread to a dialog in the GUI thread."""

    raised = Signal(str, str)  # message, details
    log_file: Path | None = None

    def __init__(self, log_file: Path | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        ExceptionRelay.log_file = log_file
        self.raised.connect(self._on_exception_raised)
        self.dialogs_shown = 0

    def handle(
        self, kind: type[BaseException], value: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, value, tb)
            return
        details = "".join(traceback.format_exception(kind, value, tb))
        log.error("uncaught exception\n%s", details)
        message = (
            value.user_message if isinstance(value, ChatsumError) else f"{kind.__name__}: {value}"
        )
        self.raised.emit(message, details)

    def _on_exception_raised(self, message: str, details: str) -> None:
        self.dialogs_shown += 1
        ErrorDialog(message, details, self.log_file).exec()


def install_excepthooks(relay: ExceptionRelay) -> None:
    sys.excepthook = relay.handle

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            relay.handle(args.exc_type, args.exc_value, args.exc_traceback)

    threading.excepthook = thread_hook
