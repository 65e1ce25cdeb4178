"""Telegram Desktop JSON exports (result.json): one chat, or a full account export.

A single-chat export is `{name, type, id, messages[]}`; a full export nests
the same chat objects under `chats.list` and `left_chats.list`, next to
`personal_information` (which tells us who "self" is). Files reach hundreds of
megabytes, so they are walked with `JsonStream`: only the message being
converted is ever decoded. Telegram writes a chat's `name`/`type`/`id` before
its `messages`, so the conversation can be announced before its messages.

Times: `date_unixtime` is the true instant; `date` is the exporting device's
wall clock. When both are present their difference is the exact UTC offset
(`offset_assumed=False`); with only one, the configured offset is assumed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.errors import ImportFormatError
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
    local_to_utc_ms,
    open_text,
    parse_iso,
)
from chatsum.core.importers.json_stream import JsonStream
from chatsum.core.importers.message_kinds import LINK_STARTS, file_basename, is_link_only

PLATFORM = "telegram"

_CHAT_KINDS = {
    "personal_chat": ConversationKind.PRIVATE,
    "bot_chat": ConversationKind.PRIVATE,
    "saved_messages": ConversationKind.PRIVATE,
    "private_group": ConversationKind.GROUP,
    "private_supergroup": ConversationKind.GROUP,
    "public_supergroup": ConversationKind.GROUP,
    "private_channel": ConversationKind.CHANNEL,
    "public_channel": ConversationKind.CHANNEL,
}
_CHAT_TYPE = re.compile(r'"type"\s*:\s*"(?:' + "|".join(_CHAT_KINDS) + r')"')
_LINK_ENTITIES = frozenset({"link", "text_link"})
_MEDIA_KEYS = frozenset(
    {"photo", "media_type", "file", "location_information", "contact_information"}
)
_MEDIA_TYPES = {
    "animation": "animation",
    "video_file": "video",
    "video_message": "video message",
    "voice_message": "voice message",
    "audio_file": "audio",
}
_ACTION_PHRASES = {
    "create_group": "created group",
    "create_channel": "created channel",
    "edit_group_title": "changed the title to",
    "edit_group_photo": "changed the group photo",
    "delete_group_photo": "removed the group photo",
    "invite_members": "invited",
    "remove_members": "removed",
    "join_group_by_link": "joined the group by link",
    "join_group_by_request": "joined the group by request",
    "pin_message": "pinned a message",
    "migrate_to_supergroup": "converted the group to a supergroup",
    "migrate_from_group": "converted a basic group to this supergroup",
    "clear_history": "cleared the history",
    "phone_call": "made a call",
    "group_call": "started a voice chat",
    "invite_to_group_call": "invited to the voice chat",
    "score_in_game": "scored in a game",
    "take_screenshot": "took a screenshot",
    "set_messages_ttl": "changed the auto-delete timer",
    "edit_chat_theme": "changed the chat theme",
    "topic_created": "created a topic",
}


@dataclass
class _Chat:
    """What is known of a chat before its messages arrive."""

    where: str
    name: str | None = None
    type: str | None = None
    id: Any = None
    announced: bool = False

    @property
    def key(self) -> str:
        return f"{PLATFORM}:{self.id}" if self.id is not None else f"{PLATFORM}:{self.where}"


class TelegramJsonImporter:
    """Telegram Desktop's machine-readable export, streamed."""

    format_id = "telegram-json"

    def sniff(self, sample: Sample) -> bool:
        head = sample.text.lstrip()
        if not head.startswith("{") or re.match(r'\{\s*"chatlab"', head):
            return False
        if '"personal_information"' in head and '"about"' in head:
            return True
        return _CHAT_TYPE.search(head) is not None and '"messages"' in head

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        with open_text(entry) as handle:
            walk = _Walk(entry, JsonStream(handle, entry.display), options, report)
            yield from walk.export()


class _Walk:
    """One pass over one result.json."""

    def __init__(
        self, entry: Entry, stream: JsonStream, options: ParseOptions, report: ParseReport
    ) -> None:
        self.entry = entry
        self.stream = stream
        self.options = options
        self.report = report
        self.self_id: str | None = None
        self.found_chat = False
        self._days: dict[str, int] = {}
        self._minutes: dict[str, int] = {}

    def export(self) -> Iterator[ParsedItem]:
        top = _Chat(where="messages")
        stream = self.stream
        for key in stream.object_keys():
            if key in ("chats", "left_chats"):
                yield from self._chat_list(key)
            elif key == "messages":
                yield from self._messages(top, "messages")
            elif key == "personal_information":
                info = stream.value()
                if isinstance(info, dict) and info.get("user_id") is not None:
                    self.self_id = f"user{info['user_id']}"
            elif key in ("name", "type", "id"):
                setattr(top, key, stream.value())
            else:
                stream.skip()
        if not self.found_chat:
            raise format_error(
                self.entry,
                None,
                "has neither 'messages' nor 'chats'; is this a Telegram Desktop result.json?",
            )

    def _chat_list(self, section: str) -> Iterator[ParsedItem]:
        stream = self.stream
        for key in stream.object_keys():
            if key != "list":
                stream.skip()
                continue
            for index in stream.array_items():
                yield from self._chat(f"{section}.list[{index}]")

    def _chat(self, where: str) -> Iterator[ParsedItem]:
        chat = _Chat(where=where)
        stream = self.stream
        for key in stream.object_keys():
            if key == "messages":
                yield from self._messages(chat, f"{where}.messages")
            elif key in ("name", "type", "id"):
                setattr(chat, key, stream.value())
            else:
                stream.skip()
        if not chat.announced:
            yield self._announce(chat)

    def _announce(self, chat: _Chat) -> ParsedConversation:
        chat.announced = True
        self.found_chat = True
        title = chat.name or ("Saved Messages" if chat.type == "saved_messages" else None)
        return ParsedConversation(
            key=chat.key,
            platform=PLATFORM,
            title=title or f"Telegram chat {chat.id if chat.id is not None else chat.where}",
            kind=_CHAT_KINDS.get(str(chat.type), ConversationKind.UNKNOWN),
            external_id=str(chat.id) if chat.id is not None else None,
        )

    def _messages(self, chat: _Chat, where: str) -> Iterator[ParsedItem]:
        """Convert the chat's messages; the common case is inlined, it runs a million times."""
        yield self._announce(chat)
        key = chat.key
        self_id = self.self_id
        # Without the account's own id, a personal chat's other party is the chat id.
        peer = f"user{chat.id}" if self_id is None and chat.type == "personal_chat" else None
        always_self = True if chat.type == "saved_messages" else None
        local_ms = self._local_ms
        for index, record in self.stream.array_values():
            if type(record) is not dict:
                raise self._record_error(where, index, "expected a message object")
            get = record.get
            try:
                ts = int(record["date_unixtime"]) * 1000
                offset = (local_ms(record["date"]) - ts) // 60_000
                assumed = False
            except (KeyError, TypeError, ValueError):
                ts, offset, assumed = self._moment(record, where, index)
            edited = (
                self._edited(record, offset)
                if "edited_unixtime" in record or "edited" in record
                else None
            )
            message_id = get("id")
            external_id = None if message_id is None else str(message_id)
            if get("type") == "service":
                yield ParsedMessage(
                    key,
                    ts,
                    offset,
                    assumed,
                    MessageKind.SYSTEM,
                    _service_text(record),
                    None,
                    None,
                    None,
                    external_id,
                    None,
                    edited,
                    None,
                    f"{where}[{index}]",
                )
                continue
            text = get("text", "")
            if type(text) is str:
                links = text.startswith(LINK_STARTS) and is_link_only(text)
                kind = MessageKind.LINK if links else MessageKind.TEXT
            else:
                text, links_only = _flatten(text)
                kind = MessageKind.LINK if links_only else MessageKind.TEXT
            media = None
            if not _MEDIA_KEYS.isdisjoint(record):
                kind, media = _media(record)
            elif "poll" in record and not text:
                text = _poll_text(record["poll"])
            sender = get("from")
            sender_id = get("from_id")
            is_self = always_self
            if sender_id is not None:
                sender_id = str(sender_id)
                if sender is None:
                    sender = "Deleted Account"
                if self_id is not None:
                    is_self = sender_id == self_id
                elif peer is not None:
                    is_self = sender_id != peer
            reply = get("reply_to_message_id")
            yield ParsedMessage(
                key,
                ts,
                offset,
                assumed,
                kind,
                text,
                None if sender is None else str(sender),
                sender_id,
                media,
                external_id,
                None if reply is None else str(reply),
                edited,
                is_self,
                f"{where}[{index}]",
            )

    # ------------------------------------------------------------ slow paths

    def _moment(self, record: dict[str, Any], where: str, index: int) -> tuple[int, int, bool]:
        unix = record.get("date_unixtime")
        local = record.get("date")
        try:
            local_ms = None if local is None else self._local_ms(local)
            if unix is not None:
                ts = int(unix) * 1000
                if local_ms is None:
                    return ts, self.options.default_utc_offset_min, True
                return ts, (local_ms - ts) // 60_000, False
        except (TypeError, ValueError) as exc:
            raise self._record_error(where, index, f"unreadable date ({exc})") from exc
        if local_ms is None:
            raise self._record_error(where, index, "no date (neither 'date' nor 'date_unixtime')")
        offset = self.options.default_utc_offset_min
        return local_ms - offset * 60_000, offset, True

    def _edited(self, record: dict[str, Any], offset: int) -> int | None:
        unix = record.get("edited_unixtime")
        if unix is not None:
            try:
                return int(unix) * 1000
            except (TypeError, ValueError):
                return None
        local = record.get("edited")
        if local is None:
            return None
        try:
            return self._local_ms(local) - offset * 60_000
        except (TypeError, ValueError):
            return None

    def _local_ms(self, text: str) -> int:
        """Epoch ms of a wall-clock ISO time as if it were UTC.

        Days and minutes of the day are cached separately (both stay small),
        so a typical "2023-01-15T10:01:00" costs two lookups and one int().
        """
        if len(text) == 19 and text[10] == "T":
            day = self._days.get(text[:10])
            if day is None:
                day = self._days[text[:10]] = _iso_day_ms(text[:10])
            minute = self._minutes.get(text[11:16])
            if minute is None:
                minute = self._minutes[text[11:16]] = _clock_ms(text[11:16])
            return day + minute + int(text[17:19]) * 1000
        return local_to_utc_ms(parse_iso(text).replace(tzinfo=None, microsecond=0), 0)

    def _record_error(self, where: str, index: int, problem: str) -> ImportFormatError:
        return format_error(self.entry, f"{where}[{index}] ({self.stream.location()})", problem)


def _clock_ms(text: str) -> int:
    """Milliseconds since midnight of "HH:MM"; ValueError when it is not one."""
    hours, colon, minutes = text.partition(":")
    if not colon or not (0 <= int(hours) < 24 and 0 <= int(minutes) < 60):
        raise ValueError(f"not a time of day: {text!r}")
    return (int(hours) * 60 + int(minutes)) * 60_000


def _iso_day_ms(text: str) -> int:
    """Epoch ms of a "YYYY-MM-DD" midnight as if it were UTC."""
    return local_to_utc_ms(datetime.fromisoformat(text), 0)


def _flatten(value: Any) -> tuple[str, bool]:
    """(plain text, made only of links) for a string or a rich-text list."""
    if isinstance(value, str):
        return value, is_link_only(value)
    if not isinstance(value, list):
        return "", False
    parts: list[str] = []
    links = 0
    others = False
    for part in value:
        if isinstance(part, str):
            parts.append(part)
            others = others or bool(part.strip())
        elif isinstance(part, dict):
            piece = str(part.get("text", ""))
            parts.append(piece)
            if part.get("type") in _LINK_ENTITIES:
                links += 1
            elif piece.strip():
                others = True
    return "".join(parts), links > 0 and not others


def _media(record: dict[str, Any]) -> tuple[MessageKind, str | None]:
    """The attachment's kind and description (a message with one of `_MEDIA_KEYS`)."""
    if "photo" in record:
        return MessageKind.MEDIA, "photo"
    media_type = record.get("media_type")
    if media_type == "sticker":
        return MessageKind.STICKER, record.get("sticker_emoji") or "sticker"
    if media_type in _MEDIA_TYPES:
        return MessageKind.MEDIA, _MEDIA_TYPES[media_type]
    if "file" in record:
        name = record.get("file_name") or file_basename(str(record["file"]))
        if name.startswith("("):  # "(File not included. ...)"
            name = "file"
        return MessageKind.FILE, name
    if "location_information" in record:
        return MessageKind.MEDIA, "location"
    if "contact_information" in record:
        return MessageKind.MEDIA, "contact"
    return MessageKind.MEDIA, str(media_type)


def _poll_text(poll: Any) -> str:
    if not isinstance(poll, dict):
        return ""
    answers = [str(a.get("text", "")) for a in poll.get("answers", []) if isinstance(a, dict)]
    return f"Poll: {poll.get('question', '')}" + (f" ({' / '.join(answers)})" if answers else "")


def _service_text(record: dict[str, Any]) -> str:
    """A readable line for a service message: who did what."""
    actor = record.get("actor") or "Someone"
    action = str(record.get("action", ""))
    phrase = _ACTION_PHRASES.get(action, action.replace("_", " "))
    details: list[str] = []
    title = record.get("title")
    if title:
        details.append(f"«{title}»")
    members = record.get("members")
    if isinstance(members, list) and members:
        names = ", ".join(str(m) if m is not None else "Deleted Account" for m in members)
        details.append(f"with {names}" if action == "create_group" else names)
    if record.get("inviter"):
        details.append(f"(invited by {record['inviter']})")
    if record.get("duration_seconds"):
        details.append(f"({record['duration_seconds']} s)")
    text, _ = _flatten(record.get("text", ""))
    line = " ".join([f"{actor} {phrase}".strip(), *details])
    return f"{line}: {text}" if text else line


TELEGRAM_JSON = TelegramJsonImporter()
