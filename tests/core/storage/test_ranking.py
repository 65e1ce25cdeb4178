"""Search relevance computed over the candidates, checked against FTS5's own bm25()."""

from __future__ import annotations

from pathlib import Path

import pytest

from chatsum.core.storage import ranking
from chatsum.core.storage.fts import QueryTerm, fts_query, match_expression, query_terms
from chatsum.core.storage.store import Store
from chatsum.core.storage.term_stats import TermStatistics
from tests.conftest import write_conversation

# Plain text only (words and CJK characters, no punctuation): where the
# candidates' counts are exactly FTS5's.
PLAIN = [
    ("Ann", "the server is down again"),
    ("Bob", "server server server"),
    ("Ann", "restart the server please and then tell everyone in the group"),
    ("Bob", "服务器 宕机 了"),
    ("Cai", "服务器又宕机了 我们 等 一下 吧 宕机"),
    ("Ann", "lunch at noon"),
    ("Bob", "the deployment of the server failed"),
    ("Cai", "deploy it after lunch"),
]


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    s = Store.open(tmp_path / "a.db")
    write_conversation(s, PLAIN)
    yield s
    s.close()


def fts5_bm25(store: Store, query: str) -> dict[int, float]:
    rows = store.conn.execute(
        "SELECT rowid, bm25(messages_fts) FROM messages_fts WHERE messages_fts MATCH ?",
        (fts_query(query),),
    )
    return {row[0]: row[1] for row in rows}


def our_bm25(store: Store, query: str) -> dict[int, float]:
    terms = query_terms(query)
    candidates = store.conn.execute(
        "SELECT rowid, body FROM messages_fts WHERE messages_fts MATCH ?",
        (match_expression(terms),),
    ).fetchall()
    statistics = TermStatistics(store.conn)
    totals = statistics.totals()
    weights = [ranking.idf(statistics.frequency(term), totals.messages) for term in terms]
    return dict(ranking.rank(candidates, terms, weights, totals))


@pytest.mark.parametrize("query", ["server", "宕", "server down", "服务器 宕机", "lunch"])
def test_scores_equal_fts5_bm25_on_plain_text(store: Store, query: str) -> None:
    expected = fts5_bm25(store, query)
    assert expected, query
    assert our_bm25(store, query) == pytest.approx(expected, rel=1e-9)


def test_one_term_search_keeps_fts5_order(store: Store) -> None:
    expected = sorted(fts5_bm25(store, "server").items(), key=lambda item: item[1])
    assert [hit.message.id for hit in store.search("server", context=0)] == [
        message_id for message_id, _ in expected
    ]
    # more occurrences in a short message first, a long message with one last
    texts = [hit.message.text for hit in store.search("server", context=0)]
    assert texts[0] == "server server server"
    assert texts[-1].startswith("restart the server")


def test_a_rare_term_outweighs_a_common_one(store: Store) -> None:
    # "lunch" is in 2 of 8 messages; "the" (a prefix: the, then) is counted 3 + 1
    statistics = TermStatistics(store.conn)
    [lunch], [the] = query_terms("lunch"), query_terms("the")
    assert (statistics.frequency(lunch), statistics.frequency(the)) == (2, 4)
    messages = statistics.totals().messages
    assert ranking.idf(2, messages) > ranking.idf(3, messages)


def test_statistics_count_words_phrases_and_prefixes(store: Store) -> None:
    statistics = TermStatistics(store.conn)
    assert statistics.frequency(QueryTerm(("server",))) == 4
    # a phrase: the rarer of its characters (宕 and 机 are in two messages each)
    assert statistics.frequency(QueryTerm(("宕", "机"))) == 2
    # a prefix sums the words it covers: deploy (1) + deployment (1)
    assert statistics.frequency(QueryTerm(("deploy",), prefix=True)) == 2
    assert statistics.frequency(QueryTerm(("nowhere",))) == 0


def test_totals_follow_writes_and_deletes(store: Store) -> None:
    totals = TermStatistics(store.conn).totals()
    assert totals.messages == len(PLAIN)
    assert totals.tokens == sum(len(body.split()) for (body,) in bodies(store))
    store.conn.execute("DELETE FROM messages WHERE text = 'lunch at noon'")
    after = TermStatistics(store.conn).totals()
    assert (after.messages, after.tokens) == (len(PLAIN) - 1, totals.tokens - 3)


def test_an_empty_archive_has_no_totals(tmp_path: Path) -> None:
    empty = Store.open(tmp_path / "empty.db")
    assert TermStatistics(empty.conn).totals().messages == 0
    assert empty.search("server") == []
    empty.close()


def bodies(store: Store) -> list[tuple[str]]:
    return store.conn.execute("SELECT body FROM messages_fts").fetchall()
