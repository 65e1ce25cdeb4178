"""Token budgeting with the fake generator: what fits is decided before any call."""

from __future__ import annotations

import pytest

from chatsum.core.errors import ContextOverflowError
from chatsum.core.llm.base import ChatMessage
from chatsum.core.llm.budget import fit_pieces, room_for_pieces
from chatsum.core.llm.fake import FakeTextGenerator

INSTRUCTIONS = [ChatMessage("system", "Summarize the chat by topic."), ChatMessage("user", "")]


def test_room_reserves_the_fixed_prompt_the_reply_and_a_margin() -> None:
    fake = FakeTextGenerator(context_length=1000)
    fixed = fake.count_chat_tokens(INSTRUCTIONS)
    room = room_for_pieces(fake, INSTRUCTIONS, max_tokens=200, margin=0.02)
    assert room == 1000 - fixed - 200 - 20


def test_room_refuses_when_nothing_is_left() -> None:
    fake = FakeTextGenerator(context_length=100)
    with pytest.raises(ContextOverflowError) as info:
        room_for_pieces(fake, INSTRUCTIONS, max_tokens=95)
    assert info.value.available_tokens == 100
    assert "fixed part of the prompt plus the reply" in info.value.user_message


def test_pieces_are_kept_in_order_and_oversized_ones_skipped() -> None:
    fake = FakeTextGenerator()
    pieces = ["周六去爬山", "word " * 30, "改到周日", "I can drive", "带水果"]
    costs = [fake.count_tokens(p) for p in pieces]
    separator = fake.count_tokens("\n")
    budget = costs[0] + costs[2] + costs[3] + 2 * separator
    fitted = fit_pieces(fake, pieces, budget)
    assert fitted.kept == (0, 2, 3)
    assert fitted.dropped == (1, 4)
    assert fitted.tokens == budget
    assert fitted.texts(pieces) == ["周六去爬山", "改到周日", "I can drive"]


def test_fitted_pieces_never_exceed_the_budget() -> None:
    fake = FakeTextGenerator()
    pieces = [f"message {i}: " + "好" * (i % 7) for i in range(200)]
    for budget in (0, 1, 37, 500):
        fitted = fit_pieces(fake, pieces, budget)
        joined = "\n".join(fitted.texts(pieces))
        assert fitted.tokens <= budget
        assert fake.count_tokens(joined) <= fitted.tokens
