"""How an attachment or a bare link maps to a `MessageKind`, for every importer.

Exports describe attachments in many ways (a file name, a MIME type, a
placeholder line), but the question asked is always the same: is this a
picture or a sound (MEDIA), a sticker, some other file (FILE), or a message
that is nothing but links (LINK)? Answering it in one place keeps messages from
different platforms comparable in the archive and in summaries.
"""

from __future__ import annotations

import re

from chatsum.core.domain import MessageKind

_MEDIA_EXTENSIONS = frozenset(
    {
        # pictures
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "heic",
        "heif",
        "bmp",
        "tif",
        "tiff",
        # video
        "mp4",
        "mov",
        "avi",
        "mkv",
        "webm",
        "3gp",
        "m4v",
        # sound
        "opus",
        "ogg",
        "oga",
        "mp3",
        "m4a",
        "wav",
        "aac",
        "amr",
        "flac",
        "silk",
    }
)
_MEDIA_MIME_PREFIXES = ("image/", "video/", "audio/")
LINK_STARTS = ("http://", "https://", "www.")
_LINKS_ONLY = re.compile(r"(?:(?:https?://|www\.)\S+\s*)+")


def kind_for_file(name: str, mime: str | None = None) -> MessageKind:
    """MEDIA for pictures, video and sound (by MIME type, else by extension); FILE otherwise."""
    if mime and mime.startswith(_MEDIA_MIME_PREFIXES):
        return MessageKind.MEDIA
    _, dot, extension = name.rpartition(".")
    if dot and extension.lower() in _MEDIA_EXTENSIONS:
        return MessageKind.MEDIA
    return MessageKind.FILE


def is_link_only(text: str) -> bool:
    """True when the text is one or more URLs and nothing else."""
    stripped = text.strip()
    return stripped.startswith(LINK_STARTS) and _LINKS_ONLY.fullmatch(stripped) is not None


def text_kind(text: str) -> MessageKind:
    """LINK for a message made only of links, TEXT otherwise."""
    return MessageKind.LINK if is_link_only(text) else MessageKind.TEXT


def file_basename(path: str) -> str:
    """The last component of a path or URL (query strings dropped)."""
    return path.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
