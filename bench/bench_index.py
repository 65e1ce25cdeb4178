"""Index and answering benchmarks (issue 5): throughput, retrieval latency, first token.

    # messages/s of `chatsum index` for an embedder, on generated mixed zh/en chat
    .venv/bin/python bench/bench_index.py throughput --messages 20000 --embedder use-multilingual
    .venv/bin/python bench/bench_index.py throughput --messages 5000 --embedder all-minilm-l6-v2

    # hybrid retrieval latency (no LLM) on the 1M-message export from gen_exports.py;
    # the archive and index are kept in --workdir, so a rerun (or an interrupted
    # index) continues instead of starting over
    .venv/bin/python bench/bench_index.py retrieval --export bench/out/whatsapp_1000000.txt \
        --workdir /tmp/bench-1m --queries 200

    # time to the first answer token with the installed default model
    .venv/bin/python bench/bench_index.py first-token --home /path/to/CHATSUM_HOME

Every measurement prints one JSON line; the machine's load average is included
because these runs share two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def emit(record: dict[str, Any]) -> None:
    record["load_average_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(record, ensure_ascii=False), flush=True)


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    ordered = sorted(samples_ms)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "p50_ms": at(0.5),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "mean_ms": round(statistics.mean(ordered), 1),
    }


def opener(folder: Path) -> Any:
    from chatsum.core.index.vector_store import ChromaVectorIndex

    return lambda name: ChromaVectorIndex.open(folder, "", name)


def write_generated(db: Path, count: int) -> None:
    """`count` messages from the export generator, written like an import."""
    from gen_exports import iter_messages

    from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
    from chatsum.core.storage.store import Store

    store = Store.open(db)
    writer = store.writer()
    writer.begin("generated", count, "b" * 64, "bench")
    writer.add_conversation(
        ParsedConversation("bench", "bench", "bench chat", ConversationKind.GROUP)
    )
    for moment, sender, text in iter_messages(count):
        writer.add_message(
            ParsedMessage(
                conversation_key="bench",
                ts_ms=int(moment.timestamp() * 1000),
                utc_offset_min=480,
                offset_assumed=False,
                kind=MessageKind.TEXT,
                text=text,
                sender_name=sender,
            )
        )
    writer.commit([])
    store.close()


# ---------------------------------------------------------------- throughput


def cmd_throughput(args: argparse.Namespace) -> None:
    from chatsum.core.index.embedder_catalog import make_embedder
    from chatsum.core.pipelines.indexing import index_archive
    from chatsum.core.progress import drive

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        write_generated(db, args.messages)
        embedder = make_embedder(args.embedder, threads=args.threads)
        embedder.embed_documents(["warm up the model"])  # loading is not indexing
        report = drive(index_archive(db, embedder, opener(Path(tmp) / "chroma")))
    emit(
        {
            "bench": "index throughput",
            "embedder": report.embedder_id,
            "messages": report.messages_embedded,
            "chunks": report.chunks_added,
            "seconds": round(report.seconds, 2),
            "messages_per_s": round(report.messages_per_s, 1),
        }
    )


# ---------------------------------------------------------------- retrieval


QUESTIONS = [
    "服务器为什么又宕机了？",
    "上线改到哪天了？",
    "谁负责部署测试环境？",
    "爬山要带什么？",
    "数据库备份做了吗？",
    "客户对移动端有什么反馈？",
    "价格是不是太贵了？",
    "几点集合？",
    "When did we move the launch?",
    "Why did the deploy fail?",
    "Who can review the pull request?",
    "What did the customer say about the mobile app?",
    "Is the budget tight this quarter?",
    "When does the backup finish?",
    "What should we bring for the hike?",
    "火锅在哪里吃？",
    "王强说了什么？",
    "What did Alice say about the plan?",
    "下载速度为什么慢？",
    "开会时间定了吗？",
]


def ensure_archive(args: argparse.Namespace, db: Path) -> None:
    if db.exists():
        return
    from chatsum.core.importers.base import ParseOptions
    from chatsum.core.pipelines.importing import import_paths
    from chatsum.core.progress import drive

    started = time.monotonic()
    report = drive(import_paths(db, [args.export], ParseOptions(default_utc_offset_min=480)))
    emit(
        {
            "bench": "import for retrieval",
            "export": str(args.export),
            "messages": report.messages_new,
            "seconds": round(time.monotonic() - started, 1),
        }
    )


def cmd_retrieval(args: argparse.Namespace) -> None:
    from chatsum.core.index.embedder_catalog import make_embedder
    from chatsum.core.index.embedders import FakeEmbedder
    from chatsum.core.pipelines.indexing import index_archive, open_current_index
    from chatsum.core.pipelines.retrieval import RetrievalFilters, RetrievalParts
    from chatsum.core.progress import Progress
    from chatsum.core.storage.store import Store

    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "archive.db"
    ensure_archive(args, db)
    embedder = (
        FakeEmbedder(512, "fake-512")
        if args.embedder == "fake-512"
        else make_embedder(args.embedder, threads=args.threads)
    )
    open_index = opener(args.workdir / "chroma")
    started, last = time.monotonic(), 0.0
    indexing = index_archive(db, embedder, open_index, write_batch=2048)
    while True:
        try:
            event = next(indexing)
        except StopIteration as stop:
            report = stop.value
            break
        if isinstance(event, Progress) and time.monotonic() - last > 30:
            last = time.monotonic()
            print(
                f"# indexing {event.done}/{event.total} eta {event.eta_s}",
                file=sys.stderr,
                flush=True,
            )
    emit(
        {
            "bench": "index for retrieval",
            "embedder": report.embedder_id,
            "messages_embedded_now": report.messages_embedded,
            "vectors": report.vectors_total,
            "seconds": round(time.monotonic() - started, 1),
            "messages_per_s": round(report.messages_per_s, 1),
        }
    )
    store = Store.open(db)
    messages = store.conn.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
    conversation = store.conn.execute("SELECT MIN(id) FROM conversations").fetchone()[0]
    span = store.conn.execute("SELECT MIN(ts_ms), MAX(ts_ms) FROM messages").fetchone()
    retriever = RetrievalParts(
        embedder, open_current_index(store, embedder.id, open_index)
    ).retriever(store)
    rng = random.Random(5)
    month = 30 * 86_400_000

    def one_month() -> RetrievalFilters:
        since = rng.randint(span[0], max(span[0], span[1] - month))
        return RetrievalFilters(since_ms=since, until_ms=since + month)

    cases = [
        ("no filter", RetrievalFilters),
        ("conversation", lambda: RetrievalFilters(conversation_id=conversation)),
        ("participant", lambda: RetrievalFilters(participant="王强")),
        ("one month", one_month),
    ]
    for question in QUESTIONS[:3]:
        retriever.retrieve(question)  # warm caches and the embedder
    for label, filters in cases:
        samples = []
        for number in range(args.queries):
            question = QUESTIONS[number % len(QUESTIONS)]
            begin = time.perf_counter()
            retriever.retrieve(question, filters(), limit=5)
            samples.append((time.perf_counter() - begin) * 1000)
        emit(
            {
                "bench": "retrieval latency (hybrid, top 5, with context)",
                "filter": label,
                "archive_messages": messages,
                "vectors": report.vectors_total,
                "embedder": embedder.id,
                "queries": len(samples),
                **percentiles(samples),
            }
        )
    store.close()
    if embedder.id == "fake-512":
        # The 1M index above holds hashing vectors; what the real default adds
        # to each query is embedding the question, measured here.
        real = make_embedder("use-multilingual", threads=args.threads)
        real.embed_query("warm up")
        samples = []
        for number in range(args.queries):
            begin = time.perf_counter()
            real.embed_query(QUESTIONS[number % len(QUESTIONS)])
            samples.append((time.perf_counter() - begin) * 1000)
        emit(
            {
                "bench": "question embedding",
                "embedder": real.id,
                "queries": len(samples),
                **percentiles(samples),
            }
        )


# ---------------------------------------------------------------- first token


FIRST_TOKEN_QUESTIONS = [
    "新版App最后定在哪天上线？",
    "Which trail did the hikers pick for Saturday?",
    "王强说服务器宕机是什么原因？",
    "How much did the seed round raise?",
    "读书会在哪里开？",
]


def cmd_first_token(args: argparse.Namespace) -> None:
    from chatsum.config import load_settings
    from chatsum.core.llm.base import ChatMessage, GenerationOptions
    from chatsum.core.pipelines.answer_eval import build_archive, load_eval_set
    from chatsum.core.pipelines.answering import AnswerOptions, answer_question
    from chatsum.core.pipelines.indexing import index_archive, open_current_index
    from chatsum.core.pipelines.retrieval import RetrievalParts
    from chatsum.core.progress import drive
    from chatsum.core.storage.store import Store
    from chatsum.services import AppServices

    services = AppServices(load_settings({"home": args.home}))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "eval.db"
        build_archive(db, load_eval_set(HERE / "data/answer_eval.jsonl"))
        embedder = services.embedder
        drive(index_archive(db, embedder, opener(Path(tmp) / "chroma")))
        store = Store.open(db)
        parts = RetrievalParts(
            embedder, open_current_index(store, embedder.id, opener(Path(tmp) / "chroma"))
        )
        engine = services.engine
        load_started = time.monotonic()
        drive(engine.stream_chat([ChatMessage("user", "hi")], GenerationOptions(max_tokens=1)))
        load_s = time.monotonic() - load_started
        options = AnswerOptions(
            min_relevance=services.settings.retrieval_min_score, max_tokens=args.max_tokens
        )
        for question in FIRST_TOKEN_QUESTIONS:
            answer = drive(answer_question(db, engine, parts, question, options=options))
            emit(
                {
                    "bench": "time to first answer token",
                    "model": answer.model_id,
                    "question": question,
                    "outcome": answer.outcome.value,
                    "first_token_s": None
                    if answer.timings.first_token_s is None
                    else round(answer.timings.first_token_s, 2),
                    "retrieval_s": round(answer.timings.retrieval_s, 3),
                    "prompt_tokens": answer.timings.prompt_tokens,
                    "cached_prompt_tokens": answer.timings.cached_prompt_tokens,
                    "total_s": round(answer.timings.total_s, 2),
                    "model_load_s_once": round(load_s, 2),
                }
            )
        store.close()
    services.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("throughput")
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--embedder", default="use-multilingual")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads of the USE embedder")
    p.set_defaults(run=cmd_throughput)
    p = sub.add_parser("retrieval")
    p.add_argument("--export", type=Path, default=HERE / "out/whatsapp_1000000.txt")
    p.add_argument("--workdir", type=Path, required=True)
    p.add_argument(
        "--embedder", default="use-multilingual", help="or fake-512 (hashing vectors, same size)"
    )
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--threads", type=int, default=1, help="BLAS threads of the USE embedder")
    p.set_defaults(run=cmd_retrieval)
    p = sub.add_parser("first-token")
    p.add_argument("--home", required=True, help="a CHATSUM_HOME with the model installed")
    p.add_argument("--max-tokens", type=int, default=64)
    p.set_defaults(run=cmd_first_token)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
