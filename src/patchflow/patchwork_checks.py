"""Results posted back to Patchwork as checks: one check per family of checks on every patch.

A family is a module of `patchflow.checks`; the small families of checkpatch's style rules, of the
netdev/bpf house rules (NIPA's source_inline, header_inline, deprecated_api and check_selftest
among them) and of the commit message are posted together (`patchflow-style`, `patchflow-house`,
`patchflow-message`), MAINTAINERS' and kernel-doc's under `patchflow-maintainers` and
`patchflow-kdoc` (only when a tree was given: without one they do not run). The state follows the worst
level found (ERROR: fail, WARNING: warning, otherwise success), the description counts the
findings and names their types, and `--report-url` becomes the check's target URL. A check whose
context already shows the same state, description and URL on the patch is not posted again, so a
rerun on unchanged results posts nothing, and a changed result posts its new state.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable

from .records import field, record
from .report import CHECK, ERROR, WARNING, Finding

CONTEXT_PREFIX = "patchflow-"
# the families posted under a context of their own kind; every other family (checkpatch's style rules:
# whitespace, spacing, layout, macros, APIs, declarations, ...) is posted as patchflow-style
GROUPS = {
    "xmas": "house", "subject": "house", "cover": "house", "series": "house",
    "inline": "house", "deprecated": "house", "selftest": "house",
    "message": "message", "fixes": "message", "signatures": "message", "commit_refs": "message",
    "commit_log": "message",
    "maintained": "maintainers", "kdoc": "kdoc",
}
# contexts whose checks all judge against a kernel tree: without one they have not run, and posting
# "success" for them would claim what was never checked
NEEDS_TREE = {"patchflow-maintainers", "patchflow-kdoc"}
DESCRIPTION_TYPES = 4  # types named in a description before "..."


def context_of(family: str) -> str:
    return CONTEXT_PREFIX + GROUPS.get(family, "style")


@record
class PlannedCheck:
    patch_id: int
    context: str
    state: str
    description: str
    target_url: str | None = None
    posted: bool = False  # set once the server has it (False: it was already there, unchanged)
    findings: list[Finding] = field(default_factory=list, repr=False)  # what the report page lists
    patch_name: str = ""

    def same_as(self, existing: dict) -> bool:
        return (existing.get("state"), existing.get("description") or "", existing.get("target_url") or None) == (
            self.state, self.description, self.target_url)


def state_of(findings: list[Finding]) -> str:
    levels = {finding.level for finding in findings}
    if ERROR in levels:
        return "fail"
    if WARNING in levels:
        return "warning"
    return "success"


def describe(findings: list[Finding]) -> str:
    """`1 error, 2 warnings, 0 checks: LONG_LINE, VERIFY_FIXES`, or `no findings`."""
    if not findings:
        return "no findings"
    counts = {level: sum(f.level == level for f in findings) for level in (ERROR, WARNING, CHECK)}
    words = [f"{counts[ERROR]} error{'s' * (counts[ERROR] != 1)}",
             f"{counts[WARNING]} warning{'s' * (counts[WARNING] != 1)}",
             f"{counts[CHECK]} check{'s' * (counts[CHECK] != 1)}"]
    types = sorted({f.type for f in findings})
    named = ", ".join(types[:DESCRIPTION_TYPES]) + (", ..." if len(types) > DESCRIPTION_TYPES else "")
    return f"{', '.join(words)}: {named}"


def target_url(report_url: str | None, series_id, patch_id: int, context: str) -> str | None:
    """The report URL with {series}, {patch} and {context} filled in (as given when it has none)."""
    if not report_url:
        return None
    return report_url.replace("{series}", str(series_id or "")).replace("{patch}", str(patch_id)).replace(
        "{context}", context)


def plan(fetched, results, contexts: Iterable[str], family_of_type: dict[str, str],
         report_url: str | None = None, has_tree: bool = True) -> list[PlannedCheck]:
    """One check per context on every patch that has a Patchwork id. Findings on the cover letter
    (the series' own rules) count on every patch, as NIPA posts its series tests on each."""
    contexts = sorted(set(contexts) - (set() if has_tree else NEEDS_TREE))
    pairs = list(zip(fetched.series.patches, results))
    on_cover = [f for patch, result in pairs if patch.is_cover_letter for f in result.findings]
    planned = []
    for patch, result in pairs:
        patch_id = fetched.patch_id(patch)
        if patch_id is None or patch.is_cover_letter:
            continue
        findings = result.findings + on_cover
        for context in contexts:
            mine = [f for f in findings if context_of(family_of_type.get(f.type, "")) == context]
            planned.append(PlannedCheck(patch_id, context, state_of(mine), describe(mine),
                                        target_url(report_url, fetched.series_id, patch_id, context),
                                        findings=mine, patch_name=patch.name))
    return planned


def post(client, planned: list[PlannedCheck]) -> list[PlannedCheck]:
    """Post what the patches do not already show; each planned check comes back with `posted` set."""
    from .patchwork import latest_checks

    shown: dict[int, dict[str, dict]] = {}
    for check in planned:
        if check.patch_id not in shown:
            shown[check.patch_id] = {c.get("context"): c for c in latest_checks(client.checks(check.patch_id))}
        existing = shown[check.patch_id].get(check.context)
        if existing is not None and check.same_as(existing):
            continue
        client.post_check(check.patch_id, check.context, check.state, check.description, check.target_url)
        check.posted = True
    return planned


def summary_lines(planned: list[PlannedCheck]) -> list[str]:
    """`patch 1: patchflow-style warning (posted)` per planned check, for the terminal."""
    return [f"patch {c.patch_id}: {c.context} {c.state} ({'posted' if c.posted else 'unchanged'}): {c.description}"
            for c in planned]


def write_reports(planned: list[PlannedCheck], directory: str, series_id) -> list[str]:
    """Each check's findings as checkpatch-style text in DIRECTORY/SERIES/PATCH/CONTEXT.txt (SERIES
    is `patch` for a patch checked alone): the pages `--report-url` points at. Written atomically,
    so a web server never serves half a report."""
    from .report import PatchResult, render_text

    written = []
    for check in planned:
        folder = os.path.join(directory, str(series_id or "patch"), str(check.patch_id))
        os.makedirs(folder, exist_ok=True)
        text = render_text([PatchResult(check.patch_name, check.patch_name, 0, check.findings)])
        text = f"{check.context}: {check.state}: {check.description}\n\n" + text.split("total: ", 1)[0]
        path = os.path.join(folder, f"{check.context}.txt")
        handle, temporary = tempfile.mkstemp(prefix=".report-", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as out:
                out.write(text)
            os.chmod(temporary, 0o644)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        written.append(path)
    return written
