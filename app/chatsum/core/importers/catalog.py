"""The list of importers, in sniffing order (most specific formats first)."""

from __future__ import annotations

from chatsum.core.importers.base import BundleImporter, FileImporter

# Each importer module exposes one instance; add new ones here.
# --- section A (WhatsApp, Telegram, Discord, Slack, Instagram/Messenger, ChatLab)
# --- section B (WeChat, QQ, LINE, plain transcripts, generic CSV/JSONL)

FILE_IMPORTERS: list[FileImporter] = []
BUNDLE_IMPORTERS: list[BundleImporter] = []
