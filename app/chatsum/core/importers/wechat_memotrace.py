"""MemoTrace (WeChatMsg) exports: the CSV and the TXT.

The CSV is a dump of WeChat's MSG table (utf-8-sig): `localId, TalkerId,
Type, SubType, IsSender, CreateTime, Status, StrContent, StrTime` and, for
group chats only, the sender's `Remark, NickName, Sender`. `CreateTime` is
epoch seconds and `StrTime` the same moment in the exporting machine's local
time, so the UTC offset is *derived* from the pair rather than assumed. Private
chats carry no names at all; MemoTrace names the file after the contact, so
the file name titles the chat and names the other person.

The TXT is for reading: a `YYYY-mm-dd HH:MM:SS name` line, the body, a blank
line. Media are placeholders (`[图片]`), quotes a trailing `引用:name:text`.
It has no ids and no offsets.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
    local_to_utc_ms,
)
from chatsum.core.importers.chat_text import Body, classify_body, quote_line, title_from_file
from chatsum.core.importers.loose_time import Stamp, stamp_local
from chatsum.core.importers.tabular import CsvTable, normalize_header, sniff_header
from chatsum.core.importers.wechat import (
    PLATFORM,
    SELF_NAME,
    body_for_type,
    conversation_kind,
    external_chat_id,
    unknown_type_body,
)

_CSV_REQUIRED = ("TalkerId", "Type", "SubType", "IsSender", "CreateTime", "StrContent")
_CSV_OPTIONAL = ("StrTime", "Remark", "NickName", "Sender")
_MAX_OFFSET_MIN = 14 * 60


def _derived_stamp(create_time: str, str_time: str, options: ParseOptions) -> Stamp | None:
    """UTC from the epoch column, the offset from its local rendering when present."""
    local: datetime | None
    try:
        local = datetime.fromisoformat(str_time.strip()).replace(tzinfo=None)
    except ValueError:
        local = None
    try:
        epoch_ms = int(float(create_time)) * 1000
    except ValueError:
        return stamp_local(local, options) if local is not None else None
    if local is None:
        return Stamp(epoch_ms, options.default_utc_offset_min, True)
    offset = round((local_to_utc_ms(local, 0) - epoch_ms) / 60000 / 15) * 15
    if abs(offset) > _MAX_OFFSET_MIN:
        return Stamp(epoch_ms, options.default_utc_offset_min, True)
    return Stamp(epoch_ms, offset, False)


class MemoTraceCsvImporter:
    format_id = "wechat-memotrace-csv"

    def sniff(self, sample: Sample) -> bool:
        found = sniff_header(sample.text)
        if found is None or found[1] != ",":
            return False
        names = {normalize_header(name) for name in found[0]}
        return {normalize_header(name) for name in _CSV_REQUIRED} <= names and "localid" in names

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        table = CsvTable(entry, report)
        columns = {name: table.column(name) for name in (*_CSV_REQUIRED, *_CSV_OPTIONAL)}
        missing = [name for name in _CSV_REQUIRED if columns[name] is None]
        if missing:
            raise format_error(
                entry, "line 1", f"expected MemoTrace CSV columns; missing {', '.join(missing)}"
            )
        titles: dict[str, str] = {}
        for row in table.rows():
            cells = {
                name: row.fields[i].strip() if i is not None else "" for name, i in columns.items()
            }
            talker = cells["TalkerId"]
            where = f"line {row.line}"
            if talker not in titles:
                titles[talker] = title_from_file(entry.name) if not titles else talker
                group = conversation_kind(talker) is ConversationKind.GROUP or bool(cells["Sender"])
                yield ParsedConversation(
                    key=talker,
                    platform=PLATFORM,
                    title=titles[talker],
                    kind=ConversationKind.GROUP if group else ConversationKind.PRIVATE,
                    external_id=external_chat_id(talker),
                )
            stamp = _derived_stamp(cells["CreateTime"], cells["StrTime"], options)
            if stamp is None:
                report.warn(
                    "bad-time",
                    "rows without a readable time were skipped",
                    f"{where}: {cells['CreateTime']!r}",
                )
                continue
            try:
                type_code, sub_type = int(cells["Type"]), int(cells["SubType"] or 0)
            except ValueError:
                report.warn(
                    "bad-type",
                    "rows with a non-numeric Type were skipped",
                    f"{where}: {cells['Type']!r}",
                )
                continue
            body = body_for_type(type_code, sub_type, cells["StrContent"])
            if body is None:
                report.warn(
                    "unknown-type",
                    "messages of unknown WeChat types were kept as placeholders",
                    f"{where}: type {type_code}",
                )
                body = unknown_type_body(type_code, cells["StrContent"])
            name, sender_id, is_self = _csv_sender(cells, titles[talker], body)
            yield ParsedMessage(
                conversation_key=talker,
                ts_ms=stamp.ts_ms,
                utc_offset_min=stamp.offset_min,
                offset_assumed=stamp.offset_assumed,
                kind=body.kind,
                text=body.text,
                sender_name=name,
                sender_id=sender_id,
                media=body.media,
                is_self=is_self,
                location=where,
            )


def _csv_sender(
    cells: dict[str, str], title: str, body: Body
) -> tuple[str | None, str | None, bool | None]:
    """(name, id, is_self): group rows name their sender; private rows do not."""
    if body.kind is MessageKind.SYSTEM:
        return None, None, None
    is_self = cells["IsSender"] == "1"
    if cells["Sender"] or cells["NickName"] or cells["Remark"]:
        sender_id = cells["Sender"] or None
        return cells["Remark"] or cells["NickName"] or sender_id, sender_id, is_self
    if is_self:
        return SELF_NAME, None, True
    return title, external_chat_id(cells["TalkerId"]), False


_TXT_HEADER = re.compile(r"^(?P<time>\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?: (?P<name>.*))?$")
_QQ_STYLE_NAME = re.compile(r"(?:\(\d{5,}\)|<[^<>\s]+@[^<>\s]+>)$")
_SPOKEN = re.compile(r"[:：]\s*\S")
_QUOTE = re.compile(r"^引用[:：](?P<name>[^:：]*)[:：](?P<text>.*)$")
_SYSTEM_NAMES = {"系统消息", "系统通知", "系统"}


def _txt_header(line: str) -> tuple[datetime | None, str] | None:
    """(time, name) of a message header; time is None when the date is impossible."""
    match = _TXT_HEADER.match(line)
    if match is None:
        return None
    try:
        moment: datetime | None = datetime.fromisoformat(match.group("time"))
    except ValueError:
        moment = None
    return moment, (match.group("name") or "").strip()


class MemoTraceTxtImporter:
    format_id = "wechat-memotrace-txt"

    def sniff(self, sample: Sample) -> bool:
        lines = [line for line in sample.text.splitlines() if line.strip()][:60]
        headers = 0
        followed_by_body = 0
        for index, line in enumerate(lines):
            header = _txt_header(line)
            if header is None:
                continue
            name = header[1]
            if _QQ_STYLE_NAME.search(name) or _SPOKEN.search(name):
                return False
            headers += 1
            if index + 1 < len(lines) and _txt_header(lines[index + 1]) is None:
                followed_by_body += 1
        enough = headers >= 2 or (headers == 1 and len(lines) <= 3)
        return enough and followed_by_body >= int(headers * 0.8)

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        key = title_from_file(entry.name)
        yield ParsedConversation(key=key, platform=PLATFORM, title=key)
        current: tuple[int, datetime, str] | None = None
        body: list[str] = []
        first_stray: int | None = None
        messages = 0
        for number, line in iter_lines(entry):
            header = _txt_header(line)
            if header is not None:
                if current is not None:
                    yield _txt_message(key, current, body, options)
                moment, name = header
                current, body = (None, []) if moment is None else ((number, moment, name), [])
                messages += current is not None
                if moment is None:
                    report.warn(
                        "bad-time",
                        "messages with impossible dates were skipped",
                        f"line {number}: {line}",
                    )
            elif current is not None:
                body.append(line)
            elif line.strip():
                first_stray = first_stray or number
                report.warn(
                    "outside-message",
                    "lines outside any message were skipped",
                    f"line {number}: {line}",
                )
        if current is not None:
            yield _txt_message(key, current, body, options)
        if messages == 0:
            raise format_error(
                entry,
                f"line {first_stray or 1}",
                "expected a `YYYY-mm-dd HH:MM:SS name` line starting a message",
            )


def _txt_message(
    key: str, header: tuple[int, datetime, str], lines: list[str], options: ParseOptions
) -> ParsedMessage:
    number, moment, name = header
    said: list[str] = []
    quotes: list[str] = []
    for line in lines:
        quote = _QUOTE.match(line.strip())
        if quote is not None:
            quotes.append(quote_line(quote.group("name"), quote.group("text")))
        else:
            said.append(line)
    body = classify_body("\n".join(said))
    system = body.kind is MessageKind.SYSTEM or name in _SYSTEM_NAMES or not name
    text = "\n".join(part for part in (body.text, *quotes) if part)
    stamp = stamp_local(moment, options)
    return ParsedMessage(
        conversation_key=key,
        ts_ms=stamp.ts_ms,
        utc_offset_min=stamp.offset_min,
        offset_assumed=stamp.offset_assumed,
        kind=MessageKind.SYSTEM if system else body.kind,
        text=text,
        sender_name=None if system else name,
        media=body.media,
        location=f"line {number}",
    )


MEMOTRACE_CSV = MemoTraceCsvImporter()
MEMOTRACE_TXT = MemoTraceTxtImporter()
