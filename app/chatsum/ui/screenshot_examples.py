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


# A customer-service group for the Extract tab (the sample chat is among
# friends): written out as a WhatsApp export and imported for real.
SERVICE_CHAT_NAME = "WhatsApp Chat with 扫地机器人客户群.txt"
SERVICE_CHAT = """\
20/11/2026, 10:00 - 客服-小美: 您好，欢迎咨询！请问有什么可以帮您？
20/11/2026, 10:02 - 王先生: 我想了解一下你们的扫地机器人X1，多少钱？
20/11/2026, 10:03 - 客服-小美: X1现在活动价2999元，包邮，保修两年。
20/11/2026, 10:05 - 王先生: 预算大概3000左右，我家在杭州西湖区，100平
20/11/2026, 10:06 - 销售-老陈: 王先生您好，我们还有X2套餐，带拖地功能，3999元。
20/11/2026, 10:08 - 王先生: X2有点贵，隔壁品牌同款才3500
20/11/2026, 10:09 - 王先生: 我的手机是138 1234 5678
20/11/2026, 10:10 - 客服-小美: 好的，明天下午三点我给您打电话确认安装时间。
20/11/2026, 10:15 - 李女士: 请问X1能扫宠物毛发吗？我家有两只猫
20/11/2026, 10:16 - 客服-小美: 可以的，X1有专门的宠物毛发滚刷。
20/11/2026, 10:18 - 李女士: 那我想要X1，上海浦东，周末能送到吗？
20/11/2026, 10:19 - 销售-老陈: 周六可以送到，我来安排，您留个电话吧
20/11/2026, 10:20 - 李女士: 139 0000 1111，周六上午最好
"""

# customer → {field: (value, openings of the messages that say it)}
_LEADS: dict[str, dict[str, tuple[str | tuple[str, ...], tuple[str, ...]]]] = {
    "王先生": {
        "基本信息-姓名": ("王先生", ("我想了解一下",)),
        "基本信息-手机号码": ("138 1234 5678", ("我的手机是",)),
        "基本信息-地区": ("杭州西湖区", ("预算大概3000",)),
        "基本信息-性别": ("男", ("我想了解一下",)),
        "咨询类型": (("价格",), ("我想了解一下",)),
        "意向产品": (("扫地机器人X1", "X2套餐"), ("我想了解一下", "王先生您好")),
        "购买异议点": (("X2有点贵",), ("X2有点贵",)),
        "客户预算-总体预算金额": ("3000左右", ("预算大概3000",)),
        "竞品信息": (("隔壁品牌同款3500",), ("X2有点贵",)),
        "客户是否有意向": ("有意向", ("预算大概3000",)),
        "下一步跟进计划-参与人": (("客服-小美",), ("好的，明天下午",)),
        "下一步跟进计划-时间点": ("明天下午三点", ("好的，明天下午",)),
        "下一步跟进计划-具体事项": ("电话确认安装时间", ("好的，明天下午",)),
    },
    "李女士": {
        "基本信息-姓名": ("李女士", ("请问X1能扫",)),
        "基本信息-手机号码": ("139 0000 1111", ("139 0000",)),
        "基本信息-地区": ("上海浦东", ("那我想要X1",)),
        "基本信息-性别": ("女", ("请问X1能扫",)),
        "咨询类型": (("功能", "配送"), ("请问X1能扫", "那我想要X1")),
        "意向产品": (("X1",), ("那我想要X1",)),
        "客户是否有意向": ("有意向", ("那我想要X1",)),
        "下一步跟进计划-参与人": (("销售-老陈",), ("周六可以送到",)),
        "下一步跟进计划-时间点": ("周六上午", ("139 0000",)),
        "下一步跟进计划-具体事项": ("送货上门", ("周六可以送到",)),
    },
}


def example_extraction(messages: list[Message]) -> Any:
    """Customer-lead records for `SERVICE_CHAT`, every value citing real messages."""
    from chatsum.core.pipelines.extracting import (
        Cell,
        CustomerRecord,
        ExtractionResult,
        ExtractionStats,
        Value,
        lead_schema,
    )

    schema = lead_schema()
    senders = {m.sender_name: m.participant_id for m in messages}
    records = []
    for customer, fields in _LEADS.items():
        cells = []
        for item in schema.fields:
            raw, openings = fields.get(item.name, ((), ()))
            texts = (raw,) if isinstance(raw, str) else raw
            ids = tuple(_find(messages, opening).id for opening in openings)
            if len(ids) == len(texts):  # one message per list item
                values = tuple(Value(t, (i,)) for t, i in zip(texts, ids, strict=True))
            else:
                values = tuple(Value(t, ids) for t in texts)
            cells.append(Cell(item.name, values))
        records.append(CustomerRecord(customer, senders.get(customer), tuple(cells)))
    return ExtractionResult(
        conversation_id=messages[0].conversation_id,
        schema=schema,
        roles=(),
        records=tuple(records),
        stats=ExtractionStats(1, 4, 4, 5200, 980, 63.4),
        model_id="qwen2.5-coder-1.5b-instruct-q4km",
    )
