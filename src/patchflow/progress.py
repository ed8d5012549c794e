"""Progress lines on stderr for steps that take over about a second (minimal stand-in: the newcomer
helper's module of the same API replaces it at merge).

    from patchflow.progress import step

    with step("generating bpf_helper_defs.h"):
        ...

Shown only when stderr is a terminal and the run is not quiet.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import Iterator

DELAY = 1.0
_quiet = False


def set_quiet(quiet: bool) -> None:
    global _quiet
    _quiet = quiet


def showing() -> bool:
    try:
        return not _quiet and sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def step(what: str) -> Iterator[None]:
    """Print `patchflow: what ...` once the step has run DELAY seconds, and how it ended."""
    if not showing():
        yield
        return
    started = time.monotonic()
    shown = threading.Event()

    def show():
        shown.set()
        sys.stderr.write(f"patchflow: {what} ...\n")
        sys.stderr.flush()

    timer = threading.Timer(DELAY, show)
    timer.daemon = True
    timer.start()
    outcome = "interrupted"
    try:
        yield
        outcome = "done"
    except Exception:
        outcome = "failed"
        raise
    finally:
        timer.cancel()
        timer.join()
        if shown.is_set():
            sys.stderr.write(f"patchflow: {what}: {outcome} ({time.monotonic() - started:.1f} s)\n")
            sys.stderr.flush()
