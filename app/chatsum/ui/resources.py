"""Where the app finds its bundled files (icons, translations, sample exports).

The location itself is decided once, in `chatsum.config.resources_dir`
(checkout, PyInstaller bundle, or `CHATSUM_RESOURCES`).
"""

from __future__ import annotations

from pathlib import Path

from chatsum.config import resources_dir


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
