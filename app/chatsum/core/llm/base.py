"""What the pipelines need from a language model, independent of the backend.

`TextGenerator` is implemented by the llama.cpp engine, the OpenAI-compatible
remote backend and `FakeTextGenerator` (tests). Generation streams: the
generator yields text pieces and returns a `Completion` with usage figures, so
callers can show tokens as they arrive and still get timings at the end.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from chatsum.core.progress import CancelToken

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    time_to_first_token_s: float = 0.0
    total_s: float = 0.0
    cached_prompt_tokens: int = 0

    @property
    def tokens_per_s(self) -> float:
        gen_time = self.total_s - self.time_to_first_token_s
        return self.completion_tokens / gen_time if gen_time > 0 else 0.0

    @property
    def prompt_tokens_per_s(self) -> float:
        """Prompt evaluation speed: tokens not taken from the cache, over the time to first token."""
        evaluated = self.prompt_tokens - self.cached_prompt_tokens
        return evaluated / self.time_to_first_token_s if self.time_to_first_token_s > 0 else 0.0


@dataclass(frozen=True)
class Completion:
    text: str
    usage: Usage = field(default_factory=Usage)
    finish_reason: str = "stop"
    model_id: str = ""


@dataclass(frozen=True)
class RepeatGuard:
    """Penalise a token that would make a run already written longer (llama.cpp's DRY sampler).

    A token that extends a run of `allowed_length` or more tokens seen before
    loses `multiplier * base ** (run - allowed_length)` of its logit, so runs
    end soon after `allowed_length`. Runs never cross `breakers` (JSON quotes,
    commas and brackets, line ends), so keys and id lists stay free to repeat.
    With `include_prompt` the prompt counts as already written: the reply is
    pushed to say things in its own words instead of copying the chat (or the
    prompt's own examples); without it only the reply's own loops are broken.
    """

    multiplier: float = 0.8
    base: float = 1.75
    allowed_length: int = 2
    include_prompt: bool = False
    breakers: tuple[str, ...] = ("\n", '"', ",", "[", "]", "{", "}")


@dataclass(frozen=True)
class GenerationOptions:
    max_tokens: int = 512
    temperature: float = 0.2
    top_p: float = 0.95
    repeat_penalty: float = 1.1
    seed: int = 42
    stop: tuple[str, ...] = ()
    json_schema: dict[str, Any] | None = None
    repeat_guard: RepeatGuard | None = None


class TextGenerator(Protocol):
    """A chat model that streams text and can be held to a JSON schema."""

    @property
    def model_id(self) -> str: ...

    @property
    def context_length(self) -> int: ...

    def count_tokens(self, text: str) -> int: ...

    def count_chat_tokens(self, messages: list[ChatMessage]) -> int: ...

    def stream_chat(
        self,
        messages: list[ChatMessage],
        options: GenerationOptions | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]: ...
