"""Cutting a range of lines into windows that fit one model call.

Conversations happen in sessions separated by silences; a topic rarely spans a
long silence, so windows are packed from whole sessions whenever they fit, and
a session too large for the room left starts a fresh window unless the current
one is still mostly empty. Only a session larger than a whole window is cut
between lines. Costs are real token counts from the model's own tokenizer
(passed in as `cost`), so a window never overflows the context it was sized
for, whatever the language.

Every window costs a whole reply (the slow part: a few hundred tokens written
at about 12 to 25 a second on two cores), however little it holds, so
`balanced_windows` uses the fewest windows the budget allows and then evens
them out: a 1,000-message day no longer ends in a window of 24 lines that
costs as much to answer as one of 190.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chatsum.core.pipelines.summarizing.preprocessing import Line


@dataclass(frozen=True)
class Window:
    lines: tuple[Line, ...]
    tokens: int

    @property
    def first_ts_ms(self) -> int:
        return self.lines[0].ts_ms

    @property
    def last_ts_ms(self) -> int:
        return self.lines[-1].last_ts_ms


def split_sessions(lines: Sequence[Line], gap_ms: int) -> list[list[Line]]:
    """Runs of lines with no silence of `gap_ms` or more inside."""
    sessions: list[list[Line]] = []
    for line in lines:
        if sessions and line.ts_ms - sessions[-1][-1].last_ts_ms < gap_ms:
            sessions[-1].append(line)
        else:
            sessions.append([line])
    return sessions


def fit_windows(
    lines: Sequence[Line], cost: Callable[[Line], int], budget: int, gap_ms: int
) -> list[Window]:
    """Pack lines into windows of at most `budget` tokens, keeping sessions whole."""
    windows: list[Window] = []
    current: list[Line] = []
    used = 0

    def close() -> None:
        nonlocal current, used
        if current:
            windows.append(Window(tuple(current), used))
        current, used = [], 0

    for session in split_sessions(lines, gap_ms):
        costs = [cost(line) for line in session]
        size = sum(costs)
        if used + size <= budget:
            current.extend(session)
            used += size
            continue
        if size <= budget or used >= budget // 2:
            close()
        for line, line_cost in zip(session, costs, strict=True):
            if current and used + line_cost > budget:
                close()
            current.append(line)
            used += line_cost
    close()
    return windows


def balanced_windows(
    lines: Sequence[Line], cost: Callable[[Line], int], budget: int, gap_ms: int
) -> list[Window]:
    """As few windows as `fit_windows` needs at `budget`, packed as evenly as they go.

    Searches the smallest budget (at least an even share of the total) that still
    packs into that many windows; each line is costed once.
    """
    costs = {id(line): cost(line) for line in lines}

    def cached_cost(line: Line) -> int:
        return costs[id(line)]

    fewest = fit_windows(lines, cached_cost, budget, gap_ms)
    if len(fewest) < 2:
        return fewest
    best = fewest
    low, high = -(-sum(costs.values()) // len(fewest)), budget - 1
    while low <= high:
        middle = (low + high) // 2
        packed = fit_windows(lines, cached_cost, middle, gap_ms)
        if len(packed) <= len(fewest):
            best, high = packed, middle - 1
        else:
            low = middle + 1
    return best
