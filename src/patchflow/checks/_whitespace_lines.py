"""The added lines the whitespace checks (`checks/whitespace.py`) are shown (`_lines.line_filter`):
found by one search of a file's joined added lines (`_lines.AddedLines`), in C, instead of a look at
every added line; line by line where a line's text holds a "\\n" and the lines were not joined."""

from __future__ import annotations

import re
from functools import lru_cache

from ..lazy_regex import lazy

TAB_SIZE = 8
# Perl's \s without Unicode rules: what checkpatch calls whitespace
_BLANKS = " \t\n\r\f\v"


def _blank_ended_lines(file, added, ctx):
    """The added lines TRAILING_WHITESPACE is shown (`_lines.line_filter`): found by their "\\n" in
    the file's joined added lines (a search in C for each "\\n", then a look at the character before
    it), not by a look at the end of every line."""
    if not added.joined:
        return [index for index, line in enumerate(added.lines) if line.text and line.text[-1] in _BLANKS]
    text = added.text + "\n"
    return added.indexes([match.start() - 1 for match in _NEWLINE_AFTER_BLANK.finditer(text)])


_NEWLINE_AFTER_BLANK = lazy(r"\n(?<=[ \t\r\f\v]\n)")


def _unterminated_lines(file, added, ctx):
    """The added lines MISSING_EOF_NEWLINE is shown (`_lines.line_filter`)."""
    return [index for index, line in enumerate(added.lines) if line.no_newline]


def _wide_lines(file, added, ctx):
    """The added lines the LONG_LINE types are shown (`_lines.line_filter`): found once per file for
    the three of them."""
    return ctx.once(_find_wide_lines, added)


def _find_wide_lines(added, ctx):
    limit = ctx.options.max_line_length
    if not added.joined:  # _may_be_wide written out: a call per line is three quarters of this walk
        return [index for index, line in enumerate(added.lines)
                if len(line.text) > limit or len(line.text) + (TAB_SIZE - 1) * line.text.count("\t") > limit]
    # _may_be_wide of every line at once: each tab written as TAB_SIZE characters, the lines of more
    # than `limit` characters found by one search in C (led by the "\n" before each)
    text = "\n" + added.text.replace("\t", " " * TAB_SIZE)
    if limit >= len(text):
        return []  # no line is that long (and no pattern is compiled for a limit re cannot count to)
    found, index, counted = [], -1, 0
    for match in _longer_than(max(limit, -1)).finditer(text):
        index += text.count("\n", counted, match.start() + 1)
        counted = match.start() + 1
        found.append(index)
    return found


@lru_cache(maxsize=8)
def _longer_than(limit):
    """A line of more than `limit` characters, from the "\\n" before it."""
    return re.compile(r"\n[^\n]{%d}" % (limit + 1))
