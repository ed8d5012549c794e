"""Fix the mechanical nits for you: in the commits of your branch, or in patch files.

  patchflow fix                       the commits `patchflow format` would send (@{upstream}..HEAD)
  patchflow fix master..topic         those commits; the old tip is kept under refs/patchflow/backup/
  patchflow fix --dry-run -3          print the diff the fixes would make, change nothing
  patchflow fix 0001-foo.patch        write 0001-foo.fixed.patch beside it (--in-place: rewrite it)

Fixable types (`patchflow explain TYPE` says so): trailing whitespace, space before tab, DOS line
endings, missing newline at end of file, code indent and leading spaces, continuation alignment,
`#if !defined(X)`, a missing or a second blank line, SPACING and POINTER_LOCATION, a block of
declarations out of reverse xmas tree order (when the patch adds all of it and no initializer reads
another), and in patch files the subject's [PATCHv2] and a tree tag the rest of the series names.
A fix changes layout only: when the tokens of a file would differ, its fixes are dropped with a note.
Exit status: 0 when everything fixable was fixed (or nothing was found), 1 when findings were left
unfixed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import os
import sys


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="REV-RANGE|PATCH",
                        help="a range of commits (A..B, -N) or patch files; default: the branch's commits")
    parser.add_argument("--dry-run", action="store_true", help="print the diff of the fixes; change nothing")
    parser.add_argument("--in-place", action="store_true", help="rewrite the patch files themselves")
    parser.add_argument("--tree", metavar="PATH|NAME", help="kernel tree (for a default range and pre-images)")
    parser.add_argument("--ignore", type=lambda v: {t.strip().upper() for t in v.split(",") if t.strip()},
                        default=set(), metavar="TYPE,...", help="types to leave unfixed")


def _options(args):
    from ..checks import Options

    return Options(strict=True, ignore=args.ignore, tree=args.tree)


_PATCH_SUFFIXES = (".patch", ".diff", ".mbox", ".eml", ".gz")


def run(args) -> int:
    from ..errors import BadInput

    # a path (existing, or with a patch file's suffix or a directory in it) unless it reads as A..B,
    # whose names may hold a slash too (origin/master..topic)
    files = [t for t in args.targets
             if os.path.exists(t) or (".." not in t and (os.sep in t or t.endswith(_PATCH_SUFFIXES)))]
    if files and len(files) == len(args.targets):
        return _fix_files(args, files)
    if len(args.targets) > 1:
        raise BadInput("give patch files, or one range of commits (A..B, -N)")
    return _fix_range(args, args.targets[0] if args.targets else None)


def _fix_files(args, paths) -> int:
    from ..errors import PatchflowError
    from ..fix import fix_patch_text
    from ..fix import write_atomically

    from ..patch import read_patches

    status = 0
    series = _readable(paths)  # path -> its patches, checked with each other file's as one series
    for path in paths:
        try:
            read_patches(path)  # refuses what is not a patch, as check does, with the same one line
            with open(path, encoding="utf-8", errors="surrogateescape", newline="") as handle:
                text = handle.read()
            companions = tuple(p for other, patches in series.items() if other != path for p in patches)
            fixed, report = fix_patch_text(text, path, _options(args), companions=companions)
        except PatchflowError as exc:
            print(f"patchflow: {exc}", file=sys.stderr)
            status = 2
            continue
        target = path if args.in_place else _fixed_name(path)
        if args.dry_run:
            sys.stdout.write(_unified(path, text, fixed))
        elif report.fixed or args.in_place:
            write_atomically(target, fixed)
        _summary(path, target if report.fixed and not args.dry_run else None, report, args.dry_run)
        status = max(status, 1 if report.left else 0)
    return status


def _readable(paths):
    """The patches of each file that reads as patches (the others are reported in turn, below)."""
    from ..errors import PatchflowError
    from ..patch import read_patches

    found = {}
    for path in paths:
        try:
            found[path] = list(read_patches(path))
        except PatchflowError:
            continue
    return found


def _fixed_name(path: str) -> str:
    base = path[:-len(".patch")] if path.endswith(".patch") else path
    return base + ".fixed.patch"


def _unified(path: str, old: str, new: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), path, path + " (fixed)"))


def _fix_range(args, spec) -> int:
    from .. import format as fmt
    from ..fix_commits import fix_commits
    from ..tree import KernelTree

    from ..errors import BadInput
    from ..tree import git_toplevel

    repo = git_toplevel(os.getcwd())
    if repo is None:
        raise BadInput(f"{os.getcwd()}: not in a git repository (run patchflow fix in the repository of "
                       f"the commits, or give patch files)")
    if spec is None:
        spec = fmt.default_range(repo, KernelTree(repo), True)
    rng = fmt.resolve_range(repo, spec)
    done = fix_commits(repo, rng, _options(args), args.dry_run,
                       progress=lambda line: print(f"patchflow: {line}", file=sys.stderr))
    if args.dry_run:
        sys.stdout.write(done.diff)
    _summary(spec, None, done.report, args.dry_run)
    if done.backup:
        print(f"{done.branch}: {done.old_tip[:12]} -> {done.new_tip[:12]}; the old tip is kept as {done.backup}")
    elif not args.dry_run and done.new_tip == done.old_tip:
        print(f"{done.branch}: nothing to fix")
    return 1 if done.report.left else 0


def _summary(what: str, written, report, dry_run: bool = False) -> None:
    for path, why in report.abandoned:
        print(f"patchflow: {path}: {why}", file=sys.stderr)
    for finding, why in report.left:
        if not any(finding.file == path for path, _ in report.abandoned):
            where = f"{finding.file}:{finding.line}" if finding.file else finding.patch
            print(f"{where}: {finding.type} not fixed: {why}")
    fixed = len(report.fixed)
    types = sorted({fix.finding.type for fix in report.fixed})
    line = f"{what}: {'would fix' if dry_run else 'fixed'} {fixed} finding{'s' if fixed != 1 else ''}"
    line += f" ({', '.join(types)})" if types else ""
    line += f", {len(report.left)} left" if report.left else ""
    print(line + (f"; wrote {written}" if written else ""))
