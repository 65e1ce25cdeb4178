"""Telegram Desktop HTML exports (messages.html, messages2.html, ...).

Telegram splits a chat's HTML export into pages of 1000 messages, and a page
may open with a "joined" message: a continuation of the previous sender's run
that carries no sender name at all. The sender lives on the previous page, so
the pages of one chat are read as one unit, in page order, which makes this a
bundle importer: it claims every `messages*.html` that looks like Telegram's
and groups them by folder (one folder per chat in a full export).

The page structure is Telegram's own: a `message default` div holds a `date`
div whose `title` attribute has the full time (newer versions add the UTC
offset, e.g. `15.01.2023 10:30:00 UTC+03:00`; older ones give local time
only), a `from_name` div unless joined, media wrappers and a `text` div.
`message service` divs are system lines; those with negative ids are just the
day separators and are skipped. Pages are parsed incrementally with the
standard library's HTMLParser, so a page is never held as a tree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import PurePosixPath

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    EntryTree,
    ParsedItem,
    ParseOptions,
    ParseReport,
    local_to_utc_ms,
    open_text,
    read_sample,
)
from chatsum.core.importers.message_kinds import text_kind

PLATFORM = "telegram"
_PAGE_NAME = re.compile(r"messages(\d*)\.html", re.IGNORECASE)
_DATE_TITLE = re.compile(
    r"(\d{1,2})\.(\d{1,2})\.(\d{4}) (\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\s*UTC\s*([+-])(\d{1,2})(?::?(\d{2}))?)?"
)
_DAY_SEPARATOR = re.compile(r"(\d{1,2}) ([A-Za-z]+) (\d{4})")
_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_REPLY_TARGET = re.compile(r"go_to_message(\d+)|GoToMessage\((\d+)\)")
_FEED_CHARS = 256 * 1024
_MEDIA_CLASSES = {
    "photo_wrap": (MessageKind.MEDIA, "photo"),
    "media_photo": (MessageKind.MEDIA, "photo"),
    "video_file_wrap": (MessageKind.MEDIA, "video"),
    "media_video": (MessageKind.MEDIA, "video"),
    "animated_wrap": (MessageKind.MEDIA, "animation"),
    "media_voice_message": (MessageKind.MEDIA, "voice message"),
    "media_audio_file": (MessageKind.MEDIA, "audio"),
    "media_location": (MessageKind.MEDIA, "location"),
    "media_live_location": (MessageKind.MEDIA, "location"),
    "media_contact": (MessageKind.MEDIA, "contact"),
    "media_call": (MessageKind.SYSTEM, "call"),
    "sticker_wrap": (MessageKind.STICKER, "sticker"),
    "media_file": (MessageKind.FILE, "file"),
}


def _page_number(entry: Entry) -> int:
    match = _PAGE_NAME.fullmatch(PurePosixPath(entry.name).name)
    return int(match.group(1) or 1) if match else 0


@dataclass
class _Draft:
    """A message being read from the page."""

    line: int
    external_id: str | None
    service: bool
    date_title: str | None = None
    sender: str | None = None
    text: list[str] = field(default_factory=list)
    media: tuple[MessageKind, str] | None = None
    media_title: list[str] = field(default_factory=list)
    reply_to: str | None = None


class _PageReader(HTMLParser):
    """Turns one page's tags into `_Draft`s; knows only Telegram's class names."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.drafts: list[_Draft] = []
        self.title_parts: list[str] = []
        self._draft: _Draft | None = None
        self._depth = 0  # open divs
        self._message_depth = 0  # depth of the current message div
        self._capture: tuple[str, int] | None = None  # (what, div depth where it started)
        self._forwarded_depth = 0
        self._header_depth = 0

    # The capture target decides where character data goes.
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._data("\n")
            return
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        draft = self._draft
        if tag != "div":
            if draft is not None and tag == "a":
                self._anchor(draft, classes, attributes)
            return
        self._depth += 1
        if "page_header" in classes:
            self._header_depth = self._depth
        elif self._header_depth and "text" in classes and self._capture is None:
            self._capture = ("title", self._depth)
        if "message" in classes and (attributes.get("id") or "").startswith("message"):
            self._start_message(classes, attributes)
            return
        if draft is None:
            return
        if "forwarded" in classes and "body" in classes:
            self._forwarded_depth = self._depth
        if "date" in classes and "details" in classes and draft.date_title is None:
            draft.date_title = attributes.get("title")
        elif "from_name" in classes and not self._forwarded_depth:
            self._capture = ("sender", self._depth)
            draft.sender = ""
        elif "text" in classes or (draft.service and "body" in classes):
            self._capture = ("text", self._depth)
        elif "reply_to" in classes:
            self._capture = ("reply", self._depth)
        elif "title" in classes and draft.media is not None and self._capture is None:
            self._capture = ("media_title", self._depth)
        else:
            self._media_classes(draft, classes)

    def handle_endtag(self, tag: str) -> None:
        if tag != "div":
            return
        if self._capture is not None and self._capture[1] == self._depth:
            self._capture = None
        if self._forwarded_depth == self._depth:
            self._forwarded_depth = 0
        if self._header_depth == self._depth:
            self._header_depth = 0
        if self._draft is not None and self._message_depth == self._depth:
            self.drafts.append(self._draft)
            self._draft = None
        self._depth -= 1

    def handle_data(self, data: str) -> None:
        self._data(data)

    def _data(self, data: str) -> None:
        capture = self._capture
        if capture is None:
            return
        what = capture[0]
        draft = self._draft
        if what == "title":
            self.title_parts.append(data)
        elif draft is None:
            return
        elif what == "sender":
            draft.sender = (draft.sender or "") + data
        elif what == "text":
            draft.text.append(data)
        elif what == "media_title":
            draft.media_title.append(data)

    def _start_message(self, classes: list[str], attributes: dict[str, str | None]) -> None:
        raw_id = (attributes.get("id") or "")[len("message") :]
        self._draft = _Draft(
            line=self.getpos()[0],
            external_id=raw_id or None,
            service="service" in classes,
        )
        self._message_depth = self._depth
        self._forwarded_depth = 0
        self._capture = None

    def _anchor(self, draft: _Draft, classes: list[str], attributes: dict[str, str | None]) -> None:
        if self._capture is not None and self._capture[0] == "reply":
            target = _REPLY_TARGET.search(
                (attributes.get("href") or "") + " " + (attributes.get("onclick") or "")
            )
            if target:
                draft.reply_to = target.group(1) or target.group(2)
            return
        self._media_classes(draft, classes)

    def _media_classes(self, draft: _Draft, classes: list[str]) -> None:
        if draft.media is not None:
            return
        for name in classes:
            found = _MEDIA_CLASSES.get(name)
            if found is not None:
                draft.media = found
                return


@dataclass
class _ChatState:
    """What carries from one page of a chat to the next.

    Service lines carry no time of their own: they take the time of the
    message before them, or, at the very start, of the message after them
    (`waiting` holds them until it comes).
    """

    key: str
    sender: str | None = None
    last: tuple[int, int, bool] | None = None  # (UTC ms, offset, assumed) of the last message
    offset: int | None = None
    day_ts: int | None = None
    announced: bool = False
    waiting: list[tuple[str | None, str, str]] = field(default_factory=list)


class TelegramHtmlImporter:
    """Telegram Desktop HTML export pages, one conversation per folder."""

    format_id = "telegram-html"

    def claim(self, tree: EntryTree) -> list[Entry]:
        pages = []
        for entry in tree.entries():
            if not _page_number(entry) or entry.size == 0:
                continue
            head = read_sample(entry, 8192).text
            if 'class="page_header"' in head and (
                'class="history"' in head or "message default" in head or "message service" in head
            ):
                pages.append(entry)
        return pages

    def parse_bundle(
        self, tree: EntryTree, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        chats: dict[str, list[Entry]] = {}
        for entry in self.claim(tree):
            folder = str(PurePosixPath(entry.name).parent)
            chats.setdefault(folder, []).append(entry)
        for folder, pages in sorted(chats.items()):
            pages.sort(key=_page_number)
            state = _ChatState(key=f"{PLATFORM}-html:{folder}")
            for page in pages:
                yield from self._page(page, state, options, report)
            yield from self._flush_waiting(state, state.day_ts, options, report)

    def _page(
        self, entry: Entry, state: _ChatState, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        reader = _PageReader()
        with open_text(entry) as handle:
            while True:
                chunk = handle.read(_FEED_CHARS)
                if chunk:
                    reader.feed(chunk)
                else:
                    reader.close()
                if not state.announced and (reader.drafts or not chunk):
                    yield self._announce(state, reader, entry)
                drafts, reader.drafts = reader.drafts, []
                for draft in drafts:
                    yield from self._convert(draft, state, entry, options, report)
                if not chunk:
                    return

    @staticmethod
    def _announce(state: _ChatState, reader: _PageReader, entry: Entry) -> ParsedConversation:
        state.announced = True
        title = " ".join("".join(reader.title_parts).split())
        folder = PurePosixPath(entry.name).parent.name
        return ParsedConversation(
            key=state.key,
            platform=PLATFORM,
            title=title or folder or "Telegram chat",
            kind=ConversationKind.UNKNOWN,
        )

    def _flush_waiting(
        self,
        state: _ChatState,
        ts: int | None,
        options: ParseOptions,
        report: ParseReport,
        offset: int | None = None,
        assumed: bool = True,
    ) -> Iterator[ParsedMessage]:
        for external_id, text, location in state.waiting:
            if ts is None:
                report.warn(
                    "service-without-time",
                    "service messages in a chat with no dated message were skipped",
                    f"{location}: {text}",
                )
                continue
            yield ParsedMessage(
                state.key,
                ts,
                options.default_utc_offset_min if offset is None else offset,
                assumed,
                MessageKind.SYSTEM,
                text,
                external_id=external_id,
                location=location,
            )
        state.waiting.clear()

    def _convert(
        self,
        draft: _Draft,
        state: _ChatState,
        entry: Entry,
        options: ParseOptions,
        report: ParseReport,
    ) -> Iterator[ParsedMessage]:
        location = f"{PurePosixPath(entry.name).name} line {draft.line}"
        text = "".join(draft.text).strip()
        if draft.service:
            if draft.external_id and draft.external_id.startswith("-"):
                offset = (
                    state.offset if state.offset is not None else options.default_utc_offset_min
                )
                state.day_ts = _day_separator_ms(text, offset)
            elif state.last is None:
                state.waiting.append((draft.external_id, text, location))
            else:
                ts, offset, assumed = state.last
                yield ParsedMessage(
                    state.key,
                    ts,
                    offset,
                    assumed,
                    MessageKind.SYSTEM,
                    text,
                    external_id=draft.external_id,
                    location=location,
                )
            return
        moment = _parse_title(draft.date_title or "", options.default_utc_offset_min)
        if moment is None:
            report.warn(
                "no-date",
                "messages without a readable date were skipped",
                f"{location}: {draft.date_title!r} {text[:80]}",
            )
            return
        ts, offset, assumed = moment
        yield from self._flush_waiting(state, ts, options, report, offset, assumed)
        state.last = moment
        if not assumed:
            state.offset = offset
        if draft.sender is not None:
            name = " ".join(draft.sender.split()).split(" via @", 1)[0]
            state.sender = name or state.sender
        elif state.sender is None:
            report.warn(
                "joined-without-sender",
                "continuation messages with no earlier sender were kept without a sender",
                location,
            )
        kind = text_kind(text)
        media: str | None = None
        if draft.media is not None:
            kind, media = draft.media
            title = "".join(draft.media_title).strip()
            if kind is MessageKind.FILE and title:
                media = title
            if kind is MessageKind.SYSTEM:
                yield ParsedMessage(
                    state.key,
                    ts,
                    offset,
                    assumed,
                    kind,
                    f"{state.sender or 'Someone'}: call with {title}" if title else "call",
                    external_id=draft.external_id,
                    location=location,
                )
                return
        yield ParsedMessage(
            state.key,
            ts,
            offset,
            assumed,
            kind,
            text,
            sender_name=state.sender,
            media=media,
            external_id=draft.external_id,
            reply_to_external_id=draft.reply_to,
            location=location,
        )


def _parse_title(title: str, default_offset: int) -> tuple[int, int, bool] | None:
    """(UTC ms, offset, assumed) from '15.01.2023 10:30:00 UTC+03:00'."""
    match = _DATE_TITLE.search(title)
    if match is None:
        return None
    day, month, year, hour, minute, second, sign, off_h, off_m = match.groups()
    try:
        local = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    if sign is None:
        return local_to_utc_ms(local, default_offset), default_offset, True
    offset = (int(off_h) * 60 + int(off_m or 0)) * (-1 if sign == "-" else 1)
    return local_to_utc_ms(local, offset), offset, False


def _day_separator_ms(text: str, offset: int) -> int | None:
    """Midnight of a day separator such as "15 January 2023"."""
    match = _DAY_SEPARATOR.search(text)
    if match is None or match.group(2).lower() not in _MONTHS:
        return None
    try:
        day = datetime(int(match.group(3)), _MONTHS[match.group(2).lower()], int(match.group(1)))
    except ValueError:
        return None
    return local_to_utc_ms(day, offset)


TELEGRAM_HTML = TelegramHtmlImporter()
