"""A program patchflow needs that is not installed: one line naming the Debian package, exit 2.

Each test runs patchflow with a PATH that holds only the programs it keeps (symbolic links to the
real ones), so that the one left out is missing as on a machine without its package. (clang for
`regen` is in test_regen.py.)
"""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import PATCHES, run_patchflow


def path_with(tmp_path, *programs):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in programs:
        real = shutil.which(program)
        assert real, f"{program} is needed for this test"
        os.symlink(real, bin_dir / program)
    return str(bin_dir)


def missing(program, package):
    return f"patchflow: {program} not found: install the Debian package '{package}' (apt-get install {package})\n"


NO_GIT = missing("git", "git")


def test_regen_without_git(kernel_tree, tmp_path):
    """Not "not a git work tree": the tree is fine, git is what is missing."""
    proc = run_patchflow("regen", "--tree", kernel_tree, env={"PATH": path_with(tmp_path, "cc", "clang")})
    assert (proc.returncode, proc.stderr, proc.stdout) == (2, NO_GIT, "")


def test_format_without_git(kernel_tree, tmp_path):
    proc = run_patchflow("format", "-o", tmp_path / "out", cwd=kernel_tree, env={"PATH": path_with(tmp_path)})
    assert (proc.returncode, proc.stderr, proc.stdout) == (2, NO_GIT, "")
    assert not (tmp_path / "out").exists()


def test_check_without_git_when_it_needs_a_pre_image(kernel_tree, tmp_path):
    """The patch changes a file whose pre-image check reads from the tree's repository."""
    # --strict: on kernel/bpf (bpf@ only) the order of declarations, which reads the pre-image, is a CHECK
    proc = run_patchflow("check", "--strict", "--tree", kernel_tree, PATCHES / "alignment-c-aligned.patch",
                         env={"PATH": path_with(tmp_path)})
    assert (proc.returncode, proc.stderr) == (2, NO_GIT)


def test_check_of_a_patch_file_alone_needs_no_program(tmp_path):
    proc = run_patchflow("check", PATCHES / "alignment-c-aligned.patch", cwd=tmp_path,
                         env={"PATH": path_with(tmp_path)})
    assert proc.returncode in (0, 1) and proc.stderr == "", proc.stderr


@pytest.mark.parametrize("program, package, kept", [
    ("xz", "xz-utils", ("git", "tar")),
    ("tar", "tar", ("git", "xz")),
])
def test_debian_tree_without_its_unpacking_tools(tmp_path, program, package, kept):
    """`--tree debian-6.12` unpacks linux-source-6.12 into a fresh cache: tar and xz are needed."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    env = {"PATH": path_with(tmp_path, *kept), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}
    proc = run_patchflow("regen", "--tree", "debian-6.12", cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stderr) == (2, missing(program, package))
    assert not any((tmp_path / "cache" / "patchflow").glob("linux-6.12-subset*/*")), "a half-built tree is left"
