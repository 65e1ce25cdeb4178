"""Jobs whose generator runs in a child process, for work that holds the GIL.

A worker thread keeps the window responsive only while the work it runs
releases Python's GIL now and then. Some of ours does not: Chroma's `add`
(Rust) holds it for half a second per batch, and loading an embedding model
for a quarter; the window would freeze that long. `in_child_process` runs
such a generator in a spawned process (never forked: the GUI process has
threads) and relays its Progress events, text pieces and result to the
worker thread that waits on it, so to the rest of the GUI it is an ordinary
job. Cancel sets a shared flag the child turns into its own `CancelToken`; the
child unwinds exactly as it would in a thread (the import rolls back its
unit) and the parent waits for it to exit. The child runs at a lower
priority, so on a machine with few cores the window still gets the CPU.

`target` names a module-level generator function ("module:function"); its
arguments and results must be picklable: frozen dataclasses, paths, settings.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import Callable, Generator
from typing import Any

from chatsum.core.errors import Cancelled, ChatsumError
from chatsum.core.progress import CancelToken
from chatsum.ui.workers import JobFactory

POLL_S = 0.05
NICENESS = 10
EXIT_WAIT_S = 60


class WorkerProcessError(RuntimeError):
    """The child process raised something that is not a ChatsumError (a bug)."""


def _watch(stop: Any, token: CancelToken) -> None:
    # Polls rather than waits: a multiprocessing.Event with a waiter in a
    # process that has exited makes the parent's set() block for ever.
    while not stop.value:
        time.sleep(POLL_S)
    token.cancel()


def _resolve(target: str) -> Callable[..., Any]:
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)  # type: ignore[no-any-return]


def _child_main(target: str, args: tuple[Any, ...], events: Any, stop: Any) -> None:
    if hasattr(os, "nice"):
        os.nice(NICENESS)  # background work: the window gets the CPU first
    token = CancelToken()
    threading.Thread(target=_watch, args=(stop, token), daemon=True).start()
    try:
        gen = _resolve(target)(*args, cancel=token)
        while True:
            try:
                item = next(gen)
            except StopIteration as done:
                events.send(("result", done.value))
                return
            events.send(("event", item))
    except Cancelled as exc:
        events.send(("cancelled", exc.user_message))
    except ChatsumError as exc:
        events.send(("error", exc.user_message))
    except BaseException as exc:  # a bug: send the child's traceback to the parent's log
        events.send(("bug", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))


def in_child_process(target: str, *args: Any) -> JobFactory:
    """A job running `target(*args, cancel=token)` in a spawned child process.

    `target` is "package.module:function", imported only in the child, so
    the window's process never pays for importing what the job needs.
    """

    def job(cancel: CancelToken) -> Generator[Any, None, Any]:
        context = multiprocessing.get_context("spawn")
        receiver, events = context.Pipe(duplex=False)
        stop = context.RawValue("b", 0)  # set to 1 to cancel
        # Not a daemon: an import of a big file starts a writer process of its
        # own, which daemons may not do. The finally below reaps the child.
        child = context.Process(
            target=_child_main, args=(target, args, events, stop), name="chatsum-job"
        )
        child.start()
        try:
            while True:
                if not receiver.poll(POLL_S):
                    if cancel.cancelled:
                        stop.value = 1
                    if not child.is_alive() and not receiver.poll():
                        raise WorkerProcessError(
                            f"the worker process ended unexpectedly (exit code {child.exitcode})"
                        )
                    continue
                kind, payload = receiver.recv()
                if kind == "event":
                    yield payload
                    if cancel.cancelled:
                        stop.value = 1
                elif kind == "result":
                    return payload
                elif kind == "cancelled":
                    raise Cancelled(payload)
                elif kind == "error":
                    raise ChatsumError(payload)
                else:
                    raise WorkerProcessError(payload)
        finally:
            stop.value = 1
            child.join(EXIT_WAIT_S)
            if child.is_alive():
                child.terminate()
                child.join()
            receiver.close()
            events.close()

    return job
