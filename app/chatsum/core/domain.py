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
from typing import NamedTuple


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


class ParsedMessage(NamedTuple):
    """One message as an importer read it, before it is stored.

    A NamedTuple rather than a frozen dataclass: it is built once per message
    on the import hot path, where it is about six times cheaper to construct.

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


# ---------------------------------------------------------------- summaries
# A summary is only as good as its citations: every claim carries the ids of
# the stored messages it rests on, and `supported` is False when checking found
# no valid message for it (such claims are shown as unverified, never as fact).


@dataclass(frozen=True)
class Claim:
    """A key point, decision, open question or action item with its evidence."""

    text: str
    message_ids: tuple[int, ...] = ()
    supported: bool = True


@dataclass(frozen=True)
class Viewpoint:
    """What one participant thought or wanted; cited messages are theirs.

    `reattributed_from` names the participant the model first credited when
    checking moved the view to the person who actually wrote the cited lines.
    """

    participant: str
    view: str
    message_ids: tuple[int, ...] = ()
    supported: bool = True
    reattributed_from: str | None = None


@dataclass(frozen=True)
class Topic:
    title: str
    summary: str
    key_points: tuple[Claim, ...] = ()
    viewpoints: tuple[Viewpoint, ...] = ()
    decisions: tuple[Claim, ...] = ()
    open_questions: tuple[Claim, ...] = ()
    action_items: tuple[Claim, ...] = ()

    def claims(self) -> tuple[Claim | Viewpoint, ...]:
        return (
            *self.key_points,
            *self.viewpoints,
            *self.decisions,
            *self.open_questions,
            *self.action_items,
        )


@dataclass(frozen=True)
class SummaryTimings:
    total_s: float = 0.0
    llm_s: float = 0.0
    llm_calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(frozen=True)
class SummaryQuality:
    """What checking found and fixed; the raw figures let evals judge the model.

    `citations_cited` counts every id the model wrote; `citations_invalid` those
    that pointed nowhere; `citations_misattributed` viewpoint ids written by
    someone else. Repairs re-attribute a viewpoint or find its evidence by
    matching words; what cannot be repaired is dropped, and a claim left with
    no evidence is counted in `unsupported_claims`. `flags` are short codes
    (`schema_invalid`, `failed_window`, `too_few_topics`, ...).
    """

    schema_valid: bool = True
    schema_retries: int = 0
    windows: int = 0
    reduce_rounds: int = 0
    messages_in: int = 0
    messages_dropped: int = 0
    redactions: int = 0
    citations_cited: int = 0
    citations_invalid: int = 0
    citations_misattributed: int = 0
    citations_repaired: int = 0
    citations_dropped: int = 0
    viewpoints_reattributed: int = 0
    unsupported_claims: int = 0
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Summary:
    """Topics of one conversation over [since_ms, until_ms); `scope` is range|day|week|month."""

    conversation_id: int
    since_ms: int | None
    until_ms: int | None
    scope: str
    language: str
    gist: str
    topics: tuple[Topic, ...]
    model_id: str
    prompt_version: str
    timings: SummaryTimings = field(default_factory=SummaryTimings)
    quality: SummaryQuality = field(default_factory=SummaryQuality)
    cited_messages: tuple[Citation, ...] = ()
    message_count: int = 0
    from_cache: bool = False


# ---------------------------------------------------------------- answers
# An answer rests on retrieved messages only: every citation is a message id
# that exists and was among those retrieved; ids the model wrote that fail
# either check are listed in `dropped_citations`, never shown as evidence, and
# sentences that no shown message supports are removed (`unsupported_claims`).


class AnswerOutcome(StrEnum):
    ANSWERED = "answered"
    REJECTED = "rejected"  # the archive holds nothing relevant enough
    NOT_A_QUESTION = "not_a_question"  # a greeting or chit-chat, answered politely


@dataclass(frozen=True)
class AnswerTimings:
    total_s: float = 0.0
    retrieval_s: float = 0.0
    first_token_s: float | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_prompt_tokens: int = 0


@dataclass(frozen=True)
class Answer:
    """One Q&A turn: the question as asked and as searched, and the grounded reply."""

    question: str
    rewritten_question: str
    outcome: AnswerOutcome
    text: str
    language: str
    citations: tuple[Citation, ...] = ()
    dropped_citations: tuple[int, ...] = ()
    unsupported_claims: tuple[str, ...] = ()  # sentences no shown message bore out, removed
    retrieved_ids: tuple[int, ...] = ()
    top_relevance: float = 0.0
    session_id: int | None = None
    turn_id: int | None = None
    model_id: str = ""
    timings: AnswerTimings = field(default_factory=AnswerTimings)

    @property
    def rejected(self) -> bool:
        return self.outcome is AnswerOutcome.REJECTED


@dataclass(frozen=True)
class QASession:
    id: int
    title: str
    created_at: str
    updated_at: str
    turns: int = 0
