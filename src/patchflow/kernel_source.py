"""A small kernel git tree built from Debian's `linux-source-6.12` tarball, cached.

The tests and the README's demo use it: a subset of the 6.12 source (the BPF generator and UAPI
header, libbpf, the networking core, MAINTAINERS and the kernel's own review scripts) committed in a
git repository, so that `check`, `regen` and `format` run on real kernel files without the network.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile

from . import processes
from .progress import step
from .errors import BadInput, ToolMissing, TreeError

DEBIAN_TARBALL = "/usr/src/linux-source-6.12.tar.xz"
TOP = "linux-source-6.12"
SUBSET = (
    "COPYING", "CREDITS", "Kbuild", "Makefile", "README", "MAINTAINERS", ".get_maintainer.ignore",
    "scripts/bpf_doc.py", "scripts/checkpatch.pl", "scripts/spelling.txt", "scripts/const_structs.checkpatch",
    "scripts/get_maintainer.pl",
    "include/uapi/linux/bpf.h", "include/uapi/linux/bpf_common.h", "include/linux/bpf.h",
    "tools/include/uapi/linux/bpf.h", "tools/lib/bpf", "tools/testing/selftests/bpf/progs/test_xdp.c",
    "kernel/bpf", "net/core", "Documentation/process/maintainer-netdev.rst",
    "Documentation/bpf/bpf_devel_QA.rst",
    # top-level directories get_maintainer.pl looks for to recognise a kernel tree
    "arch/Kconfig", "drivers/Kconfig", "fs/Kconfig", "init/Kconfig", "ipc/Makefile", "lib/Kconfig",
)
AUTHOR = {"GIT_AUTHOR_NAME": "Debian linux-source", "GIT_AUTHOR_EMAIL": "debian-kernel@lists.debian.org",
          "GIT_AUTHOR_DATE": "2024-11-17T14:15:00+00:00", "GIT_COMMITTER_NAME": "Debian linux-source",
          "GIT_COMMITTER_EMAIL": "debian-kernel@lists.debian.org",
          "GIT_COMMITTER_DATE": "2024-11-17T14:15:00+00:00"}


def cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "patchflow")


def default_tree_path() -> str:
    return os.path.join(cache_dir(), "linux-6.12-subset")


def _git(args, cwd, env=None) -> str:
    from .tree import git

    return git(args, cwd, timeout=600, env=env)


def build_tree(dest: str = None, tarball: str = DEBIAN_TARBALL, paths=SUBSET) -> str:
    """The path of a git repository holding `paths` of the 6.12 source, one commit tagged v6.12.

    Built once and reused: a finished tree has `.git/patchflow-fixture-done`. Concurrent builders
    wait for each other on a lock file.
    """
    dest = os.path.abspath(dest or default_tree_path())
    marker = os.path.join(dest, ".git", "patchflow-fixture-done")
    if os.path.exists(marker):
        return dest
    if not os.path.exists(tarball):
        raise BadInput(f"{tarball} not found: install Debian's kernel source (apt-get install linux-source-6.12)")
    for program, package in (("tar", "tar"), ("xz", "xz-utils"), ("git", "git")):
        if shutil.which(program) is None:
            raise ToolMissing(program, package)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest + ".lock", "w") as lock, step(f"building the tree {dest} from {tarball}"):
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(marker):
            return dest
        staging = tempfile.mkdtemp(prefix=".building-", dir=os.path.dirname(dest))
        try:
            members = [f"{TOP}/{path}" for path in paths]
            try:
                proc = processes.run(["tar", "-xJf", tarball, "-C", staging, "--strip-components=1", *members],
                                     cwd=None, timeout=600)
            except subprocess.TimeoutExpired:
                raise TreeError(f"extracting {tarball} timed out after 600 s")
            if proc.returncode != 0:
                # a member missing from this version of the tarball is not fatal; anything else is
                err = proc.stderr.decode("utf-8", "replace")
                if "Not found in archive" not in err:
                    raise TreeError(f"extracting {tarball} failed: {err.strip().splitlines()[-1]}")
            _git(["init", "-q", "-b", "master"], staging)
            _git(["add", "-A"], staging)
            _git(["-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "-m",
                  "Linux 6.12 (subset of Debian's linux-source-6.12)"], staging, AUTHOR)
            _git(["tag", "v6.12"], staging, AUTHOR)
            with open(os.path.join(staging, ".git", "patchflow-fixture-done"), "w") as done:
                done.write(tarball + "\n")
            if os.path.exists(dest):
                shutil.rmtree(dest)
            os.rename(staging, dest)
        finally:
            if os.path.exists(staging):
                shutil.rmtree(staging, ignore_errors=True)
    return dest
