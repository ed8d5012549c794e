"""Shared fixtures: the cached 6.12 kernel tree, the bundled test patches, and running the CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
SRC = TESTS.parent / "src"
# the tests exercise this checkout's source, in-process and in child processes alike
sys.path.insert(0, str(SRC))
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))

# A job started in the background by a shell without job control (a CI script's `cmd &`, nohup)
# runs with SIGINT ignored, and its children inherit that: patchflow would never see the Ctrl-C the
# interruption tests send. Tests run as if from a terminal's foreground.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

from patchflow.cli import main  # noqa: E402
from patchflow.kernel_source import build_tree  # noqa: E402

PATCHES = TESTS / "patches"


def _hypothesis_profiles() -> None:
    """CI draws the same cases on every run: `ci` is derandomised (each test's cases follow from its
    name and code), and so keeps no example database (Hypothesis allows none with derandomize). A long
    fuzz run draws new cases and keeps what fails in .hypothesis/ to replay:
    PATCHFLOW_HYPOTHESIS_PROFILE=fuzz PATCHFLOW_FUZZ_EXAMPLES=20000 python3 -m pytest -q tests/test_fuzz.py
    """
    from hypothesis import HealthCheck, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    quiet_checks = [HealthCheck.too_slow, HealthCheck.data_too_large]
    settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                              suppress_health_check=quiet_checks)
    settings.register_profile("fuzz", derandomize=False, deadline=None, print_blob=True,
                              database=DirectoryBasedExampleDatabase(str(TESTS.parent / ".hypothesis" / "examples")),
                              suppress_health_check=quiet_checks)
    settings.load_profile(os.environ.get("PATCHFLOW_HYPOTHESIS_PROFILE", "ci"))


_hypothesis_profiles()


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
