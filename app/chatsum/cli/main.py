"""The `chatsum` command: parses arguments, builds Settings and services once,
dispatches to one command module, and turns `ChatsumError` into one clean line
and an exit code. Each command module exposes `register(subparsers)` and sets
`handler(args, services) -> int` on its parser.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from chatsum import __version__
from chatsum.config import load_settings
from chatsum.core.errors import ChatsumError
from chatsum.services import AppServices

COMMAND_MODULES = [
    "chatsum.cli.cmd_archive",
    "chatsum.cli.cmd_ask",
    "chatsum.cli.cmd_extract",
    "chatsum.cli.cmd_models",
    "chatsum.cli.cmd_demo",
    "chatsum.cli.cmd_summarize",
    "chatsum.cli.cmd_eval",
    "chatsum.cli.cmd_train",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chatsum",
        description="Summaries and answers over your exported group chats, on your own machine.",
    )
    parser.add_argument("--version", action="version", version=f"chatsum {__version__}")
    parser.add_argument(
        "--home",
        help="folder for every file chatsum writes (default: CHATSUM_HOME or the user data dir)",
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="check this installation end to end on the bundled sample with the tiny test model "
        "(in a temporary folder unless --home or CHATSUM_HOME names one); exit 0 if it works",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None, services: AppServices | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.selftest:
        from chatsum.cli.cmd_demo import run_selftest

        return run_selftest(args.home)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 0
    own_services = services is None
    try:
        if services is None:
            services = AppServices(load_settings({"home": args.home}))
        return int(args.handler(args, services) or 0)
    except ChatsumError as exc:
        print(f"chatsum: {exc.user_message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("chatsum: interrupted; nothing partial was kept.", file=sys.stderr)
        return 130
    finally:
        if own_services and services is not None:
            services.close()


if __name__ == "__main__":
    sys.exit(main())
