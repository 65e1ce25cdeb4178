"""Duplicate and near-duplicate dialogues: within the training data, and against eval sets.

A model that saw an eval dialogue while training scores well on it for the
wrong reason, and a dialogue repeated in the training data is weighted twice.
Exact copies are caught by a hash of the normalized chat (senders and texts,
case, spaces and punctuation ignored; times ignored, as a re-export shifts
them). Near copies (one message edited, a chat cut differently) are caught
by character 5-gram shingles, which work for Chinese and English alike:
- against an eval set every pair is compared (eval sets are small), and a
  training dialogue is rejected when its shingles overlap an eval dialogue's
  by `EVAL_CONTAINMENT` of the smaller one (so a chat that *contains* an eval
  chat is caught too);
- within the training data, MinHash signatures in LSH bands propose candidate
  pairs, which are then compared exactly, so thousands of dialogues cost
  about linear time rather than every pair.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

SHINGLE = 5
EVAL_CONTAINMENT = 0.5
TRAIN_JACCARD = 0.8
_BANDS, _ROWS = 16, 4
_PRIME = (1 << 61) - 1


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "PZC")


def dialogue_hash(turns: Iterable[tuple[str, str]]) -> str:
    """sha256 of the normalized (sender, text) turns, in order."""
    digest = hashlib.sha256()
    for sender, text in turns:
        digest.update(_normalize(sender).encode())
        digest.update(b"\x1f")
        digest.update(_normalize(text).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def shingles(texts: Iterable[str]) -> frozenset[int]:
    """Hashed character 5-grams of the normalized texts (senders left out: names vary)."""
    joined = "\n".join(_normalize(t) for t in texts)
    if not joined:
        return frozenset()
    grams = [joined[i : i + SHINGLE] for i in range(max(1, len(joined) - SHINGLE + 1))]
    return frozenset(
        int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=8).digest()) for gram in grams
    )


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class EvalDialogue:
    id: str
    source: str
    hash: str
    shingles: frozenset[int]


class EvalGuard:
    """Says whether a training dialogue overlaps any dialogue of the eval sets."""

    def __init__(self, dialogues: Sequence[EvalDialogue]) -> None:
        self.dialogues = tuple(dialogues)
        self._hashes = {d.hash: d for d in self.dialogues}

    def overlap(self, turns_hash: str, turn_shingles: frozenset[int]) -> EvalDialogue | None:
        exact = self._hashes.get(turns_hash)
        if exact is not None:
            return exact
        for dialogue in self.dialogues:
            if containment(turn_shingles, dialogue.shingles) >= EVAL_CONTAINMENT:
                return dialogue
        return None


class NearDuplicates:
    """Remembers accepted dialogues; `seen` is true for a near copy of one of them."""

    def __init__(self, threshold: float = TRAIN_JACCARD, seed: int = 1) -> None:
        rng = np.random.default_rng(seed)
        size = _BANDS * _ROWS
        self._a = rng.integers(1, _PRIME, size=size, dtype=np.uint64)
        self._b = rng.integers(0, _PRIME, size=size, dtype=np.uint64)
        self.threshold = threshold
        self._buckets: dict[tuple[int, bytes], list[int]] = {}
        self._kept: list[frozenset[int]] = []

    def _signature(self, items: frozenset[int]) -> np.ndarray:
        values = np.fromiter(items, dtype=np.uint64, count=len(items)) % np.uint64(_PRIME)
        # (a*x + b) mod 2^64 is a fine universal hash for this purpose; overflow wraps.
        with np.errstate(over="ignore"):
            hashed = values[None, :] * self._a[:, None] + self._b[:, None]
        return hashed.min(axis=1)  # type: ignore[no-any-return]

    def seen(self, items: frozenset[int]) -> bool:
        """True if `items` nearly equal an earlier dialogue's; otherwise remember them."""
        if not items:
            return False
        signature = self._signature(items)
        keys = [
            (band, signature[band * _ROWS : (band + 1) * _ROWS].tobytes()) for band in range(_BANDS)
        ]
        candidates = {index for key in keys for index in self._buckets.get(key, ())}
        if any(jaccard(items, self._kept[index]) >= self.threshold for index in candidates):
            return True
        index = len(self._kept)
        self._kept.append(items)
        for key in keys:
            self._buckets.setdefault(key, []).append(index)
        return False


def split_of(dialogue_hash_hex: str, valid_share: float) -> str:
    """'valid' or 'train', fixed by the dialogue's hash (stable across rebuilds)."""
    bucket = int(dialogue_hash_hex[:8], 16) / 0xFFFFFFFF
    return "valid" if bucket < valid_share else "train"
