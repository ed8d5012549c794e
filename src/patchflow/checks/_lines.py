"""The added lines of a file as the line checks scan them, and which lines each check is shown.

A check that judges added lines one by one (a "line" check, or a patch check made with
`_ccode.on_added_lines`) may name a needle: a pattern that every line it reports holds, or a
function that names those lines (`line_filter`). The checks are few next to the lines of a large
patch, so the lines without the needle are ruled out in C: each file's added lines are joined by
"\\n" once per run (`added_lines(file, ctx)`) and each needle scans that text (`_needles.Needle`),
instead of one call into Python per check and line.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, repeat

from ._needles import Needle, literal_indexes

__all__ = ["AddedLines", "LineFilter", "added_lines", "line_filter", "lines_holding", "lines_with"]


class AddedLines:
    """The added lines of one file diff, and their texts joined by "\\n" with each one's offset."""

    __slots__ = ("lines", "text", "starts", "joined", "found")

    def __init__(self, file):
        self.lines = [line for hunk in file.hunks for line in hunk.lines if line.kind == "+"]
        texts = [line.text for line in self.lines]
        self.text = "\n".join(texts)
        self.starts = [0, *accumulate(len(text) + 1 for text in texts)][:-1]
        # a text that holds a "\n" itself (no diff reader makes one) would shift the lines: searched alone
        self.joined = self.text.count("\n") == max(len(texts) - 1, 0)
        # {needle's pattern: positions of the lines holding it}: checks that share a needle (the
        # seven macro checks' `define`) scan the file once
        self.found = {}

    def indexes(self, offsets) -> list[int]:
        """The positions of the lines that the offsets (in order) fall in, in the joined text or in a
        translation of it character for character (str, or bytes one per character): the same
        offsets, so `starts` places them."""
        # each offset's bisection in C; in order, a line's offsets follow one another
        return [line - 1 for line in dict.fromkeys(map(bisect_right, repeat(self.starts), offsets))]

    def lines_holding_any(self, data: bytes, needles) -> list[int]:
        """The positions of the lines in which `data`, the joined text translated byte for byte,
        holds one of the needles (none of them holds a newline)."""
        offsets = []
        for needle in needles:
            at = data.find(needle)
            while at >= 0:
                offsets.append(at)
                at = data.find(needle, at + 1)
        return self.indexes(sorted(offsets))


def added_lines(file, ctx) -> AddedLines:
    """The file's `AddedLines`, built once per run (kept on the file: each of the line checks asks,
    and a patch of many small files asks it hundreds of thousands of times)."""
    scanned = file.scanned
    if scanned is None or scanned[0] is not ctx:
        scanned = file.scanned = (ctx, AddedLines(file))
    return scanned[1]


class LineFilter:
    """Which added lines a "line" check can report, as `line_filter` declared it."""

    __slots__ = ("wanted_file", "needle", "lines")

    def __init__(self, wanted_file, needle: str | None, lines):
        self.wanted_file = wanted_file
        self.needle = Needle(needle) if needle else None
        self.lines = lines

    def indexes(self, file, added: AddedLines, ctx):
        """The positions in `added.lines` of the lines the check is shown, or None for every line."""
        if self.lines is not None:
            return self.lines(file, added, ctx)
        return self.needle.indexes(added) if self.needle is not None else None


def line_filter(wanted_file=None, needle: str | None = None, lines=None):
    """Declare which added lines a "line" check can report: lines of the files `wanted_file(path)`
    accepts, that hold the pattern `needle` or that `lines(file, added, ctx)` (positions in
    `added.lines`, in order) names. `checks.run` shows the check no other line."""
    def declare(func):
        func.line_filter = LineFilter(wanted_file, needle, lines)
        return func
    return declare


def lines_holding(text: str, added: AddedLines) -> list[int]:
    """The positions of the added lines that hold `text` (a string, not a pattern)."""
    if not added.lines:
        return []
    if added.joined and text and "\n" not in text:
        return literal_indexes(text, added)
    return [index for index, line in enumerate(added.lines) if text in line.text]


def lines_with(needle: Needle, file, ctx) -> set:
    """The patch lines of the added lines of `file` whose text holds `needle` (found by its scan of
    the file's joined added lines). A use a check finds in a line's masked code is in its text at
    the same place: masking only hides comments and strings, keeping their delimiters."""
    added = added_lines(file, ctx)
    return {added.lines[index].patch_line for index in needle.indexes(added)}
