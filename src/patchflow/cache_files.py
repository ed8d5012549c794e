"""Files patchflow keeps between runs to start faster: under $XDG_CACHE_HOME/patchflow (else
~/.cache/patchflow), each written whole or not at all, and each a cache only: one that cannot be read
or written costs time, never a result or an error. PATCHFLOW_NO_START_CACHE=1 turns them off."""

from __future__ import annotations

import os


def cache_path(*names: str) -> str | None:
    """$XDG_CACHE_HOME/patchflow/NAMES, or None when PATCHFLOW_NO_START_CACHE is set."""
    if os.environ.get("PATCHFLOW_NO_START_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "patchflow", *names)


def can_write(path: str) -> bool:
    """Whether `path` can be written: its directory, or the nearest one above it that exists (the
    cache directory is made on the first write), is writable."""
    directory = os.path.dirname(path)
    while not os.path.isdir(directory):
        parent = os.path.dirname(directory)
        if parent == directory or os.path.exists(directory):
            return False  # a file where a directory should be
        directory = parent
    return os.access(directory, os.W_OK)


def write_cache(path: str, data: bytes) -> None:
    """Write `path` atomically (a temporary file beside it, renamed over it: a run reading it at the
    same time sees the old file or the new one); a failure leaves no temporary file and is no error."""
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError:
        pass
    finally:  # also when a Ctrl-C stops the write
        if os.path.lexists(temporary):
            try:
                os.unlink(temporary)
            except OSError:
                pass
