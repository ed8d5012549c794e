"""A file's masked lines joined into one text, for the checks that judge every added line of C.

SPACING, LINE_SPACING and BLOCK_COMMENT_STYLE each had a judge called for every added line (128,000
on a large patch), most of which breaks no rule. Each now searches, over one text per file, a
pattern that every line it may report (or the line before it) matches, in C, and judges in Python
only the lines found. The text holds every line of the file that is not removed (a line's `prev`
may be a context line), masked as `_ccode.lines_of` gives them, each ended by "\\n", built once per
run and file.
"""

from __future__ import annotations

from ._ccode import lines_of
from ._lines import added_lines


class JoinedCode:
    """The masked text of a file's non-removed lines, each ended by "\\n", and their CodeLines."""

    __slots__ = ("code_lines", "sequence", "text", "_raw")

    def __init__(self, file, ctx):
        self.code_lines = lines_of(file, ctx)  # {patch line: CodeLine} of the added lines
        first = next(iter(self.code_lines.values()), None)
        self.sequence = first.sequence if first is not None else []
        codes = [code for _, code in self.sequence]
        text = "\n".join(codes) + "\n"
        # a masked line holding a "\n" itself (no reader makes one) would shift the others: no text
        self.text = text if text.count("\n") == len(codes) else None
        self._raw = None

    @property
    def raw(self):
        """The same lines as the diff has them (not masked), each ended by "\n", or None when a line
        holds a "\n" itself; built on first use."""
        if self._raw is None:
            texts = [line.text for line, _ in self.sequence]
            raw = "\n".join(texts) + "\n"
            self._raw = raw if raw.count("\n") == len(texts) else ""
        return self._raw or None

    def added_at(self, offsets, text=None):
        """The CodeLines of the added lines that hold the offsets (in order) of `text` (the masked
        text, or `raw`), once each; an offset at the end (the start of a line after the last) holds none."""
        found = []
        text = self.text if text is None else text
        sequence, code_lines = self.sequence, self.code_lines
        index, at = 0, 0
        for offset in offsets:
            if offset >= len(text):
                break
            index += text.count("\n", at, offset)
            at = offset
            line = sequence[index][0]
            if line.kind == "+" and (not found or found[-1].line is not line):
                found.append(code_lines[line.patch_line])
        return found

    def every_added(self):
        return list(self.code_lines.values())


def joined_code(file, ctx):
    """The file's JoinedCode, built once per run."""
    return ctx.once(JoinedCode, file)


def files_with_added_code(patch, wanted_file, ctx):
    """(file, JoinedCode) for each file of the patch that `wanted_file(path)` accepts and that adds
    lines."""
    for file in patch.files:
        if not file.is_binary and wanted_file(file.path) and added_lines(file, ctx).lines:
            yield file, joined_code(file, ctx)
