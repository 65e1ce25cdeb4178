"""Token sampling and prompt evaluation on a `llama_cpp.Llama`, grammar checked lazily.

Why not `Llama.generate`: it puts the JSON grammar first in its sampler chain,
so every token pays for checking the whole vocabulary against the grammar —
about 21 ms of CPU per token for Qwen's 152k-token vocabulary, as much as
generating the token itself on two cores. llama.cpp's own tools sample
without the grammar first, check only the chosen token, and apply the grammar
to the whole vocabulary only when that token is rejected; `TokenSampler` does
the same with llama.cpp's sampler objects. The chain is otherwise the one
llama-cpp-python builds (penalties, then greedy, or top-k, typical, top-p,
min-p, temperature and a seeded draw), so replies match its own; a
`RepeatGuard` adds llama.cpp's DRY sampler after the penalties, and
`remember_prompt` feeds it the prompt when the guard is to count the prompt as said.

`evaluate_prompt` keeps what `generate` did well: the KV cache holds the
previous call's tokens and only the part after the longest common prefix is
evaluated (the whole prompt for recurrent models, whose state cannot be cut),
batch by batch, with a cancel check between batches.
"""

from __future__ import annotations

import ctypes
from typing import TYPE_CHECKING, Any

import numpy as np

from chatsum.core.llm.base import GenerationOptions, RepeatGuard
from chatsum.core.progress import CancelToken

if TYPE_CHECKING:
    from llama_cpp import Llama

_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])
_PENALTY_LAST_N = 64  # llama-cpp-python's default window (last_n_tokens_size)


class TokenSampler:
    """Samples one token at a time from the model's last logits; free() when done."""

    def __init__(self, llm: Llama, options: GenerationOptions, grammar_gbnf: str | None) -> None:
        import llama_cpp

        self._llama_cpp: Any = llama_cpp
        self._llm = llm
        vocab = llama_cpp.llama_model_get_vocab(llm.model)
        self._n_vocab = int(llama_cpp.llama_vocab_n_tokens(vocab))
        self._token_ids = np.arange(self._n_vocab, dtype=np.int32)
        self._candidates = np.zeros(self._n_vocab, dtype=_TOKEN_DATA)
        self._chain = llama_cpp.llama_sampler_chain_init(
            llama_cpp.llama_sampler_chain_default_params()
        )
        self._guard_counts_prompt = bool(
            options.repeat_guard and options.repeat_guard.include_prompt
        )
        self._repeat_guard = (
            _repeat_guard(
                llama_cpp, vocab, options.repeat_guard, int(llama_cpp.llama_n_ctx(llm.ctx))
            )
            if options.repeat_guard
            else None
        )
        for sampler in _chain_samplers(llama_cpp, self._n_vocab, options, self._repeat_guard):
            llama_cpp.llama_sampler_chain_add(self._chain, sampler)
        self._grammar = (
            llama_cpp.llama_sampler_init_grammar(vocab, grammar_gbnf.encode("utf-8"), b"root")
            if grammar_gbnf
            else None
        )
        if grammar_gbnf and not self._grammar:
            self.free()
            raise ValueError("llama.cpp rejected the grammar built from the JSON schema")

    def sample(self) -> int:
        token = self._select(with_grammar=False)
        if self._grammar is not None and not self._grammar_allows(token):
            token = self._select(with_grammar=True)
        self._llama_cpp.llama_sampler_accept(self._chain, token)
        if self._grammar is not None:
            self._llama_cpp.llama_sampler_accept(self._grammar, token)
        return token

    def remember_prompt(self, tokens: list[int]) -> None:
        """Count the prompt as already written, for a repeat guard that counts it (only)."""
        if self._repeat_guard is not None and self._guard_counts_prompt:
            for token in tokens:
                self._llama_cpp.llama_sampler_accept(self._repeat_guard, token)

    def free(self) -> None:
        for sampler in (self._chain, self._grammar):  # the chain frees the guard it holds
            if sampler:
                self._llama_cpp.llama_sampler_free(sampler)
        self._chain = self._grammar = self._repeat_guard = None

    def _select(self, with_grammar: bool) -> int:
        llama_cpp = self._llama_cpp
        logits = np.ctypeslib.as_array(
            llama_cpp.llama_get_logits_ith(self._llm.ctx, -1), shape=(self._n_vocab,)
        )
        self._candidates["id"] = self._token_ids  # samplers sort the array in place
        self._candidates["logit"] = logits
        self._candidates["p"] = 0.0
        array = llama_cpp.llama_token_data_array(
            data=self._candidates.ctypes.data_as(llama_cpp.llama_token_data_p),
            size=self._n_vocab,
            selected=-1,
            sorted=False,
        )
        if with_grammar:
            llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(array))
        llama_cpp.llama_sampler_apply(self._chain, ctypes.byref(array))
        return int(array.data[array.selected].id)

    def _grammar_allows(self, token: int) -> bool:
        llama_cpp = self._llama_cpp
        single = llama_cpp.llama_token_data(id=token, logit=1.0, p=0.0)
        array = llama_cpp.llama_token_data_array(
            data=ctypes.pointer(single), size=1, selected=-1, sorted=False
        )
        llama_cpp.llama_sampler_apply(self._grammar, ctypes.byref(array))
        return bool(np.isfinite(array.data[0].logit))


def _repeat_guard(llama_cpp: Any, vocab: Any, guard: RepeatGuard, history: int) -> Any:
    breakers = (ctypes.c_char_p * len(guard.breakers))(
        *(breaker.encode("utf-8") for breaker in guard.breakers)
    )
    return llama_cpp.llama_sampler_init_dry(
        vocab,
        guard.multiplier,
        guard.base,
        guard.allowed_length,
        history,
        breakers,
        len(guard.breakers),
    )


def _chain_samplers(
    llama_cpp: Any, n_vocab: int, options: GenerationOptions, repeat_guard: Any
) -> list[Any]:
    samplers = [
        llama_cpp.llama_sampler_init_penalties(
            n_vocab, _PENALTY_LAST_N, options.repeat_penalty, 0.0, 0.0
        )
    ]
    if repeat_guard is not None:
        samplers.append(repeat_guard)
    if options.temperature <= 0.0:
        samplers.append(llama_cpp.llama_sampler_init_greedy())
    else:
        samplers += [
            llama_cpp.llama_sampler_init_top_k(40),
            llama_cpp.llama_sampler_init_typical(1.0, 1),
            llama_cpp.llama_sampler_init_top_p(options.top_p, 1),
            llama_cpp.llama_sampler_init_min_p(0.05, 1),
            llama_cpp.llama_sampler_init_temp(options.temperature),
            llama_cpp.llama_sampler_init_dist(options.seed),
        ]
    return samplers


def evaluate_prompt(llm: Llama, tokens: list[int], n_batch: int, cancel: CancelToken | None) -> int:
    """Bring the KV cache to `tokens` (all but reused ones evaluated); return how many were reused."""
    import llama_cpp

    reusable = 0
    recurrent = llama_cpp.llama_model_is_recurrent(llm.model) or llama_cpp.llama_model_is_hybrid(
        llm.model
    )
    if llm.n_tokens > 0 and not recurrent:
        from llama_cpp import Llama

        common = int(Llama.longest_token_prefix(llm.input_ids[: llm.n_tokens].tolist(), tokens))
        reusable = min(
            common, len(tokens) - 1
        )  # the last token is evaluated again for fresh logits
    if reusable == 0:
        llm.reset()  # type: ignore[no-untyped-call]
    else:
        llm.n_tokens = reusable  # eval() drops the cache entries after this point
    for start in range(reusable, len(tokens), n_batch):
        if cancel is not None:
            cancel.raise_if_cancelled()
        llm.eval(tokens[start : start + n_batch])  # type: ignore[no-untyped-call]
    return reusable
