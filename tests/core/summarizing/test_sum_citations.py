"""Citation checking and repair: numbers to ids, wrong speakers, no evidence."""

from __future__ import annotations

from typing import Any

from chatsum.core.domain import Claim, Topic, Viewpoint
from chatsum.core.pipelines.summarizing.citations import CitationChecker, citation_validity
from chatsum.core.pipelines.summarizing.preprocessing import prepare_lines
from chatsum.core.pipelines.summarizing.prompts import chat_line_texts, render_lines
from tests.core.summarizing.helpers import chat, message

ROWS = [
    ("张伟", "周六去香山爬山吧"),  # [1] -> message 1
    ("李娜", "爬山太累了，我更想去唱K"),  # [2] -> 2
    ("王强", "我同意张伟，爬山还能锻炼身体"),  # [3] -> 3
    ("李娜", "那下雨怎么办"),  # [4] -> 4
    ("张伟", "天气预报说周六晴天"),  # [5] -> 5
]


def checker() -> CitationChecker:
    _, numbering = render_lines(prepare_lines(chat(ROWS, gap_min=5), "zh").lines, "zh")
    return CitationChecker(numbering)


def view(ids: list[Any], person: str, text: str) -> dict[str, Any]:
    return {"ids": ids, "person": person, "view": text}


def test_numbers_map_to_message_ids_and_bad_numbers_are_dropped() -> None:
    c = checker()
    claim = c.claim({"ids": [1, 3, 3, 0, 99, "2"], "text": "大家商量周六去爬山"})
    assert claim == Claim("大家商量周六去爬山", (1, 3))
    assert (c.tally.cited, c.tally.invalid, c.tally.dropped) == (6, 3, 3)


def test_merged_lines_stand_for_all_their_messages() -> None:
    rows = [("张伟", "周六去爬山"), ("张伟", "香山"), ("李娜", "我想唱K")]
    _, numbering = render_lines(prepare_lines(chat(rows), "zh").lines, "zh")
    c = CitationChecker(numbering)
    assert c.viewpoint(view([1], "张伟", "想去香山爬山")) == Viewpoint(
        "张伟", "想去香山爬山", (1, 2)
    )


def test_a_view_keeps_only_lines_its_participant_wrote() -> None:
    c = checker()
    assert c.viewpoint(view([2, 3, 4], "李娜", "嫌爬山累，担心下雨")) == Viewpoint(
        "李娜", "嫌爬山累，担心下雨", (2, 4)
    )
    assert c.tally.misattributed == 1 and c.tally.dropped == 1 and c.tally.repaired == 0


def test_a_view_citing_only_someone_else_is_reattributed_to_the_writer() -> None:
    c = checker()
    result = c.viewpoint(view([3], "张伟", "支持爬山，可以锻炼身体"))
    assert result == Viewpoint("王强", "支持爬山，可以锻炼身体", (3,), reattributed_from="张伟")
    assert (c.tally.misattributed, c.tally.reattributed, c.tally.repaired) == (1, 1, 1)


def test_a_view_with_wrong_numbers_but_the_right_name_finds_its_own_line() -> None:
    c = checker()
    # The words are 李娜's line [2]; the model cited 张伟's [1].
    result = c.viewpoint(view([1], "李娜", "爬山太累，更想去唱K"))
    assert result == Viewpoint("李娜", "爬山太累，更想去唱K", (2,))
    assert c.tally.repaired == 1 and c.tally.reattributed == 0


def test_claims_without_evidence_are_found_by_words_or_flagged() -> None:
    c = checker()
    assert c.claim({"ids": [], "text": "天气预报说周六晴天"}) == Claim("天气预报说周六晴天", (5,))
    flagged = c.claim({"ids": [42], "text": "有人提议去海边"})
    assert flagged == Claim("有人提议去海边", (), supported=False)
    lonely = c.viewpoint(view([], "王强", "想去海边游泳"))
    assert lonely == Viewpoint("王强", "想去海边游泳", (), supported=False)
    assert c.tally.unsupported == 2 and c.tally.repaired == 1


def test_a_view_citing_several_other_people_is_unsupported() -> None:
    c = checker()
    result = c.viewpoint(view([2, 3], "张伟", "大家意见不一"))
    assert result is not None and not result.supported and result.message_ids == ()


def test_inline_numbers_move_into_ids() -> None:
    c = checker()
    assert c.claim({"ids": [], "text": "周六晴天[5]"}) == Claim("周六晴天", (5,))


def test_topics_read_the_schema_fields() -> None:
    c = checker()
    topics = c.topics(
        {
            "topics": [
                {
                    "headline": "周末团建",
                    "overview": "商量周六活动",
                    "points": [{"ids": [1], "text": "提议爬山"}, {"ids": [1], "text": "提议爬山"}],
                    "results": {
                        "decided": [{"ids": [5], "text": "周六天气好"}],
                        "open": [{"ids": [4], "text": "下雨怎么办"}],
                        "todo": [],
                    },
                    "views": [view([2], "李娜", "想唱K"), view([2], "李娜", "想唱K")],
                },
                {"headline": "", "overview": "没有标题的话题被丢掉"},
            ]
        }
    )
    assert topics == [
        Topic(
            "周末团建",
            "商量周六活动",
            key_points=(Claim("提议爬山", (1,)),),
            viewpoints=(Viewpoint("李娜", "想唱K", (2,)),),
            decisions=(Claim("周六天气好", (5,)),),
            open_questions=(Claim("下雨怎么办", (4,)),),
        )
    ]


def test_citation_validity_counts_ids_outside_the_range_and_wrong_speakers() -> None:
    topics = [
        Topic(
            "t",
            "s",
            key_points=(Claim("a", (1, 9)),),
            viewpoints=(Viewpoint("李娜", "b", (2,)), Viewpoint("张伟", "c", (2,))),
        )
    ]
    assert citation_validity(topics, {1: "张伟", 2: "李娜"}) == (2, 4)


def test_lines_read_number_then_speaker_and_a_digit_name_is_kept_apart() -> None:
    rows = [("张伟", "周六去爬山"), ("10086", "我也去"), ("李娜", "好主意")]
    messages = chat(rows, gap_min=5)
    messages[2] = message(3, "李娜", "好主意", 10, reply_to=1)
    zh, numbering = render_lines(prepare_lines(messages, "zh").lines, "zh")
    assert zh.splitlines() == ["1张伟：周六去爬山", "2 10086：我也去", "3李娜：（回复1）好主意"]
    assert numbering.evidence[2] == ((2, "10086"),)
    en, _ = render_lines(prepare_lines(messages, "en").lines, "en")
    assert en.splitlines()[1:] == ["2 10086: 我也去", "3 李娜: (re 1) 好主意"]
    assert chat_line_texts(zh) == ["周六去爬山", "我也去", "（回复1）好主意"]
    assert chat_line_texts(en) == ["周六去爬山", "我也去", "(re 1) 好主意"]


def test_a_view_copied_to_several_people_stays_with_the_one_whose_lines_it_matches() -> None:
    c = checker()
    copied = [
        view([1], "张伟", "想去唱K"),
        view([2], "李娜", "想去唱K"),
        view([4], "李娜", "担心下雨"),
        view([3], "王强", "想去唱K"),
    ]
    (topic,) = c.topics({"topics": [{"headline": "团建", "overview": "商量", "views": copied}]})
    # 李娜 wrote 我更想去唱K; 张伟 and 王强 never said it, so their copies go.
    assert topic.viewpoints == (
        Viewpoint("李娜", "想去唱K", (2,)),
        Viewpoint("李娜", "担心下雨", (4,)),
    )
    assert c.tally.dropped == 2


def test_views_without_words_are_never_taken_for_copies() -> None:
    c = checker()
    views = [view([2], "李娜", "👍"), view([3], "王强", "👍")]
    (topic,) = c.topics({"topics": [{"headline": "团建", "overview": "商量", "views": views}]})
    assert [v.participant for v in topic.viewpoints] == ["李娜", "王强"]
