"""DiscordChatExporter exports: JSON (streamed) and CSV.

The JSON export is `{guild, channel, dateRange, exportedAt, messages[],
messageCount}` with ISO timestamps that carry their offset, so times are
exact. It can be huge, so it is walked with `JsonStream`; the channel header
comes before the messages, which lets the conversation be announced first.

The CSV export (`AuthorID,Author,Date,Content,Attachments,Reactions`) has no
channel block and writes dates in the exporting machine's culture ("g"
format: `1/15/2023 10:30 AM`, `15.01.2023 10:30`, older versions
`15-Jan-23 10:30 AM`), so day/month order is voted over the file first. Its
channel comes from DiscordChatExporter's default file name, which ends in
`[channel id]`; JSON and CSV exports of one channel therefore share an id.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    ParsedItem,
    ParseOptions,
    ParseReport,
    Sample,
    aware_to_utc_ms,
    format_error,
    local_to_utc_ms,
    open_text,
    parse_iso,
)
from chatsum.core.importers.json_stream import JsonStream
from chatsum.core.importers.loose_time import decide_day_first, hour_24, stamp_text
from chatsum.core.importers.message_kinds import file_basename, kind_for_file, text_kind

PLATFORM = "discord"
_AUTHORED_TYPES = frozenset({"Default", "Reply", "ChatInputCommand", "ContextMenuCommand"})
_CHANNEL_KINDS = {
    "DirectTextChat": ConversationKind.PRIVATE,
    "DirectGroupTextChat": ConversationKind.GROUP,
    "GuildNewsChat": ConversationKind.CHANNEL,
    "GuildAnnouncement": ConversationKind.CHANNEL,
}
_CSV_HEADER = ["AuthorID", "Author", "Date", "Content", "Attachments", "Reactions"]
_FILE_CHANNEL_ID = re.compile(r"\s*\[(\d+)\]\s*$")
_MONTH_NAMES = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_NAMED_MONTH_DATE = re.compile(
    r"(\d{1,2})-([A-Za-z]{3})-(\d{2,4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp])[Mm])?\s*$"
)


def _channel_from_file_name(entry: Entry) -> tuple[str, str | None]:
    """(title, channel id) from "Guild - category - channel [1234].json"."""
    stem = PurePosixPath(entry.name).stem
    match = _FILE_CHANNEL_ID.search(stem)
    if match is None:
        return stem, None
    return stem[: match.start()].strip() or stem, match.group(1)


def _attachment_kind(names: list[str]) -> MessageKind:
    kinds = {kind_for_file(name) for name in names}
    return MessageKind.MEDIA if kinds == {MessageKind.MEDIA} else MessageKind.FILE


class DiscordJsonImporter:
    """DiscordChatExporter's JSON format, streamed."""

    format_id = "discord-json"

    def sniff(self, sample: Sample) -> bool:
        head = sample.text.lstrip()
        return (
            head.startswith("{")
            and '"guild"' in head
            and '"channel"' in head
            and ('"messages"' in head or '"exportedAt"' in head)
        )

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        with open_text(entry) as handle:
            stream = JsonStream(handle, entry.display)
            guild: dict[str, Any] = {}
            channel: dict[str, Any] = {}
            announced = False
            for key in stream.object_keys():
                if key in ("guild", "channel"):
                    value = stream.value()
                    if isinstance(value, dict):
                        (guild if key == "guild" else channel).update(value)
                elif key == "messages":
                    conversation = self._conversation(entry, guild, channel)
                    announced = True
                    yield conversation
                    for index, record in stream.array_values():
                        if not isinstance(record, dict):
                            raise format_error(
                                entry,
                                f"messages[{index}] ({stream.location()})",
                                "expected a message object",
                            )
                        yield self._message(record, conversation.key, index, entry, stream)
                else:
                    stream.skip()
        if not announced:
            raise format_error(
                entry, None, "has no 'messages' list; is this a DiscordChatExporter JSON export?"
            )

    @staticmethod
    def _conversation(
        entry: Entry, guild: dict[str, Any], channel: dict[str, Any]
    ) -> ParsedConversation:
        file_title, file_id = _channel_from_file_name(entry)
        channel_id = channel.get("id") or file_id
        name = channel.get("name")
        guild_name = guild.get("name")
        if name and guild_name and guild_name != "Direct Messages":
            title = f"{guild_name} / #{name}"
        else:
            title = name or file_title
        return ParsedConversation(
            key=f"{PLATFORM}:{channel_id or entry.name}",
            platform=PLATFORM,
            title=str(title),
            kind=_CHANNEL_KINDS.get(str(channel.get("type")), ConversationKind.GROUP),
            external_id=None if channel_id is None else str(channel_id),
        )

    @staticmethod
    def _message(
        record: dict[str, Any], key: str, index: int, entry: Entry, stream: JsonStream
    ) -> ParsedMessage:
        where = f"messages[{index}]"
        try:
            ts, offset = aware_to_utc_ms(parse_iso(str(record["timestamp"])))
            edited_raw = record.get("timestampEdited")
            edited = aware_to_utc_ms(parse_iso(str(edited_raw)))[0] if edited_raw else None
        except (KeyError, ValueError) as exc:
            raise format_error(
                entry, f"{where} ({stream.location()})", f"no readable timestamp ({exc})"
            ) from exc
        author = record.get("author") or {}
        name = str(author.get("nickname") or author.get("name") or "Unknown")
        content = str(record.get("content") or "")
        message_id = record.get("id")
        external_id = None if message_id is None else str(message_id)
        if record.get("type", "Default") not in _AUTHORED_TYPES:
            event = content or str(record.get("type"))
            return ParsedMessage(
                key,
                ts,
                offset,
                False,
                MessageKind.SYSTEM,
                f"{name}: {event}",
                external_id=external_id,
                edited_ts_ms=edited,
                location=where,
            )
        kind = text_kind(content)
        media: str | None = None
        stickers = [
            str(s.get("name", "sticker"))
            for s in record.get("stickers") or []
            if isinstance(s, dict)
        ]
        files = [
            str(a.get("fileName") or file_basename(str(a.get("url", ""))))
            for a in record.get("attachments") or []
            if isinstance(a, dict)
        ]
        if stickers:
            kind, media = MessageKind.STICKER, ", ".join(stickers)
        elif files:
            kind, media = _attachment_kind(files), ", ".join(files)
        reference = record.get("reference")
        reply = reference.get("messageId") if isinstance(reference, dict) else None
        return ParsedMessage(
            key,
            ts,
            offset,
            False,
            kind,
            content,
            sender_name=name,
            sender_id=None if author.get("id") is None else str(author["id"]),
            media=media,
            external_id=external_id,
            reply_to_external_id=None if reply is None else str(reply),
            edited_ts_ms=edited,
            location=where,
        )


class DiscordCsvImporter:
    """DiscordChatExporter's CSV format."""

    format_id = "discord-csv"

    def sniff(self, sample: Sample) -> bool:
        first = sample.text.lstrip().split("\n", 1)[0].strip()
        return next(csv.reader([first]), []) == _CSV_HEADER

    def parse(
        self, entry: Entry, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        day_first = decide_day_first(
            (row[2] for _, row in self._rows(entry) if len(row) > 2), options, report
        )
        title, channel_id = _channel_from_file_name(entry)
        key = f"{PLATFORM}:{channel_id or entry.name}"
        yield ParsedConversation(
            key=key,
            platform=PLATFORM,
            title=title,
            kind=ConversationKind.GROUP,
            external_id=channel_id,
        )
        for line, row in self._rows(entry):
            if len(row) < 4:
                report.warn(
                    "short-row",
                    "rows with fewer than 4 columns were skipped",
                    f"line {line}: {row}",
                )
                continue
            moment = _csv_moment(row[2], day_first, options)
            if moment is None:
                report.warn(
                    "bad-date",
                    "rows with an unreadable date were skipped",
                    f"line {line}: {row[2]!r}",
                )
                continue
            ts, offset, assumed = moment
            content = row[3]
            urls = [
                url.strip() for url in (row[4].split(",") if len(row) > 4 else []) if url.strip()
            ]
            kind = text_kind(content)
            media = None
            if urls:
                names = [file_basename(url) for url in urls]
                kind, media = _attachment_kind(names), ", ".join(names)
            yield ParsedMessage(
                key,
                ts,
                offset,
                assumed,
                kind,
                content,
                sender_name=row[1],
                sender_id=row[0] or None,
                media=media,
                location=f"line {line}",
            )

    @staticmethod
    def _rows(entry: Entry) -> Iterator[tuple[int, list[str]]]:
        with open_text(entry) as handle:
            reader = csv.reader(handle)
            try:
                header = next(reader, None)
                if header is None or [h.strip() for h in header] != _CSV_HEADER:
                    raise format_error(
                        entry,
                        "line 1",
                        f"expected the header {','.join(_CSV_HEADER)} of a DiscordChatExporter CSV",
                    )
                start = reader.line_num + 1
                for row in reader:
                    if row:
                        yield start, row
                    start = reader.line_num + 1
            except csv.Error as exc:
                raise format_error(
                    entry, f"line {reader.line_num}", f"malformed CSV ({exc})"
                ) from exc


def _csv_moment(text: str, day_first: bool, options: ParseOptions) -> tuple[int, int, bool] | None:
    """(UTC ms, offset, assumed) for the date formats DiscordChatExporter writes to CSV."""
    stamp = stamp_text(text, options, day_first)
    if stamp is not None:
        return stamp.ts_ms, stamp.offset_min, stamp.offset_assumed
    named = _NAMED_MONTH_DATE.match(text.strip())  # older default: "15-Jan-23 10:30 AM"
    if named is None or named.group(2).lower() not in _MONTH_NAMES:
        return None
    day, month, year, hour, minute, second, meridiem = named.groups()
    try:
        local = datetime(
            int(year) + 2000 if len(year) == 2 else int(year),
            _MONTH_NAMES[month.lower()],
            int(day),
            hour_24(int(hour), f"{meridiem}m" if meridiem else None),
            int(minute),
            int(second or 0),
        )
    except ValueError:
        return None
    offset = options.default_utc_offset_min
    return local_to_utc_ms(local, offset), offset, True


DISCORD_JSON = DiscordJsonImporter()
DISCORD_CSV = DiscordCsvImporter()
