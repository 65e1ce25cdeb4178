"""Sessions by silences and windows by real token counts."""

from __future__ import annotations

from dataclasses import replace

from chatsum.core.llm.fake import FakeTextGenerator
from chatsum.core.pipelines.summarizing.mapreduce import SummaryRun
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.preprocessing import Line, prepare_lines
from chatsum.core.pipelines.summarizing.prompts import line_text
from chatsum.core.pipelines.summarizing.segmentation import (
    balanced_windows,
    fit_windows,
    split_sessions,
)
from chatsum.core.progress import CancelToken
from tests.core.summarizing.helpers import message

GAP = 30 * 60_000


def lines_at(minutes: list[float], sender_cycle: int = 2) -> list[Line]:
    messages = [
        message(i + 1, f"P{i % sender_cycle}", f"消息{i}内容", minute)
        for i, minute in enumerate(minutes)
    ]
    return list(prepare_lines(messages, "zh").lines)


def test_sessions_split_at_silences() -> None:
    lines = lines_at([0, 1, 2, 40, 41, 200])
    sessions = split_sessions(lines, GAP)
    assert [[line.message_ids[0] for line in s] for s in sessions] == [[1, 2, 3], [4, 5], [6]]


def test_whole_sessions_are_packed_while_they_fit() -> None:
    lines = lines_at([0, 1, 2, 40, 41, 200])
    windows = fit_windows(lines, lambda line: 10, budget=50, gap_ms=GAP)
    # 30 + 20 fits one window; the third session starts a new one.
    assert [[line.message_ids[0] for line in w.lines] for w in windows] == [[1, 2, 3, 4, 5], [6]]


def test_a_session_that_does_not_fit_the_room_left_starts_a_new_window() -> None:
    lines = lines_at([0, 1, 2, 40, 41, 42])
    windows = fit_windows(lines, lambda line: 10, budget=40, gap_ms=GAP)
    assert [[line.message_ids[0] for line in w.lines] for w in windows] == [[1, 2, 3], [4, 5, 6]]


def test_a_session_longer_than_a_window_is_cut_between_lines() -> None:
    lines = lines_at([i * 0.5 for i in range(25)])
    windows = fit_windows(lines, lambda line: 10, budget=60, gap_ms=GAP)
    assert all(w.tokens <= 60 for w in windows)
    assert [line for w in windows for line in w.lines] == lines
    assert len(windows) == 5


def test_windows_fit_the_model_context_by_its_own_token_count() -> None:
    generator = FakeTextGenerator(context_length=2048)
    run = SummaryRun(generator, SummaryOptions(window_tokens=10_000), "zh", CancelToken())
    lines = lines_at([i * 0.2 for i in range(400)], sender_cycle=5)
    windows = run.windows(lines)
    budget = run.input_budget("whole", 5)
    assert budget < 2048 and len(windows) > 1
    for window in windows:
        counted = sum(
            generator.count_tokens(line_text(999, line, None, "zh")) + 1 for line in window.lines
        )
        assert counted == window.tokens <= budget
    assert [line for w in windows for line in w.lines] == lines


def test_the_window_option_caps_windows_below_the_context() -> None:
    generator = FakeTextGenerator(context_length=32_000)
    run = SummaryRun(generator, SummaryOptions(window_tokens=500), "zh", CancelToken())
    windows = run.windows(lines_at([i * 0.2 for i in range(400)]))
    assert len(windows) > 2 and all(w.tokens <= 500 for w in windows)


def test_a_range_that_fits_one_call_is_one_window_a_longer_one_small_windows() -> None:
    generator = FakeTextGenerator(context_length=32_000)
    options = SummaryOptions(window_tokens=3000, part_window_tokens=400)
    run = SummaryRun(generator, options, "zh", CancelToken())
    short = lines_at([i * 0.2 for i in range(100)])
    long = lines_at([i * 0.2 for i in range(400)])
    cost = sum(generator.count_tokens(line_text(999, line, None, "zh")) + 1 for line in short)
    assert 400 < cost <= 3000
    assert len(run.windows(short)) == 1
    windows = run.windows(long)
    assert len(windows) > 3 and all(w.tokens <= 400 for w in windows)
    assert [line for w in windows for line in w.lines] == long


def test_balanced_windows_are_as_few_and_even_out_the_last_one() -> None:
    # One long session of 25 lines at 10 tokens: greedy packing at 100 leaves
    # 100, 100, 50; balanced packs three at the smallest budget that allows
    # three (90): 90, 90, 70.
    lines = lines_at([i * 0.5 for i in range(25)])
    greedy = fit_windows(lines, lambda line: 10, budget=100, gap_ms=GAP)
    balanced = balanced_windows(lines, lambda line: 10, budget=100, gap_ms=GAP)
    assert [w.tokens for w in greedy] == [100, 100, 50]
    assert [w.tokens for w in balanced] == [90, 90, 70]
    assert [line for w in balanced for line in w.lines] == lines


def test_balanced_windows_keep_sessions_whole_where_greedy_did() -> None:
    # Sessions of 3, 2 and 1 lines: the even share (20) would cut one, so the
    # search settles on the smallest budget that packs them into two windows.
    lines = lines_at([0, 1, 2, 40, 41, 200])
    windows = balanced_windows(lines, lambda line: 10, budget=50, gap_ms=GAP)
    assert [[line.message_ids[0] for line in w.lines] for w in windows] == [[1, 2, 3], [4, 5, 6]]


def test_a_reply_marker_is_counted_only_on_lines_that_reply() -> None:
    generator = FakeTextGenerator(context_length=32_000)
    run = SummaryRun(generator, SummaryOptions(), "zh", CancelToken())
    plain = lines_at([0])[0]
    replying = replace(plain, reply_to_id=1)
    costs = [run.windows([line])[0].tokens for line in (plain, replying)]
    assert costs[1] - costs[0] == generator.count_tokens("（回复999）")
