"""The brace and statement checks judge only the lines that scans of a file's joined text name
(`checks/_line_scans.py`): each scan must name every line its check can report. With the scans
replaced by the lines they stand for (every line, or the former needle's lines), `check` finds the
same on every test case, on patches adding kernel/bpf files of the 6.12 tree and on a file of the
shapes the scans single out (blank lines of blanks, comments before braces, `for_each` loops)."""

import random
import re

from patch_cases import case_files
from test_check_prefilters import _new_file_patch
from test_line_needles import _file_of

from patchflow import checks
from patchflow.checks import Options, _line_scans, _needles, braces, conditionals, statements
from patchflow.checks._brackets import balanced_end
from patchflow.checks._hunk_places import hunk_places
from patchflow.checks._lines import AddedLines
from patchflow.checks._statement import groups_after_prefix
from patchflow.patch import Series, read_patches

_KERNEL_FILES = ("verifier.c", "syscall.c", "btf.c", "hashtab.c")
_TYPES = ("BRACES", "OPEN_BRACE", "SUSPECT_CODE_INDENT", "UNNECESSARY_PARENTHESES", "ASSIGN_IN_IF",
          "CONSTANT_COMPARISON", "BOOL_COMPARISON", "PREFER_FALLTHROUGH", "COMPARISON_TO_NULL",
          "RETURN_VOID", "UNNECESSARY_ELSE", "MULTIPLE_ASSIGNMENTS", "ELSE_AFTER_BRACE")

# shapes near each scan's edge: a blank line of blanks or of a non-breaking space before `}`, a
# comment before `} else`, `else {` after a comment, a for_each macro with and without a prefix,
# conditions over two lines (a body at the `if`'s depth, a body's first line a block), `else` after
# a `}` and a comment, `TRUE` two blanks before `!=`, an `else`'s body at its depth, a comment before a one-statement block's `{`,
# a constant after a non-ASCII letter, a function's `{` on its line after a comment, an assignment
# to two names, one with `==` in its brackets
_SHAPES = """\
static int f(int a, int b)
{
\t
\tif (a) {
\t\treturn 1;
\t}
\telse {
\t\ta++;
\t}
\t/* x */ } else
\tif (a)
\t\tb = 2;
\telse if (b) {
\t\tb--;
\t}
\t/* y */ else {
\t\tb++;
\t}
\tlist_for_each_entry(p, h, l) {
\t\tg(p);
\t}
\tfor_each_cpu(a) {
\t\tg(a);
\t}
\thlist_for_each_entry(p, h, l)
\tg(p);
\tdo {
\tg(a);
\t} while (0);
\twhile (a) /* w */ {
\t\ta--;
\t}
\tif (0 == a || éB < b || (a == b) || *(p->q) || (p->fn)(a))
\t\treturn a == true;
\tif ((a = g(b)) || p != NULL || NULL == p)
\t\t/* fall through */
\t\treturn 0;
\u00a0
}
int g(void) /* z */ {
\tint v[] =
\t{ 1, 2 };
\tv[0] = v[a == 1] = 2;

\tif (v[0])
\t{
\t\treturn 1;
\t}
\treturn 0;
}
struct s
{
\tint a;
};
static void h(int a)
{
\tif (a &&
\t    a > 1)
\tg(a);
\twhile (a ||
\t       a < 2)
\t\t{
\tg(a);
\t}
\tif (a)
\t\treturn;
\telse
\t\tg(a);
\tg(TRUE  != a);
\tif (a) {
\t\tg(a);
\t} else
\tg(a);
\tif (a) {
\t\tg(a);
\t} /* a */
\telse {
\t\tg(a);
\t\tg(a);
\t}
\treturn /* done */;
}
"""


def _inputs(tmp_path, kernel_tree):
    shapes = tmp_path / "shapes" / "kernel" / "bpf" / "shapes.c"
    shapes.parent.mkdir(parents=True)
    shapes.write_text(_SHAPES)
    return [*case_files(), *(_new_file_patch(tmp_path, kernel_tree, name) for name in _KERNEL_FILES),
            _new_file_patch(tmp_path, tmp_path / "shapes", "shapes.c")]


def _findings(paths, strict=True):
    return [[(f.type, f.patch_line, f.message) for result in checks.run(Series(read_patches(str(path))),
                                                                        Options(strict=strict))
             for f in result.findings if f.type in _TYPES] for path in paths]


def _without_scans(monkeypatch):
    """Each scan replaced by the lines it stands for."""
    monkeypatch.setattr(_line_scans.MaskedText, "positions", lambda self, *scans: list(range(len(self.sequence))))
    monkeypatch.setattr(conditionals, "_conditional_lines", lambda joined: [
        index for index, (_, code) in enumerate(joined.sequence) if conditionals._CONDITIONAL.search(code)])
    monkeypatch.setattr(statements, "_RETURN_THEN_CLOSE", re.compile(r"[^\n]+"))  # each line's last character
    monkeypatch.setattr(conditionals, "_else_after_exit_lines", lambda added: list(range(len(added.lines))))
    for info in checks.registry().values():
        wanted = getattr(info.func, "line_filter", None)
        if wanted is not None and isinstance(wanted.lines, _line_scans.FoundBy):
            monkeypatch.setattr(wanted, "lines", _every_line(wanted.lines))


def _every_line(scan):
    """Every added line (each judge tests what the needle it replaced asked for)."""
    def lines(file, added, ctx):
        return list(range(len(added.lines)))
    return lines


def test_the_scans_hide_no_finding(tmp_path, kernel_tree, monkeypatch):
    inputs = _inputs(tmp_path, kernel_tree)
    scanned = _findings(inputs), _findings(inputs, strict=False)
    for wanted in _TYPES:
        assert any(finding[0] == wanted for found in scanned[0] for finding in found), wanted
    _without_scans(monkeypatch)
    assert (_findings(inputs), _findings(inputs, strict=False)) == scanned


def test_a_scan_that_misses_lines_is_caught(tmp_path, kernel_tree, monkeypatch):
    inputs = _inputs(tmp_path, kernel_tree)
    before = _findings(inputs)
    monkeypatch.setattr(braces, "_HEADS_OR_CLOSE_AFTER_BLANK", re.compile(r"\n[ \t]*if\b"))  # no blank lines
    monkeypatch.setattr(braces, "_ELSE", re.compile(r"\n[ \t]*else\b"))  # no `} else`
    assert _findings(inputs) != before


def test_the_comparison_needle_searched_backwards_finds_the_same_lines():
    # CONSTANT_COMPARISON's needle is searched over the reversed lines with the reversed pattern
    # (_needles): that must find exactly the lines the pattern finds in each line, also around line
    # ends, non-ASCII letters and digits, and blanks other than spaces
    assert _needles._reversed(_needles._kept_in_line(statements._CONSTANT_COMPARED)) is not None
    [scan] = _needles._plan(statements._CONSTANT_COMPARED)
    forward_pattern = re.compile(statements._CONSTANT_COMPARED)
    rng = random.Random(13)
    alphabet = ["A", "Z", "_", "0", "9", "a", "x", "é", "٣", " ", "\t", "\u00a0", "<", ">", "=", "!", "-", "(", "\n"]
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        added = AddedLines(_file_of(text.split("\n")))
        forward = [index for index, line in enumerate(added.lines) if forward_pattern.search(line.text)]
        if added.joined:
            assert scan(added) == forward, repr(text)


def _bracket_walk(text, start, opener, closer):
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opener:
            depth += 1
        elif text[index] == closer:
            depth -= 1
            if depth == 0:
                return index + 1
    return None


def test_balanced_end_matches_a_walk_of_the_brackets():
    rng = random.Random(7)
    for _ in range(20000):
        text = "".join(rng.choice("(()){}a \n") for _ in range(rng.randint(0, 30)))
        start = rng.randint(0, len(text))
        for opener, closer in (("(", ")"), ("{", "}")):
            assert balanced_end(text, start, opener, closer) == _bracket_walk(text, start, opener, closer), text


def test_the_parenthesized_groups_are_those_of_checkpatchs_pattern():
    # UNNECESSARY_PARENTHESES' pattern starts with a `(` and a lookbehind instead of checkpatch's
    # `(?:^|[^\w&!~])+\s*\(`: the same groups, one after the other, on generated conditions
    faster = statements._rules()["if_parens"]
    lead = r"\((?<![\w&!~]\()"
    assert faster.pattern.startswith(lead)
    checkpatchs = re.compile(r"(?:^|[^\w&!~])+\s*\(" + faster.pattern[len(lead):], re.ASCII)
    rng = random.Random(5)
    pieces = list("(()) \t&!~*ab_1.->[]=<") + ["==", "!=", "->", " && ", " || ", "(a)", "(b == c)", "foo(", "!("]
    several = 0
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        expected = [match.group(1) for match in checkpatchs.finditer(text)]
        assert list(groups_after_prefix(faster, text)) == expected, repr(text)
        several += len(expected) > 1
    assert several > 500


def test_a_line_is_placed_in_its_hunk_past_a_marker(tmp_path):
    # "\ No newline at end of file" in the middle of a hunk is skipped by the reader: the lines after
    # it are one place lower than their numbers in the patch say
    path = tmp_path / "marker.patch"
    path.write_text("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n@@ -1,2 +1,4 @@\n int a;\n-int b;\n"
                    "\\ No newline at end of file\n+int b;\n+else c;\n+}\n")
    file = read_patches(str(path))[0].files[0]
    added = [line for line in file.hunks[0].lines if line.kind == "+"]
    assert [hunk.lines[index] for hunk, index in hunk_places(file, added)] == added
    assert [index for _, index in hunk_places(file, added)] == [2, 3, 4]
