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


def show_tabs(text: str) -> str:
    """Tabs made visible (an arrow, then blanks to the next 8-column stop), so that an example of
    tab-indented code does not read like one indented with spaces."""
    out = []
    for line in text.split("\n"):
        shown = ""
        for char in line:
            if char == "\t":
                width = 8 - len(shown) % 8
                shown += "\u2192" + " " * (width - 1)
            else:
                shown += char
        out.append(shown)
    return "\n".join(out)


def render_one(info) -> str:
    strict = " (reported with --strict)" if info.level == "CHECK" else ""
    legend = "\n(\u2192 marks a tab)\n" if "\t" in info.doc else ""
    fixable = ("Fixable: yes (patchflow fix)" if info.fix is not None else "Fixable: no")
    return (f"{info.type} ({info.level}{strict}; src/patchflow/checks/{info.family}.py)\n{fixable}\n\n"
            f"{show_tabs(info.doc)}\n{legend}")


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
