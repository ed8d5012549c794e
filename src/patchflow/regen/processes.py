"""Child processes that `regen` runs side by side, and stopping them all when it is interrupted.

A Ctrl-C at a terminal reaches the whole process group, but a SIGINT or SIGTERM sent to patchflow
alone does not: the generator and compiler runs of the worker threads are killed here instead, so
that the interrupted run cleans up at once rather than when they finish.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from typing import List, Optional

_live = set()
_lock = threading.Lock()


def run(args: List[str], cwd: str, timeout: float, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """subprocess.run(capture_output=True) whose process `kill_all` can stop from another thread."""
    # its own process group, so that a kill reaches what it started too (clang's cc1, a generator's
    # children): a grandchild left alive holds the pipes open and communicate() waits for it
    proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    with _lock:
        _live.add(proc)
    try:
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            raise
        except BaseException:
            _kill(proc)
            proc.wait()
            raise
    finally:
        with _lock:
            _live.discard(proc)
    return subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:  # already gone
        try:
            proc.kill()
        except OSError:
            pass


def kill_all() -> None:
    with _lock:
        running = list(_live)
    for proc in running:
        _kill(proc)
