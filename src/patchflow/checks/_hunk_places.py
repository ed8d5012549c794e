"""Where an added line stands in its file diff, found from the line itself: checks that read only the
few lines a search of the joined added text points at (`_lines.lines_holding`) still need the hunk
of such a line, or the line above it, without a walk over every line of the file.
"""

from __future__ import annotations

__all__ = ["position", "index_in_hunk", "hunk_of", "line_above", "hunk_places"]


def position(file, line) -> tuple[int, int]:
    """(hunk number, index in the hunk) of one of a file's diff lines. A hunk's lines are numbered one
    after the other in the patch, so the index is found by arithmetic, checked, and looked for line by
    line only when a line the reader skipped (a marker) breaks the count: a dict of every line of
    the file, built for the few lines asked about, cost 35 ms on the corpus."""
    target = line.patch_line
    for number, hunk in enumerate(file.hunks):
        lines = hunk.lines
        if lines and lines[0].patch_line <= target <= lines[-1].patch_line:
            return number, index_in_hunk(hunk, target)
    raise KeyError(target)


def index_in_hunk(hunk, patch_line: int) -> int:
    """The index in `hunk.lines` of its line on that patch line (one of the hunk's lines)."""
    lines = hunk.lines
    index = patch_line - lines[0].patch_line
    if 0 <= index < len(lines) and lines[index].patch_line == patch_line:
        return index
    return next(i for i, other in enumerate(lines) if other.patch_line == patch_line)


def hunk_of(file, line):
    """The hunk that holds one of a file's diff lines."""
    return file.hunks[position(file, line)[0]]


def line_above(file, line):
    """The added or context line right above one of a file's diff lines in its hunk (removed lines
    skipped), or None for the first of its hunk."""
    number, index = position(file, line)
    lines = file.hunks[number].lines
    return next((lines[i] for i in range(index - 1, -1, -1) if lines[i].kind != "-"), None)


def hunk_places(file, lines):
    """(hunk, index in hunk.lines) of each of the file's DiffLines `lines`, given in file order: the
    hunks are walked once for them all."""
    places, hunks, number = [], [hunk for hunk in file.hunks if hunk.lines], 0
    for line in lines:
        while hunks[number].lines[-1].patch_line < line.patch_line:
            number += 1
        hunk = hunks[number]
        places.append((hunk, index_in_hunk(hunk, line.patch_line)))
    return places
