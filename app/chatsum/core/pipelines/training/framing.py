"""Turning a dialogue into the exact model call the app makes, and checking the reply.

Training data must match inference byte for byte: the same preprocessing,
the same numbering, the same system prompt and the same JSON schema. Rather
than rebuilding prompts here (and drifting from them), a dialogue is run
through the summary pipeline itself (`summarize_messages`) with a
`PromptRecorder` in place of the model. The recorder writes down the messages
and schema the pipeline asks with, and answers either from a reference
(`answer`, for synthetic and dataset targets) or by asking a real teacher
model. The pipeline then checks that answer with its own citation checker,
so every target passes the same checks as a real summary: schema-valid,
every cited number on the prompt, every viewpoint citing its own person's
lines, nothing unsupported, and (checked here) not copied verbatim.

Only dialogues the app would summarize in one call are used (one window, the
"whole" task): that is the call the model makes for most days, and the only
one whose reference can be written from a dialogue's ground truth.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from chatsum.core.domain import Message, Summary
from chatsum.core.llm.base import ChatMessage, Completion, GenerationOptions, TextGenerator, Usage
from chatsum.core.pipelines.summarizing.mapreduce import Event
from chatsum.core.pipelines.summarizing.metrics import summary_texts, verbatim_share
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.pipeline import summarize_messages
from chatsum.core.pipelines.summarizing.preprocessing import prepare_lines
from chatsum.core.pipelines.summarizing.prompts import Numbering, render_lines
from chatsum.core.progress import CancelToken

MAX_VERBATIM = 0.2
"""Most of a target that may be copied from the chat (the issue's quality bar)."""

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

Answer = Callable[[list[ChatMessage], dict[str, Any] | None], str]


def estimate_tokens(text: str) -> int:
    """A generous token count without a tokenizer: one per CJK character, one per 3 other bytes.

    Used only to decide whether a dialogue fits one window; overestimating
    keeps out dialogues that a real tokenizer would still fit, never the reverse.
    """
    cjk = len(_CJK.findall(text))
    return cjk + (len(text.encode("utf-8")) - 3 * cjk) // 3 + 1


@dataclass(frozen=True)
class RecordedCall:
    messages: tuple[ChatMessage, ...]
    schema: dict[str, Any] | None
    reply: str


@dataclass
class PromptRecorder:
    """A `TextGenerator` that records the pipeline's calls and answers from `answer` or `teacher`."""

    answer: Answer | None = None
    teacher: TextGenerator | None = None
    fallback_context: int = 32768
    calls: list[RecordedCall] = field(default_factory=list)

    @property
    def model_id(self) -> str:
        return self.teacher.model_id if self.teacher is not None else "reference"

    @property
    def context_length(self) -> int:
        return self.teacher.context_length if self.teacher is not None else self.fallback_context

    def count_tokens(self, text: str) -> int:
        return (
            self.teacher.count_tokens(text) if self.teacher is not None else estimate_tokens(text)
        )

    def count_chat_tokens(self, messages: list[ChatMessage]) -> int:
        if self.teacher is not None:
            return self.teacher.count_chat_tokens(messages)
        return sum(estimate_tokens(m.content) + 4 for m in messages) + 2

    def stream_chat(
        self,
        messages: list[ChatMessage],
        options: GenerationOptions | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        options = options or GenerationOptions()
        if self.teacher is not None:
            completion = yield from self.teacher.stream_chat(messages, options, cancel)
        elif self.answer is not None:
            completion = Completion(self.answer(messages, options.json_schema), Usage(), "stop")
        else:
            raise ValueError("PromptRecorder needs an answer function or a teacher model")
        self.calls.append(RecordedCall(tuple(messages), options.json_schema, completion.text))
        return completion


class Rejected(Exception):
    """A dialogue or a candidate reply that cannot become a training example; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FramedCall:
    """One dialogue as the app's single summary call, with the accepted reply."""

    messages: tuple[ChatMessage, ...]
    schema: dict[str, Any] | None
    reply: str
    summary: Summary
    numbering: Numbering
    verbatim: float


def numbering_of(messages: Sequence[Message], options: SummaryOptions) -> tuple[str, Numbering]:
    """The numbered chat body and its numbering, as the pipeline will render them."""
    lines = prepare_lines(messages, options.language, options.redact_pii).lines
    return render_lines(lines, options.language)


def frame(
    messages: Sequence[Message],
    options: SummaryOptions,
    cancel: CancelToken,
    *,
    answer: Callable[[Numbering, dict[str, Any] | None], dict[str, Any]] | None = None,
    teacher: TextGenerator | None = None,
) -> Generator[Event, None, FramedCall]:
    """Run the pipeline on `messages`; raise `Rejected` unless the reply passes every check.

    `options.language` must be resolved (zh or en). With `answer`, the reply
    is the JSON it builds from the prompt's numbering; with `teacher`, the
    teacher model's reply.
    """
    body, numbering = numbering_of(messages, options)

    def reference(prompt: list[ChatMessage], schema: dict[str, Any] | None) -> str:
        if body not in prompt[-1].content:
            raise AssertionError("the pipeline numbered the chat differently than expected")
        assert answer is not None
        return reply_text(answer(numbering, schema))

    recorder = PromptRecorder(answer=reference if answer is not None else None, teacher=teacher)
    summary = yield from summarize_messages(
        messages, recorder, replace(options, use_cache=False), cancel
    )
    if summary.quality.windows != 1 or not recorder.calls:
        raise Rejected("needs more than one window")
    check(summary)
    verbatim = verbatim_share(summary_texts(summary), (m.text for m in messages), summary.language)
    if verbatim > MAX_VERBATIM:
        raise Rejected("copied verbatim")
    last = recorder.calls[-1]
    return FramedCall(last.messages, last.schema, last.reply, summary, numbering, verbatim)


def check(summary: Summary) -> None:
    """The app's own quality checks, strict: anything the checker had to repair is rejected."""
    quality = summary.quality
    if not quality.schema_valid or quality.schema_retries:
        raise Rejected("schema-invalid")
    if quality.citations_invalid:
        raise Rejected("invalid citations")
    if quality.citations_misattributed or quality.viewpoints_reattributed:
        raise Rejected("misattributed viewpoints")
    if quality.unsupported_claims or quality.citations_repaired:
        raise Rejected("unsupported claims")
    if not summary.topics or "too_few_topics" in quality.flags:
        raise Rejected("too few topics")


def reply_text(data: dict[str, Any]) -> str:
    """The reply as the model should write it: keys in grammar order (sorted), compact."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
