"""Checks that find the lines they may report by scanning a file's joined text once, in C.

A judge of one added line called for every added line of a large patch costs a call per line and
check (some 128,000 on the new-file corpus) before it even looks; a check whose rules need a few
recognisable shapes finds the lines holding them by one search of the file's text (`re.finditer`
runs in C) and judges those only. `MaskedText` is a file's masked lines (the CodeLine sequence of
`_ccode`) joined by newlines, and where each one starts.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from itertools import accumulate

from . import Hit
from ._ccode import is_c, lines_of
from ._lines import added_lines

__all__ = ["MaskedText", "added_lines_found", "hunk_places", "masked_text", "on_lines_found"]


class MaskedText:
    """The masked lines of a file (a CodeLine's `sequence`) joined by newlines, and where each one
    starts: the text of a line and the lines after it is one slice."""

    def __init__(self, sequence, ctx=None):
        codes = [code for _, code in sequence]
        self.sequence = sequence
        self.text = "\n".join(codes)
        self.searched = None  # "\n" and the text, built for `positions`
        self.words = {}  # {word: its offsets in the text}, for `holds`
        self.starts = [0, *accumulate(len(code) + 1 for code in codes)]

    def positions(self, *scans):
        """The positions in the sequence of the lines that the scans name, in order. A scan is a
        pattern and the shifts of the lines it names from the line of each match: (0,) for that
        line, (1,) the line after it. Each pattern is searched over "\\n" and the text, so one that
        starts a line starts with "\\n" (a literal the search jumps to: `^` is tried at every
        offset, and an alternation of such patterns is not searched faster than its slowest);
        a match's line is its last character's (no match may end with a newline)."""
        if self.searched is None:
            self.searched = "\n" + self.text
        starts, found = self.starts, set()
        for pattern, shifts in scans:
            # -2: the match's last character, less the "\n" before the text
            lines = [bisect_right(starts, match.end() - 2) - 1 for match in pattern.finditer(self.searched)]
            for shift in shifts:
                found.update(lines if shift == 0 else [line + shift for line in lines])
        return sorted(index for index in found if 0 <= index < len(starts) - 1)

    def holds(self, word, start, end):
        """Whether text[start:end] holds `word`, as text.find(word, start, end) >= 0: from the
        offsets of the word in the text, found once (a find over each window cost more)."""
        found = self.words.get(word)
        if found is None:
            found = self.words[word] = []
            at = self.text.find(word)
            while at >= 0:
                found.append(at)
                at = self.text.find(word, at + 1)
        index = bisect_left(found, start)
        return index < len(found) and found[index] + len(word) <= end

    def added(self, positions):
        """The added DiffLines at these positions of the sequence."""
        sequence = self.sequence
        return [sequence[index][0] for index in positions if sequence[index][0].kind == "+"]


def added_lines_found(file, ctx, patterns, needle, backwards=False):
    """The added lines of `file` in which one of `patterns` matches: each is searched once over
    the file's joined added lines (each match must start in the line it names, and match no
    "\n": `[^\\S\n]` for `\\s`), and a pattern that starts with a literal is searched by jumps from
    one occurrence to the next. `backwards`: the patterns are searched over the reversed text (a
    pattern that ends with a literal, reversed, starts with it). Where the lines could not be
    joined (a line's text holding a "\n"), the lines in which `needle`, the patterns' per-line
    equivalent, is found."""
    added = added_lines(file, ctx)
    if not added.joined:
        return [line for line in added.lines if needle.search(line.text)]
    if backwards:
        text = added.text[::-1]
        last = len(text) - 1
        offsets = sorted(last - match.start() for pattern in patterns for match in pattern.finditer(text))
    else:
        offsets = sorted(match.start() for pattern in patterns for match in pattern.finditer(added.text))
    return [added.lines[index] for index in added.indexes(offsets)]


def hunk_places(file, lines):
    """(hunk, index in hunk.lines) of each of the file's DiffLines `lines`, given in file order. A
    hunk's lines are numbered one after the other in the patch, so the index is found by
    arithmetic, checked; each line the reader skipped before it (a marker) puts it one place
    lower, so it is looked for downwards from there (a few steps, not a walk of the hunk)."""
    places, hunks, number = [], [hunk for hunk in file.hunks if hunk.lines], 0
    for line in lines:
        while hunks[number].lines[-1].patch_line < line.patch_line:
            number += 1
        hunk = hunks[number]
        index = min(line.patch_line - hunk.lines[0].patch_line, len(hunk.lines) - 1)
        while hunk.lines[index] is not line:
            index -= 1
        places.append((hunk, index))
    return places


def masked_text(file, ctx):
    """The file's MaskedText (built once per run), or None when it adds no line."""
    found = lines_of(file, ctx)
    if not found:
        return None
    return ctx.once(MaskedText, next(iter(found.values())).sequence)


def on_lines_found(candidates):
    """Make a judge of one added line, `judge(line, file, ctx) -> Hit | message | None`, into a patch check
    over the added lines of C files that `candidates(file, ctx)` names (DiffLines in file order: a
    superset of the lines the judge can report, found by scanning the file's text)."""
    def wrap(judge):
        @functools.wraps(judge)
        def over_patch(patch, ctx):
            for file in patch.files:
                if file.is_binary or not is_c(file.path):
                    continue
                for line in candidates(file, ctx):
                    hit = judge(line, file, ctx)
                    if hit is not None:
                        yield Hit.at(line, file, hit) if isinstance(hit, str) else hit
        return over_patch
    return wrap
