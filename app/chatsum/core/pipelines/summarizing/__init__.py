"""Topic summaries of group chats, every claim cited and checked.

The public surface the desktop app and the CLI use; the modules behind it are
small and each says why it is shaped as it is:
preprocessing → segmentation → prompts/schemas → generation → citations and
merging → mapreduce → pipeline (in memory) → api (archive + cache, periods)
→ reports (Markdown, HTML, JSON); evaluation and metrics for `chatsum eval`.
"""

from chatsum.core.pipelines.summarizing.api import (
    summarize_days,
    summarize_period,
    summarize_range,
)
from chatsum.core.pipelines.summarizing.options import SummaryOptions
from chatsum.core.pipelines.summarizing.pipeline import rollup_summaries, summarize_messages
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION
from chatsum.core.pipelines.summarizing.report_html import render_html
from chatsum.core.pipelines.summarizing.report_markdown import render_markdown
from chatsum.core.pipelines.summarizing.reports import render_json

__all__ = [
    "PROMPT_VERSION",
    "SummaryOptions",
    "render_html",
    "render_json",
    "render_markdown",
    "rollup_summaries",
    "summarize_days",
    "summarize_messages",
    "summarize_period",
    "summarize_range",
]
