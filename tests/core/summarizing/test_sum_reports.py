"""Reports: HTML never runs chat text, Markdown escapes it, JSON carries every cited message."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

from chatsum.core.domain import (
    Citation,
    Claim,
    Summary,
    SummaryQuality,
    SummaryTimings,
    Topic,
    Viewpoint,
)
from chatsum.core.pipelines.summarizing import render_html, render_json, render_markdown
from chatsum.core.pipelines.summarizing.codec import summary_from_dict, summary_to_dict

EVIL = '<script>alert("x")</script><img src=x onerror=alert(1)>'
TS = 1_715_212_800_000  # 2024-05-09 08:00 at UTC+8


def summary(language: str = "zh") -> Summary:
    return Summary(
        conversation_id=1,
        since_ms=TS,
        until_ms=TS + 86_400_000,
        scope="day",
        language=language,
        gist=f"总结 {EVIL}",
        topics=(
            Topic(
                title=f"话题 {EVIL}",
                summary="讨论 **粗体** [链接](http://evil.example)",
                key_points=(Claim("要点一", (1, 2)), Claim("没有依据的说法", (), supported=False)),
                viewpoints=(
                    Viewpoint("张伟", f"想去爬山 {EVIL}", (1,)),
                    Viewpoint("王强", "支持", (3,), reattributed_from="李娜"),
                ),
                decisions=(Claim("周六爬山", (2,)),),
            ),
        ),
        model_id="fake",
        prompt_version="sum-test",
        timings=SummaryTimings(total_s=1.5, llm_calls=1),
        quality=SummaryQuality(citations_cited=4, flags=("too_few_topics",)),
        cited_messages=(
            Citation(1, 1, "张伟", TS + 60_000, f"周六爬山吧 {EVIL}"),
            Citation(2, 1, "李娜<b>", TS + 120_000, "好 & 行"),
            Citation(3, 1, "王强", TS + 180_000, "同意"),
        ),
        message_count=3,
    )


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]


def test_html_escapes_all_chat_text_and_model_output() -> None:
    page = render_html(summary(), "群<script>", 480)
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    assert not any(a.startswith("on") for a in parser.attrs)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "李娜&lt;b&gt;" in page and "好 &amp; 行" in page
    assert "Content-Security-Policy" in page


def test_html_citations_link_to_quoted_messages_with_sender_and_time() -> None:
    page = render_html(summary(), "周末群", 480)
    assert '<a href="#m1">[1]</a>' in page and '<a href="#m2">[2]</a>' in page
    item = re.search(r'<li id="m1" value="1">(.*?)</li>', page)
    assert item is not None
    assert "张伟" in item.group(1) and "2024-05-09 08:01" in item.group(1)
    assert "周六爬山吧" in item.group(1)
    assert "未核实" in page and "没有依据的说法" in page
    assert "原标为 李娜" in page


def test_unsupported_claims_get_no_citation_link() -> None:
    page = render_html(summary(), "周末群", 480)
    unverified = re.search(r'<li class="unverified">(.*?)</li>', page)
    assert unverified is not None and "<a " not in unverified.group(1)


def test_markdown_escapes_html_and_markdown_syntax() -> None:
    text = render_markdown(summary(), "周末群", 480)
    assert "<script>" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert r"\*\*粗体\*\*" in text and r"\[链接\](http://evil.example)" in text
    assert "- 要点一 [^1][^2]" in text
    assert "[^1]: 张伟 · 2024-05-09 08:01 · #1: “周六爬山吧" in text
    assert "⚠ _未核实_: 没有依据的说法" in text


def test_markdown_for_several_days_keeps_footnotes_apart() -> None:
    first, second = summary(), summary()
    text = render_markdown([first, second], "周末群", 480)
    assert "[^1-1]:" in text and "[^2-1]:" in text
    assert text.count("# 群聊摘要") == 1


def test_english_reports_use_english_labels() -> None:
    text = render_markdown(summary("en"), "Hikers", 0)
    assert "**Key points**" in text and "unverified" in text and "**Views**" in text


def test_json_has_every_cited_message_and_round_trips() -> None:
    data = json.loads(render_json(summary(), "周末群", 480))
    assert data["conversation_title"] == "周末群"
    cited = {m["id"]: m for m in data["cited_messages"]}
    ids = {
        i
        for topic in data["topics"]
        for key in ("key_points", "viewpoints", "decisions")
        for claim in topic[key]
        for i in claim["message_ids"]
    }
    assert ids == set(cited) == {1, 2, 3}
    assert cited[1]["sender"] == "张伟" and cited[1]["time"] == "2024-05-09T08:01:00+08:00"
    assert cited[1]["text"].startswith("周六爬山吧")
    assert data["topics"][0]["key_points"][1] == {
        "text": "没有依据的说法",
        "message_ids": [],
        "supported": False,
    }
    assert summary_from_dict(summary_to_dict(summary())) == summary()
