"""Generic CSV and JSONL messages: any table with a sender, a text and a time.

The last resort for exports no other importer knows. Columns are found from
`options.column_map` (role -> column name) or guessed from common names in
English and Chinese (`sender/author/from/name/user`, `发送者`; `time/date/
timestamp/created_at`, `时间`; `text/content/message/body`, `内容`; optional
`conversation/chat/channel`, `id`). A file is only *sniffed* as generic when
its header (or its first JSON object) maps to at least a sender and a text,
so an arbitrary spreadsheet is not mistaken for a chat.

Times may be epoch seconds or milliseconds, ISO 8601, or common written dates;
the day/month order is decided once per file from its first rows. A table with
no time column keeps its row order through synthetic times (reported once).
Rows without a sender are system lines; rows with unreadable times or nothing
in them are skipped and counted.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    format_error,
    read_sample,
)
from chatsum.core.importers.chat_text import classify_body, title_from_file
from chatsum.core.importers.json_records import iter_records
from chatsum.core.importers.loose_time import Stamp, SyntheticClock, decide_day_first, stamp_text
from chatsum.core.importers.tabular import CsvTable, normalize_header, sniff_header

PLATFORM = "generic"
_DAY_ORDER_SCAN = 5000

ROLE_GUESSES: dict[str, tuple[str, ...]] = {
    "sender": (
        "sender",
        "sendername",
        "author",
        "authorname",
        "from",
        "fromname",
        "speaker",
        "nickname",
        "nick",
        "username",
        "user",
        "name",
        "who",
        "发送者",
        "发送人",
        "发言人",
        "说话人",
        "昵称",
        "用户名",
        "用户",
        "成员",
    ),
    "time": (
        "time",
        "timestamp",
        "datetime",
        "createdat",
        "createtime",
        "sentat",
        "senttime",
        "ts",
        "时间",
        "发送时间",
        "消息时间",
    ),
    "date": ("date", "日期"),  # a separate date column, or the only one
    "text": (
        "text",
        "content",
        "message",
        "body",
        "msg",
        "messagetext",
        "内容",
        "消息内容",
        "消息",
        "文本",
        "正文",
    ),
    "conversation": (
        "conversation",
        "chat",
        "chatname",
        "channel",
        "room",
        "group",
        "thread",
        "会话",
        "群聊",
        "群",
        "频道",
    ),
    "id": ("id", "messageid", "msgid", "消息id"),
}
REQUIRED_ROLES = ("sender", "text")


def guess_columns(
    names: Iterable[str], column_map: Mapping[str, str] | None = None
) -> dict[str, str]:
    """role -> column name, from the user's map first, then the common names."""
    available = {normalize_header(name): name for name in names}
    chosen: dict[str, str] = {}
    for role, column in (column_map or {}).items():
        if normalize_header(column) in available:
            chosen[role] = available[normalize_header(column)]
    for role, guesses in ROLE_GUESSES.items():
        if role in chosen:
            continue
        taken = set(chosen.values())
        for guess in guesses:
            found = available.get(guess)
            if found is not None and found not in taken:
                chosen[role] = found
                break
    return chosen


def _check_map(
    entry: Entry, names: list[str], column_map: Mapping[str, str] | None, where: str
) -> dict[str, str]:
    columns = guess_columns(names, column_map)
    present = {normalize_header(name) for name in names}
    absent = [
        f"{column!r} (for {role})"
        for role, column in (column_map or {}).items()
        if normalize_header(column) not in present
    ]
    if absent:
        raise format_error(
            entry, where, f"the column map names {', '.join(absent)}, not among {names}"
        )
    missing = [role for role in REQUIRED_ROLES if role not in columns]
    if missing:
        raise format_error(
            entry,
            where,
            f"cannot tell which column holds the {' and the '.join(missing)} among {names}; "
            "give a column map (sender, time, text)",
        )
    return columns


_HAS_DATE = re.compile(r"\d[-/.年]\d|^\d{9,}")


@dataclass(frozen=True)
class _Row:
    where: str
    values: Mapping[str, Any]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Mapping):
        for key in ("name", "nickname", "username", "displayName", "text", "id"):
            if value.get(key) not in (None, ""):
                return str(value[key]).strip()
        return ""
    if isinstance(value, list):
        return " ".join(_text(item) for item in value).strip()
    return str(value).strip()


def _when(values: Mapping[str, Any], columns: Mapping[str, str]) -> str:
    """The written time of a row: one column, or a date column plus a clock column."""
    day = _text(values.get(columns["date"])) if "date" in columns else ""
    clock = _text(values.get(columns["time"])) if "time" in columns else ""
    if day and clock and not _HAS_DATE.search(clock):
        return f"{day} {clock}"
    return clock or day


def _sender_id(value: Any) -> str | None:
    if isinstance(value, Mapping) and value.get("id") not in (None, ""):
        return str(value["id"])
    return None


RowSource = Callable[[ParseReport], Iterator[_Row]]


def _messages(
    entry: Entry,
    columns: dict[str, str],
    rows: RowSource,
    options: ParseOptions,
    report: ParseReport,
) -> Iterator[ParsedItem]:
    """Messages from mapped rows. With a time column the first rows are read
    twice: once (warnings discarded) to decide the day/month order."""
    timed = "time" in columns or "date" in columns
    day_first = True
    if timed:
        scan = itertools.islice(rows(ParseReport(report.file)), _DAY_ORDER_SCAN)
        day_first = decide_day_first((_when(row.values, columns) for row in scan), options, report)
    else:
        report.warn(
            "times-missing",
            "times were missing; messages got synthetic times one second apart from 2000-01-01 "
            "so their order was kept",
            f"columns: {', '.join(columns.values())}",
        )
    clock = SyntheticClock(options)
    default_key = title_from_file(entry.name)
    seen: set[str] = set()
    for row in rows(report):
        raw_sender = row.values.get(columns["sender"])
        sender = _text(raw_sender)
        body = classify_body(_text(row.values.get(columns["text"])))
        if not sender and not body.text and body.media is None:
            report.warn("empty-row", "rows with neither sender nor text were skipped", row.where)
            continue
        stamp: Stamp | None
        if not timed:
            stamp = clock.next()
        else:
            written = _when(row.values, columns)
            stamp = stamp_text(written, options, day_first)
            if stamp is None:
                report.warn(
                    "bad-time",
                    "rows without a readable time were skipped",
                    f"{row.where}: {written!r}",
                )
                continue
        key = _text(row.values.get(columns["conversation"])) if "conversation" in columns else ""
        key = key or default_key
        if key not in seen:
            seen.add(key)
            yield ParsedConversation(
                key=key, platform=PLATFORM, title=key, kind=ConversationKind.UNKNOWN
            )
        system = body.kind is MessageKind.SYSTEM or not sender
        external = _text(row.values.get(columns["id"])) if "id" in columns else ""
        yield ParsedMessage(
            conversation_key=key,
            ts_ms=stamp.ts_ms,
            utc_offset_min=stamp.offset_min,
            offset_assumed=stamp.offset_assumed,
            kind=MessageKind.SYSTEM if system else body.kind,
            text=body.text,
            sender_name=None if system else sender,
            sender_id=None if system else _sender_id(raw_sender),
            media=body.media,
            external_id=external or None,
            location=row.where,
        )


class GenericCsvImporter:
    format_id = "generic-csv"

    def sniff(self, sample: Sample) -> bool:
        if sample.text.lstrip().startswith(("{", "[")):
            return False
        found = sniff_header(sample.text)
        if found is None:
            return False
        columns = guess_columns(found[0])
        return all(role in columns for role in REQUIRED_ROLES)

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        found = sniff_header(read_sample(entry).text)
        if found is None:
            raise format_error(
                entry, "line 1", "expected a CSV header row naming sender, time and text columns"
            )
        delimiter = found[1]
        header = CsvTable(entry, report, delimiter).header
        columns = _check_map(entry, header, options.column_map, "line 1")
        indexes = {column: header.index(column) for column in columns.values()}

        def rows(row_report: ParseReport) -> Iterator[_Row]:
            for row in CsvTable(entry, row_report, delimiter).rows():
                yield _Row(
                    f"line {row.line}", {column: row.fields[i] for column, i in indexes.items()}
                )

        yield from _messages(entry, columns, rows, options, report)


def _first_object(text: str) -> Mapping[str, Any] | None:
    body = text.lstrip().lstrip("[").lstrip()
    try:
        value, _ = json.JSONDecoder().raw_decode(body)
    except ValueError:
        return None
    return value if isinstance(value, Mapping) else None


class GenericJsonlImporter:
    """JSON Lines (or a JSON array) of flat message objects."""

    format_id = "generic-jsonl"

    def sniff(self, sample: Sample) -> bool:
        first = _first_object(sample.text)
        if first is None:
            return False
        columns = guess_columns(first.keys())
        return all(role in columns for role in REQUIRED_ROLES)

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        first = next(iter_records(entry), None)
        if first is None or not isinstance(first.value, Mapping):
            raise format_error(
                entry, "record 1", "expected a JSON object per line with sender, time and text"
            )
        columns = _check_map(entry, list(first.value.keys()), options.column_map, "record 1")

        def rows(row_report: ParseReport) -> Iterator[_Row]:
            for record in iter_records(entry):
                where = f"record {record.number} (line {record.line})"
                if isinstance(record.value, Mapping):
                    yield _Row(where, record.value)
                else:
                    row_report.warn(
                        "not-an-object", "records that are not JSON objects were skipped", where
                    )

        yield from _messages(entry, columns, rows, options, report)


GENERIC_CSV = GenericCsvImporter()
GENERIC_JSONL = GenericJsonlImporter()
