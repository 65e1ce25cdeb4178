"""Turn whatever the user dropped (a file, a folder, a zip) into entries.

Zip archives are untrusted: members with absolute paths, `..` segments or
symlink flags are refused, and the total uncompressed size and the compression
ratio are bounded so a zip bomb cannot fill the disk or memory. Members are
read straight from the archive (never extracted), so nothing is ever written
outside our own files. Nested zips inside a folder are opened the same way.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import IO

from chatsum.core.errors import ImportFormatError, UnsafeArchiveError
from chatsum.core.importers.base import Entry

MAX_ZIP_TOTAL_BYTES = 8 * 1024**3
MAX_ZIP_RATIO = 200
MAX_ZIP_MEMBERS = 200_000


@dataclass
class EntryList:
    """A flat list of entries with lookup by relative name (an `EntryTree`)."""

    root_display: str
    items: list[Entry]

    def entries(self) -> list[Entry]:
        return self.items

    def find(self, name: str) -> Entry | None:
        for item in self.items:
            if item.name == name:
                return item
        return None


def _open_file(path: Path) -> IO[bytes]:
    return path.open("rb")


def _open_member(archive: Path, member: str) -> IO[bytes]:
    handle = zipfile.ZipFile(archive)
    stream = handle.open(member)
    # Close the archive together with the member stream.
    original_close = stream.close

    def close() -> None:
        original_close()
        handle.close()

    stream.close = close  # type: ignore[method-assign]
    return stream


def _check_member(archive: Path, info: zipfile.ZipInfo) -> None:
    name = info.filename
    pure = PurePosixPath(name.replace("\\", "/"))
    if pure.is_absolute() or ".." in pure.parts or (len(name) > 1 and name[1] == ":"):
        raise UnsafeArchiveError(str(archive), name, "member path leaves the archive; refusing it")
    mode = (info.external_attr >> 16) & 0xFFFF
    if stat.S_ISLNK(mode):
        raise UnsafeArchiveError(str(archive), name, "member is a symbolic link; refusing it")


def zip_entries(archive: Path) -> list[Entry]:
    """Entries of a zip after the safety checks; raises on anything unsafe."""
    try:
        handle = zipfile.ZipFile(archive)
    except zipfile.BadZipFile as exc:
        raise ImportFormatError(str(archive), None, f"not a readable zip archive ({exc})") from exc
    with handle:
        infos = [info for info in handle.infolist() if not info.is_dir()]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise UnsafeArchiveError(
                str(archive), None, f"holds {len(infos)} files, more than {MAX_ZIP_MEMBERS}"
            )
        total = 0
        for info in infos:
            _check_member(archive, info)
            total += info.file_size
            if (
                info.compress_size
                and info.file_size / info.compress_size > MAX_ZIP_RATIO
                and info.file_size > 10 * 1024**2
            ):
                raise UnsafeArchiveError(
                    str(archive),
                    info.filename,
                    f"expands {info.file_size // info.compress_size}x; looks like a zip bomb",
                )
        if total > MAX_ZIP_TOTAL_BYTES:
            raise UnsafeArchiveError(
                str(archive), None, f"expands to {total} bytes, more than allowed"
            )
    return [
        Entry(
            name=info.filename,
            display=f"{archive}:{info.filename}",
            size=info.file_size,
            opener=partial(_open_member, archive, info.filename),
        )
        for info in infos
    ]


def _walk_folder(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            continue
        if path.is_file():
            yield path


def file_entry(path: Path, name: str | None = None) -> Entry:
    return Entry(
        name=name or path.name,
        display=str(path),
        size=path.stat().st_size,
        opener=partial(_open_file, path),
    )


def expand(path: Path) -> list[EntryList]:
    """The trees to import for a dropped path: one per zip, folder or file.

    A folder's own files form one tree; zips inside it become trees of their own.
    """
    if not path.exists():
        raise ImportFormatError(str(path), None, "no such file or folder")
    if path.is_dir():
        trees: list[EntryList] = []
        own: list[Entry] = []
        for member in _walk_folder(path):
            if zipfile.is_zipfile(member) and member.suffix.lower() == ".zip":
                trees.append(EntryList(str(member), zip_entries(member)))
            else:
                own.append(file_entry(member, member.relative_to(path).as_posix()))
        return [EntryList(str(path), own), *trees]
    if path.suffix.lower() == ".zip" or (
        zipfile.is_zipfile(path) and path.suffix.lower() not in {".docx", ".xlsx"}
    ):
        return [EntryList(str(path), zip_entries(path))]
    return [EntryList(str(path), [file_entry(path)])]
