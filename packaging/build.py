"""`make package`: build the one-folder app with PyInstaller and wrap it for installing.

Steps, each timed and printed:
1. icons: the app icon (resources/icons/chatsum.svg) rendered with Qt, offscreen,
   to a 256 px PNG for the Linux desktop entry and to .ico/.icns for the
   Windows/macOS executables (Qt's image plugins write all three);
2. with `--with-model`: the default model's file, taken from the models folder
   (CHATSUM_HOME/models, or `--models-dir`) only after its sha256 matched the
   catalog's, is handed to the spec to ship inside the bundle;
3. PyInstaller runs `packaging/chatsum.spec` → `dist/chatsum/` (reused with
   `--skip-pyinstaller`, to re-wrap without the slow rebuild);
4. Linux: `dist/chatsum-<version>-linux-x86_64.tar.gz` holding the folder, a
   .desktop entry, the icon, `install.sh` and a README; an AppImage too when
   `appimagetool` is on PATH (it is not packaged by Debian or PyPI, so usually not);
5. the bundle's size and what dominates it, printed and written to
   `dist/chatsum-<version>-size.json` (recorded in bench/README.md).

Windows and macOS installers are built from the same folder by
`packaging/windows/chatsum.iss` and `packaging/macos/` (see docs/PACKAGING.md).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
ICONS = ROOT / "build" / "icons"
BUNDLE = DIST / "chatsum"


def version() -> str:
    sys.path.insert(0, str(ROOT / "app"))
    from chatsum import __version__

    return __version__


def platform_tag() -> str:
    system = {"linux": "linux", "darwin": "macos", "win32": "windows"}.get(
        sys.platform, sys.platform
    )
    machine = platform.machine().lower().replace("amd64", "x86_64")
    return f"{system}-{machine}"


@contextmanager
def step(title: str, timings: dict[str, float]) -> Iterator[None]:
    print(f"\n== {title}", flush=True)
    started = time.monotonic()
    yield
    timings[title] = round(time.monotonic() - started, 1)
    print(f"== {title}: {timings[title]:.1f} s", flush=True)


# ---------------------------------------------------------------- icons


def render_icons(target: Path) -> dict[str, Path]:
    """PNG/ICO/ICNS from the SVG app icon, drawn by Qt without a display."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    svg = ROOT / "resources" / "icons" / "chatsum.svg"
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG icon")
    image = QImage(256, 256, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    target.mkdir(parents=True, exist_ok=True)
    written = {}
    for suffix in ("png", "ico", "icns"):
        path = target / f"chatsum.{suffix}"
        if image.save(str(path)):
            written[suffix] = path
    if "png" not in written:
        raise SystemExit(f"Qt could not write {target / 'chatsum.png'}")
    return written


# ---------------------------------------------------------------- the model


def verified_default_model(models_dir: Path) -> Path:
    """The default model's file in `models_dir`, after its sha256 matched the catalog's."""
    from chatsum.config import Settings
    from chatsum.core.llm.catalog import load_catalog

    entry = load_catalog().get(Settings().model)
    path = models_dir / entry.file
    if not path.is_file():
        raise SystemExit(
            f"--with-model: {path} does not exist. Install the default model first "
            "(`make models` or `chatsum models assemble`), or pass --models-dir."
        )
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    if digest.hexdigest() != entry.sha256:
        raise SystemExit(
            f"--with-model: {path} has sha256 {digest.hexdigest()}, not the catalog's "
            f"{entry.sha256}; it is not shipped. Re-run `chatsum models assemble`."
        )
    print(f"{path.name}: sha256 matches the catalog ({entry.id})")
    return path.resolve()


# ---------------------------------------------------------------- PyInstaller


def run_pyinstaller(env: dict[str, str]) -> None:
    command = [
        sys.executable,
        "-m",
        "PyInstaller",
        str(PACKAGING / "chatsum.spec"),
        "--noconfirm",
        "--log-level=WARN",
        f"--distpath={DIST}",
        f"--workpath={WORK}",
    ]
    print(" ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, env=env)


# ---------------------------------------------------------------- Linux archive


def linux_archive(name: str, icons: dict[str, Path]) -> Path:
    """dist/<name>.tar.gz: the app folder, desktop entry, icon, install.sh, README."""
    stage = DIST / name
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    shutil.copytree(BUNDLE, stage / "chatsum", symlinks=True)
    linux = PACKAGING / "linux"
    for item in ("chatsum.desktop", "install.sh", "README.txt"):
        shutil.copy2(linux / item, stage / item)
    shutil.copy2(icons["png"], stage / "chatsum.png")
    shutil.copy2(ROOT / "resources" / "icons" / "chatsum.svg", stage / "chatsum.svg")
    archive = DIST / f"{name}.tar.gz"
    with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
        tar.add(stage, arcname=name)
    shutil.rmtree(stage)
    return archive


def appimage(name: str, icons: dict[str, Path]) -> Path | None:
    """An AppImage when `appimagetool` is on PATH; None (and why) otherwise."""
    tool = shutil.which("appimagetool") or os.environ.get("APPIMAGETOOL")
    if not tool:
        print(
            "no AppImage: `appimagetool` is not on PATH (Debian, PyPI and npm do not ship it; "
            "set APPIMAGETOOL to one you trust to build it)."
        )
        return None
    appdir = DIST / f"{name}.AppDir"
    shutil.rmtree(appdir, ignore_errors=True)
    shutil.copytree(BUNDLE, appdir / "usr" / "lib" / "chatsum", symlinks=True)
    shutil.copy2(PACKAGING / "linux" / "chatsum.desktop", appdir / "chatsum.desktop")
    shutil.copy2(icons["png"], appdir / "chatsum.png")
    app_run = appdir / "AppRun"
    app_run.write_text(
        '#!/bin/sh\nhere="$(dirname "$(readlink -f "$0")")"\n'
        'exec "$here/usr/lib/chatsum/chatsum-app" "$@"\n',
        encoding="utf-8",
    )
    app_run.chmod(0o755)
    target = DIST / f"{name}.AppImage"
    subprocess.run(
        [tool, str(appdir), str(target)], check=True, env={**os.environ, "ARCH": "x86_64"}
    )
    shutil.rmtree(appdir)
    return target


# ---------------------------------------------------------------- Windows and macOS
# Written for those machines, not exercised by this repository's Linux CI.


def windows_installer() -> list[Path]:
    iscc = shutil.which("iscc")
    if not iscc:
        print(
            "no installer: Inno Setup's `iscc` is not on PATH (the folder dist/chatsum works as is)"
        )
        return []
    script = PACKAGING / "windows" / "chatsum.iss"
    subprocess.run([iscc, f"/DAppVersion={version()}", str(script)], check=True)
    return sorted(DIST.glob(f"chatsum-{version()}-windows-*-setup.exe"))


def macos_disk_image(name: str) -> list[Path]:
    app = DIST / "chatsum.app"
    image = DIST / f"{name}.dmg"
    subprocess.run(
        [
            "hdiutil",
            "create",
            "-volname",
            "chatsum",
            "-srcfolder",
            str(app),
            "-ov",
            "-format",
            "UDZO",
            str(image),
        ],
        check=True,
    )
    return [image]


# ---------------------------------------------------------------- size


def tree_size(path: Path) -> int:
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    return sum(tree_size(child) for child in path.iterdir())


def size_report(top: int = 15) -> dict[str, object]:
    """Total size and the largest entries of `_internal/` (packages and libraries)."""
    internal = BUNDLE / "_internal"
    entries = sorted(((tree_size(p), p.name) for p in internal.iterdir()), reverse=True)
    return {
        "total_bytes": tree_size(BUNDLE),
        "files": sum(1 for p in BUNDLE.rglob("*") if p.is_file()),
        "largest": [{"name": name, "bytes": size} for size, name in entries[:top]],
    }


def print_size(report: dict[str, object]) -> None:
    total = int(report["total_bytes"])  # type: ignore[call-overload]
    print(
        f"bundle: {total / 2**20:.0f} MB in {report['files']} files; largest parts of _internal/:"
    )
    for item in report["largest"]:  # type: ignore[attr-defined]
        print(f"  {item['bytes'] / 2**20:8.1f} MB  {item['name']}")


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--with-model",
        action="store_true",
        help="ship the default model inside the bundle (checked against the catalog's sha256)",
    )
    parser.add_argument(
        "--models-dir",
        type=Path,
        help="where the default model file is (default: CHATSUM_HOME/models or the user data dir)",
    )
    parser.add_argument(
        "--skip-pyinstaller",
        action="store_true",
        help="reuse dist/chatsum from the last build; only make the archive and the report",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    timings: dict[str, float] = {}
    name = f"chatsum-{version()}-{platform_tag()}"
    env = {**os.environ, "CHATSUM_VERSION": version()}
    with step("icons", timings):
        icons = render_icons(ICONS)
        icon_kind = {"win32": "ico", "darwin": "icns"}.get(sys.platform)
        if icon_kind in icons:
            env["CHATSUM_ICON"] = str(icons[icon_kind])
    if args.with_model:
        name += "-with-model"
        with step("verify the model to ship", timings):
            from chatsum.config import load_settings

            models_dir = args.models_dir or load_settings().models_dir
            env["CHATSUM_BUNDLE_MODEL"] = str(verified_default_model(models_dir))
    if not args.skip_pyinstaller:
        with step("pyinstaller", timings):
            run_pyinstaller(env)
    if not (BUNDLE / "chatsum").exists():
        raise SystemExit(f"{BUNDLE} has no `chatsum` executable: run without --skip-pyinstaller.")
    artifacts: list[Path] = []
    with step("installer", timings):
        if sys.platform == "linux":
            artifacts.append(linux_archive(name, icons))
            built = appimage(name, icons)
            if built is not None:
                artifacts.append(built)
        elif sys.platform == "win32":
            artifacts += windows_installer()
        elif sys.platform == "darwin":
            artifacts += macos_disk_image(name)
    report = size_report()
    report.update(
        {
            "version": version(),
            "platform": platform_tag(),
            "with_model": args.with_model,
            "seconds": timings,
            "artifacts": {p.name: p.stat().st_size for p in artifacts},
        }
    )
    (DIST / f"{name}-size.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print()
    print_size(report)
    for path in artifacts:
        print(f"built {path.relative_to(ROOT)} ({path.stat().st_size / 2**20:.0f} MB)")
    print(f"app folder: {BUNDLE.relative_to(ROOT)} (run {BUNDLE.relative_to(ROOT)}/chatsum-app)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
