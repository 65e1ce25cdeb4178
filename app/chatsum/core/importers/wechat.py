"""What every WeChat exporter shares: message type codes and app-message XML.

WeChat itself exports nothing; MemoTrace, PyWxDump and chatlog read the same
local database and so share its vocabulary: `Type`/`SubType` codes (1 text,
3 image, 34 voice, 43 video, 47 sticker, 49 app message, 10000 system ...),
chat ids where groups end in `@chatroom`, and app messages (links, files,
quotes, music) stored as XML. Turning those into a `Body` lives here once so
the exporters' importers differ only in how they lay out rows. The XML is
never parsed as a document (it is untrusted); the few fields we need are cut
out with anchored patterns and unescaped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from chatsum.core.domain import ConversationKind, MessageKind
from chatsum.core.importers.chat_text import Body, classify_body, quote_line, strip_markup

PLATFORM = "wechat"
SELF_NAME = "我"

_MEDIA_TYPES: dict[int, Body] = {
    3: Body(MessageKind.MEDIA, "", "[图片]"),
    34: Body(MessageKind.MEDIA, "", "[语音]"),
    43: Body(MessageKind.MEDIA, "", "[视频]"),
    62: Body(MessageKind.MEDIA, "", "[视频]"),
    47: Body(MessageKind.STICKER, "", "[表情包]"),
    42: Body(MessageKind.MEDIA, "", "[名片]"),
    48: Body(MessageKind.MEDIA, "", "[位置]"),
    50: Body(MessageKind.MEDIA, "", "[通话]"),
}
_SYSTEM_TYPES = {10000, 10002}
_LINK_SUBTYPES = {3, 4, 5, 33, 36}  # music, video link, link, mini programs
_FILE_SUBTYPE = 6
_QUOTE_SUBTYPE = 57


@dataclass(frozen=True)
class AppFields:
    """The parts of an app message (type 49) a summary can use."""

    title: str = ""
    url: str = ""
    description: str = ""
    sub_type: int | None = None
    quote_name: str = ""
    quote_text: str = ""


def conversation_kind(talker: str) -> ConversationKind:
    return ConversationKind.GROUP if talker.endswith("@chatroom") else ConversationKind.PRIVATE


def external_chat_id(talker: str) -> str | None:
    """The wxid / chatroom id when the export has one (MemoTrace may give a row number)."""
    return None if not talker or talker.isdigit() else talker


def _xml_field(xml: str, tag: str) -> str:
    match = re.search(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", xml, re.DOTALL)
    if match is None:
        return ""
    value = match.group(1).strip()
    if value.startswith("<![CDATA[") and value.endswith("]]>"):
        return value[9:-3].strip()
    return html.unescape(value).strip()


def app_fields_from_xml(xml: str) -> AppFields:
    """Title, url, sub type and quoted message of a type-49 `<appmsg>` payload."""
    refer = re.search(r"<refermsg>(.*?)</refermsg>", xml, re.DOTALL)
    outer = xml if refer is None else xml[: refer.start()] + xml[refer.end() :]
    sub_type = _xml_field(outer, "type")
    return AppFields(
        title=_xml_field(outer, "title"),
        url=_xml_field(outer, "url"),
        description=_xml_field(outer, "des"),
        sub_type=int(sub_type) if sub_type.isdigit() else None,
        quote_name=_xml_field(refer.group(1), "displayname") if refer else "",
        quote_text=_xml_field(refer.group(1), "content") if refer else "",
    )


def looks_like_xml(text: str) -> bool:
    head = text.lstrip()
    return head.startswith("<") and head.endswith(">")


def body_for_type(
    type_code: int, sub_type: int, content: str, app: AppFields | None = None
) -> Body | None:
    """The body of a message given its WeChat type codes; None for an unknown type.

    `content` is the exporter's content column (text, or XML for stickers and
    app messages); `app` carries fields an exporter already extracted.
    """
    if type_code == 1:
        return Body(MessageKind.TEXT, content.strip())
    media = _MEDIA_TYPES.get(type_code)
    if media is not None:
        return media
    if type_code in _SYSTEM_TYPES:
        text = _xml_field(content, "content") if looks_like_xml(content) else content
        return Body(MessageKind.SYSTEM, strip_markup(text))
    if type_code == 49:
        if app is None:
            app = (
                app_fields_from_xml(content)
                if looks_like_xml(content)
                else AppFields(title=content.strip())
            )
        return _app_body(sub_type or app.sub_type or 0, app)
    return None


def _app_body(sub_type: int, app: AppFields) -> Body:
    if sub_type == _FILE_SUBTYPE:
        return Body(MessageKind.FILE, app.title, "[文件]")
    if sub_type == _QUOTE_SUBTYPE:
        quoted = quote_line(app.quote_name, app.quote_text) if app.quote_text else ""
        return Body(MessageKind.TEXT, "\n".join(part for part in (app.title, quoted) if part))
    if sub_type in _LINK_SUBTYPES or app.url:
        text = " ".join(part for part in (app.title, app.url) if part)
        return Body(MessageKind.LINK, text, None if text else "[链接]")
    if app.title:
        return classify_body("\n".join(part for part in (app.title, app.description) if part))
    return Body(MessageKind.MEDIA, "", "[应用消息]")


def unknown_type_body(type_code: int, content: str) -> Body:
    """Keep a message of a type we do not know: its text if readable, else a placeholder."""
    if content.strip() and not looks_like_xml(content):
        return classify_body(content)
    return Body(MessageKind.MEDIA, "", f"[消息类型 {type_code}]")
