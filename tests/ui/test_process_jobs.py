"""Jobs run in a child process: events, result, cancel, errors and bugs come back."""

from __future__ import annotations

import time
from collections.abc import Generator

import pytest

from chatsum.core.errors import Cancelled, ChatsumError, ImportFormatError
from chatsum.core.progress import CancelToken, Progress, drive
from chatsum.ui.process_jobs import WorkerProcessError, in_child_process


def counting(limit: int, cancel: CancelToken) -> Generator[Progress | str, None, int]:
    for done in range(limit):
        cancel.raise_if_cancelled()
        yield Progress("count", "counting", done, limit)
        yield f"piece {done}"
        time.sleep(0.01)
    return limit * 2


def failing(kind: str, cancel: CancelToken) -> Generator[Progress, None, None]:
    yield Progress("fail", "about to fail")
    if kind == "user":
        raise ImportFormatError("chat.txt", "line 3", "no date")
    raise KeyError("a bug")


def test_events_and_the_result_come_back() -> None:
    events: list[object] = []
    gen = in_child_process(f"{__name__}:counting", 3)(CancelToken())
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            result = stop.value
            break
    assert result == 6
    assert [e for e in events if isinstance(e, str)] == ["piece 0", "piece 1", "piece 2"]
    assert [e.done for e in events if isinstance(e, Progress)] == [0, 1, 2]


def test_cancel_reaches_the_child() -> None:
    cancel = CancelToken()
    gen = in_child_process(f"{__name__}:counting", 10_000)(cancel)
    next(gen)
    cancel.cancel()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        drive(gen)
    assert time.monotonic() - started < 10


def test_errors_keep_their_message_and_bugs_their_traceback() -> None:
    with pytest.raises(ChatsumError, match=r"chat\.txt line 3: no date"):
        drive(in_child_process(f"{__name__}:failing", "user")(CancelToken()))
    with pytest.raises(WorkerProcessError, match="KeyError") as bug:
        drive(in_child_process(f"{__name__}:failing", "bug")(CancelToken()))
    assert "Traceback" in str(bug.value) and "failing" in str(bug.value)
