"""Slack workspace exports (zip or folder): a bundle of many small JSON files.

A Slack export is not one file but a tree: `users.json` and the conversation
lists (`channels.json`, `groups.json`, `dms.json`, `mpims.json`) at the root,
then one folder per conversation holding a `YYYY-MM-DD.json` array per day.
No single file makes sense alone (a message names its author only as
`U0123`, and mentions look like `<@U0123>`), so this is a bundle importer:
it claims the whole tree, reads the user list first, and resolves names
while it walks each conversation's days in date order. Day files are small,
so each is decoded whole.

`ts` is both the message id and its time (epoch seconds as a string), so
times are exact but the writer's UTC offset is unknown and is assumed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from chatsum.core.domain import ConversationKind, MessageKind, ParsedConversation, ParsedMessage
from chatsum.core.importers.base import (
    Entry,
    EntryTree,
    ParsedItem,
    ParseOptions,
    ParseReport,
    format_error,
    read_all_text,
)
from chatsum.core.importers.message_kinds import kind_for_file, text_kind

PLATFORM = "slack"
_LISTS = {
    "channels.json": ConversationKind.GROUP,
    "groups.json": ConversationKind.GROUP,
    "mpims.json": ConversationKind.GROUP,
    "dms.json": ConversationKind.PRIVATE,
}
_DAY_FILE = re.compile(r"\d{4}-\d{2}-\d{2}\.json")
_MARKUP = re.compile(r"<([^<>\n]+)>")
_AUTHORED_SUBTYPES = frozenset(
    {
        "bot_message",
        "me_message",
        "file_share",
        "thread_broadcast",
        "reply_broadcast",
        "file_comment",
    }
)


@dataclass
class _Conversation:
    folder: str
    key: str
    title: str
    kind: ConversationKind
    external_id: str | None


def _root_of(tree: EntryTree) -> str | None:
    """The folder prefix ("" or "Export Name/") holding users.json and a conversation list."""
    names = {entry.name for entry in tree.entries()}
    for name in sorted(names, key=len):
        if PurePosixPath(name).name != "users.json":
            continue
        prefix = name[: -len("users.json")]
        if any(prefix + listing in names for listing in _LISTS):
            return prefix
    return None


class SlackImporter:
    """A whole Slack workspace export, one conversation per folder."""

    format_id = "slack"

    def claim(self, tree: EntryTree) -> list[Entry]:
        prefix = _root_of(tree)
        if prefix is None:
            return []
        claimed = []
        for entry in tree.entries():
            if not entry.name.startswith(prefix):
                continue
            relative = PurePosixPath(entry.name[len(prefix) :])
            if (len(relative.parts) == 1 and relative.suffix == ".json") or (
                len(relative.parts) == 2 and _DAY_FILE.fullmatch(relative.name)
            ):
                claimed.append(entry)
        return claimed

    def parse_bundle(
        self, tree: EntryTree, options: ParseOptions, report: ParseReport
    ) -> Iterator[ParsedItem]:
        prefix = _root_of(tree)
        if prefix is None:
            return
        users = self._users(tree, prefix)
        conversations = self._conversations(tree, prefix, users)
        days: dict[str, list[Entry]] = {}
        for entry in self.claim(tree):
            relative = PurePosixPath(entry.name[len(prefix) :])
            if len(relative.parts) == 2:
                days.setdefault(relative.parts[0], []).append(entry)
        for folder in sorted(set(days) - {c.folder for c in conversations}):
            report.warn(
                "unlisted-folder",
                "conversation folders missing from channels/groups/dms/mpims.json were imported "
                "under their folder name",
                folder,
            )
            conversations.append(
                _Conversation(
                    folder, f"{PLATFORM}:{folder}", f"#{folder}", ConversationKind.GROUP, None
                )
            )
        channels = {c.external_id: c.title.lstrip("#") for c in conversations if c.external_id}
        offset = options.default_utc_offset_min
        for conversation in conversations:
            yield ParsedConversation(
                key=conversation.key,
                platform=PLATFORM,
                title=conversation.title,
                kind=conversation.kind,
                external_id=conversation.external_id,
            )
            for day in sorted(days.get(conversation.folder, []), key=lambda e: e.name):
                records = _load(day)
                if not isinstance(records, list):
                    raise format_error(day, None, "expected a JSON array of messages")
                for index, record in enumerate(records):
                    if not isinstance(record, dict):
                        raise format_error(day, f"[{index}]", "expected a message object")
                    where = f"{PurePosixPath(day.name).parent.name}/{PurePosixPath(day.name).name}[{index}]"
                    message = _message(record, conversation.key, users, channels, offset, where)
                    if message is None:
                        report.warn(
                            "no-ts",
                            "Slack messages without a readable 'ts' were skipped",
                            where,
                        )
                        continue
                    yield message

    @staticmethod
    def _users(tree: EntryTree, prefix: str) -> dict[str, str]:
        entry = tree.find(prefix + "users.json")
        names: dict[str, str] = {}
        if entry is None:
            return names
        records = _load(entry)
        if not isinstance(records, list):
            raise format_error(entry, None, "expected a JSON array of users")
        for user in records:
            if not isinstance(user, dict) or "id" not in user:
                continue
            profile = user.get("profile") or {}
            names[str(user["id"])] = str(
                profile.get("display_name")
                or profile.get("real_name")
                or user.get("real_name")
                or user.get("name")
                or user["id"]
            )
        return names

    @staticmethod
    def _conversations(tree: EntryTree, prefix: str, users: dict[str, str]) -> list[_Conversation]:
        found: list[_Conversation] = []
        for listing, kind in _LISTS.items():
            entry = tree.find(prefix + listing)
            if entry is None:
                continue
            records = _load(entry)
            if not isinstance(records, list):
                raise format_error(entry, None, "expected a JSON array of conversations")
            for record in records:
                if not isinstance(record, dict) or "id" not in record:
                    continue
                cid = str(record["id"])
                members = [users.get(str(m), str(m)) for m in record.get("members") or []]
                if listing == "dms.json":
                    folder, title = cid, ", ".join(members) or cid
                elif listing == "mpims.json":
                    folder = str(record.get("name") or cid)
                    title = ", ".join(members) or folder
                else:
                    folder = str(record.get("name") or cid)
                    title = f"#{folder}"
                found.append(_Conversation(folder, f"{PLATFORM}:{cid}", title, kind, cid))
        return found


def _load(entry: Entry) -> Any:
    try:
        return json.loads(read_all_text(entry))
    except json.JSONDecodeError as exc:
        raise format_error(
            entry, f"line {exc.lineno} column {exc.colno}", f"invalid JSON ({exc.msg})"
        ) from exc


def _ms(ts: Any) -> int | None:
    """Epoch ms from Slack's "1578000000.000200"."""
    seconds, _, fraction = str(ts).partition(".")
    if not seconds.isdigit():
        return None
    return int(seconds) * 1000 + int((fraction + "000")[:3] if fraction.isdigit() else 0)


def _render(text: str, users: dict[str, str], channels: dict[str, str]) -> str:
    """Slack markup to plain text: mentions get names, links keep their label and URL."""

    def replace(match: re.Match[str]) -> str:
        target, _, label = match.group(1).partition("|")
        if target.startswith("@"):
            return "@" + (users.get(target[1:]) or label or target[1:])
        if target.startswith("#"):
            return "#" + (label or channels.get(target[1:], target[1:]))
        if target.startswith("!"):
            command = target[1:].split("^", 1)[0]
            return label or "@" + command
        if label and label != target:
            return f"{label} ({target})"
        return target

    rendered = _MARKUP.sub(replace, text) if "<" in text else text
    return rendered.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _message(
    record: dict[str, Any],
    key: str,
    users: dict[str, str],
    channels: dict[str, str],
    offset: int,
    location: str,
) -> ParsedMessage | None:
    ts = _ms(record.get("ts"))
    if ts is None:
        return None
    raw_ts = str(record["ts"])
    subtype = record.get("subtype")
    text = _render(str(record.get("text") or ""), users, channels)
    thread = record.get("thread_ts")
    reply_to = str(thread) if thread and str(thread) != raw_ts else None
    edited_info = record.get("edited")
    edited = _ms(edited_info.get("ts")) if isinstance(edited_info, dict) else None
    if subtype == "tombstone":
        return ParsedMessage(
            key,
            ts,
            offset,
            True,
            MessageKind.DELETED,
            "",
            external_id=raw_ts,
            reply_to_external_id=reply_to,
            location=location,
        )
    if subtype is not None and subtype not in _AUTHORED_SUBTYPES:
        return ParsedMessage(
            key,
            ts,
            offset,
            True,
            MessageKind.SYSTEM,
            text,
            external_id=raw_ts,
            reply_to_external_id=reply_to,
            location=location,
        )
    if subtype == "bot_message" or (record.get("bot_id") and not record.get("user")):
        bot = record.get("bot_profile") or {}
        sender_id = str(record.get("bot_id") or record.get("user") or "bot")
        sender = str(record.get("username") or bot.get("name") or sender_id)
    else:
        sender_id = str(record.get("user") or "")
        profile = record.get("user_profile") or {}
        sender = users.get(sender_id) or str(
            profile.get("display_name")
            or profile.get("real_name")
            or profile.get("name")
            or sender_id
        )
    kind = text_kind(text)
    media = None
    files = [
        f for f in record.get("files") or [] if isinstance(f, dict) and f.get("mode") != "tombstone"
    ]
    if files:
        names = [str(f.get("name") or f.get("title") or "file") for f in files]
        kinds = {kind_for_file(n, f.get("mimetype")) for n, f in zip(names, files, strict=True)}
        kind = MessageKind.MEDIA if kinds == {MessageKind.MEDIA} else MessageKind.FILE
        media = ", ".join(names)
    return ParsedMessage(
        key,
        ts,
        offset,
        True,
        kind,
        text,
        sender_name=sender or None,
        sender_id=sender_id or None,
        media=media,
        external_id=raw_ts,
        reply_to_external_id=reply_to,
        edited_ts_ms=edited,
        location=location,
    )


SLACK = SlackImporter()
