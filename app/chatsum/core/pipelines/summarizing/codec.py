"""Summary <-> plain dict, for the cache and for `--format json`.

One explicit mapping (not `dataclasses.asdict`) so the stored JSON keeps its
field names when the classes grow, and so reading a cached summary written by
an older version fails loudly instead of half-filling a record. Cited messages
travel with the summary (id, sender, time, text): a JSON reader can check
every citation without the archive.
"""

from __future__ import annotations

from typing import Any

from chatsum.core.domain import (
    Citation,
    Claim,
    Summary,
    SummaryQuality,
    SummaryTimings,
    Topic,
    Viewpoint,
    local_datetime,
)

FORMAT_VERSION = 1


def _claim(claim: Claim) -> dict[str, Any]:
    return {
        "text": claim.text,
        "message_ids": list(claim.message_ids),
        "supported": claim.supported,
    }


def _viewpoint(view: Viewpoint) -> dict[str, Any]:
    return {
        "participant": view.participant,
        "view": view.view,
        "message_ids": list(view.message_ids),
        "supported": view.supported,
        "reattributed_from": view.reattributed_from,
    }


def citation_dict(citation: Citation, utc_offset_min: int | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": citation.message_id,
        "conversation_id": citation.conversation_id,
        "sender": citation.sender_name,
        "ts_ms": citation.ts_ms,
        "text": citation.text,
    }
    if utc_offset_min is not None:
        entry["time"] = local_datetime(citation.ts_ms, utc_offset_min).isoformat()
    return entry


def summary_to_dict(summary: Summary, utc_offset_min: int | None = None) -> dict[str, Any]:
    """The full summary; `utc_offset_min` adds readable local times to citations."""
    return {
        "format_version": FORMAT_VERSION,
        "conversation_id": summary.conversation_id,
        "since_ms": summary.since_ms,
        "until_ms": summary.until_ms,
        "scope": summary.scope,
        "language": summary.language,
        "gist": summary.gist,
        "topics": [
            {
                "title": topic.title,
                "summary": topic.summary,
                "key_points": [_claim(c) for c in topic.key_points],
                "viewpoints": [_viewpoint(v) for v in topic.viewpoints],
                "decisions": [_claim(c) for c in topic.decisions],
                "open_questions": [_claim(c) for c in topic.open_questions],
                "action_items": [_claim(c) for c in topic.action_items],
            }
            for topic in summary.topics
        ],
        "model_id": summary.model_id,
        "prompt_version": summary.prompt_version,
        "timings": vars(summary.timings).copy(),
        "quality": {**vars(summary.quality), "flags": list(summary.quality.flags)},
        "cited_messages": [citation_dict(c, utc_offset_min) for c in summary.cited_messages],
        "message_count": summary.message_count,
        "from_cache": summary.from_cache,
    }


def _claims(items: list[dict[str, Any]]) -> tuple[Claim, ...]:
    return tuple(Claim(i["text"], tuple(i["message_ids"]), bool(i["supported"])) for i in items)


def summary_from_dict(data: dict[str, Any]) -> Summary:
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"summary format {data.get('format_version')!r} is not {FORMAT_VERSION}")
    topics = tuple(
        Topic(
            title=t["title"],
            summary=t["summary"],
            key_points=_claims(t["key_points"]),
            viewpoints=tuple(
                Viewpoint(
                    v["participant"],
                    v["view"],
                    tuple(v["message_ids"]),
                    bool(v["supported"]),
                    v["reattributed_from"],
                )
                for v in t["viewpoints"]
            ),
            decisions=_claims(t["decisions"]),
            open_questions=_claims(t["open_questions"]),
            action_items=_claims(t["action_items"]),
        )
        for t in data["topics"]
    )
    quality = dict(data["quality"])
    quality["flags"] = tuple(quality["flags"])
    return Summary(
        conversation_id=data["conversation_id"],
        since_ms=data["since_ms"],
        until_ms=data["until_ms"],
        scope=data["scope"],
        language=data["language"],
        gist=data["gist"],
        topics=topics,
        model_id=data["model_id"],
        prompt_version=data["prompt_version"],
        timings=SummaryTimings(**data["timings"]),
        quality=SummaryQuality(**quality),
        cited_messages=tuple(
            Citation(c["id"], c["conversation_id"], c["sender"], c["ts_ms"], c["text"])
            for c in data["cited_messages"]
        ),
        message_count=data["message_count"],
        from_cache=bool(data.get("from_cache", False)),
    )
