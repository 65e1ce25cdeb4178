"""Example content for the documentation screenshots of the Summary and Ask tabs.

Screenshots are taken without running a language model (CI has none to spare
and its output varies), so the Summary and Ask tabs show this hand-written
example for the bundled sample chat, rendered by the real widgets. Citations
are resolved against the imported sample archive by the opening words of the
cited message, so every link in a screenshot points at a real stored message.
One claim is deliberately left without evidence to show how the app flags it.
"""

from __future__ import annotations

from typing import Any

from chatsum.core.domain import (
    Answer,
    AnswerOutcome,
    Citation,
    Claim,
    Message,
    Summary,
    SummaryQuality,
    SummaryTimings,
    Topic,
    Viewpoint,
)

# (title, summary, key points, views, decisions, actions); evidence is a tuple
# of message openings.
_TOPICS: dict[str, list[dict[str, Any]]] = {
    "en": [
        {
            "title": "Saturday hike: Xiangshan, not the wild Great Wall",
            "summary": "The group weighed Xiangshan against the wild Great Wall and chose Xiangshan because of Li Na's knee.",
            "points": [
                (
                    "Zhang Wei suggested the wild Great Wall: steeper, about three hours, better views.",
                    ("香山周末人太多了", "野长城有点陡"),
                )
            ],
            "views": [
                ("李娜", "Prefers Xiangshan; steep paths are hard on her knee.", ("我膝盖不太好",)),
                ("Tom", "Happy with either; 7am is early but fine.", ("Fine with Xiangshan",)),
            ],
            "decisions": [
                (
                    "Meet Saturday 7:00 at the east gate; bring water and a raincoat.",
                    ("好，周六早上七点东门集合",),
                )
            ],
            "actions": [
                ("Zhang Wei drives, four seats.", ("行，那就香山",)),
                ("Lunch is booked at the summit restaurant.", ()),
            ],
        },
        {
            "title": "Staging outage moves the launch to Wednesday",
            "summary": "The database connection pool filled up again; the Friday release is postponed to next Wednesday.",
            "points": [
                (
                    "Connections maxed out at 100 and were never released.",
                    ("Looks like it. Connections maxed out",),
                )
            ],
            "views": [
                (
                    "张伟",
                    "Had asked for a connection timeout last week.",
                    ("我上周就说要加连接超时",),
                )
            ],
            "decisions": [("Launch moves to next Wednesday.", ("好，那发布改到下周三",))],
            "actions": [
                (
                    "Zhang Wei adds the timeout and alerting today; Li Na tells the customer.",
                    ("我今天把连接超时", "同意推迟"),
                )
            ],
        },
        {
            "title": "Team dinner: hotpot on the 28th",
            "summary": "Hotpot with a split broth at Haidilao, 7pm on the 28th, paid by the company.",
            "points": [
                (
                    "A split (yuanyang) pot so Tom can avoid the spicy side.",
                    ("Hotpot is great", "鸳鸯锅就行"),
                )
            ],
            "views": [],
            "decisions": [("Haidilao, 28th at 7pm, under 150 per person.", ("那我订海底捞",))],
            "actions": [],
        },
    ],
    "zh": [
        {
            "title": "周六爬山：去香山，不去野长城",
            "summary": "大家在香山和野长城之间讨论，考虑到李娜的膝盖，最后定了香山。",
            "points": [
                (
                    "张伟建议去野长城：更陡，约三小时，风景更好。",
                    ("香山周末人太多了", "野长城有点陡"),
                )
            ],
            "views": [
                ("李娜", "更想去香山，陡路对膝盖不好。", ("我膝盖不太好",)),
                ("Tom", "两个都行，早上七点有点早但可以。", ("Fine with Xiangshan",)),
            ],
            "decisions": [("周六早上七点东门集合，带水和雨衣。", ("好，周六早上七点东门集合",))],
            "actions": [
                ("张伟开车，能坐四个人。", ("行，那就香山",)),
                ("午饭已订好山顶餐厅。", ()),
            ],
        },
        {
            "title": "测试服务器宕机，发布推迟到周三",
            "summary": "数据库连接池又满了，周五的发布改到下周三。",
            "points": [("连接数到了 100 一直不释放。", ("Looks like it. Connections maxed out",))],
            "views": [("张伟", "上周就提过要加连接超时。", ("我上周就说要加连接超时",))],
            "decisions": [("发布改到下周三。", ("好，那发布改到下周三",))],
            "actions": [
                ("张伟今天加上连接超时和告警；李娜通知客户。", ("我今天把连接超时", "同意推迟"))
            ],
        },
        {
            "title": "团建聚餐：28 号吃火锅",
            "summary": "28 号晚上七点海底捞鸳鸯锅，公司报销。",
            "points": [("点鸳鸯锅，照顾不太能吃辣的 Tom。", ("Hotpot is great", "鸳鸯锅就行"))],
            "views": [],
            "decisions": [("海底捞，28 号晚上七点，人均一百五以内。", ("那我订海底捞",))],
            "actions": [],
        },
    ],
}

_GIST = {
    "en": "A busy day: the hike is set for Saturday, the launch slips a week, and dinner is hotpot.",
    "zh": "忙碌的一天：周六爬山定了，发布推迟一周，聚餐吃火锅。",
}

_ANSWERS = {
    "en": [
        (
            "When is the launch now?",
            "When is the launch now?",
            "The launch moved to next Wednesday [{a}], because the staging database pool kept filling up [{b}].",
            ("好，那发布改到下周三", "Looks like it. Connections maxed out"),
        ),
        (
            "Who is driving?",
            "Who is driving to the Saturday hike at Xiangshan?",
            "Zhang Wei is driving; his car seats four [{a}].",
            ("行，那就香山",),
        ),
        (
            "What did we decide about the budget for the offsite?",
            "What did we decide about the budget for the offsite?",
            "Not found in the archive.",
            (),
        ),
    ],
    "zh": [
        (
            "发布现在是什么时候？",
            "发布现在是什么时候？",
            "发布改到了下周三 [{a}]，因为测试环境的数据库连接池一直被占满 [{b}]。",
            ("好，那发布改到下周三", "Looks like it. Connections maxed out"),
        ),
        ("谁开车？", "周六去香山爬山谁开车？", "张伟开车，能坐四个人 [{a}]。", ("行，那就香山",)),
        ("团建的预算最后定了多少？", "团建的预算最后定了多少？", "档案中没有找到相关内容。", ()),
    ],
}


def _find(messages: list[Message], opening: str) -> Message:
    for message in messages:
        if message.text.startswith(opening):
            return message
    raise LookupError(f"the sample chat has no message starting {opening!r}")


def _citation(message: Message) -> Citation:
    return Citation(
        message.id, message.conversation_id, message.sender_name, message.ts_ms, message.text
    )


def example_summary(messages: list[Message], language: str) -> Summary:
    """The example summary of the sample chat, citing its real stored messages."""
    cited: dict[int, Message] = {}

    def ids(openings: tuple[str, ...]) -> tuple[int, ...]:
        found = [_find(messages, opening) for opening in openings]
        cited.update((m.id, m) for m in found)
        return tuple(m.id for m in found)

    def claims(items: list[tuple[str, tuple[str, ...]]]) -> tuple[Claim, ...]:
        return tuple(Claim(text, ids(ev), supported=bool(ev)) for text, ev in items)

    topics = tuple(
        Topic(
            title=raw["title"],
            summary=raw["summary"],
            key_points=claims(raw["points"]),
            viewpoints=tuple(Viewpoint(who, view, ids(ev)) for who, view, ev in raw["views"]),
            decisions=claims(raw["decisions"]),
            action_items=claims(raw["actions"]),
        )
        for raw in _TOPICS[language]
    )
    unsupported = sum(1 for topic in topics for claim in topic.claims() if not claim.supported)
    first, last = messages[0], messages[-1]
    return Summary(
        conversation_id=first.conversation_id,
        since_ms=first.ts_ms,
        until_ms=last.ts_ms + 1,
        scope="day",
        language=language,
        gist=_GIST[language],
        topics=topics,
        model_id="qwen2.5-coder-1.5b-instruct-q4km",
        prompt_version="example",
        timings=SummaryTimings(
            total_s=41.7, llm_s=40.9, llm_calls=1, prompt_tokens=1480, completion_tokens=512
        ),
        quality=SummaryQuality(messages_in=len(messages), unsupported_claims=unsupported),
        cited_messages=tuple(_citation(m) for m in cited.values()),
        message_count=len(messages),
    )


def example_answers(messages: list[Message], language: str) -> list[Answer]:
    """Two answered questions and one the archive cannot answer."""
    answers = []
    for question, rewritten, template, openings in _ANSWERS[language]:
        found = [_find(messages, opening) for opening in openings]
        marks = dict(zip("ab", (m.id for m in found), strict=False))
        answers.append(
            Answer(
                question=question,
                rewritten_question=rewritten,
                outcome=AnswerOutcome.ANSWERED if found else AnswerOutcome.REJECTED,
                text=template.format(**marks),
                language=language,
                citations=tuple(_citation(m) for m in found),
                model_id="qwen2.5-coder-1.5b-instruct-q4km",
            )
        )
    return answers
