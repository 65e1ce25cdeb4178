"""The model steps of one summary: whole, map (part) and reduce (merge).

A range that fits one window is summarized in one call. A longer one is cut
into small windows (`SummaryOptions.part_window_tokens`), each summarized into
one partial topic ("part"): given a long window, the 1.5B model writes about
its first twenty lines only, so a busy day came out as two topics on one of
its nine threads. The partial topics are merged into the final 2–5
("merge"): the model groups the numbered partial topics and names each group,
and the merged topics carry the partial topics' checked claims (see
`merging`), so message ids survive every step unchanged. When the partial topics do not fit one merge call they are
merged in groups first (time order kept), round by round, so work grows
linearly with the length of the chat. Roll-ups (day → week → month) are the
merge step applied to the topics of cached summaries.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any

from chatsum.core.domain import Topic
from chatsum.core.errors import ContextOverflowError
from chatsum.core.llm.base import TextGenerator
from chatsum.core.pipelines.summarizing.citations import CitationChecker, CitationTally
from chatsum.core.pipelines.summarizing.generation import OWN_WORDS, CallStats, generate_json
from chatsum.core.pipelines.summarizing.merging import merge_topics
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.preprocessing import Line
from chatsum.core.pipelines.summarizing.prompts import (
    build_messages,
    line_text,
    render_lines,
    render_topics,
    system_prompt,
)
from chatsum.core.pipelines.summarizing.schemas import (
    merge_schema,
    reply_token_bound,
    summary_schema,
)
from chatsum.core.pipelines.summarizing.segmentation import Window, balanced_windows
from chatsum.core.progress import CancelToken, Progress

# A map window is small (`SummaryOptions.part_window_tokens`): about one matter.
PART_MAX_TOPICS = 1
# Merge rounds of a very long chat keep a few topics per group for the next round.
MERGE_PART_MAX_TOPICS = 3
# Below this many lines there may honestly be a single topic.
FEW_LINES = 8
SAFETY_TOKENS = 48
MIN_BUDGET = 256

Event = Progress | str


@dataclass
class StepResult:
    topics: list[Topic]
    gist: str = ""
    ok: bool = True


@dataclass
class SummaryRun:
    """State shared by the steps of one summary: the model, options, tallies."""

    generator: TextGenerator
    options: SummaryOptions
    language: str
    cancel: CancelToken
    stats: CallStats = field(default_factory=CallStats)
    tally: CitationTally = field(default_factory=CitationTally)
    flags: list[str] = field(default_factory=list)
    reduce_rounds: int = 0

    # ------------------------------------------------------------ sizing

    def schema(self, task: str, low: int, high: int, participants: Sequence[str]) -> dict[str, Any]:
        if task.startswith("merge"):
            return merge_schema(self.language, low, high, task == "merge")
        return summary_schema(self.language, participants, low, high, task == "whole")

    def reply_budget(self, task: str, high: int) -> int:
        """max_tokens of a reply: the longest the schema allows, at most a third of the context."""
        wanted = reply_token_bound(self.schema(task, 1, high, ()), self.language)
        return min(wanted, self.generator.context_length // 3)

    def input_budget(self, task: str, high: int) -> int:
        """Tokens left for numbered input after instructions and the reply.

        Chat windows are capped at `window_tokens`; merge inputs (a line per
        earlier topic) may take twice that, so long chats need fewer rounds.
        """
        fixed = self.generator.count_tokens(system_prompt(self.language, task, 1, high)) + 64
        reply = self.reply_budget(task, high)
        room = self.generator.context_length - fixed - reply - SAFETY_TOKENS
        if room < MIN_BUDGET:
            raise ContextOverflowError(fixed + reply + MIN_BUDGET, self.generator.context_length)
        cap = self.options.window_tokens * (2 if task.startswith("merge") else 1)
        return min(cap, room)

    def windows(self, lines: Sequence[Line]) -> list[Window]:
        """One window when the range fits a "whole" call (the larger reply), else
        small map windows."""
        budget = self.input_budget("whole", self.options.max_topics)
        costs = {id(line): self._line_cost(line) for line in lines}
        if sum(costs.values()) <= budget:
            return [Window(tuple(lines), sum(costs.values()))]
        return balanced_windows(
            lines,
            lambda line: costs[id(line)],
            min(budget, self.options.part_window_tokens),
            self.options.session_gap_min * 60_000,
        )

    def _line_cost(self, line: Line) -> int:
        # Numbers are not known before the cut: count three digits, and a reply
        # marker only where the line answers one.
        reply = 999 if line.reply_to_id is not None else None
        return self.generator.count_tokens(line_text(999, line, reply, self.language)) + 1

    # ------------------------------------------------------------ steps

    def _chat_call(
        self, task: str, low: int, high: int, lines: Sequence[Line]
    ) -> Generator[Event, None, StepResult]:
        """Topics of numbered chat lines, with citations checked against them."""
        body, numbering = render_lines(lines, self.language)
        participants = _speakers(lines)
        reply = yield from generate_json(
            self.generator,
            build_messages(self.language, task, low, high, participants, body),
            self.schema(task, low, high, participants),
            self.reply_budget(task, high),
            self.options.temperature,
            self.options.seed,
            self.stats,
            self.cancel,
            OWN_WORDS,
        )
        if reply.data is None:
            return StepResult([], ok=False)
        checker = CitationChecker(numbering)
        topics = checker.topics(reply.data)
        self.tally.add(checker.tally)
        return StepResult(topics, str(reply.data.get("wrap_up") or "").strip(), bool(topics))

    def whole(self, lines: Sequence[Line]) -> Generator[Event, None, StepResult]:
        low = 1 if len(lines) < FEW_LINES else self.options.min_topics
        result = yield from self._chat_call("whole", low, self.options.max_topics, lines)
        return result

    def part(self, lines: Sequence[Line]) -> Generator[Event, None, StepResult]:
        high = min(PART_MAX_TOPICS, self.options.max_topics)
        result = yield from self._chat_call("part", 1, high, lines)
        return result

    def merge(self, topics: Sequence[Topic]) -> Generator[Event, None, StepResult]:
        """Merge topics into the final set, in rounds of groups that fit a call."""
        current = list(topics)
        high = self.options.max_topics
        while True:
            self.cancel.raise_if_cancelled()
            groups = self._merge_groups(current)
            self.reduce_rounds += 1
            if len(groups) == 1:
                yield Progress("reduce", "merging topics", 0, 1, "steps")
                result = yield from self._merge_call("merge", groups[0], high)
                return result
            merged: list[Topic] = []
            for index, group in enumerate(groups):
                yield Progress(
                    "reduce", f"round {self.reduce_rounds}", index, len(groups), "groups"
                )
                part = yield from self._merge_call(
                    "merge-part", group, min(MERGE_PART_MAX_TOPICS, high)
                )
                merged.extend(part.topics if part.ok else group)
            if len(merged) >= len(current):
                self.flags.append("merge_not_shrinking")
                return StepResult(merged[:high], ok=False)
            current = merged

    def _merge_call(
        self, task: str, topics: Sequence[Topic], high: int
    ) -> Generator[Event, None, StepResult]:
        low = max(1, min(self.options.min_topics, len(topics), high))
        reply = yield from generate_json(
            self.generator,
            build_messages(
                self.language, task, low, high, (), render_topics(topics, self.language)
            ),
            self.schema(task, low, high, ()),
            self.reply_budget(task, high),
            self.options.temperature,
            self.options.seed,
            self.stats,
            self.cancel,
        )
        if reply.data is None:
            return StepResult([], ok=False)
        merged, left_out = merge_topics(reply.data, topics, high, self.tally, low)
        if left_out:
            self.flags.append("topics_left_out")
        return StepResult(merged, str(reply.data.get("wrap_up") or "").strip(), bool(merged))

    def _merge_groups(self, topics: Sequence[Topic]) -> list[list[Topic]]:
        """Consecutive topics packed into groups whose rendering fits one merge call."""
        budget = self.input_budget("merge", self.options.max_topics)
        groups: list[list[Topic]] = [[]]
        used = 0
        for topic in topics:
            cost = self.generator.count_tokens(render_topics([topic], self.language)) + 1
            if groups[-1] and used + cost > budget:
                groups.append([])
                used = 0
            groups[-1].append(topic)
            used += cost
        return groups


def _speakers(lines: Sequence[Line]) -> list[str]:
    """Participants of some lines, most active first (the order the prompt lists them)."""
    counts = Counter(line.sender for line in lines)
    return [name for name, _ in counts.most_common()]
