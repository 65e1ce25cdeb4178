"""Fast, model-free reading of what a user typed into the Q&A box.

Three questions get answered here in microseconds, before any retrieval or
model call: which language is it (the answer must use it), is it a question at
all (greetings and chit-chat get a polite non-answer), and does it lean on
something said before ("it", "那个", "他说的") so that it must be rewritten
first. `query_terms` turns a question into full-text terms: Latin words minus
stop words, and for Chinese — which has no spaces and no segmenter here — the
runs between function words, cut into overlapping character pairs so "服务器宕机"
still finds "服务器又宕机了".
"""

from __future__ import annotations

import re
from enum import StrEnum

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'._-]*[A-Za-z0-9]|[A-Za-z]|\d+(?:[.:]\d+)*")
_LATIN_LETTERS = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    """'zh' when Chinese characters are a real part of the text, else 'en'."""
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN_LETTERS.findall(text))
    return "zh" if cjk and cjk * 3 >= latin else "en"


# ---------------------------------------------------------------- terms

_EN_STOP_WORDS = """a about above after again all also am an and any anyone anything are as at be been
    before being both but by can could did do does doing done during each either else ever
    for from get got had has have having he her here hers him his how i if in into is it its
    just know let me might more most much must my no nor not now of off on once only or other
    our ours out over own said same say says she should so some someone something than that
    the their them then there these they this those through to too tell told under until up
    us very was we were what whats when where which while who whom whose why will with would
    yes yet you your yours talk talked mention mentioned discuss discussed decide decided
    agree agreed chat group anybody thing things"""
EN_STOP = frozenset(_EN_STOP_WORDS.split())

_ZH_STOP_WORDS = """多长时间 什么时候 为什么 怎么样 是不是 有没有 能不能 会不会 要不要 可不可以 哪些 哪个 哪里 哪儿 哪天
    什么 怎么 怎样 多少 几个 谁的 大家 我们 你们 他们 她们 它们 咱们 这个 那个 这些 那些
    这次 那次 一下 关于 之前 以前 后来 时候 提到 讨论 说过 说了 说的 聊过 聊了 决定 请问 还是
    需要 以后 多久 已经 可以 能够 应该 是否 一起 所有 曾经 最后 到底 究竟 现在 如何 为何 何时 怎麽
    的 了 吗 呢 吧 啊 呀 嘛 么 是 在 有 和 与 跟 对 说 都 也 就 要 会 能 过 把 被 给 让 从 向 到
    我 你 他 她 它 谁 哪 几 啥 又 还 再 很 太 该 这 那 个 些 得 地 着 叫 呀 及 或 并"""
# Longest first so "什么时候" is cut before "什么".
ZH_STOP = sorted(set(_ZH_STOP_WORDS.split()), key=len, reverse=True)


def _cjk_segments(run: str) -> list[str]:
    """Split a run of Chinese characters at function words."""
    segments: list[str] = []
    current = ""
    index = 0
    while index < len(run):
        stop = next((w for w in ZH_STOP if run.startswith(w, index)), None)
        if stop:
            if current:
                segments.append(current)
            current = ""
            index += len(stop)
        else:
            current += run[index]
            index += 1
    if current:
        segments.append(current)
    return segments


def query_terms(text: str) -> list[str]:
    """Distinct search terms of a question, in order of appearance."""
    terms: list[str] = []
    for word in _LATIN_WORD.findall(text):
        lowered = re.sub(r"'s$", "", word.lower()).strip("'.")
        if lowered and lowered not in EN_STOP and (len(lowered) > 1 or lowered.isdigit()):
            terms.append(lowered)
    for run in _CJK_RUN.findall(text):
        for segment in _cjk_segments(run):
            if len(segment) <= 2:
                if len(segment) == 2:
                    terms.append(segment)
                continue
            terms.extend(segment[i : i + 2] for i in range(len(segment) - 1))
    return list(dict.fromkeys(terms))


# ---------------------------------------------------------------- is it a question?


class Utterance(StrEnum):
    QUESTION = "question"
    GREETING = "greeting"
    CHITCHAT = "chitchat"


_GREETING = re.compile(
    r"^\s*(大家|各位|亲们)?\s*(hi|hello|hey|yo|good (morning|afternoon|evening|night)|thanks?( you)?|thank u|"
    r"thx|bye|goodbye|see you|ok(ay)?|cool|great|nice|lol|haha+|"
    r"你好|您好|嗨|哈喽|早上好|早安|晚上好|晚安|下午好|谢谢|多谢|感谢|再见|拜拜|好的|嗯+|哈哈+|收到)"
    r"[\s!！,，.。~～?？]*(there|everyone|all|a lot|so much|very much|大家|啦|呀|哦|了|你)?"
    r"[\s!！,，.。~～?？:)]*$",
    re.IGNORECASE,
)
_EN_QUESTION_START = re.compile(
    r"^\s*(what|when|where|who|whom|whose|which|why|how|did|do|does|is|are|was|were|can|"
    r"could|will|would|should|has|have|had|any|tell me|show me|find|list|summari[sz]e|"
    r"explain|give me|remind me|look up|search)\b",
    re.IGNORECASE,
)
_ZH_QUESTION = re.compile(
    r"吗|呢|什么|谁|哪|几|多少|怎么|怎样|为什么|为何|何时|是否|有没有|是不是|能不能|会不会|"
    r"要不要|多久|多长|多大|告诉我|找一下|查一下|列出|总结|说说|讲讲|请问|如何"
)


def classify(text: str) -> Utterance:
    """Whether a message asks something the archive could answer."""
    stripped = text.strip()
    if not stripped or _GREETING.match(stripped):
        return Utterance.GREETING
    if stripped.endswith(("?", "？")) or _EN_QUESTION_START.match(stripped):
        return Utterance.QUESTION
    if _ZH_QUESTION.search(stripped):
        return Utterance.QUESTION
    return Utterance.CHITCHAT


# ---------------------------------------------------------------- references

_EN_REFERENCE = re.compile(
    r"\b(it|its|they|them|their|that|this|those|these|he|him|his|she|her|there|the same|"
    r"the one|that one)\b",
    re.IGNORECASE,
)
_ZH_REFERENCE = re.compile(
    r"它|他|她|那个|这个|那件|这件|那次|这次|那些|这些|那里|那边|上面|刚才|之前说"
)


def needs_context(text: str) -> bool:
    """True when the question points at something it does not name."""
    return bool(_EN_REFERENCE.search(text) or _ZH_REFERENCE.search(text))
