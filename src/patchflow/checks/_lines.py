"""Finding the added lines a needle occurs in, one scan per file instead of one search per line.

A check that judges added lines one by one (a "line" check, or a patch check made with
`_ccode.on_added_lines`) may name a needle: a pattern that every line it reports holds. The line
checks are few next to the lines of a large patch, so the lines without the needle are ruled out in
C: the file's added lines are joined by "\\n" once per run (`added_lines(file, ctx)`), and each
needle searches that text, from the start of the line after each hit (`Needle.indexes`).

A search over the joined text finds the lines a search of each line finds when the needle is
*joinable*: it has no `\\A`, `\\Z` or `\\B`, no lookaround, no back-reference (`joinable()` tells
by the pattern's text, so that it compiles nothing). Then, compiled with re.MULTILINE, `^` and `$`
match at the lines' ends as they do at a lone line's, `\\b` sees the "\\n" as the non-word
character a lone line's end is, and a match that stays inside one line is a match of that line; a
match that runs over a "\\n" (`\\s`, `[^x]`) is asked again of its first line alone.
tests/test_line_needles.py compares both ways for every registered needle.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import List, Optional

__all__ = ["AddedLines", "Needle", "added_lines", "joinable", "line_filter"]


class AddedLines:
    """The added lines of one file diff, and their texts joined by "\\n" with each one's offset."""

    __slots__ = ("lines", "text", "starts", "joined")

    def __init__(self, file):
        self.lines = [line for hunk in file.hunks for line in hunk.lines if line.kind == "+"]
        texts = [line.text for line in self.lines]
        self.text = "\n".join(texts)
        self.starts = [0, *accumulate(len(text) + 1 for text in texts)][:-1]
        # a text that holds a "\n" itself (no diff reader makes one) would shift the lines: searched alone
        self.joined = self.text.count("\n") == max(len(texts) - 1, 0)


def added_lines(file, ctx) -> AddedLines:
    """The file's `AddedLines`, built once per run."""
    return ctx.once(_build_added_lines, file)


def _build_added_lines(file, ctx) -> AddedLines:
    return AddedLines(file)


_REGEX_SPECIAL = frozenset(".^$*+?{}[]|()\\")


def literal_of(needle: str) -> Optional[str]:
    """The string a needle matches when it is a plain one (`define`, `__FUNCTION__`, `\\(`, `"`),
    else None. Read character by character: a pattern here would be compiled at import."""
    out = []
    chars = iter(needle)
    for char in chars:
        if char == "\\":
            char = next(chars, "")
            if not char or char.isalnum() or char.isspace() or not char.isascii():
                return None  # `\b`, `\s`, a trailing backslash: a pattern
        elif char in _REGEX_SPECIAL or not char.isascii() or char == "\n":
            return None
        out.append(char)
    return "".join(out)


# what can make a search of the joined lines differ from a search of each line alone: the string's
# own ends (\A, \Z), a non-boundary (true inside "\n\n" but never in an empty string), a lookaround
# that may see past a line's end, a back-reference or a conditional group
_NOT_JOINABLE = ("\\A", "\\Z", "\\B", "(?=", "(?!", "(?<", "(?P=", "(?(",
                 *(f"\\{digit}" for digit in "123456789"))


def joinable(needle: str) -> bool:
    """Whether a search of the lines joined by "\\n", compiled with re.MULTILINE, finds a match
    starting in a line exactly when a search of that line alone finds one (see the module
    docstring). Read from the pattern's text: a `\\\\A` (an escaped backslash before an A) is
    refused too, which costs only speed."""
    return not any(construct in needle for construct in _NOT_JOINABLE)


class Needle:
    """A needle of a line check, compiled on the first file it scans."""

    __slots__ = ("source", "literal", "_alone", "_joined")

    def __init__(self, source: str):
        self.source = source
        self.literal = literal_of(source)
        self._alone = None  # the pattern for one line
        self._joined = None  # the MULTILINE pattern for the joined lines, or False

    def _patterns(self):
        if self._alone is None:
            self._alone = re.compile(self.source)
            self._joined = re.compile(self.source, re.MULTILINE) if joinable(self.source) else False
        return self._alone, self._joined

    def indexes(self, added: AddedLines) -> List[int]:
        """The positions in `added.lines` of the lines the needle occurs in, in order."""
        if not added.lines:
            return []
        if self.literal is not None and added.joined:
            return _literal_indexes(self.literal, added)
        alone, joined = self._patterns()
        if joined and added.joined:
            return _joined_indexes(alone, joined, added)
        search = alone.search
        return [index for index, line in enumerate(added.lines) if search(line.text) is not None]


def _literal_indexes(literal: str, added: AddedLines) -> List[int]:
    text, starts = added.text, added.starts
    last = len(starts) - 1
    found = []
    offset = text.find(literal)
    while offset >= 0:
        index = bisect_right(starts, offset) - 1
        found.append(index)
        if index == last:
            break
        offset = text.find(literal, starts[index + 1])
    return found


def _joined_indexes(alone, joined, added: AddedLines) -> List[int]:
    text, starts, lines = added.text, added.starts, added.lines
    last = len(starts) - 1
    search = joined.search
    found = []
    match = search(text)
    while match is not None:
        index = bisect_right(starts, match.start()) - 1
        # a match inside the line is the line's; one that ran into the next line may not be
        if match.end() <= starts[index] + len(lines[index].text) or alone.search(lines[index].text):
            found.append(index)
        if index == last:
            break
        match = search(text, starts[index + 1])
    return found


class LineFilter:
    """Which added lines a "line" check can report, as `line_filter` declared it."""

    __slots__ = ("wanted_file", "needle", "lines")

    def __init__(self, wanted_file, needle: Optional[str], lines):
        self.wanted_file = wanted_file
        self.needle = Needle(needle) if needle else None
        self.lines = lines

    def indexes(self, file, added: AddedLines, ctx):
        """The positions in `added.lines` of the lines the check is shown, or None for every line."""
        if self.lines is not None:
            return self.lines(file, added, ctx)
        return self.needle.indexes(added) if self.needle is not None else None


def line_filter(wanted_file=None, needle: Optional[str] = None, lines=None):
    """Declare which added lines a "line" check can report: lines of the files `wanted_file(path)`
    accepts, that hold the pattern `needle` or that `lines(file, added, ctx)` (positions in
    `added.lines`, in order) names. `checks.run` shows the check no other line."""
    def declare(func):
        func.line_filter = LineFilter(wanted_file, needle, lines)
        return func
    return declare


def lines_holding(text: str, added: AddedLines) -> List[int]:
    """The positions of the added lines that hold `text` (a string, not a pattern)."""
    if not added.lines:
        return []
    if added.joined and text and "\n" not in text:
        return _literal_indexes(text, added)
    return [index for index, line in enumerate(added.lines) if text in line.text]
