"""checkpatch's other ways in: commits of the current repository (`check -g`) and whole source files
(`check -f`), each turned into the same `Patch` model a patch file gives.

- `-g REV`, `-g REV1..REV2`, `-g REV-N` (the N commits up to REV): the commits `git log --no-merges`
  lists, oldest first, each as `git format-patch -M --stdout -1` renders it (as checkpatch -g does);
  one `git log` and one `git format-patch` for all of them. Each commit is named as checkpatch
  names it, `Commit 0123456789ab ("subject")`, and numbered from its own first line.
- `-f FILE`: every line of the file is an added line of a new file, numbered as in the file
  (checkpatch -f); there is no mail, so the commit message checks have nothing to read.
"""

from __future__ import annotations

import os
import re

from .errors import BadInput, TreeError
from .patch import DiffLine, FileDiff, Hunk, Patch, Series, decode, parse_patch, read_source, split_messages

_COUNTED = re.compile(r"^(.*)-(\d+)$")
_LOG_LINE = re.compile(r"^([0-9a-f]{40}) (.*)$")


def _range_args(expression: str) -> list[str]:
    """git's arguments for a checkpatch commit expression: REV-N, REV1..REV2, or REV."""
    counted = _COUNTED.match(expression)
    if counted and counted.group(1):
        return [f"-{counted.group(2)}", counted.group(1)]
    if ".." in expression:
        return [expression]
    return ["-1", expression]


def _git(args: list[str], cwd: str, what: str) -> str:
    from .tree import git

    try:
        return git(args, cwd=cwd, timeout=120)
    except TreeError as exc:
        raise BadInput(f"{what}: {str(exc).split(': ', 1)[-1]}")


def commits_of(expressions: list[str], cwd: str = ".") -> list[tuple[str, str]]:
    """(full id, subject) of the commits the expressions name, oldest first, without merges."""
    commits: list[tuple[str, str]] = []
    for expression in expressions:
        if expression.startswith("-"):
            raise BadInput(f"-g {expression}: not a revision")
        out = _git(["log", "--no-color", "--no-merges", "--format=%H %s", *_range_args(expression), "--"],
                   cwd, f"-g {expression}")
        found = [m.groups() for m in map(_LOG_LINE.match, out.splitlines()) if m]
        commits.extend(reversed(found))
    if not commits:
        raise BadInput(f"-g {' '.join(expressions)}: no commits (merges are left out, as checkpatch does)")
    return commits


def read_commits(expressions: list[str], cwd: str = ".") -> Series:
    """The commits as a series, each parsed from its `git format-patch` mail."""
    commits = commits_of(expressions, cwd)
    ids = [full for full, _ in commits]
    # one format-patch for all: --no-walk renders exactly the listed commits, in the order given
    out = _git(["format-patch", "-M", "--stdout", "--no-numbered", "--no-cover-letter", "--no-thread", "--root",
                "--no-walk=unsorted", *ids, "--"], cwd, "-g")
    by_id = {}
    for _, lines in split_messages(out):
        if lines and lines[0].startswith("From "):
            by_id[lines[0].split()[1]] = lines
    patches = []
    for full, subject in commits:
        lines = by_id.get(full)
        if lines is None:
            raise BadInput(f"-g: git format-patch did not render commit {full[:12]}")
        patches.append(parse_patch(f'Commit {full[:12]} ("{subject}")', 0, 1, lines))
    return Series(patches)


def whole_file(path: str) -> Patch:
    """A source file as a patch that adds every line of it (checkpatch -f)."""
    text = decode(path, read_source(path))
    lines = text.split("\n")
    ends_with_newline = lines[-1] == ""
    if ends_with_newline:
        lines.pop()
    name = os.path.normpath(path) if not os.path.isabs(path) else path
    hunk = Hunk(0, 0, 1, len(lines), "", 0)
    hunk.lines = [DiffLine("+", text, number, None, number) for number, text in enumerate(lines, 1)]
    if hunk.lines and not ends_with_newline:
        hunk.lines[-1].no_newline = True
    diff = FileDiff(old_path=None, new_path=name, patch_line=1, hunks=[hunk])
    return Patch(source=path, index_in_source=0, lines=["+" + line for line in lines], first_line=1, files=[diff])


def read_files(paths: list[str]) -> Series:
    return Series([whole_file(path) for path in paths])


def read_input(names: list[str], commits: bool = False, files: bool = False) -> Series:
    """The series `check` reads: patch files and mboxes, or commits (-g), or whole files (-f)."""
    if commits and files:
        raise BadInput("-g and -f: give commits or files, not both")
    if commits:
        return read_commits(names)
    if files:
        return read_files(names)
    from .patch import read_series

    return read_series(names)
