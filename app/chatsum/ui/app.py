"""`chatsum-app`: the desktop application's entry point.

`main()` builds everything once, in order: the QApplication, Settings (the
same precedence as the CLI, plus a data location remembered by the window),
the log file and exception hooks, the translators, AppServices, and the main
window. `--screenshot DIR` renders every main view into PNGs in English and
Chinese from the bundled sample archive and exits (used for the docs). On a
machine with no display the window cannot open; we say so and point to the
headless demo instead of letting Qt abort.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from chatsum import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatsum-app", description="The chatsum desktop app.")
    parser.add_argument("--version", action="version", version=f"chatsum {__version__}")
    parser.add_argument(
        "--home",
        help="folder for every file chatsum writes (default: CHATSUM_HOME or the user data dir)",
    )
    parser.add_argument(
        "--language", choices=["auto", "en", "zh"], help="interface language for this run"
    )
    parser.add_argument(
        "--screenshot",
        metavar="DIR",
        type=Path,
        help="render each main view to PNGs in DIR (English and Chinese) and exit",
    )
    return parser


GIL_SWITCH_INTERVAL_S = 0.001


def tune_interpreter() -> None:
    """Let the GUI thread take the GIL back within ~1 ms of asking.

    Painting calls into Python many times per frame; with the default 5 ms
    switch interval, each call can wait that long behind a busy worker
    thread (reading a conversation, preparing a summary), and a frame takes
    hundreds of milliseconds.
    """
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM"):
        return True
    if sys.platform != "linux":
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # heavy jobs run in child processes, also when frozen
    args = build_parser().parse_args(argv)
    if args.screenshot is not None and not has_display():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    if not has_display():
        print(
            "chatsum-app: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set, and no "
            "QT_QPA_PLATFORM). Run `chatsum demo` for the headless demo, or "
            "`chatsum-app --screenshot DIR` to render the views to images.",
            file=sys.stderr,
        )
        return 2

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    tune_interpreter()
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName("chatsum")
    app.setApplicationName("chatsum")
    app.setApplicationVersion(__version__)

    if args.screenshot is not None:
        from chatsum.ui.screenshots import render_screenshots

        written = render_screenshots(args.screenshot)
        print(f"wrote {len(written)} screenshots to {args.screenshot}")
        return 0

    from chatsum.config import load_settings
    from chatsum.core.errors import ChatsumError
    from chatsum.services import AppServices
    from chatsum.ui.error_dialog import ExceptionRelay, install_excepthooks, setup_logging
    from chatsum.ui.i18n import choose_language, install_language
    from chatsum.ui.icons import app_icon
    from chatsum.ui.main_window import MainWindow
    from chatsum.ui.settings_dialog import remembered_home

    gui_state = QSettings()
    home = args.home or (None if os.environ.get("CHATSUM_HOME") else remembered_home(gui_state))
    try:
        settings = load_settings({"home": home})
    except ChatsumError as exc:
        print(f"chatsum-app: {exc.user_message}", file=sys.stderr)
        return exc.exit_code
    log_file = setup_logging(settings.logs_dir)
    relay = ExceptionRelay(log_file)
    install_excepthooks(relay)
    install_language(choose_language(args.language or settings.ui_language))
    app.setWindowIcon(app_icon())

    services = AppServices(settings)
    window = MainWindow(services)
    geometry = gui_state.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    window.show()
    try:
        return int(app.exec())
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
