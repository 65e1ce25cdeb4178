"""Merging earlier topics by the model's grouping, carrying their checked claims over.

A merge step (the reduce of map-reduce, and day → week → month roll-ups) asks
the model only which earlier topics belong together, and for a name and an
overview of each group. The key points, views and outcomes of the merged topic
are the earlier topics' own, already checked against the messages, chosen in
turn from each member so every part is heard, near-duplicates skipped, one view
per participant. That keeps message ids exact through any number of rounds,
cannot misattribute a view, and costs a small fraction of the tokens of having
the model rewrite every claim (output tokens are the slow part on a CPU).

Group numbers are checked like citations: one outside the list is dropped; one
given to several groups goes to the group whose name it holds most of (the
1.5B model often lists every number in every group, with names that each fit
one of them), and is treated as taken by none when it holds none of them; an
earlier topic no group took joins the group whose words (name, overview,
members' points) it shares most, becomes a topic of its own while there is
room, or is left out and counted. A reply that lumps everything into fewer
groups than asked for (a small model's habit on a long day: one group of all
nine parts) is repaired the same way: the member that
fits its group's name and overview least becomes a topic of its own, until
there are enough.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from chatsum.core.domain import Claim, Topic, Viewpoint
from chatsum.core.pipelines.summarizing.citations import CitationTally
from chatsum.core.pipelines.summarizing.schemas import FINAL
from chatsum.core.pipelines.summarizing.textmatch import containment

ATTACH_THRESHOLD = 0.2
DUPLICATE_THRESHOLD = 0.8

C = TypeVar("C", Claim, Viewpoint)


def _text(claim: Claim | Viewpoint) -> str:
    return claim.view if isinstance(claim, Viewpoint) else claim.text


def _similar(a: str, b: str) -> bool:
    return max(containment(a, b), containment(b, a)) >= DUPLICATE_THRESHOLD


def _round_robin(
    lists: Sequence[Sequence[C]], limit: int, one_per_person: bool = False
) -> tuple[C, ...]:
    chosen: list[C] = []
    depth = max((len(items) for items in lists), default=0)
    for index in range(depth):
        for items in lists:
            if len(chosen) >= limit:
                return tuple(chosen)
            if index >= len(items) or not items[index].supported:
                continue
            claim = items[index]
            if one_per_person and any(
                isinstance(c, Viewpoint)
                and isinstance(claim, Viewpoint)
                and c.participant == claim.participant
                for c in chosen
            ):
                continue
            if any(_similar(_text(c), _text(claim)) for c in chosen):
                continue
            chosen.append(claim)
    return tuple(chosen)


def combine(title: str, summary: str, parts: Sequence[Topic]) -> Topic:
    """One topic from several: the given name and overview, the parts' claims."""
    return Topic(
        title=title,
        summary=summary,
        key_points=_round_robin([p.key_points for p in parts], FINAL.points),
        viewpoints=_round_robin([p.viewpoints for p in parts], FINAL.views, one_per_person=True),
        decisions=_round_robin([p.decisions for p in parts], FINAL.other),
        open_questions=_round_robin([p.open_questions for p in parts], FINAL.other),
        action_items=_round_robin([p.action_items for p in parts], FINAL.other),
    )


def _describe(topic: Topic) -> str:
    return " ".join([topic.title, topic.summary, *(c.text for c in topic.key_points)])


def _affinity(part: Topic, title: str, summary: str, members: Sequence[Topic]) -> float:
    """How much a left-over topic shares with a group: its name, overview and members."""
    texts = [f"{title} {summary}", *(_describe(m) for m in members)]
    mine = _describe(part)
    return max(max(containment(mine, t), containment(t, mine)) for t in texts)


def merge_topics(
    data: dict[str, Any],
    parts: Sequence[Topic],
    max_topics: int,
    tally: CitationTally,
    min_topics: int = 1,
) -> tuple[list[Topic], int]:
    """The merged topics a grouping reply describes (none when it names no valid
    group), and how many earlier topics had to be left out."""
    claims: list[tuple[str, str, list[int]]] = []
    for raw in data.get("topics") or []:
        if not isinstance(raw, dict):
            continue
        numbers = raw.get("group")
        valid: list[int] = []
        for number in numbers if isinstance(numbers, list) else []:
            tally.cited += 1
            if isinstance(number, int) and 1 <= number <= len(parts):
                if number not in valid:
                    valid.append(number)
            else:
                tally.invalid += 1
                tally.dropped += 1
        title = str(raw.get("headline") or "").strip()
        if title and valid:
            claims.append((title, str(raw.get("overview") or "").strip(), valid))
    owner = _owners(claims, parts, tally)
    groups = [
        (title, summary, [n for n in numbers if owner.get(n) == index])
        for index, (title, summary, numbers) in enumerate(claims)
    ]
    groups = [group for group in groups if group[2]]
    taken = set(owner)
    if not groups:
        return [], 0
    left_out = 0
    for number in range(1, len(parts) + 1):
        if number in taken:
            continue
        part = parts[number - 1]
        scores = [
            _affinity(part, title, summary, [parts[n - 1] for n in members])
            for title, summary, members in groups
        ]
        best = max(range(len(groups)), key=lambda i: scores[i])
        if scores[best] >= ATTACH_THRESHOLD:
            groups[best][2].append(number)
            tally.repaired += 1
        elif len(groups) < max_topics:
            groups.append((part.title, part.summary, [number]))
            tally.repaired += 1
        else:
            left_out += 1
    while len(groups) < min_topics and _split_least_fitting(groups, parts):
        tally.repaired += 1
    merged = [
        combine(title, summary, [parts[n - 1] for n in sorted(members)])
        for title, summary, members in groups
    ]
    return merged, left_out


def _owners(
    claims: Sequence[tuple[str, str, list[int]]], parts: Sequence[Topic], tally: CitationTally
) -> dict[int, int]:
    """The group each claimed topic goes to. A topic claimed by several groups goes to
    the one whose name it holds most of, then whose overview it shares most words
    with (the first on a tie); one that holds none of their names is left out
    here and placed like a topic no group took: a small model's overviews often
    retell several topics, and following them put claims under a name they do
    not fit."""
    claimants: dict[int, list[int]] = {}
    for index, (_, _, numbers) in enumerate(claims):
        for number in numbers:
            claimants.setdefault(number, []).append(index)
    owner: dict[int, int] = {}
    for number, indexes in claimants.items():
        if len(indexes) == 1:
            owner[number] = indexes[0]
            continue
        mine = _describe(parts[number - 1])
        name_share = {i: containment(claims[i][0], mine) for i in indexes}
        named = [i for i in indexes if name_share[i] > 0]
        if named:  # else it is left to the left-over rule, like a topic no group took
            tally.repaired += 1
            owner[number] = max(
                named, key=lambda i: (name_share[i], containment(mine, claims[i][1]), -i)
            )
    return owner


def _split_least_fitting(groups: list[tuple[str, str, list[int]]], parts: Sequence[Topic]) -> bool:
    """Move the member that shares least with its group's name and overview into a
    group of its own; False when every group has a single member."""
    candidates = [
        (containment(_describe(parts[number - 1]), f"{title} {summary}"), index, number)
        for index, (title, summary, members) in enumerate(groups)
        if len(members) > 1
        for number in members
    ]
    if not candidates:
        return False
    _, index, number = min(candidates)
    groups[index][2].remove(number)
    part = parts[number - 1]
    groups.append((part.title, part.summary, [number]))
    return True
