"""PATH_OUTSIDE_TREE and `patchflow.paths`: file names that would write outside the kernel tree."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import PATCHES, run_patchflow
from patchflow.errors import BadInput
from patchflow.patch import parse_text, read_patches
from patchflow.paths import refuse_unsafe_paths, unsafe_paths

ESCAPE = PATCHES / "robust-path-escape.patch"


def one_file_diff(old: str, new: str, extra: str = "") -> str:
    return (f"diff --git a/{old} b/{new}\n{extra}--- a/{old}\n+++ b/{new}\n"
            "@@ -1 +1 @@\n-a\n+b\n")


@pytest.mark.parametrize("name, reason", [
    ("../../.bashrc", "'..' component"),
    ("kernel/../../x.c", "'..' component"),
    ("/etc/passwd", "absolute path"),
    (".git/hooks/pre-commit", ".git directory"),
    ("tools/.GIT/config", ".git directory"),
])
def test_names_that_leave_the_tree(name, reason):
    files = parse_text(one_file_diff(name, name))[0].files
    problems = unsafe_paths(files)
    assert len(problems) == 1 and problems[0].startswith(f"{name}: ") and reason in problems[0]


def test_names_inside_the_tree_are_fine():
    files = parse_text(one_file_diff("kernel/bpf/syscall.c", "kernel/bpf/syscall.c") +
                       one_file_diff("a..b/x..y.c", "a..b/x..y.c") +
                       one_file_diff("tools/lib/bpf/.gitignore", "tools/lib/bpf/.gitignore"))[0].files
    assert unsafe_paths(files) == []


def test_a_rename_out_of_the_tree():
    text = ("diff --git a/kernel/bpf/core.c b/kernel/bpf/core.c\nsimilarity index 100%\n"
            "rename from kernel/bpf/core.c\nrename to ../core.c\n")
    problems = unsafe_paths(parse_text(text)[0].files)
    assert problems == ["../core.c: a '..' component leaves the tree"]


def test_the_check_reports_every_escape_with_its_line():
    proc = run_patchflow("check", "--terse", "--types", "PATH_OUTSIDE_TREE", ESCAPE, timeout=30)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[:5] == [
        f"{ESCAPE}:7: ERROR:PATH_OUTSIDE_TREE: File name leaves the kernel tree: ../../.bashrc: a '..' component leaves the tree",
        f"{ESCAPE}:14: ERROR:PATH_OUTSIDE_TREE: File name leaves the kernel tree: .git/hooks/post-checkout: a path inside the repository's .git directory",
        f"{ESCAPE}:20: ERROR:PATH_OUTSIDE_TREE: File name leaves the kernel tree: kernel/bpf/link: a symbolic link to ../../../../etc, outside the tree",
        f"{ESCAPE}:27: ERROR:PATH_OUTSIDE_TREE: File name leaves the kernel tree: kernel/bpf/link/passwd: goes through kernel/bpf/link, a symbolic link this patch creates",
        f"{ESCAPE}:33: ERROR:PATH_OUTSIDE_TREE: File name leaves the kernel tree: /etc/shadow: an absolute path, outside the tree",
    ]
    assert lines[5] == f"{ESCAPE}: total: 5 errors, 0 warnings, 0 checks, 10 lines checked"


def test_a_symlink_in_the_tree_pointing_outside(kernel_clone, tmp_path):
    """out/x.c is fine by name; it is only in a tree where out/ is a link to /etc that it escapes."""
    os.symlink("/etc", kernel_clone / "out")
    os.symlink("kernel/bpf", kernel_clone / "bpf-inside")  # a link that stays inside is fine
    proc = run_patchflow("check", "--terse", "--types", "PATH_OUTSIDE_TREE", "--tree", kernel_clone, ESCAPE,
                         timeout=30)
    assert proc.returncode == 1, proc.stderr
    assert (f"{ESCAPE}:39: ERROR:PATH_OUTSIDE_TREE: File name leaves the kernel tree: out/x.c: goes through out, "
            "a symbolic link in the tree that points outside it") in proc.stdout.splitlines()
    assert "total: 6 errors" in proc.stdout
    inside = tmp_path / "inside.patch"
    inside.write_text(one_file_diff("bpf-inside/core.c", "bpf-inside/core.c"))
    assert unsafe_paths(read_patches(str(inside))[0].files, str(kernel_clone)) == []
    proc = run_patchflow("check", "--terse", "--types", "PATH_OUTSIDE_TREE", "--tree", kernel_clone, inside,
                         timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_file_that_is_itself_a_symlink_out_of_the_tree(kernel_clone):
    os.symlink("/etc/passwd", kernel_clone / "passwd")
    files = parse_text(one_file_diff("passwd", "passwd"))[0].files
    assert unsafe_paths(files, str(kernel_clone)) == [
        "passwd: passwd is a symbolic link in the tree that points outside it"]


def test_refuse_unsafe_paths_is_one_line_naming_patch_line_and_file():
    patches = read_patches(str(ESCAPE))
    with pytest.raises(BadInput) as raised:
        refuse_unsafe_paths(patches)
    assert str(raised.value) == (f"{ESCAPE}:7: refusing to apply ../../.bashrc: a '..' component leaves the tree "
                                 "(and 4 more)")
    refuse_unsafe_paths(read_patches(str(PATCHES / "robust-rename-binary-mode.patch")))  # a clean one passes


def test_explain_documents_the_check():
    proc = run_patchflow("explain", "PATH_OUTSIDE_TREE", timeout=30)
    assert proc.returncode == 0
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
        assert section in proc.stdout


def test_the_tree_reads_no_file_outside_it_and_no_fifo(kernel_clone):
    """Checks read pre-images by the names a patch gives: `../../dev/zero` would never end, a FIFO
    would block; KernelTree.read_text reads neither."""
    from patchflow.tree import KernelTree

    tree = KernelTree(str(kernel_clone))
    assert tree.read_text("MAINTAINERS").startswith("List of maintainers")
    depth = "../" * (str(kernel_clone).count("/") + 1)
    assert tree.read_text(depth + "dev/zero") is None
    assert tree.read_text("/dev/zero") is None
    os.mkfifo(kernel_clone / "fifo")
    assert tree.read_text("fifo") is None


def tree_state(repo):
    """What a run must leave as it was: HEAD, branches, index, working files, stash and worktrees."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, timeout=60,
                              check=True).stdout
    return (git("rev-parse", "HEAD"), git("for-each-ref"), git("ls-files", "-s"), git("status", "--porcelain"),
            git("stash", "list"), git("worktree", "list", "--porcelain"))


def test_regen_refuses_a_patch_leaving_the_tree_before_applying(kernel_clone):
    before = tree_state(kernel_clone)
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", ESCAPE, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        f"patchflow: {ESCAPE}:7: refusing to apply ../../.bashrc: a '..' component leaves the tree (and 4 more)"]
    assert proc.stdout == ""
    assert tree_state(kernel_clone) == before


def test_regen_refuses_a_path_through_a_symlink_of_the_tree(kernel_clone, tmp_path):
    os.symlink("/etc", kernel_clone / "out")
    patch = tmp_path / "through-link.patch"
    patch.write_text(one_file_diff("out/passwd", "out/passwd"))
    before = tree_state(kernel_clone)
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", patch, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"patchflow: {patch}:1: refusing to apply out/passwd: goes through out, "
                                        "a symbolic link in the tree that points outside it"]
    assert tree_state(kernel_clone) == before


def test_format_refuses_a_commit_adding_a_symlink_out_of_the_tree(kernel_clone, tmp_path):
    """git stores a symbolic link to ../../../../etc without complaint; format refuses to write or apply
    the series, even with the check gate off."""
    subprocess.run(["git", "checkout", "-q", "-b", "topic"], cwd=kernel_clone, check=True, timeout=60)
    os.symlink("../../../../etc", kernel_clone / "kernel" / "bpf" / "etc")
    subprocess.run(["git", "add", "kernel/bpf/etc"], cwd=kernel_clone, check=True, timeout=60)
    subprocess.run(["git", "commit", "-q", "-s", "-m", "bpf: add a link to the configuration",
                    "-m", "So that the verifier can read it."], cwd=kernel_clone, check=True, timeout=60)
    before = tree_state(kernel_clone)
    out = tmp_path / "out"
    proc = run_patchflow("format", "-1", "--no-check", "--no-auto", "-o", out, cwd=kernel_clone, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("patchflow: ") and lines[0].endswith(
        "refusing to apply kernel/bpf/etc: a symbolic link to ../../../../etc, outside the tree"), lines
    # the commit to fix, never the mail file, which is not written
    commit = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=kernel_clone, capture_output=True,
                            text=True, check=True, timeout=60).stdout.strip()
    assert lines[0].startswith(f'patchflow: commit {commit} ("bpf: add a link to the configuration")'), lines
    assert ".patch" not in lines[0]
    assert not out.exists() or list(out.iterdir()) == []
    assert tree_state(kernel_clone) == before
