"""The Markdown report: topics with footnoted citations quoting each message.

Markdown viewers render inline HTML and link syntax, and chat text and model
output are untrusted, so every such string is escaped (`<`, `>`, `&`, brackets,
emphasis and code marks, table pipes) and flattened to one line before it is
placed in the document; only the report's own structure is live Markdown.
Footnotes use the GitHub/Pandoc `[^n]` syntax.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chatsum.core.domain import Claim, Summary, Viewpoint
from chatsum.core.pipelines.summarizing.reports import (
    Footnotes,
    format_range,
    format_time,
    labels,
    topic_sections,
)

_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def escape_markdown(text: str) -> str:
    flat = " ".join(text.split())
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", flat)


def _claim_line(
    claim: Claim | Viewpoint, notes: Footnotes, words: dict[str, str], prefix: str
) -> str:
    refs = "".join(f"[^{prefix}{n}]" for n, _ in notes.refs(claim.message_ids))
    if isinstance(claim, Viewpoint):
        body = f"**{escape_markdown(claim.participant)}**: {escape_markdown(claim.view)}"
        if claim.reattributed_from:
            note = words["reattributed"].format(who=claim.reattributed_from)
            body += f" _({escape_markdown(note)})_"
    else:
        body = escape_markdown(claim.text)
    marker = f"⚠ _{words['unverified']}_: " if not claim.supported else ""
    return f"- {marker}{body} {refs}".rstrip()


def _section(summary: Summary, utc_offset_min: int, level: str, prefix: str) -> list[str]:
    words = labels(summary.language)
    notes = Footnotes(summary)
    out = [
        f"{format_range(summary, utc_offset_min)} · {summary.message_count} {words['messages']} · "
        f"{words['model']} {escape_markdown(summary.model_id)} · "
        f"{words['prompt']} {summary.prompt_version}"
        + (f" · {words['cached']}" if summary.from_cache else ""),
        "",
    ]
    if summary.gist:
        out += [f"> {escape_markdown(summary.gist)}", ""]
    if not summary.topics:
        out += [words["empty"], ""]
    for index, topic in enumerate(summary.topics, start=1):
        out += [
            f"{level} {index}. {escape_markdown(topic.title)}",
            "",
            escape_markdown(topic.summary),
            "",
        ]
        for key, claims in topic_sections(topic):
            out += [f"**{words[key]}**", ""]
            out += [_claim_line(claim, notes, words, prefix) for claim in claims]
            out.append("")
    footnotes = notes.notes()
    if footnotes:
        out += [f"**{words['sources']}**", ""]
        for number, citation in footnotes:
            who = escape_markdown(citation.sender_name or "?")
            when = format_time(citation.ts_ms, utc_offset_min)
            out.append(
                f"[^{prefix}{number}]: {who} · {when} · #{citation.message_id}: "
                f"“{escape_markdown(citation.text)}”"
            )
        out.append("")
    return out


def render_markdown(summaries: Summary | Sequence[Summary], title: str, utc_offset_min: int) -> str:
    """One document for one summary, or for several (one per day) under one title.

    Footnote labels carry a per-summary prefix when there are several, so
    they stay unique in the document.
    """
    items = [summaries] if isinstance(summaries, Summary) else list(summaries)
    words = labels(items[0].language if items else "en")
    out = [f"# {words['heading']}: {escape_markdown(title)}", ""]
    for index, summary in enumerate(items, start=1):
        if len(items) > 1:
            out += [f"## {format_range(summary, utc_offset_min)}", ""]
            out += _section(summary, utc_offset_min, "###", f"{index}-")
        else:
            out += _section(summary, utc_offset_min, "##", "")
    return "\n".join(out).rstrip() + "\n"
