"""First start of a bundle built with `build.py --with-model`: install the model it ships.

The model store only uses files in CHATSUM_HOME/models that it verified, so a
.gguf inside the bundle is not used as it is: on the first start it is
verified against the catalog's sha256 and linked into the models folder (a
symlink, so 1 GB is not copied; moving the bundle later breaks the link, and
`chatsum models verify` then says how to restore it). Bundles without a model
pay one directory listing. Failures are reported and never stop the program.
"""

from __future__ import annotations

import sys
from pathlib import Path


def _say(text: str) -> None:
    if sys.stderr is not None:  # a console-less Windows program has no stderr
        print(f"chatsum: {text}", file=sys.stderr)


def install_bundled_models() -> None:
    root = getattr(sys, "_MEIPASS", None)
    shipped = sorted((Path(root) / "models").glob("*.gguf")) if root else []
    if not shipped:
        return
    from chatsum.config import load_settings
    from chatsum.core.errors import ChatsumError
    from chatsum.core.llm.catalog import load_catalog
    from chatsum.core.llm.installing import add_model
    from chatsum.core.llm.store import ModelStore
    from chatsum.core.progress import drive

    try:
        catalog = load_catalog()
        store = ModelStore(load_settings().models_dir, catalog)
        for path in shipped:
            entry = next((e for e in catalog if e.file == path.name), None)
            if entry is None or store.get(entry.id) is not None:
                continue
            _say(f"installing the model shipped with this program ({entry.id}), once")
            drive(add_model(store, path, entry.id, symlink=True))
    except ChatsumError as exc:
        _say(f"the model shipped with this program was not installed: {exc.user_message}")
