"""The tree and git layer: kernel work trees, and git run with timeouts and one-line errors.

`regen` and `format` share it; `check` uses it to read MAINTAINERS and pre-images.
"""

from __future__ import annotations

import os
import subprocess
from typing import List, Optional

from .errors import ToolMissing, TreeError

GIT_TIMEOUT = 300  # seconds; a clone of a big tree may take long, nothing else should


def git(args: List[str], cwd: str, timeout: float = GIT_TIMEOUT, input: Optional[bytes] = None,
        check: bool = True, env: Optional[dict] = None) -> str:
    """Run `git --no-pager ARGS` in cwd and return its standard output as text.

    A failure becomes a TreeError whose message is git's last line of error output.
    """
    full_env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    if env:
        full_env.update(env)
    try:
        proc = subprocess.run(["git", "--no-pager", *args], cwd=cwd, input=input, capture_output=True,
                              timeout=timeout, env=full_env)
    except FileNotFoundError:
        raise ToolMissing("git", "git")
    except subprocess.TimeoutExpired:
        raise TreeError(f"git {args[0]} timed out after {timeout:.0f} s in {cwd}")
    if check and proc.returncode != 0:
        raise TreeError(f"git {args[0]} failed in {cwd}: {last_line(proc.stderr)}")
    return proc.stdout.decode("utf-8", errors="surrogateescape")


def last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", errors="replace").splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or ["(no error output)"])[-1]


class KernelTree:
    """A kernel git work tree on disk."""

    def __init__(self, path: str, name: Optional[str] = None):
        self.path = os.path.abspath(path)
        self.name = name  # the tree name it was resolved from (bpf-next, ...), if any
        self._maintainers = None

    def __repr__(self):
        return f"KernelTree({self.path!r}, name={self.name!r})"

    def git(self, *args: str, **kw) -> str:
        return git(list(args), cwd=self.path, **kw)

    def has_file(self, relpath: str) -> bool:
        return os.path.isfile(os.path.join(self.path, relpath))

    def read_text(self, relpath: str) -> Optional[str]:
        """A file of the work tree as text, or None when the tree does not have it."""
        full = os.path.join(self.path, relpath)
        try:
            with open(full, "rb") as handle:
                return handle.read().decode("utf-8", errors="surrogateescape")
        except OSError:
            return None

    def read_blob(self, blob: str) -> Optional[str]:
        """The text of a blob (a full or abbreviated id), or None when the repository lacks it."""
        proc = subprocess.run(["git", "--no-pager", "cat-file", "blob", blob], cwd=self.path,
                              capture_output=True, timeout=60)
        if proc.returncode != 0:
            return None
        return proc.stdout.decode("utf-8", errors="surrogateescape")

    def maintainers(self):
        """The parsed MAINTAINERS of the work tree, or None when it has none."""
        if self._maintainers is None:
            text = self.read_text("MAINTAINERS")
            if text is None:
                return None
            from .maintainers import Maintainers

            self._maintainers = Maintainers.parse(text)
        return self._maintainers


def git_toplevel(start: str) -> Optional[str]:
    try:
        proc = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=start, capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def _maintainers_above(start: str) -> bool:
    """Whether start or a directory above it holds a MAINTAINERS file."""
    path = os.path.abspath(start)
    while True:
        if os.path.isfile(os.path.join(path, "MAINTAINERS")):
            return True
        parent = os.path.dirname(path)
        if parent == path:
            return False
        path = parent


def find_check_tree(spec: Optional[str]) -> Optional[KernelTree]:
    """The tree `check` reads MAINTAINERS and pre-images from.

    With --tree PATH: that directory (an error when it does not exist). Without: the git work tree
    around the current directory, when it holds a MAINTAINERS file; else None (and the checks that
    need a tree stay silent).
    """
    if spec:
        if os.path.isdir(spec):
            return KernelTree(spec)
        raise TreeError(f"--tree {spec}: no such directory")
    if not _maintainers_above(os.getcwd()):
        return None  # no kernel tree around: spare the git process (check's start-up time)
    top = git_toplevel(os.getcwd())
    if top and os.path.isfile(os.path.join(top, "MAINTAINERS")):
        return KernelTree(top)
    return None
