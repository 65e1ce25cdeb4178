"""Measuring question answering on a JSONL set kept in the project.

The file holds two kinds of records: dialogues (short group-chat exchanges,
several per chat, days apart) and questions (with the acceptable answers, the
dialogue that holds them, or none: the archive does not know, or it is not a
question at all; `follows` chains a follow-up into its predecessor's Q&A
session). The dialogues become a real archive through the store's writer, are
indexed with the embedder under test, and each question runs through the same
`answer_question` the app uses — or, with no generator, through the same
rewrite/retrieval/rejection steps only, which is how embedders are compared.

Metrics: retrieval hit@5 (the right dialogue among the top five passages),
cited hit (among the cited messages), answer accuracy (an expected string in
the answer), rejection precision/recall/F1 (on answerable + unanswerable
questions), chit-chat detection, and citation validity re-checked here
against the database.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Generator, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chatsum.core.domain import (
    Answer,
    AnswerOutcome,
    ConversationKind,
    MessageKind,
    ParsedConversation,
    ParsedMessage,
)
from chatsum.core.errors import ChatsumError
from chatsum.core.index.embedders import Embedder
from chatsum.core.llm.base import TextGenerator
from chatsum.core.pipelines.answering import (
    AnswerOptions,
    AskScope,
    answer_question,
    find_evidence,
    resolve_references,
)
from chatsum.core.pipelines.indexing import OpenIndex, index_archive, open_current_index
from chatsum.core.pipelines.question_text import Utterance, classify, detect_language
from chatsum.core.pipelines.retrieval import RetrievalParts
from chatsum.core.progress import CancelToken, Progress, drive
from chatsum.core.storage.store import Store

MESSAGE_GAP_MS = 2 * 60_000


@dataclass(frozen=True)
class EvalDialogue:
    id: str
    chat: str
    start_ms: int
    utc_offset_min: int
    messages: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answers: tuple[str, ...]
    dialogue: str | None
    kind: str  # answerable | absent | chitchat
    follows: str | None = None


@dataclass(frozen=True)
class EvalSet:
    dialogues: tuple[EvalDialogue, ...]
    questions: tuple[EvalQuestion, ...]

    def only(self, ids: set[str]) -> EvalSet:
        """The questions named (every dialogue stays, as the archive), with the
        questions they follow up on, so references still resolve."""
        by_id = {q.id: q for q in self.questions}
        unknown = ids - by_id.keys()
        if unknown:
            raise ChatsumError(f"no such question in the eval set: {', '.join(sorted(unknown))}")
        wanted = set(ids)
        for qid in ids:
            follows = by_id[qid].follows
            while follows and follows not in wanted:
                wanted.add(follows)
                follows = by_id[follows].follows
        return EvalSet(self.dialogues, tuple(q for q in self.questions if q.id in wanted))


def load_eval_set(path: Path) -> EvalSet:
    dialogues: list[EvalDialogue] = []
    questions: list[EvalQuestion] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if record["type"] == "dialogue":
                local = datetime.strptime(record["start"], "%Y-%m-%d %H:%M")
                offset = int(record["utc_offset_min"])
                start = (local - timedelta(minutes=offset)).replace(tzinfo=UTC)
                dialogues.append(
                    EvalDialogue(
                        record["id"],
                        record["chat"],
                        int(start.timestamp() * 1000),
                        offset,
                        tuple((str(s), str(t)) for s, t in record["messages"]),
                    )
                )
            elif record["type"] == "question":
                questions.append(
                    EvalQuestion(
                        record["id"],
                        record["question"],
                        tuple(record.get("answers", ())),
                        record.get("dialogue"),
                        record.get("kind", "answerable"),
                        record.get("follows"),
                    )
                )
            else:
                raise ValueError(f"unknown record type {record['type']!r}")
        except (ValueError, KeyError, TypeError) as exc:
            raise ChatsumError(f"{path} line {number}: not an eval record ({exc}).") from exc
    return EvalSet(tuple(dialogues), tuple(questions))


def build_archive(
    db_path: Path, data: EvalSet, source: str = "answer_eval.jsonl"
) -> dict[int, str]:
    """Write the dialogues as group chats; returns message id -> dialogue id."""
    store = Store.open(db_path)
    try:
        writer = store.writer()
        digest = hashlib.sha256(repr(data.dialogues).encode()).hexdigest()
        writer.begin(source, len(data.dialogues), digest, "eval")
        for chat in dict.fromkeys(d.chat for d in data.dialogues):
            writer.add_conversation(ParsedConversation(chat, "eval", chat, ConversationKind.GROUP))
        for dialogue in data.dialogues:
            for index, (sender, text) in enumerate(dialogue.messages):
                writer.add_message(
                    ParsedMessage(
                        conversation_key=dialogue.chat,
                        ts_ms=dialogue.start_ms + index * MESSAGE_GAP_MS,
                        utc_offset_min=dialogue.utc_offset_min,
                        offset_assumed=False,
                        kind=MessageKind.TEXT,
                        text=text,
                        sender_name=sender,
                    )
                )
        writer.commit([])
        owner: dict[int, str] = {}
        titles = {c.title: c.id for c in store.list_conversations()}
        for dialogue in data.dialogues:
            end = dialogue.start_ms + len(dialogue.messages) * MESSAGE_GAP_MS
            for message in store.messages(titles[dialogue.chat], dialogue.start_ms, end):
                owner[message.id] = dialogue.id
        return owner
    finally:
        store.close()


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class QuestionResult:
    id: str
    kind: str
    question: str
    rewritten: str
    expected_dialogue: str | None
    outcome: str
    answer: str
    retrieved_dialogues: tuple[str, ...]
    cited_dialogues: tuple[str, ...]
    top_relevance: float
    correct: bool | None
    citations: int
    citations_valid: int
    dropped_citations: int
    unsupported_claims: tuple[str, ...]
    """Sentences the answer checks removed, kept for reading why an answer was lost."""
    seconds: float


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


@dataclass(frozen=True)
class EvalReport:
    embedder_id: str
    model_id: str
    min_relevance: float
    text_search: bool
    results: tuple[QuestionResult, ...] = field(default_factory=tuple)
    index_seconds: float = 0.0

    def _of(self, kind: str) -> list[QuestionResult]:
        return [r for r in self.results if r.kind == kind]

    def metrics(self) -> dict[str, Any]:
        answerable, absent = self._of("answerable"), self._of("absent")
        chitchat = self._of("chitchat")
        with_model = bool(self.model_id)
        rejected_ok = sum(r.outcome == "rejected" for r in absent)
        rejected_wrong = sum(r.outcome == "rejected" for r in answerable)
        precision = _ratio(rejected_ok, rejected_ok + rejected_wrong)
        recall = _ratio(rejected_ok, len(absent))
        f1 = (
            round(2 * precision * recall / (precision + recall), 3) if precision and recall else 0.0
        )
        citations = sum(r.citations for r in self.results)
        return {
            "questions": len(self.results),
            "answerable": len(answerable),
            "absent": len(absent),
            "chitchat": len(chitchat),
            "retrieval_hit_at_1": _ratio(
                sum(r.expected_dialogue in r.retrieved_dialogues[:1] for r in answerable),
                len(answerable),
            ),
            "retrieval_hit_at_5": _ratio(
                sum(r.expected_dialogue in r.retrieved_dialogues[:5] for r in answerable),
                len(answerable),
            ),
            "cited_hit": _ratio(
                sum(r.expected_dialogue in r.cited_dialogues for r in answerable), len(answerable)
            )
            if with_model
            else None,
            "answer_accuracy": _ratio(sum(bool(r.correct) for r in answerable), len(answerable))
            if with_model
            else None,
            "rejection_precision": precision,
            "rejection_recall": recall,
            "rejection_f1": f1,
            "chitchat_detected": _ratio(
                sum(r.outcome == "not_a_question" for r in chitchat), len(chitchat)
            ),
            "questions_taken_for_chitchat": sum(
                r.outcome == "not_a_question" for r in [*answerable, *absent]
            ),
            "citation_validity": _ratio(sum(r.citations_valid for r in self.results), citations),
            "citations": citations,
            "model_citations_dropped": sum(r.dropped_citations for r in self.results),
            "unsupported_claims_removed": sum(len(r.unsupported_claims) for r in self.results),
            "mean_seconds_per_question": round(
                sum(r.seconds for r in self.results) / max(1, len(self.results)), 3
            ),
            "index_seconds": round(self.index_seconds, 2),
        }

    def threshold_sweep(self, thresholds: Iterable[float]) -> list[dict[str, Any]]:
        """Rejection figures at other thresholds, from the recorded top relevance.

        Exact for a run without a model (rejection is then `top < threshold`);
        with a model, the model's own "not found" replies are not re-judged.
        """
        rows: list[dict[str, Any]] = []
        questions = [r for r in self.results if r.kind in ("answerable", "absent")]
        for threshold in thresholds:
            ok = sum(r.kind == "absent" and r.top_relevance < threshold for r in questions)
            wrong = sum(r.kind == "answerable" and r.top_relevance < threshold for r in questions)
            absent = sum(r.kind == "absent" for r in questions)
            precision, recall = _ratio(ok, ok + wrong), _ratio(ok, absent)
            rows.append(
                {
                    "threshold": round(threshold, 3),
                    "rejection_precision": precision,
                    "rejection_recall": recall,
                    "rejection_f1": round(2 * precision * recall / (precision + recall), 3)
                    if precision and recall
                    else 0.0,
                    "answerable_rejected": wrong,
                }
            )
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "embedder": self.embedder_id,
            "model": self.model_id or None,
            "min_relevance": self.min_relevance,
            "retrieval": "hybrid" if self.text_search else "vector only",
            "metrics": self.metrics(),
            "results": [asdict(r) for r in self.results],
        }


# ---------------------------------------------------------------- running


def _dialogues(ids: Iterable[int], owner: dict[int, str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(owner[i] for i in ids if i in owner))


def _correct(question: EvalQuestion, answer: Answer) -> bool | None:
    if question.kind != "answerable":
        return None
    folded = answer.text.casefold()
    return answer.outcome is AnswerOutcome.ANSWERED and any(
        expected.casefold() in folded for expected in question.answers
    )


def _retrieval_only(
    store: Store,
    parts: RetrievalParts,
    question: str,
    history: list[Answer],
    options: AnswerOptions,
) -> Answer:
    """The steps before the model: classify, rewrite (without a model), retrieve, reject."""
    language = detect_language(question)
    if classify(question) is not Utterance.QUESTION:
        return Answer(question, question, AnswerOutcome.NOT_A_QUESTION, "", language)
    rewritten = resolve_references(None, question, history, [])
    evidence = find_evidence(store, parts, rewritten, AskScope(), options)
    outcome = AnswerOutcome.ANSWERED if evidence.relevant else AnswerOutcome.REJECTED
    return Answer(question, rewritten, outcome, "", language, top_relevance=evidence.top)


def run_answer_eval(
    data: EvalSet,
    work_dir: Path,
    embedder: Embedder,
    open_index: OpenIndex,
    generator: TextGenerator | None = None,
    options: AnswerOptions | None = None,
    cancel: CancelToken | None = None,
    text_search: bool = True,
) -> Generator[Progress, None, EvalReport]:
    """Build the archive in `work_dir` (which must be empty), index it, ask everything.

    `text_search=False` retrieves by vectors alone, to compare embedders.
    """
    options = options or AnswerOptions()
    cancel = cancel or CancelToken()
    db_path = work_dir / "eval.db"
    if db_path.exists():
        raise ChatsumError(f"{work_dir} already holds an eval archive; use an empty folder.")
    owner = build_archive(db_path, data)
    started = time.monotonic()
    yield from index_archive(db_path, embedder, open_index, cancel)
    index_seconds = time.monotonic() - started
    store = Store.open(db_path)
    try:
        parts = RetrievalParts(
            embedder,
            open_current_index(store, embedder.id, open_index),
            text_k=30 if text_search else 0,
        )
        sessions: dict[str, int | None] = {}
        remembered: dict[str, list[Answer]] = {}
        results: list[QuestionResult] = []
        for number, question in enumerate(data.questions):
            cancel.raise_if_cancelled()
            yield Progress("eval", question.id, number, len(data.questions), "questions")
            asked = time.monotonic()
            previous = question.follows
            if generator is not None:
                answer = drive(
                    answer_question(
                        db_path,
                        generator,
                        parts,
                        question.question,
                        session_id=sessions.get(previous) if previous else None,
                        options=options,
                        cancel=cancel,
                    )
                )
                sessions[question.id] = answer.session_id
            else:
                earlier = remembered.get(previous, []) if previous else []
                answer = _retrieval_only(store, parts, question.question, earlier, options)
                remembered[question.id] = [*earlier, answer]
            seconds = time.monotonic() - asked
            passages = find_evidence(
                store, parts, answer.rewritten_question, AskScope(), options
            ).passages
            exist = store.messages_by_ids(c.message_id for c in answer.citations)
            valid = [
                c
                for c in answer.citations
                if c.message_id in exist and c.message_id in answer.retrieved_ids
            ]
            results.append(
                QuestionResult(
                    id=question.id,
                    kind=question.kind,
                    question=question.question,
                    rewritten=answer.rewritten_question,
                    expected_dialogue=question.dialogue,
                    outcome=answer.outcome.value,
                    answer=answer.text,
                    retrieved_dialogues=_dialogues(
                        (m for p in passages for m in p.matched_ids), owner
                    ),
                    cited_dialogues=_dialogues((c.message_id for c in answer.citations), owner),
                    top_relevance=round(answer.top_relevance, 3),
                    correct=_correct(question, answer),
                    citations=len(answer.citations),
                    citations_valid=len(valid),
                    dropped_citations=len(answer.dropped_citations),
                    unsupported_claims=answer.unsupported_claims,
                    seconds=round(seconds, 3),
                )
            )
        return EvalReport(
            embedder.id,
            generator.model_id if generator is not None else "",
            options.min_relevance,
            text_search,
            tuple(results),
            index_seconds,
        )
    finally:
        store.close()
