"""Progress lines on stderr for the steps that take a while (a tree extraction, a clone, a compile).

    from patchflow.progress import step

    with step("extracting /usr/src/linux-source-6.12.tar.xz"):
        ...

A step that ends within about a second says nothing. One that runs longer gets a line once it has
run that long, `patchflow: extracting ... ...`, completed when it ends: `... done (21.4 s)`. Lines
are shown only when stderr is a terminal and the run is not quiet (`-q`, `set_quiet`): a script, a
pipe or a test sees exactly what it saw before.

A step whose child process draws its own progress (git clone) is opened with `child_draws=True`:
its line is printed at once, the child is given `progress_flag()` (`--progress` on a terminal,
`--quiet` otherwise) and stderr to draw under that line, and the end line follows the child's.
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from collections.abc import Iterator

_quiet = False
_lock = None  # made by the first step shown (a run that shows none need not import threading)


def set_quiet(quiet: bool) -> None:
    """`-q`: no progress lines, whatever stderr is."""
    global _quiet
    _quiet = quiet


def showing() -> bool:
    """Whether progress is shown: stderr is a terminal and the run is not quiet."""
    if _quiet:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # stderr replaced, or closed
        return False


def progress_flag() -> str:
    """The flag that makes git draw its own progress exactly when patchflow shows its lines."""
    return "--progress" if showing() else "--quiet"


def _delay() -> float:
    """Seconds a step runs before its line appears (PATCHFLOW_PROGRESS_DELAY changes it: 0 shows all)."""
    try:
        return max(0.0, float(os.environ.get("PATCHFLOW_PROGRESS_DELAY", "1")))
    except ValueError:
        return 1.0


class _Line:
    """The state of one step's line: not shown yet, open (no newline yet), or closed."""

    def __init__(self, what: str):
        self.what = what
        self.shown = False
        self.open = False
        self.started = time.monotonic()

    def show(self, newline: bool) -> None:
        with _lock:
            if self.shown:
                return
            self.shown = True
            self.open = not newline
            _write(f"patchflow: {self.what} ..." + ("\n" if newline else ""))

    def finish(self, outcome: str) -> None:
        with _lock:
            if not self.shown:
                return
            elapsed = f"{time.monotonic() - self.started:.1f} s"
            if self.open:
                _write(f" {outcome} ({elapsed})\n")
            else:
                _write(f"patchflow: {self.what}: {outcome} ({elapsed})\n")
            self.open = False


def _write(text: str) -> None:
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError):  # the terminal went away: progress is not worth failing for
        pass


@contextmanager
def step(what: str, child_draws: bool = False) -> Iterator[None]:
    """Announce `what` on stderr if it runs over about a second (at once with `child_draws`)."""
    if not showing():
        yield
        return
    import threading

    global _lock
    if _lock is None:  # made here, before any timer thread can ask for it
        _lock = threading.Lock()
    line = _Line(what)
    timer = None
    delay = _delay()
    if child_draws or delay == 0:
        line.show(newline=child_draws)
    else:
        timer = threading.Timer(delay, line.show, kwargs={"newline": False})
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
        if timer is not None:
            timer.cancel()
            timer.join()
        line.finish(outcome)
