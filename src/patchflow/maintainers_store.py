"""A kernel tree's parsed MAINTAINERS, kept between runs.

Why: inside a kernel tree every `check` matches the changed files against MAINTAINERS, and parsing
its 25,000 lines into some 3,000 entries, then indexing them by directory, took 13 ms of a one-patch
run's 85. The parse is kept in $XDG_CACHE_HOME/patchflow/maintainers/, one marshal file per tree,
and used only while the file is the one parsed: the same path, size, modification and change times
and inode. Anything else (an edit, a checkout, a file that cannot be read) parses MAINTAINERS again.
"""

from __future__ import annotations

import marshal
import os
from typing import Optional

from .cache_files import cache_path, write_cache
from .maintainers import Maintainers

FORMAT = 1  # the packed entries' shape; a file of another shape is parsed again
KEPT_TREES = 8  # stores kept (each near a megabyte); the least recently written go first


def _stamp(path: str) -> Optional[tuple]:
    """What identifies this version of the file, or None when it is no regular file."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    if not (info.st_mode & 0o170000) == 0o100000:
        return None
    return (FORMAT, path, info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _store_file(path: str) -> Optional[str]:
    import zlib

    return cache_path("maintainers", f"{zlib.crc32(path.encode('utf-8', 'surrogateescape')):08x}.marshal")


def _read_store(store: str, stamp: tuple, root: Optional[str]) -> Optional[Maintainers]:
    try:
        with open(store, "rb") as handle:
            kept_stamp, packed, index = marshal.loads(handle.read())
        if kept_stamp != stamp:
            return None
        return Maintainers.stored(packed, index, root=root)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def load(root: str, read_text) -> Optional[Maintainers]:
    """The tree's parsed MAINTAINERS (None when it has none): kept from an earlier run when the file
    has not changed since, else parsed from `read_text("MAINTAINERS")` and kept for the next run."""
    path = os.path.join(root, "MAINTAINERS")
    stamp = _stamp(path)
    store = _store_file(path) if stamp is not None else None  # None: no store (none wanted)
    if store is not None:
        kept = _read_store(store, stamp, root)
        if kept is not None:
            return kept
    text = read_text("MAINTAINERS")
    if text is None:
        return None
    maintainers = Maintainers.parse(text, root=root)
    if store is not None and _stamp(path) == stamp:  # unchanged while it was read
        write_cache(store, marshal.dumps((stamp, *maintainers.packed())))
        _prune(os.path.dirname(store))
    return maintainers


def _prune(directory: str) -> None:
    """Remove all but the KEPT_TREES stores last written: a temporary worktree's store (regen's,
    a test's) is of no use once the worktree is gone."""
    try:
        stores = [entry for entry in os.scandir(directory) if entry.name.endswith(".marshal")]
        stores.sort(key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for entry in stores[KEPT_TREES:]:
            os.unlink(entry.path)
    except OSError:
        pass
