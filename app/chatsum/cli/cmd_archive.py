"""Archive commands: import, conversations, show, search, stats, forget, formats.

Thin: each parses its arguments, calls the store or a pipeline, and prints text
or `--json`. Times are printed on the exporting device's clock, with the
offset, so what the user sees matches their phone.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from chatsum.cli.output import print_json, print_table, run_with_progress
from chatsum.core.domain import Conversation, Message, local_datetime
from chatsum.core.errors import ConfigError
from chatsum.core.importers.base import ParseOptions
from chatsum.core.pipelines.importing import ImportReport, import_paths, local_utc_offset_min
from chatsum.core.progress import CancelToken
from chatsum.services import AppServices


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="import chat exports (files, folders, zips)")
    p.add_argument("paths", nargs="+", type=Path)
    p.add_argument("--json", action="store_true", help="print a machine-readable report")
    p.add_argument("--into", help="merge everything into this existing conversation (id or title)")
    p.add_argument(
        "--as-new", action="store_true", help="never merge with an existing conversation"
    )
    p.add_argument(
        "--date-order", choices=["auto", "dmy", "mdy"], help="day/month order for ambiguous dates"
    )
    p.add_argument(
        "--utc-offset", type=float, help="hours from UTC assumed for exports without a timezone"
    )
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("conversations", help="list imported conversations")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_conversations)

    p = sub.add_parser("show", help="print the messages of a conversation")
    p.add_argument("conversation", help="id or (part of) the title")
    p.add_argument("--since", help="YYYY-MM-DD[ HH:MM] (inclusive)")
    p.add_argument("--until", help="YYYY-MM-DD[ HH:MM] (exclusive)")
    p.add_argument("--sender", help="only messages whose sender name contains this")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_show)

    p = sub.add_parser("search", help="full-text search (Chinese and English)")
    p.add_argument("query")
    p.add_argument("--conversation", help="id or (part of) the title")
    p.add_argument("--limit", type=int, default=20)
    p.add_argument("--context", type=int, default=1, help="messages of context either side")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_search)

    p = sub.add_parser("stats", help="what the archive holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("forget", help="remove a conversation and everything derived from it")
    p.add_argument("conversation", help="id or (part of) the title")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.set_defaults(handler=cmd_forget)

    p = sub.add_parser("formats", help="list the export formats chatsum reads")
    p.set_defaults(handler=cmd_formats)


# ---------------------------------------------------------------- helpers


def parse_when(value: str | None, offset_min: int) -> int | None:
    """A user's date (local to `offset_min`) as UTC milliseconds."""
    if not value:
        return None
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d"):
        try:
            naive = datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
        moment = naive - timedelta(minutes=offset_min)
        return int(moment.replace(tzinfo=UTC).timestamp() * 1000)
    raise ConfigError(f"Cannot read the date {value!r}; use YYYY-MM-DD or 'YYYY-MM-DD HH:MM'.")


def format_time(ts_ms: int | None, offset_min: int = 0) -> str:
    if ts_ms is None:
        return "-"
    return local_datetime(ts_ms, offset_min).strftime("%Y-%m-%d %H:%M")


def message_line(message: Message) -> str:
    when = message.local_time.strftime("%Y-%m-%d %H:%M:%S")
    who = message.sender_name or "·"
    body = message.text or f"[{message.media or message.kind.value}]"
    if message.kind.value == "system":
        return f"{when}  — {body}"
    return f"{when}  {who}: {body}"


def message_dict(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "conversation_id": message.conversation_id,
        "sender": message.sender_name,
        "time": message.local_time.isoformat(),
        "ts_ms": message.ts_ms,
        "utc_offset_min": message.utc_offset_min,
        "offset_assumed": message.offset_assumed,
        "kind": message.kind.value,
        "text": message.text,
        "media": message.media,
        "reply_to_id": message.reply_to_id,
        "edited_ts_ms": message.edited_ts_ms,
    }


def conversation_dict(conversation: Conversation) -> dict[str, Any]:
    return {
        "id": conversation.id,
        "platform": conversation.platform,
        "title": conversation.title,
        "kind": conversation.kind.value,
        "external_id": conversation.external_id,
        "messages": conversation.message_count,
        "first_ts_ms": conversation.first_ts_ms,
        "last_ts_ms": conversation.last_ts_ms,
    }


# ---------------------------------------------------------------- commands


def print_import_report(report: ImportReport) -> None:
    for source in report.sources:
        if source.status == "failed":
            print(f"✗ {source.error}", file=sys.stderr)
            continue
        if source.status == "unchanged":
            print(
                f"= {source.path}: already imported ({source.duplicates} messages), nothing to add"
            )
            continue
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(source.by_kind.items()))
        print(
            f"✓ {source.path} [{source.format}]: {source.messages_new} new messages, "
            f"{source.duplicates} duplicates skipped, {source.conversations} conversation(s), "
            f"{source.participants} participant(s) ({kinds})"
        )
        for warning in source.warnings:
            print(f"  ! {warning['count']}× {warning['message']}")
            for example in warning["examples"][:3]:
                print(f"      e.g. {example}")
    for skipped in report.skipped_files:
        print(f"- skipped (not a chat export): {skipped}")


def cmd_import(args: argparse.Namespace, services: AppServices) -> int:
    settings = services.settings
    offset = settings.default_utc_offset_min
    if args.utc_offset is not None:
        offset = round(args.utc_offset * 60)
    options = ParseOptions(
        date_order=args.date_order or settings.date_order,
        default_utc_offset_min=local_utc_offset_min() if offset is None else offset,
    )
    into = services.store.find_conversation(args.into).id if args.into else None
    cancel = CancelToken()
    report = run_with_progress(
        import_paths(
            settings.db_path, list(args.paths), options, cancel, into=into, as_new=args.as_new
        ),
        cancel,
        quiet=args.json,
    )
    if args.json:
        print_json(report.as_dict())
    else:
        print_import_report(report)
    return 3 if report.failed else 0


def cmd_conversations(args: argparse.Namespace, services: AppServices) -> int:
    conversations = services.store.list_conversations()
    if args.json:
        print_json([conversation_dict(c) for c in conversations])
        return 0
    if not conversations:
        print("No conversations yet. Import an export with `chatsum import PATH`.")
        return 0
    print_table(
        [
            [
                str(c.id),
                c.platform,
                c.kind.value,
                c.title,
                str(c.message_count),
                format_time(c.first_ts_ms)[:10],
                format_time(c.last_ts_ms)[:10],
            ]
            for c in conversations
        ],
        ["id", "platform", "kind", "title", "messages", "from", "to"],
    )
    return 0


def _conversation_offset(services: AppServices, conversation_id: int) -> int:
    first = services.store.messages(conversation_id, limit=1)
    return first[0].utc_offset_min if first else 0


def cmd_show(args: argparse.Namespace, services: AppServices) -> int:
    store = services.store
    conversation = store.find_conversation(args.conversation)
    offset = _conversation_offset(services, conversation.id)
    messages = store.messages(
        conversation.id,
        since_ms=parse_when(args.since, offset),
        until_ms=parse_when(args.until, offset),
        sender=args.sender,
        limit=args.limit,
    )
    if args.json:
        print_json(
            {
                "conversation": conversation_dict(conversation),
                "messages": [message_dict(m) for m in messages],
            }
        )
        return 0
    print(
        f"# {conversation.title} ({conversation.platform}, {conversation.message_count} messages)"
    )
    for message in messages:
        print(message_line(message))
    return 0


def cmd_search(args: argparse.Namespace, services: AppServices) -> int:
    store = services.store
    conversation_id = store.find_conversation(args.conversation).id if args.conversation else None
    hits = store.search(
        args.query, conversation_id=conversation_id, limit=args.limit, context=args.context
    )
    if args.json:
        print_json(
            [
                {
                    "message": message_dict(hit.message),
                    "conversation": hit.conversation_title,
                    "rank": hit.rank,
                    "before": [message_dict(m) for m in hit.context_before],
                    "after": [message_dict(m) for m in hit.context_after],
                }
                for hit in hits
            ]
        )
        return 0
    if not hits:
        print(f"No messages match {args.query!r}.")
        return 0
    for hit in hits:
        print(f"── {hit.conversation_title} (message {hit.message.id})")
        for message in hit.context_before:
            print("   " + message_line(message))
        print(" ▶ " + message_line(hit.message))
        for message in hit.context_after:
            print("   " + message_line(message))
    return 0


def cmd_stats(args: argparse.Namespace, services: AppServices) -> int:
    stats = services.store.stats()
    stats["conversations_list"] = [
        conversation_dict(c) for c in services.store.list_conversations()
    ]
    if args.json:
        print_json(stats)
        return 0
    print(f"database:      {stats['database']} ({stats['database_bytes'] / 1e6:.1f} MB)")
    print(f"conversations: {stats['conversations']}")
    print(f"participants:  {stats['participants']}")
    print(f"messages:      {stats['messages']}")
    for kind, count in sorted(stats["messages_by_kind"].items()):
        print(f"  {kind:<12} {count}")
    print(f"from {format_time(stats['first_ts_ms'])} to {format_time(stats['last_ts_ms'])}")
    return 0


def cmd_forget(args: argparse.Namespace, services: AppServices) -> int:
    store = services.store
    conversation = store.find_conversation(args.conversation)
    if not args.yes:
        if not sys.stdin.isatty():
            raise ConfigError("Refusing to forget without confirmation; add --yes.")
        answer = input(
            f"Forget {conversation.title!r} and all {conversation.message_count} messages? [y/N] "
        )
        if answer.strip().lower() not in {"y", "yes"}:
            print("Nothing changed.")
            return 0
    removed = services.forget_conversation(conversation.id)
    print(f"Forgot {conversation.title!r}: {removed} messages removed.")
    return 0


def cmd_formats(args: argparse.Namespace, services: AppServices) -> int:
    from chatsum.core.importers.catalog import BUNDLE_IMPORTERS, FILE_IMPORTERS

    for importer in [*BUNDLE_IMPORTERS, *FILE_IMPORTERS]:
        doc = (type(importer).__doc__ or "").strip().splitlines()
        print(f"{importer.format_id:<22} {doc[0] if doc else ''}")
    return 0
