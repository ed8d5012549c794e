"""Child processes that stop when patchflow stops: on a timeout, on Ctrl-C or SIGTERM, or on
`kill_all` from another thread.

Each runs in a process group of its own, so that a kill reaches what it started too (git clone's
index-pack, clang's cc1, a generator's children): a grandchild left alive would hold the pipes open,
and reading them would wait for it. A Ctrl-C at a terminal reaches the whole foreground process group,
but a SIGINT or SIGTERM sent to patchflow alone does not: the groups are killed here instead, so that
an interrupted run cleans up at once rather than when its children finish.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading

_live = set()
_lock = threading.Lock()
_stopping = threading.Event()  # set by stop_all: the run is being interrupted, no child starts any more

PIPE = subprocess.PIPE


def run(args: list[str], cwd: str | None, timeout: float, env: dict | None = None,
        input: bytes | None = None, stdout=PIPE, stderr=PIPE) -> subprocess.CompletedProcess:
    """subprocess.run(capture_output=True) whose whole process group is killed on a timeout
    (TimeoutExpired is raised then), on an exception such as KeyboardInterrupt, and by `kill_all`.

    stdout and stderr may be redirected (DEVNULL, or None to share patchflow's own); a missing
    program raises FileNotFoundError, as subprocess does.
    """
    proc = None
    try:
        # a signal that arrived while the child starts would leave it running, unseen by the clean-up
        with signals_deferred():
            worker = threading.current_thread() is not threading.main_thread()
            if worker and _stopping.is_set():  # a worker thread's next step after an interrupt: start nothing
                raise KeyboardInterrupt  # (the main thread still runs its clean-up: git worktree remove)
            proc = subprocess.Popen(args, cwd=cwd, env=env, stdin=subprocess.DEVNULL if input is None else PIPE,
                                    stdout=stdout, stderr=stderr, start_new_session=True)
            with _lock:
                _live.add(proc)
                late = worker and _stopping.is_set()
            if late:  # stop_all ran while this child started (in a worker thread): it goes too
                _kill(proc)
        try:
            out, err = proc.communicate(input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            proc.communicate()
            raise
    except BaseException:
        if proc is not None and proc.returncode is None:
            _kill(proc)
            proc.wait()
        raise
    finally:
        if proc is not None:
            with _lock:
                _live.discard(proc)
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


class signals_deferred:
    """Hold SIGINT and SIGTERM until the block ends, then deliver what arrived (main thread only)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self):
        self._pending = []
        self._saved = {}
        if threading.current_thread() is not threading.main_thread():
            return self
        for sig in self.SIGNALS:
            self._saved[sig] = signal.signal(sig, lambda signum, frame: self._pending.append(signum))
        return self

    def __exit__(self, *exc):
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
        for signum in self._pending:
            handler = self._saved.get(signum)
            if callable(handler):
                handler(signum, None)
            elif handler == signal.SIG_DFL:
                signal.raise_signal(signum)
        return False


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:  # already gone
        try:
            proc.kill()
        except OSError:
            pass


def kill_all() -> None:
    """Kill every child running now (the run goes on: a failure that ends its siblings' work)."""
    with _lock:
        running = list(_live)
    for proc in running:
        _kill(proc)


def new_run() -> None:
    """A command starts: children may start again (stop_all holds for one run of the CLI)."""
    _stopping.clear()


def stop_all() -> None:
    """On an interrupt: kill every child, and let no worker thread start another for the rest of
    the run (one started while this runs is killed as it registers); the main thread's clean-up
    still runs its commands."""
    with _lock:
        _stopping.set()
        running = list(_live)
    for proc in running:
        _kill(proc)
