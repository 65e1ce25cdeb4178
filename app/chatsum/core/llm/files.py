"""Checking model files: sha256 streaming, GGUF magic, and GGUF metadata.

Model files are large (0.1–5 GB), so hashing streams in 4 MiB blocks and is a
progress generator that can be cancelled. Metadata is read with the `gguf`
package (the format's reference reader) once, when a file is installed; the
figures the engine needs later (context length, layer and head counts for the
memory estimate) are kept in the store's registry so loading never re-parses
the file. Anything that is not a readable GGUF is a `ModelError` naming the
file: it must never reach llama.cpp.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from chatsum.core.errors import ModelError
from chatsum.core.progress import CancelToken, Progress, ProgressGen

GGUF_MAGIC = b"GGUF"
_BLOCK = 4 * 1024 * 1024


def has_gguf_magic(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(4) == GGUF_MAGIC
    except OSError:
        return False


def sha256_file(
    path: Path,
    cancel: CancelToken | None = None,
    stage: str = "verify",
    on_block: Callable[[bytes], object] | None = None,
) -> ProgressGen[str]:
    """Hash a file, yielding byte progress; returns the hex digest.

    `on_block` sees every block read, so a caller can copy while hashing.
    """
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
            if on_block is not None:
                on_block(block)
            done += len(block)
            if cancel is not None:
                cancel.raise_if_cancelled()
            yield Progress(stage, path.name, done=done, total=total, unit="bytes")
    return digest.hexdigest()


@dataclass(frozen=True)
class GgufInfo:
    """What chatsum needs to know about a GGUF file before loading it."""

    file_type: str  # "model" or "adapter"
    architecture: str
    name: str
    context_length: int | None
    chat_template: str | None
    block_count: int | None
    embedding_length: int | None
    head_count: int | None
    head_count_kv: int | None
    adapter_type: str | None = None

    @property
    def has_chat_template(self) -> bool:
        return bool(self.chat_template)

    def kv_cache_bytes(self, n_ctx: int) -> int | None:
        """Bytes of an f16 K+V cache for `n_ctx` tokens, where the metadata allows it."""
        if not (self.block_count and self.embedding_length and self.head_count):
            return None
        head_dim = self.embedding_length // self.head_count
        kv_heads = self.head_count_kv or self.head_count
        return 2 * self.block_count * n_ctx * kv_heads * head_dim * 2

    def to_record(self) -> dict[str, Any]:
        """JSON-able summary for the registry (the template is reduced to a flag)."""
        record = asdict(self)
        record.pop("chat_template")
        record["has_chat_template"] = self.has_chat_template
        return record

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> GgufInfo:
        values = {k: v for k, v in record.items() if k in cls.__dataclass_fields__}
        values["chat_template"] = "(present)" if record.get("has_chat_template") else None
        return cls(**values)


def read_gguf_info(path: Path) -> GgufInfo:
    """Read and check GGUF metadata; ModelError if the file is not a usable GGUF."""
    if not path.is_file():
        raise ModelError(f"{path}: no such file.")
    if not has_gguf_magic(path):
        raise ModelError(f"{path}: not a GGUF model file (it does not start with 'GGUF').")
    from gguf import GGUFReader

    try:
        reader = GGUFReader(path, "r")
    except Exception as exc:  # the reader raises ValueError, KeyError, struct errors...
        raise ModelError(
            f"{path}: the GGUF header is damaged or truncated ({type(exc).__name__}: {exc}). "
            "Download or assemble the file again."
        ) from exc

    def value(key: str) -> Any:
        field = reader.fields.get(key)
        if field is None:
            return None
        try:
            return field.contents()
        except Exception:  # a malformed field reads as absent
            return None

    architecture = value("general.architecture")
    if not isinstance(architecture, str) or not architecture:
        raise ModelError(
            f"{path}: GGUF file without general.architecture; not a model chatsum can use."
        )

    def arch_int(key: str) -> int | None:
        found = value(f"{architecture}.{key}")
        return int(found) if isinstance(found, int | float) else None

    file_type = value("general.type") or "model"
    template = value("tokenizer.chat_template")
    return GgufInfo(
        file_type=str(file_type),
        architecture=architecture,
        name=str(value("general.name") or path.stem),
        context_length=arch_int("context_length"),
        chat_template=template if isinstance(template, str) and template else None,
        block_count=arch_int("block_count"),
        embedding_length=arch_int("embedding_length"),
        head_count=arch_int("attention.head_count"),
        head_count_kv=arch_int("attention.head_count_kv"),
        adapter_type=value("adapter.type"),
    )
