"""What a run parses from a big file that rarely changes, kept between runs: a kernel tree's
MAINTAINERS (maintainers_store.py), scripts/spelling.txt (checks/spelling.py).

A parse is kept in $XDG_CACHE_HOME/patchflow/KIND/, one marshal file per parsed file, and used only
while that file is the one parsed: the same path, size, modification and change times and inode.
Anything else (an edit, a checkout, a store that cannot be read or that holds another shape) parses
the file again. The stores of the KEPT files last parsed are kept per kind (a temporary worktree's
store is of no use once the worktree is gone).
"""

from __future__ import annotations

import marshal
import os
from collections.abc import Callable

from .cache_files import cache_path, write_cache

KEPT = 8


def _stamp(path: str, kind: str, version: int) -> tuple | None:
    """What identifies this version of the file and of the kept shape, or None when it is no regular file."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if info.st_mode & 0o170000 != 0o100000:
        return None
    return (kind, version, path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _store_file(kind: str, version: int, path: str) -> str | None:
    """The store of one file's parse in one packed shape: two patchflow versions that pack it
    differently (a user's install and a checkout of another version) keep a store each rather
    than parsing the file again whenever the other one ran last."""
    import zlib

    return cache_path(kind, f"{zlib.crc32(path.encode('utf-8', 'surrogateescape')):08x}-{version}.marshal")


def kept(kind: str, version: int, path: str, parse: Callable[[], object | None],
         pack: Callable[[object], object], unpack: Callable[[object], object]) -> object | None:
    """`parse()` of the file at `path`, from the store when an earlier run parsed the same file.
    `pack(parsed)` is what is stored (marshal's types), `unpack(packed)` makes it again; `version`
    names the packed shape. None when parse() gives None (the file cannot be read)."""
    stamp = _stamp(path, kind, version)
    store = _store_file(kind, version, path) if stamp is not None else None  # None also: no store wanted
    if store is not None:
        try:
            with open(store, "rb") as handle:
                kept_stamp, packed = marshal.loads(handle.read())
            if kept_stamp == stamp:
                return unpack(packed)
        except (OSError, EOFError, ValueError, TypeError, IndexError, KeyError):
            pass  # parsed again below
    parsed = parse()
    if parsed is not None and store is not None and _stamp(path, kind, version) == stamp:  # unchanged meanwhile
        write_cache(store, marshal.dumps((stamp, pack(parsed))))
        _prune(os.path.dirname(store))
    return parsed


def _prune(directory: str) -> None:
    """Remove all but the KEPT stores last written."""
    try:
        stores = [entry for entry in os.scandir(directory) if entry.name.endswith(".marshal")]
        stores.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for entry in stores[KEPT:]:
            os.unlink(entry.path)
    except OSError:
        pass
