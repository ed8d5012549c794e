"""The tree layer: names to trees (config, cache clones over file://) and throw-away worktrees."""

from __future__ import annotations

import os
import subprocess
import time

import pytest

from patchflow.errors import TreeError
from patchflow.tree import FETCH_STAMP, KernelTree, TempWorktree, find_check_tree, resolve_tree


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


@pytest.fixture
def isolated_config(tmp_path, monkeypatch):
    """A private global git config and cache directory; returns a setter for config keys."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)

    def set_config(key, value):
        subprocess.run(["git", "config", "--file", str(config), key, value], check=True, timeout=30)

    return set_config


def snapshot(repo):
    """Everything of a user's tree patchflow must leave alone."""
    return {
        "head": git(repo, "rev-parse", "HEAD"),
        "symbolic": git(repo, "symbolic-ref", "-q", "HEAD"),
        "refs": git(repo, "for-each-ref"),
        "status": git(repo, "status", "--porcelain=v2", "--untracked-files=all"),
        "stash": git(repo, "stash", "list"),
        "worktrees": git(repo, "worktree", "list", "--porcelain"),
        "index": (repo / ".git" / "index").read_bytes(),
    }


def test_path_is_a_work_tree(kernel_tree):
    tree = resolve_tree(str(kernel_tree))
    assert tree.path == str(kernel_tree) and tree.name is None
    assert tree.has_file("scripts/bpf_doc.py")


def test_path_that_is_not_git(tmp_path):
    with pytest.raises(TreeError, match="not a git work tree"):
        resolve_tree(str(tmp_path))
    with pytest.raises(TreeError, match="no such directory"):
        resolve_tree(str(tmp_path / "missing"))


def test_configured_path(isolated_config, kernel_tree):
    isolated_config("patchflow.tree.mine.path", str(kernel_tree))
    tree = resolve_tree("mine")
    assert (tree.path, tree.name) == (str(kernel_tree), "mine")
    assert find_check_tree("mine").path == str(kernel_tree)


def test_unknown_name_says_how_to_configure(isolated_config):
    with pytest.raises(TreeError, match=r"patchflow.tree.nosuch.path"):
        resolve_tree("nosuch")


def test_known_name_clones_shallow_from_configured_url(isolated_config, kernel_clone, tmp_path):
    (kernel_clone / "NEWFILE").write_text("second commit\n")
    git(kernel_clone, "add", "NEWFILE")
    git(kernel_clone, "commit", "-q", "-m", "second")
    isolated_config("patchflow.tree.bpf-next.url", f"file://{kernel_clone}")
    tree = resolve_tree("bpf-next")
    assert tree.path == str(tmp_path / "cache" / "patchflow" / "trees" / "bpf-next")
    assert tree.git("rev-parse", "HEAD") == git(kernel_clone, "rev-parse", "HEAD")
    assert tree.git("rev-parse", "--is-shallow-repository").strip() == "true"
    assert tree.git("rev-list", "--count", "HEAD").strip() == "1"


def test_cached_clone_is_fetched_when_older_than_max_age(isolated_config, kernel_clone):
    isolated_config("patchflow.tree.bpf.url", f"file://{kernel_clone}")
    tree = resolve_tree("bpf")
    first = tree.git("rev-parse", "HEAD")
    (kernel_clone / "NEWFILE").write_text("upstream moved on\n")
    git(kernel_clone, "add", "NEWFILE")
    git(kernel_clone, "commit", "-q", "-m", "upstream moved on")
    new_tip = git(kernel_clone, "rev-parse", "HEAD")
    # young enough: the cache is used as it is
    assert resolve_tree("bpf", max_age=3600).git("rev-parse", "HEAD") == first
    stamp = os.path.join(tree.path, ".git", FETCH_STAMP)
    old = time.time() - 7200
    os.utime(stamp, (old, old))
    assert resolve_tree("bpf", max_age=3600).git("rev-parse", "HEAD") == new_tip
    assert os.path.getmtime(stamp) > old + 3600


def test_clone_failure_is_one_line(isolated_config, tmp_path):
    isolated_config("patchflow.tree.net.url", f"file://{tmp_path}/nowhere")
    with pytest.raises(TreeError) as err:
        resolve_tree("net")
    assert "git clone" in str(err.value) and "\n" not in str(err.value)
    assert not (tmp_path / "cache" / "patchflow" / "trees" / "net").exists()


def dirty_user_tree(repo):
    """A user's tree mid-work: a branch, a stash, staged and unstaged changes, an untracked file."""
    git(repo, "switch", "-q", "-c", "topic")
    (repo / "README").write_text("stashed\n")
    git(repo, "stash", "-q")
    with open(repo / "Makefile", "a") as handle:
        handle.write("# staged\n")
    git(repo, "add", "Makefile")
    with open(repo / "COPYING", "a") as handle:
        handle.write("unstaged\n")
    (repo / "untracked.txt").write_text("mine\n")


def test_temp_worktree_leaves_user_tree_alone(kernel_clone):
    dirty_user_tree(kernel_clone)
    before = snapshot(kernel_clone)
    tree = KernelTree(str(kernel_clone))
    with TempWorktree(tree, "v6.12") as work:
        assert os.path.isfile(os.path.join(work.path, "scripts", "bpf_doc.py"))
        assert git(work.path, "rev-parse", "HEAD") == git(kernel_clone, "rev-parse", "v6.12^{commit}")
        work.temp_branch("patchflow-test")
        (open(os.path.join(work.path, "Makefile"), "a")).write("# in the worktree\n")
        git(work.path, "commit", "-q", "-am", "throw-away")
        path = work.path
    assert not os.path.exists(path)
    assert snapshot(kernel_clone) == before


def test_temp_worktree_removed_on_exception_and_interrupt(kernel_clone):
    before = snapshot(kernel_clone)
    tree = KernelTree(str(kernel_clone))
    for error in (RuntimeError("boom"), KeyboardInterrupt()):
        with pytest.raises(type(error)):
            with TempWorktree(tree, "HEAD") as work:
                path = work.path
                raise error
        assert not os.path.exists(path)
        assert snapshot(kernel_clone) == before


def test_temp_worktree_bad_commit(kernel_clone):
    before = snapshot(kernel_clone)
    with pytest.raises(TreeError, match="worktree"):
        with TempWorktree(KernelTree(str(kernel_clone)), "no-such-ref"):
            pass
    assert snapshot(kernel_clone) == before


def test_check_finds_the_kernel_tree_around_the_current_directory(kernel_clone):
    """From a subdirectory, the work tree's top (found by its .git, as git would) is the tree; from a
    repository nested inside it, with no MAINTAINERS of its own, there is none."""
    from conftest import patch_path, run_patchflow

    patch = patch_path("clean-bpf-fix.patch")
    # VERIFY_FIXES names the tree it asked: this one, which has one commit
    proc = run_patchflow("check", "--terse", "--strict", "--types", "VERIFY_FIXES", patch,
                         cwd=kernel_clone / "kernel" / "bpf")
    assert proc.stdout.splitlines()[0] == (
        f"{patch}:12: CHECK:VERIFY_FIXES: Fixes: ids not verified: the tree at {kernel_clone} holds one commit and "
        "no history; check them with a full clone (--tree PATH)")
    nested = kernel_clone / "tools" / "nested"
    nested.mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=nested, check=True, timeout=60)
    proc = run_patchflow("check", "--terse", "--strict", "--types", "VERIFY_FIXES", patch, cwd=nested)
    assert proc.returncode == 0 and "VERIFY_FIXES" not in proc.stdout
