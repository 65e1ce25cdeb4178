"""`chatsum eval extract`: the extraction figures recorded in bench/README.md.

Registered on the shared `eval` parser by `chatsum.cli.cmd_eval`; it reuses that
module's model choice (`--model`) and progress display. The cases run in a
scratch archive in a temporary folder, so the user's archive is never touched.
Prints one line per case and the pooled figures, or the whole report as JSON.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

import chatsum
from chatsum.cli.output import print_json, print_table
from chatsum.core.errors import ConfigError
from chatsum.services import AppServices

# bench/ sits next to app/ in a source checkout.
DEFAULT_EXTRACT_DATA = Path(chatsum.__file__).resolve().parents[2] / "bench/data/extract_eval.jsonl"


def register(evals: Any) -> None:
    p = evals.add_parser(
        "extract", help="per-field precision/recall/F1, record matching, schema-valid rate"
    )
    p.add_argument(
        "--data",
        type=Path,
        default=None,
        help=f"JSONL of chats with expected records (default: {DEFAULT_EXTRACT_DATA.name})",
    )
    p.add_argument("--model", help="installed model id (default: the model in use)")
    p.add_argument("--limit", type=int, help="only the first N chats")
    p.add_argument("--schema", default="lead", help="schema the expected records use")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.set_defaults(handler=cmd_eval_extract)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def cmd_eval_extract(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.cli.cmd_eval import chosen_generator, run_model_job
    from chatsum.core.pipelines.extracting import resolve_schema
    from chatsum.core.pipelines.extracting.evaluation import load_cases, run_extract_eval

    data = args.data or DEFAULT_EXTRACT_DATA
    if not data.exists():
        raise ConfigError(f"{data}: no such dataset. Pass --data FILE (JSONL, see `--help`).")
    cases = load_cases(data, args.limit)
    schema = resolve_schema(args.schema)
    with (
        chosen_generator(services, args.model, "extract") as generator,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = run_model_job(
            run_extract_eval(cases, generator, schema, Path(tmp)), quiet=args.json
        )
    summary = report.as_dict()
    if args.json:
        print_json(summary)
        return 0
    print(f"model {report.model_id} · schema {schema.id} · {data}")
    print_table(
        [
            [
                c.id,
                f"{c.matched_records}/{c.expected_records} ({c.found_records} found)",
                f"{c.roles_right}/{c.roles_total}",
                f"{c.valid_outputs}/{c.model_calls}",
                f"{c.seconds:.1f}",
            ]
            for c in report.cases
        ],
        ["chat", "records matched", "roles", "valid replies", "s"],
    )
    print()
    print_table(
        [
            [name, _pct(t.precision), _pct(t.recall), _pct(t.f1)]
            for name, t in [*report.tallies.items(), ("(all fields)", report.total())]
        ],
        ["field", "precision", "recall", "F1"],
    )
    print()
    contact = report.total(report.contact_fields())
    records = summary["records"]
    print(f"schema-valid replies     {_pct(summary['schema_valid_rate'])}")
    print(f"phone/e-mail precision   {_pct(contact.precision)}  (recall {_pct(contact.recall)})")
    print(
        f"records                  {records['matched']} matched of {records['expected']} expected,"
        f" {records['extracted']} extracted"
    )
    print(f"role accuracy            {_pct(summary['role_accuracy'])}")
    print(
        f"time                     {summary['seconds']}s ({summary['seconds_per_case']}s per chat)"
    )
    return 0
