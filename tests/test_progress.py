"""Progress lines: a step that takes a while says so on stderr when stderr is a terminal (a pty
here), and says nothing to a pipe or with -q."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

GUARD = 600  # a guard against a hang, not a time limit


def on_a_terminal(code: str, delay: str = "0", cwd=None, env=None):
    """Run `code` in a child whose stderr is a pty; (its stderr as the terminal shows it, status).
    PATCHFLOW_PROGRESS_DELAY=0 shows every step at once, so that no test depends on a step's duration."""
    primary, secondary = pty.openpty()
    full_env = dict(os.environ, PATCHFLOW_PROGRESS_DELAY=delay, **(env or {}))
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=secondary, cwd=cwd, env=full_env)
    os.close(secondary)
    shown = b""
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # EIO: the child and its children closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(primary)
    status = child.wait(timeout=GUARD)
    return shown.decode("utf-8", "replace").replace("\r\n", "\n"), status


STEP = "from patchflow.progress import step, set_quiet\n{quiet}with step('extracting the tarball'):\n    pass\n"


def test_a_step_shows_a_line_and_its_end():
    shown, status = on_a_terminal(STEP.format(quiet=""))
    assert status == 0
    assert re.fullmatch(r"patchflow: extracting the tarball \.\.\. done \(\d+\.\d s\)\n", shown), shown


def test_a_step_shorter_than_the_delay_says_nothing():
    shown, status = on_a_terminal(STEP.format(quiet=""), delay="3600")
    assert (shown, status) == ("", 0)


def test_quiet_says_nothing():
    shown, status = on_a_terminal(STEP.format(quiet="set_quiet(True)\n"))
    assert (shown, status) == ("", 0)


def test_a_pipe_gets_no_progress():
    proc = subprocess.run([sys.executable, "-c", STEP.format(quiet="")], capture_output=True, text=True,
                          env=dict(os.environ, PATCHFLOW_PROGRESS_DELAY="0"), timeout=GUARD)
    assert (proc.stderr, proc.returncode) == ("", 0)


def test_a_failed_step_says_so():
    code = "from patchflow.progress import step\ntry:\n    with step('compiling'):\n        raise OSError\nexcept OSError:\n    pass\n"
    shown, _ = on_a_terminal(code)
    assert re.fullmatch(r"patchflow: compiling \.\.\. failed \(\d+\.\d s\)\n", shown), shown


def test_building_the_tree_talks(tmp_path):
    dest = tmp_path / "tree"
    code = ("from patchflow.kernel_source import build_tree\n"
            f"build_tree({str(dest)!r}, paths=('README', 'MAINTAINERS'))\n")
    shown, status = on_a_terminal(code)
    assert status == 0, shown
    assert re.fullmatch(rf"patchflow: building the tree {dest} from /usr/src/linux-source-6.12.tar.xz \.\.\. "
                        rf"done \(\d+\.\d s\)\n", shown), shown
    assert (dest / "MAINTAINERS").is_file()


def test_a_clone_shows_gits_own_progress(kernel_tree, tmp_path):
    config = tmp_path / "gitconfig"
    config.write_text(f'[patchflow "tree.bpf-next"]\n\turl = file://{kernel_tree}\n')
    env = {"GIT_CONFIG_GLOBAL": str(config), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    code = "from patchflow.tree import resolve_tree\nresolve_tree('bpf-next', progress=True)\n"
    shown, status = on_a_terminal(code, env=env)
    assert status == 0, shown
    lines = shown.split("\n")
    dest = tmp_path / "cache" / "patchflow" / "trees" / "bpf-next"
    assert lines[0] == f"patchflow: cloning bpf-next from file://{kernel_tree} into {dest}"
    assert lines[1] == f"patchflow: git clone file://{kernel_tree} ..."
    assert "Receiving objects: 100%" in shown  # git's own progress, drawn on the terminal
    assert re.fullmatch(rf"patchflow: git clone file://{kernel_tree}: done \(\d+\.\d s\)", lines[-2]), shown
    # -q: the same clone says nothing
    quiet = "from patchflow import progress\nprogress.set_quiet(True)\n" + code
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache2")
    assert on_a_terminal(quiet, env=env) == ("", 0)
