"""What the make_*.py scripts that build their patches on the 6.12 tree share: a throw-away clone of
it with the test author's identity, and git run in it."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Iterator, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "src"))


def git(repo: Path, *args: str, stdin: Optional[str] = None) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          input=stdin, timeout=300).stdout


@contextlib.contextmanager
def kernel_clone(prefix: str) -> Iterator[Path]:
    """A clone of the 6.12 tree (patchflow.kernel_source.build_tree) committing as Test Author,
    removed on leaving."""
    from patchflow.kernel_source import build_tree

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        repo = Path(tmp) / "linux"
        subprocess.run(["git", "clone", "-q", str(build_tree()), str(repo)], check=True, timeout=300)
        git(repo, "config", "user.name", "Test Author")
        git(repo, "config", "user.email", "author@example.org")
        yield repo
