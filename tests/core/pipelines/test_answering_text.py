"""The model-free steps: language, is-it-a-question, references, citation checks."""

from __future__ import annotations

import pytest

from chatsum.core.domain import Message, MessageKind
from chatsum.core.pipelines.answer_checks import addresses, check_reply, cited_ids, says_not_found
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
    checked = check_reply(
        "The seed round raised $2.5M from Northwind. Nice weather!", shown, {20, 21}
    )
    assert checked.text == "The seed round raised $2.5M from Northwind [20]."
    assert checked.cited == (20,) and checked.unsupported == ("Nice weather!",)
    assert says_not_found("档案中没有找到相关内容。") and says_not_found(
        "The messages do not mention it."
    )
    assert not says_not_found("It was found in the garage.")


def test_a_citation_after_the_full_stop_still_belongs_to_its_sentence() -> None:
    shown = [message(7, "线上服务器又宕机了，数据库连接池被打满"), message(9, "那个查询没加索引")]
    checked = check_reply("宕机是因为连接池被打满。[7] 查询没加索引。", shown, existing={7, 9})
    assert checked.text == "宕机是因为连接池被打满。[7] 查询没加索引 [9]。"
    assert checked.cited == (7, 9)


def sent(i: int, sender: str, text: str) -> Message:
    return Message(
        i, 1, None, sender, 1_714_564_800_000, 480, False, MessageKind.TEXT, text
    )  # 2024-05-01 20:00


BIRTHDAY = [sent(47, "妈妈", "奶奶80岁生日，5月12号中午一起吃饭"), sent(48, "王强", "我那天要加班")]


def test_a_number_nobody_wrote_makes_a_sentence_unsupported() -> None:
    shown = [sent(61, "小红", "老师说要讨论期末考试和暑假作业")]
    checked = check_reply("小红期末考试数学考了90分 [61]。", shown, {61})
    assert (
        checked.text == ""
        and checked.cited == ()
        and checked.unsupported == ("小红期末考试数学考了90分。",)
    )


def test_a_person_the_cited_message_does_not_name_makes_a_sentence_unsupported() -> None:
    checked = check_reply("王强的生日是5月12号 [47]。", BIRTHDAY, {47, 48})
    assert checked.text == "" and checked.unsupported
    ok = check_reply("妈妈说奶奶5月12号过80岁生日 [47]。", BIRTHDAY, {47, 48})
    assert ok.cited == (47,) and not ok.unsupported


def test_a_person_known_to_the_archive_but_not_shown_is_checked_too() -> None:
    only_mum = BIRTHDAY[:1]
    # 王强 wrote none of the shown messages: only the archive's list of people knows him.
    assert check_reply("王强的生日是5月12号 [47]。", only_mum, {47}).cited == (47,)
    checked = check_reply("王强的生日是5月12号 [47]。", only_mum, {47}, people={"王强"})
    assert checked.cited == () and checked.unsupported


def test_a_reply_that_does_not_touch_the_question_is_told_apart() -> None:
    unrelated = sent(58, "爸爸", "要出差，你去吧")
    assert not addresses("去青岛的高铁票一张多少钱？", "爸爸说要出差，你去吧 [58]。", [unrelated])
    tickets = sent(59, "爸爸", "坐高铁去，我来买票")
    assert addresses("去青岛的高铁票一张多少钱？", "爸爸说他来买票 [59]。", [tickets])
    # Across languages the reply restates the question's words.
    launch = sent(6, "张伟", "好，那就定3月29号上线")
    assert addresses("When was the launch moved to?", "The launch is on March 29 [6].", [launch])


def test_a_sentence_citing_the_wrong_message_is_moved_to_the_right_one() -> None:
    shown = [
        sent(7, "王强", "线上服务器又宕机了，数据库连接池被打满"),
        sent(11, "王强", "大概40分钟，从22点10分到22点50分"),
    ]
    checked = check_reply("服务器宕机影响了40分钟 [7]。", shown, {7, 11})
    assert checked.text == "服务器宕机影响了40分钟 [7, 11]。" and checked.cited == (7, 11)
    alone = check_reply("影响了40分钟，从22点10分到22点50分 [99]。", shown, {7, 11})
    assert alone.text == "影响了40分钟，从22点10分到22点50分 [11]。" and alone.dropped == (99,)


def test_numbers_match_times_and_chinese_numerals() -> None:
    shown = [
        sent(62, "小明", "豆豆这两天不吃东西"),
        sent(63, "小明", "医生说是肠胃炎，开了三天的药"),
    ]
    assert check_reply("豆豆要吃3天的药 [63]。", shown, {62, 63}).cited == (63,)
    assert check_reply("小明 wrote on 2024-05-01 at 20:00 [63].", shown, {62, 63}).cited == (63,)


def test_another_language_keeps_only_the_number_and_name_checks() -> None:
    shown = [sent(20, "陈静", "预计停机两小时，晚上11点到凌晨1点")]
    assert check_reply(
        "The downtime will be two hours, from 11pm to 1am [20].", shown, {20}
    ).cited == (20,)
    assert check_reply("The downtime starts at 9pm [20].", shown, {20}).unsupported


def test_a_source_note_gives_its_citations_to_the_claim_before_it() -> None:
    shown = [
        sent(35, "Jack", "I can drive, my car fits five people"),
        sent(36, "Olivia", "I'll be at the Safeway on Market Street at 7:15"),
    ]
    reply = (
        "Jack is picking people up at the Safeway on Market Street at 7:15. "
        "This information comes from message [36]."
    )
    checked = check_reply(reply, shown, existing={35, 36})
    assert checked.unsupported == ()
    assert (
        checked.text
        == "Jack is picking people up at the Safeway on Market Street at 7:15 [35, 36]."
    )
    # a sentence that only starts like a note keeps its own claim
    own = check_reply(
        "Jack can drive [35]. According to the messages, Olivia waits at Safeway at 7:15 [36].",
        shown,
        existing={35, 36},
    )
    assert "Olivia waits at Safeway at 7:15 [36]" in own.text
    # a note with nothing before it is checked like any sentence
    alone = check_reply("来源：[36]", shown, existing={35, 36})
    assert alone.cited == (36,)
