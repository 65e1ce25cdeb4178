"""Importing exports into the archive: plan, parse, write, report.

Each unit (a file, or a bundle such as a Slack workspace) is written in its own
transaction: a unit that fails or is cancelled is rolled back whole and nothing
stored before changes. A file whose bytes were already imported (same sha256,
its conversations still present) is skipped without parsing; otherwise
duplicates are dropped message by message by the store's unique fingerprints,
so a newer export of the same chat adds only what is new.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from chatsum.core.domain import ParsedConversation, ParsedMessage
from chatsum.core.errors import Cancelled, ChatsumError, ImportFormatError
from chatsum.core.importers.base import ParseOptions, ParseReport
from chatsum.core.importers.registry import ImportUnit, plan
from chatsum.core.progress import CancelToken, Progress
from chatsum.core.storage.store import Store

PROGRESS_EVERY = 5000
# Units at least this big are written by a child process (parsing and SQLite
# on two cores); smaller ones would not win back its start-up time.
CHILD_WRITER_MIN_BYTES = 8 << 20


@dataclass(frozen=True)
class SourceReport:
    """What happened to one import unit."""

    path: str
    format: str
    status: str  # imported | unchanged | failed
    conversations: int = 0
    new_conversations: int = 0
    participants: int = 0
    messages_new: int = 0
    duplicates: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "format": self.format,
            "status": self.status,
            "conversations": self.conversations,
            "new_conversations": self.new_conversations,
            "participants": self.participants,
            "messages_new": self.messages_new,
            "duplicates_skipped": self.duplicates,
            "messages_by_kind": self.by_kind,
            "warnings": self.warnings,
            "error": self.error,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class ImportReport:
    sources: tuple[SourceReport, ...]
    skipped_files: tuple[str, ...] = ()

    @property
    def failed(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status == "failed"]

    @property
    def messages_new(self) -> int:
        return sum(s.messages_new for s in self.sources)

    @property
    def duplicates(self) -> int:
        return sum(s.duplicates for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sources": [s.as_dict() for s in self.sources],
            "skipped_files": list(self.skipped_files),
            "messages_new": self.messages_new,
            "duplicates_skipped": self.duplicates,
            "failed": len(self.failed),
        }


def local_utc_offset_min() -> int:
    offset = datetime.now().astimezone().utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def _digest(unit: ImportUnit) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    for entry in sorted(unit.entries, key=lambda e: e.name):
        sha.update(entry.name.encode() if len(unit.entries) > 1 else b"")
        with entry.open() as stream:
            while chunk := stream.read(1 << 20):
                sha.update(chunk)
                size += len(chunk)
    return sha.hexdigest(), size


def _already_imported(store: Store, sha256: str) -> dict[str, Any] | None:
    """The earlier source with these exact bytes whose conversations are all still there."""
    row = store.conn.execute(
        """SELECT s.id, s.messages_new + s.duplicates AS held, s.conversations,
                  (SELECT COUNT(*) FROM source_conversations sc WHERE sc.source_id = s.id) AS present
           FROM sources s WHERE s.sha256 = ? ORDER BY s.id DESC LIMIT 1""",
        (sha256,),
    ).fetchone()
    if row is None or row["present"] < row["conversations"] or row["conversations"] == 0:
        return None
    return dict(row)


def _warnings(report: ParseReport) -> list[dict[str, Any]]:
    return [
        {"code": g.code, "message": g.message, "count": g.count, "examples": g.examples}
        for g in report.groups.values()
    ]


def _import_unit(
    store: Store,
    unit: ImportUnit,
    options: ParseOptions,
    cancel: CancelToken,
    into: int | None,
    as_new: bool,
) -> Generator[Progress, None, SourceReport]:
    started = time.monotonic()
    sha256, size = _digest(unit)
    earlier = _already_imported(store, sha256) if into is None and not as_new else None
    if earlier is not None:
        return SourceReport(
            unit.display,
            unit.format_id,
            "unchanged",
            conversations=earlier["conversations"],
            duplicates=earlier["held"],
            seconds=time.monotonic() - started,
        )
    report = ParseReport(unit.display)
    writer = store.writer(in_child_process=size >= CHILD_WRITER_MIN_BYTES)
    writer.begin(unit.display, size, sha256, unit.format_id)
    try:
        seen_conversation = False
        for item in unit.run(options, report):
            if isinstance(item, ParsedMessage):
                writer.add_message(item)
                if writer.counts.messages_seen % PROGRESS_EVERY == 0:
                    cancel.raise_if_cancelled()
                    yield Progress(
                        "import", unit.display, writer.counts.messages_seen, None, "messages"
                    )
            elif isinstance(item, ParsedConversation):
                if into is not None and seen_conversation:
                    raise ImportFormatError(
                        unit.display,
                        None,
                        "holds several conversations; --into can only merge a single-conversation export",
                    )
                writer.add_conversation(item, into=into, as_new=as_new)
                seen_conversation = True
        cancel.raise_if_cancelled()
        if writer.counts.messages_seen == 0:
            raise ImportFormatError(
                unit.display, None, f"looks like {unit.format_id} but holds no messages"
            )
        writer.commit(_warnings(report))
    except BaseException:
        writer.rollback()
        raise
    counts = writer.counts
    return SourceReport(
        unit.display,
        unit.format_id,
        "imported",
        conversations=len(counts.conversations),
        new_conversations=counts.new_conversations,
        participants=len(counts.participants),
        messages_new=counts.messages_new,
        duplicates=counts.duplicates,
        by_kind=dict(counts.by_kind),
        warnings=_warnings(report),
        seconds=time.monotonic() - started,
    )


def import_paths(
    db_path: Path,
    paths: list[Path],
    options: ParseOptions | None = None,
    cancel: CancelToken | None = None,
    into: int | None = None,
    as_new: bool = False,
) -> Generator[Progress, None, ImportReport]:
    """Import files, folders and zips; one transaction per unit.

    A unit that is malformed is reported as failed (with the file and line)
    and the others go on; cancelling stops at once, rolls back the unit in
    progress and raises `Cancelled`.
    """
    cancel = cancel or CancelToken()
    options = options or ParseOptions(default_utc_offset_min=local_utc_offset_min())
    store = Store.open(db_path)
    if into is not None:
        store.get_conversation(into)
    reports: list[SourceReport] = []
    skipped: list[str] = []
    try:
        units: list[ImportUnit] = []
        for path in paths:
            yield Progress("import", f"reading {path.name}", 0, None, "files")
            try:
                found = plan([path])
            except ImportFormatError as exc:
                reports.append(SourceReport(str(path), "unknown", "failed", error=exc.user_message))
                continue
            units.extend(found.units)
            skipped.extend(found.skipped)
        for index, unit in enumerate(units):
            cancel.raise_if_cancelled()
            yield Progress("import", unit.display, index, len(units), "files")
            try:
                reports.append(
                    (yield from _import_unit(store, unit, options, cancel, into, as_new))
                )
            except Cancelled:
                raise
            except ImportFormatError as exc:
                reports.append(
                    SourceReport(unit.display, unit.format_id, "failed", error=exc.user_message)
                )
            except (ValueError, KeyError, TypeError, UnicodeError) as exc:
                # An importer tripped over data it did not expect: report, never half-write.
                reports.append(
                    SourceReport(
                        unit.display,
                        unit.format_id,
                        "failed",
                        error=f"{unit.display}: could not be read as {unit.format_id} ({type(exc).__name__}: {exc})",
                    )
                )
            except ChatsumError as exc:
                reports.append(
                    SourceReport(unit.display, unit.format_id, "failed", error=exc.user_message)
                )
        yield Progress("import", "done", len(units), len(units), "files")
    finally:
        store.close()
    return ImportReport(tuple(reports), tuple(skipped))
