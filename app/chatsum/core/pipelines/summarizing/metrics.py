"""Summary quality metrics, implemented here so the numbers mean exactly this.

- ROUGE-1/2/L F1 over `textmatch.tokens`: characters for Chinese, words for
  English (so Chinese is scored at character level, English at word level,
  without a segmenter or a new dependency).
- Verbatim share: the share of generated tokens that lie inside a run of at
  least `VERBATIM_RUN` tokens also found in one chat message (8 characters of
  Chinese, 6 English words): copied text, not shared names or phrases.
- Attribution: each predicted viewpoint is matched to the reference view whose
  words it shares most (ROUGE-1 at least `ATTRIBUTION_MIN_MATCH`); it is right
  when both name the same participant.
- Shared views: the share of viewpoints whose words are exactly those of
  another participant's view in the same summary. Two people rarely hold a
  word-for-word identical stance; a model that copies a phrase (sum-v5 copied
  its own instructions' example) into several people's views does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from chatsum.core.domain import Summary, Viewpoint
from chatsum.core.pipelines.summarizing.textmatch import tokens

VERBATIM_RUN = {"zh": 8, "en": 6}
ATTRIBUTION_MIN_MATCH = 0.2


def _ngrams(items: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(items[i : i + n]) for i in range(len(items) - n + 1))


def _f1(overlap: int, predicted: int, reference: int) -> float:
    if not overlap or not predicted or not reference:
        return 0.0
    precision, recall = overlap / predicted, overlap / reference
    return 2 * precision * recall / (precision + recall)


def rouge_n(prediction: str, reference: str, n: int) -> float:
    pred, ref = _ngrams(tokens(prediction), n), _ngrams(tokens(reference), n)
    overlap = sum((pred & ref).values())
    return _f1(overlap, sum(pred.values()), sum(ref.values()))


def _lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    if not a or not b:
        return 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0]
        for j, y in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if x == y else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(prediction: str, reference: str) -> float:
    pred, ref = tokens(prediction), tokens(reference)
    return _f1(_lcs_length(pred, ref), len(pred), len(ref))


def verbatim_share(generated: Iterable[str], sources: Iterable[str], language: str) -> float:
    """Share of generated tokens inside a long run copied from one source text."""
    n = VERBATIM_RUN.get(language, VERBATIM_RUN["en"])
    copied_grams: set[tuple[str, ...]] = set()
    for source in sources:
        copied_grams.update(_ngrams(tokens(source), n))
    total = covered = 0
    for text in generated:
        items = tokens(text)
        total += len(items)
        mask = [False] * len(items)
        for start in range(len(items) - n + 1):
            if tuple(items[start : start + n]) in copied_grams:
                mask[start : start + n] = [True] * n
        covered += sum(mask)
    return covered / total if total else 0.0


def summary_texts(summary: Summary) -> list[str]:
    """The prose a model wrote (titles and names left out: they may be copied)."""
    texts = [summary.gist] if summary.gist else []
    for topic in summary.topics:
        texts.append(topic.summary)
        texts += [c.view if isinstance(c, Viewpoint) else c.text for c in topic.claims()]
    return [t for t in texts if t]


def attribution(
    predicted: Sequence[tuple[str, str]], reference: Sequence[tuple[str, str]]
) -> tuple[int, int]:
    """(right, matched) over predicted (participant, view) pairs."""
    right = matched = 0
    for participant, view in predicted:
        scored = [(rouge_n(view, ref_view, 1), ref_who) for ref_who, ref_view in reference]
        if not scored:
            continue
        score, ref_who = max(scored)
        if score < ATTRIBUTION_MIN_MATCH:
            continue
        matched += 1
        right += int(ref_who == participant)
    return right, matched


def shared_views(summary: Summary) -> tuple[int, int]:
    """(shared, total) viewpoints: shared when another participant's view has the same words."""
    views = [(v.participant, tuple(tokens(v.view))) for t in summary.topics for v in t.viewpoints]
    holders: dict[tuple[str, ...], set[str]] = {}
    for participant, words in views:
        holders.setdefault(words, set()).add(participant)
    shared = sum(1 for _, words in views if words and len(holders[words]) > 1)
    return shared, len(views)
