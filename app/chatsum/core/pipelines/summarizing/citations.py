"""From the model's JSON to checked topics whose every claim points at real messages.

The model cites local numbers; this module maps them back through the prompt's
`Numbering` and checks each claim:
- a number outside the prompt is invalid and dropped;
- a viewpoint keeps only messages its participant wrote; when it cites only
  other people's lines, its evidence is first looked for among the named
  participant's own lines by matching words, and failing that the view is
  re-attributed to the one person who did write the cited lines;
- a claim with no valid citation gets evidence by matching words when one
  numbered item clearly contains it, and is otherwise kept but flagged
  `supported=False`, so reports show it as unverified instead of as fact.
Numbers the model wrote inside a text ("预算200元[3]") are moved to its ids.
A view written word for word for several people in one topic (small models
copy one stance down the list) stays with the person whose own lines its words
match best; the copies are dropped with their citations.
Every decision is counted in a `CitationTally`, which becomes the summary's
quality figures, so the evaluation can report the model's raw accuracy and the
effect of the repairs separately.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chatsum.core.domain import Claim, Topic, Viewpoint
from chatsum.core.pipelines.summarizing.prompts import Numbering
from chatsum.core.pipelines.summarizing.textmatch import containment, tokens

MATCH_THRESHOLD = 0.6
# Lower bar when the alternative is someone else's line that matches even less.
OWN_LINE_THRESHOLD = 0.3
_INLINE_REF = re.compile(r"\s*[\[【](\d{1,4})[\]】]")


@dataclass
class CitationTally:
    cited: int = 0
    invalid: int = 0
    misattributed: int = 0
    repaired: int = 0
    dropped: int = 0
    reattributed: int = 0
    unsupported: int = 0

    def add(self, other: CitationTally) -> None:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _clean(value: Any) -> str:
    return str(value or "").strip()


def _cited_numbers(raw_ids: Any, text: str) -> tuple[list[Any], str]:
    """The ids field plus numbers written inline in the text; the text without them."""
    numbers = list(raw_ids) if isinstance(raw_ids, list) else []
    numbers += [int(n) for n in _INLINE_REF.findall(text)]
    return numbers, _INLINE_REF.sub("", text).strip()


class CitationChecker:
    """Checks the claims of one model output against the prompt that produced it."""

    def __init__(self, numbering: Numbering) -> None:
        self.numbering = numbering
        self.tally = CitationTally()

    def _valid(self, numbers: Sequence[Any]) -> list[int]:
        valid: list[int] = []
        for number in numbers:
            self.tally.cited += 1
            if isinstance(number, int) and number in self.numbering.evidence:
                if number not in valid:
                    valid.append(number)
            else:
                self.tally.invalid += 1
                self.tally.dropped += 1
        return valid

    def _best_match(
        self, text: str, speaker: str | None, numbers: Sequence[int] | None = None
    ) -> tuple[int | None, float]:
        """The numbered item (by `speaker`, among `numbers`) that best contains `text`."""
        best, best_score = None, 0.0
        for number in self.numbering.texts if numbers is None else numbers:
            if speaker is not None and all(
                s != speaker for _, s in self.numbering.evidence[number]
            ):
                continue
            score = containment(text, self.numbering.texts[number])
            if score > best_score:
                best, best_score = number, score
        return best, best_score

    def _message_ids(self, numbers: Sequence[int], speaker: str | None = None) -> tuple[int, ...]:
        ids = {
            mid
            for number in numbers
            for mid, sender in self.numbering.evidence[number]
            if speaker is None or sender == speaker
        }
        return tuple(sorted(ids))

    def claim(self, raw: Any) -> Claim | None:
        if not isinstance(raw, dict):
            return None
        numbers, text = _cited_numbers(raw.get("ids"), _clean(raw.get("text")))
        if not text:
            return None
        valid = self._valid(numbers)
        if not valid:
            match, score = self._best_match(text, None)
            if match is None or score < MATCH_THRESHOLD:
                self.tally.unsupported += 1
                return Claim(text, (), supported=False)
            self.tally.repaired += 1
            valid = [match]
        return Claim(text, self._message_ids(valid))

    def viewpoint(self, raw: Any) -> Viewpoint | None:
        if not isinstance(raw, dict):
            return None
        numbers, view = _cited_numbers(raw.get("ids"), _clean(raw.get("view")))
        who = _clean(raw.get("person"))
        if not view or not who:
            return None
        valid = self._valid(numbers)
        own = [n for n in valid if any(s == who for _, s in self.numbering.evidence[n])]
        foreign = [n for n in valid if n not in own]
        self.tally.misattributed += len(foreign)
        if own:
            self.tally.dropped += len(foreign)
            return Viewpoint(who, view, self._message_ids(own, who))
        # No line of `who` cited: either the name or the numbers are wrong. Keep
        # whichever the view's words match better; neither matching at all
        # leaves the numbers' writer, as the model looked at those lines.
        match, score = self._best_match(view, who)
        _, foreign_score = self._best_match(view, None, foreign) if foreign else (None, 0.0)
        threshold = OWN_LINE_THRESHOLD if foreign else MATCH_THRESHOLD
        if match is not None and score >= threshold and score > foreign_score:
            self.tally.repaired += 1
            self.tally.dropped += len(foreign)
            return Viewpoint(who, view, self._message_ids([match], who))
        writers = {s for n in foreign for _, s in self.numbering.evidence[n]}
        if len(writers) == 1:
            (writer,) = writers
            self.tally.repaired += 1
            self.tally.reattributed += 1
            return Viewpoint(
                writer, view, self._message_ids(foreign, writer), reattributed_from=who
            )
        self.tally.dropped += len(foreign)
        self.tally.unsupported += 1
        return Viewpoint(who, view, (), supported=False)

    def _claims(self, raw: Any) -> tuple[Claim, ...]:
        claims: list[Claim] = []
        for item in raw if isinstance(raw, list) else []:
            claim = self.claim(item)
            if claim is not None and all(c.text != claim.text for c in claims):
                claims.append(claim)
        return tuple(claims)

    def topic(self, raw: Any) -> Topic | None:
        if not isinstance(raw, dict) or not _clean(raw.get("headline")):
            return None
        views: list[Viewpoint] = []
        raw_views = raw.get("views")
        for item in raw_views if isinstance(raw_views, list) else []:
            view = self.viewpoint(item)
            if view is not None and all(
                (v.participant, v.view) != (view.participant, view.view) for v in views
            ):
                views.append(view)
        raw_results = raw.get("results")
        results: dict[str, Any] = raw_results if isinstance(raw_results, dict) else {}
        return Topic(
            title=_INLINE_REF.sub("", _clean(raw.get("headline"))).strip(),
            summary=_INLINE_REF.sub("", _clean(raw.get("overview"))).strip(),
            key_points=self._claims(raw.get("points")),
            viewpoints=self._one_holder_per_view(views),
            decisions=self._claims(results.get("decided")),
            open_questions=self._claims(results.get("open")),
            action_items=self._claims(results.get("todo")),
        )

    def _one_holder_per_view(self, views: Sequence[Viewpoint]) -> tuple[Viewpoint, ...]:
        """Views whose words another view repeats exactly: only the best-founded
        holder keeps it (supported first, then its words' match with that person's
        own lines)."""
        by_words: dict[tuple[str, ...], list[Viewpoint]] = {}
        for view in views:
            words = tuple(tokens(view.view))
            if words:
                by_words.setdefault(words, []).append(view)

        def founded(view: Viewpoint) -> tuple[bool, float]:
            return view.supported, self._best_match(view.view, view.participant)[1]

        copies: set[int] = set()
        for same in by_words.values():
            if len(same) > 1:
                keeper = max(same, key=founded)
                copies.update(id(view) for view in same if view is not keeper)
        for view in views:
            if id(view) in copies:
                self.tally.dropped += len(view.message_ids)
        return tuple(view for view in views if id(view) not in copies)

    def topics(self, data: dict[str, Any]) -> list[Topic]:
        found = [self.topic(item) for item in data.get("topics") or []]
        return [topic for topic in found if topic is not None]


def citation_validity(topics: Sequence[Topic], senders: dict[int, str]) -> tuple[int, int]:
    """(valid, total) cited ids of finished topics: an id is valid when it is one of
    `senders` (the range's messages) and, in a viewpoint, written by its participant."""
    valid = total = 0
    for topic in topics:
        for claim in topic.claims():
            for mid in claim.message_ids:
                total += 1
                if mid not in senders:
                    continue
                if isinstance(claim, Viewpoint) and senders[mid] != claim.participant:
                    continue
                valid += 1
    return valid, total
