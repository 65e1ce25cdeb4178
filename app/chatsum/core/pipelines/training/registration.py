"""Installing a fine-tuned adapter as a model variant, with its model card.

The adapter goes through the model store's own `add_model` (sha256 recorded,
file moved in under the models folder, `base` remembered), so the engine
loads it like any other variant: `Llama(model_path=<base>, lora_path=<adapter>)`.
What the registry does not hold — the data it was trained on, the
hyper-parameters, the figures before and after — goes in a card next to it,
`<id>.card.json`, which `chatsum train export` also renders as Markdown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chatsum.core.llm.installing import add_model
from chatsum.core.llm.records import InstalledModel
from chatsum.core.llm.store import ModelStore
from chatsum.core.progress import CancelToken, ProgressGen

CARD_SUFFIX = ".card.json"


def card_path(store: ModelStore, model_id: str) -> Path:
    return store.models_dir / f"{model_id}{CARD_SUFFIX}"


def register_adapter(
    store: ModelStore,
    adapter_path: Path,
    base_id: str,
    model_id: str,
    card: dict[str, Any],
    cancel: CancelToken | None = None,
) -> ProgressGen[InstalledModel]:
    """Install the GGUF adapter as `model_id` on `base_id` and write its card."""
    model = yield from add_model(store, adapter_path, model_id, base_id, False, cancel)
    assert model.adapter is not None
    card = {**card, "id": model.id, "adapter_sha256": model.adapter.sha256, "base": base_id}
    path = card_path(store, model.id)
    path.write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return model


def read_card(store: ModelStore, model_id: str) -> dict[str, Any] | None:
    path = card_path(store, model_id)
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
