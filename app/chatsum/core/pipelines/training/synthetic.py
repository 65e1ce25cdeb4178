"""Synthetic group chats whose summary is known exactly, by construction.

Small models fail at attribution (who said what), and a teacher model cannot
be trusted to label it; a generated chat can. Each chat strings together 2–4
topic templates (`scenarios.py`) with random people in random roles, random
slot values, optional lines, some interleaving of neighbouring topics (real
chats interleave), and filler ("好的", "lol", stickers) that the app's
preprocessing drops. The ground truth — topics ordered by how much was said,
each point, view, decision, open question and action item with the ids of
the messages that support it — is recorded while the chat is written, so
every citation and attribution in a target is right.
"""

from __future__ import annotations

import random
import string
from collections import Counter
from dataclasses import dataclass

from chatsum.core.domain import Claim, Message, MessageKind, Topic, Viewpoint
from chatsum.core.pipelines.training.scenarios import FILLER, NAMES, TEMPLATES, Beat, TopicTemplate

MIN_TOPICS, MAX_TOPICS = 2, 4
FILLER_RATE = 0.15
INTERLEAVE_RATE = 0.3
OPTIONAL_DROP_RATE = 0.4
_START_MS = 1_704_067_200_000  # 2024-01-01 UTC
_YEAR_MS = 365 * 24 * 3600 * 1000
# What the prompt asks of the one-line wrap-up (prompts._FIELDS), in characters.
_GIST_LIMIT = {"zh": 50, "en": 200}


@dataclass(frozen=True)
class SyntheticChat:
    key: str
    language: str
    messages: tuple[Message, ...]
    topics: tuple[Topic, ...]
    gist: str
    templates: tuple[str, ...]


@dataclass
class _Spoken:
    sender: str
    text: str
    beat: Beat | None
    topic: int
    message_id: int = 0


def _fill(text: str, values: dict[str, str]) -> str:
    names = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return text.format(**{name: values[name] for name in names})


def _sentence(text: str) -> str:
    """A line starts with a capital even when a slot value opens it ("the coach's ...")."""
    return text[:1].upper() + text[1:]


def _topic_lines(
    rng: random.Random, template: TopicTemplate, people: list[str], topic: int
) -> tuple[list[_Spoken], dict[str, str], str]:
    values = {name: rng.choice(options) for name, options in template.slots.items()}
    values.update({f"p{i}": name for i, name in enumerate(rng.sample(people, template.roles))})
    spoken = [
        _Spoken(
            values[f"p{beat.who}"], _sentence(_fill(rng.choice(beat.says), values)), beat, topic
        )
        for beat in template.beats
        if not (beat.optional and rng.random() < OPTIONAL_DROP_RATE)
    ]
    return spoken, values, _fill(rng.choice(template.titles), values)


def _interleave(rng: random.Random, first: list[_Spoken], second: list[_Spoken]) -> list[_Spoken]:
    """Merge two topics' lines keeping each topic's order: the second starts before the first ends."""
    cut = rng.randint(max(1, len(first) // 2), len(first))
    head, tail, rest = first[:cut], first[cut:], list(second)
    merged = list(head)
    while tail or rest:
        source = tail if tail and (not rest or rng.random() < 0.5) else rest
        merged.append(source.pop(0))
    return merged


def _ground_truth(
    template: TopicTemplate, spoken: list[_Spoken], values: dict[str, str], title: str
) -> Topic:
    def claims(attribute: str) -> tuple[Claim, ...]:
        found = [
            Claim(_fill(getattr(line.beat, attribute), values), (line.message_id,))
            for line in spoken
            if line.beat is not None and getattr(line.beat, attribute)
        ]
        return tuple(found)

    views: dict[str, Viewpoint] = {}
    for line in spoken:
        if line.beat is None or not line.beat.view:
            continue
        earlier = views.get(line.sender)
        if earlier is None:
            views[line.sender] = Viewpoint(
                line.sender, _fill(line.beat.view, values), (line.message_id,)
            )
        else:  # a second line of the same person supports the same view
            views[line.sender] = Viewpoint(
                line.sender, earlier.view, (*earlier.message_ids, line.message_id)
            )
    return Topic(
        title=title,
        summary=_fill(template.overview, values),
        key_points=claims("point"),
        viewpoints=tuple(views.values()),
        decisions=claims("decided"),
        open_questions=claims("open"),
        action_items=claims("todo"),
    )


def _gist(language: str, topics: list[Topic]) -> str:
    titles = [t.title for t in topics]
    decided = [t.decisions[0].text for t in topics if t.decisions]
    if language == "zh":
        listed = "、".join(titles[:-1]) + "和" + titles[-1]
        full = f"群里主要讨论了{listed}。决定：{'；'.join(decided)}。"
        short = f"群里主要讨论了{listed}。"
    else:
        listed = ", ".join(titles[:-1]) + " and " + titles[-1]
        full = f"The group discussed {listed}. Decided: {'; '.join(decided)}."
        short = f"The group discussed {listed}."
    return full if decided and len(full) <= _GIST_LIMIT[language] else short


def generate_chat(rng: random.Random, language: str, key: str) -> SyntheticChat:
    """One chat of 2–4 topics with its exact ground-truth summary."""
    templates = rng.sample(TEMPLATES[language], rng.randint(MIN_TOPICS, MAX_TOPICS))
    needed = max(t.roles for t in templates)
    people = rng.sample(NAMES[language], rng.randint(needed, needed + 3))
    topics = [_topic_lines(rng, t, people, index) for index, t in enumerate(templates)]
    sequence: list[_Spoken] = []
    pending = [lines for lines, _, _ in topics]
    while pending:
        current = pending.pop(0)
        if pending and rng.random() < INTERLEAVE_RATE:
            current = _interleave(rng, current, pending.pop(0))
        sequence.extend(current)
    with_filler: list[_Spoken] = []
    for line in sequence:
        with_filler.append(line)
        if rng.random() < FILLER_RATE:
            with_filler.append(_Spoken(rng.choice(people), rng.choice(FILLER[language]), None, -1))
    messages: list[Message] = []
    ts = _START_MS + rng.randrange(_YEAR_MS) // 60_000 * 60_000
    previous_topic = 0
    for message_id, line in enumerate(with_filler, start=1):
        gap_min = rng.randint(1, 4)
        if line.topic not in (-1, previous_topic):
            gap_min += rng.choice((0, 5, 20, 90))
            previous_topic = line.topic
        ts += gap_min * 60_000
        line.message_id = message_id
        messages.append(
            Message(message_id, 0, None, line.sender, ts, 480, False, MessageKind.TEXT, line.text)
        )
    truth = [
        _ground_truth(template, lines, values, title)
        for template, (lines, values, title) in zip(templates, topics, strict=True)
    ]
    sizes = Counter(line.topic for line in sequence)
    order = sorted(range(len(truth)), key=lambda index: -sizes[index])
    ordered = [truth[index] for index in order]
    return SyntheticChat(
        key=key,
        language=language,
        messages=tuple(messages),
        topics=tuple(ordered),
        gist=_gist(language, ordered),
        templates=tuple(templates[index].key for index in order),
    )
