"""Choosing questions of an answer eval set: follow-ups keep what they follow."""

from __future__ import annotations

import pytest

from chatsum.core.errors import ChatsumError
from chatsum.core.pipelines.answer_eval import EvalQuestion, EvalSet


def question(qid: str, follows: str | None = None) -> EvalQuestion:
    return EvalQuestion(qid, f"question {qid}?", (), None, "absent", follows)


EVAL = EvalSet((), (question("q1"), question("q2", "q1"), question("q3", "q2"), question("q4")))


def test_a_follow_up_brings_the_questions_it_follows_in_their_order() -> None:
    assert [q.id for q in EVAL.only({"q3"}).questions] == ["q1", "q2", "q3"]
    assert [q.id for q in EVAL.only({"q4", "q1"}).questions] == ["q1", "q4"]


def test_an_unknown_question_id_is_named() -> None:
    with pytest.raises(ChatsumError, match="q9"):
        EVAL.only({"q9"})
