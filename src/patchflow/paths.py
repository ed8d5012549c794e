"""Path safety: the file names of a patch that would make applying it write outside the kernel tree.

`check` reports them (PATH_OUTSIDE_TREE); `regen` and `format` call `refuse_unsafe_paths()` before
they apply anything. The rules are git's own (`git apply` refuses the same names), checked before
git sees the patch so that the user gets one line naming the patch, the file and the reason:

- an absolute name (`/etc/passwd`), or one with a `..` component (`../../.bashrc`);
- a name inside the repository's own `.git` directory (its hooks run code);
- a name whose directories pass through a symbolic link that leaves the tree, either one already
  in the tree (when the tree is known) or one the same patch creates (mode 120000);
- a symbolic link the patch creates whose target leaves the tree.
"""

from __future__ import annotations

import os
import posixpath
import stat
from collections.abc import Iterable

from .errors import BadInput
from .records import record

SYMLINK_MODE = "120000"


@record
class PathProblem:
    """A file name in a patch that the kernel's tree cannot take, and why."""

    path: str  # the file name as the patch gives it
    reason: str
    file: object  # the FileDiff that names it
    patch_line: int  # the line of the patch that names it (the file's `diff --git` line)

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def name_problem(path: str) -> str | None:
    """Why a file name leaves the tree by itself (without looking at the disk), or None."""
    if path.startswith("/"):
        return "an absolute path, outside the tree"
    parts = path.split("/")
    if ".." in parts:
        return "a '..' component leaves the tree"
    if any(part.lower() == ".git" for part in parts):
        return "a path inside the repository's .git directory"
    return None


def _inside(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip("/") + "/")


def _link_target_leaves(link_path: str, target: str) -> bool:
    """Whether a symbolic link at link_path (relative to the tree) pointing at target leaves it."""
    if target.startswith("/"):
        return True
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(link_path), target))
    return joined == ".." or joined.startswith("../")


def _symlink_target(file) -> str | None:
    """The target of a symbolic link a FileDiff creates: its one added line."""
    if file.new_mode != SYMLINK_MODE:
        return None
    added = [line.text for line in file.added_lines()]
    return added[0] if added else None


def _through_tree_symlink(path: str, tree_path: str, whole: bool, modes: dict) -> str | None:
    """The first directory of path (or path itself, when whole) that is a symbolic link in the tree
    leading outside it, or None. `modes` keeps each name's lstat() mode (None: no such file)."""
    parts = path.split("/") if whole else path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        prefix = "/".join(parts[:depth])
        full = os.path.join(tree_path, prefix)
        if full not in modes:
            modes[full] = _lstat_mode(full)
        mode = modes[full]
        if mode is None:
            return None  # the rest does not exist yet: nothing further to follow
        if stat.S_ISLNK(mode):
            if not _inside(os.path.realpath(full), os.path.realpath(tree_path)):
                return prefix
            continue
        if not stat.S_ISDIR(mode):
            return None
    return None


def _lstat_mode(full: str) -> int | None:
    try:  # one lstat where islink() and isdir() took two
        return os.lstat(full).st_mode
    except (OSError, ValueError):
        return None


def path_problems(files: Iterable, tree_path: str | None = None, modes: dict | None = None) -> list[PathProblem]:
    """Every file name of these FileDiffs that leaves the tree, in patch order.

    With tree_path, directories that are symbolic links in that work tree are followed too; `modes`
    keeps what was read of the tree for the next call (`check` passes one for its run: the patches
    of a series name the same directories), else each call reads it again.
    """
    files = list(files)
    modes = {} if modes is None else modes
    created_links = {}
    for file in files:
        target = _symlink_target(file)
        if target is not None and file.new_path:
            created_links[file.new_path] = target
    problems: list[PathProblem] = []
    for file in files:
        names = []
        for name in (file.old_path, file.new_path):
            if name and name not in names:
                names.append(name)
        for name in names:
            reason = name_problem(name)
            if reason is None:
                for link in created_links:
                    if name.startswith(link + "/"):
                        reason = f"goes through {link}, a symbolic link this patch creates"
                        break
            if reason is None and tree_path:
                # a diff of a symbolic link itself changes the link, not what it points at
                is_link_diff = SYMLINK_MODE in (file.old_mode, file.new_mode)
                link = _through_tree_symlink(name, tree_path, not is_link_diff, modes)
                if link:
                    reason = (f"{link} is a symbolic link in the tree that points outside it" if link == name
                              else f"goes through {link}, a symbolic link in the tree that points outside it")
            if reason:
                problems.append(PathProblem(name, reason, file, file.patch_line))
        if file.new_path in created_links and name_problem(file.new_path) is None:
            target = created_links[file.new_path]
            if _link_target_leaves(file.new_path, target):
                problems.append(PathProblem(file.new_path, f"a symbolic link to {target}, outside the tree",
                                            file, file.patch_line))
    return problems


def unsafe_paths(files: Iterable, tree_path: str | None = None) -> list[str]:
    """The problems of `path_problems()` as `NAME: reason` strings."""
    return [str(problem) for problem in path_problems(files, tree_path)]


def refuse_unsafe_paths(patches: Iterable, tree_path: str | None = None) -> None:
    """Raise BadInput (one line: the patch, the line, the name and why) for the first patch of
    `patches` that names a file outside the tree; `regen` and `format` call this before applying."""
    for patch in patches:
        problems = path_problems(patch.files, tree_path)
        if problems:
            first = problems[0]
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise BadInput(f"{patch.name}:{first.patch_line}: refusing to apply {first}{more}")
