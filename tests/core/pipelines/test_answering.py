"""The answering pipeline with the fake model: each step, checked on a real archive."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chatsum.core.domain import Answer, AnswerOutcome
from chatsum.core.errors import Cancelled
from chatsum.core.index.embedders import FakeEmbedder
from chatsum.core.llm.base import ChatMessage, GenerationOptions
from chatsum.core.llm.fake import FakeTextGenerator, Script
from chatsum.core.pipelines.answering import AnswerOptions, AskScope, answer_question
from chatsum.core.pipelines.indexing import index_archive, open_current_index
from chatsum.core.pipelines.qa_history import QAHistory
from chatsum.core.pipelines.retrieval import RetrievalParts
from chatsum.core.progress import CancelToken, Progress, drive
from chatsum.core.storage.store import Store
from tests.qa_helpers import TEAM, build_archive, index_opener, message_id

LAUNCH = "好，那就定3月29号上线"
PROPOSAL = "我建议推迟到3月29号"
OUTAGE = "线上服务器又宕机了，数据库连接池被打满"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "a.db"
    build_archive(path)
    return path


@pytest.fixture()
def parts(db: Path, tmp_path: Path) -> Iterator[RetrievalParts]:
    embedder, opener = FakeEmbedder(), index_opener(tmp_path / "chroma")
    drive(index_archive(db, embedder, opener))
    store = Store.open(db)
    yield RetrievalParts(embedder, open_current_index(store, embedder.id, opener))
    store.close()


def ask(
    db: Path, generator: FakeTextGenerator, parts: RetrievalParts, question: str, **kwargs: Any
) -> tuple[list[Progress | str], Answer]:
    events: list[Progress | str] = []
    gen = answer_question(db, generator, parts, question, **kwargs)
    while True:
        try:
            events.append(next(gen))
        except StopIteration as stop:
            return events, stop.value


def answer_calls(generator: FakeTextGenerator) -> list[list[ChatMessage]]:
    return [messages for messages, options in generator.calls if options.json_schema is None]


@pytest.mark.parametrize(
    "text, language", [("你好！", "zh"), ("thanks a lot!", "en"), ("今天天气真不错", "zh")]
)
def test_greetings_and_chit_chat_get_a_polite_non_answer_without_the_model(
    db: Path, parts: RetrievalParts, text: str, language: str
) -> None:
    generator = FakeTextGenerator()
    events, answer = ask(db, generator, parts, text)
    assert answer.outcome is AnswerOutcome.NOT_A_QUESTION and answer.language == language
    assert events == [answer.text] and not generator.calls


@pytest.mark.parametrize(
    "question, expected",
    [
        ("公司年会定在哪一天？", "档案中没有找到相关内容。"),
        ("Who won the chess tournament?", "Not found in the archive."),
    ],
)
def test_nothing_relevant_enough_is_a_plain_rejection_in_the_questions_language(
    db: Path, parts: RetrievalParts, question: str, expected: str
) -> None:
    generator = FakeTextGenerator()
    events, answer = ask(db, generator, parts, question, options=AnswerOptions(min_relevance=0.6))
    assert answer.rejected and answer.text == expected and expected in events
    assert not generator.calls and not answer.citations


def test_the_answer_streams_cites_retrieved_messages_and_drops_invalid_citations(
    db: Path, parts: RetrievalParts
) -> None:
    launch, elsewhere = (
        message_id(db, LAUNCH),
        message_id(db, "Pick me up at Safeway at 7:15 please"),
    )
    reply = f"上线推迟到了3月29号 [{launch}, 999999]。Olivia要去Safeway [{elsewhere}]。"
    generator = FakeTextGenerator([reply])
    store = Store.open(db)
    team = store.find_conversation(TEAM).id
    store.close()
    events, answer = ask(
        db, generator, parts, "新版App推迟到哪天上线？", scope=AskScope(conversation_id=team)
    )
    pieces = [e for e in events if isinstance(e, str)]
    assert "".join(pieces) == reply and len(pieces) > 1
    assert answer.outcome is AnswerOutcome.ANSWERED
    assert [c.message_id for c in answer.citations] == [launch]
    assert answer.citations[0].sender_name == "张伟" and answer.citations[0].text == LAUNCH
    # one id does not exist, the other exists but was not shown (another conversation)
    assert answer.dropped_citations == (999999, elsewhere)
    assert elsewhere not in answer.retrieved_ids
    assert "999999" not in answer.text and str(elsewhere) not in answer.text
    assert f"[{launch}]" in answer.text
    prompt = answer_calls(generator)[0]
    assert prompt[0].role == "system" and "用中文写" in prompt[0].content
    assert (
        f"[{launch}]" in prompt[-1].content and "张伟: 好，那就定3月29号上线" in prompt[-1].content
    )


def test_an_uncited_sentence_is_matched_to_the_message_that_supports_it(
    db: Path, parts: RetrievalParts
) -> None:
    generator = FakeTextGenerator(["李娜建议推迟到3月29号。"])
    _, answer = ask(db, generator, parts, "谁建议推迟上线？")
    proposal = message_id(db, PROPOSAL)
    assert [c.message_id for c in answer.citations] == [proposal]
    assert answer.text == f"李娜建议推迟到3月29号 [{proposal}]。"


def test_a_model_that_finds_nothing_in_the_messages_is_a_rejection(
    db: Path, parts: RetrievalParts
) -> None:
    _, answer = ask(
        db,
        FakeTextGenerator(["Not found in the archive."]),
        parts,
        "Where do we meet for the hike on Saturday?",
    )
    assert answer.rejected and answer.text == "Not found in the archive." and not answer.citations


def script(rewrite: str | dict[str, Any], reply: str) -> Script:
    def respond(messages: list[ChatMessage], options: GenerationOptions) -> str | dict[str, Any]:
        return rewrite if options.json_schema is not None else reply

    return respond


def test_follow_ups_are_rewritten_from_the_session_and_reuse_its_history(
    db: Path, parts: RetrievalParts
) -> None:
    launch = message_id(db, LAUNCH)
    first = FakeTextGenerator([f"定在3月29号上线 [{launch}]。"])
    _, earlier = ask(db, first, parts, "新版App什么时候上线？")
    generator = FakeTextGenerator(
        script(
            {"question": "新版App上线前谁提议推迟？"}, f"李娜提议的 [{message_id(db, PROPOSAL)}]。"
        )
    )
    events, answer = ask(db, generator, parts, "那个是谁提议的？", session_id=earlier.session_id)
    assert answer.rewritten_question == "新版App上线前谁提议推迟？"
    assert Progress("rewritten", "新版App上线前谁提议推迟？") in events
    rewrite_call = generator.calls[0][0]
    assert "那个是谁提议的？" in rewrite_call[-1].content and "JSON" in rewrite_call[-1].content
    prompt = answer_calls(generator)[0]
    assert [m.role for m in prompt] == ["system", "user", "assistant", "user"]
    assert prompt[1].content == "新版App什么时候上线？"
    assert prompt[2].content == "定在3月29号上线。"  # the earlier answer, without its numbers
    # the rewrite and the answer share the session's prefix, so the prompt cache is reused
    assert rewrite_call[:3] == prompt[:3]
    store = Store.open(db)
    turns = QAHistory(store.conn).turns(earlier.session_id)  # type: ignore[arg-type]
    store.close()
    assert [t.question for t in turns] == ["新版App什么时候上线？", "那个是谁提议的？"]
    assert turns[0].citations[0].message_id == launch and turns[1].turn_id == answer.turn_id


def test_an_unusable_rewrite_falls_back_to_naming_the_earlier_question(
    db: Path, parts: RetrievalParts
) -> None:
    _, earlier = ask(db, FakeTextGenerator(["定在3月29号 [1]。"]), parts, "新版App什么时候上线？")
    generator = FakeTextGenerator(script("not json at all", "好的。"))
    _, answer = ask(db, generator, parts, "它为什么推迟？", session_id=earlier.session_id)
    assert answer.rewritten_question == "它为什么推迟？ (新版App什么时候上线？)"


def test_a_question_asked_from_a_chat_view_sees_the_chat_around_that_message(
    db: Path, parts: RetrievalParts
) -> None:
    generator = FakeTextGenerator(script({"question": "王强说的服务器宕机原因是什么？"}, "好的。"))
    _, answer = ask(
        db,
        generator,
        parts,
        "他说的原因是什么？",
        scope=AskScope(around_message_id=message_id(db, OUTAGE)),
    )
    assert answer.rewritten_question == "王强说的服务器宕机原因是什么？"
    assert "王强: 线上服务器又宕机了" in generator.calls[0][0][-1].content


def test_a_question_that_needs_no_context_is_not_rewritten(db: Path, parts: RetrievalParts) -> None:
    generator = FakeTextGenerator(["好的。"])
    _, answer = ask(db, generator, parts, "新版App什么时候上线？")
    assert answer.rewritten_question == answer.question
    assert all(options.json_schema is None for _, options in generator.calls)


def test_filters_limit_what_the_model_is_shown(db: Path, parts: RetrievalParts) -> None:
    store = Store.open(db)
    team = store.find_conversation(TEAM).id
    store.close()
    generator = FakeTextGenerator(["ok"])
    options = AnswerOptions(min_relevance=0.0)
    _, answer = ask(
        db,
        generator,
        parts,
        "Saturday 上线 宕机?",
        scope=AskScope(conversation_id=team),
        options=options,
    )
    store = Store.open(db)
    shown = store.messages_by_ids(answer.retrieved_ids)
    store.close()
    assert shown and {m.conversation_id for m in shown.values()} == {team}


def test_the_prompt_is_cut_to_fit_the_context_window(db: Path, parts: RetrievalParts) -> None:
    generator = FakeTextGenerator(["ok"], context_length=440)
    options = AnswerOptions(max_tokens=150, passages=5, min_relevance=0.0)
    _, answer = ask(db, generator, parts, "Saturday 上线 宕机 Safeway trail?", options=options)
    prompt = answer_calls(generator)[0]
    assert generator.count_chat_tokens(prompt) <= 440 - 150
    assert answer.retrieved_ids


def test_cancel_stops_the_answer_and_keeps_no_turn(db: Path, parts: RetrievalParts) -> None:
    cancel = CancelToken()
    gen = answer_question(
        db,
        FakeTextGenerator(["one two three four five"]),
        parts,
        "新版App什么时候上线？",
        cancel=cancel,
    )
    with pytest.raises(Cancelled):
        for event in gen:
            if isinstance(event, str):
                cancel.cancel()
    store = Store.open(db)
    assert store.conn.execute("SELECT COUNT(*) FROM qa_turns").fetchone()[0] == 0
    store.close()


def test_forgetting_a_conversation_deletes_the_answers_that_quote_it(
    db: Path, parts: RetrievalParts
) -> None:
    launch = message_id(db, LAUNCH)
    _, cited = ask(db, FakeTextGenerator([f"3月29号 [{launch}]。"]), parts, "新版App什么时候上线？")
    _, other = ask(
        db,
        FakeTextGenerator(["Not found in the archive."]),
        parts,
        "Where do we meet on Saturday?",
        session_id=cited.session_id,
    )
    store = Store.open(db)
    store.forget_conversation(store.find_conversation(TEAM).id)
    turns = QAHistory(store.conn).turns(cited.session_id)  # type: ignore[arg-type]
    store.close()
    assert [t.turn_id for t in turns] == [other.turn_id]


def test_sessions_are_listed_newest_first_with_their_turn_counts(
    db: Path, parts: RetrievalParts
) -> None:
    _, one = ask(db, FakeTextGenerator(["ok"]), parts, "新版App什么时候上线？")
    ask(db, FakeTextGenerator(["ok"]), parts, "谁建议推迟？", session_id=one.session_id)
    _, two = ask(db, FakeTextGenerator(["ok"]), parts, "Where do we meet on Saturday?")
    store = Store.open(db)
    sessions = QAHistory(store.conn).sessions()
    store.close()
    assert [(s.id, s.turns) for s in sessions][:2] in (
        [(two.session_id, 1), (one.session_id, 2)],
        [(one.session_id, 2), (two.session_id, 1)],
    )
    assert {s.title for s in sessions} == {"新版App什么时候上线？", "Where do we meet on Saturday?"}
    assert json.dumps([s.__dict__ for s in sessions], ensure_ascii=False)


def test_retrieved_messages_are_capped_so_the_first_token_comes_quickly(
    db: Path, parts: RetrievalParts
) -> None:
    generator = FakeTextGenerator(["ok"], context_length=32768)
    options = AnswerOptions(max_context_tokens=40, min_relevance=0.0)
    _, answer = ask(db, generator, parts, "Saturday 上线 宕机 Safeway trail?", options=options)
    content = answer_calls(generator)[0][-1].content
    context = content.rsplit("\n\nQuestion: ", 1)[0].removeprefix("Chat messages:\n")
    assert 0 < generator.count_tokens(context) <= 40
    assert 0 < len(answer.retrieved_ids) < 14


def test_a_rewrite_that_changes_nothing_falls_back_and_loses_copied_numbers(
    db: Path, parts: RetrievalParts
) -> None:
    launch = message_id(db, LAUNCH)
    _, earlier = ask(
        db, FakeTextGenerator([f"定在3月29号上线 [{launch}]。"]), parts, "新版App什么时候上线？"
    )
    unchanged = FakeTextGenerator(script({"question": f"它为什么推迟？ [{launch}]"}, "好的。"))
    _, answer = ask(db, unchanged, parts, "它为什么推迟？", session_id=earlier.session_id)
    assert answer.rewritten_question == "它为什么推迟？ (新版App什么时候上线？)"


def test_a_reply_of_bare_message_numbers_becomes_the_cited_messages(
    db: Path, parts: RetrievalParts
) -> None:
    launch = message_id(db, LAUNCH)
    _, answer = ask(db, FakeTextGenerator([f"[{launch}]"]), parts, "新版App什么时候上线？")
    assert answer.text == f"张伟: {LAUNCH} [{launch}]"
    assert [c.message_id for c in answer.citations] == [launch]


def test_weak_passages_beside_a_strong_one_are_not_shown(db: Path, parts: RetrievalParts) -> None:
    generator = FakeTextGenerator(["ok"])
    options = AnswerOptions(min_relevance=0.0, relative_floor=0.99)
    _, answer = ask(db, generator, parts, "服务器宕机是什么原因？", options=options)
    store = Store.open(db)
    shown = store.messages_by_ids(answer.retrieved_ids)
    store.close()
    assert OUTAGE in {m.text for m in shown.values()}
    assert {m.conversation_id for m in shown.values()} == {
        next(iter(shown.values())).conversation_id
    }


def test_a_rewrite_that_keeps_the_pronoun_is_not_trusted(db: Path, parts: RetrievalParts) -> None:
    _, earlier = ask(db, FakeTextGenerator(["3月29号。"]), parts, "新版App什么时候上线？")
    lazy = FakeTextGenerator(script({"question": "它在平板上能用吗？"}, "好的。"))
    _, answer = ask(db, lazy, parts, "那它在平板上能用吗？", session_id=earlier.session_id)
    assert answer.rewritten_question == "那它在平板上能用吗？ (新版App什么时候上线？)"
