"""Domain records shared by every layer.

Frozen dataclasses only: they are the one kind of object allowed to cross
threads (GUI workers) and layers. Times are UTC milliseconds since the epoch
(`ts_ms`) plus the UTC offset, in minutes, of the clock the export was written
with; `offset_assumed` says whether the export stated that offset or we had to
assume it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import StrEnum


class MessageKind(StrEnum):
    TEXT = "text"
    MEDIA = "media"
    STICKER = "sticker"
    LINK = "link"
    FILE = "file"
    SYSTEM = "system"
    DELETED = "deleted"


class ConversationKind(StrEnum):
    GROUP = "group"
    PRIVATE = "private"
    CHANNEL = "channel"
    UNKNOWN = "unknown"


# ---------------------------------------------------------------- importers


@dataclass(frozen=True)
class ParsedConversation:
    """A conversation as an importer found it in one export.

    `key` is unique within the export; `external_id` is the platform's own id
    when the export has one (Telegram chat id, Discord channel id, ...).
    """

    key: str
    platform: str
    title: str
    kind: ConversationKind = ConversationKind.UNKNOWN
    external_id: str | None = None


@dataclass(frozen=True)
class ParsedMessage:
    """One message as an importer read it, before it is stored.

    `sender_id` is the platform identity when the export has one; otherwise the
    display name identifies the sender. System messages have no sender.
    `location` ("line 812", "record 17") lets errors and warnings point back.
    """

    conversation_key: str
    ts_ms: int
    utc_offset_min: int
    offset_assumed: bool
    kind: MessageKind
    text: str
    sender_name: str | None = None
    sender_id: str | None = None
    media: str | None = None
    external_id: str | None = None
    reply_to_external_id: str | None = None
    edited_ts_ms: int | None = None
    is_self: bool | None = None
    location: str | None = None


# ---------------------------------------------------------------- archive


@dataclass(frozen=True)
class Conversation:
    id: int
    platform: str
    title: str
    kind: ConversationKind
    external_id: str | None
    message_count: int = 0
    first_ts_ms: int | None = None
    last_ts_ms: int | None = None


@dataclass(frozen=True)
class Participant:
    id: int
    platform: str
    identity: str
    display_name: str
    is_self: bool | None = None


@dataclass(frozen=True)
class Message:
    """A stored message. `id` is stable: citations point at it."""

    id: int
    conversation_id: int
    participant_id: int | None
    sender_name: str | None
    ts_ms: int
    utc_offset_min: int
    offset_assumed: bool
    kind: MessageKind
    text: str
    media: str | None = None
    reply_to_id: int | None = None
    edited_ts_ms: int | None = None

    @property
    def local_time(self) -> datetime:
        """When it was sent, on the clock of the device that exported it."""
        return local_datetime(self.ts_ms, self.utc_offset_min)


def local_datetime(ts_ms: int, utc_offset_min: int) -> datetime:
    zone = timezone(timedelta(minutes=utc_offset_min))
    return datetime.fromtimestamp(ts_ms / 1000, tz=zone)


@dataclass(frozen=True)
class SearchHit:
    """A full-text match with its neighbours for context."""

    message: Message
    conversation_title: str
    rank: float
    context_before: tuple[Message, ...] = field(default_factory=tuple)
    context_after: tuple[Message, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Chunk:
    """A window of consecutive messages of one session, the unit we embed."""

    id: str
    conversation_id: int
    message_ids: tuple[int, ...]
    text: str
    first_ts_ms: int
    last_ts_ms: int


@dataclass(frozen=True)
class Citation:
    """A pointer from a generated claim to a stored message."""

    message_id: int
    conversation_id: int
    sender_name: str | None
    ts_ms: int
    text: str
