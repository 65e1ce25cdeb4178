"""QQ message-manager TXT export (and the vocabulary the MHT export shares).

The file opens with `消息记录（此消息记录为文本格式，不支持重新导入）`; each
conversation is a block introduced by `====` rules around `消息分组:` (the
contact group, which tells friends from groups) and `消息对象:` (the chat's
name). One file often holds many conversations. A message is a header line
`YYYY-MM-DD H:MM:SS Nick(QQ号)` — or `Nick<email>`, a bare nick in
discussion groups, an optional `【管理员】`-style title, and in some versions
a 12-hour clock with 上午/下午 or AM/PM — then body lines until the next
header. The QQ number (or email) is the sender's identity; the nick is only a
display name that changes over time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
    iter_lines,
)
from chatsum.core.importers.chat_text import classify_body, title_from_file
from chatsum.core.importers.loose_time import MERIDIEM, hour_24, stamp_local

PLATFORM = "qq"
TXT_BANNER = "消息记录（此消息记录为文本格式"
_SYSTEM_IDS = {"10000", "1000000"}
_SYSTEM_NICKS = {"系统消息", "系统提示"}

_HEADER = re.compile(
    r"^(?P<date>\d{4}[-/]\d{1,2}[-/]\d{1,2})\s+"
    rf"(?:(?P<mer1>{MERIDIEM})\s*)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}}):(?P<s>\d{{2}})(?:\s*(?P<mer2>{MERIDIEM}))?"
    r"\s+(?P<who>\S.*?)\s*$"
)
_TITLE = re.compile(r"^【[^】]*】\s*")
_WITH_NUMBER = re.compile(r"^(?P<nick>.*?)\s*\((?P<id>\d{5,12})\)$")
_WITH_EMAIL = re.compile(r"^(?P<nick>.*?)\s*<(?P<id>[^<>\s]+@[^<>\s]+)>$")
_RULE = re.compile(r"^={8,}\s*$")
_BLOCK_FIELD = re.compile(r"^(?P<field>消息分组|消息对象)[:：]\s*(?P<value>.*?)\s*$")


@dataclass(frozen=True)
class Header:
    moment: datetime
    nick: str
    identity: str | None


def parse_header(line: str) -> Header | None:
    """A message header line, or None."""
    if not line[:1].isdigit():
        return None
    match = _HEADER.match(line)
    if match is None:
        return None
    try:
        year, month, day = (int(part) for part in re.split(r"[-/]", match.group("date")))
        hour = hour_24(int(match.group("h")), match.group("mer1") or match.group("mer2"))
        moment = datetime(year, month, day, hour, int(match.group("m")), int(match.group("s")))
    except ValueError:
        return None
    nick, identity = split_sender(match.group("who"))
    return Header(moment, nick, identity)


def split_sender(who: str) -> tuple[str, str | None]:
    """(nick, QQ number or email) from `【管理员】Nick(12345)`, `Nick<a@b>` or a bare nick."""
    text = _TITLE.sub("", who.strip())
    for pattern in (_WITH_NUMBER, _WITH_EMAIL):
        match = pattern.match(text)
        if match is not None:
            return match.group("nick").strip() or match.group("id"), match.group("id")
    return text, None


def is_system_sender(nick: str, identity: str | None) -> bool:
    return identity in _SYSTEM_IDS or nick in _SYSTEM_NICKS


def conversation_kind(group_label: str) -> ConversationKind:
    """Friends or groups, from the `消息分组` label."""
    if "群" in group_label or "讨论组" in group_label:
        return ConversationKind.GROUP
    if any(
        word in group_label
        for word in ("好友", "联系人", "朋友", "陌生人", "黑名单", "家人", "同学", "同事")
    ):
        return ConversationKind.PRIVATE
    return ConversationKind.UNKNOWN


class ConversationKeys:
    """Unique keys for the blocks of one file (a name may repeat across blocks)."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def new(self, name: str) -> str:
        count = self._used.get(name, 0) + 1
        self._used[name] = count
        return name if count == 1 else f"{name}#{count}"


def message(
    key: str,
    moment: datetime,
    nick: str,
    identity: str | None,
    body_text: str,
    options: ParseOptions,
    location: str,
) -> ParsedMessage:
    """A QQ message; system senders and recall notices become unattributed system lines."""
    body = classify_body(body_text)
    system = body.kind is MessageKind.SYSTEM or is_system_sender(nick, identity)
    stamp = stamp_local(moment, options)
    return ParsedMessage(
        conversation_key=key,
        ts_ms=stamp.ts_ms,
        utc_offset_min=stamp.offset_min,
        offset_assumed=stamp.offset_assumed,
        kind=MessageKind.SYSTEM if system else body.kind,
        text=body.text,
        sender_name=None if system else nick,
        sender_id=None if system else identity,
        media=body.media,
        location=location,
    )


@dataclass
class _Pending:
    number: int
    header: Header
    lines: list[str] = field(default_factory=list)


class QqTxtImporter:
    format_id = "qq-txt"

    def sniff(self, sample: Sample) -> bool:
        text = sample.text
        if TXT_BANNER in text[:2000]:
            return True
        if "消息对象:" in text and "消息分组:" in text and "================" in text:
            return True
        lines = [line for line in text.splitlines() if line.strip()][:40]
        headers = [parse_header(line) for line in lines]
        with_identity = [h for h in headers if h is not None and h.identity is not None]
        return len(with_identity) >= 2 and len(with_identity) * 3 >= len(lines)

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        keys = ConversationKeys()
        key: str | None = None
        group_label = ""
        after_rule = False
        pending: _Pending | None = None
        stray: int | None = None
        messages = 0
        for number, line in iter_lines(entry):
            if _RULE.match(line):
                # A rule opens a block header, unless a message body goes on after it.
                after_rule = True
                if pending is not None:
                    pending.lines.append(line)
                continue
            block_field = _BLOCK_FIELD.match(line) if after_rule else None
            if block_field is not None:
                if pending is not None and key is not None:
                    while pending.lines and (
                        not pending.lines[-1].strip() or _RULE.match(pending.lines[-1])
                    ):
                        pending.lines.pop()
                    yield self._finish(key, pending, options)
                    pending = None
                if block_field.group("field") == "消息分组":
                    group_label = block_field.group("value")
                    continue
                name = block_field.group("value") or title_from_file(entry.name)
                key = keys.new(name)
                yield ParsedConversation(
                    key=key, platform=PLATFORM, title=name, kind=conversation_kind(group_label)
                )
                continue
            if line.strip():
                after_rule = False
            header = parse_header(line)
            if header is not None:
                if key is None:
                    name = title_from_file(entry.name)
                    key = keys.new(name)
                    yield ParsedConversation(key=key, platform=PLATFORM, title=name)
                if pending is not None:
                    yield self._finish(key, pending, options)
                pending = _Pending(number, header)
                messages += 1
            elif pending is not None:
                pending.lines.append(line)
            elif line.strip() and not line.startswith(TXT_BANNER):
                stray = stray or number
                report.warn(
                    "outside-message",
                    "lines outside any message were skipped",
                    f"line {number}: {line}",
                )
        if pending is not None and key is not None:
            yield self._finish(key, pending, options)
        if messages == 0 and stray is not None:
            raise format_error(
                entry, f"line {stray}", "expected a `YYYY-MM-DD H:MM:SS Nick(QQ号)` message line"
            )

    @staticmethod
    def _finish(key: str, pending: _Pending, options: ParseOptions) -> ParsedMessage:
        header = pending.header
        return message(
            key,
            header.moment,
            header.nick,
            header.identity,
            "\n".join(pending.lines),
            options,
            f"line {pending.number}",
        )


QQ_TXT = QqTxtImporter()
