"""Fixing what a check marks fixable: line edits, applied to a patch file or to a file's text.

A check is fixable when it registers a fix function beside it (`@check(..., fix=func)`):

    func(text: str, finding: Finding, path: str) -> Optional[str]

`text` is the line as it stands (no newline, no diff marker), `path` the changed file; the function
returns the line as it should read, or None when the right result is not certain (the finding then
stays, and says so). A returned line ending in "\\n" means "the file's last line now ends with a
newline" (MISSING_EOF_NEWLINE); "\\n" inside it adds lines; `DELETE_LINE` deletes the line. Every fix is followed by the token guard (`fix_guard.same_code`):
what the compiler reads must not change beyond whitespace and the `#if` form, or the file's fixes
are dropped with one line saying why.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable

from .blanks import indent_to, leading_blanks  # noqa: F401 (checks/alignment.py imports them from here)
from .checks import Options, registry
from .checks import run as run_checks
from .fix_guard import same_code
from .patch import Series, parse_text
from .records import field, record
from .report import DELETE_LINE, Finding

@record
class LineFix:
    """One fixable finding and the line it gives."""

    finding: Finding
    old: str
    new: str
    unchanged: bool = False  # on an unchanged (context) line: written as -original / +new
    original: str = ""  # the line as the patch has it, before any fix
    header: bool = False  # a line of the mail's headers (its Subject:), written as it is


@record
class FixReport:
    """What a fix run did: the fixes made, and the findings left with the reason."""

    fixed: list[LineFix] = field(default_factory=list)
    left: list[tuple[Finding, str]] = field(default_factory=list)  # (finding, why it was not fixed)
    abandoned: list[tuple[str, str]] = field(default_factory=list)  # (file, why its fixes were dropped)

    def merge(self, other: "FixReport") -> None:
        self.fixed += other.fixed
        self.left += other.left
        self.abandoned += other.abandoned


def join_lines(lines: list[str]) -> str:
    """A file's text from its lines, the deleted ones left out."""
    return "\n".join(line for line in lines if line != DELETE_LINE)


def changes_numbering(new: str) -> bool:
    """Whether a fix's line moves the lines after it (it adds or deletes lines)."""
    return new == DELETE_LINE or "\n" in new.rstrip("\n")


def fixable_types() -> dict[str, "object"]:
    """Type -> fix function, for every registered check that has one."""
    return {name: info.fix for name, info in registry().items() if info.fix is not None}


def fixable_findings(series: Series, options: Options) -> list[Finding]:
    """The findings of the fixable types (CHECK level included) on a series, in patch order."""
    fixers = fixable_types()
    wanted = set(fixers) if options.types is None else set(fixers) & options.types
    wanted -= options.ignore
    check_options = Options(strict=True, types=wanted, max_line_length=options.max_line_length,
                            tree=options.tree, values=options.values)
    return [f for result in run_checks(series, check_options) for f in result.findings]


def proposed_line(finding: Finding, text: str) -> str | None:
    """The line a finding's fix gives for `text`, or None (not fixable, or not certain)."""
    fixer = fixable_types().get(finding.type)
    if fixer is None:
        return None
    new = fixer(text, finding, finding.file or "")  # "" for a line of the mail (its Subject:)
    return None if new is None or new == text else new


# --- patch files -------------------------------------------------------------------------------


def fix_patch_text(text: str, source: str, options: Options, passes: int = 4,
                   companions: tuple = ()) -> tuple[str, FixReport]:
    """Fix the lines of a patch file (or mbox) that its fixable findings are on. A fix replaces an
    added line by one line, and an unchanged line by the pair `-old` / `+new`, so the hunk counts
    stay right; a fixed final newline drops the `\\ No newline` marker. Fixing one line can move
    what the next aligns with, so fixing repeats (up to `passes` times) until nothing is left to fix.
    `companions`, the patches of the other files of the series, are checked with it (a cover letter
    that names the tree) and left as they are."""
    fixed = [text]

    def one_pass() -> FixReport:
        fixed[0], one = _fix_pass(fixed[0], source, options, companions)
        return one

    report = repeat_passes(one_pass, passes)
    return fixed[0], report


def repeat_passes(one_pass, passes: int) -> FixReport:
    """Run `one_pass` (it fixes what a fresh check finds) until it fixes nothing, `passes` times at
    most; the report has every pass's fixes and what the last pass left."""
    report = FixReport()
    for _ in range(passes):
        one = one_pass()
        report.fixed += one.fixed
        report.abandoned += one.abandoned
        report.left = one.left
        if not one.fixed:
            break
    return report


def _fix_pass(text: str, source: str, options: Options, companions: tuple = ()) -> tuple[str, FixReport]:
    lines = text.split("\n")
    report = FixReport()
    series = Series(parse_text(text, source) + list(companions))
    by_file: dict[str, list[LineFix]] = {}
    by_line: dict[int, list[Finding]] = {}
    for finding in fixable_findings(series, options):
        if finding.patch != source:
            continue  # a companion's: fixed when its own file is
        by_line.setdefault(finding.patch_line or 0, []).append(finding)
    for number, found in by_line.items():
        following = lines[number] if 0 < number < len(lines) else ""
        for fix in _line_fixes(lines[number - 1] if number else None, following, found, report):
            by_file.setdefault(fix.finding.file, []).append(fix)
    for path, fixes in by_file.items():
        fixes = defer_overlapping_spans(fixes, report)
        why = _guard_patch(series, path, [fix for fix in fixes if not fix.finding.span])
        if why:
            report.abandoned.append((path, why))
            report.left += [(fix.finding, why) for fix in fixes]
            continue
        report.fixed += fixes
    if not report.fixed:
        return text, report
    fixed = _apply_patch_edits(lines, _patch_edits(report.fixed))
    spoiled = new_findings(series, Series(parse_text(fixed, source) + list(companions)), options)
    if any((fix.finding.file, fix.finding.line) in spoiled for fix in report.fixed):
        for fix in list(report.fixed):
            found = spoiled.get((fix.finding.file, fix.finding.line))
            if found:
                report.fixed.remove(fix)
                report.left.append((fix.finding, f"fixing it would raise {found.type} ({found.message})"))
        fixed = _apply_patch_edits(lines, _patch_edits(report.fixed))
    return fixed, report


def span_rows(fix: LineFix, line: int) -> range:
    """The lines a fix rewrites, counted from `line`, the number of the finding's line (in the patch
    file or in the changed file): its own, or its block's (a reordered block of declarations)."""
    if not fix.finding.span:
        return range(line, line + 1)
    first, last = fix.finding.span
    top = line - (fix.finding.line - first)
    return range(top, top + last - first + 1)


def defer_overlapping_spans(fixes: list[LineFix], report: FixReport) -> list[LineFix]:
    """A block reorder shares no line with another fix of the same pass: where it would, it waits
    for the next pass (the other fixes done, it is found again on the fixed lines)."""
    others = {fix.finding.line for fix in fixes if not fix.finding.span}
    kept = []
    for fix in fixes:
        if fix.finding.span and others & set(span_rows(fix, fix.finding.line)):
            report.left.append((fix.finding, "another fix on the block's lines comes first"))
        else:
            kept.append(fix)
    return kept


def _patch_edits(fixes: list[LineFix]) -> dict[int, LineFix]:
    """1-based patch line -> its last fix (every fix on it applied); a block reorder's new lines
    replace its first line and its other lines are deleted (once for all the findings in it)."""
    edits: dict[int, LineFix] = {}
    for fix in fixes:
        rows = span_rows(fix, fix.finding.patch_line)
        if fix.finding.span and rows[0] in edits:
            continue  # the block is reordered already, for another of its findings
        edits[rows[0]] = fix
        for row in rows[1:]:
            edits[row] = LineFix(fix.finding, "", DELETE_LINE)
    return edits


def new_findings(before: Series, after: Series, options: Options) -> dict[tuple, Finding]:
    """(file, line) -> a finding the fixed patch has there that the original had not (any type)."""
    every = Options(strict=True, ignore=options.ignore, max_line_length=options.max_line_length,
                    tree=options.tree, values=options.values)

    def keyed(series):
        return {(f.type, f.file, f.line, f.message): f for r in run_checks(series, every) for f in r.findings}

    old = keyed(before)
    return {(f.file, f.line): f for key, f in keyed(after).items() if key not in old and f.file is not None}


def _line_fixes(raw: str | None, following: str, findings: list[Finding], report: FixReport) -> list[LineFix]:
    """The fixes of one line, each applied to what the one before it gave (the final newline last:
    it ends the line)."""
    if raw is not None and raw.startswith("Subject:") and findings[0].file is None:
        return _header_fixes(raw, findings, report)
    unchanged = raw is not None and raw.startswith(" ")
    if raw is None or not raw.startswith(("+", " ")) or (unchanged and following.startswith("\\")):
        report.left += [(finding, _why_not(raw)) for finding in findings]
        return []
    text = raw[1:]
    if proposed_line(findings[0], text) != findings[0].fix:  # the file's line is not the decoded one the check read
        why = "the mail's body is encoded (quoted-printable or base64); fix the commit instead (patchflow fix REV-RANGE)"
        report.left += [(finding, why) for finding in findings]
        return []
    fixes = []
    for finding in sorted(findings, key=lambda f: f.type == "MISSING_EOF_NEWLINE"):
        # a deleted line takes the other findings on it with it
        new = DELETE_LINE if text == DELETE_LINE else proposed_line(finding, text)
        if new == DELETE_LINE and following.startswith("\\"):
            report.left.append((finding, "the line before `\\ No newline at end of file` is kept: the "
                                         "marker would move to another line"))
            continue
        if new is None:
            report.left.append((finding, finding.not_fixed or "no certain fix for this line"))
            continue
        fixes.append(LineFix(finding, text, new, unchanged=unchanged, original=raw[1:]))
        if not finding.span:  # a block reorder rewrites lines of its own, after the others (next pass)
            text = new
    return fixes


def _header_fixes(raw: str, findings: list[Finding], report: FixReport) -> list[LineFix]:
    fixes = []
    for finding in findings:
        new = proposed_line(finding, raw)
        if new is None:
            report.left.append((finding, _SUBJECT_WHY.get(finding.type, "no certain fix for this subject")))
            continue
        fixes.append(LineFix(finding, raw, new, header=True, original=raw))
        raw = new
    return fixes


_SUBJECT_WHY = {
    "SUBJECT_TREE_PREFIX": "which tree is the author's call (no other patch of the series names one): "
                           "git format-patch --subject-prefix='PATCH <tree>'",
    "SUBJECT_PREFIX_FORMAT": "only a glued PATCHv<N> has a certain fix; number the series with git format-patch -n",
}


def _why_not(raw: str | None) -> str:
    if raw is None:
        return "the finding is on no line of the patch"
    if not raw.startswith("+"):
        return "the line is not one the patch shows on its new side"
    return "an unchanged last line without a newline (fix it in the commit: patchflow fix REV-RANGE)"


_HUNK_HEADER = re.compile(r"^@@ -(\d+)(,\d+)? \+(\d+)(?:,(\d+))? @@")


def _apply_patch_edits(lines: list[str], edits: dict[int, LineFix]) -> str:
    """The patch with its fixed lines; a fix that adds lines (a blank line after declarations) adds
    them to its hunk's count and moves the later hunks of the file down; a deleted line (the second
    of two blank lines) takes one off."""
    out: list[str] = []
    added: dict[int, int] = {}  # index in `out` of a hunk header -> lines the fixes add to the hunk
    header = -1
    drop_marker = False
    for number, line in enumerate(lines, 1):
        if drop_marker and line.startswith("\\ "):
            drop_marker = False
            continue
        drop_marker = False
        if line.startswith("@@ "):
            header = len(out)
        fix = edits.get(number)
        if fix is None or fix.header:
            out.append(line if fix is None else fix.new)
            continue
        if fix.unchanged:
            out.append("-" + fix.original)
        if fix.new == DELETE_LINE:
            added[header] = added.get(header, 0) - 1
            continue
        drop_marker = fix.new.endswith("\n")  # the file's last line now ends with a newline
        parts = (fix.new[:-1] if drop_marker else fix.new).split("\n")
        out += ["+" + part for part in parts]
        added[header] = added.get(header, 0) + len(parts) - 1
    return "\n".join(_recount(out, added))


def _recount(out: list[str], added: dict[int, int]) -> list[str]:
    shift = 0  # lines added to the earlier hunks of the same file
    for index, line in enumerate(out):
        if line.startswith("diff --git "):
            shift = 0
        match = _HUNK_HEADER.match(line)
        if match and (shift or added.get(index)):
            old_start, old_count, new_start, new_count = match.groups()
            more = added.get(index, 0)
            count = int(new_count if new_count is not None else 1) + more
            out[index] = (f"@@ -{old_start}{old_count or ''} +{int(new_start) + shift},{count} @@"
                          + line[match.end():])
            shift += more
    return out


def _guard_patch(series: Series, path: str, fixes: list[LineFix]) -> str | None:
    """The token guard on a patch: each hunk's new side, as the patch has it and as fixed."""
    new_by_line = {fix.finding.patch_line: fix.new.rstrip("\n") for fix in fixes}
    for patch in series:
        for file in patch.files:
            if file.path != path:
                continue
            for hunk in file.hunks:
                before = [line.text for line in hunk.lines if line.kind != "-"]
                after = [new_by_line.get(line.patch_line, line.text) for line in hunk.lines if line.kind != "-"]
                after = [text for text in after if text != DELETE_LINE]
                if before != after:
                    why = same_code(path, "\n".join(before) + "\n", "\n".join(after) + "\n")
                    if why:
                        return why
    return None


# --- a file's text (the commits of a branch) -----------------------------------------------------


def fix_file_text(path: str, text: str, findings: Iterable[Finding]) -> tuple[str, FixReport]:
    """Apply the fixes of `findings` (on `path`, by line in the file) to the file's text; a block
    reorder last, on lines no other fix touched."""
    report = FixReport()
    lines = text.split("\n")
    fixes: list[LineFix] = []
    findings = sorted(findings, key=lambda finding: finding.span is not None)
    for finding in findings:
        index = (finding.line or 0) - 1
        if not 0 <= index < len(lines):
            report.left.append((finding, "the line is not in the file"))
            continue
        # a deleted line takes the other findings on it with it
        new = DELETE_LINE if lines[index] == DELETE_LINE else proposed_line(finding, lines[index])
        if new is None:
            report.left.append((finding, finding.not_fixed or "no certain fix for this line"))
            continue
        fixes.append(LineFix(finding, lines[index], new))
        if not finding.span:
            lines[index] = new
    if not fixes:
        return text, report
    fixes = defer_overlapping_spans(fixes, report)
    why = same_code(path, text, join_lines(lines))  # a reorder is checked by same_declarations
    if why:
        report.abandoned.append((path, why))
        report.left += [(fix.finding, why) for fix in fixes]
        return text, report
    for fix in fixes:
        rows = span_rows(fix, fix.finding.line) if fix.finding.span else ()
        if rows:  # the same for each finding of one block
            lines[rows[0] - 1:rows[-1]] = [fix.new] + [DELETE_LINE] * (len(rows) - 1)
    report.fixed += fixes
    return join_lines(lines), report


def write_atomically(path: str, text: str) -> None:
    """Write `path` whole or not at all: a temporary file beside it, renamed over it."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".patchflow-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape", newline="") as handle:
            handle.write(text)
        if os.path.exists(path):
            os.chmod(tmp, os.stat(path).st_mode & 0o7777)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
