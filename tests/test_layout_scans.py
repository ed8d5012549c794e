"""Layout and string checks that find the added lines they judge by one search of each file's masked lines
joined (`_line_scans.MaskedText`), compared with the same judge shown every added line: the test
cases, synthetic labels and whole files of the 6.12 tree."""

from __future__ import annotations

from patch_cases import case_files

from patchflow import checks
import pytest

from patchflow.checks import CheckContext, Options, layout, strings
from patchflow.checks._lines import added_lines
from patchflow.patch import Series, read_patches

_KERNEL_FILES = ("kernel/bpf/verifier.c", "net/core/filter.c", "kernel/bpf/btf.c")


def _new_file_patch(tmp_path, name, lines):
    path = tmp_path / (name.replace("/", "_") + ".patch")
    path.write_text(f"diff --git a/x/{name} b/x/{name}\nnew file mode 100644\n--- /dev/null\n+++ b/x/{name}\n"
                    f"@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines),
                    errors="surrogateescape")
    return path


def _labels(tmp_path):
    """Labels, case labels, bit fields and ternaries at every indent, after comments and in them."""
    lines = []
    for indent in ("", " ", "  ", "\t", "\t ", "/* c */ ", " /* c */ ", "\f"):
        for text in ("out:", "out_free:", "err2:", "default:", "x : 3;", "flags:4;", "a = b ? c : d;",
                     "case 1:", "out: /* c */", "_x:", "9x:", "out :", "s = \"a:\";", "/* out: */", "out:;"):
            lines += ["\tfoo();", indent + text]
    lines += ["/*", " out:", "\tout:", " */", "\tx = 1;"]
    return _new_file_patch(tmp_path, "l.c", lines)


def _strings(tmp_path):
    """Strings glued to words and macros, split across lines, in comments, with prefixes."""
    lines = []
    for before in ("", "x", "L", "u", "u8", "KBUILD_MODNAME ", "KBUILD_MODNAME", "f(", "/* x */", "/* \"a\" */"):
        for string in ('"a"', '"a\\n"', '""', '"a;"', '"\t"', '"a\\\\"'):
            for after in ("", "X", "_x", "x", " X", '"b"', ";", " \\", "  "):
                lines += ["\tfoo(" + before + string + after, "\t    " + string + ");", "\t" + before + string]
    lines += ['\tp("a"', 'L"b");', '\ts = "a \\', 'b";', "\t/* \"a\"", ' * "b" */', '\tx = "a"\x20\t', '\t\tu"b";']
    return _new_file_patch(tmp_path, "s.c", lines)


_JUDGES = {"INDENTED_LABEL": layout.indented_label, "SPLIT_STRING": strings.split_string,
           "CONCATENATED_STRING": strings.concatenated_string}


def _findings(inputs, type_name, judge_every_line):
    """(patch line, message) of a type: as the check finds them, or from its judge shown every added
    line of every C file."""
    found = []
    for path in inputs:
        series = Series(read_patches(str(path)))
        if not judge_every_line:
            found += [(f.patch_line, f.message) for result in checks.run(series, Options(strict=True, types={type_name}))
                      for f in result.findings]
            continue
        ctx = CheckContext(Options(), series)
        for patch in series:
            for file in patch.files:
                if file.is_binary or not file.path.endswith((".c", ".h")):
                    continue
                for line in added_lines(file, ctx).lines:
                    hit = _JUDGES[type_name].__wrapped__(line, file, ctx)
                    if hit is not None:
                        found.append((line.patch_line, hit if isinstance(hit, str) else hit.message))
    return found


@pytest.mark.parametrize("type_name, least", [("INDENTED_LABEL", 20), ("SPLIT_STRING", 100),
                                              ("CONCATENATED_STRING", 300)])
def test_a_check_reads_every_line_it_may_report(tmp_path, kernel_tree, type_name, least):
    inputs = [*case_files(), _labels(tmp_path), _strings(tmp_path)]
    for name in _KERNEL_FILES:
        lines = (kernel_tree / name).read_text(errors="surrogateescape").split("\n")[:-1]
        inputs.append(_new_file_patch(tmp_path, name, lines))
    searched = _findings(inputs, type_name, judge_every_line=False)
    assert len(searched) > least
    assert searched == _findings(inputs, type_name, judge_every_line=True)


def test_a_plain_declaration_is_one_to_line_spacing(kernel_tree):
    """LINE_SPACING's search skips a line after declarations that has the shape of a plain declaration
    (`_PLAIN_DECLARATION`): the rule would find that it declares too, on every such line of three
    6.12 files and on look-alikes (keywords, attributes, bit fields, comments)."""
    import re

    from patchflow.checks import _line_spacing_rules as rules
    from patchflow.lexers.c import checkpatch_masked

    shape = re.compile(r"[ \t]+" + rules._PLAIN_DECLARATION, re.ASCII)
    lines = ["\treturn x;", "\tgoto out;", "\tint __rcu;", "\tint x __aligned(8);", "\tconst int x;", "\tint x : 3;",
             "\tint x /* c */;", "\tint *x = y;", "\tint * x[4];", "\telse x;", "\tcase x:", "\tint\tx;",
             "\tstruct x y z;", "\tunsigned x y;", "\tstruct x **y;", "\tunsigned int *p, q;", "\tenum e x = A;",
             "\tunion u u;", "\tstruct x *y[2] = {};", "\tunsigned long long x;", "\tstruct x;", "\tvoid **p = q;"]
    for name in _KERNEL_FILES:
        lines += (kernel_tree / name).read_text(errors="surrogateescape").split("\n")
    masked = checkpatch_masked("\n".join(lines))
    plain = [line for line in masked if shape.match(line)]
    assert len(plain) > 2000
    for line in plain:
        assert rules._declares_or_continues(line.replace("\x1c", " ")), line


def test_line_spacing_reads_every_line_after_a_block_it_may_report(tmp_path):
    """After a `}`, LINE_SPACING's search skips the lines that may follow it (`#endif`, EXPORT_SYMBOL,
    ...) only when the line itself is one: not a `#` or `static` whose next line would complete it."""
    from patchflow.checks import _line_spacing_rules as rules
    from patchflow.checks._ccode import is_styled
    from patchflow.checks._line_scans import files_with_added_code

    lines = []
    for after in ("#endif", "# else", "#", "endif", "EXPORT_SYMBOL(f);", "static", "FOO_ATTR(x);", "static FOO_ATTR(x);",
                  "module_init(f);", "MODULE_LICENSE(\"GPL\");", "int x;", "DECLARE_BITMAP(b, 8);", "__setup(\"x\", f);",
                  "builtin_platform_driver(d);", "\t#endif", "/* c */ #endif", "early_param(\"x\", f);"):
        lines += ["}", after, "endif", "};", after, "ATTR(x);"]
    series = Series(read_patches(str(_new_file_patch(tmp_path, "b.c", lines))))
    [(file, joined)] = files_with_added_code(series.patches[0], is_styled, CheckContext(Options(strict=True), series))

    def problems(code_lines):
        return [(line.line.patch_line, hit.message) for line in code_lines
                for hit in [rules.line_spacing_problem(line, file, True)] if hit is not None]

    every = problems(joined.every_added())
    assert len(every) >= 10
    assert problems(rules.after_block_or_declaration(joined)) == every
