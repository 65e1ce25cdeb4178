"""Where the app finds its bundled files (icons, translations, sample exports).

`resources/` sits next to the `app/` source root in a checkout; a PyInstaller
bundle unpacks it under `sys._MEIPASS`; `CHATSUM_RESOURCES` overrides both
(packagers and tests).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def resources_dir() -> Path:
    override = os.environ.get("CHATSUM_RESOURCES")
    if override:
        return Path(override)
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


def resource_path(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def sample_exports() -> list[Path]:
    """The sample chat exports offered on the first-run screen."""
    folder = resource_path("samples")
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.is_file() and not path.name.startswith(".")
    )
