"""Jobs run in a child process: events, result, cancel, errors and bugs come back."""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path

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


def importing_with_a_child_writer(
    db: Path, export: Path, cancel: CancelToken
) -> Generator[Progress, None, int]:
    from chatsum.core.pipelines import importing

    importing.CHILD_WRITER_MIN_BYTES = 0  # this job's own process only
    report = yield from importing.import_paths(db, [export], cancel=cancel)
    return report.messages_new


def test_a_job_may_start_a_process_of_its_own(tmp_path: Path) -> None:
    # An import of a big file writes from a process of its own; the job's
    # process must be allowed to start it.
    export = Path(__file__).resolve().parents[1] / "fixtures/exports/whatsapp/android_24h_dmy.txt"
    job = in_child_process(
        f"{__name__}:importing_with_a_child_writer", tmp_path / "chatsum.db", export
    )
    assert drive(job(CancelToken())) > 0
