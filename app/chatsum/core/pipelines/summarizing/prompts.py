"""The words the model reads: instructions in Chinese or English, and numbered input.

Shaped by what small models get wrong (docs/MODELS.md):
- they confuse who said what, so every input line carries its speaker right
  after a short number, "12张三：..." ("12 Ann: ..." in English), and the
  instructions say plainly that a view's `person` must be the speaker of the
  lines it cites. The number has no brackets (Qwen's tokenizer gives each one
  a token, and the prefixes are a third of the chat's tokens); a Chinese line
  puts a space between number and speaker only when the name starts with a
  digit (QQ numbers), so "12" and "10086" never read as one number;
- they copy lines, so the instructions ask for their own words everywhere, give
  views and points a word budget (a stance, not a quote) and the schema keeps
  strings short; words alone do not stop them, so from sum-v6 on the sampler
  counts the chat as already said (`generation.OWN_WORDS`) and long copied
  runs lose probability;
- they copy examples: sum-v5 showed a sample stance ("backs a Sunday start"),
  and the model wrote it as the view of 55 people in 15 eval dialogues about
  anything but Sundays; so what a field says is described, never exemplified
  (only the line format has an example);
- they handle small integers far better than database ids, so they cite local
  numbers, and `Numbering` maps every number back to the stored messages;
- they follow explicit rules better than examples, so there are no few-shot
  examples (which also keeps the prompt short and the prefix cacheable: the
  system message is identical for every window of a run).
The instructions are written in the output language, which is how the model
learns which language to answer in. Merge steps (map-reduce, roll-ups) show
earlier topics one numbered line each and ask only which belong together and
what to call them; the claims themselves are carried over, already checked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatsum.core.domain import Topic
from chatsum.core.llm.base import ChatMessage
from chatsum.core.pipelines.summarizing.preprocessing import Line

PROMPT_VERSION = "sum-v7"

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
        "- overview：一句话（不超过30字）说明讨论了什么、结果如何；用自己的话概括，不要照抄原句。\n"
        "- points：要点或结论，每条不超过15字，用自己的话概括，不要照抄原句。\n"
        "- results：decided 是已经做出的决定，open 是还没解决的问题，todo 是待办事项"
        "（谁要做什么）；没有就写 []。\n"
        "- views：参与者各自的观点、态度或诉求，每人最多一条。先在 ids 里写出此人说这些话的编号，"
        "person 必须是这些编号那一行的发言人本人，不要把别人的话算到他头上；view 用不超过12字"
        "写此人自己的立场：以“支持、反对、希望、担心、建议”这类词开头，只写对什么事，不写理由，"
        "不要引用原话，也不用再写人名。\n"
        "- ids：依据的编号（聊天记录每行开头的数字），最多3个，只能用上面出现过的编号。\n"
        "- wrap_up（如果要求）：一句话（不超过40字）总括全部话题。\n"
        "用简体中文，每条都要简短，全部用自己的话改写，不要照抄聊天原句；"
        "只写记录里确实有的内容，不要编造，不要重复。"
    ),
    "en": (
        "Fields:\n"
        "- agenda: first list the distinct matters discussed, 2 to 6 words each; details of "
        "one matter (time, place, cost) are not a separate matter. Then write topics in the "
        "agenda's order, one topic per matter.\n"
        "- headline: a short name for the topic, 2 to 6 words.\n"
        "- overview: one sentence (at most 25 words) on what was discussed and how it ended, in "
        "your own words; do not copy lines.\n"
        "- points: key points and conclusions, at most 12 words each, paraphrased.\n"
        "- results: decided = what was decided, open = questions still open, todo = who will "
        "do what. Use [] when there are none.\n"
        "- views: what each participant thought or wanted, at most one per person. First list "
        "in ids the numbers where this person said it; person must be the speaker written on "
        "those lines, never someone else; view states their position in at most 8 words: a "
        "verb such as backs, opposes, wants, worries about or suggests, then the matter in "
        "your own words, no reasons; never quote them and do not repeat the name.\n"
        "- ids: the line numbers (at the start of each chat line) that support the item, at "
        "most 3, only numbers that appear above.\n"
        "- wrap_up (when asked for): one sentence (at most 30 words) covering all the topics.\n"
        "Write in English and keep every item short, all in your own words: never copy a chat "
        "line. Only what the chat actually says; invent nothing, do not repeat yourself."
    ),
}

_MERGE_FIELDS = {
    "zh": (
        "字段要求：\n"
        "- group：这一组话题的编号（方括号里的数字）。\n"
        "- headline：合并后话题的简短名称，4到10个字。\n"
        "- overview：一句话（不超过30字）说明讨论了什么、结果如何。\n"
        "- wrap_up（如果要求）：一句话（不超过40字）总括全部话题。\n"
        "用简体中文，简短；只写给出的内容，不要编造。"
    ),
    "en": (
        "Fields:\n"
        "- group: the numbers (in square brackets) of the topics in this group.\n"
        "- headline: a short name for the merged topic, 2 to 6 words.\n"
        "- overview: one sentence (at most 25 words) on what was discussed and how it ended.\n"
        "- wrap_up (when asked for): one sentence (at most 30 words) covering all the topics.\n"
        "Write in English, briefly; only what is given above, invent nothing."
    ),
}

_TASKS = {
    ("zh", "whole"): (
        "你是群聊记录的摘要助手。聊天记录每行的格式是“编号发言人：内容”，如“12张三：周六见”。"
        "找出整段聊天的{low}到{high}个核心话题（按重要程度排序，不同的事分成不同话题），"
        "最后用 wrap_up 一句话总括。"
    ),
    ("zh", "part"): (
        "你是群聊记录的摘要助手。聊天记录每行的格式是“编号发言人：内容”，如“12张三：周六见”。"
        "这是一段较长群聊中的一小段：用一个话题写出这一段主要讨论的那件事。"
    ),
    ("zh", "merge"): (
        "你是群聊记录的摘要助手。下面是同一个群聊各段聊天里的话题，每个话题前有编号。"
        "把讲同一件事的话题归为一组，整理成{low}到{high}个核心话题（按重要程度排序），"
        "每个编号只归入一组；最后用 wrap_up 一句话总括。"
    ),
    ("zh", "merge-part"): (
        "你是群聊记录的摘要助手。下面是同一个群聊各段聊天里的话题，每个话题前有编号。"
        "把讲同一件事的话题归为一组，整理成{low}到{high}个话题（按重要程度排序），每个编号只归入一组。"
    ),
    ("en", "whole"): (
        'You summarize group chats. Each chat line reads "number speaker: text", '
        'e.g. "12 Ann: hi". '
        "Find the {low} to {high} main topics of the whole chat (most important first; "
        "separate matters go in separate topics), then sum them all up in wrap_up."
    ),
    ("en", "part"): (
        'You summarize group chats. Each chat line reads "number speaker: text", '
        'e.g. "12 Ann: hi". '
        "This is a short part of a longer chat: write one topic on the main matter "
        "discussed in this part."
    ),
    ("en", "merge"): (
        "You summarize group chats. Below are the topics of one group chat, part by part, "
        "each with a number. Group the topics about the same matter into {low} to {high} main "
        "topics (most important first), each number in one group only, then sum them all up "
        "in wrap_up."
    ),
    ("en", "merge-part"): (
        "You summarize group chats. Below are the topics of one group chat, part by part, "
        "each with a number. Group the topics about the same matter into {low} to {high} "
        "topics (most important first), each number in one group only."
    ),
}

_LABELS = {
    "zh": {
        "participants": "参与者",
        "chat": "聊天记录",
        "topics": "各段聊天的话题",
        "point": "要点",
        # No spaces: before a Chinese character one costs the tokenizer up to three
        # tokens, and the line prefixes are a third of a window's tokens. `gap` is a
        # space only before a name that starts with a digit.
        "line": "{number}{gap}{sender}：{reply}{text}",
        "reply": "（回复{number}）",
        "sep": "、",
        "colon": "：",
    },
    "en": {
        "participants": "Participants",
        "chat": "Chat",
        "topics": "Topics, part by part",
        "point": "Points",
        "line": "{number} {sender}: {reply}{text}",
        "reply": "(re {number}) ",
        "sep": ", ",
        "colon": ": ",
    },
}


def system_prompt(language: str, task: str, low: int, high: int) -> str:
    """`task`: whole (one window), part (a map window: one topic), merge, merge-part (reduce)."""
    lang = language if language in ("zh", "en") else "en"
    fields = _MERGE_FIELDS if task.startswith("merge") else _FIELDS
    return _TASKS[(lang, task)].format(low=low, high=high) + "\n" + fields[lang]


def line_text(number: int, line: Line, reply_number: int | None, language: str) -> str:
    labels = _LABELS.get(language, _LABELS["en"])
    reply = labels["reply"].format(number=reply_number) if reply_number else ""
    gap = " " if line.sender[:1].isdigit() else ""
    return labels["line"].format(
        number=number, gap=gap, sender=line.sender, reply=reply, text=line.text
    )


# A line as `line_text` writes it, in either language: number, speaker, colon, text.
_NUMBERED_LINE = re.compile(r"^\d+ ?[^:：\n]*?[:：] ?(.*)$", re.M)


def chat_line_texts(body: str) -> list[str]:
    """The texts of the numbered chat lines in a rendered body, without number and speaker."""
    return [found.group(1) for found in _NUMBERED_LINE.finditer(body)]


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


def render_topics(topics: Sequence[Topic], language: str) -> str:
    """Earlier topics numbered 1..n, one line each: name, overview, first key points."""
    labels = _LABELS.get(language, _LABELS["en"])
    colon, sep = labels["colon"], "；" if language == "zh" else "; "
    rendered: list[str] = []
    for number, topic in enumerate(topics, start=1):
        points = sep.join(c.text for c in topic.key_points[:2] if c.supported)
        tail = f" {labels['point']}{colon}{points}" if points else ""
        rendered.append(f"[{number}] {topic.title}{colon}{topic.summary}{tail}")
    return "\n".join(rendered)


def build_messages(
    language: str,
    task: str,
    low: int,
    high: int,
    participants: Sequence[str],
    body: str,
) -> list[ChatMessage]:
    """System instructions, then the participants (chat steps only) and the numbered body."""
    labels = _LABELS.get(language, _LABELS["en"])
    if task.startswith("merge"):
        user = f"{labels['topics']}{labels['colon']}\n{body}"
    else:
        user = (
            f"{labels['participants']}{labels['colon']}{labels['sep'].join(participants)}\n\n"
            f"{labels['chat']}{labels['colon']}\n{body}"
        )
    return [
        ChatMessage("system", system_prompt(language, task, low, high)),
        ChatMessage("user", user),
    ]
