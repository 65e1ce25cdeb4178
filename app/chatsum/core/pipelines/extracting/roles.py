"""Who is staff and who is a customer in a service group chat.

Heuristics decide first because they are instant, explainable and right most
of the time: staff names carry titles (客服, 顾问, 销售, 经理, 助理, support,
sales…); staff talk in service phrases (您好, 请问, 为您, 我们的, we offer…), quote
products, prices and links, and answer other people's questions; customers
state needs and budgets and ask "how much". Each participant gets a score with
the reasons behind it, so the user can see why and override. Only participants
whose score is close to the boundary are put to the model (when one is given),
in one small schema-constrained call; overrides saved for the conversation, and
those passed in, always win.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from chatsum.core.domain import Message, MessageKind
from chatsum.core.errors import ConfigError
from chatsum.core.llm.base import ChatMessage, GenerationOptions, TextGenerator
from chatsum.core.pipelines.extracting.records import Role, RoleAssignment, RoleSource
from chatsum.core.progress import CancelToken, drive

_STAFF_NAME = re.compile(
    r"客服|顾问|销售|经理|助理|助教|专员|主管|店长|总监|售后|售前|官方|小助手|管家|导购|运营|前台|"
    r"教练|老师|医生|设计师|工程师|"
    r"support|sales|service|care|agent|manager|assistant|advis[eo]r|consultant|official|"
    r"\bteam\b|\bcs\b|help ?desk",
    re.IGNORECASE,
)
# "客户经理" and "Customer Care" are staff titles, not customers.
_CUSTOMER_NAME = re.compile(
    r"客户(?!经理|服务|成功|专员|代表)|顾客|买家|"
    r"customer(?! ?(care|service|success|support))|client(?! ?(service|success|manager))|buyer",
    re.IGNORECASE,
)
_SERVICE = re.compile(
    r"您好|我是.{0,8}(客服|顾问|销售|经理|助理)|请问|为您|帮您|给您|您的|我们(的|这边|公司|店|可以)|"
    r"亲[，,！!～~ ]|欢迎|稍等|安排|没问题|感谢您|谢谢您|放心|包邮|保修|"
    r"推荐|建议|\bwe (offer|have|can|will)\b|\bour (product|plan|package|price|service|store|shop)|"
    r"let me (send|check|show|help|get)|i'?ll (send|email|call)|happy to|glad to|"
    r"thanks? (you )?for (contacting|choosing|your)|feel free|no problem",
    re.IGNORECASE,
)
_COMMERCE = re.compile(
    r"\d\s*(元|块|万)|[¥￥$€£]\s?\d|价格|报价|优惠|折扣|打折|活动价|套餐|型号|库存|现货|发货|"
    r"链接|https?://|www\.|\bprice|\bdiscount|\bpromo|\bpackage|\bquote|in stock|shipping",
    re.IGNORECASE,
)
_NEED = re.compile(
    r"我想|我要|我需要|想要|想了解|想问|想买|打算|预算|能不能|能否|可不可以|有没有|多少钱|怎么卖|"
    r"贵了|有点贵|太贵|超预算|便宜点|考虑一下|再看看|我喜欢|希望|你们(?!好)|\bi want|\bi'?d like|\bi would like|\bi need|\bi'?m looking|"
    r"looking for|how much|my budget|\bcan i\b|do you have|too expensive|cheaper|i'?ll think",
    re.IGNORECASE,
)
_QUESTION = re.compile(r"[?？]|吗[。.!！]?$|呢[。.!！]?$")

# Weights of each signal (rates are per message of the participant).
_W_STAFF_NAME = 3.0
_W_CUSTOMER_NAME = 3.0
_W_SERVICE = 2.0
_W_COMMERCE = 0.6
_W_ANSWERS = 1.0
_W_NEED = 2.0
_W_QUESTION = 0.8
BOUNDARY = 0.3
"""Scores above this are staff."""
AMBIGUOUS_MARGIN = 0.35
"""Scores this close to the boundary are put to the model, when there is one."""
ANSWER_WINDOW = 3

_SAMPLES_PER_PERSON = 6


@dataclass
class _Tally:
    names: Counter[str] = field(default_factory=Counter)
    messages: int = 0
    service: int = 0
    commerce: int = 0
    needs: int = 0
    questions: int = 0
    answers: int = 0
    samples: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.names.most_common(1)[0][0]


def _spoken(messages: Sequence[Message]) -> list[Message]:
    return [
        m
        for m in messages
        if m.participant_id is not None and m.kind != MessageKind.SYSTEM and m.sender_name
    ]


def _tally(messages: Sequence[Message]) -> dict[int, _Tally]:
    tallies: dict[int, _Tally] = {}
    spoken = _spoken(messages)
    for index, message in enumerate(spoken):
        assert message.participant_id is not None and message.sender_name
        tally = tallies.setdefault(message.participant_id, _Tally())
        tally.names[message.sender_name] += 1
        tally.messages += 1
        text = message.text or ""
        is_service = bool(_SERVICE.search(text))
        tally.service += is_service
        tally.commerce += bool(_COMMERCE.search(text))
        tally.needs += bool(_NEED.search(text))
        tally.questions += bool(_QUESTION.search(text)) and not is_service
        earlier = spoken[max(0, index - ANSWER_WINDOW) : index]
        tally.answers += any(
            e.participant_id != message.participant_id
            and _QUESTION.search(e.text or "")
            and not _SERVICE.search(e.text or "")
            for e in earlier
        )
        if len(tally.samples) < _SAMPLES_PER_PERSON and text.strip():
            tally.samples.append(text.strip()[:80])
    return tallies


def _score(tally: _Tally) -> tuple[float, list[str]]:
    n = max(1, tally.messages)
    names = " ".join(tally.names)
    parts: list[tuple[float, str]] = []
    if _STAFF_NAME.search(names):
        parts.append((_W_STAFF_NAME, "staff title in name"))
    if _CUSTOMER_NAME.search(names):
        parts.append((-_W_CUSTOMER_NAME, "customer word in name"))
    for weight, count, label in (
        (_W_SERVICE, tally.service, "service phrases"),
        (_W_COMMERCE, tally.commerce, "mentions products/prices/links"),
        (_W_ANSWERS, tally.answers, "answers others' questions"),
        (-_W_NEED, tally.needs, "states needs/budget"),
        (-_W_QUESTION, tally.questions, "asks questions"),
    ):
        if count:
            parts.append((weight * count / n, f"{label} ({count}/{tally.messages})"))
    return sum(w for w, _ in parts), [label for _, label in parts]


def score_roles(messages: Sequence[Message]) -> list[RoleAssignment]:
    """Heuristic roles for everyone who wrote in `messages`, most staff-like first.

    With two or more participants there is always at least one staff member and
    one customer: if the scores put everyone on one side, the most extreme
    participant is moved to the other.
    """
    assignments: list[RoleAssignment] = []
    for participant_id, tally in _tally(messages).items():
        score, reasons = _score(tally)
        score = round(score, 3)
        role = Role.STAFF if score > BOUNDARY else Role.CUSTOMER
        assignments.append(
            RoleAssignment(
                participant_id,
                tally.name,
                role,
                RoleSource.HEURISTIC,
                score,
                tally.messages,
                tuple(reasons),
            )
        )
    assignments.sort(key=lambda a: (-a.score, a.name))
    return _balanced(assignments)


def _balanced(assignments: list[RoleAssignment]) -> list[RoleAssignment]:
    """Ensure one staff member and one customer among two or more participants.

    Roles the user set are never moved.
    """
    movable = [i for i, a in enumerate(assignments) if a.source != RoleSource.USER]
    if len(assignments) >= 2 and movable:
        roles = {a.role for a in assignments}
        if Role.CUSTOMER not in roles:
            last = min(movable, key=lambda i: assignments[i].score)
            assignments[last] = _with_role(assignments[last], Role.CUSTOMER, "least staff-like")
        elif Role.STAFF not in roles:
            first = max(movable, key=lambda i: assignments[i].score)
            assignments[first] = _with_role(assignments[first], Role.STAFF, "most staff-like")
    return assignments


def _with_role(
    assignment: RoleAssignment, role: Role, reason: str, source: RoleSource | None = None
) -> RoleAssignment:
    return RoleAssignment(
        assignment.participant_id,
        assignment.name,
        role,
        source or assignment.source,
        assignment.score,
        assignment.message_count,
        (*assignment.reasons, reason),
    )


def is_ambiguous(assignment: RoleAssignment) -> bool:
    return (
        assignment.source == RoleSource.HEURISTIC
        and abs(assignment.score - BOUNDARY) < AMBIGUOUS_MARGIN
    )


def names_by_participant(messages: Sequence[Message]) -> dict[int, set[str]]:
    names: dict[int, set[str]] = {}
    for message in _spoken(messages):
        assert message.participant_id is not None and message.sender_name
        names.setdefault(message.participant_id, set()).add(message.sender_name)
    return names


def parse_role(raw: str | Role, name: str) -> Role:
    try:
        return Role(str(raw).strip().lower())
    except ValueError:
        raise ConfigError(
            f"Role {raw!r} for {name!r} is not one of staff, customer, other."
        ) from None


def participant_for_name(name: str, names: Mapping[int, set[str]]) -> int:
    """The participant who wrote under `name` (exact, else case-insensitive)."""
    name = name.strip()
    exact = [pid for pid, known in names.items() if name in known]
    folded = [
        pid for pid, known in names.items() if any(name.casefold() == k.casefold() for k in known)
    ]
    matches = exact or folded
    if len(matches) != 1:
        everyone = ", ".join(sorted(n for known in names.values() for n in known))
        problem = "matches several participants" if matches else "is not a participant"
        raise ConfigError(f"{name!r} {problem} of this conversation. Participants: {everyone}.")
    return matches[0]


def resolve_role_names(
    overrides: Mapping[str, str | Role], names: Mapping[int, set[str]]
) -> dict[int, Role]:
    """{'小王': 'staff'} → {participant id: Role}; unknown names or roles are errors."""
    return {
        participant_for_name(name, names): parse_role(role, name)
        for name, role in overrides.items()
    }


def apply_overrides(
    assignments: Sequence[RoleAssignment], overrides: Mapping[int, Role]
) -> list[RoleAssignment]:
    return [
        _with_role(a, overrides[a.participant_id], "set by user", RoleSource.USER)
        if a.participant_id in overrides
        else a
        for a in assignments
    ]


def ask_model_for_roles(
    assignments: Sequence[RoleAssignment],
    messages: Sequence[Message],
    generator: TextGenerator,
    cancel: CancelToken | None = None,
) -> list[RoleAssignment]:
    """Let the model decide the ambiguous participants, in one constrained call."""
    unsure = [a for a in assignments if is_ambiguous(a)]
    if not unsure:
        return list(assignments)
    tallies = _tally(messages)
    lines = []
    for a in assignments:
        hint = "" if is_ambiguous(a) else f" (probably {a.role.value})"
        lines.append(f"{a.name}{hint}:")
        lines.extend(f"  - {text}" for text in tallies[a.participant_id].samples)
    names = [a.name for a in unsure]
    schema = {
        "type": "object",
        "properties": {
            "staff": {"type": "array", "items": {"type": "string", "enum": names}},
            "customers": {"type": "array", "items": {"type": "string", "enum": names}},
        },
        "required": ["staff", "customers"],
        "additionalProperties": False,
    }
    prompt = [
        ChatMessage(
            "system",
            "You read customer-service group chats. Staff (客服/销售/顾问) represent the "
            "business: they greet, answer, quote products and prices. Customers ask, state "
            "needs and budgets. Answer in JSON.",
        ),
        ChatMessage(
            "user",
            "Participants and some of their messages:\n"
            + "\n".join(lines)
            + f"\n\nWhich of these are staff and which are customers: {', '.join(names)}?",
        ),
    ]
    options = GenerationOptions(
        max_tokens=24 + 12 * len(names), temperature=0.0, repeat_penalty=1.0, json_schema=schema
    )
    completion = drive(generator.stream_chat(prompt, options, cancel))
    try:
        answer = json.loads(completion.text)
        staff = set(answer.get("staff") or ())
        customers = set(answer.get("customers") or ()) - staff
    except (json.JSONDecodeError, AttributeError, TypeError):
        return list(assignments)
    decided: list[RoleAssignment] = []
    for a in assignments:
        if is_ambiguous(a) and a.name in staff:
            decided.append(_with_role(a, Role.STAFF, "model: staff", RoleSource.MODEL))
        elif is_ambiguous(a) and a.name in customers:
            decided.append(_with_role(a, Role.CUSTOMER, "model: customer", RoleSource.MODEL))
        else:
            decided.append(a)
    return _balanced(decided)
