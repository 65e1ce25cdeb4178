"""`chatsum eval …`: quality measurements the project keeps (summaries now; answers
and extraction add their own subcommands here).

Each subcommand is registered by one `_register_<name>` function on the shared
`eval` parser, so another evaluation is one more function and one line in
`register`. The helpers for choosing a model (`--model`) and for showing a
model's streamed output as progress are shared with the other model commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import chatsum
from chatsum.cli.output import print_json, print_table, run_with_progress
from chatsum.core.errors import ConfigError
from chatsum.core.llm.base import TextGenerator
from chatsum.core.progress import CancelToken, Progress
from chatsum.services import AppServices

T = TypeVar("T")

# bench/ sits next to app/ in a source checkout.
DEFAULT_SUMMARIZE_DATA = (
    Path(chatsum.__file__).resolve().parents[2] / "bench/data/summarize_eval.jsonl"
)


def register(sub: Any) -> None:
    parser = sub.add_parser("eval", help="measure summary (and other) quality on a dataset")
    evals = parser.add_subparsers(dest="eval_command", metavar="WHAT", required=True)
    _register_summarize(evals)
    from chatsum.cli import cmd_eval_extract  # imports this module's helpers when it runs

    cmd_eval_extract.register(evals)
    from chatsum.cli import cmd_eval_answer

    cmd_eval_answer.register(evals)


# ---------------------------------------------------------------- shared helpers


@contextmanager
def chosen_generator(
    services: AppServices, model_id: str | None, task: str = "summary"
) -> Iterator[TextGenerator]:
    """The installed model `model_id` for this run only, else the one set for `task`."""
    if not model_id or model_id == services.settings.model_for(task):
        yield services.engine_for(task)
        return
    other = AppServices(services.settings.replace(model=model_id))
    try:
        yield other.engine
    finally:
        other.close()


def as_progress(gen: Generator[Any, None, T]) -> Generator[Progress, None, T]:
    """Streamed text pieces become a running count on the current step's progress line."""
    current = Progress("start", "")
    pieces = 0
    while True:
        try:
            event = next(gen)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if isinstance(event, Progress):
            current, pieces = event, 0
            yield event
        elif isinstance(event, str):
            pieces += 1
            yield Progress(
                current.stage,
                f"{current.message} · writing ({pieces} pieces)",
                current.done,
                current.total,
                current.unit,
            )


def run_model_job(gen: Generator[Any, None, T], quiet: bool = False) -> T:
    cancel = CancelToken()
    return run_with_progress(as_progress(gen), cancel, quiet=quiet)


# ---------------------------------------------------------------- eval summarize


def _register_summarize(evals: Any) -> None:
    p = evals.add_parser("summarize", help="ROUGE, citation validity, attribution, copying, speed")
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help=f"JSONL of dialogues with reference summaries (default: {DEFAULT_SUMMARIZE_DATA.name})",
    )
    p.add_argument("--model", help="installed model id (default: the model in use)")
    p.add_argument("--limit", type=int, help="only the first N dialogues")
    p.add_argument("--lang", choices=["auto", "zh", "en"], default="auto")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(handler=cmd_eval_summarize)


def cmd_eval_summarize(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.pipelines.summarizing.evaluation import evaluate
    from chatsum.core.pipelines.summarizing.options import SummaryOptions

    data = args.data or DEFAULT_SUMMARIZE_DATA
    if not data.exists():
        raise ConfigError(f"{data}: no such dataset. Pass --data FILE (JSONL, see `--help`).")
    options = SummaryOptions(language=args.lang, redact_pii=services.settings.redact_pii)
    with chosen_generator(services, args.model) as generator:
        report = run_model_job(
            evaluate(data, generator, options, limit=args.limit), quiet=args.json
        )
    if args.json:
        print_json(report.as_dict())
        return 0
    totals = report.totals()
    print(f"model {report.model_id} · prompt {report.prompt_version} · {report.data}")
    print_table(
        [
            [
                r.id,
                r.language,
                str(r.messages),
                str(r.topics),
                "yes" if r.schema_valid else "NO",
                f"{r.rouge1:.3f}",
                f"{r.rouge_l:.3f}",
                f"{r.cited_valid_raw}/{r.cited}",
                f"{r.attribution_right}/{r.attribution_matched}",
                f"{r.verbatim:.0%}",
                f"{r.seconds:.1f}",
            ]
            for r in report.results
        ],
        [
            "dialogue",
            "lang",
            "msgs",
            "topics",
            "schema",
            "R-1",
            "R-L",
            "cites ok",
            "attrib",
            "copied",
            "s",
        ],
    )
    print()
    for key, value in totals.items():
        print(f"{key:28} {value}")
    return 0
