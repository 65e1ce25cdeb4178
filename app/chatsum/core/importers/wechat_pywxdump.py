"""PyWxDump-style WeChat CSV, in both of its dialects.

Columns `id, MsgSvrID, type_name, is_sender, talker, room_name, …, CreateTime`:
`room_name` is the chat, `talker` the sender's wxid, `type_name` a Chinese
label ("文本", "图片", "动画表情", "引用回复" …) instead of numeric codes, and
`CreateTime` local wall-clock text. The older dialect packs the body into one
`content` column holding `{"src": …, "msg": …}` (JSON, or a Python dict repr
from some versions); the newer one has separate `msg` and `src` columns. Both
go through one reader that first finds the body. `MsgSvrID` is WeChat's
server id, stable across exports, so it becomes the message's external id.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator

from chatsum.core.domain import MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
)
from chatsum.core.importers.chat_text import Body, classify_body
from chatsum.core.importers.loose_time import stamp_text
from chatsum.core.importers.tabular import CsvTable, normalize_header, sniff_header
from chatsum.core.importers.wechat import PLATFORM, conversation_kind, external_chat_id

_REQUIRED = ("MsgSvrID", "type_name", "is_sender", "talker", "room_name", "CreateTime")

# type_name fragments, checked in order: the first that occurs decides.
_TYPE_LABELS: tuple[tuple[tuple[str, ...], MessageKind, str | None], ...] = (
    (("撤回", "系统", "拍一拍"), MessageKind.SYSTEM, None),
    (("表情",), MessageKind.STICKER, "[表情包]"),
    (("图片",), MessageKind.MEDIA, "[图片]"),
    (("语音",), MessageKind.MEDIA, "[语音]"),
    (("视频",), MessageKind.MEDIA, "[视频]"),
    (("文件",), MessageKind.FILE, "[文件]"),
    (("链接", "卡片", "分享", "音乐", "小程序"), MessageKind.LINK, None),
    (("文本", "引用", "回复"), MessageKind.TEXT, None),
)


def split_content(content: str) -> tuple[str, str]:
    """(msg, src) from the older dialect's packed `content` column."""
    text = content.strip()
    if not text.startswith("{"):
        return content, ""
    try:
        value = json.loads(text)
    except ValueError:
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return content, ""
    if not isinstance(value, dict) or "msg" not in value:
        return content, ""
    return str(value.get("msg") or ""), str(value.get("src") or "")


def body_for_label(type_name: str, msg: str, src: str) -> Body | None:
    """Body for a PyWxDump type label; None when the label is unknown."""
    for fragments, kind, placeholder in _TYPE_LABELS:
        if not any(fragment in type_name for fragment in fragments):
            continue
        if kind is MessageKind.SYSTEM:
            return Body(kind, msg.strip())
        if kind in {MessageKind.MEDIA, MessageKind.STICKER}:
            return Body(kind, "", placeholder)
        if kind is MessageKind.FILE:
            return Body(kind, msg.strip() if msg.strip() != type_name else "", placeholder)
        if kind is MessageKind.LINK:
            url = src.strip() if src.strip().startswith("http") else ""
            return Body(kind, " ".join(part for part in (msg.strip(), url) if part))
        return classify_body(msg)
    return None


class PyWxDumpCsvImporter:
    format_id = "wechat-pywxdump-csv"

    def sniff(self, sample: Sample) -> bool:
        found = sniff_header(sample.text)
        if found is None or found[1] != ",":
            return False
        names = {normalize_header(name) for name in found[0]}
        return {normalize_header(name) for name in _REQUIRED} <= names and bool(
            names & {"content", "msg"}
        )

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        table = CsvTable(entry, report)
        columns = {name: table.column(name) for name in (*_REQUIRED, "content", "msg", "src")}
        missing = [name for name in _REQUIRED if columns[name] is None]
        if missing or (columns["content"] is None and columns["msg"] is None):
            raise format_error(
                entry,
                "line 1",
                "expected PyWxDump CSV columns (id, MsgSvrID, type_name, is_sender, talker, "
                f"room_name, content or msg/src, CreateTime); missing {', '.join(missing) or 'content'}",
            )
        seen: set[str] = set()
        for row in table.rows():
            cells = {name: row.fields[i] if i is not None else "" for name, i in columns.items()}
            where = f"line {row.line}"
            chat = cells["room_name"].strip()
            if chat not in seen:
                seen.add(chat)
                yield ParsedConversation(
                    key=chat,
                    platform=PLATFORM,
                    title=chat,
                    kind=conversation_kind(chat),
                    external_id=external_chat_id(chat),
                )
            stamp = stamp_text(cells["CreateTime"], options)
            if stamp is None:
                report.warn(
                    "bad-time",
                    "rows without a readable time were skipped",
                    f"{where}: {cells['CreateTime']!r}",
                )
                continue
            if columns["msg"] is not None:
                msg, src = cells["msg"], cells["src"]
            else:
                msg, src = split_content(cells["content"])
            type_name = cells["type_name"].strip()
            body = body_for_label(type_name, msg, src)
            if body is None:
                report.warn(
                    "unknown-type",
                    "messages of unknown types were kept as text",
                    f"{where}: {type_name!r}",
                )
                body = classify_body(msg)
            system = body.kind is MessageKind.SYSTEM
            talker = cells["talker"].strip()
            server_id = cells["MsgSvrID"].strip()
            yield ParsedMessage(
                conversation_key=chat,
                ts_ms=stamp.ts_ms,
                utc_offset_min=stamp.offset_min,
                offset_assumed=stamp.offset_assumed,
                kind=body.kind,
                text=body.text,
                sender_name=None if system else talker or None,
                sender_id=None if system else talker or None,
                media=body.media,
                external_id=server_id if server_id.strip("0") else None,
                is_self=None if system else cells["is_sender"].strip() == "1",
                location=where,
            )


PYWXDUMP_CSV = PyWxDumpCsvImporter()
