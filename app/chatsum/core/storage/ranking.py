"""Relevance (BM25) of a search's candidate messages, computed here.

`Store.search` orders by relevance only the latest matches of a query. FTS5's
own bm25() would also weigh each term by how many messages in the whole index
hold it, and for a phrase it counts them by reading every match: in a million
messages the seven one-character tokens of 发布时间要推迟 cost 50 ms of a 74 ms
search on a slow core. Here the same formula runs over the candidates alone,
on their indexed bodies, with string operations that run in C: a term's count
is how often its indexed text occurs in the lower-cased body, a message's
length its whitespace-separated pieces. For plain text (words and CJK
characters without punctuation) that is exactly what FTS5 counts; punctuation
can make a piece more or hide an occurrence, and a term FTS5 matched counts at
least once. One-term queries need no term weights (they scale every score
alike); for several terms the weights come from `TermStatistics`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from chatsum.core.storage.fts import QueryTerm
from chatsum.core.storage.term_stats import IndexTotals

K1 = 1.2
B = 0.75
_MIN_IDF = 1e-6  # FTS5's floor for terms in more than half the messages


def idf(frequency: int, messages: int) -> float:
    value = math.log((messages - frequency + 0.5) / (frequency + 0.5))
    return value if value > 0 else _MIN_IDF


def rank(
    candidates: Sequence[tuple[int, str]],
    terms: Sequence[QueryTerm],
    weights: Sequence[float],
    totals: IndexTotals,
) -> list[tuple[int, float]]:
    """(message id, rank) best first; rank is minus the BM25 score, as in FTS5.

    `candidates` are (id, indexed body) of messages that matched every term;
    `weights` are the terms' inverse document frequencies (`idf`).
    """
    needles = [" ".join(term.tokens) for term in terms]
    mean_length = totals.mean_length or 1.0
    ranked: list[tuple[int, float]] = []
    for message_id, body in candidates:
        lowered = body.lower()
        norm = K1 * (1 - B + B * len(lowered.split()) / mean_length)
        score = 0.0
        for needle, weight in zip(needles, weights, strict=True):
            seen = max(1, lowered.count(needle))
            score += weight * seen * (K1 + 1) / (seen + norm)
        ranked.append((message_id, -score))
    ranked.sort(key=lambda item: (item[1], -item[0]))
    return ranked
