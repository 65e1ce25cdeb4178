"""Answering questions over the archive, HuixiangDou-style, with citations.

One generator runs the whole turn so the CLI, the GUI worker and the eval all
drive the same path: it yields `Progress` between steps and the answer's text
pieces (str) as the model streams them, and returns the checked `Answer`.

1. Is it a question? Greetings and chit-chat get a polite non-answer at once.
2. References ("it", "那个", "他说的") are resolved from the session's recent
   turns and the chat around `around_message_id`, by the model (held to a
   JSON schema) or, without one or when its rewrite is unusable, by appending
   what the previous turn was about. The rewritten question is returned.
3. Hybrid retrieval; when nothing reaches `min_relevance` the answer is a
   plain "not found in the archive" and the model is not called.
4. The model answers from the retrieved messages only, in the question's
   language; citations are checked (see `answer_prompts`).
5. The turn is stored in its Q&A session, whose history the next turn reuses.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from chatsum.core.domain import Answer, AnswerOutcome, AnswerTimings, Citation, Message
from chatsum.core.llm.base import Completion, GenerationOptions, TextGenerator
from chatsum.core.pipelines.answer_checks import (
    addresses,
    check_reply,
    says_not_found,
    without_citations,
)
from chatsum.core.pipelines.answer_prompts import (
    NOT_A_QUESTION,
    NOT_FOUND,
    REWRITE_SCHEMA,
    PassageBlock,
    fit_prompt,
    rewrite_request,
)
from chatsum.core.pipelines.qa_history import QAHistory
from chatsum.core.pipelines.question_text import Utterance, classify, detect_language, needs_context
from chatsum.core.pipelines.retrieval import Passage, RetrievalFilters, RetrievalParts
from chatsum.core.progress import CancelToken, Progress
from chatsum.core.storage.store import Store


@dataclass(frozen=True)
class AnswerOptions:
    min_relevance: float = 0.25
    relative_floor: float = 0.6
    passages: int = 5
    max_tokens: int = 320
    max_context_tokens: int = 700
    history_turns: int = 2
    around_messages: int = 4
    temperature: float = 0.1


# ---------------------------------------------------------------- step 2: references


def fallback_rewrite(question: str, history: Sequence[Answer], around: Sequence[Message]) -> str:
    """Without a usable model rewrite: say what the question follows on from."""
    if history:
        hint = history[-1].rewritten_question or history[-1].question
    elif around:
        hint = " ".join(around[len(around) // 2].text.split())[:120]
    else:
        return question
    return f"{question} ({hint})"


def _usable_rewrite(question: str, rewritten: str) -> bool:
    """Non-empty, not much longer, same language, and no reference left unresolved."""

    def bare(text: str) -> str:
        return re.sub(r"\W+", "", text).casefold()

    return (
        bool(rewritten.strip())
        and len(rewritten) <= 3 * len(question) + 120
        and detect_language(rewritten) == detect_language(question)
        and bare(rewritten) != bare(question)
        and not needs_context(rewritten)
    )


def resolve_references(
    generator: TextGenerator | None,
    question: str,
    history: Sequence[Answer],
    around: Sequence[Message],
    cancel: CancelToken | None = None,
) -> str:
    """The question made self-contained, or unchanged when it needs no context."""
    if not needs_context(question) or not (history or around):
        return question
    if generator is not None:
        options = GenerationOptions(max_tokens=96, temperature=0.0, json_schema=REWRITE_SCHEMA)
        request = rewrite_request(detect_language(question), question, history, around)
        stream = generator.stream_chat(request, options, cancel)
        pieces: list[str] = []
        while True:
            try:
                pieces.append(next(stream))
            except StopIteration as stop:
                completion: Completion = stop.value
                break
        try:
            answer = json.loads(completion.text or "".join(pieces))["question"]
            rewritten = without_citations(str(answer))
        except (ValueError, KeyError, TypeError):
            rewritten = ""
        if _usable_rewrite(question, rewritten):
            return rewritten
    return fallback_rewrite(question, history, around)


# ---------------------------------------------------------------- the turn


@dataclass(frozen=True)
class AskScope:
    """Where to look: all filters are optional."""

    conversation_id: int | None = None
    participant: str | None = None
    since_ms: int | None = None
    until_ms: int | None = None
    around_message_id: int | None = None

    def filters(self) -> RetrievalFilters:
        return RetrievalFilters(
            self.conversation_id, self.participant, self.since_ms, self.until_ms
        )


def _around(store: Store, message_id: int | None, count: int) -> list[Message]:
    if message_id is None:
        return []
    found = store.messages_by_ids([message_id]).get(message_id)
    if found is None:
        return []
    before, after = store.neighbours(found, count, count)
    return [*before, found, *after]


def _blocks(passages: Sequence[Passage]) -> list[PassageBlock]:
    seen: set[int] = set()
    blocks: list[PassageBlock] = []
    for passage in passages:
        fresh = tuple(m for m in passage.messages if m.id not in seen)
        seen.update(m.id for m in fresh)
        if fresh:
            blocks.append(PassageBlock(passage.conversation_title, fresh))
    return blocks


@dataclass(frozen=True)
class Evidence:
    """What retrieval found for a (rewritten) question."""

    passages: tuple[Passage, ...]
    relevant: tuple[Passage, ...]  # those at or above the rejection threshold

    @property
    def top(self) -> float:
        return max((p.relevance for p in self.passages), default=0.0)


def find_evidence(
    store: Store, parts: RetrievalParts, question: str, scope: AskScope, options: AnswerOptions
) -> Evidence:
    passages = parts.retriever(store).retrieve(question, scope.filters(), options.passages)
    top = max((p.relevance for p in passages), default=0.0)
    # Weak passages next to a strong one only distract a small model.
    floor = max(options.min_relevance, options.relative_floor * top)
    relevant = [p for p in passages if p.relevance >= floor]
    return Evidence(tuple(passages), tuple(relevant))


class _Turn:
    """The state one call of `answer_question` builds up."""

    def __init__(self, store: Store, question: str, session_id: int | None) -> None:
        self.store = store
        self.history_db = QAHistory(store.conn)
        self.question = question.strip()
        self.language = detect_language(self.question)
        if session_id is None:
            session_id = self.history_db.create_session(self.question)
        else:
            self.history_db.require_session(session_id)
        self.session_id = session_id
        self.started = time.monotonic()
        self.retrieval_s = 0.0
        self.first_token_s: float | None = None

    def finish(
        self,
        outcome: AnswerOutcome,
        text: str,
        rewritten: str,
        model_id: str = "",
        citations: tuple[Citation, ...] = (),
        dropped: tuple[int, ...] = (),
        unsupported: tuple[str, ...] = (),
        retrieved: tuple[int, ...] = (),
        top: float = 0.0,
        completion: Completion | None = None,
    ) -> Answer:
        usage = completion.usage if completion is not None else None
        answer = Answer(
            question=self.question,
            rewritten_question=rewritten,
            outcome=outcome,
            text=text,
            language=self.language,
            citations=citations,
            dropped_citations=dropped,
            unsupported_claims=unsupported,
            retrieved_ids=retrieved,
            top_relevance=top,
            session_id=self.session_id,
            model_id=model_id,
            timings=AnswerTimings(
                total_s=time.monotonic() - self.started,
                retrieval_s=self.retrieval_s,
                first_token_s=self.first_token_s,
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                cached_prompt_tokens=usage.cached_prompt_tokens if usage else 0,
            ),
        )
        return replace(answer, turn_id=self.history_db.add_turn(self.session_id, answer))


def answer_question(
    db_path: Path,
    generator: TextGenerator,
    parts: RetrievalParts,
    question: str,
    session_id: int | None = None,
    scope: AskScope | None = None,
    options: AnswerOptions | None = None,
    cancel: CancelToken | None = None,
) -> Generator[Progress | str, None, Answer]:
    """Answer one question (a turn of a Q&A session); see the module docstring."""
    scope = scope or AskScope()
    options = options or AnswerOptions()
    cancel = cancel or CancelToken()
    store = Store.open(db_path)
    try:
        turn = _Turn(store, question, session_id)
        if classify(turn.question) is not Utterance.QUESTION:
            text = NOT_A_QUESTION[turn.language]
            yield text
            return turn.finish(AnswerOutcome.NOT_A_QUESTION, text, turn.question)

        history = turn.history_db.turns(turn.session_id, last=options.history_turns)
        around = _around(store, scope.around_message_id, options.around_messages)
        if needs_context(turn.question) and (history or around):
            yield Progress("answer", "resolving references")
        rewritten = resolve_references(generator, turn.question, history, around, cancel)
        cancel.raise_if_cancelled()
        if rewritten != turn.question:
            yield Progress("rewritten", rewritten)
        yield Progress("answer", "searching the archive")
        searched = time.monotonic()
        evidence = find_evidence(store, parts, rewritten, scope, options)
        turn.retrieval_s = time.monotonic() - searched
        if not evidence.relevant:
            text = NOT_FOUND[turn.language]
            yield text
            return turn.finish(AnswerOutcome.REJECTED, text, rewritten, top=evidence.top)

        cancel.raise_if_cancelled()
        chat, blocks = fit_prompt(
            generator,
            turn.language,
            rewritten,
            _blocks(evidence.relevant),
            history,
            options.max_tokens,
            options.max_context_tokens,
        )
        shown = [m for block in blocks for m in block.messages]
        yield Progress("answer", "writing the answer")
        stream = generator.stream_chat(
            chat,
            GenerationOptions(max_tokens=options.max_tokens, temperature=options.temperature),
            cancel,
        )
        while True:
            try:
                piece = next(stream)
            except StopIteration as stop:
                completion: Completion = stop.value
                break
            if turn.first_token_s is None:
                turn.first_token_s = time.monotonic() - turn.started
            yield piece

        existing = set(store.messages_by_ids(m.id for m in shown))
        checked = check_reply(completion.text, shown, existing, store.names_in(completion.text))
        by_id = {m.id: m for m in shown}
        citations = tuple(
            Citation(
                i, by_id[i].conversation_id, by_id[i].sender_name, by_id[i].ts_ms, by_id[i].text
            )
            for i in checked.cited
        )
        rejected = (not citations and (says_not_found(checked.text) or not checked.text)) or (
            not addresses(rewritten, checked.text, [by_id[i] for i in checked.cited])
        )
        return turn.finish(
            AnswerOutcome.REJECTED if rejected else AnswerOutcome.ANSWERED,
            NOT_FOUND[turn.language] if rejected else checked.text,
            rewritten,
            model_id=completion.model_id or generator.model_id,
            citations=() if rejected else citations,
            dropped=checked.dropped,
            unsupported=checked.unsupported,
            retrieved=tuple(m.id for m in shown),
            top=evidence.top,
            completion=completion,
        )
    finally:
        store.close()
