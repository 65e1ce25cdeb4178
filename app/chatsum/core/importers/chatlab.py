"""ChatLab interchange files: one JSON document, or JSONL for huge chats.

ChatLab's format is `{chatlab{version, exportedAt}, meta{name, platform,
type, groupId?, ownerId?}, members[], messages[]}` where a message is
`{sender (platform id), accountName, groupNickname?, timestamp (seconds),
type (numeric), content}`. The JSONL variant puts the same header on line 1
(`"_type": "header"`), then `member` and `message` lines. Both can be large,
so the JSON is walked with `JsonStream` and the JSONL read line by line.

ChatLab files are conversions of other platforms' exports; `meta.platform`
is kept (mapped to our names where they differ) so that a ChatLab copy of a
WeChat chat can merge with the same chat imported from WeChat directly.
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
    open_text,
)
from chatsum.core.importers.json_stream import JsonStream
from chatsum.core.importers.message_kinds import is_link_only

_PLATFORMS = {
    "weixin": "wechat",
    "wechat": "wechat",
    "": "chatlab",
    "unknown": "chatlab",
    "mixed": "chatlab",
}
# ChatLab's numeric message types.
_KINDS = {
    0: MessageKind.TEXT,
    1: MessageKind.MEDIA,  # image
    2: MessageKind.MEDIA,  # voice
    3: MessageKind.MEDIA,  # video
    4: MessageKind.FILE,
    5: MessageKind.STICKER,
    7: MessageKind.LINK,
    8: MessageKind.MEDIA,  # location
    27: MessageKind.MEDIA,  # contact card
    80: MessageKind.SYSTEM,
    81: MessageKind.DELETED,
}
_PLACEHOLDER_KINDS = frozenset({MessageKind.MEDIA, MessageKind.STICKER, MessageKind.FILE})
_MEDIA_NAMES = {
    1: "image",
    2: "voice",
    3: "video",
    4: "file",
    5: "sticker",
    8: "location",
    27: "contact",
}
# The "chatlab" header object, wherever it sits among the first members.
_JSON_HEAD = re.compile(r'"chatlab"\s*:\s*\{\s*"(?:version|exportedAt)"')
_JSONL_HEAD = re.compile(
    r'\{.*"_type"\s*:\s*"header".*"chatlab"|\{.*"chatlab".*"_type"\s*:\s*"header"'
)


class _Chat:
    """Header facts and member names collected before the messages."""

    def __init__(self, entry: Entry) -> None:
        self.meta: dict[str, Any] = {}
        self.names: dict[str, str] = {}
        self.stem = PurePosixPath(entry.name).stem
        self.key = f"chatlab:{entry.name}"
        self.owner: str | None = None

    def add_member(self, member: Any) -> None:
        if isinstance(member, dict) and member.get("platformId") is not None:
            name = member.get("groupNickname") or member.get("accountName")
            if name:
                self.names[str(member["platformId"])] = str(name)

    def conversation(self) -> ParsedConversation:
        meta = self.meta
        platform = str(meta.get("platform") or "")
        kind = {"group": ConversationKind.GROUP, "private": ConversationKind.PRIVATE}.get(
            str(meta.get("type")), ConversationKind.UNKNOWN
        )
        group_id = meta.get("groupId")
        owner = meta.get("ownerId")
        self.owner = None if owner is None else str(owner)
        if group_id is not None:
            self.key = f"chatlab:{group_id}"
        return ParsedConversation(
            key=self.key,
            platform=_PLATFORMS.get(platform.lower(), platform.lower()),
            title=str(meta.get("name") or self.stem),
            kind=kind,
            external_id=None if group_id is None else str(group_id),
        )

    def message(self, record: Any, offset: int, location: str) -> ParsedMessage | str:
        """The message, or a string saying what is wrong with the record."""
        if not isinstance(record, dict):
            return "expected a message object"
        stamp = record.get("timestamp")
        if not isinstance(stamp, (int, float)) or isinstance(stamp, bool):
            return "no numeric 'timestamp'"
        ts = int(stamp) if stamp > 100_000_000_000 else int(stamp * 1000)
        sender = record.get("sender")
        sender_id = None if sender is None else str(sender)
        name = record.get("groupNickname") or record.get("accountName")
        if not name and sender_id is not None:
            name = self.names.get(sender_id, sender_id)
        content = record.get("content")
        text = "" if content is None else str(content)
        code = record.get("type", 0)
        kind = _KINDS.get(code, MessageKind.TEXT) if isinstance(code, int) else MessageKind.TEXT
        media = _MEDIA_NAMES.get(code) if isinstance(code, int) else None
        if kind is MessageKind.TEXT and is_link_only(text):
            kind = MessageKind.LINK
        elif kind is MessageKind.DELETED:
            text = ""
        elif kind in _PLACEHOLDER_KINDS:
            # The content of a picture or file message is its placeholder or name, not text.
            media, text = text or media, ""
        if kind is MessageKind.SYSTEM:
            return ParsedMessage(self.key, ts, offset, True, kind, text, location=location)
        reply = record.get("replyToMessageId")
        external = record.get("platformMessageId")
        return ParsedMessage(
            self.key,
            ts,
            offset,
            True,
            kind,
            text,
            sender_name=None if name is None else str(name),
            sender_id=sender_id,
            media=media,
            external_id=None if external is None else str(external),
            reply_to_external_id=None if reply is None else str(reply),
            is_self=None if self.owner is None or sender_id is None else sender_id == self.owner,
            location=location,
        )


class ChatLabJsonImporter:
    """ChatLab's single-document JSON, streamed."""

    format_id = "chatlab-json"

    def sniff(self, sample: Sample) -> bool:
        head = sample.text.lstrip()
        if not head.startswith("{") or _JSONL_HEAD.match(head.split("\n", 1)[0]):
            return False
        return _JSON_HEAD.search(head[:4096]) is not None

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        chat = _Chat(entry)
        offset = options.default_utc_offset_min
        announced = False
        with open_text(entry) as handle:
            stream = JsonStream(handle, entry.display)
            for key in stream.object_keys():
                if key == "meta":
                    meta = stream.value()
                    if isinstance(meta, dict):
                        chat.meta = meta
                elif key == "members":
                    for _, member in stream.array_values():
                        chat.add_member(member)
                elif key == "messages":
                    announced = True
                    yield chat.conversation()
                    for index, record in stream.array_values():
                        where = f"messages[{index}]"
                        message = chat.message(record, offset, where)
                        if isinstance(message, str):
                            raise format_error(entry, f"{where} ({stream.location()})", message)
                        yield message
                else:
                    stream.skip()
        if not announced:
            raise format_error(entry, None, "has no 'messages' list; is this a ChatLab file?")


class ChatLabJsonlImporter:
    """ChatLab's line-per-record JSONL."""

    format_id = "chatlab-jsonl"

    def sniff(self, sample: Sample) -> bool:
        first = sample.text.lstrip().split("\n", 1)[0]
        return _JSONL_HEAD.match(first) is not None

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        chat = _Chat(entry)
        offset = options.default_utc_offset_min
        announced = False
        with open_text(entry) as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise format_error(
                        entry, f"line {number} column {exc.colno}", f"invalid JSON ({exc.msg})"
                    ) from exc
                kind = record.get("_type") if isinstance(record, dict) else None
                if kind == "header":
                    if isinstance(record.get("meta"), dict):
                        chat.meta = record["meta"]
                elif kind == "member":
                    chat.add_member(record)
                elif kind == "message":
                    if not announced:
                        announced = True
                        yield chat.conversation()
                    message = chat.message(record, offset, f"line {number}")
                    if isinstance(message, str):
                        raise format_error(entry, f"line {number}", message)
                    yield message
                else:
                    report.warn(
                        "unknown-line",
                        "lines that are not header/member/message records were skipped",
                        f"line {number}: {line.strip()[:80]}",
                    )
        if not announced:
            yield chat.conversation()


CHATLAB_JSON = ChatLabJsonImporter()
CHATLAB_JSONL = ChatLabJsonlImporter()
