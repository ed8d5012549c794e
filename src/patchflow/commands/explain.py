"""Print a check's documentation: what it checks, why maintainers care, an example and the fix.

`patchflow explain` alone lists every check type with its level, family and one line.
"""

from __future__ import annotations

import argparse


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("type", nargs="?", metavar="TYPE", help="a check type, e.g. PARENTHESIS_ALIGNMENT")
    parser.add_argument("--markdown", action="store_true",
                        help="print the list of checks as the Markdown table of the README's Checks section")


def render_list() -> str:
    from ..checks import describe_all

    rows = [f"{info.type:<24} {info.level:<8} {info.family:<12} {info.summary}" for info in describe_all()]
    return "\n".join([f"{'TYPE':<24} {'LEVEL':<8} {'FAMILY':<12} SUMMARY", *rows]) + "\n"


def render_markdown() -> str:
    """The table of every check, as the README's `## Checks` section holds it."""
    from ..checks import describe_all

    rows = ["| Type | Level | Family | What it reports |", "| --- | --- | --- | --- |"]
    for info in describe_all():
        summary = info.summary.replace("|", "\\|")
        rows.append(f"| `{info.type}` | {info.level} | {info.family} | {summary} |")
    return "\n".join(rows) + "\n"


_CR, _TRAILING = "\u240d", "\u00b7"


def _byte(char: str) -> str:
    """A byte that is not UTF-8 (kept by the docstring as a lone surrogate) as `\\xNN`."""
    return f"\\x{ord(char) - 0xdc00:02x}" if "\udc80" <= char <= "\udcff" else char


def _shown_line(line: str) -> str:
    body = line.rstrip(" ")
    trailing = _TRAILING * (len(line) - len(body)) if body.strip() else line
    shown = ""
    for char in body:
        if char == "\t":
            width = 8 - len(shown) % 8
            shown += "\u2192" + " " * (width - 1)
        else:
            shown += _CR if char == "\r" else _byte(char)
    return shown + trailing


def show_blanks(text: str) -> str:
    """Tabs made visible (an arrow, then blanks to the next 8-column stop), so that an example of
    tab-indented code does not read like one indented with spaces; a carriage return and the blanks
    that end a line (in an example that is about them) shown too."""
    return "\n".join(_shown_line(line) for line in text.split("\n"))


def _legend(doc: str) -> str:
    marks = []
    if "\t" in doc:
        marks.append("(\u2192 marks a tab)")
    if "\r" in doc:
        marks.append(f"({_CR} marks a carriage return)")
    if any(line != line.rstrip(" ") and line.strip() for line in doc.split("\n")):
        marks.append(f"({_TRAILING} marks a trailing blank)")
    return "".join(f"\n{mark}" for mark in marks) + ("\n" if marks else "")


def render_one(info) -> str:
    strict = " (reported with --strict)" if info.level == "CHECK" else ""
    fixable = ("Fixable: yes, where the result is certain (patchflow fix; a finding it leaves says why)"
               if info.fix is not None else "Fixable: no")
    return (f"{info.type} ({info.level}{strict}; src/patchflow/checks/{info.family}.py)\n{fixable}\n\n"
            f"{show_blanks(info.doc)}\n{_legend(info.doc)}")


def run(args) -> int:
    from ..checks import explain
    from ..errors import PatchflowError

    if args.markdown:
        print(render_markdown(), end="")
        return 0
    if not args.type:
        print(render_list(), end="")
        return 0
    info = explain(args.type)
    if info is None:
        raise PatchflowError(f"unknown check type {args.type!r}: `patchflow explain` lists them")
    print(render_one(info), end="")
    return 0
