"""The list of importers, in sniffing order (most specific formats first)."""

from __future__ import annotations

from chatsum.core.importers.base import BundleImporter, FileImporter

# Each importer module exposes one instance; add new ones here.
# --- section A (WhatsApp, Telegram, Discord, Slack, Instagram/Messenger, ChatLab)
from chatsum.core.importers.chatlab import CHATLAB_JSON, CHATLAB_JSONL
from chatsum.core.importers.discord import DISCORD_CSV, DISCORD_JSON
from chatsum.core.importers.messenger import MESSENGER
from chatsum.core.importers.slack import SLACK
from chatsum.core.importers.telegram import TELEGRAM_JSON
from chatsum.core.importers.telegram_html import TELEGRAM_HTML
from chatsum.core.importers.whatsapp import WHATSAPP

# isort: split
# --- section B (WeChat, QQ, LINE, plain transcripts, generic CSV/JSONL)
from chatsum.core.importers.generic_table import GENERIC_CSV, GENERIC_JSONL
from chatsum.core.importers.line import LINE_TXT
from chatsum.core.importers.plain import PLAIN_TRANSCRIPT
from chatsum.core.importers.qq import QQ_TXT
from chatsum.core.importers.qq_mht import QQ_MHT
from chatsum.core.importers.wechat_chatlog import CHATLOG_CSV, CHATLOG_JSON
from chatsum.core.importers.wechat_memotrace import MEMOTRACE_CSV, MEMOTRACE_TXT
from chatsum.core.importers.wechat_pywxdump import PYWXDUMP_CSV

FILE_IMPORTERS: list[FileImporter] = [
    # section A: each checks for its exporter's own structure or timestamp shape
    CHATLAB_JSON,
    CHATLAB_JSONL,
    TELEGRAM_JSON,
    DISCORD_JSON,
    DISCORD_CSV,
    MESSENGER,
    WHATSAPP,
    # section B: formats with unmistakable headers or banners
    QQ_MHT,
    QQ_TXT,
    LINE_TXT,
    MEMOTRACE_CSV,
    PYWXDUMP_CSV,
    CHATLOG_CSV,
    CHATLOG_JSON,
    MEMOTRACE_TXT,
    # fallbacks (section B), always last: they accept anything shaped like a chat
    GENERIC_JSONL,
    GENERIC_CSV,
    PLAIN_TRANSCRIPT,
]
BUNDLE_IMPORTERS: list[BundleImporter] = [
    # section A: exports whose files only make sense together
    SLACK,
    TELEGRAM_HTML,
]
