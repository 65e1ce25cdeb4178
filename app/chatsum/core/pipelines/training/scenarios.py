"""Topic templates for synthetic group chats, in Chinese and English.

Each template is one small discussion: who says what (`Beat`s spoken by
roles p0, p1, ...), and, for each line, what it contributes to the summary
in the summary's own words: the speaker's view, a key point, a decision, an
open question or an action item. Because the summary items are written next
to the lines that support them, the generator knows every citation and every
attribution exactly. Summary wording deliberately differs from the chat
wording (the model must learn to paraphrase, not copy), and slots ({place},
{day}, ...) and random people vary every instance. `optional` beats are left
out at random, so not every instance has, say, an open question.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Beat:
    who: int
    says: tuple[str, ...]
    view: str = ""
    point: str = ""
    decided: str = ""
    open: str = ""
    todo: str = ""
    optional: bool = False


@dataclass(frozen=True)
class TopicTemplate:
    key: str
    language: str
    titles: tuple[str, ...]
    overview: str
    beats: tuple[Beat, ...]
    slots: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def roles(self) -> int:
        return max(beat.who for beat in self.beats) + 1


ZH_NAMES = (
    *("张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵磊", "黄敏", "周杰", "吴婷"),
    *("徐明", "孙丽", "马超", "朱琳", "胡斌", "郭晶", "何涛", "高原", "林峰", "罗雪"),
    *("小美", "阿强", "老王", "大刘", "豆豆", "糖糖", "Kevin", "Lily", "小陈", "晓雯"),
)
EN_NAMES = (
    *("Alice", "Ben", "Chloe", "David", "Emma", "Frank", "Grace", "Henry", "Isla", "Jack"),
    *("Kate", "Liam", "Mia", "Noah", "Olivia", "Priya", "Raj", "Sofia", "Tom", "Uma"),
    *("Victor", "Wei", "Yuki", "Zoe", "Omar", "Lena", "Carlos", "Hana", "Sam", "Nina"),
)
ZH_FILLER = ("好的", "哈哈哈", "[表情]", "👍", "嗯嗯", "收到", "[图片]", "哈哈", "好滴", "ok")
EN_FILLER = ("ok", "lol", "👍", "haha", "thanks", "<Media omitted>", "noted", "cool", "k")

ZH_TEMPLATES = (
    TopicTemplate(
        "hike",
        "zh",
        ("周末爬山", "{place}爬山计划", "约爬{place}"),
        "商量{day}去{place}爬山，定下集合的时间和地点",
        (
            Beat(
                0,
                (
                    "大家{day}有空吗？想约个爬山，去{place}怎么样",
                    "{day}天气不错，要不要一起爬{place}",
                ),
                view="提议{day}结伴去{place}",
            ),
            Beat(
                1, ("{place}我去过，风景不错，就是人特别多",), point="{place}景色好，但周末游客多"
            ),
            Beat(
                2,
                ("人多的话得早点出发吧，{time}集合？", "建议早点走，{time}碰头，不然排队"),
                view="主张提早到{time}碰头以避开人流",
            ),
            Beat(
                0,
                ("行，那就{day}{time}在{meet}集合", "定了：{day}{time}，{meet}见"),
                decided="{day}{time}于{meet}会合出发",
            ),
            Beat(
                3,
                ("我{day}可能要加班，不一定能去",),
                view="担心加班，暂时无法确认行程",
                open="{p3}是否参加还没确定",
                optional=True,
            ),
            Beat(
                1,
                ("我来查下天气，顺便买点水和零食",),
                view="愿意承担查天气和采购补给",
                todo="{p1}查天气、准备饮水和零食",
            ),
        ),
        {
            "place": ("香山", "八达岭", "凤凰岭", "梧桐山", "莫干山", "紫金山", "岳麓山", "白云山"),
            "day": ("周六", "周日", "这周六", "下周日"),
            "time": ("早上七点", "早上八点", "九点", "七点半"),
            "meet": ("地铁站", "公司楼下", "景区南门", "小区门口"),
        },
    ),
    TopicTemplate(
        "dinner",
        "zh",
        ("部门聚餐", "聚餐安排", "{date}聚餐"),
        "讨论{date}部门聚餐吃什么，兼顾口味和预算后选定{restaurant}",
        (
            Beat(
                0,
                ("{date}部门聚餐，大家想吃什么？", "{date}要聚餐啦，有推荐的地方吗"),
                view="发起聚餐并征集大家的意见",
            ),
            Beat(
                1,
                ("去{restaurant}吧，上次吃着还行", "我投{restaurant}一票"),
                view="推荐{restaurant}",
            ),
            Beat(2, ("我最近在减肥，能不能选个清淡点的",), view="因为控制饮食，希望口味清淡"),
            Beat(
                3,
                ("预算控制在{budget}以内吧，公司报销有上限",),
                point="报销有上限，人均不宜超过{budget}",
                view="提醒注意报销额度",
            ),
            Beat(
                0, ("那就{restaurant}，点几个清淡的菜",), decided="选{restaurant}，菜品兼顾清淡口味"
            ),
            Beat(1, ("我来订位，订{count}个人的？",), todo="{p1}负责预订座位"),
            Beat(0, ("还有几个人没回复要不要来",), open="部分同事尚未确认是否出席", optional=True),
        ),
        {
            "restaurant": ("海底捞", "西贝", "外婆家", "楼下川菜馆", "新开的烤肉店", "湘菜馆"),
            "budget": ("人均100", "人均150", "人均80", "人均120"),
            "date": ("周五晚上", "下周三晚上", "明晚", "月底"),
            "count": ("8", "10", "12", "6"),
        },
    ),
    TopicTemplate(
        "release",
        "zh",
        ("{version}上线", "版本发布安排", "{module}上线"),
        "核对{version}的上线进度，因缺陷和测试未完成改为先灰度",
        (
            Beat(
                0,
                ("{version}计划{day}上线，大家进度怎么样？",),
                view="希望{version}按原计划{day}发布",
            ),
            Beat(
                1,
                ("{module}还有两个bug没修完，估计要明天", "{module}那边还剩两个bug，明天才能搞定"),
                view="修完{module}的问题需要多一天",
                point="{module}仍有两个缺陷待修复",
            ),
            Beat(
                2, ("测试这边回归还没跑完，{day}上线有点赶",), view="认为回归测试没做完，时间太紧"
            ),
            Beat(
                0, ("那{day}先发灰度，全量往后推两天",), decided="{day}只做灰度，全量发布延后两天"
            ),
            Beat(1, ("好，我今晚把bug修掉",), todo="{p1}当晚修复{module}缺陷"),
            Beat(3, ("灰度比例定多少？10%还是20%",), open="灰度放量比例尚未确定", optional=True),
        ),
        {
            "version": ("v2.3", "v3.0", "1.8版本", "新版App", "v4.1"),
            "day": ("周四", "周五", "下周一", "明天"),
            "module": ("支付模块", "登录页", "订单系统", "推送服务", "搜索功能"),
        },
    ),
    TopicTemplate(
        "repair",
        "zh",
        ("{thing}维修", "家里报修", "{thing}坏了"),
        "合租室友讨论{thing}故障，决定先自费找师傅修，再向房东报销",
        (
            Beat(
                0,
                ("家里{thing}又坏了，已经两天了", "{thing}坏了两天了，受不了了"),
                view="反映{thing}故障已持续两天",
            ),
            Beat(
                1,
                ("要不找房东吧，合同里写了维修他负责",),
                view="主张按合同由房东承担维修",
                point="租房合同约定维修归房东负责",
            ),
            Beat(
                2,
                ("房东上次拖了一周才修，我们先自己找师傅，大概{fee}块",),
                view="嫌房东太慢，建议自费请师傅，约{fee}元",
            ),
            Beat(
                0, ("那先找师傅修，发票留着找房东报销",), decided="先请师傅上门，凭发票向房东报销"
            ),
            Beat(2, ("我认识一个师傅，明天约他上门",), todo="{p2}明天联系师傅上门"),
            Beat(
                1,
                ("那房东不给报怎么办？费用怎么分？",),
                open="房东不报销时费用如何分摊未定",
                optional=True,
            ),
        ),
        {
            "thing": ("热水器", "空调", "洗衣机", "马桶", "路由器", "冰箱"),
            "fee": ("300", "500", "200", "450"),
        },
    ),
    TopicTemplate(
        "bookclub",
        "zh",
        ("读书会选书", "下次读书会", "共读{book}"),
        "确定下次读书会读{book}的{chapter}，并改为线上进行",
        (
            Beat(0, ("下次读书会读{book}吧", "我提议下回共读{book}"), view="提议下次共读{book}"),
            Beat(
                1,
                ("{book}有点厚，要不先读{chapter}",),
                view="觉得书太厚，建议只读{chapter}",
                point="{book}篇幅较长",
            ),
            Beat(2, ("线上还是线下？我{slot}只能线上",), view="时间受限，只能远程参加"),
            Beat(0, ("那就{slot}线上，读{chapter}",), decided="{slot}远程开会，讨论{chapter}"),
            Beat(3, ("我来开会议室链接",), todo="{p3}创建线上会议"),
            Beat(1, ("每个人要准备分享吗？",), open="每人是否都需准备发言还没定", optional=True),
        ),
        {
            "book": (
                "《人类简史》",
                "《三体》",
                "《原则》",
                "《被讨厌的勇气》",
                "《活着》",
                "《百年孤独》",
            ),
            "chapter": ("前三章", "第四到六章", "最后两章", "第一部分"),
            "slot": ("周三晚上", "周日下午", "周五晚上"),
        },
    ),
    TopicTemplate(
        "gift",
        "zh",
        ("生日礼物", "给{person}买礼物", "合买礼物"),
        "大家商量凑钱给{person}买生日礼物，定了礼物和每人出资",
        (
            Beat(0, ("{person}下周过生日，我们凑钱买个礼物吧",), view="倡议集资为{person}庆生"),
            Beat(
                1,
                ("买{gift}怎么样，实用", "我觉得{gift}不错，用得上"),
                view="推荐送{gift}，理由是实用",
            ),
            Beat(
                2,
                ("每人{amount}块可以吗？太多有点压力",),
                view="希望每人出资控制在{amount}元内",
                point="出资太多会有压力",
            ),
            Beat(0, ("那就{gift}，每人{amount}",), decided="合买{gift}，每人出{amount}元"),
            Beat(3, ("钱先转我，我来下单",), todo="{p3}收钱并下单"),
            Beat(1, ("要不要再写张贺卡？",), open="是否附上贺卡还没定", optional=True),
        ),
        {
            "person": ("王老师", "小林", "组长", "班长", "李姐"),
            "gift": ("蓝牙耳机", "蛋糕", "花束", "保温杯", "台灯", "书签礼盒"),
            "amount": ("50", "100", "80", "60"),
        },
    ),
    TopicTemplate(
        "meeting",
        "zh",
        ("周会改期", "调整例会时间", "周会时间"),
        "周会与{reason}冲突，协调后改到{to}并推迟一小时",
        (
            Beat(
                0,
                ("{from}的周会和{reason}冲突了，要改时间",),
                view="指出例会撞上{reason}，需要调整",
                point="原定例会与{reason}时间冲突",
            ),
            Beat(1, ("{to}我可以",), view="{to}有空"),
            Beat(2, ("{to}我有个外部会议，晚一点可以吗",), view="{to}另有安排，希望往后挪"),
            Beat(0, ("那改到{to}，晚一小时开始",), decided="例会挪到{to}，开始时间推后一小时"),
            Beat(0, ("我去改日历邀请",), todo="{p0}更新日历邀请"),
            Beat(3, ("会议纪要谁来写？",), open="纪要由谁负责没有定", optional=True),
        ),
        {
            "from": ("周一上午", "周二下午", "周一下午"),
            "to": ("周三上午", "周四下午", "周三下午"),
            "reason": ("客户来访", "全员培训", "调休", "季度汇报"),
        },
    ),
    TopicTemplate(
        "volunteer",
        "zh",
        ("{event}招募", "志愿者报名", "{event}报名"),
        "为{date}的{event}招募志愿者，确认可以带朋友",
        (
            Beat(
                0,
                ("{event}定在{date}，需要{count}个志愿者，有人报名吗",),
                view="为{event}召集志愿者",
                point="{event}共需{count}名志愿者",
            ),
            Beat(1, ("我报名，可以带我朋友一起吗",), view="报名参加，还想带朋友"),
            Beat(2, ("我{date}有事，下次吧",), view="时间冲突，这次不去"),
            Beat(0, ("可以带朋友，记得提前登记信息",), decided="允许带朋友，但须事先登记"),
            Beat(3, ("我来做报名表",), todo="{p3}制作报名表"),
            Beat(1, ("有交通补贴吗？",), open="交通补贴问题没有答复", optional=True),
        ),
        {
            "event": ("社区义卖", "植树活动", "敬老院探访", "马拉松", "图书捐赠"),
            "date": ("3月12日", "本周六", "下个月初", "周日上午"),
            "count": ("5", "8", "10", "12"),
        },
    ),
)

EN_TEMPLATES = (
    TopicTemplate(
        "hike",
        "en",
        ("Weekend hike", "Hike to {place}", "Planning the {place} hike"),
        "The group planned a {day} hike to {place} and agreed when and where to meet.",
        (
            Beat(
                0,
                (
                    "Anyone free on {day}? Thinking of hiking {place}",
                    "How about a hike up {place} this {day}?",
                ),
                view="Wants a group hike to {place} on {day}",
            ),
            Beat(
                1,
                ("I've been to {place}, great views but it gets really crowded",),
                point="{place} is scenic but busy at weekends",
            ),
            Beat(
                2,
                ("If it's crowded we should leave early, meet at {time}?",),
                view="Prefers an early start at {time} to beat the crowds",
            ),
            Beat(
                0,
                ("Ok, {day} at {time}, meeting at the {meet}",),
                decided="Meet at the {meet}, {time} on {day}",
            ),
            Beat(
                3,
                ("I might have to work that day, not sure I can come",),
                view="May be stuck at work and unable to join",
                open="Whether {p3} can come is unclear",
                optional=True,
            ),
            Beat(
                1,
                ("I'll check the weather and grab water and snacks",),
                view="Offers to handle weather and supplies",
                todo="{p1} checks the forecast and buys water and snacks",
            ),
        ),
        {
            "place": (
                "Mount Tam",
                "Box Hill",
                "Snowdon",
                "Ben Nevis",
                "Bear Mountain",
                "Table Mountain",
            ),
            "day": ("Saturday", "Sunday"),
            "time": ("7am", "8am", "7:30", "9am"),
            "meet": ("train station", "car park", "north gate", "office lobby"),
        },
    ),
    TopicTemplate(
        "dinner",
        "en",
        ("Team dinner", "Choosing a restaurant", "{date} team dinner"),
        "The team picked a place for the {date} dinner, balancing tastes and the budget.",
        (
            Beat(
                0,
                ("Team dinner {date}, where do you all want to go?",),
                view="Organises the dinner and asks for ideas",
            ),
            Beat(
                1, ("Let's do {restaurant}, it was good last time",), view="Recommends {restaurant}"
            ),
            Beat(
                2,
                ("I'm on a diet at the moment, could we pick something lighter?",),
                view="Wants lighter food because of a diet",
            ),
            Beat(
                3,
                ("Keep it under {budget} a head please, expenses has a cap",),
                point="Expenses cap the spend at {budget} per person",
                view="Reminds everyone of the expense limit",
            ),
            Beat(
                0,
                ("Fine, {restaurant} it is, we'll order some lighter dishes",),
                decided="Go to {restaurant} with some light dishes",
            ),
            Beat(1, ("I'll book a table, for {count} people?",), todo="{p1} books the table"),
            Beat(
                0,
                ("A few people still haven't said if they're coming",),
                open="Some colleagues have not confirmed",
                optional=True,
            ),
        ),
        {
            "restaurant": (
                "the Thai place",
                "Nando's",
                "the pizza bar",
                "Dishoom",
                "the sushi spot",
                "the new ramen shop",
            ),
            "budget": ("$40", "£30", "$50", "€35"),
            "date": ("Friday", "next Wednesday", "tomorrow night", "end of month"),
            "count": ("8", "10", "12", "6"),
        },
    ),
    TopicTemplate(
        "release",
        "en",
        ("Release {version}", "Release timing", "{module} rollout"),
        "The team reviewed readiness for {version} and switched to a staged rollout.",
        (
            Beat(
                0,
                ("{version} is planned for {day}, where is everyone at?",),
                view="Hopes to ship {version} on {day} as planned",
            ),
            Beat(
                1,
                ("{module} still has two open bugs, probably need until tomorrow",),
                view="Needs an extra day to fix {module}",
                point="Two defects remain in {module}",
            ),
            Beat(
                2,
                ("QA hasn't finished the regression run, {day} is tight",),
                view="Thinks the unfinished regression testing makes the date risky",
            ),
            Beat(
                0,
                ("Then we canary on {day} and push full rollout back two days",),
                decided="Canary on {day}; full release two days later",
            ),
            Beat(
                1,
                ("Ok, I'll fix the bugs tonight",),
                todo="{p1} fixes the {module} defects tonight",
            ),
            Beat(
                3,
                ("What canary percentage, 10 or 20?",),
                open="The canary share is undecided",
                optional=True,
            ),
        ),
        {
            "version": ("v2.3", "v3.0", "1.8", "the new app", "v4.1"),
            "day": ("Thursday", "Friday", "Monday", "tomorrow"),
            "module": ("payments", "the login page", "checkout", "push notifications", "search"),
        },
    ),
    TopicTemplate(
        "repair",
        "en",
        ("Broken {thing}", "Flat repair", "Fixing the {thing}"),
        "Flatmates discussed the broken {thing} and chose to hire a repairer, then claim from the landlord.",
        (
            Beat(
                0,
                ("The {thing} is broken again, it's been two days",),
                view="Reports the {thing} has been out for two days",
            ),
            Beat(
                1,
                ("Shouldn't the landlord handle it? The lease says repairs are on him",),
                view="Argues the landlord must pay under the lease",
                point="The lease puts repairs on the landlord",
            ),
            Beat(
                2,
                ("He took a week last time, let's just get someone in, about {fee}",),
                view="Finds the landlord too slow and suggests paying about {fee} ourselves",
            ),
            Beat(
                0,
                ("Ok, we get it fixed and keep the receipt to claim it back",),
                decided="Hire a repairer now and reclaim the cost with the receipt",
            ),
            Beat(
                2,
                ("I know a guy, I'll ask him to come tomorrow",),
                todo="{p2} arranges a repairer for tomorrow",
            ),
            Beat(
                1,
                ("And if he won't pay, how do we split it?",),
                open="How to split the cost if the landlord refuses",
                optional=True,
            ),
        ),
        {
            "thing": ("boiler", "washing machine", "fridge", "shower", "router", "heater"),
            "fee": ("$120", "£90", "$200", "£150"),
        },
    ),
    TopicTemplate(
        "bookclub",
        "en",
        ("Next book club", "Book club pick", "Reading {book}"),
        "The club chose {book}, limited the reading to {chapter}, and moved the meeting online.",
        (
            Beat(
                0,
                ("How about {book} for the next book club?",),
                view="Suggests {book} as the next read",
            ),
            Beat(
                1,
                ("{book} is long, maybe just {chapter} first?",),
                view="Wants to start with {chapter} only",
                point="{book} is a long read",
            ),
            Beat(
                2,
                ("Online or in person? I can only do online on {slot}",),
                view="Can only attend remotely",
            ),
            Beat(
                0,
                ("Let's do {slot} online then, {chapter}",),
                decided="Meet online on {slot} to discuss {chapter}",
            ),
            Beat(3, ("I'll set up the video call",), todo="{p3} sets up the video call"),
            Beat(
                1,
                ("Does everyone need to prepare something?",),
                open="Whether everyone must prepare remarks",
                optional=True,
            ),
        ),
        {
            "book": (
                "Sapiens",
                "The Three-Body Problem",
                "Principles",
                "Educated",
                "Dune",
                "Middlemarch",
            ),
            "chapter": (
                "the first three chapters",
                "part one",
                "chapters four to six",
                "the last two chapters",
            ),
            "slot": ("Wednesday evening", "Sunday afternoon", "Friday night"),
        },
    ),
    TopicTemplate(
        "gift",
        "en",
        ("Birthday gift", "Gift for {person}", "Group present"),
        "Everyone agreed to chip in for a birthday present for {person} and settled the gift and amount.",
        (
            Beat(
                0,
                ("{person}'s birthday is next week, shall we all chip in for a present?",),
                view="Proposes a group birthday present for {person}",
            ),
            Beat(
                1,
                ("What about {gift}? Useful at least",),
                view="Backs {gift} as a practical choice",
            ),
            Beat(
                2,
                ("Can we keep it to {amount} each? More is a stretch for me",),
                view="Wants the share capped at {amount}",
                point="A bigger share would be hard for some",
            ),
            Beat(0, ("Done, {gift}, {amount} each",), decided="Buy {gift}; each pays {amount}"),
            Beat(
                3,
                ("Send me the money and I'll order it",),
                todo="{p3} collects the money and orders",
            ),
            Beat(1, ("Should we add a card too?",), open="Whether to add a card", optional=True),
        ),
        {
            "person": ("Sarah", "our manager", "Mr Patel", "Jo", "the coach"),
            "gift": ("headphones", "a cake", "flowers", "a travel mug", "a desk lamp"),
            "amount": ("$10", "£15", "$20", "€12"),
        },
    ),
    TopicTemplate(
        "meeting",
        "en",
        ("Moving the weekly sync", "Weekly meeting time", "Rescheduling the sync"),
        "The weekly sync clashed with {reason}, so it moved to {to} and starts an hour later.",
        (
            Beat(
                0,
                ("The {from} sync clashes with {reason}, we need to move it",),
                view="Flags the clash with {reason}",
                point="The usual slot collides with {reason}",
            ),
            Beat(1, ("{to} works for me",), view="Is available {to}"),
            Beat(
                2,
                ("I have an external call {to}, could we start later?",),
                view="Has another call then and asks for a later start",
            ),
            Beat(
                0,
                ("Ok, {to} then, starting an hour later",),
                decided="The sync moves to {to}, one hour later",
            ),
            Beat(0, ("I'll update the calendar invite",), todo="{p0} updates the invite"),
            Beat(3, ("Who's taking notes now?",), open="Who takes the notes", optional=True),
        ),
        {
            "from": ("Monday morning", "Tuesday afternoon", "Monday afternoon"),
            "to": ("Wednesday morning", "Thursday afternoon", "Wednesday afternoon"),
            "reason": (
                "a client visit",
                "all-hands training",
                "the bank holiday",
                "the quarterly review",
            ),
        },
    ),
    TopicTemplate(
        "volunteer",
        "en",
        ("Volunteers for {event}", "Volunteer sign-up", "{event} helpers"),
        "Volunteers were recruited for the {event} on {date}; bringing friends is allowed.",
        (
            Beat(
                0,
                ("The {event} is on {date} and we need {count} volunteers, who's in?",),
                view="Recruits helpers for the {event}",
                point="The {event} needs {count} volunteers",
            ),
            Beat(
                1,
                ("Count me in, can I bring a friend?",),
                view="Signs up and hopes to bring a friend",
            ),
            Beat(2, ("Busy on {date} unfortunately, next time",), view="Cannot make it this time"),
            Beat(
                0,
                ("Friends are welcome, just register them in advance",),
                decided="Friends may come if registered beforehand",
            ),
            Beat(3, ("I'll make a sign-up form",), todo="{p3} creates the sign-up form"),
            Beat(
                1, ("Is travel reimbursed?",), open="Travel costs were not answered", optional=True
            ),
        ),
        {
            "event": ("charity sale", "tree planting", "care home visit", "fun run", "book drive"),
            "date": ("March 12", "Saturday", "early next month", "Sunday morning"),
            "count": ("5", "8", "10", "12"),
        },
    ),
)

TEMPLATES = {"zh": ZH_TEMPLATES, "en": EN_TEMPLATES}
NAMES = {"zh": ZH_NAMES, "en": EN_NAMES}
FILLER = {"zh": ZH_FILLER, "en": EN_FILLER}
