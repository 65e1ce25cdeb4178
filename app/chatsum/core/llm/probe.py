"""A short real generation that tells a user whether a model works here, and how fast.

Used by `chatsum models test` and the GUI's model page: loads the model
through the same engine the app uses (so verification, the memory check and
the GPU fallback are exercised), then streams one short answer and reports
load time, time to first token, prompt and generation speed, and the device.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.engine import LlamaCppEngine
from chatsum.core.progress import CancelToken, drive

PROBE_MESSAGES = [
    ChatMessage("system", "You are a concise assistant."),
    ChatMessage(
        "user",
        "A group chat discussed moving the Saturday hike to Sunday because of rain, "
        "and Li Wei offered to drive. In one sentence: what was decided?",
    ),
]


@dataclass(frozen=True)
class ProbeReport:
    model_id: str
    path: str
    device: str
    device_info: str
    threads: int
    context_length: int
    load_s: float
    time_to_first_token_s: float
    prompt_tokens: int
    prompt_tokens_per_s: float
    completion_tokens: int
    generation_tokens_per_s: float
    reply: str


def probe_model(
    engine: LlamaCppEngine, max_tokens: int = 32, cancel: CancelToken | None = None
) -> ProbeReport:
    start = time.perf_counter()
    engine.load()
    load_s = time.perf_counter() - start
    options = GenerationOptions(max_tokens=max_tokens, temperature=0.0)
    completion = drive(engine.stream_chat(PROBE_MESSAGES, options, cancel))
    usage = completion.usage
    return ProbeReport(
        model_id=engine.model_id,
        path=engine.model_path or "",
        device=engine.device or "",
        device_info=engine.device_info,
        threads=engine.n_threads or 0,
        context_length=engine.context_length,
        load_s=load_s,
        time_to_first_token_s=usage.time_to_first_token_s,
        prompt_tokens=usage.prompt_tokens,
        prompt_tokens_per_s=usage.prompt_tokens_per_s,
        completion_tokens=usage.completion_tokens,
        generation_tokens_per_s=usage.tokens_per_s,
        reply=completion.text.strip(),
    )
