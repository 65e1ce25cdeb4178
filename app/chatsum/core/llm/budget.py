"""Token budgeting: what fits in a model's context window, decided before calling it.

Pipelines build prompts from a fixed part (instructions, question) and a list
of pieces (message chunks ranked by relevance). `room_for_pieces` says how many
tokens the pieces may use once the fixed part and the reply are reserved;
`fit_pieces` keeps the pieces that fit, in order, skipping any single piece
too large for what is left. Each piece is counted on its own, plus one
separator; the engine's own count of the final prompt is the last word (it
raises `ContextOverflowError`), so a small safety margin is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chatsum.core.errors import ContextOverflowError
from chatsum.core.llm.base import ChatMessage


class TokenCounter(Protocol):
    @property
    def context_length(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def count_chat_tokens(self, messages: list[ChatMessage]) -> int: ...


@dataclass(frozen=True)
class FittedPieces:
    kept: tuple[int, ...]  # indices into the pieces given, in their order
    dropped: tuple[int, ...]
    tokens: int  # tokens the kept pieces use, separators included

    def texts(self, pieces: Sequence[str]) -> list[str]:
        return [pieces[i] for i in self.kept]


def room_for_pieces(
    counter: TokenCounter, fixed_messages: list[ChatMessage], max_tokens: int, margin: float = 0.02
) -> int:
    """Tokens left for pieces after the fixed prompt and `max_tokens` of reply; raises if none."""
    fixed = counter.count_chat_tokens(fixed_messages)
    window = counter.context_length
    room = window - fixed - max_tokens - int(window * margin)
    if room <= 0:
        raise ContextOverflowError(
            fixed + max_tokens, window, what="fixed part of the prompt plus the reply"
        )
    return room


def fit_pieces(
    counter: TokenCounter, pieces: Sequence[str], budget: int, separator: str = "\n"
) -> FittedPieces:
    separator_tokens = counter.count_tokens(separator) if separator else 0
    kept: list[int] = []
    dropped: list[int] = []
    used = 0
    for index, piece in enumerate(pieces):
        cost = counter.count_tokens(piece) + (separator_tokens if kept else 0)
        if used + cost <= budget:
            kept.append(index)
            used += cost
        else:
            dropped.append(index)
    return FittedPieces(kept=tuple(kept), dropped=tuple(dropped), tokens=used)
