"""The HTML report: one self-contained page, citations as links to quoted messages.

Chat text and model output are untrusted input: a message reading
`<script>…</script>` must show as text. Every such string goes through
`html.escape(quote=True)` at the one place it is inserted, and the page has no
scripts and a Content-Security-Policy that forbids them, so even a mistake in
escaping could not run code. Citations are superscript links to a numbered
list of the cited messages (sender, time, text, message id).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from chatsum.core.domain import Claim, Summary, Viewpoint
from chatsum.core.pipelines.summarizing.reports import (
    Footnotes,
    format_range,
    format_time,
    labels,
    topic_sections,
)

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","PingFang SC","Microsoft YaHei",sans-serif;
max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.6;color:#222}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}.meta{color:#666;font-size:.9rem}
blockquote{border-left:4px solid #ccc;margin:1rem 0;padding:.2rem 1rem;color:#444}
.unverified{color:#a60}.note{color:#777;font-size:.85rem}sup a{text-decoration:none}
ol.sources li{margin:.4rem 0}.who{font-weight:600}.when{color:#666;font-size:.85rem}
"""


def _e(text: str) -> str:
    return escape(text, quote=True)


def _refs(claim: Claim | Viewpoint, notes: Footnotes) -> str:
    return "".join(
        f'<sup><a href="#m{citation.message_id}">[{number}]</a></sup>'
        for number, citation in notes.refs(claim.message_ids)
    )


def _claim_item(claim: Claim | Viewpoint, notes: Footnotes, words: dict[str, str]) -> str:
    if isinstance(claim, Viewpoint):
        body = f'<span class="who">{_e(claim.participant)}</span>: {_e(claim.view)}'
        if claim.reattributed_from:
            note = words["reattributed"].format(who=claim.reattributed_from)
            body += f' <span class="note">({_e(note)})</span>'
    else:
        body = _e(claim.text)
    if not claim.supported:
        return f'<li class="unverified">⚠ {_e(words["unverified"])}: {body}</li>'
    return f"<li>{body} {_refs(claim, notes)}</li>"


def _section(summary: Summary, utc_offset_min: int, heading: str) -> list[str]:
    words = labels(summary.language)
    notes = Footnotes(summary)
    meta = (
        f"{_e(format_range(summary, utc_offset_min))} · {summary.message_count} "
        f"{_e(words['messages'])} · {_e(words['model'])} {_e(summary.model_id)} · "
        f"{_e(words['prompt'])} {_e(summary.prompt_version)}"
    )
    body: list[str] = [f"<article>{heading}", f'<p class="meta">{meta}</p>']
    if summary.gist:
        body.append(f"<blockquote>{_e(summary.gist)}</blockquote>")
    if not summary.topics:
        body.append(f"<p>{_e(words['empty'])}</p>")
    for index, topic in enumerate(summary.topics, start=1):
        body.append(f"<section><h2>{index}. {_e(topic.title)}</h2><p>{_e(topic.summary)}</p>")
        for key, claims in topic_sections(topic):
            items = "".join(_claim_item(claim, notes, words) for claim in claims)
            body.append(f"<h3>{_e(words[key])}</h3><ul>{items}</ul>")
        body.append("</section>")
    footnotes = notes.notes()
    if footnotes:
        body.append(f'<h3>{_e(words["sources"])}</h3><ol class="sources">')
        for number, citation in footnotes:
            body.append(
                f'<li id="m{citation.message_id}" value="{number}">'
                f'<span class="who">{_e(citation.sender_name or "?")}</span> '
                f'<span class="when">{_e(format_time(citation.ts_ms, utc_offset_min))} · '
                f"#{citation.message_id}</span><br>{_e(citation.text)}</li>"
            )
        body.append("</ol>")
    body.append("</article>")
    return body


def render_html(summaries: Summary | Sequence[Summary], title: str, utc_offset_min: int) -> str:
    """One page for one summary, or for several (one per day) under one title."""
    items = [summaries] if isinstance(summaries, Summary) else list(summaries)
    language = items[0].language if items else "en"
    words = labels(language)
    page_title = f"{_e(words['heading'])}: {_e(title)}"
    body = [f"<h1>{page_title}</h1>"]
    for summary in items:
        heading = f"<h2>{_e(format_range(summary, utc_offset_min))}</h2>" if len(items) > 1 else ""
        body += _section(summary, utc_offset_min, heading)
    lang = "zh-CN" if language == "zh" else "en"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        f"<title>{page_title}</title><style>{_STYLE}</style></head>\n"
        f"<body>\n{chr(10).join(body)}\n</body></html>\n"
    )
