"""A Summary as text people read: the cards' HTML fragments and the exports.

One numbering of citations serves every rendering: the first message a
summary cites is [1], the next new one [2], so the cards, the Markdown, the
HTML and the PDF all point at the same sources list. Everything that came from
the chat or the model is escaped before it goes into HTML; the only links are
our own `cite:<message id>` anchors, which the panel handles itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QCoreApplication

from chatsum.core.domain import Citation, Claim, Summary, Topic, Viewpoint, local_datetime
from chatsum.ui.i18n import fill

CITE_SCHEME = "cite"


@dataclass(frozen=True)
class Section:
    label: str
    items: tuple[Claim | Viewpoint, ...]


def topic_sections(topic: Topic) -> list[Section]:
    sections = [
        Section(QCoreApplication.translate("SummaryRender", "Key points"), topic.key_points),
        Section(QCoreApplication.translate("SummaryRender", "Views"), topic.viewpoints),
        Section(QCoreApplication.translate("SummaryRender", "Decisions"), topic.decisions),
        Section(
            QCoreApplication.translate("SummaryRender", "Open questions"), topic.open_questions
        ),
        Section(QCoreApplication.translate("SummaryRender", "Action items"), topic.action_items),
    ]
    return [section for section in sections if section.items]


class CitationNumbers:
    """[n] for each cited message id, in order of first appearance."""

    def __init__(self, summary: Summary) -> None:
        self._numbers: dict[int, int] = {}
        self._by_id = {citation.message_id: citation for citation in summary.cited_messages}
        for topic in summary.topics:
            for claim in topic.claims():
                for message_id in claim.message_ids:
                    self._numbers.setdefault(message_id, len(self._numbers) + 1)

    def number(self, message_id: int) -> int:
        return self._numbers[message_id]

    def citation(self, message_id: int) -> Citation | None:
        return self._by_id.get(message_id)

    def ordered(self) -> list[tuple[int, int, Citation | None]]:
        return [(n, mid, self._by_id.get(mid)) for mid, n in self._numbers.items()]


def item_text(item: Claim | Viewpoint) -> str:
    if isinstance(item, Viewpoint):
        return f"{item.participant}: {item.view}"
    return item.text


def cite_line(citation: Citation | None, utc_offset_min: int = 0) -> str:
    if citation is None:
        return QCoreApplication.translate("SummaryRender", "(message no longer in the archive)")
    when = local_datetime(citation.ts_ms, utc_offset_min).strftime("%Y-%m-%d %H:%M")
    sender = citation.sender_name or QCoreApplication.translate("SummaryRender", "(system)")
    return f"{when} {sender}: {' '.join(citation.text.split())}"


def item_html(item: Claim | Viewpoint, numbers: CitationNumbers) -> str:
    """One claim with its citation links and a flag when nothing supports it."""
    if isinstance(item, Viewpoint):
        body = f"<b>{escape(item.participant)}</b>: {escape(item.view)}"
        if item.reattributed_from:
            note = fill(
                QCoreApplication.translate("SummaryRender", "the model first credited %1"),
                item.reattributed_from,
            )
            body += f" <span style='color:#8a6d00'>({escape(note)})</span>"
    else:
        body = escape(item.text)
    links = "".join(
        f" <a href='{CITE_SCHEME}:{mid}'>[{numbers.number(mid)}]</a>" for mid in item.message_ids
    )
    if not item.supported or not item.message_ids:
        flag = escape(
            QCoreApplication.translate("SummaryRender", "unverified: no message supports this")
        )
        body += f" <span style='color:#c0392b'>⚠ {flag}</span>"
    return body + links


def to_markdown(summary: Summary, title: str, utc_offset_min: int = 0) -> str:
    numbers = CitationNumbers(summary)
    lines = [f"# {title}", ""]
    if summary.gist:
        lines += [summary.gist, ""]
    for topic in summary.topics:
        lines += [f"## {topic.title}", "", topic.summary, ""]
        for section in topic_sections(topic):
            lines.append(f"**{section.label}**")
            for item in section.items:
                refs = "".join(f"[{numbers.number(mid)}]" for mid in item.message_ids)
                flag = "" if item.supported and item.message_ids else " ⚠"
                lines.append("- " + " ".join(p for p in (item_text(item), refs) if p) + flag)
            lines.append("")
    sources = numbers.ordered()
    if sources:
        label = QCoreApplication.translate("SummaryRender", "Sources")
        lines += [f"## {label}", ""]
        lines += [f"[{n}] {cite_line(c, utc_offset_min)}" for n, _, c in sources]
    return "\n".join(lines).rstrip() + "\n"


def to_html(summary: Summary, title: str, utc_offset_min: int = 0) -> str:
    numbers = CitationNumbers(summary)
    parts = [
        "<html><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title></head><body>",
        f"<h1>{escape(title)}</h1>",
    ]
    if summary.gist:
        parts.append(f"<p>{escape(summary.gist)}</p>")
    for topic in summary.topics:
        parts.append(f"<h2>{escape(topic.title)}</h2><p>{escape(topic.summary)}</p>")
        for section in topic_sections(topic):
            parts.append(f"<p><b>{escape(section.label)}</b></p><ul>")
            for item in section.items:
                refs = "".join(f" [{numbers.number(mid)}]" for mid in item.message_ids)
                flag = "" if item.supported and item.message_ids else " ⚠"
                parts.append(f"<li>{escape(item_text(item))}{refs}{flag}</li>")
            parts.append("</ul>")
    sources = numbers.ordered()
    if sources:
        label = QCoreApplication.translate("SummaryRender", "Sources")
        parts.append(f"<h2>{escape(label)}</h2><ol>")
        parts += [
            f"<li value='{n}'>{escape(cite_line(c, utc_offset_min))}</li>" for n, _, c in sources
        ]
        parts.append("</ol>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_pdf(summary: Summary, title: str, path: str, utc_offset_min: int = 0) -> None:
    from PySide6.QtGui import QPageSize, QPdfWriter, QTextDocument

    writer = QPdfWriter(path)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setTitle(title)
    document = QTextDocument()
    document.setHtml(to_html(summary, title, utc_offset_min))
    document.print_(writer)
