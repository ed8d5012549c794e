"""Checks that find the lines they may report by scanning a file's joined text once, in C.

A judge of one added line called for every added line of a large patch costs a call per line and
check (some 128,000 on the new-file corpus) before it even looks; a check whose rules need a few
recognisable shapes finds the lines holding them by one search of the file's text (`re.finditer`
runs in C) and judges those only. `MaskedText` is a file's masked lines (the CodeLine sequence of
`_ccode`) joined once per run, where each one starts, and the same text framed by newlines (every
line led by one) for patterns that start a line; the brace, statement, spacing and layout families
all search it. `FoundBy` searches the file's joined added lines instead (`_lines.AddedLines`); a
check is shown the lines either names through `_ccode.on_added_lines(..., lines=)`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate

from ._ccode import lines_of
from ._lines import added_lines

__all__ = ["FoundBy", "MaskedText", "files_with_added_code", "masked_text"]


class MaskedText:
    """The masked lines of a file (its CodeLines' `sequence`: every line that is not removed, as
    `_ccode.lines_of` masks it) joined into one text, and where each one starts: the text of a line
    and the lines after it is one slice. Built once per run and file (`masked_text`)."""

    def __init__(self, code_lines, ctx=None):
        self.code_lines = code_lines  # {patch line: CodeLine} of the added lines
        first = next(iter(code_lines.values()), None)
        sequence = first.sequence if first is not None else []
        codes = [code for _, code in sequence]
        self.sequence = sequence
        self.text = "\n".join(codes)
        self.searched = None  # "\n" and the text, built for `positions`
        self.words = {}  # {word: its offsets in the text}, for `holds`
        self.starts = [0, *accumulate(len(code) + 1 for code in codes)]
        self.added_before = None  # for each position of the sequence, the added lines before it
        # each line led by "\n" and the text ended by one (a pattern that starts at the "\n" before
        # a line finds the first line too), for `added_at`; None where a line holds a "\n"
        self.framed = _framed(codes)
        self._raw = None

    @property
    def raw(self):
        """The same lines as the diff has them (not masked), framed alike; built on first use."""
        if self._raw is None:
            self._raw = _framed([line.text for line, _ in self.sequence]) or ""
        return self._raw or None

    def added_at(self, offsets, text=None):
        """The CodeLines of the added lines that hold the offsets (in order) of `text` (`framed`,
        or `raw`), once each. A line holds the offsets from just after the "\n" before it to the
        "\n" after it; the text's last "\n" is before no line."""
        found = []
        text = self.framed if text is None else text
        sequence, code_lines = self.sequence, self.code_lines
        index, at = -1, 0
        for offset in offsets:
            if offset >= len(text):
                break
            index += text.count("\n", at, offset)
            at = offset
            line = sequence[index][0]
            if line.kind == "+" and (not found or found[-1].line is not line):
                found.append(code_lines[line.patch_line])
        return found

    def lines_after(self, pattern, text=None):
        """The added CodeLines before which `pattern`, led by the "\n" before a line, matches in
        `framed` (or `text`, `raw`)."""
        text = self.framed if text is None else text
        return self.added_at([match.start() + 1 for match in pattern.finditer(text)], text)

    def lines_holding(self, pattern):
        """The added CodeLines whose masked text holds a match of `pattern` (one that holds no "\n")."""
        return self.added_at([match.start() for match in pattern.finditer(self.framed)])

    def every_added(self):
        return list(self.code_lines.values())

    def positions(self, *scans):
        """The positions in the sequence of the lines that the scans name, in order. A scan is a
        pattern and the shifts of the lines it names from the line of each match: (0,) for that
        line, (1,) the line after it. Each pattern is searched over "\\n" and the text, so one that
        starts a line starts with "\\n" (a literal the search jumps to: `^` is tried at every
        offset, and an alternation of such patterns is not searched faster than its slowest);
        a match's line is its last character's (no match may end with a newline)."""
        if self.searched is None:  # `framed` serves unless a line holds a "\n" (its last "\n" ends no match)
            self.searched = self.framed if self.framed is not None else "\n" + self.text
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
        """The positions in the file's added lines (`_lines.AddedLines`, the sequence's "+" lines in
        the same order) of the added lines at these positions of the sequence."""
        if self.added_before is None:
            self.added_before = list(accumulate((line.kind == "+" for line, _ in self.sequence), initial=0))
        sequence, before = self.sequence, self.added_before
        return [before[index] for index in positions if sequence[index][0].kind == "+"]


class FoundBy:
    """The `lines` of `_ccode.on_added_lines`: the positions in the file's joined added lines
    (`_lines.AddedLines`) of the lines in which one of `patterns` matches. Each pattern is searched
    once over the joined text (each match must start in the line it names, and match no "\n":
    `[^\\S\n]` for `\\s`), and one that starts with a literal is searched by jumps from one
    occurrence to the next (a needle with a lookbehind is searched line by line by `_needles`). Where
    the lines could not be joined (a line's text holding a "\n"), the lines in which `needle`, the
    patterns' per-line equivalent, is found."""

    __slots__ = ("patterns", "needle")

    def __init__(self, patterns, needle):
        self.patterns, self.needle = patterns, needle

    def __call__(self, file, added, ctx):
        if not added.joined:
            return [index for index, line in enumerate(added.lines) if self.needle.search(line.text)]
        offsets = sorted(match.start() for pattern in self.patterns for match in pattern.finditer(added.text))
        return added.indexes(offsets)


def _framed(texts):
    """ "\\n" + the texts joined by "\\n" + "\\n", or None when a text holds a "\\n" itself (no
    reader makes one): it would shift the lines after it, and its file is read line by line."""
    text = "\n" + "\n".join(texts) + "\n"
    return text if text.count("\n") == len(texts) + 1 else None


def masked_text(file, ctx):
    """The file's MaskedText (built once per run), or None when it adds no line."""
    found = lines_of(file, ctx)
    if not found:
        return None
    return ctx.once(MaskedText, found)


def files_with_added_code(patch, wanted_file, ctx):
    """(file, MaskedText) for each file of the patch that `wanted_file(path)` accepts and that adds
    lines."""
    for file in patch.files:
        if not file.is_binary and wanted_file(file.path) and added_lines(file, ctx).lines:
            yield file, masked_text(file, ctx)
