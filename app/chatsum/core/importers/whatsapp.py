"""WhatsApp chat exports (.txt, or the _chat.txt inside the exported .zip).

A WhatsApp export is a line stream where a line that starts with a timestamp
starts a message and any other line continues the previous one. The
timestamp's shape depends on the phone's OS and locale (brackets on iOS,
` - ` on Android, 12/24 hours, `.`/`/`/`-` dates, Finnish `klo`, `a. m.`
with no-break spaces, stray U+200E marks), but it never changes within one
file. So the importer works in two passes:

1. a *survey* detects the line shape from the first timestamp line and
   compiles one regex for exactly that shape, votes on day/month order over
   the dates (stopping as soon as a day above 12 decides it), and samples the
   senders to tell a group from a private chat;
2. the *parse* streams the file line by line with that single regex. Per line
   it does one match; per message it looks up the date string in a cache of
   epoch days and adds the time of day as integers. Everything else (sender
   split, placeholders, system lines) happens once per finished message.

Memory does not grow with the file: only the message being assembled is held.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
    local_to_utc_ms,
    open_text,
)
from chatsum.core.importers.chat_text import is_recall_notice
from chatsum.core.importers.loose_time import decide_day_first
from chatsum.core.importers.message_kinds import LINK_STARTS, is_link_only, kind_for_file

PLATFORM = "whatsapp"

# Any timestamp line of any known variant; used once per file to learn its shape.
_ANY_SHAPE = re.compile(
    r"\ufeff?[\u200e\u200f]?(\[)?"
    r"\d{1,4}([./-])\s?\d{1,2}\2\s?\d{1,4}\.?"
    r"(?:,\s*|\s+klo\s+|\s+)"
    r"(?:上午|下午|午前|午後|오전|오후)?\s?"
    r"\d{1,2}([:.])\d{2}(?:\3\d{2})?"
    r"(?:\s?[AaPp]\.?\s?[Mm]\.?)?"
    r"(?(1)\]\s|\s[-–]\s)"
)
_PM_PREFIXES = frozenset({"下午", "午後", "오후"})
_DIGIT_RUNS = re.compile(r"\d+")
_SNIFF_LINES = 3
_SENDER_SAMPLE_LINES = 5000
_GROUP_HINT = re.compile(r"group|grupo|gruppe|groupe|gruppo|groep|群", re.IGNORECASE)
_FILE_TITLE = re.compile(
    r"(?:WhatsApp Chat (?:with|mit|met|con|avec|com|-)|Chat de WhatsApp con|"
    r"Conversa do WhatsApp com|Discussion WhatsApp avec|WhatsApp-chat met)\s*(.+)",
    re.IGNORECASE,
)
_NAME_MARKS = "\u200e\u200f\u202a\u202b\u202c\u2066\u2067\u2068\u2069 \t"

_EDITED_MARKERS = (
    "<This message was edited>",
    "<Se editó este mensaje.>",
    "<Diese Nachricht wurde bearbeitet.>",
    "<Esta mensagem foi editada>",
    "<Ce message a été modifié>",
    "<Questo messaggio è stato modificato>",
    "<已编辑此消息>",
)
_DELETED_TEXTS = frozenset(
    {
        "This message was deleted",
        "You deleted this message",
        "Se eliminó este mensaje",
        "Eliminaste este mensaje",
        "Este mensaje fue eliminado",
        "Diese Nachricht wurde gelöscht",
        "Du hast diese Nachricht gelöscht",
        "Ce message a été supprimé",
        "Vous avez supprimé ce message",
        "Esta mensagem foi apagada",
        "Você apagou esta mensagem",
        "Questo messaggio è stato eliminato",
        "Hai eliminato questo messaggio",
        "此消息已删除",
        "你删除了此消息",
        "此訊息已刪除",
        "你已刪除此訊息",
    }
)
# Cheap tests that let ordinary text skip the placeholder regexes.
_PLACEHOLDER_ENDINGS = (
    ">",
    ")",
    "omitted",
    "omitido",
    "omitida",
    "weggelassen",
    "oculto",
    "oculta",
    "ocultado",
    "ocultada",
    "absent",
    "absente",
)
# Any placeholder or deletion notice ends like one of these; other text skips `_classify`.
_SPECIAL_ENDINGS = _PLACEHOLDER_ENDINGS + tuple(
    ending for text in _DELETED_TEXTS for ending in (text[-3:], text[-3:] + ".")
)
_OMITTED = re.compile(
    r"<(?P<bracketed>[^<>:]{0,30}(?:omitted|omitid[oa]|ausgelassen|oculta|omis|omess[io]|"
    r"weggelaten|disertakan|пропущен|省略)[^<>]{0,20})>"
    r"|(?P<what>image|video|audio|sticker|GIF|document|Contact card|video note|"
    r"imagen|documento|tarjeta de contacto|Bild|Dokument|Kontaktkarte|imagem|vídeo|áudio|"
    r"figurinha|vidéo|autocollant|carte de contact)\s"
    r"(?:omitted|omitid[oa]|weggelassen|ocultad?[oa]|absente?)",
    re.IGNORECASE,
)
_ATTACHED = re.compile(
    r"(?:.*\s)?<(?:attached|adjunto|Anhang|anexado|allegato|pièce jointe|bijlage)\s?:\s*([^<>]+)>",
    re.IGNORECASE,
)
_FILE_ATTACHED = re.compile(
    r"(.+?\.\w{1,5}) \((?:file attached|archivo adjunto|Datei angehängt|arquivo anexado|"
    r"fichier joint|file allegato|bestand bijgevoegd|файл прикреплен)\)",
    re.IGNORECASE,
)
_STICKER_WORDS = ("sticker", "figurinha", "autocollant", "stk-")
_DOCUMENT_WORDS = (
    "document",
    "documento",
    "dokument",
    "contact card",
    "tarjeta",
    "kontaktkarte",
    "carte",
)
# iOS writes system events as if sent by the group (or the contact), with the
# text prefixed by U+200E; these phrases tell them from a real message that
# happens to start with the mark.
_IOS_SYSTEM = re.compile(
    r".*(?:end-to-end encrypted|created (?:group|this group)|\badded\b|\bremoved\b|\bleft$|"
    r"joined using|changed (?:the subject|this group|the group|their phone number|to\b)|"
    r"security code|disappearing messages|pinned a message|is a contact|"
    r"(?:missed|declined) (?:voice|video) call|business account|an admin|"
    r"cifrados de extremo a extremo|Ende-zu-Ende-verschlüsselt|chiffrés de bout en bout|"
    r"criptografia de ponta a ponta|端到端加密).*",
    re.IGNORECASE,
)


@lru_cache(maxsize=32)
def _line_regex(bracketed: bool, date_sep: str, time_sep: str) -> re.Pattern[str]:
    """The one regex for a file's timestamp shape.

    Groups: date, AM/PM prefix, hour, minute, second, AM/PM suffix, rest.
    """
    d = re.escape(date_sep)
    t = re.escape(time_sep)
    opening = r"\ufeff?[\u200e\u200f]?\[" if bracketed else r"\ufeff?[\u200e\u200f]?"
    closing = r"\]\s" if bracketed else r"\s[-–]\s"
    return re.compile(
        opening
        + rf"(\d{{1,4}}{d}\s?\d{{1,2}}{d}\s?\d{{1,4}}\.?)(?:,\s*|\s+klo\s+|\s+)"
        + rf"(上午|下午|午前|午後|오전|오후)?\s?(\d{{1,2}}){t}(\d{{2}})(?:{t}(\d{{2}}))?"
        + r"(\s?[AaPp]\.?\s?[Mm]\.?)?"
        + closing
        + r"(.*)"
    )


def _shape_of(line: str) -> re.Pattern[str] | None:
    match = _ANY_SHAPE.match(line)
    if match is None:
        return None
    return _line_regex(match.group(1) is not None, match.group(2), match.group(3))


@dataclass
class _Survey:
    """What the first pass learned: the line shape, the dates, who writes."""

    shape: re.Pattern[str]
    # Distinct day/month dates as "a/b/y", in file order, until one decides the order.
    dates: dict[str, None] = field(default_factory=dict)
    order_proven: bool = False
    senders: set[str] = field(default_factory=set)
    group_hint: bool = False

    def add_date(self, date: str) -> None:
        fields = _DIGIT_RUNS.findall(date)
        if len(fields[0]) == 4:
            self.order_proven = True
            return
        normalized = "/".join(fields)
        if normalized not in self.dates:
            self.dates[normalized] = None
            self.order_proven = int(fields[0]) > 12 or int(fields[1]) > 12


def _plausible_name(name: str) -> bool:
    """A sender name, not the first half of a system line that contains ': '."""
    return 0 < len(name) <= 80 and '"' not in name and "“" not in name and "«" not in name


def _clean_name(name: str) -> str:
    return name if name.isascii() else name.strip(_NAME_MARKS)


def chat_title(entry: Entry) -> str:
    """The chat's name from the export's file name (the zip's, for a _chat.txt inside one)."""
    display = entry.display.replace("\\", "/")
    source = display.rsplit(":", 1)[0] if ".zip:" in display.lower() else entry.name
    stem = PurePosixPath(source).stem
    match = _FILE_TITLE.match(stem)
    if match:
        return match.group(1).strip()
    if stem.lower() in {"_chat", "chat", "whatsapp chat"}:
        return "WhatsApp chat"
    return stem


class WhatsAppImporter:
    """WhatsApp .txt exports from Android and iOS, in any locale we have seen."""

    format_id = "whatsapp-txt"

    def sniff(self, sample: Sample) -> bool:
        """True when one of the first non-empty lines starts with a WhatsApp timestamp."""
        seen = 0
        for line in sample.text[:16384].splitlines():
            if not line.strip():
                continue
            if _ANY_SHAPE.match(line):
                return True
            seen += 1
            if seen >= _SNIFF_LINES:
                return False
        return False

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        survey = self._survey(entry)
        if survey is None:
            raise format_error(
                entry,
                "line 1",
                "no line starts with a WhatsApp date and time (e.g. '31/12/2023, 21:05 - Name: text' "
                "or '[31/12/2023, 21:05:00] Name: text'); is this a WhatsApp export?",
            )
        day_first = decide_day_first(survey.dates, options, report)
        group = len(survey.senders) > 2 or survey.group_hint
        key = f"{PLATFORM}:{entry.name}"
        yield ParsedConversation(
            key=key,
            platform=PLATFORM,
            title=chat_title(entry),
            # Few senders in the sample may still be a quiet group: let the archive decide.
            kind=ConversationKind.GROUP if group else ConversationKind.UNKNOWN,
        )
        yield from self._messages(entry, survey.shape, day_first, key, options, report)

    # ------------------------------------------------------------ pass 1

    def _survey(self, entry: Entry) -> _Survey | None:
        survey: _Survey | None = None
        sampled = 0
        with open_text(entry) as handle:
            for line in handle:
                if survey is None:
                    shape = _shape_of(line)
                    if shape is None:
                        continue
                    survey = _Survey(shape)
                match = survey.shape.match(line)
                if match is None:
                    continue
                if not survey.order_proven:
                    survey.add_date(match.group(1))
                if sampled < _SENDER_SAMPLE_LINES:
                    sampled += 1
                    self._sample_sender(survey, match.group(7))
                elif survey.order_proven:
                    break
        return survey

    @staticmethod
    def _sample_sender(survey: _Survey, rest: str) -> None:
        name, separator, text = rest.partition(": ")
        if separator and _plausible_name(name):
            if text.startswith("\u200e") and _IOS_SYSTEM.match(text):
                survey.group_hint = survey.group_hint or bool(_GROUP_HINT.search(text))
            else:
                survey.senders.add(_clean_name(name))
        elif _GROUP_HINT.search(rest):
            survey.group_hint = True

    # ------------------------------------------------------------ pass 2

    def _messages(
        self,
        entry: Entry,
        shape: re.Pattern[str],
        day_first: bool,
        key: str,
        options: ParseOptions,
        report: ParseReport,
    ) -> Iterator[ParsedMessage]:
        offset = options.default_utc_offset_min
        offset_ms = offset * 60_000
        match = shape.match
        days: dict[str, int | None] = {}
        senders: dict[str, str | None] = {}
        pending_line = 0
        pending_ts = 0
        pending_rest: str | None = None
        extra: list[str] = []
        with open_text(entry) as handle:
            for number, line in enumerate(handle, start=1):
                found = match(line)
                if found is not None:
                    date, prefix, hour, minute, second, suffix, rest = found.groups()
                    day = days.get(date, -1)
                    if day == -1:
                        day = days[date] = self._day_ms(date, day_first)
                    if day is not None:
                        hours = int(hour)
                        if suffix is not None:
                            hours = hours % 12 + (12 if suffix.lstrip()[0] in "pP" else 0)
                        elif prefix is not None:
                            hours = hours % 12 + (12 if prefix in _PM_PREFIXES else 0)
                        seconds = hours * 3600 + int(minute) * 60 + (int(second) if second else 0)
                        if pending_rest is not None:
                            yield self._message(
                                key, pending_line, pending_ts, pending_rest, extra, offset, senders
                            )
                            extra = []
                        pending_line = number
                        pending_ts = day + seconds * 1000 - offset_ms
                        pending_rest = rest
                        continue
                    report.warn(
                        "bad-date",
                        "lines that start like a message but carry an impossible date "
                        "were kept as text of the previous message (skipped before the first one)",
                        f"line {number}: {line.strip()}",
                    )
                    if pending_rest is None:
                        continue
                if pending_rest is None:
                    if line.strip():
                        report.warn(
                            "before-first-message",
                            "lines before the first dated message were skipped",
                            f"line {number}: {line.strip()}",
                        )
                    continue
                extra.append(line.rstrip("\r\n"))
        if pending_rest is not None:
            yield self._message(key, pending_line, pending_ts, pending_rest, extra, offset, senders)

    @staticmethod
    def _day_ms(date: str, day_first: bool) -> int | None:
        """Epoch ms of the date's midnight as if it were UTC (the offset comes later)."""
        fields = _DIGIT_RUNS.findall(date)
        if len(fields[0]) == 4:
            year, month, day = fields
        elif day_first:
            day, month, year = fields
        else:
            month, day, year = fields
        full_year = int(year) + 2000 if len(year) <= 2 else int(year)
        try:
            return local_to_utc_ms(datetime(full_year, int(month), int(day)), 0)
        except ValueError:
            return None

    @staticmethod
    def _message(
        key: str,
        number: int,
        ts: int,
        rest: str,
        extra: list[str],
        offset: int,
        senders: dict[str, str | None],
    ) -> ParsedMessage:
        """One finished message; `senders` caches each raw name's cleaned form (None: not a name)."""
        name, separator, first = rest.partition(": ")
        if not separator and rest.endswith(":") and _plausible_name(rest[:-1]):
            name, separator, first = rest[:-1], ":", ""
        caption = "\n".join(extra).strip() if extra else ""
        location = f"line {number}"
        sender = senders.get(name, "") if separator else None
        if sender == "":
            sender = senders[name] = _clean_name(name) if _plausible_name(name) else None
        if sender is None:
            text = rest if not caption else f"{rest}\n{caption}"
            return ParsedMessage(
                key,
                ts,
                offset,
                True,
                MessageKind.SYSTEM,
                text.replace("\u200e", ""),
                location=location,
            )
        marked = first.startswith("\u200e")
        if "\u200e" in first:
            first = first.replace("\u200e", "")
        edited: int | None = None
        if (caption or first).endswith(">"):
            for marker in _EDITED_MARKERS:
                if caption.endswith(marker):
                    caption = caption[: -len(marker)].rstrip()
                    edited = ts
                    break
                if not caption and first.endswith(marker):
                    first = first[: -len(marker)].rstrip()
                    edited = ts
                    break
        kind: MessageKind = MessageKind.TEXT
        media: str | None = None
        if first.endswith(_SPECIAL_ENDINGS) or "撤回" in first:
            kind, media, first = _classify(first)
        if kind is MessageKind.TEXT:
            text = f"{first}\n{caption}" if caption else first
            if text.startswith(LINK_STARTS) and is_link_only(text):
                kind = MessageKind.LINK
            elif marked and not caption and _IOS_SYSTEM.match(text):
                return ParsedMessage(
                    key, ts, offset, True, MessageKind.SYSTEM, text, location=location
                )
        else:
            text = caption
        return ParsedMessage(
            key,
            ts,
            offset,
            True,
            kind,
            text,
            sender,
            None,
            media,
            None,
            None,
            edited,
            None,
            location,
        )


def _classify(first: str) -> tuple[MessageKind, str | None, str]:
    """(kind, media description, remaining text) for a message's first line."""
    if not first or len(first) > 300:
        return MessageKind.TEXT, None, first
    if first.endswith(_PLACEHOLDER_ENDINGS):
        omitted = _OMITTED.fullmatch(first)
        if omitted is not None:
            what = (omitted.group("what") or omitted.group("bracketed")).lower()
            if what.startswith(_STICKER_WORDS):
                return MessageKind.STICKER, first, ""
            if what.startswith(_DOCUMENT_WORDS):
                return MessageKind.FILE, first, ""
            return MessageKind.MEDIA, first, ""
        attached = _ATTACHED.fullmatch(first) or _FILE_ATTACHED.fullmatch(first)
        if attached is not None:
            name = attached.group(1).strip()
            lowered = name.lower()
            if "sticker" in lowered or lowered.startswith("stk-"):
                return MessageKind.STICKER, name, ""
            return kind_for_file(name), name, ""
    if first.rstrip(".") in _DELETED_TEXTS or ("撤回" in first and is_recall_notice(first)):
        return MessageKind.DELETED, None, ""
    return MessageKind.TEXT, None, first


WHATSAPP = WhatsAppImporter()
