"""One import unit's transaction run by a child process, so parsing and writing overlap.

In one process the importer's parser and SQLite's writer take turns: SQLite
releases the GIL while it works, but binding each row and the full-text body
function need it back, so a flusher thread gained almost nothing (CPU time was
wall time). Here a spawned child owns the connection and runs
`UnitTransaction`; the importer sends it batches of plain row tuples over a
pipe and goes on parsing. Batches are one-way (the pipe's small buffer is the
back-pressure: at most about one batch waits); an error while writing one is
raised by the next call that waits for an answer. If the importer dies, the
child sees the pipe close and rolls back, so nothing is half-written.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import sqlite3
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from chatsum.core.domain import ParsedConversation
from chatsum.core.errors import ChatsumError
from chatsum.core.storage.db import connect
from chatsum.core.storage.transaction import UnitTransaction

EXIT_WAIT_S = 30


class WriterProcessError(ChatsumError):
    """The writer process stopped or failed with something other than an SQLite error."""


def _serve(channel: Connection, db_path: str) -> None:
    """The child: apply requests to a UnitTransaction until commit, rollback or EOF."""
    conn = connect(db_path)
    transaction = UnitTransaction(conn)
    failure: BaseException | None = None
    try:
        while True:
            try:
                op, args = pickle.loads(channel.recv_bytes())
            except EOFError:
                return  # the importer is gone: closing below rolls back
            if op == "write":
                if failure is None:
                    try:
                        transaction.write(*args)
                    except BaseException as exc:  # reported at the next answered call
                        failure = exc
                continue
            if failure is None:
                try:
                    channel.send_bytes(pickle.dumps(("ok", getattr(transaction, op)(*args))))
                except BaseException as exc:
                    failure = exc
            if failure is not None:
                channel.send_bytes(pickle.dumps(("error", _portable(failure))))
            if op in ("commit", "rollback") or failure is not None:
                return
    finally:
        transaction.rollback()
        conn.close()


def _portable(exc: BaseException) -> BaseException:
    """The error as the importer should see it (every exception may not pickle)."""
    if isinstance(exc, sqlite3.Error):
        return sqlite3.OperationalError(str(exc))
    return WriterProcessError(f"The database writer failed ({type(exc).__name__}: {exc}).")


class ProcessTransaction:
    """A `Transaction` whose statements run in a spawned child process."""

    def __init__(self, db_path: Path) -> None:
        context = multiprocessing.get_context("spawn")  # never forked: callers may have threads
        self._channel, child_end = context.Pipe()
        self._child = context.Process(
            target=_serve, args=(child_end, str(db_path)), name="chatsum-writer"
        )
        self._child.start()
        child_end.close()
        self._done = False

    def _send(self, op: str, args: Any) -> None:
        try:
            self._channel.send_bytes(pickle.dumps((op, args), pickle.HIGHEST_PROTOCOL))
        except OSError:
            self._gone()

    def _gone(self) -> NoReturn:
        self._finish()
        raise WriterProcessError(
            "The database writer process stopped unexpectedly "
            f"(exit code {self._child.exitcode}); nothing of this file was saved. Import it again."
        )

    def _call(self, op: str, *args: Any) -> Any:
        self._send(op, args)
        try:
            status, value = pickle.loads(self._channel.recv_bytes())
        except (EOFError, OSError):
            self._gone()
        if status == "error":
            self._finish()
            raise value
        return value

    def begin(self, path: str, size: int, sha256: str, format_id: str) -> int:
        return int(self._call("begin", path, size, sha256, format_id))

    def conversation(
        self, conversation: ParsedConversation, into: int | None, as_new: bool
    ) -> tuple[int, bool]:
        conversation_id, created = self._call("conversation", conversation, into, as_new)
        return int(conversation_id), bool(created)

    def participant(self, platform: str, identity: str, name: str, is_self: bool | None) -> int:
        return int(self._call("participant", platform, identity, name, is_self))

    def write(self, rows: Sequence[tuple[Any, ...]], bodies: Sequence[str]) -> None:
        self._send("write", (rows, bodies))

    def commit(self, summary: dict[str, Any]) -> int:
        messages_new = int(self._call("commit", summary))
        self._finish()
        return messages_new

    def rollback(self) -> None:
        if self._done:
            return
        # The child rolls back on its way out whatever happened to this call.
        with contextlib.suppress(WriterProcessError, sqlite3.Error):
            self._call("rollback")
        self._finish()

    def _finish(self) -> None:
        """Let the child exit (it has answered its last call) and reap it."""
        if self._done:
            return
        self._done = True
        self._channel.close()
        self._child.join(EXIT_WAIT_S)
        if self._child.is_alive():
            self._child.terminate()
            self._child.join()
