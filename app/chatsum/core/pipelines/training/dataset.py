"""Assembling a training set: eval separation, deduplication, split, manifest.

The sources produce candidate examples; this module decides which are kept
and writes `train.jsonl`, `valid.jsonl` and `manifest.json` into one folder.
Order of the filters matters and is fixed:
1. anything overlapping an eval dialogue (exact or near, `overlap.EvalGuard`)
   is dropped first, so no eval content can survive by being deduplicated
   against a copy of itself;
2. exact duplicates (same dialogue hash), then near duplicates, keep their
   first occurrence;
3. the split is fixed by the dialogue hash, so rebuilding with more data
   never moves an example from validation into training.
The manifest records what was kept and dropped and why, the licences, the
eval sets checked (with their sha256), and the prompt version, so the model
card can say exactly what the model was trained on.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from chatsum.core.errors import ConfigError
from chatsum.core.pipelines.summarizing.evaluation import load_dialogues
from chatsum.core.pipelines.summarizing.prompts import PROMPT_VERSION, chat_line_texts
from chatsum.core.pipelines.training.examples import SftExample, write_examples
from chatsum.core.pipelines.training.overlap import (
    EvalDialogue,
    EvalGuard,
    NearDuplicates,
    dialogue_hash,
    shingles,
    split_of,
)

TRAIN_FILE = "train.jsonl"
VALID_FILE = "valid.jsonl"
MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class EvalSet:
    path: str
    sha256: str
    dialogues: int


@dataclass
class DatasetManifest:
    prompt_version: str
    train: int
    valid: int
    by_source: dict[str, int]
    by_language: dict[str, int]
    licences: dict[str, int]
    dropped: dict[str, int]
    eval_sets: list[EvalSet] = field(default_factory=list)
    valid_share: float = 0.1

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def read(cls, folder: Path) -> DatasetManifest:
        path = folder / MANIFEST_FILE
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            record["eval_sets"] = [EvalSet(**e) for e in record.get("eval_sets", [])]
            return cls(**record)
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(
                f"{path}: not a training data folder ({exc}); build one with `chatsum train data`."
            ) from exc


def load_eval_guard(paths: Sequence[Path]) -> tuple[EvalGuard, list[EvalSet]]:
    """Every dialogue of the eval sets, ready to test training dialogues against."""
    dialogues: list[EvalDialogue] = []
    sets: list[EvalSet] = []
    for path in paths:
        loaded = load_dialogues(path)
        sets.append(EvalSet(str(path), hashlib.sha256(path.read_bytes()).hexdigest(), len(loaded)))
        for dialogue in loaded:
            turns = [(m.sender_name or "", m.text) for m in dialogue.messages]
            dialogues.append(
                EvalDialogue(
                    dialogue.id,
                    path.name,
                    dialogue_hash(turns),
                    shingles(text for _, text in turns),
                )
            )
    return EvalGuard(dialogues), sets


def _chat_texts(example: SftExample) -> list[str]:
    """The chat lines of an example's prompt (the user message), without their numbers."""
    return chat_line_texts(example.messages[-1].content)


def select(
    examples: Iterable[SftExample], guard: EvalGuard, dropped: Counter[str]
) -> list[SftExample]:
    """Examples that overlap no eval dialogue and no earlier example; counts the rest."""
    seen_hashes: set[str] = set()
    near = NearDuplicates()
    kept: list[SftExample] = []
    for example in examples:
        if example.prompt_version != PROMPT_VERSION:
            dropped[f"prompt {example.prompt_version} is not {PROMPT_VERSION}"] += 1
            continue
        example_shingles = shingles(_chat_texts(example))
        hit = guard.overlap(example.dialogue_hash, example_shingles)
        if hit is not None:
            dropped["overlaps the eval set"] += 1
            continue
        if example.dialogue_hash in seen_hashes:
            dropped["duplicate"] += 1
            continue
        seen_hashes.add(example.dialogue_hash)
        if near.seen(example_shingles):
            dropped["near duplicate"] += 1
            continue
        kept.append(example)
    return kept


def write_dataset(
    folder: Path,
    examples: Iterable[SftExample],
    eval_paths: Sequence[Path],
    valid_share: float = 0.1,
    rejected: Counter[str] | None = None,
) -> DatasetManifest:
    """Filter, split and write the dataset folder; returns its manifest."""
    guard, eval_sets = load_eval_guard(eval_paths)
    dropped: Counter[str] = Counter(rejected or {})
    kept = select(examples, guard, dropped)
    train = [e for e in kept if split_of(e.dialogue_hash, valid_share) == "train"]
    valid = [e for e in kept if split_of(e.dialogue_hash, valid_share) == "valid"]
    write_examples(folder / TRAIN_FILE, train)
    write_examples(folder / VALID_FILE, valid)
    manifest = DatasetManifest(
        prompt_version=PROMPT_VERSION,
        train=len(train),
        valid=len(valid),
        by_source=dict(Counter(e.source for e in kept)),
        by_language=dict(Counter(e.language for e in kept)),
        licences=dict(Counter(e.licence for e in kept)),
        dropped=dict(dropped),
        eval_sets=eval_sets,
        valid_share=valid_share,
    )
    tmp = folder / (MANIFEST_FILE + ".tmp")
    tmp.write_text(json.dumps(manifest.to_record(), ensure_ascii=False, indent=2) + "\n", "utf-8")
    tmp.replace(folder / MANIFEST_FILE)
    return manifest
