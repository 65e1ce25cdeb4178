"""The model-free steps: language, is-it-a-question, references, citation checks."""

from __future__ import annotations

import pytest

from chatsum.core.domain import Message, MessageKind
from chatsum.core.pipelines.answer_prompts import check_reply, cited_ids, says_not_found
from chatsum.core.pipelines.question_text import (
    Utterance,
    classify,
    detect_language,
    needs_context,
    query_terms,
)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("你好", Utterance.GREETING),
        ("大家早上好！", Utterance.GREETING),
        ("Hi there!", Utterance.GREETING),
        ("thanks so much", Utterance.GREETING),
        ("收到", Utterance.GREETING),
        ("今天天气真不错", Utterance.CHITCHAT),
        ("I had pizza for lunch.", Utterance.CHITCHAT),
        ("王强对服务器宕机说了什么？", Utterance.QUESTION),
        ("新版App什么时候上线", Utterance.QUESTION),
        ("它支持移动端吗", Utterance.QUESTION),
        ("when did we agree to move the launch", Utterance.QUESTION),
        ("Tell me what Olivia said about the trail", Utterance.QUESTION),
        ("summarize the outage", Utterance.QUESTION),
        ("the launch date?", Utterance.QUESTION),
    ],
)
def test_questions_are_told_from_greetings_and_chit_chat(text: str, kind: Utterance) -> None:
    assert classify(text) is kind


@pytest.mark.parametrize(
    "text, language",
    [
        ("它支持移动端吗？", "zh"),
        ("What did 王强 say?", "en"),
        ("王强说的App上线时间", "zh"),
        ("ok", "en"),
    ],
)
def test_the_language_of_a_question(text: str, language: str) -> None:
    assert detect_language(text) == language


@pytest.mark.parametrize(
    "text, refers",
    [
        ("它支持移动端吗？", True),
        ("那个方案是谁提的？", True),
        ("他说的是什么意思", True),
        ("Does it work on phones?", True),
        ("What did she decide?", True),
        ("新版App支持移动端吗？", False),
        ("When is the launch?", False),
    ],
)
def test_questions_that_lean_on_earlier_context_are_recognised(text: str, refers: bool) -> None:
    assert needs_context(text) is refers


def test_query_terms_drop_function_words_and_pair_chinese_characters() -> None:
    assert query_terms("王强对服务器宕机说了什么？") == ["王强", "服务", "务器", "器宕", "宕机"]
    assert query_terms("What did Emma's team decide about the Q3 budget?") == [
        "emma",
        "team",
        "q3",
        "budget",
    ]
    assert query_terms("你好吗") == []


def message(i: int, text: str) -> Message:
    return Message(i, 1, None, "Ann", 1_700_000_000_000, 0, False, MessageKind.TEXT, text)


def test_checking_a_reply_keeps_only_shown_existing_ids_in_any_bracket_style() -> None:
    shown = [message(10, "launch moved to Friday"), message(11, "because of payment bugs")]
    reply = "It moved to Friday [10, 12]. The reason: payment bugs【#11】. Also [13]."
    checked = check_reply(reply, shown, existing={10, 11, 12})
    assert checked.cited == (10, 11)
    assert checked.dropped == (12, 13)
    assert checked.text == "It moved to Friday [10]. The reason: payment bugs[11]. Also."
    assert cited_ids("[1，2、3] and [4]") == [1, 2, 3, 4]


def test_a_shown_message_that_was_deleted_meanwhile_is_not_a_valid_citation() -> None:
    shown = [message(10, "launch moved to Friday")]
    checked = check_reply("Friday [10].", shown, existing=set())
    assert checked.cited == () and checked.dropped == (10,)


def test_attribution_needs_real_overlap_and_keeps_numbers_whole() -> None:
    shown = [
        message(20, "The seed round closed at $2.5M, led by Northwind"),
        message(21, "see you"),
    ]
    checked = check_reply("The seed round raised $2.5M from Northwind. Nice weather!", shown, set())
    assert checked.text == "The seed round raised $2.5M from Northwind [20]. Nice weather!"
    assert checked.cited == ()  # not existing in this check: attribution only names shown ids
    assert says_not_found("档案中没有找到相关内容。") and says_not_found(
        "The messages do not mention it."
    )
    assert not says_not_found("It was found in the garage.")


def test_a_citation_after_the_full_stop_still_belongs_to_its_sentence() -> None:
    shown = [message(7, "线上服务器又宕机了，数据库连接池被打满"), message(9, "那个查询没加索引")]
    checked = check_reply("宕机是因为连接池被打满。[7] 查询没加索引。", shown, existing={7, 9})
    assert checked.text == "宕机是因为连接池被打满。[7] 查询没加索引 [9]。"
    assert checked.cited == (7, 9)
