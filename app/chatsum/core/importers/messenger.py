"""Facebook Messenger and Instagram message exports (message_1.json, message_2.json, ...).

Meta's "Download your information" writes each thread as files of up to ten
thousand messages, newest first, with text "mojibake": the UTF-8 bytes of
every string written out as if each byte were a Latin-1 code point
(`KovÃ¡cs` for `Kovács`). Each file is small enough to decode whole, so it
is loaded, repaired string by string, and emitted oldest first. The newer
end-to-end-encrypted Messenger export (camelCase keys, clean UTF-8) is read
by the same code.

Files carry no offset: `timestamp_ms` is exact, the writer's offset assumed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
    read_all_text,
)
from chatsum.core.importers.message_kinds import file_basename, is_link_only, kind_for_file

_MEDIA_LISTS = (
    ("photos", MessageKind.MEDIA, "photo"),
    ("videos", MessageKind.MEDIA, "video"),
    ("audio_files", MessageKind.MEDIA, "audio"),
    ("gifs", MessageKind.MEDIA, "gif"),
)
_SYSTEM_TYPES = frozenset({"Call", "Subscribe", "Unsubscribe"})
_UNSENT = re.compile(r".{0,60} unsent a message\.?")


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-Latin-1; leaves text that is not such mojibake unchanged."""
    if text.isascii():
        return text
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _repair(value: Any) -> Any:
    if isinstance(value, str):
        return repair_mojibake(value)
    if isinstance(value, list):
        return [_repair(item) for item in value]
    if isinstance(value, dict):
        return {key: _repair(item) for key, item in value.items()}
    return value


def _platform(entry: Entry) -> str:
    """Both apps write identical JSON; only the export's folders say which one it was."""
    return "instagram" if "instagram" in entry.display.lower() else "messenger"


class MessengerImporter:
    """Messenger / Instagram message_N.json files."""

    format_id = "messenger-json"

    def sniff(self, sample: Sample) -> bool:
        head = sample.text.lstrip()
        if not head.startswith("{") or '"participants"' not in head:
            return False
        return ('"sender_name"' in head and '"timestamp_ms"' in head) or (
            '"senderName"' in head and '"timestamp"' in head
        )

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        try:
            data = json.loads(read_all_text(entry))
        except json.JSONDecodeError as exc:
            raise format_error(
                entry, f"line {exc.lineno} column {exc.colno}", f"invalid JSON ({exc.msg})"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise format_error(entry, None, "expected an object with a 'messages' list")
        data = _repair(data)
        participants = [
            str(p.get("name")) for p in data.get("participants") or [] if isinstance(p, dict)
        ]
        platform = _platform(entry)
        thread = str(data.get("thread_path") or PurePosixPath(entry.name).parent.as_posix())
        title = str(
            data.get("title") or data.get("threadName") or ", ".join(participants) or thread
        )
        thread_type = data.get("thread_type")
        group = thread_type == "RegularGroup" or (thread_type is None and len(participants) > 2)
        key = f"{platform}:{thread}"
        yield ParsedConversation(
            key=key,
            platform=platform,
            title=title,
            kind=ConversationKind.GROUP if group else ConversationKind.PRIVATE,
        )
        records = data["messages"]
        offset = options.default_utc_offset_min
        indexed = [(index, r) for index, r in enumerate(records) if isinstance(r, dict)]
        # Files are newest first; reversing before a stable sort keeps the order of equal times.
        for index, record in sorted(reversed(indexed), key=lambda item: _timestamp(item[1]) or 0):
            ts = _timestamp(record)
            if ts is None:
                raise format_error(entry, f"messages[{index}]", "no timestamp_ms")
            yield _message(record, key, ts, offset, f"messages[{index}]")


def _timestamp(record: dict[str, Any]) -> int | None:
    value = record.get("timestamp_ms", record.get("timestamp"))
    return value if isinstance(value, int) else None


def _message(
    record: dict[str, Any], key: str, ts: int, offset: int, location: str
) -> ParsedMessage:
    sender = record.get("sender_name", record.get("senderName"))
    content = str(record.get("content", record.get("text")) or "")
    if record.get("is_unsent") or record.get("isUnsent") or _UNSENT.fullmatch(content):
        return ParsedMessage(
            key, ts, offset, True, MessageKind.DELETED, "", sender_name=sender, location=location
        )
    if record.get("type") in _SYSTEM_TYPES:
        return ParsedMessage(
            key,
            ts,
            offset,
            True,
            MessageKind.SYSTEM,
            content or str(record["type"]),
            location=location,
        )
    kind = MessageKind.TEXT
    media: str | None = None
    for field, media_kind, label in _MEDIA_LISTS:
        items = record.get(field)
        if items:
            kind = media_kind
            media = label if len(items) == 1 else f"{len(items)} {label}s"
            break
    else:
        sticker = record.get("sticker")
        files = record.get("files") or record.get("media")
        share = record.get("share")
        if sticker:
            kind, media = MessageKind.STICKER, "sticker"
        elif files:
            names = [file_basename(str(f.get("uri", "file"))) for f in files if isinstance(f, dict)]
            kinds = {kind_for_file(name) for name in names}
            kind = MessageKind.MEDIA if kinds == {MessageKind.MEDIA} else MessageKind.FILE
            media = ", ".join(names)
        elif isinstance(share, dict) and share.get("link"):
            link = str(share["link"])
            if not content or is_link_only(content) or content == link:
                kind = MessageKind.LINK
                content = content or link
        elif is_link_only(content):
            kind = MessageKind.LINK
    return ParsedMessage(
        key,
        ts,
        offset,
        True,
        kind,
        content,
        sender_name=None if sender is None else str(sender),
        media=media,
        location=location,
    )


MESSENGER = MessengerImporter()
