"""Shared fixtures: the cached 6.12 kernel tree, the bundled test patches, and running the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
SRC = TESTS.parent / "src"
# the tests exercise this checkout's source, in-process and in child processes alike
sys.path.insert(0, str(SRC))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))

from patchflow.cli import main  # noqa: E402
from patchflow.kernel_source import build_tree  # noqa: E402

PATCHES = TESTS / "patches"


@pytest.fixture(scope="session")
def kernel_tree() -> Path:
    """A git repository with a subset of Debian's linux-source-6.12, built once and cached in
    $XDG_CACHE_HOME/patchflow (CI installs linux-source-6.12; a missing tarball fails, never skips)."""
    return Path(build_tree())


@pytest.fixture
def kernel_clone(kernel_tree, tmp_path) -> Path:
    """A private clone of the cached tree that a test may change."""
    dest = tmp_path / "linux"
    subprocess.run(["git", "clone", "-q", str(kernel_tree), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "config", "user.name", "Test Author"], check=True)
    subprocess.run(["git", "-C", str(dest), "config", "user.email", "author@example.org"], check=True)
    return dest


def patch_path(name: str) -> str:
    return str(PATCHES / name)


@pytest.fixture
def run_cli(capsys):
    """Run `patchflow ARGS` in-process; returns (exit status, stdout, stderr)."""

    def run(*args):
        status = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def run_patchflow(*args, cwd=None, input=None, timeout=120, env=None):
    """Run the installed `patchflow` in a child process, as a user would."""
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "patchflow", *map(str, args)], cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=timeout, env=full_env)
