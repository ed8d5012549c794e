"""SIGINT and SIGTERM sent to a real `patchflow regen` / `patchflow format` child at several points
(the writing of `format` is stopped another way: see the section "writing" below).

To stop a run at a known point, PATH starts with a directory of shims: `git` and `clang` scripts that,
when their arguments contain the word the test names, touch a marker file and sleep before running
the real program. The test waits for the marker (an event the run reports, not a time), sends the
signal to patchflow, and checks that the run ends with status 130 and `patchflow: interrupted`
without waiting for the paused program (which would leave a second marker when its long sleep ends),
that the user's tree is exactly as it was (HEAD, branches and tags, index, working files, stash,
worktree list), that no temporary directory or output is left behind, and that a second run works.

No test here asserts a duration: the time limits below only keep a broken run from hanging the suite,
and are far above what any step takes on a loaded machine.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from patchwork_server import patchwork  # noqa: F401  (a fixture)
from test_paths import tree_state

# guards against a hang, never reached by a working run: a paused program sleeps PAUSE seconds, and
# the test gives up on a run after GUARD seconds
PAUSE = 900
GUARD = 600

SHIM = """#!/bin/sh
for arg in "$@"; do
    if [ "$arg" = "$PATCHFLOW_TEST_PAUSE_AT" ]; then
        echo $$ > "$PATCHFLOW_TEST_MARKER"
        sleep {pause}
        touch "$PATCHFLOW_TEST_MARKER.outlived"  # only if patchflow let it run to its end
    fi
done
exec {real} "$@"
"""


def shims(directory: Path) -> Path:
    directory.mkdir()
    for program in ("git", "clang"):
        real = shutil.which(program)
        assert real, f"{program} is needed for this test"
        shim = directory / program
        shim.write_text(SHIM.format(real=real, pause=PAUSE))
        shim.chmod(0o755)
    return directory


def start(args, cwd, tmp_path, pause_at, env=None):
    """A patchflow child whose `git`/`clang` call with `pause_at` among its arguments sleeps."""
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir(exist_ok=True)
    marker = tmp_path / "reached"
    env = dict(os.environ, PATH=f"{shims(tmp_path / 'shims')}{os.pathsep}{os.environ['PATH']}",
               PATCHFLOW_TEST_PAUSE_AT=pause_at, PATCHFLOW_TEST_MARKER=str(marker), TMPDIR=str(private_tmp),
               **(env or {}))
    child = subprocess.Popen([sys.executable, "-m", "patchflow", *map(str, args)], cwd=cwd, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             start_new_session=True)  # the signal goes to patchflow alone, not to its children
    return child, marker, private_tmp


def wait_for(ready, child, what):
    """Poll until `ready()` (a file the run wrote, a request it made): the run reports the event."""
    deadline = time.monotonic() + GUARD
    while not ready():
        assert child.poll() is None, f"ended before {what}: {child.communicate()}"
        assert time.monotonic() < deadline, f"{what} never came (a hang guard, not a time limit)"
        time.sleep(0.02)


def interrupt_when_reached(child, marker, signum):
    wait_for(marker.exists, child, "the pause point")
    out, err = signal_and_collect(child, signum)
    assert not Path(f"{marker}.outlived").exists(), "patchflow waited for the paused program to end"
    # and did not leave it behind: the paused program ends (killed with its process group) long before
    # its sleep would; one left running is still there at the guard
    assert_ends(int(marker.read_text()), "the paused program, left running by the interrupted patchflow")
    return out, err


def assert_ends(pid: int, what: str) -> None:
    deadline = time.monotonic() + GUARD
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except (OSError, IndexError):
            return  # gone
        if state in ("Z", "X"):
            return  # dead, not yet reaped
        assert time.monotonic() < deadline, f"{what} (pid {pid}) is still running"
        time.sleep(0.05)


def signal_and_collect(child, signum):
    """Send signum to the child, and wait for its output."""
    child.send_signal(signum)
    try:
        out, err = child.communicate(timeout=GUARD)
    finally:
        # a shim patchflow failed to stop would hold on: end what is left of the child's process group
        try:
            os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        child.wait(timeout=GUARD)
    return out, err


def assert_interrupted(out, err, child):
    assert child.returncode == 130, (child.returncode, out, err)
    assert err.splitlines()[-1:] == ["patchflow: interrupted"], err
    assert "Traceback" not in err


SIGNALS = pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])


@SIGNALS
@pytest.mark.parametrize("point, pause_at", [
    ("worktree", "worktree"),  # the throw-away worktree being checked out
    ("apply", "am"),  # git am of the bundled patch
    ("compile", "-target"),  # clang compiling the helper test objects
])
def test_regen_interrupted(kernel_clone, tmp_path, point, pause_at, signum):
    before = tree_state(kernel_clone)
    child, marker, private_tmp = start(["regen", "--tree", kernel_clone], kernel_clone, tmp_path, pause_at)
    out, err = interrupt_when_reached(child, marker, signum)
    assert_interrupted(out, err, child)
    assert tree_state(kernel_clone) == before
    assert list(private_tmp.iterdir()) == [], "temporary files left behind"
    if signum == signal.SIGTERM and point == "apply":
        again = subprocess.run([sys.executable, "-m", "patchflow", "regen", "--tree", str(kernel_clone)],
                               capture_output=True, text=True, timeout=GUARD)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "5 of 5 applicable proofs pass" in again.stdout
        assert tree_state(kernel_clone) == before


@SIGNALS
def test_regen_interrupted_while_cloning_a_named_tree(kernel_tree, tmp_path, signum):
    """`--tree bpf-next` clones into the cache: an interrupted clone leaves neither the clone nor its
    staging directory, and the next run clones again and passes."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    subprocess.run(["git", "config", "--file", str(config), "patchflow.tree.bpf-next.url", f"file://{kernel_tree}"],
                   check=True, timeout=GUARD)
    env = {"GIT_CONFIG_GLOBAL": str(config), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    before = tree_state(kernel_tree)
    work = tmp_path / "work"
    work.mkdir()
    child, marker, private_tmp = start(["regen", "--tree", "bpf-next"], work, tmp_path, "clone", env=env)
    out, err = interrupt_when_reached(child, marker, signum)
    assert_interrupted(out, err, child)
    trees = tmp_path / "cache" / "patchflow" / "trees"
    # NAME.lock stays: an flock(2) lock file, free once its holder is gone
    left = sorted(p.name for p in trees.iterdir()) if trees.exists() else []
    assert [name for name in left if not name.endswith(".lock")] == [], "a clone or its staging directory is left"
    assert list(private_tmp.iterdir()) == []
    assert tree_state(kernel_tree) == before
    if signum == signal.SIGINT:
        again = subprocess.run([sys.executable, "-m", "patchflow", "regen", "--tree", "bpf-next"], cwd=work,
                               capture_output=True, text=True, timeout=GUARD, env=dict(os.environ, **env))
        assert again.returncode == 0, again.stdout + again.stderr
        assert "5 of 5 applicable proofs pass" in again.stdout
        assert sorted(p.name for p in trees.iterdir()) == ["bpf-next", "bpf-next.lock"]


def topic_branch(repo):
    """Two commits on a branch, the range `format` is given."""
    def git(*args):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=GUARD)
    git("checkout", "-q", "-b", "topic")
    for name, text in (("a", "first"), ("b", "second")):
        path = repo / "kernel" / "bpf" / "syscall.c"
        path.write_text(path.read_text().replace("static void *__bpf_map_area_alloc(",
                                                 f"/* {text} */\nstatic void *__bpf_map_area_alloc(", 1))
        git("commit", "-q", "-s", "-a", "-m", f"bpf: note the {text} thing", "-m", "Say what the allocator does.")


@SIGNALS
@pytest.mark.parametrize("point, pause_at", [
    ("generation", "format-patch"),  # git format-patch writing the mails
    ("rebase-check apply", "am"),  # git am in the rebase check's worktree
])
def test_format_interrupted(kernel_clone, tmp_path, point, pause_at, signum):
    topic_branch(kernel_clone)
    subprocess.run(["git", "config", "patchflow.tree.bpf-next.path", str(kernel_clone)], cwd=kernel_clone,
                   check=True, timeout=GUARD)
    other = tmp_path / "tip"
    subprocess.run(["git", "clone", "-q", "--branch", "master", str(kernel_clone), str(other)], check=True,
                   timeout=GUARD)
    before, before_other = tree_state(kernel_clone), tree_state(other)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    args = ["format", "master..topic", "--no-check", "--no-auto", "--tree", other, "--rebase-check", "-o", out_dir]
    child, marker, private_tmp = start(args, kernel_clone, tmp_path, pause_at)
    out, err = interrupt_when_reached(child, marker, signum)
    assert_interrupted(out, err, child)
    assert tree_state(kernel_clone) == before and tree_state(other) == before_other
    assert list(out_dir.iterdir()) == [], "the output directory has files or a staging directory left"
    assert list(private_tmp.iterdir()) == []
    again = subprocess.run([sys.executable, "-m", "patchflow", *map(str, args)], cwd=kernel_clone,
                           capture_output=True, text=True, timeout=GUARD)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "0000-cover-letter.patch", "0001-bpf-note-the-first-thing.patch", "0002-bpf-note-the-second-thing.patch"]
    assert tree_state(kernel_clone) == before and tree_state(other) == before_other


# --- writing: the renames that move the mails into the output directory ---------------------------
#
# `format` writes the mails into a staging directory, then moves them into place with rename(2): one
# rename per file into an existing directory, or one rename of the staging directory itself into a
# new one. To stop a run in the middle of that, it runs under `strace`, which delivers the signal to
# patchflow (not to its git children, which strace does not follow) at the exact rename the test
# names: the signal arrives when the first file is in place and the others are not yet. The start-up
# caches (patchflow.cache_files) are written by rename too: they are off here, so that the renames
# counted are the output's.


def start_signalled_at_rename(args, cwd, tmp_path, signum, rename=1):
    strace = shutil.which("strace")
    assert strace, "strace is needed for this test (Debian package strace)"
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir(exist_ok=True)
    at_rename = f"inject=rename,renameat,renameat2:signal={signal.Signals(signum).name}:when={rename}"
    child = subprocess.Popen([strace, "-qq", "-o", "/dev/null", "-e", "trace=rename,renameat,renameat2",
                              "-e", "signal=none", "-e", at_rename, sys.executable, "-m", "patchflow",
                              *map(str, args)],
                             cwd=cwd, env=dict(os.environ, TMPDIR=str(private_tmp), PATCHFLOW_NO_START_CACHE="1"),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    out, err = child.communicate(timeout=GUARD)
    return child, out, err, private_tmp


def formatted(directory):
    return {path.name: path.read_text() for path in sorted(directory.iterdir())}


@SIGNALS
def test_format_interrupted_while_replacing_an_earlier_series(kernel_clone, tmp_path, signum):
    """An output directory holding the mails of an earlier run: a signal that arrives when the first
    new mail has replaced its old one still leaves the complete new set (the moves finish, then the
    run stops with 130), never a mix of old and new mails."""
    topic_branch(kernel_clone)
    out_dir = tmp_path / "out"
    common = ["format", "master..topic", "--no-check", "--no-auto", "-o", out_dir]
    first = subprocess.run([sys.executable, "-m", "patchflow", *map(str, common), "--cc", "old@example.org"],
                           cwd=kernel_clone, capture_output=True, text=True, timeout=GUARD)
    assert first.returncode == 0, first.stdout + first.stderr
    old = formatted(out_dir)
    assert len(old) == 3 and all("Cc: old@example.org" in text for text in old.values())
    before = tree_state(kernel_clone)

    args = [*common, "--cc", "new@example.org"]
    child, out, err, private_tmp = start_signalled_at_rename(args, kernel_clone, tmp_path, signum)
    assert_interrupted(out, err, child)
    assert "Traceback" not in out
    new = formatted(out_dir)
    assert sorted(new) == sorted(old), "a staging directory or a stray file is left in the output directory"
    assert all("Cc: new@example.org" in text and "old@example.org" not in text for text in new.values()), \
        "the output directory mixes the old and the new series"
    assert tree_state(kernel_clone) == before
    assert list(private_tmp.iterdir()) == []

    again = subprocess.run([sys.executable, "-m", "patchflow", *map(str, common), "--cc", "again@example.org"],
                           cwd=kernel_clone, capture_output=True, text=True, timeout=GUARD)
    assert again.returncode == 0, again.stdout + again.stderr
    assert sorted(formatted(out_dir)) == sorted(old)
    assert all("Cc: again@example.org" in text for text in formatted(out_dir).values())
    assert tree_state(kernel_clone) == before


@SIGNALS
def test_format_interrupted_while_creating_the_output_directory(kernel_clone, tmp_path, signum):
    """A new output directory is the staging directory renamed: once it exists it is complete."""
    topic_branch(kernel_clone)
    out_dir = tmp_path / "new" / "out"
    args = ["format", "master..topic", "--no-check", "--no-auto", "-o", out_dir]
    before = tree_state(kernel_clone)
    mails = ["0000-cover-letter.patch", "0001-bpf-note-the-first-thing.patch", "0002-bpf-note-the-second-thing.patch"]
    child, out, err, private_tmp = start_signalled_at_rename(args, kernel_clone, tmp_path, signum)
    assert_interrupted(out, err, child)
    assert sorted(formatted(out_dir)) == mails
    assert [path.name for path in out_dir.parent.iterdir()] == ["out"], "a staging directory is left"
    assert tree_state(kernel_clone) == before
    assert list(private_tmp.iterdir()) == []
    again = subprocess.run([sys.executable, "-m", "patchflow", *map(str, args)], cwd=kernel_clone,
                           capture_output=True, text=True, timeout=GUARD)
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(formatted(out_dir)) == 3


# --- status --watch and check: commands with no clean-up of their own must still stop cleanly -----


def signal_when(child, ready, signum, what):
    """Send `signum` to the child once `ready()` holds; its output."""
    wait_for(ready, child, what)
    child.send_signal(signum)
    try:
        return child.communicate(timeout=GUARD)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=GUARD)


def start_patchflow(*args, cwd=None):
    return subprocess.Popen([sys.executable, "-m", "patchflow", *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


@SIGNALS
@pytest.mark.parametrize("moment", ["between polls", "while a poll waits for the server"])
def test_status_watch_interrupted(patchwork, signum, moment):
    """Patch 2's CI check stays pending: `--watch` polls until stopped, and a signal ends it with one line."""
    from patchwork_server import patch_2_checks, slow

    checks = "/api/1.3/patches/2/checks/"
    # the poll interval and the slow answer are far longer than the hang guard: only a run that
    # stops on the signal can end before the guard
    if moment == "between polls":
        interval, polls_before = str(PAUSE), 1
    else:  # the second poll gets no answer
        patchwork.app.route("GET", checks, [patch_2_checks(), slow(patch_2_checks(), PAUSE)])
        interval, polls_before = "0.05", 2
    child = start_patchflow("status", "--url", patchwork.url, "--series", "1", "--watch", "--interval", interval)
    # the first report on stdout (flushed before the first wait) says the watch loop has begun; a
    # request the server saw only says that the poll was sent
    first = child.stdout.readline()
    out, err = signal_when(child, lambda: len(patchwork.app.requests_to("GET", checks)) >= polls_before,
                           signum, "the watch loop")
    out = first + out
    assert child.returncode == 130, (child.returncode, out, err)
    assert err.splitlines() == ["patchflow: interrupted"], err
    assert out.startswith("series 1 v2: Two small cleanups in bpf_doc.py and libbpf\n")


def load_bench_scale():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_scale.py"
    spec = importlib.util.spec_from_file_location("bench_scale", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cpu_seconds(pid):
    """User plus system CPU time of a running process (from /proc/PID/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@SIGNALS
def test_check_interrupted_on_a_huge_patch(kernel_tree, tmp_path, signum):
    """400,000 changed lines (some 10 s of CPU): stopped after a second of CPU time, check ends with 130
    (had the signal waited for the work to finish, it would have reported the findings, exit 1)."""
    import random

    bench = load_bench_scale()
    patch = tmp_path / "huge.patch"
    patch.write_text(bench.make_patch(400_000, bench.kernel_lines(kernel_tree), random.Random(7)))
    child = start_patchflow("check", "--tree", kernel_tree, patch, cwd=tmp_path)
    out, err = signal_when(child, lambda: cpu_seconds(child.pid) >= 1.0, signum, "a second of checking")
    assert child.returncode == 130, (child.returncode, out[-2000:], err)
    assert err.splitlines() == ["patchflow: interrupted"], err


# --- a git that hangs, with a helper of its own holding its output ---------------------------------

HANGING_GIT = """#!/bin/sh
for arg in "$@"; do
    if [ "$arg" = "$PATCHFLOW_TEST_HANG_AT" ]; then
        # a helper holding git's stdout and stderr open, as index-pack does for git clone; it leaves a
        # file if nothing stops it
        (sleep {pause}; touch "$PATCHFLOW_TEST_OUTLIVED") &
        sleep {pause}
    fi
done
exec {real} "$@"
"""


def test_git_timeout_kills_what_git_started(kernel_clone, tmp_path, monkeypatch, run_cli):
    """A git command over its time limit ends with one line and exit 2 at once, not when the helpers
    it started finish: the timeout kills git's whole process group (a helper left to finish would
    leave its file)."""
    topic_branch(kernel_clone)
    shim_dir = tmp_path / "shims"
    shim_dir.mkdir()
    (shim_dir / "git").write_text(HANGING_GIT.format(real=shutil.which("git"), pause=PAUSE))
    (shim_dir / "git").chmod(0o755)
    monkeypatch.setenv("PATH", f"{shim_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PATCHFLOW_TEST_HANG_AT", "rev-list")
    outlived = tmp_path / "helper-outlived"
    monkeypatch.setenv("PATCHFLOW_TEST_OUTLIVED", str(outlived))
    monkeypatch.setattr("patchflow.tree.GIT_TIMEOUT", 1)
    monkeypatch.chdir(kernel_clone)
    code, out, err = run_cli("format", "master..topic", "--no-check", "--no-auto", "-o", tmp_path / "out")
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"patchflow: git rev-list timed out after 1 s in {kernel_clone}"]
    assert not outlived.exists(), "patchflow waited for git's helper to end"
    assert not (tmp_path / "out").exists()
