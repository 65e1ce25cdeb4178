"""The words the model reads: instructions in Chinese or English, and numbered input.

Shaped by what small models get wrong (docs/MODELS.md):
- they confuse who said what, so every input line carries its speaker right
  after a short number, "[12] 张三: ...", and the instructions say plainly that
  a view's `who` must be the speaker of the lines it cites;
- they copy lines, so the instructions ask for their own words and the schema
  keeps strings short;
- they handle small integers far better than database ids, so they cite local
  numbers, and `Numbering` maps every number back to the stored messages;
- they follow explicit rules better than examples, so there are no few-shot
  examples (which also keeps the prompt short and the prefix cacheable: the
  system message is identical for every window of a run).
The instructions are written in the output language, which is how the model
learns which language to answer in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatsum.core.domain import Claim, Topic, Viewpoint
from chatsum.core.llm.base import ChatMessage
from chatsum.core.pipelines.summarizing.preprocessing import Line

PROMPT_VERSION = "sum-v2"

Evidence = tuple[tuple[int, str], ...]
"""(message id, sender) pairs that one local number stands for."""


@dataclass(frozen=True)
class Numbering:
    """Local citation numbers of one prompt: the messages behind each, and its text
    (for finding evidence by matching words when the model cited nothing usable)."""

    evidence: dict[int, Evidence]
    texts: dict[int, str]

    @property
    def size(self) -> int:
        return len(self.evidence)


_FIELDS = {
    "zh": (
        "字段要求：\n"
        "- agenda：先列出讨论了哪几件不同的事，每件4到10个字；同一件事的时间、地点、费用等细节"
        "不算另一件事。topics 按 agenda 的顺序一件一个话题。\n"
        "- headline：话题的简短名称，4到10个字。\n"
        "- overview：一句话（不超过40字）说明讨论了什么、结果如何；用自己的话概括，不要照抄原句。\n"
        "- points：要点或结论，每条不超过30字。\n"
        "- results：decided 是已经做出的决定，open 是还没解决的问题，todo 是待办事项"
        "（谁要做什么）；没有就写 []。\n"
        "- views：参与者各自的观点、态度或诉求，每人最多一条。先在 ids 里写出此人说这些话的编号，"
        "person 必须是这些编号那一行的发言人本人，不要把别人的话算到他头上；view 里不用再写人名。\n"
        "- ids：依据的编号（方括号里的数字），最多3个，只能用上面出现过的编号。\n"
        "- wrap_up（如果要求）：一句话（不超过50字）总括全部话题。\n"
        "用简体中文，每条都要简短；只写记录里确实有的内容，不要编造，不要重复。"
    ),
    "en": (
        "Fields:\n"
        "- agenda: first list the distinct matters discussed, 2 to 6 words each; details of "
        "one matter (time, place, cost) are not a separate matter. Then write topics in the "
        "agenda's order, one topic per matter.\n"
        "- headline: a short name for the topic, 2 to 6 words.\n"
        "- overview: one sentence (at most 30 words) on what was discussed and how it ended, in "
        "your own words; do not copy lines.\n"
        "- points: key points and conclusions, at most 20 words each.\n"
        "- results: decided = what was decided, open = questions still open, todo = who will "
        "do what. Use [] when there are none.\n"
        "- views: what each participant thought or wanted, at most one per person. First list "
        "in ids the numbers where this person said it; person must be the speaker written on "
        "those lines, never someone else; do not repeat the name in view.\n"
        "- ids: the numbers in square brackets that support the item, at most 3, only numbers "
        "that appear above.\n"
        "- wrap_up (when asked for): one sentence (at most 35 words) covering all the topics.\n"
        "Write in English and keep every item short; only what the chat actually says, invent "
        "nothing, do not repeat yourself."
    ),
}

_TASKS = {
    ("zh", "whole"): (
        "你是群聊记录的摘要助手。聊天记录每行的格式是“[编号] 发言人: 内容”。"
        "找出整段聊天的{low}到{high}个核心话题（按重要程度排序，不同的事分成不同话题），"
        "最后用 wrap_up 一句话总括。"
    ),
    ("zh", "part"): (
        "你是群聊记录的摘要助手。聊天记录每行的格式是“[编号] 发言人: 内容”。"
        "这是一段较长群聊中的一部分：找出这一段里的{low}到{high}个话题"
        "（按重要程度排序，不同的事分成不同话题）。"
    ),
    ("zh", "merge"): (
        "你是群聊记录的摘要助手。下面是同一个群聊各时间段的话题摘要，"
        "每条要点、观点、决定前面都有编号。把讲同一件事的话题合并，整理成{low}到{high}个核心话题"
        "（按重要程度排序），ids 填所依据条目的编号；最后用 wrap_up 一句话总括。"
    ),
    ("zh", "merge-part"): (
        "你是群聊记录的摘要助手。下面是同一个群聊各时间段的话题摘要，"
        "每条要点、观点、决定前面都有编号。把讲同一件事的话题合并，整理成{low}到{high}个话题"
        "（按重要程度排序），ids 填所依据条目的编号。"
    ),
    ("en", "whole"): (
        'You summarize group chats. Each chat line reads "[number] speaker: text". '
        "Find the {low} to {high} main topics of the whole chat (most important first; "
        "separate matters go in separate topics), then sum them all up in wrap_up."
    ),
    ("en", "part"): (
        'You summarize group chats. Each chat line reads "[number] speaker: text". '
        "This is one part of a longer chat: find the {low} to {high} topics of this part "
        "(most important first; separate matters go in separate topics)."
    ),
    ("en", "merge"): (
        "You summarize group chats. Below are topic summaries of one group chat, period by "
        "period; every point, view and decision has a number. Merge topics about the same "
        "matter into {low} to {high} main topics (most important first), citing in ids the "
        "numbers of the items you used, then sum them all up in wrap_up."
    ),
    ("en", "merge-part"): (
        "You summarize group chats. Below are topic summaries of one group chat, period by "
        "period; every point, view and decision has a number. Merge topics about the same "
        "matter into {low} to {high} topics (most important first), citing in ids the "
        "numbers of the items you used."
    ),
}

_LABELS = {
    "zh": {
        "participants": "参与者",
        "chat": "聊天记录",
        "topics": "各时间段的话题",
        "summary": "概要",
        "point": "要点",
        "decision": "决定",
        "question": "待解决",
        "action": "待办",
        "reply": "回复",
        "sep": "、",
        "colon": "：",
    },
    "en": {
        "participants": "Participants",
        "chat": "Chat",
        "topics": "Topics by period",
        "summary": "Summary",
        "point": "Point",
        "decision": "Decided",
        "question": "Open",
        "action": "To do",
        "reply": "re",
        "sep": ", ",
        "colon": ": ",
    },
}


def system_prompt(language: str, task: str, low: int, high: int) -> str:
    """`task`: whole (one window), part (a map window), merge, merge-part (reduce)."""
    lang = language if language in ("zh", "en") else "en"
    return _TASKS[(lang, task)].format(low=low, high=high) + "\n" + _FIELDS[lang]


def line_text(number: int, line: Line, reply_number: int | None, language: str) -> str:
    labels = _LABELS.get(language, _LABELS["en"])
    reply = f"({labels['reply']}[{reply_number}]) " if reply_number else ""
    return f"[{number}] {line.sender}: {reply}{line.text}"


def render_lines(lines: Sequence[Line], language: str) -> tuple[str, Numbering]:
    """Numbered chat lines (1..n); a reply names the number of the line it answers."""
    number_of: dict[int, int] = {}
    rendered: list[str] = []
    evidence: dict[int, Evidence] = {}
    texts: dict[int, str] = {}
    for number, line in enumerate(lines, start=1):
        reply = number_of.get(line.reply_to_id) if line.reply_to_id is not None else None
        rendered.append(line_text(number, line, reply, language))
        evidence[number] = tuple((mid, line.sender) for mid in line.message_ids)
        texts[number] = line.text
        for mid in line.message_ids:
            number_of[mid] = number
    return "\n".join(rendered), Numbering(evidence, texts)


def render_topics(
    topics: Sequence[Topic], senders: dict[int, str], language: str
) -> tuple[str, Numbering]:
    """Earlier topics as headed blocks with every supported claim numbered."""
    labels = _LABELS.get(language, _LABELS["en"])
    colon = labels["colon"]
    rendered: list[str] = []
    evidence: dict[int, Evidence] = {}
    texts: dict[int, str] = {}

    def add(label: str, claim: Claim | Viewpoint) -> None:
        if not claim.supported or not claim.message_ids:
            return
        number = len(evidence) + 1
        text = claim.view if isinstance(claim, Viewpoint) else claim.text
        rendered.append(f"[{number}] {label}{colon}{text}")
        evidence[number] = tuple((mid, senders.get(mid, "?")) for mid in claim.message_ids)
        texts[number] = text

    for index, topic in enumerate(topics, start=1):
        rendered.append(f"## {index}. {topic.title}")
        rendered.append(f"{labels['summary']}{colon}{topic.summary}")
        for point in topic.key_points:
            add(labels["point"], point)
        for view in topic.viewpoints:
            add(view.participant, view)
        for label, claims in (
            (labels["decision"], topic.decisions),
            (labels["question"], topic.open_questions),
            (labels["action"], topic.action_items),
        ):
            for claim in claims:
                add(label, claim)
    return "\n".join(rendered), Numbering(evidence, texts)


def build_messages(
    language: str,
    task: str,
    low: int,
    high: int,
    participants: Sequence[str],
    body: str,
) -> list[ChatMessage]:
    labels = _LABELS.get(language, _LABELS["en"])
    heading = labels["topics"] if task.startswith("merge") else labels["chat"]
    user = (
        f"{labels['participants']}{labels['colon']}{labels['sep'].join(participants)}\n\n"
        f"{heading}{labels['colon']}\n{body}"
    )
    return [
        ChatMessage("system", system_prompt(language, task, low, high)),
        ChatMessage("user", user),
    ]
