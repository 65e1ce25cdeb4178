"""`chatsum eval answer`: the question-answering figures recorded in bench/README.md.

Registered on the shared `eval` parser by `chatsum.cli.cmd_eval`, reusing its
model choice and progress display. The eval archive and its index live in a
temporary folder, so the user's archive and index are never touched.
`--no-llm` measures the steps before the model (rewrite without a model,
hybrid retrieval, threshold rejection) in seconds, and `--vector-only` leaves
full-text search out: together they compare embedders on their own.
"""

from __future__ import annotations

import argparse
import tempfile
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import chatsum
from chatsum.cli.output import print_json, print_table
from chatsum.core.errors import ConfigError
from chatsum.services import AppServices

# bench/ sits next to app/ in a source checkout.
DEFAULT_ANSWER_DATA = Path(chatsum.__file__).resolve().parents[2] / "bench/data/answer_eval.jsonl"
SWEEP = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]


def register(evals: Any) -> None:
    p = evals.add_parser(
        "answer", help="retrieval hit@5, answer accuracy, rejection P/R/F1, citation validity"
    )
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help=f"JSONL of dialogues and questions (default: {DEFAULT_ANSWER_DATA.name})",
    )
    p.add_argument("--embedder", help="embedder to measure (default: the configured one)")
    p.add_argument("--model", help="installed model id (default: the model in use)")
    p.add_argument("--no-llm", action="store_true", help="retrieval and rejection only")
    p.add_argument("--vector-only", action="store_true", help="leave full-text search out")
    p.add_argument("--min-score", type=float, help="rejection threshold (default: the setting)")
    p.add_argument(
        "--only", help="comma-separated question ids to run (with those they follow up on)"
    )
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(handler=cmd_eval_answer)


def _show(value: Any) -> str:
    return "-" if value is None else str(value)


def cmd_eval_answer(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.cli.cmd_eval import chosen_generator, run_model_job
    from chatsum.core.index.embedder_catalog import make_embedder
    from chatsum.core.index.vector_store import ChromaVectorIndex
    from chatsum.core.pipelines.answer_eval import load_eval_set, run_answer_eval
    from chatsum.core.pipelines.answering import AnswerOptions

    data_path = args.data or DEFAULT_ANSWER_DATA
    if not data_path.exists():
        raise ConfigError(f"{data_path}: no such dataset. Pass --data FILE (JSONL, see `--help`).")
    data = load_eval_set(data_path)
    if args.only:
        data = data.only({part.strip() for part in args.only.split(",") if part.strip()})
    embedder = make_embedder(args.embedder) if args.embedder else services.embedder
    threshold = services.settings.retrieval_min_score if args.min_score is None else args.min_score
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        generator = (
            None
            if args.no_llm
            else stack.enter_context(chosen_generator(services, args.model, "answer"))
        )
        report = run_model_job(
            run_answer_eval(
                data,
                work,
                embedder,
                lambda name: ChromaVectorIndex.open(work / "chroma", "", name),
                generator,
                AnswerOptions(min_relevance=threshold),
                text_search=not args.vector_only,
            ),
            quiet=args.json,
        )
    summary = report.as_dict()
    if args.no_llm:
        summary["threshold_sweep"] = report.threshold_sweep(SWEEP)
    if args.json:
        print_json(summary)
        return 0
    print(
        f"embedder {report.embedder_id} · model {report.model_id or '(none)'} · "
        f"{summary['retrieval']} · threshold {threshold} · {data_path.name}"
    )
    print_table(
        [
            [
                r.id,
                r.kind,
                r.outcome,
                "yes" if r.expected_dialogue in r.retrieved_dialogues[:5] else "-",
                _show(r.correct),
                f"{r.citations_valid}/{r.citations}",
                f"{r.top_relevance:.2f}",
                r.answer.replace("\n", " ")[:60],
            ]
            for r in report.results
        ],
        ["id", "kind", "outcome", "hit@5", "correct", "cites ok", "top", "answer"],
    )
    print()
    for key, value in summary["metrics"].items():
        print(f"{key:30} {_show(value)}")
    for row in summary.get("threshold_sweep", []):
        print(
            f"threshold {row['threshold']:.2f}: rejection P {_show(row['rejection_precision'])} "
            f"R {_show(row['rejection_recall'])} F1 {row['rejection_f1']} "
            f"(answerable rejected: {row['answerable_rejected']})"
        )
    return 0
