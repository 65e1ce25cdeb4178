"""Measuring extraction against chats with known answers (`chatsum eval extract`).

A case is a JSONL line: `chat_text` (one message per line, "YYYY-MM-DD HH:MM
name: text"), the true `roles`, and the `expected` records (customer name and
the fields the chat states; absent fields are expected empty). Each case is
written into a throw-away archive through the same `ImportWriter` real imports
use and run through `extract_records` end to end — role detection included —
so the figures describe what a user gets.

Scoring follows the field kinds: enumerations, phones (compared as numbers)
and e-mails (case-insensitively) must match exactly; free text earns a
normalized similarity (overlap of CJK characters and words, 0–1); lists earn
the items they share (items matched when similar enough). Records are paired
by customer name. Precision, recall and F1 are computed per field over all
cases and pooled (micro) over all fields; the schema-valid rate is the share
of model replies that parsed and validated against the reply schema.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.errors import ConfigError
from chatsum.core.llm.base import TextGenerator
from chatsum.core.pipelines.extracting.contact import phone_key
from chatsum.core.pipelines.extracting.pipeline import extract_records
from chatsum.core.pipelines.extracting.records import CustomerRecord, ExtractionResult
from chatsum.core.pipelines.extracting.schema import Field, FieldKind, Schema
from chatsum.core.progress import CancelToken, Progress
from chatsum.core.storage.store import Store

EVAL_UTC_OFFSET_MIN = 480
ITEM_MATCH = 0.5
"""Similarity at which a list item counts as the expected one."""

_LINE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) ([^:]+?): (.*)$")
_UNIT = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[a-z0-9\u00c0-\u024f]+")

Expected = dict[str, str | list[str]]


@dataclass(frozen=True)
class ChatLine:
    ts_ms: int
    sender: str
    text: str


@dataclass(frozen=True)
class EvalCase:
    id: str
    lang: str
    title: str
    lines: tuple[ChatLine, ...]
    roles: dict[str, str]
    expected: dict[str, Expected]


def parse_chat_text(text: str, where: str) -> list[ChatLine]:
    zone = timezone(timedelta(minutes=EVAL_UTC_OFFSET_MIN))
    lines: list[ChatLine] = []
    for number, raw in enumerate(text.splitlines(), 1):
        match = _LINE.match(raw.strip())
        if not match:
            raise ConfigError(
                f"{where} chat_text line {number}: expected 'YYYY-MM-DD HH:MM name: text', "
                f"found {raw[:40]!r}."
            )
        when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        lines.append(ChatLine(int(when.timestamp() * 1000), match.group(2), match.group(3)))
    return lines


def load_cases(path: Path, limit: int | None = None) -> list[EvalCase]:
    cases: list[EvalCase] = []
    with path.open(encoding="utf-8") as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            where = f"{path} line {number}"
            try:
                data = json.loads(raw)
                cases.append(
                    EvalCase(
                        id=str(data["id"]),
                        lang=str(data.get("lang", "")),
                        title=str(data.get("title") or data["id"]),
                        lines=tuple(parse_chat_text(data["chat_text"], where)),
                        roles=dict(data["roles"]),
                        expected={r["customer"]: dict(r["fields"]) for r in data["expected"]},
                    )
                )
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ConfigError(f"{where}: not an extraction case ({exc}).") from None
            if limit is not None and len(cases) >= limit:
                break
    return cases


def write_case(store: Store, case: EvalCase) -> int:
    """The case's chat as a conversation of `store`, through the import writer."""
    writer = store.writer()
    digest = hashlib.sha256(json.dumps([c.__dict__ for c in case.lines]).encode()).hexdigest()
    writer.begin(f"eval:{case.id}", len(case.lines), digest, "eval")
    try:
        conversation_id = int(
            writer.add_conversation(
                ParsedConversation(case.id, "eval", case.title, ConversationKind.GROUP)
            )
        )
        for line in case.lines:
            writer.add_message(
                ParsedMessage(
                    case.id,
                    line.ts_ms,
                    EVAL_UTC_OFFSET_MIN,
                    False,
                    MessageKind.TEXT,
                    line.text,
                    sender_name=line.sender,
                )
            )
        writer.commit([])
    except BaseException:
        writer.rollback()
        raise
    return conversation_id


# ---------------------------------------------------------------- similarity


def _units(text: str) -> Counter[str]:
    return Counter(_UNIT.findall(text.casefold()))


def similarity(a: str, b: str) -> float:
    """Dice overlap of CJK characters and words: 1.0 for the same text, 0.0 for nothing shared."""
    left, right = _units(a), _units(b)
    total = sum(left.values()) + sum(right.values())
    if not total:
        return 1.0 if a.strip() == b.strip() else 0.0
    return 2 * sum((left & right).values()) / total


def _exact_key(item: Field, value: str) -> str:
    if item.format == "phone":
        return phone_key(value) or value.strip()
    return value.strip().casefold()


def _list_credit(expected: Sequence[str], found: Sequence[str]) -> float:
    """Items matched one to one, most similar pairs first; each pair earns 1."""
    pairs = sorted(
        ((similarity(e, f), i, j) for i, e in enumerate(expected) for j, f in enumerate(found)),
        reverse=True,
    )
    used_e: set[int] = set()
    used_f: set[int] = set()
    credit = 0.0
    for score, i, j in pairs:
        if score < ITEM_MATCH or i in used_e or j in used_f:
            continue
        used_e.add(i)
        used_f.add(j)
        credit += 1.0
    return credit


@dataclass
class FieldTally:
    """Soft counts: a partly right value adds its credit to tp and the rest to fp and fn."""

    tp: float = 0.0
    fp: float = 0.0
    fn: float = 0.0

    def add(self, item: Field, expected: str | list[str], found: str | list[str]) -> None:
        if item.kind == FieldKind.LIST:
            want = list(expected) if isinstance(expected, list) else [expected]
            got = list(found) if isinstance(found, list) else [found]
            want, got = [w for w in want if w], [g for g in got if g]
            credit = _list_credit(want, got)
            self.tp += credit
            self.fp += len(got) - credit
            self.fn += len(want) - credit
            return
        want_text, got_text = str(expected or ""), str(found or "")
        if not want_text and not got_text:
            return
        if not want_text or not got_text:
            self.fp += bool(got_text)
            self.fn += bool(want_text)
            return
        if item.kind == FieldKind.ENUM or item.format:
            credit = float(_exact_key(item, want_text) == _exact_key(item, got_text))
        else:
            credit = similarity(want_text, got_text)
        self.tp += credit
        self.fp += 1 - credit
        self.fn += 1 - credit

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None or p + r == 0:
            return None if p is None and r is None else 0.0
        return 2 * p * r / (p + r)

    def as_dict(self) -> dict[str, Any]:
        def rounded(value: float | None) -> float | None:
            return None if value is None else round(value, 3)

        return {
            "precision": rounded(self.precision),
            "recall": rounded(self.recall),
            "f1": rounded(self.f1),
            "tp": round(self.tp, 2),
            "fp": round(self.fp, 2),
            "fn": round(self.fn, 2),
        }


# ---------------------------------------------------------------- scoring


def match_records(
    expected: dict[str, Expected], found: Sequence[CustomerRecord]
) -> tuple[list[tuple[str, CustomerRecord]], list[str], list[CustomerRecord]]:
    """Pairs (expected customer, record) by name, then by the most similar leftover names."""
    by_name = {r.customer: r for r in found}
    pairs = [(name, by_name.pop(name)) for name in expected if name in by_name]
    left_expected = [name for name in expected if name not in {p[0] for p in pairs}]
    for name in list(left_expected):
        best = max(by_name.values(), key=lambda r: similarity(name, r.customer), default=None)
        if best is not None and similarity(name, best.customer) >= ITEM_MATCH:
            pairs.append((name, best))
            by_name.pop(best.customer)
            left_expected.remove(name)
    return pairs, left_expected, list(by_name.values())


@dataclass
class CaseOutcome:
    id: str
    expected_records: int
    found_records: int
    matched_records: int
    roles_right: int
    roles_total: int
    model_calls: int
    valid_outputs: int
    seconds: float
    completion_tokens: int


@dataclass
class EvalReport:
    schema: Schema
    model_id: str
    tallies: dict[str, FieldTally]
    cases: list[CaseOutcome] = field(default_factory=list)

    def total(self, names: Iterable[str] | None = None) -> FieldTally:
        pooled = FieldTally()
        for name in names if names is not None else self.tallies:
            tally = self.tallies[name]
            pooled.tp += tally.tp
            pooled.fp += tally.fp
            pooled.fn += tally.fn
        return pooled

    def contact_fields(self) -> list[str]:
        return [f.name for f in self.schema.fields if f.format]

    def as_dict(self) -> dict[str, Any]:
        calls = sum(c.model_calls for c in self.cases)
        valid = sum(c.valid_outputs for c in self.cases)
        expected = sum(c.expected_records for c in self.cases)
        found = sum(c.found_records for c in self.cases)
        matched = sum(c.matched_records for c in self.cases)
        seconds = sum(c.seconds for c in self.cases)
        tokens = sum(c.completion_tokens for c in self.cases)
        return {
            "model_id": self.model_id,
            "schema": self.schema.id,
            "cases": len(self.cases),
            "schema_valid_rate": round(valid / calls, 4) if calls else None,
            "model_calls": calls,
            "records": {
                "expected": expected,
                "extracted": found,
                "matched": matched,
                "precision": round(matched / found, 3) if found else None,
                "recall": round(matched / expected, 3) if expected else None,
            },
            "role_accuracy": round(
                sum(c.roles_right for c in self.cases)
                / max(1, sum(c.roles_total for c in self.cases)),
                3,
            ),
            "fields_micro": self.total().as_dict(),
            "contact_fields": self.total(self.contact_fields()).as_dict(),
            "fields": {name: tally.as_dict() for name, tally in self.tallies.items()},
            "seconds": round(seconds, 1),
            "seconds_per_case": round(seconds / len(self.cases), 1) if self.cases else None,
            "completion_tokens_per_s": round(tokens / seconds, 2) if seconds else None,
            "per_case": [c.__dict__ for c in self.cases],
        }


def score_case(report: EvalReport, case: EvalCase, result: ExtractionResult) -> CaseOutcome:
    """Add one case's fields to the report's tallies and describe the case."""
    schema = report.schema
    pairs, missed, extra = match_records(case.expected, result.records)
    empty: Expected = {}
    rows: list[tuple[Expected, Expected]] = [
        (case.expected[name], dict(record.plain_values(schema))) for name, record in pairs
    ]
    rows += [(case.expected[name], empty) for name in missed]
    rows += [(empty, dict(record.plain_values(schema))) for record in extra]
    for want, got in rows:
        for item in schema.fields:
            default: str | list[str] = [] if item.kind == FieldKind.LIST else ""
            report.tallies[item.name].add(
                item, want.get(item.name, default), got.get(item.name, default)
            )
    detected = {r.name: r.role.value for r in result.roles}
    return CaseOutcome(
        id=case.id,
        expected_records=len(case.expected),
        found_records=len(result.records),
        matched_records=len(pairs),
        roles_right=sum(detected.get(name) == role for name, role in case.roles.items()),
        roles_total=len(case.roles),
        model_calls=result.stats.model_calls,
        valid_outputs=result.stats.valid_outputs,
        seconds=round(result.stats.seconds, 2),
        completion_tokens=result.stats.completion_tokens,
    )


def run_extract_eval(
    cases: Sequence[EvalCase],
    generator: TextGenerator,
    schema: Schema,
    workdir: Path,
    cancel: CancelToken | None = None,
) -> Generator[Progress, None, EvalReport]:
    """Run every case end to end in a scratch archive under `workdir`; score it."""
    cancel = cancel or CancelToken()
    report = EvalReport(schema, generator.model_id, {f.name: FieldTally() for f in schema.fields})
    db_path = workdir / "extract-eval.db"
    started = time.monotonic()
    for index, case in enumerate(cases):
        cancel.raise_if_cancelled()
        yield Progress("eval", case.id, index, len(cases), "cases")
        store = Store.open(db_path)
        try:
            conversation_id = write_case(store, case)
        finally:
            store.close()
        result = yield from extract_records(
            db_path, generator, conversation_id, schema, cancel=cancel
        )
        report.cases.append(score_case(report, case, result))
    yield Progress(
        "eval", f"done in {time.monotonic() - started:.0f}s", len(cases), len(cases), "cases"
    )
    return report
