"""`Finding`, the one record between checks and output, and its renderers (text, terse, json)."""

from __future__ import annotations

import os

from .records import as_dict, record

ERROR, WARNING, CHECK = "ERROR", "WARNING", "CHECK"
LEVELS = (ERROR, WARNING, CHECK)
_COLOURS = {ERROR: "\033[31m", WARNING: "\033[33m", CHECK: "\033[32m"}
_RESET = "\033[0m"

# what a fix returns to delete its line (the second of two blank lines); no source line holds NUL
DELETE_LINE = "\0delete line\0"


@record
class Finding:
    """One problem a check found, where it is, and its fix when it has one."""

    type: str
    level: str
    message: str
    patch: str  # the patch file as given ('-' for standard input)
    patch_line: int | None = None  # checkpatch's #N: the line in the patch file
    file: str | None = None  # the changed file
    line: int | None = None  # the line in the changed file
    column: int | None = None  # 1-based column where the line should start / the problem is
    quote: str | None = None  # the line as it stands in the patch, marker included
    fix: str | None = None  # fixable findings: the line as `patchflow fix` rewrites it
    # a fix of several lines (a reordered block of declarations): the first and last line of the
    # changed file that `fix` replaces, the finding's line among them
    span: tuple[int, int] | None = None
    not_fixed: str | None = None  # a fixable type's finding that has no fix: why
    # False for a finding on the patch as a whole (a missing sign-off): patch_line is where checkpatch's
    # --terse output puts it, and the text output names no line, as checkpatch's does not
    shows_line: bool = True

    def as_json(self) -> dict:
        data = as_dict(self)
        del data["quote"], data["shows_line"]
        if self.fix is None:
            del data["fix"]  # only fixable findings carry the key
        elif self.fix == DELETE_LINE:
            data["fix"], data["delete_line"] = "", True  # the fix removes the line
        for key in ("span", "not_fixed"):
            if data[key] is None:
                del data[key]
        return data


@record
class PatchResult:
    """The findings of one patch of a series, and what checkpatch counts as lines checked."""

    name: str  # the patch as named in output
    source: str
    lines_checked: int
    findings: list[Finding]

    def counts(self) -> dict[str, int]:
        counts = {level: 0 for level in LEVELS}
        for finding in self.findings:
            counts[finding.level] += 1
        return counts


def use_colour(choice: str, stream) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _safe(text: str) -> str:
    # lines with bytes that were not UTF-8 carry surrogates: show them escaped rather than fail
    # (ASCII text, nearly all of it, holds none: returned without the two conversions)
    return text if text.isascii() else text.encode("utf-8", errors="backslashreplace").decode("utf-8")


def render_text(results: list[PatchResult], colour: bool = False) -> str:
    out = []
    many = len(results) > 1
    for result in results:
        if many:
            rule = "-" * len(result.name)
            out.append(f"{rule}\n{result.name}\n{rule}\n")
        for f in result.findings:
            head = f"{f.level}:{f.type}: {_safe(f.message)}"
            if colour:
                head = f"{_COLOURS[f.level]}{f.level}{_RESET}:{f.type}: {_safe(f.message)}"
            out.append(head + "\n")
            if f.patch_line is not None and f.shows_line:
                where = f"#{f.patch_line}: "
                if f.file is not None and f.line is not None:
                    where += f"FILE: {_safe(f.file)}:{f.line}:"
                out.append(where + "\n")
                if f.quote is not None:
                    out.append(_safe(f.quote) + "\n")
            out.append("\n")
        c = result.counts()
        out.append(f"total: {c[ERROR]} errors, {c[WARNING]} warnings, {c[CHECK]} checks, "
                   f"{result.lines_checked} lines checked\n\n")
        fixable = sum(1 for f in result.findings if f.fix is not None)
        if fixable:
            out.append(f"{fixable} of them can be fixed by patchflow fix.\n")
        if result.findings:
            out.append(f"{result.name} has style problems, please review.\n")
        else:
            out.append(f"{result.name} has no obvious style problems and is ready for submission.\n")
        if many:
            out.append("\n")
    return "".join(out)


def render_terse(results: list[PatchResult], colour: bool = False) -> str:
    out = []
    for result in results:
        for f in result.findings:
            level = f"{_COLOURS[f.level]}{f.level}{_RESET}" if colour else f.level
            where = f"{result.name}:{f.patch_line}:" if f.patch_line is not None else f"{result.name}:"
            out.append(f"{where} {level}:{f.type}: {_safe(f.message)}\n")
        c = result.counts()
        out.append(f"{result.name}: total: {c[ERROR]} errors, {c[WARNING]} warnings, {c[CHECK]} checks, "
                   f"{result.lines_checked} lines checked\n")
    return "".join(out)


def render_json(results: list[PatchResult], errors: list[str] | None = None,
                skipped: list[str] | None = None) -> str:
    """The findings and their totals; `errors` when inputs could not be read (each `PATH: what is
    wrong`, as on stderr) and `skipped` when an mbox held mails that are no patches."""
    findings = [f.as_json() for result in results for f in result.findings]
    totals = {level: 0 for level in LEVELS}
    for result in results:
        for level, n in result.counts().items():
            totals[level] += n
    summary = {"patches": len(results), "errors": totals[ERROR], "warnings": totals[WARNING], "checks": totals[CHECK]}
    import json

    document = {"findings": findings, "summary": summary}
    if errors:
        document["errors"] = list(errors)
    if skipped:
        document["skipped"] = list(skipped)
    return json.dumps(document, indent=2, ensure_ascii=False,
                      default=str).encode("utf-8", errors="backslashreplace").decode("utf-8") + "\n"


def exit_status(results: list[PatchResult]) -> int:
    return 1 if any(result.findings for result in results) else 0
