"""`patchflow fix REV-RANGE`: each fixable finding fixed in the commit that introduced it.

The commits are replayed, oldest first, in a temporary worktree at the range's base: each is
cherry-picked (author, author date, message and trailers kept; hooks off), checked as `git
format-patch` would show it, its fixable findings fixed in the files, and the commit amended. Only
when every commit is done does the branch move (the old tip kept under
refs/patchflow/backup/BRANCH/STAMP); an interrupt or an error before that leaves it as it was.
"""

from __future__ import annotations

import os
import time

from .records import field, record
from .checks import Options
from .errors import BadInput, TreeError
from .fix import (FixReport, changes_numbering, fix_file_text, fixable_findings, join_lines, new_findings,
                  repeat_passes)
from .format import Range, current_branch, dirty
from .patch import Series, parse_text
from .tree import KernelTree, TempWorktree, git, run_git

# cherry-pick and commit must not run the user's hooks or open an editor in a throw-away worktree
_QUIET_GIT = ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgSign=false", "-c", "core.editor=true"]


@record
class CommitsFixed:
    old_tip: str
    new_tip: str
    branch: str | None
    report: FixReport = field(default_factory=FixReport)
    backup: str | None = None
    diff: str = ""


def refuse_unsafe(repo: str, dry_run: bool) -> str | None:
    """The branch to rewrite; a one-line BadInput when the repository is mid-operation or dirty."""
    for marker in ("rebase-merge", "rebase-apply", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD"):
        path = git(["rev-parse", "--git-path", marker], repo).strip()
        if os.path.exists(os.path.join(repo, path)):
            what = marker.lower().replace("_head", "").replace("-merge", "").replace("-apply", "")
            raise BadInput(f"{repo}: a {what} is in progress; finish or abort it before patchflow fix")
    branch = current_branch(repo)
    if dry_run:
        return branch
    if dirty(repo):
        raise BadInput(f"{repo}: the work tree has uncommitted changes; commit or stash them before patchflow fix")
    if branch is None:
        raise BadInput(f"{repo}: HEAD is detached; check out the branch whose commits to fix (or use --dry-run)")
    return branch


def fix_commits(repo: str, rng: Range, options: Options, dry_run: bool, progress=None) -> CommitsFixed:
    """Replay the range with its fixes; move the branch unless `dry_run`."""
    if rng.tip != git(["rev-parse", "HEAD"], repo).strip():
        raise BadInput(f"range {rng.spec}: does not end at HEAD; check out the branch it ends on")
    branch = refuse_unsafe(repo, dry_run)
    result = CommitsFixed(rng.tip, rng.tip, branch)
    with TempWorktree(KernelTree(repo), rng.base) as work:
        for number, commit in enumerate(rng.commits, 1):
            if progress:
                progress(f"fixing commit {number}/{len(rng.commits)} {commit.sha[:12]}")
            result.report.merge(_replay(work, commit.sha, options))
        result.new_tip = work.git("rev-parse", "HEAD").strip()
        result.diff = git(["diff", rng.tip, result.new_tip], repo)
    if not dry_run and result.new_tip != rng.tip:
        result.backup = _move_branch(repo, branch, rng.tip, result.new_tip)
    return result


def _replay(work: TempWorktree, sha: str, options: Options, passes: int = 4) -> FixReport:
    proc = run_git([*_QUIET_GIT, "cherry-pick", "--allow-empty", "--keep-redundant-commits", sha], work.path)
    if proc.returncode != 0:
        raise TreeError(f"{sha[:12]} no longer applies once the commits before it are fixed "
                        f"(a later commit changes a fixed line); nothing was changed")
    work_options = Options(strict=True, ignore=options.ignore, types=options.types,
                           max_line_length=options.max_line_length, tree=work.path, values=options.values)
    # fixing one line can move what the next one aligns with
    return repeat_passes(lambda: _fix_pass(work, sha, work_options), passes)


def _fix_pass(work: TempWorktree, sha: str, options: Options) -> FixReport:
    """Check the commit at the worktree's HEAD as format-patch shows it, fix its files, amend it."""
    text = work.git("format-patch", "-1", "--stdout", "--no-signature", "HEAD")
    series = Series(parse_text(text, sha[:12]))
    by_file: dict[str, list] = {}
    for finding in fixable_findings(series, options):
        if finding.file is not None:  # a commit has no [PATCH] prefix: the subject's tags are format's
            by_file.setdefault(finding.file, []).append(finding)
    report = FixReport()
    originals = {}
    for path, findings in by_file.items():
        text = _read(work, path)
        fixed, file_report = fix_file_text(path, text, findings)
        report.merge(file_report)
        if fixed != text:
            originals[path] = text
            _write(work, path, fixed)
    if originals:
        _undo_spoiling_fixes(work, options, report, originals)
        work.git(*_QUIET_GIT, "commit", "-q", "-a", "--amend", "--no-edit", "--no-verify", "--allow-empty")
    return report


def _undo_spoiling_fixes(work: TempWorktree, options: Options, report: FixReport, originals: dict[str, str]) -> None:
    """A fix after which the commit has a finding it had not (a realigned line now too long) is
    taken back, and the finding stays with the reason. Where a fix added lines, the file's line
    numbers moved: its fixes are then all taken back rather than guessed at."""
    before = Series(parse_text(work.git("diff", "HEAD~1", "HEAD"), "before"))
    after = Series(parse_text(work.git("diff", "HEAD~1"), "after"))
    spoiled = new_findings(before, after, options)
    for path, original in originals.items():
        fixes = [fix for fix in report.fixed if fix.finding.file == path]
        here = [found for (file, _), found in spoiled.items() if file == path]
        if not here:
            continue
        moved = any(changes_numbering(fix.new) for fix in fixes)
        lines = original.split("\n")
        for fix in fixes:
            found = here[0] if moved else spoiled.get((path, fix.finding.line))
            if found:
                report.fixed.remove(fix)
                report.left.append((fix.finding, f"fixing it would raise {found.type} ({found.message})"))
            else:
                lines[fix.finding.line - 1] = fix.new
        _write(work, path, join_lines(lines))


def _read(work: TempWorktree, path: str) -> str:
    with open(os.path.join(work.path, path), encoding="utf-8", errors="surrogateescape", newline="") as handle:
        return handle.read()


def _write(work: TempWorktree, path: str, text: str) -> None:
    with open(os.path.join(work.path, path), "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
        handle.write(text)


def _move_branch(repo: str, branch: str, old: str, new: str) -> str:
    """Keep `old` under a backup ref, then move the checked-out branch to `new` (work tree follows:
    it was clean, so only the fixed lines change)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    backup = f"refs/patchflow/backup/{branch}/{stamp}"
    git(["update-ref", backup, old], repo)
    proc = run_git(["reset", "--keep", new], repo)
    if proc.returncode != 0:
        raise TreeError(f"could not move {branch} to the fixed commits; it is unchanged, "
                        f"the fixed tip is {new[:12]} (backup of the old tip: {backup})")
    return backup
