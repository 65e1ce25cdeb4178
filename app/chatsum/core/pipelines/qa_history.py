"""Q&A sessions and their turns, kept in the archive (migration m003).

A session is what makes "它支持平板吗?" answerable: the previous turns say what
"它" is. Turns store the question as asked and as rewritten, the answer and
the ids of the messages it cites; a turn that cites a message disappears when
that message is forgotten (a trigger in the migration), so no stored answer
keeps quoting a conversation the user removed.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

from chatsum.core.domain import Answer, AnswerOutcome, Citation, QASession
from chatsum.core.errors import NotFoundError


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class QAHistory:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def create_session(self, title: str) -> int:
        now = _now()
        cursor = self.conn.execute(
            "INSERT INTO qa_sessions(title, created_at, updated_at) VALUES (?, ?, ?)",
            (title.strip()[:80] or "Q&A", now, now),
        )
        return int(cursor.lastrowid or 0)

    def require_session(self, session_id: int) -> None:
        if not self.conn.execute(
            "SELECT 1 FROM qa_sessions WHERE id = ?", (session_id,)
        ).fetchone():
            raise NotFoundError(f"No Q&A session with id {session_id}.")

    def sessions(self) -> list[QASession]:
        rows = self.conn.execute(
            "SELECT s.id, s.title, s.created_at, s.updated_at, COUNT(t.id) FROM qa_sessions s "
            "LEFT JOIN qa_turns t ON t.session_id = s.id GROUP BY s.id ORDER BY s.updated_at DESC, s.id DESC"
        ).fetchall()
        return [QASession(row[0], row[1], row[2], row[3], row[4]) for row in rows]

    def delete_session(self, session_id: int) -> None:
        self.conn.execute("DELETE FROM qa_sessions WHERE id = ?", (session_id,))

    def add_turn(self, session_id: int, answer: Answer) -> int:
        """Store a finished turn with its citations; returns the turn id."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            turn_id = int(
                self.conn.execute(
                    "INSERT INTO qa_turns(session_id, question, rewritten, outcome, answer, "
                    "language, model_id, top_score, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        session_id,
                        answer.question,
                        answer.rewritten_question,
                        answer.outcome.value,
                        answer.text,
                        answer.language,
                        answer.model_id,
                        answer.top_relevance,
                        _now(),
                    ),
                ).lastrowid
                or 0
            )
            self.conn.executemany(
                "INSERT OR IGNORE INTO qa_citations(turn_id, message_id) VALUES (?, ?)",
                [(turn_id, c.message_id) for c in answer.citations],
            )
            self.conn.execute(
                "UPDATE qa_sessions SET updated_at = ? WHERE id = ?", (_now(), session_id)
            )
            self.conn.execute("COMMIT")
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        return turn_id

    def turns(self, session_id: int, last: int | None = None) -> list[Answer]:
        """The session's turns in order (only the `last` few when given)."""
        rows = self.conn.execute(
            "SELECT id, question, rewritten, outcome, answer, language, model_id, top_score "
            "FROM qa_turns WHERE session_id = ? ORDER BY id DESC LIMIT ?",
            (session_id, -1 if last is None else last),
        ).fetchall()
        answers: list[Answer] = []
        for row in reversed(rows):
            cited = self.conn.execute(
                "SELECT m.id, m.conversation_id, m.sender_name, m.ts_ms, m.text "
                "FROM qa_citations c JOIN messages m ON m.id = c.message_id "
                "WHERE c.turn_id = ? ORDER BY m.ts_ms, m.id",
                (row[0],),
            ).fetchall()
            answers.append(
                Answer(
                    question=row[1],
                    rewritten_question=row[2],
                    outcome=AnswerOutcome(row[3]),
                    text=row[4],
                    language=row[5],
                    citations=tuple(Citation(c[0], c[1], c[2], c[3], c[4]) for c in cited),
                    top_relevance=row[7] or 0.0,
                    session_id=session_id,
                    turn_id=row[0],
                    model_id=row[6],
                )
            )
        return answers
