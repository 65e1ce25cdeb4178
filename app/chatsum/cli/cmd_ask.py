"""`chatsum index` and `chatsum ask`: the semantic index and questions over the archive.

Thin: `index` drives the indexing pipeline; `ask` brings the index up to date
(incrementally, usually a no-op), then drives the answering pipeline, streaming
the answer to stdout and listing the cited messages after it. `--interactive`
keeps one Q&A session open so follow-ups ("它支持平板吗？") resolve against the
earlier turns. `--json` prints one object per question and nothing else on
stdout.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from chatsum.cli.cmd_archive import format_time, parse_when
from chatsum.cli.output import print_json, print_table, run_with_progress
from chatsum.core.domain import Answer, Citation
from chatsum.core.pipelines.importing import local_utc_offset_min
from chatsum.core.progress import CancelToken, Progress
from chatsum.services import AppServices

if TYPE_CHECKING:  # the pipelines pull in numpy: loaded when a command runs, not for --help
    from chatsum.core.pipelines.indexing import IndexReport

T = TypeVar("T")


def register(sub: Any) -> None:
    p = sub.add_parser("index", help="build or update the semantic index (incremental)")
    p.add_argument("--rebuild", action="store_true", help="drop the index and embed everything")
    p.add_argument("--json", action="store_true", help="print a machine-readable report")
    p.set_defaults(handler=cmd_index)

    p = sub.add_parser("ask", help="ask a question about the archive; answers cite messages")
    p.add_argument("question", nargs="?", help="the question (omit with --interactive)")
    p.add_argument("--interactive", "-i", action="store_true", help="ask several questions")
    p.add_argument("--conversation", help="only this conversation (id or part of the title)")
    p.add_argument("--participant", help="only messages by this person (part of the name)")
    p.add_argument("--since", help="YYYY-MM-DD[ HH:MM] (inclusive, your local time)")
    p.add_argument("--until", help="YYYY-MM-DD[ HH:MM] (exclusive, your local time)")
    p.add_argument("--session", type=int, help="continue this Q&A session (see --sessions)")
    p.add_argument("--sessions", action="store_true", help="list the Q&A sessions and exit")
    p.add_argument("--json", action="store_true", help="print the answer as JSON")
    p.set_defaults(handler=cmd_ask)


# ---------------------------------------------------------------- index


def print_index_report(report: IndexReport, file: TextIO | None = None) -> None:
    # sys.stdout is looked up at call time: it may have been replaced since import.
    file = file or sys.stdout
    what = "new index" if report.rebuilt else "updated"
    print(
        f"{what} [{report.embedder_id}]: {report.conversations_updated} conversation(s) "
        f"indexed, {report.conversations_unchanged} unchanged; {report.chunks_added} chunks "
        f"added, {report.chunks_removed} removed; {report.vectors_total} vectors in total "
        f"({report.messages_embedded} messages in {report.seconds:.1f}s, "
        f"{report.messages_per_s:.0f} msgs/s)",
        file=file,
    )
    if report.repaired:
        print(
            f"repaired {report.repaired} chunk(s) the index and the archive disagreed on", file=file
        )


def update_index(services: AppServices, rebuild: bool, quiet: bool) -> IndexReport:
    from chatsum.core.pipelines.indexing import index_archive

    cancel = CancelToken()
    return run_with_progress(
        index_archive(
            services.settings.db_path,
            services.embedder,
            services.open_vector_index,
            cancel,
            rebuild=rebuild,
        ),
        cancel,
        quiet=quiet,
    )


def cmd_index(args: argparse.Namespace, services: AppServices) -> int:
    report = update_index(services, args.rebuild, args.json)
    if args.json:
        print_json(report.as_dict())
    else:
        print_index_report(report)
    return 0


# ---------------------------------------------------------------- ask


def citation_dict(citation: Citation, titles: dict[int, str], offset_min: int) -> dict[str, Any]:
    return {
        "id": citation.message_id,
        "conversation_id": citation.conversation_id,
        "conversation": titles.get(citation.conversation_id, ""),
        "sender": citation.sender_name,
        "time": format_time(citation.ts_ms, offset_min),
        "ts_ms": citation.ts_ms,
        "text": citation.text,
    }


def answer_dict(answer: Answer, titles: dict[int, str], offset_min: int) -> dict[str, Any]:
    return {
        "question": answer.question,
        "rewritten_question": answer.rewritten_question,
        "outcome": answer.outcome.value,
        "rejected": answer.rejected,
        "answer": answer.text,
        "citations": [citation_dict(c, titles, offset_min) for c in answer.citations],
        "dropped_citations": list(answer.dropped_citations),
        "unsupported_claims": list(answer.unsupported_claims),
        "top_relevance": round(answer.top_relevance, 3),
        "session_id": answer.session_id,
        "turn_id": answer.turn_id,
        "model": answer.model_id,
        "seconds": round(answer.timings.total_s, 2),
        "first_token_s": None
        if answer.timings.first_token_s is None
        else round(answer.timings.first_token_s, 2),
    }


def _shown(gen: Generator[Any, None, T], stream: bool) -> Generator[Any, None, T]:
    """Report the rewritten question on stderr; pass text pieces only when streaming."""
    while True:
        try:
            event = next(gen)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
        if isinstance(event, Progress) and event.stage == "rewritten":
            if stream:
                print(f"→ {event.message}", file=sys.stderr)
        elif isinstance(event, str) and not stream:
            continue
        yield event


class _Asker:
    """One `ask` invocation: scope, options and the session follow-ups share."""

    def __init__(self, args: argparse.Namespace, services: AppServices) -> None:
        from chatsum.core.pipelines.answering import AnswerOptions, AskScope

        self.services = services
        self.json = args.json
        store = services.store
        conversation = store.find_conversation(args.conversation) if args.conversation else None
        self.offset = local_utc_offset_min()
        self.scope = AskScope(
            conversation_id=conversation.id if conversation else None,
            participant=args.participant,
            since_ms=parse_when(args.since, self.offset),
            until_ms=parse_when(args.until, self.offset),
        )
        self.options = AnswerOptions(min_relevance=services.settings.retrieval_min_score)
        self.session_id: int | None = args.session
        self.titles = {c.id: c.title for c in store.list_conversations()}

    def ask(self, question: str) -> Answer:
        from chatsum.core.pipelines.answering import answer_question

        cancel = CancelToken()
        turn = answer_question(
            self.services.settings.db_path,
            self.services.engine_for("answer"),
            self.services.retrieval_parts(),
            question,
            self.session_id,
            self.scope,
            self.options,
            cancel,
        )
        answer = run_with_progress(_shown(turn, not self.json), cancel, quiet=self.json)
        self.session_id = answer.session_id
        if self.json:
            print_json(answer_dict(answer, self.titles, self.offset))
        else:
            self.print_sources(answer)
        return answer

    def print_sources(self, answer: Answer) -> None:
        print()
        if answer.dropped_citations:
            dropped = ", ".join(str(i) for i in answer.dropped_citations)
            print(f"(dropped citations that were not among the retrieved messages: {dropped})")
            print(f"checked answer: {answer.text}")
        for claim in answer.unsupported_claims:
            print(f"(removed, no retrieved message supports it: {claim})")
        if not answer.citations:
            return
        print("sources:")
        for citation in answer.citations:
            title = self.titles.get(citation.conversation_id, "")
            when = format_time(citation.ts_ms, self.offset)
            print(
                f"  [{citation.message_id}] {title} · {when} · {citation.sender_name}: {citation.text}"
            )


def cmd_ask(args: argparse.Namespace, services: AppServices) -> int:
    if args.sessions:
        return list_sessions(services, args.json)
    if not args.interactive and not (args.question or "").strip():
        print("chatsum: give a question, or use --interactive", file=sys.stderr)
        return 2
    report = update_index(services, rebuild=False, quiet=args.json)
    if report.messages_embedded and not args.json:
        print_index_report(report, sys.stderr)
    asker = _Asker(args, services)
    if args.question:
        asker.ask(args.question)
    while args.interactive:
        try:
            question = input("\n? ").strip()
        except EOFError:
            break
        if question.lower() in {"", "exit", "quit", ":q"}:
            break
        asker.ask(question)
    return 0


def list_sessions(services: AppServices, as_json: bool) -> int:
    from chatsum.core.pipelines.qa_history import QAHistory

    sessions = QAHistory(services.store.conn).sessions()
    if as_json:
        print_json([s.__dict__ for s in sessions])
        return 0
    print_table(
        [[str(s.id), s.title, str(s.turns), s.updated_at] for s in sessions],
        ["id", "title", "questions", "last asked"],
    )
    return 0
