"""Engine benchmark: speed of the app's LlamaCppEngine against bare llama-cpp-python.

Measures, on this machine, for the default (1.5B) and fast (0.5B) models:
- prompt processing and generation tokens/s through `LlamaCppEngine.stream_chat`
  and through a bare `llama_cpp.Llama.create_chat_completion(stream=True)` with
  the same file, threads, batch, context, messages and greedy sampling; runs
  alternate (engine, bare, engine, ...); the best run of each (the least
  disturbed by other load) is compared, medians are shown too
  (target: engine / bare >= 0.95);
- time to first token of a follow-up question that shares a ~2,000-token
  prefix with the previous turn, with the KV cache vs after dropping it
  (target: >= 5x faster);
- cold start to first token of the default model in a fresh process with the
  file in the page cache: imports + load + prompt + first token (target: <= 3 s).

Usage: .venv/bin/python bench/bench_engine.py [--models ID,ID] [--repeats 3]
Models come from CHATSUM_HOME's models folder; missing packaged ones are assembled.
Results are printed as a Markdown table and written to bench/out/engine.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from chatsum.config import load_settings
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.catalog import load_catalog
from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine
from chatsum.core.llm.hardware import usable_cpus
from chatsum.core.llm.installing import assemble
from chatsum.core.llm.store import ModelStore
from chatsum.core.progress import drive

DEFAULT_MODELS = "qwen2.5-coder-1.5b-instruct-q4km,qwen2.5-coder-0.5b-instruct-q4km"
N_CTX = 4096
GEN_TOKENS = 64
PEOPLE = ["王强", "Alice", "李娜", "Bob", "陈晨"]
LINES = [
    "周六去爬山吗？天气预报说有雨。",
    "I can drive if we go on Sunday instead.",
    "那就改到周日吧，早上八点集合。",
    "Who is bringing lunch? I can bring sandwiches.",
    "我带水果和水，别忘了雨衣。",
    "The trail near the lake is closed this month.",
]


def transcript(lines: int) -> str:
    return "\n".join(
        f"[{8 + i // 60:02d}:{i % 60:02d}] {PEOPLE[i % len(PEOPLE)]}: {LINES[i % len(LINES)]} (#{i})"
        for i in range(lines)
    )


def speed_messages() -> list[ChatMessage]:
    return [
        ChatMessage("system", "You summarize group chats faithfully."),
        ChatMessage(
            "user",
            "Chat log:\n" + transcript(12) + "\n\nTranslate every message of this chat log into "
            "English, one numbered line per message, with the sender's name.",
        ),
    ]


@dataclass
class SpeedRow:
    """Best of the runs (the one least disturbed by other load) and the median."""

    model: str
    runner: str
    prompt_tokens: int
    prompt_tok_s: float
    gen_tokens: int
    gen_tok_s: float
    prompt_tok_s_median: float
    gen_tok_s_median: float


def engine_run(
    engine: LlamaCppEngine, messages: list[ChatMessage]
) -> tuple[int, float, int, float]:
    engine.forget_cached_prompt()
    options = GenerationOptions(max_tokens=GEN_TOKENS, temperature=0.0)
    usage = drive(engine.stream_chat(messages, options)).usage
    return (
        usage.prompt_tokens,
        usage.prompt_tokens_per_s,
        usage.completion_tokens,
        usage.tokens_per_s,
    )


def bare_run(
    llm: object, messages: list[ChatMessage], prompt_tokens: int
) -> tuple[int, float, int, float]:
    """The same chat through llama-cpp-python's own streaming chat completion.

    Streamed chunks can merge tokens (multi-byte characters), so the number of
    generated tokens is read from the evaluated-token count afterwards: every
    generated token is evaluated except the last one sampled when the reply
    ends by length (an end-of-turn token is neither evaluated nor counted).
    """
    llm.reset()  # type: ignore[attr-defined]
    start = time.perf_counter()
    first = 0.0
    finish = None
    for chunk in llm.create_chat_completion(  # type: ignore[attr-defined]
        messages=[{"role": m.role, "content": m.content} for m in messages],
        max_tokens=GEN_TOKENS,
        temperature=0.0,
        top_p=0.95,
        top_k=40,
        min_p=0.05,
        repeat_penalty=1.1,
        stream=True,
    ):
        choice = chunk["choices"][0]
        if choice["delta"].get("content") and not first:
            first = time.perf_counter() - start
        finish = choice.get("finish_reason") or finish
    total = time.perf_counter() - start
    generated = llm.n_tokens - prompt_tokens + (1 if finish == "length" else 0)  # type: ignore[attr-defined]
    return prompt_tokens, prompt_tokens / first, generated, generated / (total - first)


def engine_overhead(engine: LlamaCppEngine, messages: list[ChatMessage]) -> dict[str, float]:
    """Profile one engine call: time decoding in `Llama.eval` vs the engine's own code around it.

    The engine's own share includes sampling (sampling.py), which bare
    llama-cpp-python also does in Python, so it is an upper bound on overhead.

    Wall-clock ratios drown in noise on a busy machine; this split does not,
    because both parts slow down together.
    """
    import cProfile
    import pstats

    engine.forget_cached_prompt()
    profile = cProfile.Profile()
    profile.enable()
    drive(engine.stream_chat(messages, GenerationOptions(max_tokens=GEN_TOKENS, temperature=0.0)))
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]

    def cumulative(function: str, file_suffix: str) -> float:
        return sum(
            v[3]
            for (f, _, name), v in stats.items()
            if name == function and f.endswith(file_suffix)
        )

    total = cumulative("stream_chat", "engine.py")
    inside = cumulative("eval", "llama.py")
    return {"call_s": total, "inside_llama_eval_s": inside, "engine_own_s": total - inside}


def bench_speed(
    store: ModelStore, model_id: str, repeats: int, threads: int
) -> tuple[list[SpeedRow], dict[str, float]]:
    from llama_cpp import Llama

    config = EngineConfig(n_ctx=N_CTX, n_threads=threads)
    engine = LlamaCppEngine(store, model_id, config)
    engine.load()
    plan = store.prepare_load(model_id)
    bare = Llama(
        model_path=str(plan.path),
        n_ctx=N_CTX,
        n_batch=config.n_batch,
        n_ubatch=config.n_batch,
        n_threads=threads,
        n_threads_batch=max(threads, usable_cpus()),
        n_gpu_layers=0,
        verbose=False,
    )
    messages = speed_messages()
    engine_runs, bare_runs = [], []
    engine_run(engine, messages)  # warm-up: first decode allocates buffers
    engine_prompt = engine.tokenize_chat(messages)
    for _ in range(repeats):
        engine_runs.append(engine_run(engine, messages))
        bare_runs.append(bare_run(bare, messages, len(engine_prompt)))
        if bare.input_ids[: len(engine_prompt)].tolist() != engine_prompt:
            raise SystemExit(
                "bare Llama evaluated a different prompt; the comparison would be unfair"
            )
    overhead = engine_overhead(engine, messages)
    bare.close()
    engine.close()

    def row(runner: str, runs: list[tuple[int, float, int, float]]) -> SpeedRow:
        return SpeedRow(
            model=model_id,
            runner=runner,
            prompt_tokens=runs[0][0],
            prompt_tok_s=max(r[1] for r in runs),
            gen_tokens=runs[0][2],
            gen_tok_s=max(r[3] for r in runs),
            prompt_tok_s_median=statistics.median(r[1] for r in runs),
            gen_tok_s_median=statistics.median(r[3] for r in runs),
        )

    return [row("LlamaCppEngine", engine_runs), row("bare Llama", bare_runs)], overhead


def bench_prefix_cache(
    store: ModelStore, model_id: str, threads: int, repeats: int
) -> dict[str, float]:
    engine = LlamaCppEngine(store, model_id, EngineConfig(n_ctx=N_CTX, n_threads=threads))
    lines = 40
    while engine.count_tokens(transcript(lines)) < 2000:
        lines += 10
    first_turn = [
        ChatMessage("system", "Answer questions about the chat log."),
        ChatMessage("user", "Chat log:\n" + transcript(lines) + "\n\nWho offered to drive?"),
    ]
    options = GenerationOptions(max_tokens=16, temperature=0.0)
    cached, uncached, cached_tokens, prompt_tokens = [], [], 0, 0
    for _ in range(repeats):
        engine.forget_cached_prompt()
        reply = drive(engine.stream_chat(first_turn, options))
        follow_up = [
            *first_turn,
            ChatMessage("assistant", reply.text),
            ChatMessage("user", "And who brings lunch?"),
        ]
        hit = drive(engine.stream_chat(follow_up, options)).usage
        engine.forget_cached_prompt()
        miss = drive(engine.stream_chat(follow_up, options)).usage
        cached.append(hit.time_to_first_token_s)
        uncached.append(miss.time_to_first_token_s)
        cached_tokens, prompt_tokens = hit.cached_prompt_tokens, hit.prompt_tokens
    engine.close()
    with_cache, without = min(cached), min(uncached)
    return {
        "prompt_tokens": prompt_tokens,
        "cached_prompt_tokens": cached_tokens,
        "first_token_with_cache_s": with_cache,
        "first_token_without_cache_s": without,
        "speedup": without / with_cache,
    }


COLD_START_CHILD = """
import time, sys
t0 = time.perf_counter()
from pathlib import Path
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.catalog import load_catalog
from chatsum.core.llm.engine import EngineConfig, LlamaCppEngine
from chatsum.core.llm.store import ModelStore
import llama_cpp
t_import = time.perf_counter()
engine = LlamaCppEngine(ModelStore(Path(sys.argv[1]), load_catalog()), sys.argv[2], EngineConfig(n_ctx=8192))
engine.load()
t_load = time.perf_counter()
stream = engine.stream_chat([ChatMessage("user", "Say hello to the group in one sentence.")], GenerationOptions(max_tokens=8))
next(stream)
t_first = time.perf_counter()
stream.close()
print(f"{t_import - t0:.3f} {t_load - t_import:.3f} {t_first - t_load:.3f} {t_first - t0:.3f}")
"""


def bench_cold_start(store: ModelStore, model_id: str, repeats: int) -> dict[str, float]:
    path = store.prepare_load(model_id).path
    with path.open("rb") as handle:  # into the page cache
        while handle.read(16 * 1024 * 1024):
            pass
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", COLD_START_CHILD, str(store.models_dir), model_id],
            check=True, capture_output=True, text=True, env={**os.environ},
        ).stdout.split()  # fmt: skip
        runs.append([float(x) for x in out])
    best = min(runs, key=lambda r: r[3])
    return {
        "imports_s": best[0],
        "load_s": best[1],
        "prompt_and_first_token_s": best[2],
        "total_s": best[3],
        "total_s_median": statistics.median(r[3] for r in runs),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--models", default=DEFAULT_MODELS, help="comma-separated catalog ids (first = default)"
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "out" / "engine.json")
    args = parser.parse_args()

    settings = load_settings()
    store = ModelStore(settings.models_dir, load_catalog())
    models = args.models.split(",")
    for model_id in models:
        if store.get(model_id) is None:
            print(f"assembling {model_id} into {store.models_dir} ...", flush=True)
            drive(assemble(store, model_id))
    from chatsum.core.llm.hardware import physical_cores

    threads = settings.n_threads or physical_cores()
    load_before = os.getloadavg()[0]
    rows: list[SpeedRow] = []
    overheads: dict[str, dict[str, float]] = {}
    for model_id in models:
        model_rows, overheads[model_id] = bench_speed(store, model_id, args.repeats, threads)
        rows += model_rows
    prefix = bench_prefix_cache(store, models[0], threads, max(1, args.repeats - 1))
    cold = bench_cold_start(store, models[0], args.repeats)
    results = {
        "machine": {"cpus": usable_cpus(), "threads": threads, "load_avg_1m_before": load_before,
                    "load_avg_1m_after": os.getloadavg()[0]},
        "speed": [asdict(r) for r in rows],
        "engine_overhead": overheads,
        "prefix_cache": prefix,
        "cold_start": cold,
    }  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")
    print_markdown(rows, overheads, prefix, cold, results["machine"])
    return 0


def print_markdown(
    rows: list[SpeedRow],
    overheads: dict[str, dict[str, float]],
    prefix: dict[str, float],
    cold: dict[str, float],
    machine: dict[str, float],
) -> None:
    print(f"\n{machine['cpus']} CPUs, {machine['threads']} threads; load average "
          f"{machine['load_avg_1m_before']:.2f} before, {machine['load_avg_1m_after']:.2f} after\n")  # fmt: skip
    print(
        "| model | runner | prompt tokens | prompt tok/s, best (median) | generated | generation tok/s, best (median) |"
    )
    print("|---|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r.model} | {r.runner} | {r.prompt_tokens} | {r.prompt_tok_s:.1f} ({r.prompt_tok_s_median:.1f}) "
              f"| {r.gen_tokens} | {r.gen_tok_s:.1f} ({r.gen_tok_s_median:.1f}) |")  # fmt: skip
    print(
        "\n| model | engine / bare, prompt: best (median) | engine / bare, generation: best (median) |"
    )
    print("|---|---:|---:|")
    for e, b in zip(rows[::2], rows[1::2], strict=True):
        print(f"| {e.model} | {e.prompt_tok_s / b.prompt_tok_s:.3f} ({e.prompt_tok_s_median / b.prompt_tok_s_median:.3f}) "
              f"| {e.gen_tok_s / b.gen_tok_s:.3f} ({e.gen_tok_s_median / b.gen_tok_s_median:.3f}) |")  # fmt: skip
    print(
        "\n| model | one engine call (profiled) | inside Llama.eval | engine's own code incl. sampling | share |"
    )
    print("|---|---:|---:|---:|---:|")
    for model_id, o in overheads.items():
        print(f"| {model_id} | {o['call_s']:.2f} s | {o['inside_llama_eval_s']:.2f} s | "
              f"{o['engine_own_s'] * 1000:.1f} ms | {o['engine_own_s'] / o['call_s']:.3%} |")  # fmt: skip
    print(f"\nFollow-up sharing a {prefix['prompt_tokens']:.0f}-token prompt, best runs "
          f"({prefix['cached_prompt_tokens']:.0f} tokens from the KV cache): first token in "
          f"{prefix['first_token_with_cache_s']:.2f} s with the cache, "
          f"{prefix['first_token_without_cache_s']:.2f} s without: {prefix['speedup']:.1f}x faster")  # fmt: skip
    print(f"Cold start to first token (fresh process, file in page cache): best {cold['total_s']:.2f} s "
          f"(median {cold['total_s_median']:.2f}) "
          f"= imports {cold['imports_s']:.2f} + load {cold['load_s']:.2f} + prompt and first token "
          f"{cold['prompt_and_first_token_s']:.2f}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
