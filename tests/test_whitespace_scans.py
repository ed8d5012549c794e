"""TRAILING_WHITESPACE and the LONG_LINE types find the added lines they are shown by one search of
each file's joined added lines (`checks/_whitespace_lines.py`); here each search is compared with a look at
every line (what they do when a line holds a "\\n" and no joined text is made)."""

from __future__ import annotations

import itertools
import random

import pytest

from patchflow import checks

from patchflow.checks import CheckContext, Options
from patchflow.checks import _whitespace_lines as whitespace
from patchflow.checks._lines import AddedLines
from patchflow.patch import Series, read_patches

_BLANK_ENDS = ("", " ", "\t", "\r", "\f", "\v", "\xa0", "\x1c", " \t", "x ", "x")


def _lines():
    """Lines of every width around the limits below, written with tabs in front, in the middle or
    not at all, and ending with each blank and with none."""
    lines = []
    for width, tabs, end in itertools.product((0, 1, 7, 8, 9, 12, 13, 79, 80, 81, 99, 100, 101, 140),
                                              (0, 1, 3, 12), _BLANK_ENDS):
        body = "a" * width
        lines += ["\t" * tabs + body + end, body[:width // 2] + "\t" * tabs + body[width // 2:] + end]
    rng = random.Random(13)
    lines += ["".join(rng.choice("ab \t\r\f\v") for _ in range(rng.randrange(120))) for _ in range(3000)]
    return lines


def _added(tmp_path, lines, new_file=True):
    header = "new file mode 100644\n--- /dev/null\n" if new_file else "--- a/x/w.c\n"
    path = tmp_path / "w.patch"
    path.write_text(f"diff --git a/x/w.c b/x/w.c\n{header}+++ b/x/w.c\n@@ -0,0 +1,{len(lines)} @@\n"
                    + "".join(f"+{line}\n" for line in lines), newline="")
    series = Series(read_patches(str(path)))
    [file] = series.patches[0].files
    return file, AddedLines(file), series


@pytest.mark.parametrize("limit", [-3, 0, 1, 12, 80, 100, 10 ** 12])
def test_the_wide_lines_are_those_a_look_at_each_line_finds(tmp_path, limit):
    file, added, series = _added(tmp_path, _lines())
    assert added.joined and len(added.lines) > 3000
    ctx = CheckContext(Options(max_line_length=limit), series)
    searched = whitespace._find_wide_lines(added, ctx)
    added.joined = False
    assert searched == whitespace._find_wide_lines(added, ctx)
    if 0 < limit < 1000:
        assert 100 < len(searched) < len(added.lines)


def test_the_blank_ended_lines_are_those_a_look_at_each_line_finds(tmp_path):
    file, added, series = _added(tmp_path, _lines())
    ctx = CheckContext(Options(), series)
    searched = whitespace._blank_ended_lines(file, added, ctx)
    added.joined = False
    assert searched == whitespace._blank_ended_lines(file, added, ctx)
    assert 1000 < len(searched) < len(added.lines)


def test_a_long_line_with_tabs_is_reported_at_its_width(tmp_path):
    file, added, series = _added(tmp_path, ["\t" * 12 + "x = 1;", "\t" * 11 + "x = 1;", " " * 101])
    found = [(finding.type, finding.patch_line, finding.message)
             for result in checks.run(series, Options(strict=True))
             for finding in result.findings if finding.type in ("LONG_LINE", "TRAILING_WHITESPACE")]
    assert ("LONG_LINE", 6, "line length of 102 exceeds 100 columns") in found
    assert not any(patch_line == 7 for _, patch_line, _ in found)
    assert ("TRAILING_WHITESPACE", 8, "trailing whitespace") in found
