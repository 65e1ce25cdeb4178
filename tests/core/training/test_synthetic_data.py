"""Synthetic chats: exact ground truth, accepted by the app's own checks, in both languages."""

from __future__ import annotations

import json
import random

import pytest

from chatsum.core.domain import Viewpoint
from chatsum.core.pipelines.summarizing.preprocessing import is_filler
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION
from chatsum.core.pipelines.training.sources import SYNTHETIC_LICENCE, synthetic_examples
from chatsum.core.pipelines.training.synthetic import generate_chat
from chatsum.core.progress import CancelToken, drive


@pytest.mark.parametrize("language", ["zh", "en"])
def test_ground_truth_cites_the_right_people(language: str) -> None:
    rng = random.Random(3)
    for index in range(40):
        chat = generate_chat(rng, language, f"c{index}")
        by_id = {m.id: m for m in chat.messages}
        assert 2 <= len(chat.topics) <= 4
        for topic in chat.topics:
            assert topic.key_points and topic.viewpoints
            for claim in topic.claims():
                assert claim.message_ids
                for message_id in claim.message_ids:
                    message = by_id[message_id]
                    assert not is_filler(message.text), "ground truth never cites filler"
                    if isinstance(claim, Viewpoint):
                        assert message.sender_name == claim.participant
            people = [v.participant for v in topic.viewpoints]
            assert len(people) == len(set(people)), "one view per person and topic"


def test_topics_are_ordered_by_how_much_was_said() -> None:
    for seed in range(10):
        chat = generate_chat(random.Random(seed), "en", "k")
        # every line of a template supports some summary item, so cited ids count its lines
        sizes = [len({mid for c in t.claims() for mid in c.message_ids}) for t in chat.topics]
        assert sizes == sorted(sizes, reverse=True)
        assert chat.gist.startswith("The group discussed " + chat.topics[0].title)


def test_same_seed_same_chat_other_seed_other_chat() -> None:
    first = generate_chat(random.Random(5), "zh", "a")
    again = generate_chat(random.Random(5), "zh", "a")
    other = generate_chat(random.Random(6), "zh", "a")
    assert first == again
    assert [m.text for m in first.messages] != [m.text for m in other.messages]


def test_every_synthetic_example_passes_the_apps_checks() -> None:
    outcome = drive(synthetic_examples(60, ["zh", "en"], seed=9, cancel=CancelToken()))
    assert not outcome.rejected, outcome.rejected
    assert len(outcome.examples) == 60
    languages = {e.language for e in outcome.examples}
    assert languages == {"zh", "en"}
    for example in outcome.examples:
        assert example.licence == SYNTHETIC_LICENCE
        assert example.prompt_version == PROMPT_VERSION
        assert [m.role for m in example.messages] == ["system", "user"]
        reply = json.loads(example.target)
        assert reply["topics"], example.id
        assert example.meta["verbatim"] <= 0.2


def test_cancel_stops_generation() -> None:
    cancel = CancelToken()
    cancel.cancel()
    from chatsum.core.errors import Cancelled

    with pytest.raises(Cancelled):
        drive(synthetic_examples(5, ["en"], seed=1, cancel=cancel))
