"""Terminal output shared by the commands: JSON, tables, and a progress line
that drives a core progress generator and stops it cleanly on Ctrl+C."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Generator
from typing import Any, TypeVar

from chatsum.core.progress import CancelToken, Progress

T = TypeVar("T")


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(rows: list[list[str]], headers: list[str]) -> None:
    from unicodedata import east_asian_width

    def width(text: str) -> int:
        return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)

    table = [headers, *rows]
    widths = [max(width(row[i]) for row in table) for i in range(len(headers))]
    for index, row in enumerate(table):
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(row)]
        print("  ".join(cells).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def run_with_progress(
    gen: Generator[Any, None, T], cancel: CancelToken | None = None, quiet: bool = False
) -> T:
    """Drive a progress generator, drawing a one-line progress display on stderr.

    Text pieces (str) are written to stdout as they stream. On Ctrl+C the token
    is cancelled and the generator is allowed to unwind (its transaction rolls back).
    """
    show = not quiet and sys.stderr.isatty()
    last_draw = 0.0
    try:
        while True:
            try:
                event = next(gen)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            except KeyboardInterrupt:
                if cancel is not None:
                    cancel.cancel()
                raise
            if isinstance(event, str):
                sys.stdout.write(event)
                sys.stdout.flush()
            elif isinstance(event, Progress) and show and time.monotonic() - last_draw > 0.1:
                last_draw = time.monotonic()
                sys.stderr.write("\r\x1b[2K" + describe(event))
                sys.stderr.flush()
    finally:
        if show:
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()


def describe(event: Progress) -> str:
    parts = [event.stage, event.message]
    if event.total:
        parts.append(f"{event.done}/{event.total} {event.unit}")
    elif event.done:
        parts.append(f"{event.done} {event.unit}")
    if event.eta_s is not None:
        parts.append(f"ETA {event.eta_s:.0f}s")
    return " · ".join(p for p in parts if p)
