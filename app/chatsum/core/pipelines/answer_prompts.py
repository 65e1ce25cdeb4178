"""What the model reads and what we check in what it writes, for Q&A.

Small local models answer well only when the task is narrow: here they get the
retrieved messages as numbered lines (`[812] 2024-03-04 10:08 李娜: …`), are
told to use nothing else, to answer in the question's language and to put the
message number after each fact. Everything they write is then checked:
numbers that do not exist or were not shown are dropped, a reply that says it
found nothing becomes a plain rejection, and a sentence left without a number
is matched to the shown message that shares most of its words.

The history of the Q&A session goes first, as earlier chat turns, and the new
messages and question last, so a follow-up shares the prompt prefix with the
previous turn and llama.cpp can reuse its cache.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from chatsum.core.domain import Answer, Message
from chatsum.core.llm.base import ChatMessage, TextGenerator
from chatsum.core.pipelines.question_text import query_terms

NOT_FOUND = {"en": "Not found in the archive.", "zh": "档案中没有找到相关内容。"}

NOT_A_QUESTION = {
    "en": "Hello! Ask me something about your imported chats, for example "
    '"When did we agree to move the launch?"',
    "zh": "你好！可以问我关于已导入聊天记录的问题，例如「我们什么时候决定推迟上线？」",
}

SYSTEM = {
    "en": (
        "You answer questions about a group-chat archive using ONLY the chat messages given "
        "in the user's turn. Each message starts with its number in square brackets. "
        "Answer in English with one to three full sentences that state the answer, and "
        "after each fact write the number of the message it comes from in square brackets. "
        "Say who said what only as the messages show it.\n"
        "Example — messages: [12] 2024-03-04 10:08 Ann: ok, the launch moves to Friday. "
        "Question: When is the launch? Answer: The launch moved to Friday, as Ann said [12].\n"
        "Only if none of the messages is about the question, reply exactly: "
        f"{NOT_FOUND['en']}"
    ),
    "zh": (
        "你根据群聊存档回答问题，只能使用用户给出的聊天消息。每条消息开头的方括号里是它的编号。"
        "用中文写一到三句完整的话直接回答问题，每个事实后面用方括号写出它来自的消息编号。"
        "谁说了什么必须与消息一致。\n"
        "示例——消息：[12] 2024-03-04 10:08 李娜：好，上线改到周五。问题：什么时候上线？"
        "回答：李娜说上线改到了周五 [12]。\n"
        f"只有当没有任何一条消息与问题有关时，才只回答：{NOT_FOUND['zh']}"
    ),
}

REWRITE_INSTRUCTION = (
    "Do not answer yet. First rewrite my question below so that it can be understood on "
    "its own: replace pronouns and vague references (it, that, he, she, 它, 那个, 这个, 他, "
    "她, 他说的) with what they refer to in our conversation or in the chat shown. Keep the "
    'question\'s language and meaning. Reply only with JSON: {"question": "..."}'
)

REWRITE_SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string", "minLength": 1, "maxLength": 300}},
    "required": ["question"],
}

_NOT_FOUND_PATTERNS = re.compile(
    r"not found in the archive|no (relevant )?information|do(es)? not (mention|contain|say)|"
    r"not mentioned|cannot find|can't find|档案中没有|没有找到|没有提到|未提及|没有相关",
    re.IGNORECASE,
)
_CITATION = re.compile(r"[\[【]\s*#?(\d+(?:\s*[,，、;；]\s*#?\d+)*)\s*[\]】]")
# A period ends a sentence only before a space or the end ("$2.5M" stays whole);
# citations written after the full stop ("…打满。[7]") still belong to the sentence.
_SENTENCE = re.compile(
    r"(?:[^.!?。！？\n]|\.(?=\S))+"
    r"(?:[.!?。！？]+(?:\s*[\[【]\s*#?\d[\d\s,，、;；#]*[\]】])*|\n|$)\s*"
)


def says_not_found(text: str) -> bool:
    return bool(_NOT_FOUND_PATTERNS.search(text))


def message_line(message: Message) -> str:
    when = message.local_time.strftime("%Y-%m-%d %H:%M")
    who = message.sender_name or "—"
    text = " ".join(message.text.split())
    return f"[{message.id}] {when} {who}: {text}"


@dataclass(frozen=True)
class PassageBlock:
    title: str
    messages: tuple[Message, ...]


def _context_text(blocks: Sequence[PassageBlock]) -> str:
    parts = []
    for block in blocks:
        lines = "\n".join(message_line(m) for m in block.messages)
        parts.append(f"## {block.title}\n{lines}" if block.title else lines)
    return "\n\n".join(parts)


def without_citations(text: str) -> str:
    return re.sub(r"[ \t]+([.,。，!?！？])", r"\1", _CITATION.sub("", text)).strip()


def conversation_so_far(language: str, history: Sequence[Answer]) -> list[ChatMessage]:
    """The system prompt and the session's earlier turns: the prefix every call of a
    session shares, so llama.cpp evaluates it once and reuses it from its cache.
    Earlier answers go in without their message numbers, which a small model
    would otherwise copy into the rewritten question."""
    chat = [ChatMessage("system", SYSTEM[language])]
    for turn in history:
        chat.append(ChatMessage("user", turn.rewritten_question or turn.question))
        chat.append(ChatMessage("assistant", without_citations(turn.text)))
    return chat


def answer_messages(
    language: str, question: str, blocks: Sequence[PassageBlock], history: Sequence[Answer]
) -> list[ChatMessage]:
    label = ("聊天消息", "问题") if language == "zh" else ("Chat messages", "Question")
    return [
        *conversation_so_far(language, history),
        ChatMessage("user", f"{label[0]}:\n{_context_text(blocks)}\n\n{label[1]}: {question}"),
    ]


def _trimmed(blocks: list[PassageBlock]) -> list[PassageBlock] | None:
    """One step smaller: drop the weakest passage, else an edge message of the
    only one (context neighbours sit at the edges); None when nothing is left to cut."""
    if len(blocks) > 1:
        return blocks[:-1]
    if blocks and len(blocks[0].messages) > 1:
        messages = blocks[0].messages
        return [PassageBlock(blocks[0].title, messages[1:] if len(messages) % 2 else messages[:-1])]
    return None


def fit_prompt(
    generator: TextGenerator,
    language: str,
    question: str,
    blocks: list[PassageBlock],
    history: list[Answer],
    max_tokens: int,
    max_context_tokens: int,
) -> tuple[list[ChatMessage], list[PassageBlock]]:
    """The prompt for an answer. The retrieved messages are first cut to
    `max_context_tokens` (evaluating the prompt is what keeps a CPU user waiting
    for the first token); then the whole prompt must leave `max_tokens` of the
    context window for the reply: old turns go first, then more messages."""
    history = list(history)
    while generator.count_tokens(_context_text(blocks)) > max_context_tokens:
        smaller = _trimmed(blocks)
        if smaller is None:
            break
        blocks = smaller
    budget = generator.context_length - max_tokens
    while True:
        chat = answer_messages(language, question, blocks, history)
        if generator.count_chat_tokens(chat) <= budget:
            return chat, blocks
        if history:
            history.pop(0)
            continue
        smaller = _trimmed(blocks)
        if smaller is None:
            return chat, blocks
        blocks = smaller


def rewrite_request(
    language: str, question: str, history: Sequence[Answer], around: Sequence[Message]
) -> list[ChatMessage]:
    parts = [REWRITE_INSTRUCTION]
    if around:
        lines = "\n".join(message_line(m) for m in around)
        parts.append(f"The chat around the message I am looking at:\n{lines}")
    parts.append(f"My question: {question}")
    return [*conversation_so_far(language, history), ChatMessage("user", "\n\n".join(parts))]


# ---------------------------------------------------------------- checking the reply


@dataclass(frozen=True)
class CheckedReply:
    text: str
    cited: tuple[int, ...]
    dropped: tuple[int, ...]


def cited_ids(text: str) -> list[int]:
    ids: list[int] = []
    for group in _CITATION.findall(text):
        ids.extend(int(n) for n in re.findall(r"\d+", group))
    return list(dict.fromkeys(ids))


def _support(sentence: str, message: Message) -> float:
    terms = query_terms(sentence)
    if not terms:
        return 0.0
    folded = message.text.lower()
    return sum(term in folded for term in terms) / len(terms)


def _attribute(sentence: str, shown: Sequence[Message]) -> int | None:
    """The shown message that best supports an uncited sentence, if any does."""
    scored = [(_support(sentence, m), m.id) for m in shown]
    best = max(scored, default=(0.0, 0))
    return best[1] if best[0] >= 0.5 else None


def check_reply(text: str, shown: Sequence[Message], existing: set[int]) -> CheckedReply:
    """Keep citations of shown, existing messages; drop the rest; cite uncited sentences."""
    allowed = {m.id for m in shown} & existing
    dropped = [i for i in cited_ids(text) if i not in allowed]

    def keep_valid(match: re.Match[str]) -> str:
        ids = [n for n in re.findall(r"\d+", match.group(1)) if int(n) in allowed]
        return f"[{', '.join(ids)}]" if ids else ""

    cleaned = _CITATION.sub(keep_valid, text)
    sentences = _SENTENCE.findall(cleaned) or [cleaned]
    rebuilt: list[str] = []
    for sentence in sentences:
        if sentence.strip() and not _CITATION.search(sentence) and not says_not_found(sentence):
            found = _attribute(sentence, shown)
            if found is not None:
                body = sentence.rstrip()
                words = body.rstrip(".!?。！？")
                sentence = f"{words} [{found}]{body[len(words) :]}{sentence[len(body) :]}"
        rebuilt.append(sentence)
    final = re.sub(r"[ \t]+([.,。，!?！？])", r"\1", "".join(rebuilt)).strip()
    cited = tuple(i for i in cited_ids(final) if i in allowed)
    if cited and not re.search(r"\w", without_citations(final)):
        # Only numbers, no words (small models do this): the cited messages are the answer.
        by_id = {m.id: m for m in shown}
        final = "\n".join(f"{by_id[i].sender_name or '—'}: {by_id[i].text} [{i}]" for i in cited)
    return CheckedReply(final, cited, tuple(dropped))
