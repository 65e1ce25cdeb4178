"""One supervised fine-tuning example, and its JSONL form.

An example is exactly one model call of the summarizer as the app makes it at
inference: the system and user messages the pipeline built, and the reply we
want (the app's summary JSON, with local citation numbers). Keeping the whole
prompt in the file, rather than the chat and a recipe to rebuild it, means the
trainer never re-implements prompt building, and `prompt_version` says which
prompt the data was made for, so data built for an older prompt is refused
instead of silently teaching the wrong format.

Every example carries its source and licence (a dataset's examples may only be
used as its licence allows, and the model card lists them) and the hash of the
dialogue it came from, which deduplication and the train/eval separation use.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from chatsum.core.errors import ImportFormatError
from chatsum.core.llm.base import ChatMessage

Source = Literal["synthetic", "archive", "dataset"]
SOURCES: tuple[Source, ...] = ("synthetic", "archive", "dataset")


@dataclass(frozen=True)
class SftExample:
    id: str
    source: Source
    licence: str
    language: str
    prompt_version: str
    dialogue_hash: str
    messages: tuple[ChatMessage, ...]
    target: str
    meta: dict[str, Any] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "licence": self.licence,
            "language": self.language,
            "prompt_version": self.prompt_version,
            "dialogue_hash": self.dialogue_hash,
            "messages": [{"role": m.role, "content": m.content} for m in self.messages],
            "target": self.target,
            "meta": self.meta,
        }

    @classmethod
    def from_record(cls, record: Any, where: str, path: Path) -> SftExample:
        try:
            source = record["source"]
            if source not in SOURCES:
                raise ValueError(f"unknown source {source!r}")
            messages = tuple(ChatMessage(m["role"], str(m["content"])) for m in record["messages"])
            if not messages or any(m.role not in ("system", "user") for m in messages):
                raise ValueError("messages must be the system and user prompt only")
            return cls(
                id=str(record["id"]),
                source=source,
                licence=str(record["licence"]),
                language=str(record["language"]),
                prompt_version=str(record["prompt_version"]),
                dialogue_hash=str(record["dialogue_hash"]),
                messages=messages,
                target=str(record["target"]),
                meta=dict(record.get("meta") or {}),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ImportFormatError(
                str(path), where, f"not a chatsum training example ({exc})"
            ) from exc


def write_examples(path: Path, examples: Iterable[SftExample]) -> int:
    """Write JSONL atomically (a temporary name, then rename); returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    count = 0
    with tmp.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(json.dumps(example.to_record(), ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(path)
    return count


def read_examples(path: Path) -> Iterator[SftExample]:
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise ImportFormatError(str(path), None, f"cannot be read ({exc.strerror})") from exc
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ImportFormatError(
                    str(path), f"line {number}", f"not JSON ({exc.msg})"
                ) from exc
            yield SftExample.from_record(record, f"line {number}", path)
