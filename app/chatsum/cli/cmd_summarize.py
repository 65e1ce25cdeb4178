"""`chatsum summarize`: topic summaries of a conversation, with every claim cited.

Thin: it turns the flags into a range (or a day, week, month, or one summary
per day), calls the summarizing service with the configured model, shows its
progress on stderr, and writes a Markdown, HTML or JSON report to stdout or a
file. Days are days on the chat's own clock (the offset of its messages).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from chatsum.cli.cmd_archive import parse_when
from chatsum.cli.cmd_eval import chosen_generator, run_model_job
from chatsum.core.domain import Summary
from chatsum.core.errors import ConfigError
from chatsum.services import AppServices


def register(sub: Any) -> None:
    p = sub.add_parser(
        "summarize",
        help="topics, each person's view and key points of a chat, every claim cited",
        description=(
            "Summarize a conversation (all of it, a range, a day, a week, a month, or one "
            "summary per day). Results are cached in the archive; --no-cache recomputes."
        ),
    )
    p.add_argument("conversation", help="id or (part of) the title")
    p.add_argument("--since", help="YYYY-MM-DD[ HH:MM] (inclusive)")
    p.add_argument("--until", help="YYYY-MM-DD[ HH:MM] (exclusive)")
    p.add_argument("--day", help="one day, YYYY-MM-DD")
    p.add_argument("--week", help="the Monday–Sunday week containing YYYY-MM-DD")
    p.add_argument("--month", help="one month, YYYY-MM")
    p.add_argument("--by", choices=["day"], help="one summary per day (of --since/--until)")
    p.add_argument("--lang", choices=["auto", "zh", "en"], help="summary language")
    p.add_argument("--format", choices=["markdown", "json", "html"], default="markdown")
    p.add_argument("--model", help="installed model id (default: the model in use)")
    p.add_argument("--output", "-o", type=Path, help="write the report to this file")
    p.add_argument("--no-cache", action="store_true", help="recompute even if a summary is cached")
    p.set_defaults(handler=cmd_summarize)


def _day(value: str, flag: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise ConfigError(f"{flag} {value!r}: use YYYY-MM-DD.") from exc


def _month(value: str) -> date:
    try:
        return datetime.strptime(value.strip(), "%Y-%m").date()
    except ValueError as exc:
        raise ConfigError(f"--month {value!r}: use YYYY-MM.") from exc


def _check_flags(args: argparse.Namespace) -> None:
    periods = [flag for flag in ("day", "week", "month") if getattr(args, flag)]
    if len(periods) > 1:
        raise ConfigError("Give only one of --day, --week and --month.")
    if periods and (args.since or args.until or args.by):
        raise ConfigError(f"--{periods[0]} cannot be combined with --since/--until or --by.")


def _report(summaries: list[Summary], fmt: str, title: str, offset: int) -> str:
    from chatsum.core.pipelines.summarizing import render_html, render_json, render_markdown

    if fmt == "json":
        if len(summaries) == 1:
            return render_json(summaries[0], title, offset) + "\n"
        return "[\n" + ",\n".join(render_json(s, title, offset) for s in summaries) + "\n]\n"
    if fmt == "html":
        return render_html(summaries, title, offset)
    return render_markdown(summaries, title, offset)


def _quality_line(summary: Summary) -> str:
    q, t = summary.quality, summary.timings
    parts = [
        f"{len(summary.topics)} topics",
        f"{q.citations_cited} citations checked ({q.citations_invalid} invalid, "
        f"{q.citations_misattributed} misattributed, {q.citations_repaired} repaired)",
        f"{q.unsupported_claims} unverified claims",
        "from cache" if summary.from_cache else f"{t.llm_calls} model calls, {t.total_s:.1f} s",
    ]
    if q.flags:
        parts.append("flags: " + ", ".join(q.flags))
    return " · ".join(parts)


def cmd_summarize(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.pipelines.summarizing import (
        SummaryOptions,
        summarize_days,
        summarize_period,
        summarize_range,
    )
    from chatsum.core.pipelines.summarizing.periods import local_day

    _check_flags(args)
    store = services.store
    conversation = store.find_conversation(args.conversation)
    first = store.messages(conversation.id, limit=1)
    offset = first[0].utc_offset_min if first else 0
    settings = services.settings
    options = SummaryOptions(
        language=args.lang or settings.summary_language,
        redact_pii=settings.redact_pii,
        use_cache=not args.no_cache,
    )
    db = settings.db_path
    quiet = args.format == "json" and args.output is None
    with chosen_generator(services, args.model) as generator:
        if args.day or args.week or args.month:
            period = "day" if args.day else "week" if args.week else "month"
            anchor = (
                _month(args.month) if args.month else _day(args.day or args.week, f"--{period}")
            )
            job = summarize_period(db, generator, conversation.id, period, anchor, offset, options)
            summaries = [run_model_job(job, quiet)]
        elif args.by == "day":
            start = _day(args.since, "--since") if args.since else None
            end = _day(args.until, "--until") if args.until else None
            if conversation.first_ts_ms is not None and conversation.last_ts_ms is not None:
                start = start or local_day(conversation.first_ts_ms, offset)
                end = end or local_day(conversation.last_ts_ms, offset) + timedelta(days=1)
            if start is None or end is None:
                raise ConfigError(f"{conversation.title!r} has no messages to summarize.")
            summaries = run_model_job(
                summarize_days(db, generator, conversation.id, start, end, offset, options), quiet
            )
        else:
            job = summarize_range(
                db,
                generator,
                conversation.id,
                parse_when(args.since, offset),
                parse_when(args.until, offset),
                options,
            )
            summaries = [run_model_job(job, quiet)]
    text = _report(summaries, args.format, conversation.title, offset)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    for summary in summaries:
        print(_quality_line(summary), file=sys.stderr)
    return 0
