"""Examples as token ids, the way llama.cpp will see them at inference.

The prompt is rendered with the model's own chat template (from the GGUF)
with the generation prompt appended, exactly as the engine renders it before
decoding; the reply follows as the tokens the model must produce, ending with
the end-of-turn token at which the engine stops. Only the reply is learned:
the prompt positions carry no loss. An example longer than `max_tokens` is
skipped, never cut, because a cut reply would teach the model to stop
mid-JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chatsum.core.pipelines.training.examples import SftExample


@dataclass(frozen=True)
class EncodedExample:
    id: str
    input_ids: tuple[int, ...]
    prompt_tokens: int

    @property
    def reply_tokens(self) -> int:
        return len(self.input_ids) - self.prompt_tokens


def prompt_text(tokenizer: Any, example: SftExample) -> str:
    rendered = tokenizer.apply_chat_template(
        [{"role": m.role, "content": m.content} for m in example.messages],
        tokenize=False,
        add_generation_prompt=True,
    )
    return str(rendered)


def encode(tokenizer: Any, example: SftExample, max_tokens: int) -> EncodedExample | None:
    prompt = tokenizer(prompt_text(tokenizer, example), add_special_tokens=False)["input_ids"]
    reply = tokenizer(example.target, add_special_tokens=False)["input_ids"]
    ids = [*prompt, *reply, tokenizer.eos_token_id]
    if len(ids) > max_tokens:
        return None
    return EncodedExample(example.id, tuple(ids), len(prompt))
