"""Full-text search that works for Chinese and English alike.

SQLite's `trigram` tokenizer cannot match terms shorter than three characters,
and most Chinese words are one or two characters (爬山, 好). Instead we index
a copy of each message in which every CJK character stands alone
("我们去爬山" -> "我 们 去 爬 山") and let the plain `unicode61` tokenizer split
it: each Han/kana/hangul character becomes one token and Latin words stay
words. A Chinese query becomes a *phrase* of its characters, so "爬山" matches
exactly the adjacent pair, one-character queries work, and longer phrases match
in order. The index is a separate FTS5 table keyed by message id, kept in sync
by triggers that call `chatsum_fts_body`, registered on every connection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_CJK = re.compile(
    "[\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f]"
)
_CJK_RUN = re.compile(_CJK.pattern + "+")
_WORD = re.compile(r"[^\W_]+")
_TERM = re.compile(r"[^\s\"'“”‘’(),.;:!?，。；：！？、（）《》【】\[\]{}<>*^+\-]+")


def fts_body(text: str | None) -> str:
    """The indexed form of a message text: CJK characters separated by spaces."""
    if not text or text.isascii():
        return text or ""
    # one substitution per run of CJK characters, not per character: 5x faster
    return _CJK_RUN.sub(lambda run: " " + " ".join(run.group()) + " ", text)


@dataclass(frozen=True)
class QueryTerm:
    """One term of a query as the index sees it: its tokens, in order.

    `prefix`: the last token also matches longer words ("deploy" finds
    "deployment"), as for a Latin word of three or more letters.
    """

    tokens: tuple[str, ...]
    prefix: bool = False

    def expression(self) -> str:
        phrase = '"' + " ".join(self.tokens).replace('"', '""') + '"'
        return phrase + "*" if self.prefix else phrase


def index_tokens(text: str) -> list[str]:
    """The tokens the index holds for a text, as `unicode61` splits `fts_body`
    (lower-cased; accents are not folded here, unlike the index)."""
    return _WORD.findall(fts_body(text).lower())


def query_terms(query: str) -> list[QueryTerm]:
    """The terms of a user's query; every one must match (AND).

    A term with CJK characters becomes a phrase of its characters; a Latin word
    of three or more letters also matches as a prefix.
    """
    terms: list[QueryTerm] = []
    for term in _TERM.findall(query):
        tokens = tuple(index_tokens(term))
        if not tokens:
            continue
        prefix = not _CJK.search(term) and len(term) >= 3
        terms.append(QueryTerm(tokens, prefix))
    return terms


def match_expression(terms: Sequence[QueryTerm]) -> str:
    """The FTS5 MATCH expression that requires every term; user text in it is
    always quoted, never FTS5 syntax."""
    return " AND ".join(term.expression() for term in terms)


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression for a user's query, or None if it has no terms."""
    terms = query_terms(query)
    return match_expression(terms) if terms else None
