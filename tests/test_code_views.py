"""The shared per-file C views (`checks/_ccode.CodeLines`, `checks/_line_scans.MaskedText`) are
built lazily and find a match's line by bisecting a table of line starts, shared with the file's
added lines when every line is added and masked to its own length. Here each answer is held to the
plain computation from the masked lines: a CodeLine of every added line, a count of newlines before
each offset, on a new file, on hunks with context and removed lines, and on a hunk that starts in a
`//` line checkpatch takes for the inside of a comment (its masking swallows a newline)."""

import re
from itertools import accumulate

import pytest

from test_check_prefilters import _new_file_patch

from patchflow.checks import CheckContext, Options
from patchflow.checks._ccode import lines_of
from patchflow.checks._line_scans import masked_text
from patchflow.patch import Series, read_patches

_CHANGED = """\
diff --git a/net/core/x.c b/net/core/x.c
--- a/net/core/x.c
+++ b/net/core/x.c
@@ -1,6 +1,8 @@
 /* a comment
  * that goes on */
-static int old;
+static int \xe9t\xe9 = 1; /* caf\xe9 */
+static const char *s = "a\\"b\\tc";
 #include <linux/x.h>
+#error "no"
 int f(void)
 {
@@ -20,3 +22,6 @@ int f(void)
 // a line comment
+b */ if (a) {
+\treturn 1;
 }
+char c = '\\'';
 x;
"""

_SCANS = [re.compile(pattern) for pattern in (r"\n\t*if", r"[;{]", r"X+", r"\x1c+", r"\n", r"[a-z]+\(")]


def _files(tmp_path, kernel_tree):
    changed = tmp_path / "changed.patch"
    changed.write_text(_CHANGED, encoding="latin-1")
    new = _new_file_patch(tmp_path, kernel_tree, "hashtab.c")
    patches = read_patches(str(changed)) + read_patches(str(new))
    ctx = CheckContext(Options(strict=True), Series(patches))
    return ctx, [file for patch in patches for file in patch.files]


def _line_of(text, offset):
    """The position of the line of `text` (framed: each line led by a "\\n") holding `offset`."""
    return text.count("\n", 0, offset) - 1


def test_code_lines_are_those_of_the_masked_lines(tmp_path, kernel_tree):
    ctx, files = _files(tmp_path, kernel_tree)
    for file in files:
        sequence = [pair for lines, codes in ctx.sources.masked_hunks(file) for pair in zip(lines, codes)]
        code_lines = lines_of(file, ctx)
        added = [index for index, (line, _) in enumerate(sequence) if line.kind == "+"]
        assert len(code_lines) == len(added)
        assert [code_line.index for code_line in code_lines.values()] == added
        assert list(code_lines.keys()) == [sequence[index][0].patch_line for index in added]
        assert all(code_lines[key] is code_line for key, code_line in code_lines.items())
        for index in added:
            code_line = code_lines[sequence[index][0].patch_line]
            assert (code_line.line, code_line.code) == sequence[index]
            assert (code_line.prev, code_line.prev_code) == (sequence[index - 1] if index else (None, ""))
        context = [line for line, _ in sequence if line.kind == " "]
        assert all(code_lines.get(line.patch_line) is None for line in context)
        assert 10 ** 6 not in code_lines


def test_lines_found_in_the_joined_text_are_counted_lines(tmp_path, kernel_tree):
    ctx, files = _files(tmp_path, kernel_tree)
    swallowed = 0
    for file in files:
        joined = masked_text(file, ctx)
        codes = [code for _, code in joined.sequence]
        swallowed += sum(len(lines) != len(codes) for lines, codes in ctx.sources.masked_hunks(file))
        assert [joined.starts[index] for index in range(len(codes) + 1)] == \
            [0, *accumulate(len(code) + 1 for code in codes)]
        framed = joined.framed
        for pattern in _SCANS:
            ends = [match.end() for match in pattern.finditer(framed)]
            expected = sorted({_line_of(framed, end - 1) + shift for end in ends for shift in (0, 1)})
            assert joined.positions((pattern, (0, 1))) == [index for index in expected if 0 <= index < len(codes)]
            offsets = [match.start() for match in pattern.finditer(framed)]
            assert _lines(joined.added_at(offsets)) == _added(joined, framed, offsets)
            raw = joined.raw
            starts = [match.start() + 1 for match in pattern.finditer(raw)]
            assert _lines(joined.lines_after(pattern, raw)) == _added(joined, raw, starts)
    assert swallowed == 1  # the hunk that starts in a `//` line


def _lines(code_lines):
    return [code_line.line.patch_line for code_line in code_lines]


def _added(joined, text, offsets):
    found = []
    for offset in offsets:
        if offset >= len(text):
            break
        line = joined.sequence[_line_of(text, offset)][0]
        if line.kind == "+" and (not found or found[-1] != line.patch_line):
            found.append(line.patch_line)
    return found


@pytest.mark.parametrize("offsets", [[0], [1, 2, 3], [10 ** 9]])
def test_offsets_at_the_edges(tmp_path, kernel_tree, offsets):
    ctx, files = _files(tmp_path, kernel_tree)
    joined = masked_text(files[-1], ctx)
    assert _lines(joined.added_at(offsets)) == _added(joined, joined.framed, offsets)
