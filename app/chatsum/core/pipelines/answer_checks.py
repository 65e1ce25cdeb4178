"""Checking what the model wrote before anyone reads it as an answer.

A small model cites numbers that point nowhere, cites the wrong message, or
states a birthday nobody mentioned and cites a message about someone else's.
Each sentence of a reply is therefore checked against the messages it cites:

- a cited id must exist and be one of the messages shown to the model;
- every number in the sentence must appear in the cited messages or their
  times (Chinese numerals count: 三天 backs "3 days");
- a participant named in the sentence (anyone in the archive, not only the
  senders shown) must be the sender of, or named in, a cited message;
- when sentence and messages share a language, at least 40% of the
  sentence's terms must occur in them.

A sentence that fails gets the one shown message added (or, with nothing
valid cited, substituted) that makes it pass — the model often cites a
neighbour, or one of two messages it combined — else it is removed and
reported. A reply left
with nothing is a rejection, and so is one that does not touch the question
at all: none of the question's terms in the answer or the messages it cites
("how much is the train ticket?" answered with a true but unrelated line). Cross-language sentences cannot be checked word
by word; they keep the numbers and names checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chatsum.core.domain import Message
from chatsum.core.pipelines.question_text import detect_language, query_terms

MIN_TERM_SUPPORT = 0.4
MIN_ATTRIBUTION = 0.5

_CITATION = re.compile(r"[\[【]\s*#?(\d+(?:\s*[,，、;；]\s*#?\d+)*)\s*[\]】]")
# A period ends a sentence only before a space or the end ("$2.5M" stays whole);
# citations written after the full stop ("…打满。[7]") still belong to the sentence.
_SENTENCE = re.compile(
    r"(?:[^.!?。！？\n]|\.(?=\S))+"
    r"(?:[.!?。！？]+(?:\s*[\[【]\s*#?\d[\d\s,，、;；#]*[\]】])*|\n|$)\s*"
)
_NOT_FOUND_PATTERNS = re.compile(
    r"not found in the archive|no (relevant )?information|do(es)? not (mention|contain|say)|"
    r"not mentioned|cannot find|can't find|档案中没有|没有找到|没有提到|未提及|没有相关",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
# A whole sentence that only sources the one before it:
# "This information comes from message [36]." / "来源：[36]"
_SOURCE_NOTE = re.compile(
    r"\s*(?:this (?:information |answer )?(?:comes|is taken|is) from|according to|based on|see"
    r"|sources?|来源|出处|(?:以上)?(?:信息|内容)?来自|见)"
    r"\s*(?:the )?(?:messages?|消息)?\s*[:：.。]?\s*",
    re.IGNORECASE,
)
_CHINESE_DIGITS = str.maketrans("〇零一二两三四五六七八九", "001223456789")


def says_not_found(text: str) -> bool:
    return bool(_NOT_FOUND_PATTERNS.search(text))


def without_citations(text: str) -> str:
    return re.sub(r"[ \t]+([.,。，!?！？])", r"\1", _CITATION.sub("", text)).strip()


def cited_ids(text: str) -> list[int]:
    ids: list[int] = []
    for group in _CITATION.findall(text):
        ids.extend(int(n) for n in re.findall(r"\d+", group))
    return list(dict.fromkeys(ids))


def _evidence(messages: Sequence[Message]) -> str:
    """What the model saw of these messages: sender, time and text (lower-cased)."""
    lines = []
    for m in messages:
        when = m.local_time
        lines.append(
            f"{m.sender_name or ''} {when:%Y-%m-%d %H:%M} {when.year} {when.month} {when.day} "
            f"{when.hour} {when.minute}: {m.text}"
        )
    return "\n".join(lines).lower()


def _term_share(claim: str, folded: str) -> float:
    terms = query_terms(claim)
    if not terms:
        return 1.0
    present = 0
    for term in terms:
        if term.isascii():
            present += re.search(r"(?<![a-z0-9])" + re.escape(term), folded) is not None
        else:
            present += term in folded
    return present / len(terms)


class Grounding:
    """Whether a sentence is borne out by given messages (see the module docstring)."""

    def __init__(self, shown: Sequence[Message], people: Iterable[str] = ()) -> None:
        self.shown = shown
        senders = {m.sender_name for m in shown if m.sender_name}
        self.names = {name for name in (*senders, *people) if len(name) > 1}

    def _checks(self, claim: str, messages: Sequence[Message]) -> tuple[bool, float]:
        """(numbers and names agree, share of terms present)."""
        folded = _evidence(messages)
        digits = folded.translate(_CHINESE_DIGITS)
        for number in _NUMBER.findall(claim):
            if not re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", digits):
                return False, 0.0
        if any(name in claim and name.lower() not in folded for name in self.names):
            return False, 0.0
        if detect_language(claim) != detect_language(" ".join(m.text for m in messages)):
            return True, 1.0
        return True, max(_term_share(claim, folded), _term_share(claim, digits))

    def supports(self, claim: str, messages: Sequence[Message]) -> bool:
        if not messages:
            return False
        agree, share = self._checks(claim, messages)
        return agree and share >= MIN_TERM_SUPPORT

    def best_sources(self, claim: str, cited: Sequence[Message]) -> list[Message] | None:
        """The cited messages plus the one shown message that, with them, backs
        the sentence best (alone, when nothing valid was cited); None if none does."""
        if not query_terms(claim):
            return None
        needed = MIN_TERM_SUPPORT if cited else MIN_ATTRIBUTION
        best: tuple[float, Message] | None = None
        for message in self.shown:
            if message in cited or not self._contributes(claim, message):
                continue
            agree, share = self._checks(claim, [*cited, message])
            if agree and share >= needed and (best is None or share > best[0]):
                best = (share, message)
        return sorted([*cited, best[1]], key=lambda m: m.id) if best else None

    def _contributes(self, claim: str, message: Message) -> bool:
        """Shares a number or a word (not just a name) with the sentence, in its language."""
        if detect_language(message.text) != detect_language(claim):
            return False
        folded = message.text.lower().translate(_CHINESE_DIGITS)
        names = {n.lower() for n in self.names}
        return any(term not in names and term in folded for term in query_terms(claim)) or any(
            number in folded for number in _NUMBER.findall(claim)
        )

    def checkable(self, claim: str) -> bool:
        """False when no shown message is in the sentence's language."""
        language = detect_language(claim)
        return any(detect_language(m.text) == language for m in self.shown)


@dataclass(frozen=True)
class CheckedReply:
    text: str
    cited: tuple[int, ...]
    dropped: tuple[int, ...]
    unsupported: tuple[str, ...] = ()


def _recite(sentence: str, sources: Sequence[Message]) -> str:
    """The sentence with its citations replaced by `sources`, before the full stop."""
    plain = _CITATION.sub("", sentence)
    body = plain.rstrip()
    words = body.rstrip(".!?。！？").rstrip()
    ids = ", ".join(str(m.id) for m in sources)
    return f"{words} [{ids}]{body[len(words) :].strip()}{plain[len(body) :]}"


def _attach_source_notes(sentences: list[str], by_id: dict[int, Message]) -> list[str]:
    """A sentence that only says where the previous one came from gives it its citations."""
    merged: list[str] = []
    for sentence in sentences:
        ids = cited_ids(sentence)
        if merged and ids and _SOURCE_NOTE.fullmatch(without_citations(sentence)):
            sources = {*cited_ids(merged[-1]), *ids}
            merged[-1] = _recite(merged[-1], [by_id[i] for i in sorted(sources)])
        else:
            merged.append(sentence)
    return merged


def check_reply(
    text: str, shown: Sequence[Message], existing: set[int], people: Iterable[str] = ()
) -> CheckedReply:
    """Keep what the shown messages bear out, each sentence with a valid citation.
    `people`: archive participants named in the reply, for the names check."""
    allowed = {m.id for m in shown} & existing
    by_id = {m.id: m for m in shown}
    dropped = [i for i in cited_ids(text) if i not in allowed]

    def keep_valid(match: re.Match[str]) -> str:
        ids = [n for n in re.findall(r"\d+", match.group(1)) if int(n) in allowed]
        return f"[{', '.join(ids)}]" if ids else ""

    grounding = Grounding([m for m in shown if m.id in allowed], people)
    kept: list[str] = []
    unsupported: list[str] = []
    sentences = _SENTENCE.findall(_CITATION.sub(keep_valid, text)) or [text]
    for sentence in _attach_source_notes(sentences, by_id):
        claim = without_citations(sentence)
        if not (query_terms(claim) or _NUMBER.search(claim)) or says_not_found(claim):
            kept.append(sentence)
            continue
        cited = [by_id[i] for i in cited_ids(sentence) if i in allowed]
        if grounding.supports(claim, cited):
            kept.append(sentence)
        elif (sources := grounding.best_sources(claim, cited)) is not None:
            kept.append(_recite(sentence, sources))
        elif not cited and not grounding.checkable(claim):
            kept.append(sentence)  # another language and nothing cited: cannot be checked
        else:
            unsupported.append(claim)
    final = re.sub(r"[ \t]+([.,。，!?！？])", r"\1", "".join(kept)).strip()
    ids = tuple(i for i in cited_ids(final) if i in allowed)
    if ids and not re.search(r"\w", without_citations(final)):
        # Only numbers, no words (small models do this): the cited messages are the answer.
        final = "\n".join(f"{by_id[i].sender_name or '—'}: {by_id[i].text} [{i}]" for i in ids)
    return CheckedReply(final, ids, tuple(dropped), tuple(unsupported))


def addresses(question: str, reply: str, cited: Sequence[Message]) -> bool:
    """Whether a checked reply is about the question: one of its terms occurs in the
    reply or the cited messages (in any language the reply restates the question)."""
    if not query_terms(question):
        return True
    return _term_share(question, f"{reply}\n{_evidence(cited)}".lower()) > 0
