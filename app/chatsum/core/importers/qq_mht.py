"""QQ message-manager MHT export (older QQ versions).

An MHT is a MIME `multipart/related` message: one HTML part holding the whole
chat as table rows, then one base64 part per image, referenced from the HTML
by `Content-Location`. The stdlib `email` package undoes the MIME layer and
the transfer encoding (quoted-printable or base64); the HTML is tokenised
with the stdlib `HTMLParser` only to collect each row's text lines: nothing is
rendered, scripts and styles are dropped, every `<img>` becomes an `[图片]`
placeholder. Rows are then read like the TXT export: `消息分组:`/`消息对象:`
rows open conversations, `日期: YYYY-MM-DD` rows set the day, and a message
row is the sender, an `H:MM:SS` time, then the body. MHT files are small, so
the file is read whole (the one importer that does).
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterator
from datetime import date, datetime, time
from email.message import Message
from html.parser import HTMLParser

from chatsum.core.domain import ParsedConversation
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    detect_encoding,
    format_error,
)
from chatsum.core.importers.chat_text import title_from_file
from chatsum.core.importers.loose_time import MERIDIEM, hour_24
from chatsum.core.importers.qq import (
    PLATFORM,
    ConversationKeys,
    conversation_kind,
    message,
    split_sender,
)

_MARKERS = ("Tencent", "QQ Message", "MsgMgr", "消息记录", "消息对象")
_IMAGE = "[图片]"
_BLOCK_TAGS = {"div", "p", "td", "tr", "br", "table", "li"}
_SKIPPED_TAGS = {"style", "script", "head", "title"}
_DATE_ROW = re.compile(r"^日期[:：]\s*(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})")
_BLOCK_FIELD = re.compile(r"^(?P<field>消息分组|消息对象)[:：]\s*(?P<value>.*?)\s*$")
_TIME = rf"(?:(?P<mer1>{MERIDIEM})\s*)?(?P<h>\d{{1,2}}):(?P<m>\d{{2}}):(?P<s>\d{{2}})(?:\s*(?P<mer2>{MERIDIEM}))?"
_TIME_LINE = re.compile(rf"^(?P<who>.*?)\s*{_TIME}$")
_CHARSET = re.compile(rb"charset=[\"']?(?P<name>[\w-]+)", re.IGNORECASE)


class _RowCollector(HTMLParser):
    """Each `<tr>` as its list of non-empty text lines; `<img>` as a placeholder."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._lines: list[str] = []
        self._current = ""
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        elif tag == "tr":
            self._end_row()
        elif tag == "img":
            self._current += _IMAGE
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "tr":
            self._end_row()
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self._current += data

    def _break(self) -> None:
        line = " ".join(self._current.replace("\xa0", " ").split())
        if line:
            self._lines.append(line)
        self._current = ""

    def _end_row(self) -> None:
        self._break()
        if self._lines:
            self.rows.append(self._lines)
        self._lines = []

    def close(self) -> None:
        super().close()
        self._end_row()


def _html_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset()
    if charset is None:
        declared = _CHARSET.search(raw[:4096])
        charset = (
            declared.group("name").decode("ascii") if declared else detect_encoding(raw[:65536])
        )
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:
        return raw.decode(detect_encoding(raw[:65536]), errors="replace")


def _find_html(document: Message) -> Message | None:
    for part in document.walk():
        if part.get_content_type() == "text/html":
            return part
    return None


def _sniff_html(text: str) -> bool:
    """Decode the sample's HTML part (often quoted-printable) and look for QQ's banner."""
    document = email.message_from_string(text, policy=email.policy.compat32)
    part = _find_html(document)
    return part is not None and any(
        marker in _html_text(part) for marker in ("消息记录", "消息对象")
    )


class QqMhtImporter:
    format_id = "qq-mht"

    def sniff(self, sample: Sample) -> bool:
        head = sample.text.lstrip()[:4096]
        if "multipart/related" not in head.lower() or "mime-version" not in head.lower():
            return False
        if any(marker in sample.text[:8192] for marker in _MARKERS):
            return True
        return _sniff_html(sample.text)

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        with entry.open() as stream:
            document = email.message_from_bytes(stream.read(), policy=email.policy.compat32)
        part = _find_html(document)
        if part is None:
            raise format_error(
                entry,
                "MIME part 1",
                "expected an HTML part holding the QQ chat (is this a QQ .mht export?)",
            )
        html_text = _html_text(part)
        if "</html>" not in html_text.lower():
            raise format_error(
                entry, "HTML part", "the HTML ends before </html>; the file looks truncated"
            )
        collector = _RowCollector()
        collector.feed(html_text)
        collector.close()
        yield from self._rows(entry, collector.rows, options, report)

    def _rows(
        self, entry: Entry, rows: list[list[str]], options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        keys = ConversationKeys()
        key: str | None = None
        group_label = ""
        day: date | None = None
        for number, lines in enumerate(rows, start=1):
            where = f"row {number}"
            first = lines[0]
            if first.startswith("消息记录"):
                continue
            block_field = _BLOCK_FIELD.match(first)
            if block_field is not None:
                if block_field.group("field") == "消息分组":
                    group_label = block_field.group("value")
                    continue
                name = block_field.group("value") or title_from_file(entry.name)
                key = keys.new(name)
                yield ParsedConversation(
                    key=key, platform=PLATFORM, title=name, kind=conversation_kind(group_label)
                )
                continue
            date_row = _DATE_ROW.match(first)
            if date_row is not None:
                try:
                    day = date(int(date_row["y"]), int(date_row["m"]), int(date_row["d"]))
                except ValueError:
                    report.warn(
                        "bad-date",
                        "date rows that are not real dates were ignored",
                        f"{where}: {first}",
                    )
                continue
            found = self._split_message_row(lines)
            if found is None:
                report.warn(
                    "unrecognised-row",
                    "rows that are not messages were skipped",
                    f"{where}: {' | '.join(lines)}",
                )
                continue
            who, clock, body = found
            if day is None:
                report.warn(
                    "no-date",
                    "messages before any 日期 row were skipped",
                    f"{where}: {' | '.join(lines)}",
                )
                continue
            if key is None:
                name = title_from_file(entry.name)
                key = keys.new(name)
                yield ParsedConversation(key=key, platform=PLATFORM, title=name)
            nick, identity = split_sender(who)
            moment = datetime.combine(day, clock)
            yield message(key, moment, nick, identity, "\n".join(body), options, where)

    @staticmethod
    def _split_message_row(lines: list[str]) -> tuple[str, time, list[str]] | None:
        """(sender, time, body lines) when a row holds `sender … H:MM:SS` then the body."""
        for index, line in enumerate(lines[:3]):
            match = _TIME_LINE.match(line)
            if match is None:
                continue
            who = " ".join([*lines[:index], match.group("who")]).strip()
            if not who:
                return None
            hour = hour_24(int(match.group("h")), match.group("mer1") or match.group("mer2"))
            try:
                clock = time(hour, int(match.group("m")), int(match.group("s")))
            except ValueError:
                return None
            return who, clock, lines[index + 1 :]
        return None


QQ_MHT = QqMhtImporter()
