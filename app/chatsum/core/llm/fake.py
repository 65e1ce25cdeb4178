"""FakeTextGenerator: scripted replies for fast unit tests of callers.

Never a replacement for the real engine: every pipeline also has a test that
runs the real llama.cpp model. Token counting approximates a tokenizer (one
token per CJK character or per short word piece) so budgeting code is exercised.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Generator
from typing import Any

from chatsum.core.llm.base import ChatMessage, Completion, GenerationOptions, Usage
from chatsum.core.progress import CancelToken

_TOKEN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|\w{1,4}|[^\w\s]", re.UNICODE)

Script = Callable[[list[ChatMessage], GenerationOptions], str | dict[str, Any]]


class FakeTextGenerator:
    """Replies with scripted text (or JSON) and records every call.

    `replies` is consumed in order; a callable gets the messages and options
    and returns text or a dict (serialized as JSON). `delay_s` slows each
    streamed piece so cancel paths can be tested.
    """

    def __init__(
        self,
        replies: list[str | dict[str, Any]] | Script | None = None,
        context_length: int = 4096,
        model_id: str = "fake",
        delay_s: float = 0.0,
    ) -> None:
        self._replies = replies if replies is not None else ["ok"]
        self._context_length = context_length
        self._model_id = model_id
        self.delay_s = delay_s
        self.calls: list[tuple[list[ChatMessage], GenerationOptions]] = []

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def context_length(self) -> int:
        return self._context_length

    def count_tokens(self, text: str) -> int:
        return len(_TOKEN.findall(text))

    def count_chat_tokens(self, messages: list[ChatMessage]) -> int:
        return sum(self.count_tokens(m.content) + 4 for m in messages) + 2

    def _next_reply(self, messages: list[ChatMessage], options: GenerationOptions) -> str:
        if callable(self._replies):
            reply = self._replies(messages, options)
        else:
            index = min(len(self.calls) - 1, len(self._replies) - 1)
            reply = self._replies[index]
        return reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False)

    def stream_chat(
        self,
        messages: list[ChatMessage],
        options: GenerationOptions | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        options = options or GenerationOptions()
        self.calls.append((list(messages), options))
        text = self._next_reply(messages, options)
        start = time.monotonic()
        pieces = _TOKEN.findall(text) and re.findall(r"\S+\s*|\s+", text)
        first = 0.0
        for index, piece in enumerate(pieces or [text]):
            if cancel is not None:
                cancel.raise_if_cancelled()
            if self.delay_s:
                time.sleep(self.delay_s)
            if index == 0:
                first = time.monotonic() - start
            yield piece
        usage = Usage(
            prompt_tokens=self.count_chat_tokens(messages),
            completion_tokens=self.count_tokens(text),
            time_to_first_token_s=first,
            total_s=time.monotonic() - start,
        )
        return Completion(text=text, usage=usage, model_id=self._model_id)
