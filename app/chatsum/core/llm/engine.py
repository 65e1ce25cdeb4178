"""LlamaCppEngine: the local model, run by llama-cpp-python, behind one lock.

Shape and why:
- One engine owns one `llama_cpp.Llama`. Generating holds `_owner` (a lock
  that knows its holder), so LLM jobs run one at a time and a generation left
  open in the same thread is reported instead of deadlocking or corrupting the
  KV cache. Loading and tokenizing hold only `_load_lock`: counting tokens
  (the vocabulary is read-only) never waits for a running generation. The
  model loads lazily, on first use, from a file the store has verified
  (`ModelStore.prepare_load`), after a memory check; `close()` frees it.
- GPU: offload every layer when this build can (`llama_supports_gpu_offload`)
  and settings allow; if that load fails, load on the CPU and keep the reason
  in `device_info` for the user.
- We format the chat with the model's own template (GGUF metadata), tokenize
  it ourselves, evaluate it and sample token by token (`sampling.py`). That
  gives exact prompt/completion counts, a precise `ContextOverflowError`
  before llama.cpp is called, a cancel check between prompt batches and at
  every token, and `cached_prompt_tokens`: the KV cache keeps the previous
  call's tokens and only the part after the longest common prefix is
  evaluated, so a follow-up over the same context reads only its new tail.
- JSON-schema output is enforced with a llama.cpp grammar built from the
  schema (`GenerationOptions.json_schema`), checked per chosen token rather
  than over the whole vocabulary; `structured.generate_json` validates the
  result afterwards.
"""

from __future__ import annotations

import codecs
import json
import threading
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from chatsum.core.errors import ContextOverflowError, ModelError
from chatsum.core.llm.base import ChatMessage, Completion, GenerationOptions, Usage
from chatsum.core.llm.hardware import (
    MemoryEstimate,
    check_fits_in_memory,
    gpu_offload_supported,
    physical_cores,
    usable_cpus,
)
from chatsum.core.llm.records import LoadPlan
from chatsum.core.llm.sampling import TokenSampler, evaluate_prompt
from chatsum.core.llm.store import ModelStore
from chatsum.core.progress import CancelToken

if TYPE_CHECKING:
    from llama_cpp import Llama

    from chatsum.config import Settings

Device = Literal["cpu", "gpu"]


@dataclass(frozen=True)
class EngineConfig:
    n_ctx: int = 8192
    n_gpu_layers: int = -1  # -1: all layers when the build can offload; 0: CPU only
    n_threads: int = 0  # 0: physical cores
    n_batch: int = 512

    @classmethod
    def from_settings(cls, settings: Settings) -> EngineConfig:
        return cls(
            n_ctx=settings.n_ctx,
            n_gpu_layers=settings.n_gpu_layers,
            n_threads=settings.n_threads,
            n_batch=settings.n_batch,
        )


class _Owner:
    """A lock that remembers its holder, to refuse same-thread re-entry clearly."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holder: int | None = None

    @contextmanager
    def hold(self, what: str) -> Iterator[None]:
        if self._holder == threading.get_ident():
            raise ModelError(
                f"Cannot {what}: a generation started in this thread is still open. "
                "Finish or close it first (LLM jobs run one at a time)."
            )
        with self._lock:
            self._holder = threading.get_ident()
            try:
                yield
            finally:
                self._holder = None


class LlamaCppEngine:
    """A `TextGenerator` backed by a local GGUF model."""

    def __init__(
        self, store: ModelStore, model_id: str, config: EngineConfig | None = None
    ) -> None:
        self._store = store
        self._model_id = model_id
        self._config = config or EngineConfig()
        self._owner = _Owner()
        self._load_lock = threading.Lock()
        self._llm: Llama | None = None
        self._formatter: Any = None
        self._control_texts: list[str] = []
        self._grammars: dict[str, str] = {}
        self.device: Device | None = None
        self.device_info = "not loaded"
        self.load_seconds: float | None = None
        self.model_path: str | None = None
        self.n_threads: int | None = None

    # ----- TextGenerator ----------------------------------------------------
    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def context_length(self) -> int:
        """The context window in use: the setting, capped at what the model was trained for."""
        if self._llm is not None:
            return _usable_context(self._llm)
        installed = self._store.get(self._model_id)
        trained = installed.info.context_length if installed else None
        return min(self._config.n_ctx, trained) if trained else self._config.n_ctx

    @property
    def loaded(self) -> bool:
        return self._llm is not None

    def count_tokens(self, text: str) -> int:
        with self._load_lock:
            llm = self._loaded_unlocked()
            return len(llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def count_chat_tokens(self, messages: list[ChatMessage]) -> int:
        return len(self.tokenize_chat(messages))

    def tokenize_chat(self, messages: list[ChatMessage]) -> list[int]:
        """The exact prompt tokens a `stream_chat` call with these messages evaluates."""
        with self._load_lock:
            return self._prompt_tokens(self._loaded_unlocked(), messages)

    def stream_chat(
        self,
        messages: list[ChatMessage],
        options: GenerationOptions | None = None,
        cancel: CancelToken | None = None,
    ) -> Generator[str, None, Completion]:
        options = options or GenerationOptions()
        with self._owner.hold("start a generation"):
            with self._load_lock:
                llm = self._loaded_unlocked()
                tokens = self._prompt_tokens(llm, messages)
            n_ctx = _usable_context(llm)
            if len(tokens) + options.max_tokens > n_ctx:
                raise ContextOverflowError(len(tokens), n_ctx - options.max_tokens)
            grammar = self._grammar(options.json_schema)
            return (yield from self._decode(llm, tokens, options, grammar, cancel))

    # ----- lifecycle --------------------------------------------------------
    def load(self) -> None:
        """Load now (the GUI calls this in a worker to show progress); no-op when loaded."""
        with self._load_lock:
            self._loaded_unlocked()

    def close(self) -> None:
        with self._owner.hold("close the model"), self._load_lock:
            if self._llm is not None:
                self._llm.close()
            self._llm = None
            self._formatter = None
            self.device = None
            self.device_info = "not loaded"

    def forget_cached_prompt(self) -> None:
        """Drop the KV cache so the next call evaluates its whole prompt (benchmarks, tests)."""
        with self._owner.hold("reset the cache"):
            if self._llm is not None:
                self._llm.reset()  # type: ignore[no-untyped-call]

    def _loaded_unlocked(self) -> Llama:
        """The model, loaded on first use; callers hold `_load_lock`."""
        if self._llm is None:
            self._llm = self._load(self._store.prepare_load(self._model_id))
        return self._llm

    def _load(self, plan: LoadPlan) -> Llama:
        if plan.adapter_path is None and not plan.info.has_chat_template:
            raise ModelError(
                f"{plan.path}: this model has no chat template (a base model); chatsum needs a chat model."
            )
        trained = plan.info.context_length
        n_ctx = min(self._config.n_ctx, trained) if trained else self._config.n_ctx
        threads = self._config.n_threads or physical_cores()
        adapter_size = plan.adapter_path.stat().st_size if plan.adapter_path else 0
        estimate = MemoryEstimate(plan.size + adapter_size, plan.info.kv_cache_bytes(n_ctx) or 0)
        offload = self._config.n_gpu_layers != 0 and gpu_offload_supported()
        start = time.perf_counter()
        if offload:
            try:
                llm = self._construct(plan, n_ctx, threads, self._config.n_gpu_layers)
                layers = "all" if self._config.n_gpu_layers < 0 else str(self._config.n_gpu_layers)
                self.device, self.device_info = (
                    "gpu",
                    f"GPU ({layers} layers offloaded), {threads} CPU threads",
                )
            except ModelError as exc:
                check_fits_in_memory(plan.name, estimate, n_ctx)
                llm = self._construct(plan, n_ctx, threads, 0)
                self.device = "cpu"
                self.device_info = (
                    f"CPU, {threads} threads — loading on the GPU failed ({exc.user_message}); "
                    "running on the CPU instead. Lower n_gpu_layers or the context size to use the GPU."
                )
        else:
            check_fits_in_memory(plan.name, estimate, n_ctx)
            llm = self._construct(plan, n_ctx, threads, 0)
            why = (
                "GPU off in the settings (n_gpu_layers = 0)"
                if self._config.n_gpu_layers == 0
                else "this llama.cpp build has no GPU support; see docs/GPU.md"
            )
            self.device, self.device_info = "cpu", f"CPU, {threads} threads ({why})"
        self.load_seconds = time.perf_counter() - start
        self.model_path = str(plan.path)
        self.n_threads = threads
        self._formatter = _chat_formatter(llm, plan)
        self._control_texts = _control_token_texts(llm)
        return llm

    def _construct(self, plan: LoadPlan, n_ctx: int, threads: int, gpu_layers: int) -> Llama:
        from llama_cpp import Llama

        try:
            return Llama(
                model_path=str(plan.path),
                n_ctx=n_ctx,
                n_batch=self._config.n_batch,
                n_ubatch=self._config.n_batch,
                n_threads=threads,
                n_threads_batch=max(threads, usable_cpus()),
                n_gpu_layers=gpu_layers,
                lora_path=str(plan.adapter_path) if plan.adapter_path else None,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelError(
                f"{plan.path}: llama.cpp could not load this model ({exc}). "
                f"Run `chatsum models verify {plan.model_id}`; if it passes, the file may need a "
                "newer llama-cpp-python."
            ) from exc

    # ----- generation -------------------------------------------------------
    def _prompt_tokens(self, llm: Llama, messages: list[ChatMessage]) -> list[int]:
        rendered = self._formatter(
            messages=[{"role": m.role, "content": self._as_plain_text(m.content)} for m in messages]
        )
        return list(llm.tokenize(rendered.prompt.encode("utf-8"), add_bos=False, special=True))

    def _as_plain_text(self, content: str) -> str:
        """Break control-token strings ("<|im_end|>") inside message text.

        The rendered prompt is tokenized with special tokens enabled (the
        template's own markers must become control tokens), so a chat message
        quoting one would otherwise end its turn and could inject a new one.
        A zero-width space keeps the text readable and makes it plain text.
        """
        for control in self._control_texts:
            if control in content:
                content = content.replace(control, control[0] + "\u200b" + control[1:])
        return content

    def _grammar(self, schema: dict[str, Any] | None) -> str | None:
        """llama.cpp grammar (GBNF) for a JSON schema, converted once per schema."""
        if schema is None:
            return None
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            from llama_cpp.llama_grammar import json_schema_to_gbnf

            self._grammars[key] = json_schema_to_gbnf(key)
        return self._grammars[key]

    def _decode(
        self,
        llm: Llama,
        tokens: list[int],
        options: GenerationOptions,
        grammar: str | None,
        cancel: CancelToken | None,
    ) -> Generator[str, None, Completion]:
        import llama_cpp

        vocab = llama_cpp.llama_model_get_vocab(llm.model)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        stops = _StopFilter(options.stop)
        parts: list[str] = []
        produced = 0
        finish = "length"
        stopped = False
        start = time.perf_counter()
        cached = evaluate_prompt(llm, tokens, self._config.n_batch, cancel)
        sampler = TokenSampler(llm, options, grammar)
        sampler.remember_prompt(tokens)
        try:
            token = sampler.sample()
            first_token_s = time.perf_counter() - start
            while True:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                if llama_cpp.llama_vocab_is_eog(vocab, token):
                    finish = "stop"
                    break
                produced += 1
                text, stopped = stops.feed(decoder.decode(llm.detokenize([token])))
                if text:
                    parts.append(text)
                    yield text
                if stopped:
                    finish = "stop"
                    break
                if produced >= options.max_tokens:
                    break
                llm.eval([token])  # type: ignore[no-untyped-call]
                token = sampler.sample()
        finally:
            sampler.free()
        tail = "" if stopped else stops.flush(decoder.decode(b"", final=True))
        if tail:
            parts.append(tail)
            yield tail
        usage = Usage(
            prompt_tokens=len(tokens),
            completion_tokens=produced,
            time_to_first_token_s=first_token_s,
            total_s=time.perf_counter() - start,
            cached_prompt_tokens=cached,
        )
        return Completion(
            text="".join(parts), usage=usage, finish_reason=finish, model_id=self._model_id
        )


def _usable_context(llm: Llama) -> int:
    """llama.cpp may round the context up; llama-cpp-python's token buffer keeps the size asked for."""
    return min(int(llm.n_ctx()), len(llm.input_ids))


def _control_token_texts(llm: Llama) -> list[str]:
    """Texts of the vocabulary's control and user-defined tokens (about 20–300; 0.1 s for 150k)."""
    import llama_cpp

    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    special = llama_cpp.LLAMA_TOKEN_ATTR_CONTROL | llama_cpp.LLAMA_TOKEN_ATTR_USER_DEFINED
    texts = {
        llm.detokenize([token], special=True).decode("utf-8", errors="replace")
        for token in range(llama_cpp.llama_vocab_n_tokens(vocab))
        if llama_cpp.llama_vocab_get_attr(vocab, token) & special
    }
    return sorted((t for t in texts if len(t) > 1), key=len, reverse=True)


def _chat_formatter(llm: Llama, plan: LoadPlan) -> Any:
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template:
        raise ModelError(
            f"{plan.path}: no chat template in the model's metadata; chatsum needs a chat model."
        )

    def token_text(token_id: int) -> str:
        if token_id < 0:
            return ""
        return llm.detokenize([token_id], special=True).decode("utf-8", errors="replace")

    return Jinja2ChatFormatter(
        template=template,
        eos_token=token_text(llm.token_eos()),
        bos_token=token_text(llm.token_bos()),
        add_generation_prompt=True,
    )


class _StopFilter:
    """Holds back text that might be the start of a stop string; cuts at the first match."""

    def __init__(self, stops: tuple[str, ...]) -> None:
        self._stops = [s for s in stops if s]
        self._held = ""

    def feed(self, text: str) -> tuple[str, bool]:
        if not self._stops:
            return text, False
        buffer = self._held + text
        hits = [buffer.index(s) for s in self._stops if s in buffer]
        if hits:
            self._held = ""
            return buffer[: min(hits)], True
        keep = max((_overlap(buffer, s) for s in self._stops), default=0)
        self._held = buffer[len(buffer) - keep :] if keep else ""
        return buffer[: len(buffer) - keep], False

    def flush(self, text: str) -> str:
        out, _ = self.feed(text)
        held, self._held = self._held, ""
        return out + held


def _overlap(text: str, stop: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `stop`."""
    for size in range(min(len(text), len(stop) - 1), 0, -1):
        if text.endswith(stop[:size]):
            return size
    return 0
