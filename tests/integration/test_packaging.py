"""The packaging pieces that run without a PyInstaller build (the build itself and
the bundle are checked by `make package-test`, which takes minutes):

- `install.sh` from the release tarball installs a per-user copy with a menu
  entry pointing at it, and `--remove` takes it away again;
- `build.py --with-model` ships a model file only when its sha256 is the
  catalog's, and says what to do when the file is missing or wrong.
"""

from __future__ import annotations

import configparser
import importlib.util
import os
import shutil
import subprocess
from pathlib import Path
from types import ModuleType

import pytest

from chatsum.config import Settings
from chatsum.core.llm.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
LINUX = ROOT / "packaging" / "linux"


def load_build_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("chatsum_build", ROOT / "packaging" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def release_folder(tmp_path: Path) -> Path:
    """What the tarball unpacks to, with stand-in executables."""
    release = tmp_path / "chatsum-0.1.0-linux-x86_64"
    (release / "chatsum" / "_internal").mkdir(parents=True)
    for program in ("chatsum", "chatsum-app"):
        exe = release / "chatsum" / program
        exe.write_text(f'#!/bin/sh\necho {program} "$@"\n', encoding="utf-8")
        exe.chmod(0o755)
    for item in ("chatsum.desktop", "install.sh", "README.txt"):
        shutil.copy2(LINUX / item, release / item)
    (release / "chatsum.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    return release


def test_install_sh_installs_for_the_user_and_removes_again(tmp_path: Path) -> None:
    release = release_folder(tmp_path)
    home = tmp_path / "user"
    home.mkdir()
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}

    subprocess.run(["sh", str(release / "install.sh")], check=True, env=env, capture_output=True)

    opt = home / ".local" / "opt" / "chatsum"
    entry = home / ".local" / "share" / "applications" / "chatsum.desktop"
    assert (opt / "_internal").is_dir()
    assert (
        home / ".local" / "share" / "icons" / "hicolor" / "256x256" / "apps" / "chatsum.png"
    ).exists()
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]
    desktop.read(entry, encoding="utf-8")
    section = desktop["Desktop Entry"]
    assert section["Type"] == "Application" and section["Icon"] == "chatsum"
    assert section["Exec"] == f'"{opt}/chatsum-app" %F'
    linked = subprocess.run(
        [str(home / ".local" / "bin" / "chatsum"), "--version"],
        check=True,
        capture_output=True,
        text=True,
    )
    assert linked.stdout.strip() == "chatsum --version"

    subprocess.run(
        ["sh", str(release / "install.sh"), "--remove"], check=True, env=env, capture_output=True
    )
    assert not opt.exists() and not entry.exists()
    assert not (home / ".local" / "bin" / "chatsum").exists()


def test_with_model_refuses_a_file_whose_checksum_is_not_the_catalogs(tmp_path: Path) -> None:
    build = load_build_script()
    entry = load_catalog().get(Settings().model)

    with pytest.raises(SystemExit, match="does not exist"):
        build.verified_default_model(tmp_path)

    (tmp_path / entry.file).write_bytes(b"GGUF not really a model")
    with pytest.raises(SystemExit, match=f"not the catalog's {entry.sha256}"):
        build.verified_default_model(tmp_path)
