"""A file's masked lines joined into one text, for the checks that judge every added line of C.

SPACING, LINE_SPACING and BLOCK_COMMENT_STYLE each had a judge called for every added line (128,000
on a large patch), most of which breaks no rule. Each now searches, over one text per file, a
pattern that every line it may report (or the line before it) matches, in C, and judges in Python
only the lines found. The text holds every line of the file that is not removed (a line's `prev`
may be a context line), masked as `_ccode.lines_of` gives them, each led by "\\n", built once per
run and file.
"""

from __future__ import annotations

from ._ccode import lines_of
from ._lines import added_lines


class JoinedCode:
    """The masked text of a file's non-removed lines, each led by "\\n" (a pattern that starts at
    the "\\n" before a line finds the first line too), the text ended by one, and their CodeLines."""

    __slots__ = ("code_lines", "sequence", "text", "_raw")

    def __init__(self, file, ctx):
        self.code_lines = lines_of(file, ctx)  # {patch line: CodeLine} of the added lines
        first = next(iter(self.code_lines.values()), None)
        self.sequence = first.sequence if first is not None else []
        self.text = _joined([code for _, code in self.sequence])
        self._raw = None

    @property
    def raw(self):
        """The same lines as the diff has them (not masked), joined alike; built on first use."""
        if self._raw is None:
            self._raw = _joined([line.text for line, _ in self.sequence]) or ""
        return self._raw or None

    def added_at(self, offsets, text=None):
        """The CodeLines of the added lines that hold the offsets (in order) of `text` (the masked
        text, or `raw`), once each. A line holds the offsets from just after the "\\n" before it to
        the "\\n" after it; the text's last "\\n" is before no line."""
        found = []
        text = self.text if text is None else text
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
        """The added CodeLines before which `pattern`, led by the "\\n" before a line, matches."""
        text = self.text if text is None else text
        return self.added_at([match.start() + 1 for match in pattern.finditer(text)], text)

    def lines_holding(self, pattern):
        """The added CodeLines whose masked text holds a match of `pattern` (one that holds no "\\n")."""
        return self.added_at([match.start() for match in pattern.finditer(self.text)])

    def every_added(self):
        return list(self.code_lines.values())


def _joined(texts):
    """ "\\n" + the texts joined by "\\n" + "\\n", or None when a text holds a "\\n" itself (no
    reader makes one): it would shift the lines after it, and its file is read line by line."""
    text = "\n" + "\n".join(texts) + "\n"
    return text if text.count("\n") == len(texts) + 1 else None


def joined_code(file, ctx):
    """The file's JoinedCode, built once per run."""
    return ctx.once(JoinedCode, file)


def files_with_added_code(patch, wanted_file, ctx):
    """(file, JoinedCode) for each file of the patch that `wanted_file(path)` accepts and that adds
    lines."""
    for file in patch.files:
        if not file.is_binary and wanted_file(file.path) and added_lines(file, ctx).lines:
            yield file, joined_code(file, ctx)
