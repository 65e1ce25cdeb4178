"""Long chats cut into pieces that fit the model, with short local message numbers.

The model cites messages as [1], [2], … numbered afresh in each piece: short
numbers cost few tokens and a small model copies them reliably, where stored
ids (six digits and up) are misquoted. `Piece.message_id` maps a local number
back to the stored id, and is the only way a citation becomes provenance.
Pieces are cut greedily at message boundaries by counted tokens; a day line
(not numbered) is inserted when the date changes so relative times ("明天")
keep their anchor. A single message too long for a piece is shortened.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from chatsum.core.domain import Message, MessageKind
from chatsum.core.errors import ContextOverflowError
from chatsum.core.pipelines.extracting.records import Role

MAX_MESSAGE_CHARS = 600
_SKIPPED_KINDS = {MessageKind.SYSTEM, MessageKind.DELETED}


@dataclass(frozen=True)
class NumberedMessage:
    number: int
    message: Message
    line: str


@dataclass(frozen=True)
class Piece:
    index: int
    entries: tuple[NumberedMessage, ...]
    text: str

    def message_id(self, number: int) -> int | None:
        if 1 <= number <= len(self.entries):
            return self.entries[number - 1].message.id
        return None

    @property
    def speakers(self) -> set[int]:
        return {e.message.participant_id for e in self.entries if e.message.participant_id}


def message_body(message: Message, limit: int = MAX_MESSAGE_CHARS) -> str:
    body = " ".join((message.text or "").split())
    if not body:
        body = f"[{message.media or message.kind.value}]"
    return body if len(body) <= limit else body[: limit - 1] + "…"


def render_line(number: int, message: Message, roles: Mapping[int, Role], limit: int) -> str:
    role = roles.get(message.participant_id or -1)
    who = message.sender_name or "?"
    label = f" ({role.value})" if role else ""
    return f"[{number}] {who}{label}: {message_body(message, limit)}"


def split_into_pieces(
    messages: Sequence[Message],
    roles: Mapping[int, Role],
    count_tokens: Callable[[str], int],
    budget_tokens: int,
) -> list[Piece]:
    """Consecutive pieces, each rendering to at most `budget_tokens` tokens."""
    usable = [m for m in messages if m.kind not in _SKIPPED_KINDS]
    pieces: list[Piece] = []
    lines: list[str] = []
    entries: list[NumberedMessage] = []
    used = 0
    last_day = ""

    def close() -> None:
        nonlocal lines, entries, used, last_day
        if entries:
            pieces.append(Piece(len(pieces), tuple(entries), "\n".join(lines)))
        lines, entries, used, last_day = [], [], 0, ""

    for message in usable:
        day = message.local_time.strftime("%Y-%m-%d")
        day_line = f"— {day} —" if day != last_day else ""
        line = render_line(len(entries) + 1, message, roles, MAX_MESSAGE_CHARS)
        cost = count_tokens(line) + 1 + (count_tokens(day_line) + 1 if day_line else 0)
        if used + cost > budget_tokens and entries:
            close()
            day_line = f"— {day} —"
            line = render_line(1, message, roles, MAX_MESSAGE_CHARS)
            cost = count_tokens(line) + count_tokens(day_line) + 2
        if cost > budget_tokens:
            line, cost = _shortened(message, roles, count_tokens, budget_tokens, day_line)
        if day_line:
            lines.append(day_line)
            last_day = day
        lines.append(line)
        entries.append(NumberedMessage(len(entries) + 1, message, line))
        used += cost
    close()
    return pieces


def _shortened(
    message: Message,
    roles: Mapping[int, Role],
    count_tokens: Callable[[str], int],
    budget_tokens: int,
    day_line: str,
) -> tuple[str, int]:
    fixed = count_tokens(day_line) + 2 if day_line else 1
    limit = MAX_MESSAGE_CHARS
    while limit > 16:
        limit //= 2
        line = render_line(1, message, roles, limit)
        cost = count_tokens(line) + fixed
        if cost <= budget_tokens:
            return line, cost
    raise ContextOverflowError(fixed + 32, budget_tokens, "extraction prompt")
