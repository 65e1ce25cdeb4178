"""Turning stored messages into the lines a small model reads.

Every token the model reads costs time (about 100 prompt tokens a second on
two cores), and every line without information is one more chance for a small
model to cite noise. So before anything is numbered we drop what carries no
content (system lines, stickers, media placeholders, "ok"/"好的"/"哈哈"),
flatten quotes and mentions into one compact line, cap very long messages, and
merge bursts of consecutive messages by one sender into one line that keeps
*all* their message ids, so a citation of the line still points at every
message it stands for. Redaction, when asked for, happens here too, so no
later step can leak what it hides.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from chatsum.core.domain import Message, MessageKind
from chatsum.core.pipelines.summarizing.redaction import redact

MERGE_GAP_MS = 3 * 60 * 1000
MAX_MESSAGE_CHARS = 240
MAX_LINE_CHARS = 400
QUOTE_CHARS = 24

_DROPPED_KINDS = {MessageKind.SYSTEM, MessageKind.DELETED}
_MEDIA_KINDS = {MessageKind.MEDIA, MessageKind.STICKER, MessageKind.FILE}

# Whole-message placeholders that exports write instead of media.
_PLACEHOLDER = re.compile(
    r"^(?:\s*[\[<【(（]\s*(?:图片|照片|视频|语音|表情|动画表情|文件|位置|名片|链接|小程序|红包|转账|"
    r"语音通话|视频通话|聊天记录|音乐|image|photo|picture|video|audio|voice|sticker|gif|file|"
    r"location|contact|media omitted|attachment|voice message)[^\]>】)）]{0,20}[\]>】)）]\s*)+$",
    re.IGNORECASE,
)
_OMITTED = re.compile(
    r"^\s*(?:<?\s*(?:media|image|video|audio|sticker|gif|document) omitted\s*>?|"
    r"this message was deleted|you deleted this message|该消息已被撤回|.{0,16}撤回了一条消息)\s*$",
    re.IGNORECASE,
)
# WeChat/QQ emoji codes such as [微笑] or [Smile], removed before judging content.
_EMOJI_CODE = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,8}\]")
_LAUGH = re.compile(r"^(?:[哈呵嘿嘻]{2,}|h{2,}|(?:ha){2,}h?|(?:he){2,}|l+o+l+|233+|xswl|2333*)$")
# Acknowledgements only; words that take a side ("可以", "同意", "+1") are kept.
_ACKNOWLEDGEMENTS = frozenset(
    {
        *("ok", "okay", "okk", "k", "kk", "oki", "okie", "okok", "get", "gotit", "noted"),
        *("thx", "thanks", "ty", "nice", "cool", "roger"),
        *("好", "好的", "好滴", "好哒", "好嘞", "好好", "嗯", "嗯嗯", "恩", "恩恩", "嗯呢"),
        *("哦", "哦哦", "噢", "收到", "收到收到", "了解", "明白", "知道了", "谢谢", "多谢", "感谢"),
    }
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")
_MENTION = re.compile(r"[@＠]([^\s@＠\u2005]{1,32})[\u2005\u2004\u00a0]?")
_QUOTE_SEPARATOR = re.compile(r"\n\s*(?:-\s*){4,}\n")
_QUOTED_SPEAKER = re.compile(r"^[「\"“]?\s*([^：:」\"”\n]{1,24})\s*[：:]\s*(.*?)[」\"”]?\s*$", re.S)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Line:
    """One numbered line the model reads: one message or a burst by one sender."""

    message_ids: tuple[int, ...]
    sender: str
    ts_ms: int
    last_ts_ms: int
    text: str
    reply_to_id: int | None = None


@dataclass(frozen=True)
class PreparedChat:
    lines: tuple[Line, ...]
    messages_in: int
    dropped: int
    redactions: int


def _without_decoration(text: str) -> str:
    """Text minus emoji codes, symbols, punctuation and spaces."""
    text = _EMOJI_CODE.sub("", text)
    return "".join(
        ch for ch in text if unicodedata.category(ch)[0] not in "PSZC" and ch not in "\ufe0f\u200d"
    )


def is_filler(text: str) -> bool:
    """True for messages that say nothing a summary could use."""
    stripped = text.strip()
    if not stripped or _PLACEHOLDER.match(stripped) or _OMITTED.match(stripped):
        return True
    core = _without_decoration(stripped).casefold()
    if not core:
        return True  # pure emoji, stickers as codes, punctuation
    return core in _ACKNOWLEDGEMENTS or bool(_LAUGH.match(core))


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _flatten_quote(text: str, language: str) -> str:
    """A quoted earlier message becomes a short `(回复X:…)` prefix on one line."""
    quoted = reply = None
    parts = _QUOTE_SEPARATOR.split(text, maxsplit=1)
    if len(parts) == 2:
        quoted, reply = parts
    else:
        lines = text.split("\n")
        quote_lines = [line for line in lines if line.lstrip().startswith(">")]
        if quote_lines and lines[0].lstrip().startswith(">"):
            quoted = " ".join(line.lstrip()[1:].strip() for line in quote_lines)
            reply = "\n".join(line for line in lines if not line.lstrip().startswith(">"))
    if quoted is None or reply is None:
        return text
    match = _QUOTED_SPEAKER.match(quoted.strip())
    who, said = (match.group(1).strip(), match.group(2)) if match else ("", quoted)
    said = _clip(_SPACES.sub(" ", said).strip(), QUOTE_CHARS)
    if language == "zh":
        prefix = f"(回复{who}:{said})" if who else f"(引用:{said})"
    else:
        prefix = f"(re {who}: {said})" if who else f"(quoting: {said})"
    return f"{prefix} {reply.strip()}"


def normalize_text(text: str, language: str) -> str:
    """One line of model input: quotes flattened, mentions tidied, spaces collapsed."""
    text = _INVISIBLE.sub("", text)
    text = _flatten_quote(text, language)
    text = _MENTION.sub(lambda m: f"@{m.group(1)} ", text)
    return _SPACES.sub(" ", text).strip()


def _content(message: Message) -> str | None:
    if message.kind in _DROPPED_KINDS:
        return None
    text = message.text or ""
    if message.kind in _MEDIA_KINDS and (not text.strip() or is_filler(text)):
        return None
    if is_filler(text):
        return None
    return text


def prepare_lines(
    messages: Iterable[Message], language: str, redact_pii: bool = False
) -> PreparedChat:
    """Drop filler, normalize, optionally redact, and merge same-sender bursts."""
    lines: list[Line] = []
    seen = dropped = redactions = 0
    for message in messages:
        seen += 1
        raw = _content(message)
        if raw is None:
            dropped += 1
            continue
        text = normalize_text(raw, language)
        if redact_pii:
            text, count = redact(text, language)
            redactions += count
        text = _clip(text, MAX_MESSAGE_CHARS)
        sender = (message.sender_name or "").strip() or "?"
        previous = lines[-1] if lines else None
        if (
            previous is not None
            and previous.sender == sender
            and message.ts_ms - previous.last_ts_ms <= MERGE_GAP_MS
            and len(previous.text) + len(text) + 3 <= MAX_LINE_CHARS
        ):
            lines[-1] = Line(
                message_ids=(*previous.message_ids, message.id),
                sender=sender,
                ts_ms=previous.ts_ms,
                last_ts_ms=message.ts_ms,
                text=f"{previous.text} / {text}",
                reply_to_id=previous.reply_to_id,
            )
            continue
        lines.append(
            Line((message.id,), sender, message.ts_ms, message.ts_ms, text, message.reply_to_id)
        )
    return PreparedChat(tuple(lines), seen, dropped, redactions)
