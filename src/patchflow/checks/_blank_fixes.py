"""Fixes of the whitespace checks (`patchflow fix`, see patchflow.fix): each gives the line as it
should read, or None when the right result is not certain. The checks register them in
checks/whitespace.py; LEADING_SPACE (checks/layout.py) shares fix_indent_with_tabs."""

from __future__ import annotations

import re

from ..blanks import display_width, indent_to, leading_blanks

# Perl's \s without Unicode rules: what checkpatch calls whitespace
_BLANKS = " \t\n\r\f\v"


def fix_dos(text, finding, path):
    """The line without its carriage return (and the blanks before it, which would then trail)."""
    if not text.endswith("\r") or "\r" in text[:-1]:
        return None  # a carriage return inside the line is data, not a line ending
    return text[:-1].rstrip(" \t")


def fix_trailing(text, finding, path):
    return text.rstrip(_BLANKS)


def fix_space_before_tab(text, finding, path):
    """Each run of blanks holding a space before a tab, rebuilt as tabs then spaces to the same column."""
    out, index, width = [], 0, 0
    for match in re.finditer(r"[ \t]*( \t)[ \t]*", text):
        width = _width_after(width, text[index:match.start()])
        end = _width_after(width, match.group())
        out += [text[index:match.start()], _blanks_between(width, end)]
        index, width = match.end(), end
    return "".join(out) + text[index:]


def _width_after(width, text):
    """The display width after `text` that starts at `width` (tabs stop every 8 columns)."""
    for char in text:
        width = (width // 8 + 1) * 8 if char == "\t" else width + 1
    return width


def _blanks_between(start, end):
    """Tabs, then spaces, from display width `start` to `end`."""
    blanks, width = [], start
    while (width // 8 + 1) * 8 <= end:
        blanks.append("\t")
        width = (width // 8 + 1) * 8
    return "".join(blanks) + " " * (end - width)


def fix_indent_with_tabs(text, finding, path):
    blanks = leading_blanks(text)
    return indent_to(display_width(blanks) + 1) + text[len(blanks):]


def fix_eof_newline(text, finding, path):
    return text + "\n"
