"""Running core generators off the GUI thread.

The core's long operations are generators that take a `CancelToken`, yield
`Progress` events or streamed text pieces, and return a result. A
`GeneratorWorker` is the thin `QRunnable` that drives one of them on a pool
thread and reports through signals on a `QObject` (a `QRunnable` is not a
`QObject` and cannot carry signals itself). Signals emitted from the pool
thread reach GUI-thread slots as queued calls, so widgets are only touched
in the GUI thread. Only frozen dataclasses and strings travel.

A job never receives a connection: it is given the database path and opens its
own `Store` in its own thread (`store_job`), because a SQLite connection
belongs to the thread that opened it.

`JobRunner` owns the pool, counts running jobs for the status bar and, when the
window closes, cancels every job and waits for each to reach its next cancel
point, so an import in progress rolls back its unit instead of being cut off.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from chatsum.core.errors import Cancelled, ChatsumError
from chatsum.core.progress import CancelToken, Progress

log = logging.getLogger(__name__)

JobFactory = Callable[[CancelToken], Generator[Any, None, Any]]


@dataclass(frozen=True)
class JobFailure:
    """Why a job ended without a result; `details` is set only for bugs."""

    job: str
    message: str
    cancelled: bool = False
    details: str | None = None


class WorkerSignals(QObject):
    """The signals of one worker (emitted from its pool thread)."""

    progressed = Signal(object)  # Progress
    produced = Signal(str)  # a streamed text piece
    finished = Signal(object)  # the generator's return value
    failed = Signal(object)  # JobFailure
    ended = Signal()  # after finished or failed, whatever happened


class GeneratorWorker(QRunnable):
    """Drives one core generator to its end on a pool thread."""

    def __init__(self, name: str, factory: JobFactory) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.name = name
        self.signals = WorkerSignals()
        self.cancel_token = CancelToken()
        self._factory = factory
        self._done = threading.Event()

    def cancel(self) -> None:
        self.cancel_token.cancel()

    @property
    def done(self) -> bool:
        return self._done.is_set()

    def run(self) -> None:
        try:
            self.cancel_token.raise_if_cancelled()
            # The factory is called here, in the pool thread, so whatever the
            # generator opens (a Store, a model) belongs to this thread.
            gen = self._factory(self.cancel_token)
            while True:
                try:
                    item = next(gen)
                except StopIteration as stop:
                    self.signals.finished.emit(stop.value)
                    return
                if isinstance(item, Progress):
                    self.signals.progressed.emit(item)
                elif isinstance(item, str):
                    self.signals.produced.emit(item)
        except Cancelled as exc:
            self.signals.failed.emit(JobFailure(self.name, exc.user_message, cancelled=True))
        except ChatsumError as exc:
            self.signals.failed.emit(JobFailure(self.name, exc.user_message))
        except Exception as exc:  # a bug: report it with details, never kill the thread
            log.exception("job %s failed", self.name)
            self.signals.failed.emit(
                JobFailure(
                    self.name, f"{type(exc).__name__}: {exc}", details=traceback.format_exc()
                )
            )
        finally:
            self._done.set()
            self.signals.ended.emit()


def store_job(name: str, db_path: Path, query: Callable[[Any], Any]) -> JobFactory:
    """A job that opens its own Store from `db_path`, runs `query(store)` and returns it."""

    def job(cancel: CancelToken) -> Generator[Any, None, Any]:
        from chatsum.core.storage.store import Store

        yield Progress("read", name)
        store = Store.open(db_path)
        try:
            cancel.raise_if_cancelled()
            return query(store)
        finally:
            store.close()

    return job


class JobRunner(QObject):
    """The pool every GUI job runs in; tracks, cancels and waits for them."""

    count_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, max_threads: int = 4) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._active: list[GeneratorWorker] = []

    @property
    def active_jobs(self) -> list[str]:
        return [worker.name for worker in self._active]

    def start(
        self,
        name: str,
        factory: JobFactory,
        *,
        on_progress: Callable[[Progress], None] | None = None,
        on_piece: Callable[[str], None] | None = None,
        on_result: Callable[[Any], None] | None = None,
        on_failure: Callable[[JobFailure], None] | None = None,
    ) -> GeneratorWorker:
        """Start a job; the callbacks run in the GUI thread."""
        worker = GeneratorWorker(name, factory)
        if on_progress is not None:
            worker.signals.progressed.connect(on_progress)
        if on_piece is not None:
            worker.signals.produced.connect(on_piece)
        if on_result is not None:
            worker.signals.finished.connect(on_result)
        if on_failure is not None:
            worker.signals.failed.connect(on_failure)
        worker.signals.ended.connect(lambda: self._on_worker_ended(worker))
        self._active.append(worker)
        self.count_changed.emit(len(self._active))
        self._pool.start(worker)
        return worker

    def query(
        self,
        name: str,
        db_path: Path,
        query: Callable[[Any], Any],
        on_result: Callable[[Any], None],
        on_failure: Callable[[JobFailure], None] | None = None,
    ) -> GeneratorWorker:
        """Run a short read of the archive in a worker with its own connection."""
        return self.start(
            name, store_job(name, db_path, query), on_result=on_result, on_failure=on_failure
        )

    def _on_worker_ended(self, worker: GeneratorWorker) -> None:
        if worker in self._active:
            self._active.remove(worker)
            self.count_changed.emit(len(self._active))

    def cancel_all(self) -> None:
        for worker in list(self._active):
            worker.cancel()

    def shutdown(self, timeout_ms: int = 30_000) -> bool:
        """Cancel every job and wait for all of them to stop; True if they did."""
        self.cancel_all()
        return bool(self._pool.waitForDone(timeout_ms))
