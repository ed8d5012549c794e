"""The blanks at the start of a line as a display shows them (tabs to the next stop of 8): what the
indentation fixers measure and write. Its own small module: `check` computes a finding's fix while
it runs, and the fix command's module (`fix.py`) need not load for that."""

from __future__ import annotations

TAB = 8


def indent_to(column: int, tabs: bool = True) -> str:
    """Blanks that take a line to 1-based display `column`: tabs of 8 then spaces, or spaces only.

    >>> indent_to(20) == "\\t\\t   "
    True
    >>> indent_to(5, tabs=False)
    '    '
    """
    width = max(column - 1, 0)
    if not tabs:
        return " " * width
    return "\t" * (width // TAB) + " " * (width % TAB)


def leading_blanks(text: str) -> str:
    return text[:len(text) - len(text.lstrip(" \t"))]


def display_width(blanks: str) -> int:
    """The display width of a run of blanks at the start of a line (tabs to the next stop of 8)."""
    width = 0
    for char in blanks:
        width = (width // TAB + 1) * TAB if char == "\t" else width + 1
    return width
