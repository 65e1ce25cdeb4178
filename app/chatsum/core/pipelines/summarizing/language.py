"""Which language a summary is written in.

Counting script, not guessing words: a CJK character carries about as much as
an English word, so the chat is Chinese when Han characters are at least as
many as Latin words. That is robust for mixed chats (Chinese with English
product names) and needs no model.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from chatsum.core.errors import ConfigError

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def dominant_language(texts: Iterable[str]) -> str:
    """`zh` or `en` for a body of chat text (`en` when there is nothing to judge)."""
    han = latin = 0
    for text in texts:
        han += len(_HAN.findall(text))
        latin += len(_LATIN_WORD.findall(text))
    return "zh" if han and han >= latin else "en"


def resolve_language(requested: str, texts: Iterable[str]) -> str:
    if requested in ("zh", "en"):
        return requested
    if requested in ("", "auto"):
        return dominant_language(texts)
    raise ConfigError(f"Summary language {requested!r} is not supported; use auto, zh or en.")
