"""Hiding personal numbers and addresses from the model (setting `redact_pii`).

Applied to the text the model reads, never to the archive: the report still
quotes the stored messages, which are the user's own. Patterns run from the
most specific to the least (an 18-digit ID number contains digit runs a phone
pattern would also take), and each match becomes a bracketed label in the
summary's language so the model can still say "someone shared a phone number".
"""

from __future__ import annotations

import re

_LABELS = {
    "zh": {"id": "[身份证号]", "email": "[邮箱]", "phone": "[电话]"},
    "en": {"id": "[ID number]", "email": "[email]", "phone": "[phone]"},
}

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # Mainland resident ID: area(6) + birth date(8) + sequence(3) + check digit.
    (
        "id",
        re.compile(
            r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])\d{2}\d{3}[\dXx](?!\d)"
        ),
    ),
    ("email", re.compile(r"[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")),
    # Mainland mobiles (optional +86), landlines with area code, international numbers.
    (
        "phone",
        re.compile(
            r"(?<![\d+])(?:(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}"
            r"|0\d{2,3}-\d{7,8}"
            r"|\+\d{1,3}[ -]?\(?\d{1,4}\)?(?:[ -]?\d{2,4}){2,4})(?!\d)"
        ),
    ),
)


def redact(text: str, language: str) -> tuple[str, int]:
    """The text with personal data replaced, and how many replacements were made."""
    labels = _LABELS.get(language, _LABELS["en"])
    total = 0
    for kind, pattern in _PATTERNS:
        text, count = pattern.subn(labels[kind], text)
        total += count
    return text, total
