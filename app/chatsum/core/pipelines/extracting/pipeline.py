"""The extraction run: roles, pieces, one constrained call per customer and piece,
checks, merge, store.

`extract_records` is a progress generator like every long operation: it opens
its own store from the database path (it may run in a worker thread), yields
`Progress` between model calls and every few streamed tokens (each a cancel
point), and returns the `ExtractionResult` after storing it in one
transaction — a cancelled run stores nothing. A reply that is not valid JSON
for the response schema is counted (the schema-valid rate) and skipped, never
repaired by guessing.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chatsum.core.domain import Message
from chatsum.core.errors import ContextOverflowError, NotFoundError
from chatsum.core.llm.base import Completion, GenerationOptions, TextGenerator
from chatsum.core.pipelines.extracting.grounding import Speakers, ground_reply
from chatsum.core.pipelines.extracting.merging import Found, merge_records
from chatsum.core.pipelines.extracting.pieces import Piece, split_into_pieces
from chatsum.core.pipelines.extracting.prompting import (
    build_messages,
    reply_token_allowance,
    response_schema,
)
from chatsum.core.pipelines.extracting.records import (
    DroppedValue,
    ExtractionResult,
    ExtractionStats,
    Role,
    RoleAssignment,
)
from chatsum.core.pipelines.extracting.roles import (
    apply_overrides,
    ask_model_for_roles,
    names_by_participant,
    parse_role,
    participant_for_name,
    resolve_role_names,
    score_roles,
)
from chatsum.core.pipelines.extracting.saved import (
    load_result,
    save_result,
    store_role_overrides,
    stored_role_overrides,
)
from chatsum.core.pipelines.extracting.schema import Schema
from chatsum.core.pipelines.extracting.schema_files import resolve_schema
from chatsum.core.progress import CancelToken, EtaClock, Progress
from chatsum.core.storage.store import Store

PIECE_TOKENS = 3000
"""Most chat tokens per piece: small models read long prompts poorly and slowly."""
_SAFETY_TOKENS = 16
_MIN_PIECE_TOKENS = 128
_PROGRESS_EVERY_TOKENS = 24

RoleNames = Mapping[str, str | Role]


def _assign_roles(
    conn: sqlite3.Connection,
    conversation_id: int,
    messages: Sequence[Message],
    generator: TextGenerator | None,
    roles_override: RoleNames | None,
    cancel: CancelToken | None,
) -> list[RoleAssignment]:
    overrides = stored_role_overrides(conn, conversation_id)
    if roles_override:
        overrides.update(resolve_role_names(roles_override, names_by_participant(messages)))
    assignments = apply_overrides(score_roles(messages), overrides)
    if generator is not None:
        assignments = ask_model_for_roles(assignments, messages, generator, cancel)
    return assignments


def detect_roles(
    db_path: Path,
    conversation_id: int,
    generator: TextGenerator | None = None,
    roles_override: RoleNames | None = None,
    since_ms: int | None = None,
    until_ms: int | None = None,
    cancel: CancelToken | None = None,
) -> list[RoleAssignment]:
    """Staff and customers of a conversation (range), most staff-like first.

    Heuristics decide; with a `generator` the model settles close calls; roles
    saved with `save_roles` and those in `roles_override` ({name: role}) win.
    """
    store = Store.open(db_path)
    try:
        store.get_conversation(conversation_id)
        messages = store.messages(conversation_id, since_ms, until_ms)
        return _assign_roles(
            store.conn, conversation_id, messages, generator, roles_override, cancel
        )
    finally:
        store.close()


def save_roles(
    db_path: Path, conversation_id: int, roles: Mapping[str, str | Role | None]
) -> dict[int, Role | None]:
    """Store the user's roles ({participant name: role, or None to clear})."""
    store = Store.open(db_path)
    try:
        store.get_conversation(conversation_id)
        names = names_by_participant(store.messages(conversation_id))
        resolved = {
            participant_for_name(name, names): None if role is None else parse_role(role, name)
            for name, role in roles.items()
        }
        store_role_overrides(store.conn, conversation_id, resolved)
        return resolved
    finally:
        store.close()


def load_extraction(
    db_path: Path, conversation_id: int, schema_id: str = "lead"
) -> ExtractionResult | None:
    """The stored result of the last run of `schema_id` on a conversation, if any."""
    store = Store.open(db_path)
    try:
        return load_result(store.conn, conversation_id, schema_id)
    finally:
        store.close()


def _piece_budget(
    generator: TextGenerator,
    schema: Schema,
    customers: Sequence[RoleAssignment],
    staff_names: Sequence[str],
) -> tuple[int, int]:
    """(chat tokens per piece, tokens reserved for the reply)."""
    empty = Piece(0, (), "")
    longest = max((c.name for c in customers), key=len)
    overhead = generator.count_chat_tokens(build_messages(schema, empty, longest, staff_names))
    reply = reply_token_allowance(schema, generator.count_tokens)
    available = generator.context_length - overhead - reply - _SAFETY_TOKENS
    if available < _MIN_PIECE_TOKENS:
        raise ContextOverflowError(
            overhead + reply + _MIN_PIECE_TOKENS, generator.context_length, "extraction prompt"
        )
    return min(available, PIECE_TOKENS), reply


def _concerns(piece: Piece, customer: RoleAssignment, names: Sequence[str]) -> bool:
    """Whether a piece can say anything about a customer: they speak or are named."""
    return customer.participant_id in piece.speakers or any(n in piece.text for n in names)


def _validator(schema_dict: dict[str, Any]) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema_dict)


def extract_records(
    db_path: Path,
    generator: TextGenerator,
    conversation_id: int,
    schema: Schema | str = "lead",
    roles_override: RoleNames | None = None,
    since_ms: int | None = None,
    until_ms: int | None = None,
    cancel: CancelToken | None = None,
) -> Generator[Progress, None, ExtractionResult]:
    """Extract one record per customer of a conversation (range) and store it."""
    cancel = cancel or CancelToken()
    started = time.monotonic()
    schema = schema if isinstance(schema, Schema) else resolve_schema(schema)
    store = Store.open(db_path)
    try:
        store.get_conversation(conversation_id)
        yield Progress("extract", "reading messages", 0, None, "messages")
        messages = store.messages(conversation_id, since_ms, until_ms)
        if not messages:
            raise NotFoundError(
                f"Conversation {conversation_id} has no messages in the chosen range."
            )
        yield Progress("extract", "deciding roles", 0, None, "messages")
        roles = _assign_roles(
            store.conn, conversation_id, messages, generator, roles_override, cancel
        )
        role_of = {r.participant_id: r.role for r in roles}
        staff = {r.participant_id: r.name for r in roles if r.role == Role.STAFF}
        customers = [r for r in roles if r.role == Role.CUSTOMER]
        names = names_by_participant(messages)
        position = {m.id: index for index, m in enumerate(messages)}
        found: dict[tuple[str, int | None], list[Found]] = {
            (c.name, c.participant_id): [] for c in customers
        }
        dropped: list[DroppedValue] = []
        tally = _CallTally()
        pieces: list[Piece] = []
        if customers:
            budget, reply_tokens = _piece_budget(generator, schema, customers, list(staff.values()))
            pieces = split_into_pieces(messages, role_of, generator.count_tokens, budget)
            jobs = [
                (piece, customer)
                for piece in pieces
                for customer in customers
                if _concerns(piece, customer, sorted(names.get(customer.participant_id, ())))
            ]
            clock = EtaClock()
            for done, (piece, customer) in enumerate(jobs):
                cancel.raise_if_cancelled()
                progress = Progress(
                    "extract",
                    f"{customer.name} · part {piece.index + 1}/{len(pieces)}",
                    done,
                    len(jobs),
                    "calls",
                    clock.eta(done, len(jobs)),
                )
                yield progress
                reply = yield from _ask_for_record(
                    generator, schema, piece, customer.name, staff, reply_tokens, cancel, progress
                )
                tally.add(reply)
                if reply.data is None:
                    continue
                values, lost = ground_reply(
                    reply.data,
                    schema,
                    piece,
                    customer.name,
                    Speakers(customer.participant_id, staff),
                )
                found[(customer.name, customer.participant_id)].append(values)
                dropped.extend(lost)
        cancel.raise_if_cancelled()
        yield Progress("extract", "merging", 1, 1, "calls")
        result = ExtractionResult(
            conversation_id=conversation_id,
            schema=schema,
            roles=tuple(roles),
            records=tuple(merge_records(schema, found, position)),
            dropped=tuple(dropped),
            stats=tally.stats(len(pieces), time.monotonic() - started),
            model_id=generator.model_id,
            since_ms=since_ms,
            until_ms=until_ms,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        run_id = save_result(store.conn, result)
        return replace(result, run_id=run_id)
    finally:
        store.close()


@dataclass(frozen=True)
class _Reply:
    completion: Completion
    data: dict[str, Any] | None
    """The parsed reply, or None when it was not valid for the reply schema."""


@dataclass
class _CallTally:
    calls: int = 0
    valid: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, reply: _Reply) -> None:
        self.calls += 1
        self.valid += reply.data is not None
        self.prompt_tokens += reply.completion.usage.prompt_tokens
        self.completion_tokens += reply.completion.usage.completion_tokens

    def stats(self, pieces: int, seconds: float) -> ExtractionStats:
        # rounded as saved, so a reloaded result equals the one just made
        return ExtractionStats(
            pieces,
            self.calls,
            self.valid,
            self.prompt_tokens,
            self.completion_tokens,
            round(seconds, 2),
        )


def _ask_for_record(
    generator: TextGenerator,
    schema: Schema,
    piece: Piece,
    customer: str,
    staff: Mapping[int, str],
    reply_tokens: int,
    cancel: CancelToken,
    progress: Progress,
) -> Generator[Progress, None, _Reply]:
    """One constrained call for one customer and piece; re-yields `progress` while it streams."""
    staff_names = list(staff.values())
    reply_schema = response_schema(schema, len(piece.entries), staff_names)
    options = GenerationOptions(
        max_tokens=reply_tokens, temperature=0.0, repeat_penalty=1.0, json_schema=reply_schema
    )
    stream = generator.stream_chat(
        build_messages(schema, piece, customer, staff_names), options, cancel
    )
    streamed = 0
    while True:
        try:
            next(stream)
        except StopIteration as stop:
            completion: Completion = stop.value
            return _Reply(completion, _parse_reply(completion.text, reply_schema))
        streamed += 1
        if streamed % _PROGRESS_EVERY_TOKENS == 0:
            yield progress


def _parse_reply(text: str, reply_schema: dict[str, Any]) -> dict[str, Any] | None:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or not _validator(reply_schema).is_valid(data):
        return None
    return data
