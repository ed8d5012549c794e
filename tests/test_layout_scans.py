"""Layout checks that find the added lines they judge by one search of each file's masked lines
joined (`_line_scans.MaskedText`), compared with the same judge shown every added line: the test
cases, synthetic labels and whole files of the 6.12 tree."""

from __future__ import annotations

from patch_cases import case_files

from patchflow import checks
from patchflow.checks import CheckContext, Options, layout
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


def _findings(inputs, judge_every_line):
    """(patch line, message) of INDENTED_LABEL: as the check finds them, or from its judge shown
    every added line of every C file."""
    found = []
    for path in inputs:
        series = Series(read_patches(str(path)))
        if not judge_every_line:
            found += [(f.patch_line, f.message) for result in checks.run(series, Options(types={"INDENTED_LABEL"}))
                      for f in result.findings]
            continue
        ctx = CheckContext(Options(), series)
        for patch in series:
            for file in patch.files:
                if file.is_binary or not file.path.endswith((".c", ".h")):
                    continue
                for line in added_lines(file, ctx).lines:
                    hit = layout.indented_label.__wrapped__(line, file, ctx)
                    if hit is not None:
                        found.append((line.patch_line, hit if isinstance(hit, str) else hit.message))
    return found


def test_indented_label_reads_every_line_it_may_report(tmp_path, kernel_tree):
    inputs = [*case_files(), _labels(tmp_path)]
    for name in _KERNEL_FILES:
        lines = (kernel_tree / name).read_text(errors="surrogateescape").split("\n")[:-1]
        inputs.append(_new_file_patch(tmp_path, name, lines))
    searched = _findings(inputs, judge_every_line=False)
    assert len(searched) > 20
    assert searched == _findings(inputs, judge_every_line=True)
