"""Progress events and cancellation for long operations.

A long core operation is a generator: it takes a `CancelToken`, yields
`Progress` events, and returns its result. Every yield is a cancel point, so
the CLI, the GUI worker and the tests drive the same code and can all stop it.
Nothing here knows about Qt or terminals.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import TypeVar

from chatsum.core.errors import Cancelled

T = TypeVar("T")


@dataclass(frozen=True)
class Progress:
    """One step of a long operation, safe to send across threads."""

    stage: str
    message: str
    done: int = 0
    total: int | None = None
    unit: str = "items"
    eta_s: float | None = None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


class CancelToken:
    """A thread-safe flag a caller sets and a long operation checks."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


ProgressGen = Generator[Progress, None, T]


def drive(gen: Generator[object, None, T]) -> T:
    """Run a progress generator to the end, ignoring its events; return its result."""
    while True:
        try:
            next(gen)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]


class EtaClock:
    """Estimates time left from the rate observed so far."""

    def __init__(self) -> None:
        self._start = time.monotonic()

    def eta(self, done: int, total: int | None) -> float | None:
        if not total or done <= 0:
            return None
        elapsed = time.monotonic() - self._start
        return max(0.0, elapsed / done * (total - done))
