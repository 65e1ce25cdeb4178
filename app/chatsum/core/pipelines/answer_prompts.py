"""What the model reads for Q&A (what it writes is checked in `answer_checks`).

Small local models answer well only when the task is narrow: here they get the
retrieved messages as numbered lines (`[812] 2024-03-04 10:08 李娜: …`), are
told to use nothing else, to answer in the question's language and to put the
message number after each fact, with one worked example (measured on the eval
set: without it Qwen2.5-1.5B often replied with a bare "[47]"). The example
names nobody and people are named only when the question asks who: a small
model that writes "X said …" often picks the wrong X, and the answer checks
then remove a sentence whose content was right.

The history of the Q&A session goes first, as earlier chat turns, and the new
messages and question last, so a follow-up shares the prompt prefix with the
previous turn and llama.cpp can reuse its cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chatsum.core.domain import Answer, Message
from chatsum.core.llm.base import ChatMessage, TextGenerator
from chatsum.core.pipelines.answer_checks import without_citations

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
        "Name a person only when the question asks who, and then exactly as the messages "
        "show it.\n"
        "Example — messages: [12] 2024-03-04 10:08 Ann: ok, the launch moves to Friday. "
        "Question: When is the launch? Answer: The launch moved to Friday [12].\n"
        "Only if none of the messages is about the question, reply exactly: "
        f"{NOT_FOUND['en']}"
    ),
    "zh": (
        "你根据群聊存档回答问题，只能使用用户给出的聊天消息。每条消息开头的方括号里是它的编号。"
        "用中文写一到三句完整的话直接回答问题，每个事实后面用方括号写出它来自的消息编号。"
        "只有问题问到是谁时才写人名，而且必须与消息一致。\n"
        "示例——消息：[12] 2024-03-04 10:08 李娜：好，上线改到周五。问题：什么时候上线？"
        "回答：上线改到了周五 [12]。\n"
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
