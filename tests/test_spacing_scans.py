"""The checks that judge every added line of C find the lines to read by one search of each file's
masked lines joined (`checks/_line_scans.MaskedText`); here each search is compared with judging every
added line, on every test case and on patches adding whole files of the 6.12 tree."""

from __future__ import annotations

import pytest

from patch_cases import case_files

from patchflow import checks
from patchflow.checks import CheckContext, Options, _line_scans, _operator_context, layout, spacing
from patchflow.checks import _line_spacing_rules as line_spacing_rules
from patchflow.checks._ccode import is_c, is_styled
from patchflow.checks._line_scans import files_with_added_code
from patchflow.patch import Series, read_patches

_KERNEL_FILES = ("kernel/bpf/verifier.c", "kernel/bpf/btf.c", "net/core/filter.c", "net/core/dev.c",
                 "include/linux/bpf.h", "kernel/bpf/syscall.c", "kernel/bpf/hashtab.c")


def _new_file_patch(tmp_path, kernel_tree, name):
    lines = (kernel_tree / name).read_text(errors="surrogateescape").split("\n")[:-1]
    text = (f"diff --git a/x/{name} b/x/{name}\nnew file mode 100644\n--- /dev/null\n+++ b/x/{name}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines))
    path = tmp_path / (name.replace("/", "_") + ".patch")
    path.write_text(text, errors="surrogateescape")
    return path


# a declaration that starts with a word and `(`, each followed by a statement: a finding each
_PAREN_DECLARATIONS = ("typeof(*p) x = *p;", "__typeof__(*p) x = *p;", "__aligned(8) u32 x = 1;", "u32 (*fn)(void) = f;",
                       "DEFINE_MUTEX(lock);", "LIST_HEAD(list);", "int (*fn)(void) = f;", "size_t (*fn)(void) = f;",
                       "bool (*fn)(void) = f;", "irq_handler (*fn)(void) = f;", "uint (*fn)(void) = f;")


def _declarations_patch(tmp_path):
    body = "".join(f"+\t{declaration}\n+\tfoo(x);\n+\n" for declaration in _PAREN_DECLARATIONS)
    count = 3 * len(_PAREN_DECLARATIONS) + 2
    path = tmp_path / "declarations.patch"
    path.write_text("diff --git a/x/d.c b/x/d.c\nnew file mode 100644\n--- /dev/null\n+++ b/x/d.c\n"
                    f"@@ -0,0 +1,{count} @@\n+static void f(void)\n+{{\n{body}")
    return path


def test_a_declaration_led_by_a_word_and_parenthesis_is_read(tmp_path):
    series = Series(read_patches(str(_declarations_patch(tmp_path))))
    ctx = CheckContext(Options(), series)
    [(file, joined)] = files_with_added_code(series.patches[0], is_styled, ctx)
    found = [(line.line.patch_line, _line_spacing(line, file, False))
             for line in line_spacing_rules.after_block_or_declaration(joined) if _line_spacing(line, file, False)]
    assert found == [(9 + 3 * n, "Missing a blank line after declarations") for n in range(len(_PAREN_DECLARATIONS))]


def _blank_lines_patch(tmp_path):
    """Blank lines first in the file, around context and removed lines, in runs of two to four."""
    path = tmp_path / "blanks.patch"
    path.write_text("diff --git a/x/b.c b/x/b.c\n--- a/x/b.c\n+++ b/x/b.c\n@@ -1,4 +1,14 @@\n"
                    "+\n+\t\n int a;\n+\n \n+\n+\n+ \n-int b;\n+\n+int c;\n \n+\n+\n+\n")
    return path


def test_the_second_blank_lines_of_a_patch_are_found(tmp_path):
    series = Series(read_patches(str(_blank_lines_patch(tmp_path))))
    ctx = CheckContext(Options(strict=True), series)
    [(_, joined)] = files_with_added_code(series.patches[0], is_styled, ctx)
    assert [line.patch_line for line in line_spacing_rules.repeated_blanks(joined)] == [6, 10, 12, 14, 17, 19]


def _comments_patch(tmp_path):
    """Block comments of every shape: openers, middle lines and closers at several indents, in turn
    (the first line ends a comment begun above the hunk)."""
    lines = [" * the end of a comment */"]
    for indent in ("", "\t", "\t\t", "    ", "\t "):
        for opener in ("/*", "/**", "int x; /*", "/* text", "/* text */", " *"):
            for middle in (" *", "  *", "\t *", "*", " * text */", "text", " **/", "/* x"):
                for closer in (" */", "*/", "  */", " text */", "**/"):
                    lines += [indent + opener, indent + middle + " m", indent + closer]
    path = tmp_path / "comments.patch"
    path.write_text("diff --git a/x/c.c b/x/c.c\nnew file mode 100644\n--- /dev/null\n+++ b/x/c.c\n"
                    f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines))
    return path


def _pointers_patch(tmp_path):
    """Pointers written every way, in declarations and casts, after blanks, comments and strings."""
    lines = []
    for type_name in ("char", "u32", "struct sk_buff", "const char", "size_t", "void", "foo"):
        for star in ("*", " *", "* ", " * ", "**", "* *", " *const ", "*\t", " __rcu *", "\t*"):
            lines += [f"\t{type_name}{star}name;", f"\tx = ({type_name}{star})y;", f"\tf(({type_name}{star} ), a*b);",
                      f"\t/* {type_name}{star}x */ {type_name}{star}z;", f'\tp("{type_name}{star}");']
    path = tmp_path / "pointers.patch"
    path.write_text("diff --git a/x/p.c b/x/p.c\nnew file mode 100644\n--- /dev/null\n+++ b/x/p.c\n"
                    f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines))
    return path


def _line_ends_patch(tmp_path):
    """Statements a few blanks off the tab stops or after spaces, lines ending with an open bracket, a
    comment or blanks, and lines starting with a space in a string or a comment."""
    lines = []
    for tabs in ("\t", "\t\t"):
        for blanks in (" ", "  ", "       ", "        ", "         ", " /* c */ ", " /* cc */ ", "\x20\t"):
            for statement in ("return 0;", "if (x)", "int x = 1;", "int x =", "return", "{", "}", "} else {",
                              "foo(x,", "x = f(", "a[", "g( /* c */", "h(  ", "s = \"(\";", "x++; // (", "case 1:",
                              "&& y)", "|| z", "&x;", "int x /* c */;"):
                lines += [tabs + blanks + statement, blanks + statement, " " + statement]
    lines += ['\ts = "a \\', ' b";', " /* c", " x */ y;", " label:", " #define X"]
    path = tmp_path / "ends.patch"
    path.write_text("diff --git a/x/e.c b/x/e.c\nnew file mode 100644\n--- /dev/null\n+++ b/x/e.c\n"
                    f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines))
    return path


_JOINED_TYPES = {"SPACING": 200, "POINTER_LOCATION": 150, "LINE_SPACING": 20, "BLOCK_COMMENT_STYLE": 1000,
                 "TABSTOP": 20, "OPEN_ENDED_LINE": 40, "LEADING_SPACE": 40, "LOGICAL_CONTINUATIONS": 5}


def test_the_checks_find_what_they_find_reading_every_line(tmp_path, kernel_tree, monkeypatch):
    """Each check that searches the joined lines, against the same check judging every added line
    (as it does when a line holds a "\\n" and no joined text is made)."""
    inputs = [*case_files(), _declarations_patch(tmp_path), _blank_lines_patch(tmp_path), _comments_patch(tmp_path),
              _pointers_patch(tmp_path), _line_ends_patch(tmp_path), _new_file_patch(tmp_path, kernel_tree, _KERNEL_FILES[0])]
    options = Options(strict=True, types=set(_JOINED_TYPES))

    def findings():
        return [(finding.type, finding.patch_line, finding.message) for path in inputs
                for result in checks.run(Series(read_patches(str(path))), options) for finding in result.findings]

    searched = findings()
    for type_name, least in _JOINED_TYPES.items():
        assert sum(1 for found in searched if found[0] == type_name) > least, type_name
    monkeypatch.setattr(_line_scans, "_framed", lambda texts: None)
    assert findings() == searched


@pytest.fixture(scope="module")
def joined_files(tmp_path_factory, kernel_tree):
    """(file, JoinedCode, strict) of every C or device tree file of the inputs, both strictnesses."""
    tmp_path = tmp_path_factory.mktemp("scans")
    inputs = [*case_files(), _declarations_patch(tmp_path), _blank_lines_patch(tmp_path), _comments_patch(tmp_path),
              _pointers_patch(tmp_path), _line_ends_patch(tmp_path),
              *(_new_file_patch(tmp_path, kernel_tree, name) for name in _KERNEL_FILES)]
    found = []
    for strict in (True, False):
        for path in inputs:
            series = Series(read_patches(str(path)))
            ctx = CheckContext(Options(strict=strict), series)
            for patch in series:
                found.extend((file, joined, strict) for file, joined in files_with_added_code(patch, is_styled, ctx))
    assert sum(len(joined.code_lines) for _, joined, _ in found) > 2 * 60_000
    return found


def _line_spacing(code_line, file, strict):
    hit = line_spacing_rules.line_spacing_problem(code_line, file, strict)
    return hit.message if hit is not None else None


def _block_comment(code_line, file, strict):
    text = code_line.line.text
    return layout._block_comment_problem(code_line, text) if "*" in text or "\x1c" in code_line.prev_code else None


@pytest.mark.parametrize("read, judge, least", [(line_spacing_rules.after_block_or_declaration, _line_spacing, 20),
                                                (layout._may_misshape_comment, _block_comment, 2000)])
def test_a_search_reads_every_line_its_type_may_report(joined_files, read, judge, least):
    reported = read_in_all = 0
    for file, joined, strict in joined_files:
        lines = read(joined)
        read_in_all += len(lines)
        every = [(line.line.patch_line, judge(line, file, strict)) for line in joined.every_added()]
        every = [found for found in every if found[1]]
        assert [(line.line.patch_line, judge(line, file, strict)) for line in lines if judge(line, file, strict)] == every
        reported += len(every)
    assert reported > least
    assert read_in_all < sum(len(joined.code_lines) for _, joined, _ in joined_files) / 8


def test_the_second_blank_line_is_found_as_by_walking_every_line(joined_files):
    reported = 0
    for _, joined, _ in joined_files:
        every = line_spacing_rules._walk_repeated_blanks(joined.sequence, range(1, len(joined.sequence)))
        assert line_spacing_rules.repeated_blanks(joined) == every
        reported += len(every)
    assert reported > 10


def test_spacing_reads_every_line_that_breaks_a_rule(joined_files):
    reported = read_in_all = 0
    for file, joined, strict in joined_files:
        if not is_c(file.path):
            continue
        judged, casts = _operator_context.may_break_a_rule(joined)
        read = {line.line.patch_line for line in judged}
        only_cast = {line.line.patch_line for line in casts}
        read_in_all += len(read)
        for code_line in joined.every_added():
            code = code_line.code.split("//")[0]
            found = spacing.spacing_problem(code, strict, code_line.prev_code)
            if found is not None:
                # a line read for the cast's space alone breaks no other rule
                assert code_line.line.patch_line in read or code_line.line.patch_line in only_cast \
                    and found == spacing._cast_space(code), code_line.code
                reported += 1
    assert reported > 200
    assert read_in_all < sum(len(joined.code_lines) for _, joined, _ in joined_files) / 6


def test_pointer_location_reads_every_line_it_may_report(joined_files):
    reported = 0
    for file, joined, _ in joined_files:
        if not is_c(file.path):
            continue
        read = {line.line.patch_line for line in spacing._may_misplace_star(joined)}
        for code_line in joined.every_added():
            if "*" in code_line.code and spacing.pointer_location_problem(code_line.code):
                assert code_line.line.patch_line in read, code_line.code
                reported += 1
    assert reported > 300
