"""What a message body *means*, for exports that only give text.

WeChat, QQ, LINE and plain transcripts write media as bracketed placeholders
("[图片]", "[Sticker]", "[スタンプ]") and recalls as ordinary-looking lines
("张三撤回了一条消息"). Every text-based importer asks the same questions of a
body, so the answers live here once: which placeholder means which
`MessageKind`, which bodies are recall notices (system lines that must never be
attributed to a person), how a quoted reply is written, and how markup that
slipped into a body is reduced to plain text (never rendered).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from chatsum.core.domain import MessageKind

# Bodies that stand for a whole non-text message, by language. Looked up after
# stripping whitespace; the placeholder itself becomes `media`.
PLACEHOLDER_KINDS: dict[str, MessageKind] = {
    # Chinese (WeChat exporters, QQ message manager)
    "[图片]": MessageKind.MEDIA,
    "[语音]": MessageKind.MEDIA,
    "[视频]": MessageKind.MEDIA,
    "[闪照]": MessageKind.MEDIA,
    "[语音消息]": MessageKind.MEDIA,
    "[位置]": MessageKind.MEDIA,
    "[名片]": MessageKind.MEDIA,
    "[表情包]": MessageKind.STICKER,
    "[表情]": MessageKind.STICKER,
    "[动画表情]": MessageKind.STICKER,
    "[文件]": MessageKind.FILE,
    # LINE, English / Japanese / Traditional Chinese
    "[Photo]": MessageKind.MEDIA,
    "[Video]": MessageKind.MEDIA,
    "[Voice message]": MessageKind.MEDIA,
    "[Albums]": MessageKind.MEDIA,
    "[Location]": MessageKind.MEDIA,
    "[Contact]": MessageKind.MEDIA,
    "[Sticker]": MessageKind.STICKER,
    "[File]": MessageKind.FILE,
    "[写真]": MessageKind.MEDIA,
    "[動画]": MessageKind.MEDIA,
    "[ボイスメッセージ]": MessageKind.MEDIA,
    "[アルバム]": MessageKind.MEDIA,
    "[位置情報]": MessageKind.MEDIA,
    "[連絡先]": MessageKind.MEDIA,
    "[スタンプ]": MessageKind.STICKER,
    "[ファイル]": MessageKind.FILE,
    "[照片]": MessageKind.MEDIA,
    "[影片]": MessageKind.MEDIA,
    "[語音訊息]": MessageKind.MEDIA,
    "[相簿]": MessageKind.MEDIA,
    "[貼圖]": MessageKind.STICKER,
    "[檔案]": MessageKind.FILE,
}

# Recall / unsend notices in the languages these exports come in.
_RECALL = re.compile(
    r"撤回了一条(?:消息|成员消息)|撤回了一條訊息|recalled a message|unsent a message"
    r"|メッセージの送信を取り消しました|送信を取り消しました|已撤回"
)

# chatlog renders media as Markdown-ish tokens: "![图片](url)", "[文件|a.pdf](url)".
_MARKDOWN_TOKEN = re.compile(
    r"^!?\[(?P<label>[^\]|]+)(?:\|(?P<title>[^\]]*))?\](?:\((?P<url>[^)]*)\))?$"
)

_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True)
class Body:
    """A classified message body: kind, the text to summarize, the placeholder."""

    kind: MessageKind
    text: str
    media: str | None = None


def is_recall_notice(text: str) -> bool:
    return _RECALL.search(text) is not None


def classify_body(raw: str) -> Body:
    """Kind, text and placeholder of a text-only message body."""
    text = raw.strip()
    if not text:
        return Body(MessageKind.TEXT, "")
    kind = PLACEHOLDER_KINDS.get(text)
    if kind is not None:
        return Body(kind, "", text)
    if is_recall_notice(text) and len(text) <= 80:
        return Body(MessageKind.SYSTEM, text)
    token = _MARKDOWN_TOKEN.match(text)
    if token is not None:
        return _classify_token(token, text)
    return Body(MessageKind.TEXT, text)


def _classify_token(token: re.Match[str], text: str) -> Body:
    label = token.group("label")
    title = (token.group("title") or "").strip()
    url = (token.group("url") or "").strip()
    placeholder = f"[{label}]"
    if label in {"链接", "Link", "分享"}:
        return Body(MessageKind.LINK, " ".join(part for part in (title, url) if part))
    kind = PLACEHOLDER_KINDS.get(placeholder)
    if kind is None:
        return Body(MessageKind.TEXT, text)
    return Body(kind, title, placeholder)


def quote_line(name: str, quoted: str) -> str:
    """How a quoted reply is appended to the reply's own text, everywhere."""
    who = name.strip()
    said = " ".join(quoted.split())
    return f"> {who}: {said}" if who else f"> {said}"


def strip_markup(fragment: str) -> str:
    """Plain text of an HTML/XML fragment: tags dropped, entities decoded."""
    return html.unescape(_TAG.sub("", fragment)).strip()


def title_from_file(name: str) -> str:
    """Exporters name the file after the contact or group; the stem titles the chat."""
    return PurePosixPath(name.replace("\\", "/")).stem
