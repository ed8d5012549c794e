"""What `patchflow format` proves before it writes a series: the check gate, and that the series
applies on the tree's tip (`--rebase-check`). The command prints; these decide.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .records import record
from . import report
from .tree import KernelTree, TempWorktree, apply_mails


@record
class GateResult:
    """`patchflow check --strict` on the mails: ERROR and WARNING findings stop the run."""

    results: list[report.PatchResult]
    errors: int
    warnings: int

    @property
    def passed(self) -> bool:
        return not (self.errors or self.warnings)

    @property
    def with_findings(self) -> list[report.PatchResult]:
        return [result for result in self.results if result.findings]


def check_gate(texts: Sequence[str], names: Sequence[str], tree_path: str) -> GateResult:
    """Check the mails (their texts, shown under `names`) as `patchflow check --strict --tree` would."""
    from .checks import Options, run as run_checks
    from .patch import Series, parse_text

    patches = [patch for text, name in zip(texts, names) for patch in parse_text(text, source=name)]
    results = run_checks(Series(patches), Options(strict=True, tree=tree_path))
    levels = [finding.level for result in results for finding in result.findings]
    return GateResult(results, levels.count(report.ERROR), levels.count(report.WARNING))


@record
class BasePosition:
    tip: str
    known: bool  # the base is in the tree's history
    behind: int  # commits between the base and the tip (0 when it is the tip or unknown)


def base_position(tree: KernelTree, base: str) -> BasePosition:
    """Where a series' base stands against the tree's tip: maintainers ask for series on the latest tree."""
    tip = tree.git("rev-parse", "HEAD").strip()
    if base == tip:
        return BasePosition(tip, True, 0)
    if not tree.git("rev-parse", "--verify", "--quiet", base + "^{commit}", check=False).strip():
        return BasePosition(tip, False, 0)
    return BasePosition(tip, True, int(tree.git("rev-list", "--count", f"{base}..{tip}").strip()))


@record
class RebaseResult:
    tip: str
    patches: int  # the mails applied (the cover letter is not one)
    failed: int | None = None  # 0-based index among them of the first that does not apply
    failed_name: str = ""
    reason: str = ""

    @property
    def applies(self) -> bool:
        return self.failed is None


_LACKING = re.compile(r"error: sha1 information is lacking or useless \((.+)\)\.$")


def rebase_check(tree: KernelTree, mails: Sequence) -> RebaseResult:
    """Apply the series' patches (format's `Mail`s) on the tree's tip in a temporary worktree, hooks
    off, three-way as maintainers apply; the result names the first that does not apply."""
    tip = tree.git("rev-parse", "HEAD").strip()
    patches = [mail for mail in mails if not mail.is_cover_letter]
    with TempWorktree(tree, tip) as worktree:
        failure = apply_mails(worktree, [mail.text for mail in patches], three_way=True)
    if failure is None:
        return RebaseResult(tip, len(patches))
    reason = failure.reason
    lacking = _LACKING.match(reason)
    if lacking:
        # git am -3 needs the file's blob from before the patch; a shallow tree lacks it
        reason = (f"{lacking.group(1)} does not apply, and the tree lacks the version of it the patch "
                  f"was made from for a three-way merge (a shallow clone?)")
    return RebaseResult(tip, len(patches), failure.index, patches[failure.index].name, reason)
