"""Which importer reads which file: sniff by content, never by file name.

`plan(path)` expands a dropped file, folder or zip into `ImportUnit`s. Bundle
importers (a Slack workspace) claim their files first; every other file is
offered to the file importers in order, most specific first, and the first
whose `sniff` accepts it wins. Files nobody recognises are listed as skipped
when they came inside a folder or zip, and are an error when the user named
the file directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.base import (
    BundleImporter,
    Entry,
    FileImporter,
    ParsedItem,
    ParseOptions,
    ParseReport,
    read_sample,
)
from chatsum.core.importers.sources import EntryList, expand

# Files inside exports that are never chats themselves.
_IGNORED_SUFFIXES = {
    ".jpg",
    ".jpeg",
    ".png",
    ".gif",
    ".webp",
    ".heic",
    ".mp4",
    ".mov",
    ".opus",
    ".ogg",
    ".mp3",
    ".m4a",
    ".wav",
    ".pdf",
    ".vcf",
    ".webm",
    ".amr",
    ".silk",
    ".css",
    ".js",
    ".ico",
    ".svg",
    ".tgs",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".ppt",
    ".pptx",
}


@dataclass
class ImportUnit:
    """One thing imported in one transaction: a file, or a bundle of files."""

    format_id: str
    display: str
    entries: list[Entry]
    run: Callable[[ParseOptions, ParseReport], Iterator[ParsedItem]]


@dataclass
class ImportPlan:
    units: list[ImportUnit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def file_importers() -> list[FileImporter]:
    """File importers, most specific first (plain transcripts and generic tables last)."""
    from chatsum.core.importers import catalog

    return catalog.FILE_IMPORTERS


def bundle_importers() -> list[BundleImporter]:
    from chatsum.core.importers import catalog

    return catalog.BUNDLE_IMPORTERS


def sniff(entry: Entry) -> FileImporter | None:
    sample = read_sample(entry)
    if not sample.text.strip():
        return None
    for importer in file_importers():
        if importer.sniff(sample):
            return importer
    return None


def _plan_tree(tree: EntryList, explicit_file: bool, plan: ImportPlan) -> None:
    claimed: set[str] = set()
    for bundle in bundle_importers():
        entries = bundle.claim(tree)
        if entries:
            claimed.update(entry.name for entry in entries)

            def run(
                options: ParseOptions, report: ParseReport, b: BundleImporter = bundle
            ) -> Iterator[ParsedItem]:
                return b.parse_bundle(tree, options, report)

            plan.units.append(ImportUnit(bundle.format_id, tree.root_display, entries, run))
    for entry in tree.entries():
        if entry.name in claimed:
            continue
        if Path(entry.name).suffix.lower() in _IGNORED_SUFFIXES or entry.size == 0:
            if explicit_file:
                raise ImportFormatError(
                    entry.display, None, "is empty or a media file, not a chat export"
                )
            plan.skipped.append(entry.display)
            continue
        importer = sniff(entry)
        if importer is None:
            if explicit_file:
                raise ImportFormatError(
                    entry.display,
                    "line 1",
                    "not a chat export chatsum recognises (expected e.g. a WhatsApp .txt, "
                    "Telegram result.json, Discord/Slack/WeChat/QQ/LINE export; "
                    "see `chatsum formats`)",
                )
            plan.skipped.append(entry.display)
            continue

        def run_file(
            options: ParseOptions, report: ParseReport, i: FileImporter = importer, e: Entry = entry
        ) -> Iterator[ParsedItem]:
            return i.parse(e, options, report)

        plan.units.append(ImportUnit(importer.format_id, entry.display, [entry], run_file))


def plan(paths: list[Path]) -> ImportPlan:
    """Expand and sniff everything the user dropped; raises for an unreadable named file."""
    result = ImportPlan()
    for path in paths:
        explicit = path.is_file() and path.suffix.lower() != ".zip"
        for tree in expand(path):
            _plan_tree(tree, explicit, result)
    return result
