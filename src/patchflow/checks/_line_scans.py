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

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate, chain, repeat

from ._ccode import lines_of
from ._lines import added_lines

__all__ = ["FoundBy", "MaskedText", "files_with_added_code", "masked_text"]

_START = re.Match.start


class MaskedText:
    """The masked lines of a file (its CodeLines' `sequence`: every line that is not removed, as
    `_ccode.lines_of` masks it) joined into one text, and where each one starts: the text of a line
    and the lines after it is one slice. Built once per run and file (`masked_text`)."""

    def __init__(self, code_lines, ctx=None):
        self.code_lines = code_lines  # the file's `_ccode.CodeLines`: {patch line: CodeLine} of the added lines
        codes = code_lines.codes
        self.sequence = code_lines.sequence
        self.text = "\n".join(codes)
        # each line led by "\n" and the text ended by one (a pattern that starts at the "\n" before
        # a line finds the first line too), for `added_at`; None where a line holds a "\n"
        self.framed = "\n" + self.text + "\n" if self.text.count("\n") == len(codes) - 1 else None
        self.searched = None  # "\n" and the text, built for `positions`
        self.words = {}  # {word: its offsets in the text}, for `holds`
        self.added_before = None  # for each position of the sequence, the added lines before it
        self._raw = None
        # where each line starts in `text` (and in the raw lines joined): every search of the file
        # finds its matches' lines by bisecting it, in C; made on first use
        self._table = self._raw_table = self._starts = None

    @property
    def table(self):
        """Where each line starts in `text` (as `_lines.AddedLines.starts` in the added lines)."""
        if self._table is None:
            code_lines = self.code_lines
            added = code_lines.added
            if code_lines.all_added and len(added.text) == len(self.text):
                # every line added, and masked to a character for each of its own (masking makes no
                # "\n" and removed none, as the counts show): the lines start where the added ones do
                self._table = added.starts
            else:
                self._table = [0, *accumulate(len(code) + 1 for code in code_lines.codes)][:-1]
        return self._table

    @property
    def starts(self):
        """Where each line starts in `text`, and the offset one past its end."""
        if self._starts is None:
            self._starts = _Starts(self.table, len(self.text) + 1)
        return self._starts

    @property
    def raw(self):
        """The same lines as the diff has them (not masked), framed alike; built on first use."""
        if self._raw is None:
            texts = [line.text for line in self.code_lines.lines]
            self._raw = _framed(texts) or ""
            # masking keeps each line's length (a masked character for each character): then the
            # raw lines start where the masked ones do
            if self._raw:
                same = list(map(len, texts)) == list(map(len, self.code_lines.codes))
                self._raw_table = self.table if same else [0, *accumulate(len(text) + 1 for text in texts)][:-1]
        return self._raw or None

    def added_at(self, offsets, text=None):
        """The CodeLines of the added lines that hold the offsets (in order) of `text` (`framed`,
        or `raw`), once each. A line holds the offsets from just after the "\n" before it to the
        "\n" after it; the text's last "\n" is before no line."""
        text = self.framed if text is None else text
        offsets = list(offsets)
        del offsets[bisect_left(offsets, len(text)):]
        return self._added_holding([offset - 1 for offset in offsets], text)

    def _added_holding(self, before, text):
        """`added_at` of the offsets each less one (the offsets in the text without the first "\n"),
        all inside the text: bisect_right(table, offset - 1) - 1 is an offset's line (-1 before the
        first: the last line, as a count of newlines from -1 made it)."""
        table = self.table if text is self.framed else self._raw_table
        lines, at = self.code_lines.lines, self.code_lines.at
        found, last = [], None
        for after in dict.fromkeys(map(bisect_right, repeat(table), before)):
            line = lines[after - 1]
            if line.kind == "+" and line is not last:  # (offset 0's line, the last, may come next)
                found.append(at(after - 1))
                last = line
        return found

    def lines_after(self, pattern, text=None):
        """The added CodeLines before which `pattern`, led by the "\n" before a line, matches in
        `framed` (or `text`, `raw`)."""
        text = self.framed if text is None else text
        before = list(map(_START, pattern.finditer(text)))  # each match's offset + 1, less one
        del before[bisect_left(before, len(text) - 1):]
        return self._added_holding(before, text)

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
        table, found = self.table, set()
        for pattern, shifts in scans:
            # the line of a match's last character, at end - 1 in `searched` (the "\n" and the
            # text): bisect_right(table, end - 2) - 1, which is bisect_left(table, end - 1) - 1
            after = [bisect_left(table, match.end() - 1) for match in pattern.finditer(self.searched)]
            for shift in shifts:
                found.update(after if shift == 1 else [line + shift - 1 for line in after])
        found = sorted(found)
        return found[bisect_left(found, 0):bisect_left(found, len(table))]

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
        if self.code_lines.all_added:
            return list(positions)  # every line is added (a new file): the same positions
        if self.added_before is None:
            self.added_before = list(accumulate((line.kind == "+" for line in self.code_lines.lines), initial=0))
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
        text = added.text
        offsets = sorted(chain.from_iterable([map(_START, pattern.finditer(text)) for pattern in self.patterns]))
        return added.indexes(offsets)


class _Starts:
    """`MaskedText.starts`: its `table` and the offset one past the text's end, without a copy."""

    __slots__ = ("table", "end")

    def __init__(self, table, end):
        self.table, self.end = table, end

    def __getitem__(self, index):
        return self.table[index] if index < len(self.table) else self.end

    def __len__(self):
        return len(self.table) + 1


def _framed(texts):
    """ "\\n" + the texts joined by "\\n" + "\\n", or None when a text holds a "\\n" itself (no
    reader makes one): it would shift the lines after it, and its file is read line by line."""
    text = "\n" + "\n".join(texts) + "\n"
    return text if text.count("\n") == len(texts) + 1 else None


def masked_text(file, ctx):
    """The file's MaskedText (built once per run), or None when it adds no line."""
    found = lines_of(file, ctx)
    if found.masked_text is None:  # kept on the CodeLines: asked some 11,000 times on the corpus
        found.masked_text = MaskedText(found) if found else False
    return found.masked_text or None


def files_with_added_code(patch, wanted_file, ctx):
    """(file, MaskedText) for each file of the patch that `wanted_file(path)` accepts and that adds
    lines."""
    for file in patch.files:
        if not file.is_binary and wanted_file(file.path) and added_lines(file, ctx).lines:
            yield file, masked_text(file, ctx)
