"""chatlog's WeChat exports: the CSV and the JSON message list.

The CSV (`Time, SenderName, Sender, TalkerName, Talker, Content`) is already
rendered for reading: media appear as `[图片]` or Markdown-like
`![图片](url)`, `[文件|name](url)`, `[链接|title](url)`, so the body is
classified from its text. The JSON (`seq, time, talker, talkerName,
isChatRoom, sender, senderName, isSelf, type, subType, content[, contents]`)
keeps WeChat's type codes and an RFC 3339 time with its offset, so it is read
by codes and is the more exact of the two. Both group rows by `Talker`, the
chat id, which is also what the other WeChat exporters use: the same chat
exported by two tools lands in one conversation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
)
from chatsum.core.importers.chat_text import Body, classify_body
from chatsum.core.importers.json_records import iter_records
from chatsum.core.importers.loose_time import stamp_text
from chatsum.core.importers.tabular import CsvTable, normalize_header, sniff_header
from chatsum.core.importers.wechat import (
    PLATFORM,
    AppFields,
    body_for_type,
    conversation_kind,
    external_chat_id,
    unknown_type_body,
)

_CSV_COLUMNS = ("Time", "SenderName", "Sender", "TalkerName", "Talker", "Content")
_JSON_KEYS = ("talker", "talkerName", "sender", "senderName", "isSelf")


def _conversation(talker: str, talker_name: str, is_room: bool | None) -> ParsedConversation:
    kind = conversation_kind(talker)
    if is_room is not None:
        kind = ConversationKind.GROUP if is_room else ConversationKind.PRIVATE
    return ParsedConversation(
        key=talker,
        platform=PLATFORM,
        title=talker_name or talker,
        kind=kind,
        external_id=external_chat_id(talker),
    )


class ChatlogCsvImporter:
    format_id = "wechat-chatlog-csv"

    def sniff(self, sample: Sample) -> bool:
        found = sniff_header(sample.text)
        if found is None or found[1] != ",":
            return False
        return {normalize_header(name) for name in _CSV_COLUMNS} <= {
            normalize_header(n) for n in found[0]
        }

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        table = CsvTable(entry, report)
        columns = {name: table.column(name) for name in _CSV_COLUMNS}
        missing = [name for name, index in columns.items() if index is None]
        if missing:
            raise format_error(
                entry, "line 1", f"expected chatlog CSV columns; missing {', '.join(missing)}"
            )
        seen: set[str] = set()
        for row in table.rows():
            cells = {
                name: row.fields[i].strip() if i is not None else "" for name, i in columns.items()
            }
            where = f"line {row.line}"
            talker = cells["Talker"]
            if talker not in seen:
                seen.add(talker)
                yield _conversation(talker, cells["TalkerName"], None)
            stamp = stamp_text(cells["Time"], options)
            if stamp is None:
                report.warn(
                    "bad-time",
                    "rows without a readable time were skipped",
                    f"{where}: {cells['Time']!r}",
                )
                continue
            body = classify_body(cells["Content"])
            system = body.kind is MessageKind.SYSTEM
            yield ParsedMessage(
                conversation_key=talker,
                ts_ms=stamp.ts_ms,
                utc_offset_min=stamp.offset_min,
                offset_assumed=stamp.offset_assumed,
                kind=body.kind,
                text=body.text,
                sender_name=None if system else cells["SenderName"] or cells["Sender"] or None,
                sender_id=None if system else cells["Sender"] or None,
                media=body.media,
                location=where,
            )


def _app_fields(contents: Mapping[str, Any], content: str) -> AppFields:
    refer = contents.get("refer")
    refer = refer if isinstance(refer, Mapping) else {}
    return AppFields(
        title=str(contents.get("title") or content or "").strip(),
        url=str(contents.get("url") or "").strip(),
        description=str(contents.get("desc") or "").strip(),
        quote_name=str(refer.get("senderName") or refer.get("sender") or "").strip(),
        quote_text=str(refer.get("content") or "").strip(),
    )


class ChatlogJsonImporter:
    format_id = "wechat-chatlog-json"

    def sniff(self, sample: Sample) -> bool:
        head = sample.text.lstrip()
        if not head.startswith(("[", "{")):
            return False
        window = head[:4096]
        return all(re.search(rf'"{key}"\s*:', window) for key in _JSON_KEYS)

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        seen: set[str] = set()
        for record in iter_records(entry):
            where = f"record {record.number} (line {record.line})"
            value = record.value
            if not isinstance(value, dict) or "talker" not in value:
                raise format_error(
                    entry, where, "expected a chatlog message object with talker, time, content"
                )
            talker = str(value.get("talker") or "")
            if talker not in seen:
                seen.add(talker)
                room = value.get("isChatRoom")
                yield _conversation(
                    talker,
                    str(value.get("talkerName") or ""),
                    room if isinstance(room, bool) else None,
                )
            stamp = stamp_text(str(value.get("time") or ""), options)
            if stamp is None:
                report.warn(
                    "bad-time",
                    "records without a readable time were skipped",
                    f"{where}: {value.get('time')!r}",
                )
                continue
            body = self._body(value, where, report)
            system = body.kind is MessageKind.SYSTEM
            sender = str(value.get("sender") or "").strip()
            is_self = value.get("isSelf")
            yield ParsedMessage(
                conversation_key=talker,
                ts_ms=stamp.ts_ms,
                utc_offset_min=stamp.offset_min,
                offset_assumed=stamp.offset_assumed,
                kind=body.kind,
                text=body.text,
                sender_name=None
                if system
                else str(value.get("senderName") or "").strip() or sender or None,
                sender_id=None if system else sender or None,
                media=body.media,
                external_id=str(value["seq"]) if value.get("seq") not in (None, "") else None,
                is_self=None if system or not isinstance(is_self, bool) else is_self,
                location=where,
            )

    @staticmethod
    def _body(value: Mapping[str, Any], where: str, report: ParseReport) -> Body:
        content = str(value.get("content") or "")
        contents = value.get("contents")
        try:
            type_code, sub_type = int(value.get("type") or 1), int(value.get("subType") or 0)
        except (TypeError, ValueError):
            report.warn(
                "bad-type",
                "records with a non-numeric type were read as text",
                f"{where}: {value.get('type')!r}",
            )
            return classify_body(content)
        if type_code == 1:
            return classify_body(content)
        app = _app_fields(contents, content) if isinstance(contents, Mapping) else None
        body = body_for_type(type_code, sub_type, content, app)
        if body is None:
            report.warn(
                "unknown-type",
                "messages of unknown WeChat types were kept",
                f"{where}: type {type_code}",
            )
            return unknown_type_body(type_code, content)
        return body


CHATLOG_CSV = ChatlogCsvImporter()
CHATLOG_JSON = ChatlogJsonImporter()
