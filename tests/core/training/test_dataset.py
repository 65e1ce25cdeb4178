"""Train/eval separation, deduplication, the stable split and the manifest."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from chatsum.core.pipelines.training.dataset import (
    TRAIN_FILE,
    VALID_FILE,
    DatasetManifest,
    write_dataset,
)
from chatsum.core.pipelines.training.examples import SftExample, read_examples
from chatsum.core.pipelines.training.overlap import (
    NearDuplicates,
    dialogue_hash,
    shingles,
    split_of,
)
from chatsum.core.pipelines.training.sources import dataset_examples, synthetic_examples
from chatsum.core.progress import CancelToken, drive

DIALOGUE = [
    ("Ann", "Shall we move the launch to Friday? QA found two blockers in checkout"),
    ("Bob", "Friday works if the payment fix lands by Wednesday night"),
    ("Cat", "I can pair with Bob on the payment fix tomorrow morning"),
    ("Ann", "Great, then Friday 10am launch, I'll tell the client"),
    ("Dan", "Separate thing: the offsite venue wants a deposit by the 20th"),
    ("Bob", "I'd rather book the lake venue, it's cheaper than the hotel"),
    ("Cat", "Lake venue is fine but we need a bus for twenty people"),
    ("Dan", "Ok, lake venue, I'll pay the deposit and look for a bus company"),
]


def eval_record(turns: list[tuple[str, str]], dialogue_id: str) -> dict[str, object]:
    return {
        "id": dialogue_id,
        "language": "en",
        "messages": [
            {"sender": who, "time": f"2024-05-10 09:{i:02d}", "text": text}
            for i, (who, text) in enumerate(turns)
        ],
        "reference": {
            "gist": "The team moved the launch and chose an offsite venue.",
            "topics": [
                {
                    "title": "Launch date",
                    "summary": "Launch moved to Friday after QA blockers.",
                    "key_points": ["Two checkout blockers were found by QA"],
                    "viewpoints": [
                        {"participant": "Bob", "view": "Friday only if the payment fix lands"}
                    ],
                },
                {
                    "title": "Offsite venue",
                    "summary": "The lake venue was chosen.",
                    "key_points": ["The venue needs a deposit by the 20th"],
                    "viewpoints": [
                        {"participant": "Cat", "view": "Lake is fine but a bus is needed"}
                    ],
                },
            ],
        },
    }


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_hash_ignores_case_spacing_and_punctuation_but_not_words() -> None:
    a = dialogue_hash([("Ann", "Launch on Friday?")])
    assert a == dialogue_hash([("ann", "launch  on friday")])
    assert a != dialogue_hash([("Ann", "Launch on Monday?")])


def test_near_duplicates_are_caught_and_different_chats_are_not() -> None:
    near = NearDuplicates()
    texts = [text for _, text in DIALOGUE]
    assert not near.seen(shingles(texts))
    edited = [*texts[:-1], "Ok, lake venue, I'll pay the deposit"]
    assert near.seen(shingles(edited))
    assert not near.seen(shingles(["Completely different chat about a birthday cake"] * 3))


def test_eval_dialogues_never_reach_training(tmp_path: Path) -> None:
    eval_path = write_jsonl(tmp_path / "eval.jsonl", [eval_record(DIALOGUE, "e1")])
    # the same dialogue offered as a training dataset, and a variant with one line edited
    edited = [*DIALOGUE[:3], ("Ann", "Great, Friday launch then"), *DIALOGUE[4:]]
    train_path = write_jsonl(
        tmp_path / "train.jsonl", [eval_record(DIALOGUE, "t1"), eval_record(edited, "t2")]
    )
    leaked = drive(dataset_examples(train_path, "CC0", CancelToken()))
    assert len(leaked.examples) == 2
    synthetic = drive(synthetic_examples(12, ["en"], 4, CancelToken())).examples
    manifest = write_dataset(tmp_path / "out", [*synthetic, *leaked.examples], [eval_path])
    kept = [
        *read_examples(tmp_path / "out" / TRAIN_FILE),
        *read_examples(tmp_path / "out" / VALID_FILE),
    ]
    assert all(e.source == "synthetic" for e in kept)
    assert manifest.dropped["overlaps the eval set"] == 2
    assert manifest.eval_sets[0].dialogues == 1 and len(manifest.eval_sets[0].sha256) == 64


def test_duplicates_old_prompts_split_and_manifest(tmp_path: Path) -> None:
    examples = drive(synthetic_examples(30, ["zh", "en"], 2, CancelToken())).examples
    stale = replace(examples[0], id="old", prompt_version="sum-v0", dialogue_hash="f" * 64)
    manifest = write_dataset(tmp_path / "a", [*examples, examples[3], stale], [], valid_share=0.3)
    assert manifest.dropped["duplicate"] == 1
    assert manifest.dropped["prompt sum-v0 is not " + examples[0].prompt_version] == 1
    assert manifest.train + manifest.valid + manifest.dropped.get("near duplicate", 0) == 30
    assert manifest.valid > 0 and manifest.by_language.keys() == {"zh", "en"}
    assert DatasetManifest.read(tmp_path / "a") == manifest
    # the split is fixed by the dialogue: more data never moves an example between splits
    more = drive(synthetic_examples(10, ["en"], 99, CancelToken())).examples
    write_dataset(tmp_path / "b", [*examples, *more], [], valid_share=0.3)
    valid_a = {e.id for e in read_examples(tmp_path / "a" / VALID_FILE)}
    valid_b = {e.id for e in read_examples(tmp_path / "b" / VALID_FILE)}
    assert valid_a <= valid_b
    for example in read_examples(tmp_path / "a" / TRAIN_FILE):
        assert split_of(example.dialogue_hash, 0.3) == "train"


def test_examples_round_trip_through_jsonl(tmp_path: Path) -> None:
    (example,) = drive(synthetic_examples(1, ["zh"], 1, CancelToken())).examples
    write_dataset(tmp_path, [example], [], valid_share=0.0)
    (back,) = list(read_examples(tmp_path / TRAIN_FILE))
    assert back == example
    assert isinstance(back, SftExample)
