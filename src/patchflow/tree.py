"""The tree and git layer: kernel work trees, and git run with timeouts and one-line errors.

Every git command of patchflow goes through `run_git` (or `git`, which raises on failure): git in a
process group of its own (`patchflow.processes`), a timeout, no terminal prompt, and one mapping of
what goes wrong to errors (git missing: ToolMissing; a timeout or a failure: TreeError naming the git
command and git's last error line). `apply_mails` applies a series in a temporary worktree
(`TempWorktree`) with the repository's hooks off; `regen` and `format --rebase-check` use them, and
`check` reads MAINTAINERS and pre-images through this layer too.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext

from . import processes
from .errors import ToolMissing, TreeError
from .progress import progress_flag, showing, step
from .records import record
from .tree_nearby import maintainers_above, nearest_holding

GIT_TIMEOUT = 300  # seconds; a clone of a big tree may take long, nothing else should
CLONE_TIMEOUT = 3600  # a shallow clone of a kernel tree is some 250 MB


def git(args: list[str], cwd: str, timeout: float | None = None, input: bytes | None = None,
        check: bool = True, env: dict | None = None) -> str:
    """Run `git --no-pager ARGS` in cwd and return its standard output as text.

    A failure becomes a TreeError whose message is git's last line of error output.
    """
    proc = run_git(args, cwd, timeout=timeout, input=input, env=env)
    if check and proc.returncode != 0:
        raise TreeError(f"git {_subcommand(args)} failed in {cwd}: {last_line(proc.stderr)}")
    return proc.stdout.decode("utf-8", errors="surrogateescape")


def run_git(args: list[str], cwd: str | None, timeout: float | None = None, input: bytes | None = None,
            env: dict | None = None, stdout=processes.PIPE, stderr=processes.PIPE,
            what: str | None = None) -> "subprocess.CompletedProcess":
    """Run `git --no-pager ARGS` and hand back the finished process, whatever its exit status.

    git runs in a process group of its own, killed whole on a timeout (GIT_TIMEOUT unless given) or
    an interrupt: a helper it started (index-pack, a hook) cannot keep patchflow waiting on its pipes.
    `what` names the command in a timeout's message (default `git SUBCOMMAND`).
    """
    timeout = GIT_TIMEOUT if timeout is None else timeout
    full_env = dict(os.environ, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    if env:
        full_env.update(env)
    try:
        return processes.run(["git", "--no-pager", *args], cwd=cwd, input=input, timeout=timeout, env=full_env,
                             stdout=stdout, stderr=stderr)
    except FileNotFoundError:
        if cwd is not None and not os.path.isdir(cwd):
            raise TreeError(f"{cwd}: no such directory")
        raise ToolMissing("git", "git")
    except subprocess.TimeoutExpired:
        where = f" in {cwd}" if cwd else ""
        raise TreeError(f"{what or 'git ' + _subcommand(args)} timed out after {timeout:.0f} s{where}")


def _subcommand(args: list[str]) -> str:
    """The git command of an argument list, past options such as `-c key=value`."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in ("-c", "-C") else 1
    return args[index] if index < len(args) else "(no command)"


def last_line(data: bytes) -> str:
    lines = [line.strip() for line in data.decode("utf-8", errors="replace").splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or ["(no error output)"])[-1]


class KernelTree:
    """A kernel git work tree on disk."""

    def __init__(self, path: str, name: str | None = None):
        self.path = os.path.abspath(path)
        self.name = name  # the tree name it was resolved from (bpf-next, ...), if any
        self._maintainers = None

    def __repr__(self):
        return f"KernelTree({self.path!r}, name={self.name!r})"

    def git(self, *args: str, **kw) -> str:
        return git(list(args), cwd=self.path, **kw)

    def has_file(self, relpath: str) -> bool:
        return os.path.isfile(os.path.join(self.path, relpath))

    def read_text(self, relpath: str) -> str | None:
        """A file of the work tree as text, or None when the tree does not have it.

        Names come from patches: one that leaves the tree (`../../dev/zero`) or that is not a regular
        file (a FIFO would block, a device never end) is not read.
        """
        from .paths import name_problem

        if name_problem(relpath):
            return None
        full = os.path.join(self.path, relpath)
        try:
            if not stat.S_ISREG(os.stat(full).st_mode):
                return None
            with open(full, "rb") as handle:
                return handle.read().decode("utf-8", errors="surrogateescape")
        except OSError:
            return None

    def maintainers(self):
        """The parsed MAINTAINERS of the work tree, or None when it has none."""
        if self._maintainers is None:
            from .maintainers_store import load

            self._maintainers = load(self.path, self.read_text)
        return self._maintainers


def git_toplevel(start: str) -> str | None:
    """The top of the git work tree around `start`, or None (git missing is ToolMissing: not "not a
    git work tree", or the user would look for the fault in the directory)."""
    try:
        proc = run_git(["rev-parse", "--show-toplevel"], cwd=start, timeout=30)
    except (TreeError, OSError):
        return None
    if proc.returncode != 0:
        return None
    return proc.stdout.decode().strip() or None


def _work_tree_top(start: str) -> str | None:
    """The nearest directory at or above start that holds a `.git` (the top of the work tree git
    would name); None when there is none."""
    return nearest_holding(start, ".git")


def find_check_tree(spec: str | None) -> KernelTree | None:
    """The tree `check` reads MAINTAINERS and pre-images from.

    With --tree PATH: that directory (an error when it does not exist); with --tree NAME: the tree
    `resolve_tree` finds for the name. Without: the git work tree around the current directory, when
    it holds a MAINTAINERS file; else None (and the checks that need a tree stay silent).
    """
    if spec:
        if os.path.isdir(spec):
            return KernelTree(spec)
        if _looks_like_path(spec):
            raise TreeError(f"--tree {spec}: no such directory")
        return resolve_tree(spec)
    if not maintainers_above(os.getcwd()):
        return None  # no kernel tree around: spare the git process (check's start-up time)
    if any(name in os.environ for name in ("GIT_DIR", "GIT_WORK_TREE")):
        top = git_toplevel(os.getcwd())  # git's own answer where the environment moves the repository
    else:
        top = _work_tree_top(os.getcwd())  # saves a git process on every run inside a kernel tree
    if top and os.path.isfile(os.path.join(top, "MAINTAINERS")):
        return KernelTree(top)
    return None


# Trees a name alone finds, without any configuration.
KNOWN_TREES = {
    "bpf": "https://git.kernel.org/pub/scm/linux/kernel/git/bpf/bpf.git",
    "bpf-next": "https://git.kernel.org/pub/scm/linux/kernel/git/bpf/bpf-next.git",
    "net": "https://git.kernel.org/pub/scm/linux/kernel/git/netdev/net.git",
    "net-next": "https://git.kernel.org/pub/scm/linux/kernel/git/netdev/net-next.git",
    "linux": "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git",
}
# The tree built locally from Debian's linux-source-6.12 (kernel_source.build_tree), no network.
DEBIAN_TREE = "debian-6.12"
TREE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _looks_like_path(spec: str) -> bool:
    return os.sep in spec or spec.startswith((".", "~")) or not TREE_NAME.match(spec)


def trees_cache_dir() -> str:
    from .kernel_source import cache_dir

    return os.path.join(cache_dir(), "trees")


def config_value(key: str) -> str | None:
    """A git configuration value as git sees it from the current directory, or None."""
    proc = run_git(["config", "--get", key], cwd=None, timeout=30, what=f"git config --get {key}")
    value = proc.stdout.decode("utf-8", "replace").strip()
    return value if proc.returncode == 0 and value else None


def resolve_tree(spec: str, max_age: float | None = None, progress: bool = False) -> KernelTree:
    """The kernel work tree named by --tree: a path, or a name.

    A name is looked up in git config (`patchflow.tree.NAME.path`, else a clone of
    `patchflow.tree.NAME.url` or of the kernel.org URL of a known name, kept in
    $XDG_CACHE_HOME/patchflow/trees/NAME). A cached clone older than `max_age` seconds is fetched
    again; `progress` shows git's progress on a terminal while cloning or fetching.
    """
    if not spec:
        raise TreeError("--tree: empty tree name")
    if os.path.isdir(spec) or _looks_like_path(spec):
        return _work_tree(os.path.expanduser(spec), spec, name=None)
    name = spec
    configured = config_value(f"patchflow.tree.{name}.path")
    if configured:
        return _work_tree(os.path.expanduser(configured), f"patchflow.tree.{name}.path", name=name)
    url = config_value(f"patchflow.tree.{name}.url") or KNOWN_TREES.get(name)
    if url is None:
        if name == DEBIAN_TREE:
            from .kernel_source import build_tree

            return KernelTree(build_tree(), name=name)
        known = ", ".join(sorted([*KNOWN_TREES, DEBIAN_TREE]))
        raise TreeError(f"--tree {name}: not a directory and not a known tree name ({known}); "
                        f"set git config patchflow.tree.{name}.path or patchflow.tree.{name}.url")
    return _cached_clone(name, url, max_age, progress)


def _work_tree(path: str, what: str, name: str | None) -> KernelTree:
    if not os.path.isdir(path):
        raise TreeError(f"--tree {what}: no such directory: {path}")
    top = git_toplevel(path)
    if top is None:
        raise TreeError(f"--tree {what}: {path} is not a git work tree")
    return KernelTree(top, name=name)


FETCH_STAMP = "patchflow-fetched"  # in the clone's .git: its mtime is the last clone or fetch


def _cached_clone(name: str, url: str, max_age: float | None, progress: bool) -> KernelTree:
    import fcntl

    dest = os.path.join(trees_cache_dir(), name)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest + ".lock", "w") as lock:
        # two patchflow runs on one cache wait for each other instead of cloning twice
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = os.path.join(dest, ".git", FETCH_STAMP)
        if not os.path.exists(stamp):
            _clone(name, url, dest, progress)
        elif max_age is not None and time.time() - os.path.getmtime(stamp) > max_age:
            _fetch(name, dest, progress)
    return KernelTree(dest, name=name)


def _run_git_visible(args: list[str], cwd: str, progress: bool, what: str) -> None:
    """Run a long git command; on a terminal (with `progress`) git draws its progress on stderr."""
    show = progress and showing()
    with step(what, child_draws=True) if show else nullcontext():
        proc = run_git([*args, progress_flag() if show else "--quiet"], cwd=cwd, timeout=CLONE_TIMEOUT,
                       stdout=subprocess.DEVNULL, stderr=None if show else subprocess.PIPE, what=what)
    if proc.returncode != 0:
        raise TreeError(f"{what} failed: {last_line(proc.stderr or b'see the output above')}")


def _clone(name: str, url: str, dest: str, progress: bool) -> None:
    staging = tempfile.mkdtemp(prefix=f".{name}-cloning-", dir=os.path.dirname(dest))
    try:
        if progress and showing():
            print(f"patchflow: cloning {name} from {url} into {dest}", file=sys.stderr)
        _run_git_visible(["clone", "--depth", "1", "--no-tags", url, staging], os.path.dirname(dest), progress,
                         f"git clone {url}")
        open(os.path.join(staging, ".git", FETCH_STAMP), "w").close()
        if os.path.exists(dest):
            shutil.rmtree(dest)  # a half-made clone from an interrupted run
        os.rename(staging, dest)
    finally:
        if os.path.exists(staging):
            shutil.rmtree(staging, ignore_errors=True)


def _fetch(name: str, dest: str, progress: bool) -> None:
    """Bring a cached clone to its remote's tip. The clone is patchflow's own: it may be reset."""
    branch = git(["rev-parse", "--abbrev-ref", "HEAD"], cwd=dest).strip()
    ref = branch if branch and branch != "HEAD" else "HEAD"
    _run_git_visible(["fetch", "--depth", "1", "--no-tags", "origin", ref], dest, progress, f"git fetch {name}")
    git(["reset", "-q", "--hard", "FETCH_HEAD"], cwd=dest)
    os.utime(os.path.join(dest, ".git", FETCH_STAMP))


class TempWorktree:
    """A throw-away detached work tree of `tree` at `commit`, removed on leaving the `with` block.

    Removal happens on success, on an exception and on KeyboardInterrupt (Ctrl-C, and SIGTERM which
    the CLI turns into one); while it runs, SIGINT and SIGTERM wait, so a second Ctrl-C cannot leave
    a half-removed worktree behind. The user's HEAD, branches, index, stash and working files are
    never touched: everything happens in the new directory, on a detached HEAD.
    """

    def __init__(self, tree: KernelTree, commit: str):
        self.tree = tree
        self.commit = commit
        self.path: str | None = None
        self._tmpdir: str | None = None
        self._branches: list[str] = []

    def __enter__(self) -> "TempWorktree":
        self._tmpdir = tempfile.mkdtemp(prefix="patchflow-worktree-")
        path = os.path.join(self._tmpdir, os.path.basename(self.tree.path) or "tree")
        try:
            self.tree.git("worktree", "add", "--detach", "--quiet", path, self.commit)
        except BaseException:
            self._remove()
            raise
        self.path = path
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        with signals_deferred():
            self._remove()

    def git(self, *args: str, **kw) -> str:
        return git(list(args), cwd=self.path, **kw)

    def temp_branch(self, name: str) -> str:
        """Create a branch for the worktree's HEAD, deleted again with the worktree."""
        self.git("switch", "-q", "-c", name)
        self._branches.append(name)
        return name

    def _remove(self) -> None:
        path = os.path.join(self._tmpdir, os.path.basename(self.tree.path) or "tree") if self._tmpdir else None
        if path and os.path.exists(path):
            admin = _worktree_admin_dir(path)
            try:
                git(["worktree", "remove", "--force", "--force", path], cwd=self.tree.path, timeout=120)
            except TreeError:
                # git could not remove it (a lock, a broken checkout): remove just this worktree's
                # administrative entry, never `git worktree prune` which would touch the user's own
                shutil.rmtree(path, ignore_errors=True)
                if admin and os.path.isdir(admin):
                    shutil.rmtree(admin, ignore_errors=True)
        for branch in self._branches:
            git(["branch", "-q", "-D", branch], cwd=self.tree.path, check=False, timeout=60)
        self._branches = []
        if self._tmpdir:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None


# The hooks of the user's repository are not patchflow's to run (an `applypatch-msg` hook could edit the
# mail, a `post-applypatch` one send it); a committer is set, since the user's identity may not be.
NO_HOOKS = ["-c", "core.hooksPath=/dev/null"]
COMMITTER = {"GIT_COMMITTER_NAME": "patchflow", "GIT_COMMITTER_EMAIL": "patchflow@localhost"}


@record
class ApplyFailure:
    """The mail `git am` stopped at, and why."""

    index: int  # of the mail that failed, 0-based
    reason: str  # one line: the first CONFLICT or error: line of git am, or its last line


def apply_mails(worktree: "TempWorktree", mails: list[str], three_way: bool = True) -> ApplyFailure | None:
    """`git am` each mail (its text) in turn in the worktree, hooks off; the first that does not apply
    stops it (the worktree is thrown away with its half-done am). `three_way` as maintainers apply:
    only a change that really collides stops it."""
    for index, text in enumerate(mails):
        proc = run_git([*NO_HOOKS, "am", "-3" if three_way else "--no-3way", "--keep-cr", "-"],
                       worktree.path, timeout=300, env=COMMITTER, input=text.encode("utf-8", "surrogateescape"))
        if proc.returncode != 0:
            output = (proc.stdout + b"\n" + proc.stderr).decode("utf-8", "replace").splitlines()
            reasons = [line.strip() for line in output if line.startswith("CONFLICT")] or \
                      [line.strip() for line in output if line.startswith("error:")]
            return ApplyFailure(index, reasons[0] if reasons else last_line(proc.stderr + proc.stdout))
    return None


def _worktree_admin_dir(path: str) -> str | None:
    """The `.git/worktrees/<id>` directory of a linked worktree (from its `.git` file)."""
    try:
        with open(os.path.join(path, ".git")) as handle:
            line = handle.read().strip()
    except OSError:
        return None
    return line[len("gitdir:"):].strip() if line.startswith("gitdir:") else None


# SIGINT and SIGTERM held while a block runs (format's renames, a worktree's removal)
signals_deferred = processes.signals_deferred
