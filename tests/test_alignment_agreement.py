"""PARENTHESIS_ALIGNMENT against checkpatch.pl --strict on C: every line checkpatch reports on an
added line, patchflow reports too; every line patchflow reports beyond it is named with its reason.

Two sets of patches: the C test patches (tests/patches/alignment-c-*.patch, ifndef-c.patch), and real
6.12 source sent as new files (every line added), where checkpatch's own findings are the reference.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from conftest import PATCHES

from patchflow.checks import CheckContext, Options
from patchflow.checks.alignment import file_alignment
from patchflow.patch import Series, read_patches

C_PATCHES = sorted(PATCHES.glob("alignment-c-*.patch")) + [PATCHES / "ifndef-c.patch"]
# real files, or the first lines of one: (path in the tree, lines taken)
REAL_SOURCES = [("kernel/bpf/syscall.c", None), ("kernel/bpf/hashtab.c", None), ("net/core/utils.c", None),
                ("net/core/fib_rules.c", None), ("kernel/bpf/verifier.c", 1000)]

# Why patchflow reports a line that checkpatch does not (checkpatch's rule, read in its source: it
# compares a line with the added line right above it, when that line opens a call of a few shapes
# and ends with `,` `&&` `||`).
FURTHER_DOWN = "further down the call than its first continuation line (checkpatch compares with the line above only)"
MACRO = "in a macro body (checkpatch skips lines that end in a backslash)"
OPENER_UNCHANGED = "its opening line is not an added line (checkpatch needs an added one)"
OPENER_SHAPE = "its opening line is not of a shape checkpatch's pattern takes"
CONTEXT = "a context line whose opening line the patch changed (only patchflow looks at it)"
# the opening-line shapes checkpatch's pattern does not take, seen on 6.12
_SHAPES = [re.compile(p) for p in (
    r"^\s*return\b",  # return f(a,
    r"\?",  # x = c ? f(a,
    r"^\s*}",  # } else if (f(a,
    r"^\s*\(",  # (!f(a,  inside a condition
    r"^\s*\*",  # *insn++ = F(a,
    r"[-+*/|&^]=",  # n += f(a,
    r"->\w+\s*\(",  # err = ops->f(a,
    r"=\s*[~!(&]",  # x = ~f(a,   x = (T)f(a,
    r"^\s*(?:const\s+)?(?:(?:struct|union|enum)\s+)?\w+[\s*]+\w+\s*=",  # struct s *p = f(a,
)]


@pytest.fixture(autouse=True)
def outside_any_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def checkpatch_lines(tree: Path, patch: Path) -> set:
    proc = subprocess.run(["perl", str(Path(tree) / "scripts" / "checkpatch.pl"), "--strict", "--no-tree",
                           "--show-types", "--terse", "--no-summary", "--types", "PARENTHESIS_ALIGNMENT", str(patch)],
                          cwd=os.getcwd(), capture_output=True, text=True, timeout=600)  # not the tree: see below
    assert proc.returncode in (0, 1), proc.stderr
    return {int(m.group(1)) for m in re.finditer(r":(\d+): CHECK:PARENTHESIS_ALIGNMENT:", proc.stdout)}


def patchflow_findings(run_cli, patch: Path) -> dict:
    status, out, err = run_cli("check", "--strict", "--format", "json", "--types", "PARENTHESIS_ALIGNMENT", patch)
    assert err == "" and status in (0, 1)
    return {f["patch_line"]: f for f in json.loads(out)["findings"]}


def why_more(patch: Path, finding: dict) -> str:
    """The named reason a finding of patchflow is not one of checkpatch's, or 'unexplained'."""
    parsed = read_patches(str(patch))[0]
    file = next(f for f in parsed.files if f.path == finding["file"])
    lines = {line.new_line: line for hunk in file.hunks for line in hunk.lines if line.kind != "-"}
    rule = file_alignment(parsed, file, CheckContext(Options(strict=True), Series([parsed])), "c").post[finding["line"]]
    here, above, opener = lines[rule.line], lines.get(rule.line - 1), lines.get(rule.opener_line)
    if here.kind == " ":
        return CONTEXT
    if above is not None and above.text.rstrip().endswith("\\"):
        return MACRO
    if rule.opener_line < rule.line - 1:
        return FURTHER_DOWN
    if opener is None or opener.kind != "+":
        return OPENER_UNCHANGED
    if any(shape.search(opener.text) for shape in _SHAPES):
        return OPENER_SHAPE
    return "unexplained: " + opener.text


def agreement(run_cli, tree, patches):
    """(checkpatch's lines, patchflow's lines, lines both report, Counter of reasons for the rest)."""
    total_cp = total_pf = both = 0
    reasons: Counter = Counter()
    missed = []
    for patch in patches:
        ours = patchflow_findings(run_cli, patch)
        theirs = checkpatch_lines(tree, patch)
        added = _added_patch_lines(patch)
        theirs &= added  # on added lines (checkpatch also reports a context line below an added opener)
        missed += [(patch.name, n) for n in sorted(theirs - set(ours))]
        total_cp += len(theirs)
        total_pf += len(ours)
        both += len(theirs & set(ours))
        for patch_line in sorted(set(ours) - theirs):
            reasons[why_more(patch, ours[patch_line])] += 1
    return total_cp, total_pf, both, reasons, missed


def _added_patch_lines(patch: Path) -> set:
    parsed = read_patches(str(patch))[0]
    return {line.patch_line for f in parsed.files for h in f.hunks for line in h.lines if line.kind == "+"}


def test_agreement_on_the_c_test_patches(run_cli, kernel_tree):
    cp, pf, both, reasons, missed = agreement(run_cli, kernel_tree, C_PATCHES)
    assert missed == []
    assert (cp, both) == (6, 6)
    # the macro case (alignment-c-macro) and the context case (checkpatch reports that one too, below
    # the added opener, but on a context line: compared on added lines, it counts on our side only)
    assert reasons == Counter({MACRO: 1, CONTEXT: 1})
    assert pf == cp + 2


@pytest.fixture(scope="module")
def real_patches(kernel_tree, tmp_path_factory):
    """Real 6.12 files as new-file patches: every line added."""
    out = tmp_path_factory.mktemp("real")
    patches = []
    for path, limit in REAL_SOURCES:
        lines = (Path(kernel_tree) / path).read_text().split("\n")
        if lines[-1] == "":
            lines.pop()
        lines = lines[:limit] if limit else lines
        name = path if not limit else path.replace(".c", "_head.c")
        body = "".join("+" + line + "\n" for line in lines)
        patch = out / (name.replace("/", "_") + ".patch")
        patch.write_text(f"diff --git a/{name} b/{name}\nnew file mode 100644\nindex 0000000..1111111\n"
                         f"--- /dev/null\n+++ b/{name}\n@@ -0,0 +1,{len(lines)} @@\n{body}")
        patches.append(patch)
    return patches


def test_agreement_on_real_source(run_cli, kernel_tree, real_patches, capsys):
    cp, pf, both, reasons, missed = agreement(run_cli, kernel_tree, real_patches)
    with capsys.disabled():
        print(f"\nPARENTHESIS_ALIGNMENT on {len(real_patches)} real files: checkpatch {cp}, patchflow {pf}, "
              f"both {both}; patchflow's others: {dict(reasons)}")
    assert missed == []
    assert both == cp and cp >= 15  # verifier.c's head holds checkpatch's tab-composition findings
    assert not [reason for reason in reasons if reason.startswith("unexplained")], reasons
    assert sum(reasons.values()) == pf - cp
    assert reasons[FURTHER_DOWN] >= 5 and reasons[OPENER_SHAPE] >= 5


def test_running_checkpatch_leaves_the_tree_as_it_was(kernel_clone, tmp_path):
    # checkpatch.pl run inside a git work tree writes its .checkpatch-camelcase.git.<sha> cache there,
    # even with --types: the cached 6.12 tree the other tests read must not get one
    patch = tmp_path / "camel.patch"
    patch.write_text("diff --git a/kernel/bpf/x.c b/kernel/bpf/x.c\n--- a/kernel/bpf/x.c\n+++ b/kernel/bpf/x.c\n"
                     "@@ -1,1 +1,2 @@\n int a;\n+int fooBar(int xYz);\n")
    checkpatch_lines(kernel_clone, patch)
    status = subprocess.run(["git", "status", "--porcelain", "--ignored"], cwd=kernel_clone, capture_output=True,
                            text=True, timeout=60)
    assert status.stdout == ""
