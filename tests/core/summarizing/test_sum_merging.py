"""Merging earlier topics by the model's grouping: claims carried over with their ids."""

from __future__ import annotations

from chatsum.core.domain import Claim, Topic, Viewpoint
from chatsum.core.pipelines.summarizing.citations import CitationTally
from chatsum.core.pipelines.summarizing.merging import combine, merge_topics
from chatsum.core.pipelines.summarizing.prompts import render_topics

HIKE_AM = Topic(
    "周末爬山",
    "商量周六去香山",
    key_points=(Claim("周六去香山", (1, 2)), Claim("没有依据", (), supported=False)),
    viewpoints=(Viewpoint("张伟", "想爬山", (1,)), Viewpoint("李娜", "嫌累", (3,))),
)
HIKE_PM = Topic(
    "爬山安排",
    "定了集合时间",
    key_points=(Claim("周六去香山爬山", (9,)), Claim("早上七点东门集合", (10,))),
    viewpoints=(Viewpoint("张伟", "负责开车", (11,)), Viewpoint("王强", "带水", (12,))),
    decisions=(Claim("七点东门集合", (10,)),),
)
RELEASE = Topic(
    "版本上线",
    "上线推迟到周五",
    key_points=(Claim("还有三个bug", (20,)),),
    viewpoints=(Viewpoint("赵敏", "客户催得紧", (21,)),),
)


def test_topics_are_rendered_one_numbered_line_each() -> None:
    assert render_topics([HIKE_AM, RELEASE], "zh") == (
        "[1] 周末爬山：商量周六去香山 要点：周六去香山\n[2] 版本上线：上线推迟到周五 要点：还有三个bug"
    )
    assert render_topics([RELEASE], "en") == "[1] 版本上线: 上线推迟到周五 Points: 还有三个bug"


def test_combined_topics_take_claims_in_turn_skip_duplicates_and_keep_one_view_each() -> None:
    merged = combine("周六爬山", "定了周六去香山", [HIKE_AM, HIKE_PM])
    # 周六去香山 and 周六去香山爬山 are one point; the unsupported claim is left behind.
    assert merged.key_points == (Claim("周六去香山", (1, 2)), Claim("早上七点东门集合", (10,)))
    assert merged.viewpoints == (
        Viewpoint("张伟", "想爬山", (1,)),
        Viewpoint("李娜", "嫌累", (3,)),
        Viewpoint("王强", "带水", (12,)),
    )
    assert merged.decisions == (Claim("七点东门集合", (10,)),)


def test_a_grouping_reply_becomes_merged_topics() -> None:
    tally = CitationTally()
    reply = {
        "topics": [
            {"group": [2, 1], "headline": "上线", "overview": "推迟到周五"},
            {"group": [1, 3, 9], "headline": "周六爬山", "overview": "定了周六去香山"},
        ]
    }
    topics, left_out = merge_topics(reply, [HIKE_AM, RELEASE, HIKE_PM], 5, tally)
    assert [t.title for t in topics] == ["上线", "周六爬山"] and left_out == 0
    assert topics[0].key_points == RELEASE.key_points
    # 1 was claimed by both groups and goes to the one whose words it shares.
    assert topics[1] == combine("周六爬山", "定了周六去香山", [HIKE_AM, HIKE_PM])
    # 9 is out of range.
    assert (tally.cited, tally.invalid, tally.dropped, tally.repaired) == (5, 1, 1, 1)


def test_every_number_in_every_group_is_sorted_out_by_the_groups_names() -> None:
    """The 1.5B model's habit: each group lists all the topics, each name fits one."""
    tally = CitationTally()
    everything = [1, 2, 3]
    reply = {
        "topics": [
            {"group": everything, "headline": "周末爬山", "overview": "周六去香山爬山"},
            {"group": everything, "headline": "版本上线", "overview": "上线推迟到周五"},
            {"group": everything, "headline": "别的事", "overview": "聊了聊天气"},
        ]
    }
    topics, left_out = merge_topics(reply, [HIKE_AM, RELEASE, HIKE_PM], 5, tally)
    assert [t.title for t in topics] == ["周末爬山", "版本上线"] and left_out == 0
    assert topics[0] == combine("周末爬山", "周六去香山爬山", [HIKE_AM, HIKE_PM])
    assert topics[1].key_points == RELEASE.key_points
    assert (tally.invalid, tally.repaired) == (0, 3)


def test_a_topic_no_group_took_joins_the_closest_group_or_stands_alone() -> None:
    tally = CitationTally()
    reply = {"topics": [{"group": [1], "headline": "周末爬山", "overview": "去香山"}]}
    topics, left_out = merge_topics(reply, [HIKE_AM, HIKE_PM, RELEASE], 5, tally)
    assert [t.title for t in topics] == ["周末爬山", "版本上线"] and left_out == 0
    assert 10 in topics[0].key_points[1].message_ids  # HIKE_PM joined by its words
    assert tally.repaired == 2


def test_when_there_is_no_room_an_unrelated_topic_is_left_out() -> None:
    reply = {"topics": [{"group": [1], "headline": "周末爬山", "overview": "去香山"}]}
    topics, left_out = merge_topics(reply, [HIKE_AM, RELEASE], 1, CitationTally())
    assert [t.title for t in topics] == ["周末爬山"] and left_out == 1


def test_a_reply_naming_no_valid_group_merges_nothing() -> None:
    reply = {"topics": [{"group": [7], "headline": "x", "overview": "y"}, "junk"]}
    assert merge_topics(reply, [HIKE_AM], 5, CitationTally()) == ([], 0)


def test_one_group_of_everything_gives_up_its_least_fitting_member() -> None:
    tally = CitationTally()
    reply = {"topics": [{"group": [1, 2, 3], "headline": "周末爬山", "overview": "去香山爬山"}]}
    topics, left_out = merge_topics(reply, [HIKE_AM, RELEASE, HIKE_PM], 5, tally, 2)
    assert [t.title for t in topics] == ["周末爬山", "版本上线"] and left_out == 0
    assert topics[0] == combine("周末爬山", "去香山爬山", [HIKE_AM, HIKE_PM])
    assert tally.repaired == 1
    # Without a minimum the model's single group stands.
    alone, _ = merge_topics(reply, [HIKE_AM, RELEASE, HIKE_PM], 5, CitationTally())
    assert [t.title for t in alone] == ["周末爬山"]


def test_a_contested_topic_that_fits_no_groups_name_is_placed_like_a_left_over() -> None:
    reply = {
        "topics": [
            {"group": [1, 2], "headline": "周末爬山", "overview": "去香山"},
            {"group": [1, 2], "headline": "聚餐", "overview": "晚上吃火锅"},
        ]
    }
    topics, left_out = merge_topics(reply, [HIKE_AM, RELEASE], 5, CitationTally())
    # Taking the first claimant on a tie would have put the release under 周末爬山.
    assert [t.title for t in topics] == ["周末爬山", "版本上线"] and left_out == 0
    assert topics[1].key_points == RELEASE.key_points
