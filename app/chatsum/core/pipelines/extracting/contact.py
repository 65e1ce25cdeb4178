"""Phone numbers and e-mail addresses: patterns, and finding them verbatim in text.

A contact value is only accepted when it is well formed and occurs in a cited
message character for character; we then keep the message's own spelling
("138 1234 5678" stays spaced), since values stay as written in the chat.
Phones are Chinese mobile numbers (1[3-9] and nine digits, optionally after
+86/86) or international numbers written with their country code (+ or 00,
8–15 digits in all, as E.164 allows); a bare local number is ambiguous and is
not accepted as a phone.
"""

from __future__ import annotations

import re

_CN_MOBILE = re.compile(r"1[3-9]\d{9}")
_PHONE_CHARS = re.compile(r"[+\d][\d\s\-().]*\d")
_SEPARATOR = r"[\s\-().]{0,2}"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


def phone_key(value: str) -> str | None:
    """The digits that identify a valid phone number, or None when it is not one.

    Chinese mobiles are keyed by their 11 national digits (so "+86 138…" and
    "138…" are one number); international numbers by "+", country code and number.
    """
    text = value.strip()
    if not _PHONE_CHARS.fullmatch(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith(("+", "00")):
        digits = digits[2:] if text.startswith("00") else digits
        if digits.startswith("86"):
            return digits[2:] if _CN_MOBILE.fullmatch(digits[2:]) else None
        international = 8 <= len(digits) <= 15 and not digits.startswith("0")
        return "+" + digits if international else None
    if _CN_MOBILE.fullmatch(digits):
        return digits
    if digits.startswith("86") and _CN_MOBILE.fullmatch(digits[2:]):
        return digits[2:]
    return None


def _phone_pattern(key: str) -> re.Pattern[str]:
    """Matches the number `key` however it is spaced, with any prefix it may carry."""
    spaced = _SEPARATOR.join(key.lstrip("+"))
    if key.startswith("+"):
        prefix = r"(?:\+|00)" + _SEPARATOR
    else:
        prefix = r"(?:(?:\+|00)?86" + _SEPARATOR + ")?"
    return re.compile(r"(?<![\d+])" + prefix + spaced + r"(?!\d)")


def is_valid_phone(value: str) -> bool:
    return phone_key(value) is not None


def is_valid_email(value: str) -> bool:
    return _EMAIL.fullmatch(value.strip()) is not None


def find_phone(value: str, text: str) -> str | None:
    """The spelling in `text` of the phone number `value`, if it is there."""
    key = phone_key(value)
    if key is None:
        return None
    match = _phone_pattern(key).search(text)
    return match.group(0) if match else None


def find_email(value: str, text: str) -> str | None:
    """The spelling in `text` of the e-mail `value` (case-insensitive), if it is there."""
    if not is_valid_email(value):
        return None
    wanted = value.strip().casefold()
    for match in _EMAIL.finditer(text):
        if match.group(0).casefold() == wanted:
            return match.group(0)
    return None


def find_contact(kind: str, value: str, text: str) -> str | None:
    return find_phone(value, text) if kind == "phone" else find_email(value, text)


def is_valid_contact(kind: str, value: str) -> bool:
    return is_valid_phone(value) if kind == "phone" else is_valid_email(value)
