"""`chatsum extract`: one record per customer of a service group chat, as JSON or CSV.

Thin over `chatsum.core.pipelines.extracting`: roles given with `--roles` are
saved for the conversation (so the app and later runs agree with the user),
the run is driven with the shared progress line, and the result goes to stdout
or `--output`. Records go to stdout and the human summary (roles, what was
dropped, speed) to stderr, so `chatsum extract … > leads.csv` stays clean.
`--roles-only` shows who is staff and who is a customer without the model;
`--stored` prints the last stored result without running it again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from chatsum.cli.cmd_archive import parse_when
from chatsum.cli.output import print_json, print_table, run_with_progress
from chatsum.core.errors import ConfigError, NotFoundError
from chatsum.core.pipelines.extracting import (
    ExtractionResult,
    RoleAssignment,
    detect_roles,
    extract_records,
    load_extraction,
    resolve_schema,
    result_as_dict,
    save_roles,
    write_csv,
    write_file,
)
from chatsum.core.progress import CancelToken
from chatsum.services import AppServices


def register(sub: Any) -> None:
    p = sub.add_parser(
        "extract",
        help="extract one record per customer (客户线索 or your schema) from a service group chat",
    )
    p.add_argument("conversation", help="id or (part of) the title")
    p.add_argument(
        "--schema", default="lead", help="'lead' (built-in 客户线索) or a .json / .yaml schema file"
    )
    p.add_argument("--format", choices=["json", "csv"], default="json")
    p.add_argument("--output", type=Path, help="write the records to this file instead of stdout")
    p.add_argument(
        "--roles",
        help='set roles and remember them for this chat, e.g. "小王=staff,李先生=customer" '
        "(staff, customer or other)",
    )
    p.add_argument("--since", help="YYYY-MM-DD[ HH:MM] (inclusive)")
    p.add_argument("--until", help="YYYY-MM-DD[ HH:MM] (exclusive)")
    p.add_argument("--english", action="store_true", help="English field names in the output")
    p.add_argument(
        "--roles-only", action="store_true", help="only show who is staff / customer (no model)"
    )
    p.add_argument(
        "--stored", action="store_true", help="print the last stored result, do not run the model"
    )
    p.set_defaults(handler=cmd_extract)


def parse_roles(text: str | None) -> dict[str, str]:
    """'小王=staff, 李先生=customer' → {'小王': 'staff', '李先生': 'customer'}."""
    roles: dict[str, str] = {}
    for part in (text or "").replace("，", ",").split(","):
        if not part.strip():
            continue
        name, sep, role = part.rpartition("=")
        if not sep or not name.strip():
            raise ConfigError(
                f"--roles: {part.strip()!r} should look like NAME=staff, NAME=customer or NAME=other."
            )
        roles[name.strip()] = role.strip()
    return roles


def print_roles(roles: list[RoleAssignment] | tuple[RoleAssignment, ...]) -> None:
    print_table(
        [
            [r.name, r.role.value, r.source.value, f"{r.score:+.2f}", "; ".join(r.reasons)]
            for r in roles
        ],
        ["participant", "role", "decided by", "score", "why"],
    )


def _summary(result: ExtractionResult) -> str:
    stats = result.stats
    speed = stats.completion_tokens / stats.seconds if stats.seconds else 0.0
    return (
        f"{len(result.records)} customer record(s) · staff: {', '.join(result.staff_names()) or '-'}"
        f" · {stats.pieces} part(s), {stats.model_calls} model call(s), schema-valid "
        f"{stats.schema_valid_rate:.0%} · {len(result.dropped)} unsupported value(s) dropped"
        f" · {stats.seconds:.1f}s ({speed:.1f} tok/s) · {result.model_id}"
    )


def _write(result: ExtractionResult, fmt: str, output: Path | None, english: bool) -> None:
    if output is not None:
        write_file(result, output, fmt, english)
        print(f"Wrote {len(result.records)} record(s) to {output}", file=sys.stderr)
    elif fmt == "json":
        print_json(result_as_dict(result, english=english))
    else:
        write_csv(result, sys.stdout, english=english)


def cmd_extract(args: argparse.Namespace, services: AppServices) -> int:
    settings = services.settings
    store = services.store
    conversation = store.find_conversation(args.conversation)
    first = store.messages(conversation.id, limit=1)
    offset = first[0].utc_offset_min if first else 0
    since_ms, until_ms = parse_when(args.since, offset), parse_when(args.until, offset)
    roles = parse_roles(args.roles)
    if roles:
        save_roles(settings.db_path, conversation.id, roles)

    if args.roles_only:
        print_roles(detect_roles(settings.db_path, conversation.id, None, None, since_ms, until_ms))
        return 0
    schema = resolve_schema(args.schema)
    if args.stored:
        stored = load_extraction(settings.db_path, conversation.id, schema.id)
        if stored is None:
            raise NotFoundError(
                f"No stored {schema.id!r} extraction for {conversation.title!r}; "
                "run `chatsum extract` without --stored first."
            )
        result = stored
    else:
        cancel = CancelToken()
        result = run_with_progress(
            extract_records(
                settings.db_path,
                services.engine_for("extract"),
                conversation.id,
                schema,
                since_ms=since_ms,
                until_ms=until_ms,
                cancel=cancel,
            ),
            cancel,
        )
    _write(result, args.format, args.output, args.english)
    print(_summary(result), file=sys.stderr)
    return 0
