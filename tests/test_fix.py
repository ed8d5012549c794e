"""`patchflow fix`: every fixable type fixed in patch files and in commits, idempotent, with no new
finding, never changing the code; the branch moves only when asked, with a backup ref."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from conftest import patch_path, run_patchflow
from patchflow.checks import registry

# each fixable type, and a test patch that raises it (a real-looking case from tests/patches)
CASES = {
    "TRAILING_WHITESPACE": "trailing-whitespace.patch",
    "SPACE_BEFORE_TAB": "space-before-tab.patch",
    "DOS_LINE_ENDINGS": "dos-line-endings.patch",
    "MISSING_EOF_NEWLINE": "missing-eof-newline.patch",
    "CODE_INDENT": "code-indent.patch",
    "LEADING_SPACE": "code-indent.patch",
    "LINE_SPACING": "spacing-acceptance.patch",
    "LINE_SPACING-multiple": "multiple-blank-lines.patch",
    "PARENTHESIS_ALIGNMENT": "alignment-c-misaligned.patch",
    "PREFER_IFNDEF": "ifndef-c.patch",
    "PREFER_IFDEF": "ifndef-c.patch",
    "SPACING": "spacing-operators.patch",
    "SPACING-acceptance": "spacing-acceptance.patch",
    "POINTER_LOCATION": "pointer-location.patch",
    "SUBJECT_PREFIX_FORMAT": "subject-prefix-format.patch",
}
# tested apart: SUBJECT_TREE_PREFIX needs a kernel tree and a series (test_tree_tag_taken_from_the_series),
# REVERSE_XMAS_TREE's case keeps a finding it cannot fix (test_declarations_reordered_*)
TESTED_APART = {"SUBJECT_TREE_PREFIX", "REVERSE_XMAS_TREE"}
PYTHON_CASES = {"PARENTHESIS_ALIGNMENT": "alignment-py-misaligned.patch", "PREFER_IFNDEF": "ifndef-py.patch",
                "PARENTHESIS_ALIGNMENT-tabs": "alignment-py-tabs.patch"}


def findings(run_cli, path, *extra):
    status, out, err = run_cli("check", "--strict", "--format", "json", *extra, path)
    return [(f["type"], f["patch_line"]) for f in json.loads(out)["findings"]]


def messages(run_cli, path):
    import collections

    status, out, err = run_cli("check", "--strict", "--format", "json", path)
    return collections.Counter((f["type"], f["message"]) for f in json.loads(out)["findings"])


def test_every_fixable_type_has_a_case():
    fixable = {name for name, info in registry().items() if info.fix is not None}
    assert fixable == {name.split("-")[0] for name in CASES} | TESTED_APART


@pytest.mark.parametrize("fix_type,case", sorted({**CASES, **{f"py-{k}": v for k, v in PYTHON_CASES.items()}}.items()))
def test_fix_patch_file(run_cli, tmp_path, fix_type, case):
    """The fixed copy has none of the type left, no finding it did not have, and fixing it again
    changes nothing."""
    fix_type = fix_type.replace("py-", "").split("-")[0]
    patch = tmp_path / case
    shutil.copy(patch_path(case), patch)
    original = patch.read_bytes()
    if case == "alignment-py-tabs.patch":  # the aligned tab-indented case, its continuation one column short
        patch.write_text(patch.read_text().replace("+\t              ret))", "+\t             ret))"))
    original = patch.read_bytes()
    before = findings(run_cli, patch)
    assert fix_type in {t for t, _ in before}
    status, out, err = run_cli("fix", patch)
    fixed = tmp_path / case.replace(".patch", ".fixed.patch")
    assert fixed.exists(), out + err
    assert f"{patch}: fixed " in out
    after = findings(run_cli, fixed)
    assert fix_type not in {t for t, _ in after}
    # nothing new (compared by type and message: a fix that adds a blank line moves the lines below it)
    assert not messages(run_cli, fixed) - messages(run_cli, patch)
    assert patch.read_bytes() == original  # the original is untouched
    status, out, err = run_cli("fix", "--in-place", fixed)
    assert f"{fixed}: fixed 0 findings" in out
    assert status == 0


@pytest.mark.parametrize("case", ["space-before-tab.patch", "dos-line-endings.patch", "missing-eof-newline.patch",
                                  "code-indent.patch", "bpf-helper-v1.patch"])
def test_fixed_patch_still_applies(tmp_path, kernel_clone, case):
    """The hunk counts stay right: git apply takes the fixed patch as it took the original."""
    patch = tmp_path / case
    shutil.copy(patch_path(case), patch)
    proc = run_patchflow("fix", "--in-place", patch)
    assert "fixed 0 findings" not in proc.stdout
    proc = subprocess.run(["git", "apply", "--check", str(patch)], cwd=kernel_clone, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_guard_leaves_a_string_alone(run_cli, tmp_path):
    """A space before a tab inside a string literal is data: the fix would change the string, so the
    file's fixes are all dropped with one line saying why, and the findings stay."""
    text = Path(patch_path("space-before-tab.patch")).read_text()
    line = "+\tvalue_size = bpf_map_value_size(map); \t/* 0 for unknown value sizes */"
    assert line in text
    text = text.replace(line, '+\tpr_debug("value size: \t%u\\n", value_size);', 1)
    patch = tmp_path / "string.patch"
    patch.write_text(text)
    status, out, err = run_cli("fix", patch)
    assert err.count("\n") == 1 and "kernel/bpf/syscall.c: the fix would change the code" in err
    # SPACE_BEFORE_TAB twice, CODE_INDENT and LEADING_SPACE on the space-indented line: all left
    assert out.endswith("string.patch: fixed 0 findings, 4 left\n")
    assert not (tmp_path / "string.fixed.patch").exists()
    assert status == 1


def test_explain_says_fixable(run_cli):
    status, out, err = run_cli("explain", "TRAILING_WHITESPACE")
    assert "Fixable: yes" in out
    status, out, err = run_cli("explain", "LONG_LINE")
    assert "Fixable: no" in out


def test_json_carries_the_replacement(run_cli):
    status, out, err = run_cli("check", "--format", "json", patch_path("code-indent.patch"))
    found = json.loads(out)["findings"]
    indent = [f for f in found if f["type"] == "CODE_INDENT"]
    assert indent and all(f["fix"] is not None and f["fix"].startswith("\t") for f in indent)


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


@pytest.fixture
def seed_branch(kernel_clone):
    """The seed's first revision (tests/patches/bpf-helper-v1.patch: `#if !defined` printed, and a
    continuation aligned with a parenthesis inside a string) committed on a branch of the 6.12 tree."""
    git(kernel_clone, "checkout", "-q", "-b", "bpf-helper")
    git(kernel_clone, "am", "-q", patch_path("bpf-helper-v1.patch"))
    return kernel_clone


def test_fix_commits_of_the_seed(seed_branch):
    repo = seed_branch
    old_tip = git(repo, "rev-parse", "HEAD").strip()
    old = git(repo, "log", "-1", "--format=%an <%ae>%n%ad%n%B", "HEAD")
    proc = run_patchflow("fix", "HEAD~1..HEAD", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fixed 2 findings (PARENTHESIS_ALIGNMENT, PREFER_IFNDEF)" in proc.stdout
    backup = proc.stdout.split("kept as ")[1].split()[0]
    assert git(repo, "rev-parse", backup).strip() == old_tip
    assert git(repo, "log", "-1", "--format=%an <%ae>%n%ad%n%B", "HEAD") == old
    diff = git(repo, "diff", "-U0", old_tip, "HEAD")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert changed == [
        "-        print('#if !defined(BPF_HELPER)')",
        "+        print('#ifndef BPF_HELPER')",
        "-                          proto['ret_star'], proto['name']), end='')",
        "+                                           proto['ret_star'], proto['name']), end='')",
    ]
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""
    patch = git(repo, "format-patch", "-1", "--stdout", "--subject-prefix=PATCH bpf-next")
    check = run_patchflow("check", "--strict", "-", cwd=repo, input=patch)
    assert "PARENTHESIS_ALIGNMENT" not in check.stdout and "PREFER_IFNDEF" not in check.stdout


def test_dry_run_changes_nothing(seed_branch):
    tip = git(seed_branch, "rev-parse", "HEAD").strip()
    proc = run_patchflow("fix", "--dry-run", "HEAD~1", cwd=seed_branch)
    assert "+        print('#ifndef BPF_HELPER')" in proc.stdout
    # a range whose names hold a slash is a range, not a file name
    proc = run_patchflow("fix", "--dry-run", "refs/heads/bpf-helper~1..refs/heads/bpf-helper", cwd=seed_branch)
    assert proc.returncode == 0 and "+        print('#ifndef BPF_HELPER')" in proc.stdout, proc.stderr
    assert git(seed_branch, "rev-parse", "HEAD").strip() == tip
    assert git(seed_branch, "for-each-ref", "refs/patchflow") == ""


def test_dirty_tree_and_rebase_refused(seed_branch):
    (seed_branch / "scripts" / "bpf_doc.py").write_text("changed\n")
    proc = run_patchflow("fix", "HEAD~1", cwd=seed_branch)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "uncommitted changes" in proc.stderr
    git(seed_branch, "checkout", "-q", "--", ".")
    rebase_dir = Path(git(seed_branch, "rev-parse", "--absolute-git-dir").strip()) / "rebase-merge"
    rebase_dir.mkdir()
    proc = run_patchflow("fix", "HEAD~1", cwd=seed_branch)
    assert proc.returncode == 2 and "rebase is in progress" in proc.stderr


def test_interrupt_leaves_the_branch(seed_branch, tmp_path):
    """SIGINT while the fixed commit is being made (a `git` on PATH that reports the moment and
    waits there): the branch, the refs and the worktree list are as before."""
    real_git = shutil.which("git")
    marker = tmp_path / "amending"
    wrapper = tmp_path / "bin" / "git"
    wrapper.parent.mkdir()
    wrapper.write_text(f"""#!/bin/sh
case " $* " in *" --amend "*) : > {marker}; exec sleep 600;; esac
exec {real_git} "$@"
""")
    wrapper.chmod(0o755)
    tip = git(seed_branch, "rev-parse", "HEAD").strip()
    env = dict(os.environ, PATH=f"{wrapper.parent}:{os.environ['PATH']}")
    proc = subprocess.Popen(["python3", "-m", "patchflow", "fix", "HEAD~1"], cwd=seed_branch, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(600):  # wait for the event the wrapper reports, not for a time window
            if marker.exists() or proc.poll() is not None:
                break
            subprocess.run(["sleep", "0.1"])
        assert marker.exists(), proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert git(seed_branch, "rev-parse", "HEAD").strip() == tip
    assert git(seed_branch, "for-each-ref", "refs/patchflow") == ""
    assert len(git(seed_branch, "worktree", "list").splitlines()) == 1


def test_fix_a_series_fixes_the_commit_that_moved_the_parenthesis(kernel_clone):
    """Two commits: the first lengthens an opener and leaves its unchanged continuation behind
    (bpf-helper-v2.patch); the second edits the banner further up. The fix lands in the first
    commit (its diff now realigns the line), the second is replayed on top, unchanged."""
    repo = kernel_clone
    git(repo, "checkout", "-q", "-b", "series")
    git(repo, "am", "-q", patch_path("bpf-helper-v2.patch"))
    script = repo / "scripts" / "bpf_doc.py"
    script.write_text(script.read_text().replace("# Copyright (C) 2018-2019 Netronome Systems, Inc.",
                                                 "# Copyright (C) 2018-2019 Netronome Systems, Inc.\n# (banner)", 1))
    git(repo, "commit", "-q", "-a", "-m", "bpf_doc: a banner line\n\nSigned-off-by: Test Author <author@example.org>")
    subjects = git(repo, "log", "--format=%s", "-2")
    old_tip = git(repo, "rev-parse", "HEAD").strip()
    proc = run_patchflow("fix", "HEAD~2..HEAD", cwd=repo)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "fixed 1 finding (PARENTHESIS_ALIGNMENT)" in proc.stdout
    assert git(repo, "log", "--format=%s", "-2") == subjects
    first = git(repo, "show", "--format=", "-U0", "HEAD~1")
    assert "+                                           proto['ret_star'], proto['name']), end='')" in first
    def change(old, new):  # the diff, without its `index` line (the blobs differ by the fix)
        return [line for line in git(repo, "diff", old, new).splitlines() if not line.startswith("index ")]

    assert change("HEAD~1", "HEAD") == change(f"{old_tip}~1", old_tip)


def test_bad_inputs_one_line_each_and_the_others_still_fixed(tmp_path):
    (tmp_path / "notes.txt").write_text("hello\n")
    shutil.copy(patch_path("code-indent.patch"), tmp_path / "code-indent.patch")
    proc = run_patchflow("fix", "missing.patch", "notes.txt", "code-indent.patch", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == ["patchflow: missing.patch: no such file",
                                        "patchflow: notes.txt: not a patch: no mail headers and no unified diff found"]
    assert "code-indent.patch: fixed " in proc.stdout
    assert (tmp_path / "code-indent.fixed.patch").exists()
    proc = run_patchflow("fix", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.startswith("patchflow: ") and proc.stderr.count("\n") == 1
    assert "not in a git repository" in proc.stderr


def test_two_findings_on_one_line_are_both_fixed(run_cli, tmp_path):
    """A line indented with spaces that also ends in a blank: CODE_INDENT and TRAILING_WHITESPACE,
    each fix applied to what the other left."""
    text = Path(patch_path("code-indent.patch")).read_text()
    line = next(l for l in text.split("\n") if l.startswith("+        "))
    patch = tmp_path / "two.patch"
    patch.write_text(text.replace(line, line + " ", 1))
    before = {t for t, _ in findings(run_cli, patch)}
    assert {"CODE_INDENT", "TRAILING_WHITESPACE"} <= before
    status, out, err = run_cli("fix", patch)
    after = {t for t, _ in findings(run_cli, tmp_path / "two.fixed.patch")}
    assert not after & {"CODE_INDENT", "TRAILING_WHITESPACE"}


CASCADE = """\
From: Jane Doe <jane@example.org>
Subject: [PATCH net-next] net: demo: refuse oversized frames

Refuse frames over the MTU unless GSO validates them.

Signed-off-by: Jane Doe <jane@example.org>
---
diff --git a/net/core/demo.c b/net/core/demo.c
new file mode 100644
index 0000000..1111111
--- /dev/null
+++ b/net/core/demo.c
@@ -0,0 +1,9 @@
+// SPDX-License-Identifier: GPL-2.0
+static int demo_check(struct sk_buff *skb, unsigned int mtu)
+{
+\tif (unlikely(skb->len > mtu &&
+\t     !(skb_is_gso(skb) &&
+\t       demo_validate(skb, mtu))))
+\t\treturn -EMSGSIZE;
+\treturn 0;
+}
"""


def test_a_fix_that_moves_a_parenthesis_is_followed(run_cli, tmp_path):
    """Realigning the first continuation moves the `(` the second one aligns with: the fixer goes on
    until nothing is left (the second line was right before, and is right again after)."""
    patch = tmp_path / "cascade.patch"
    patch.write_text(CASCADE)
    assert [t for t, _ in findings(run_cli, patch)].count("PARENTHESIS_ALIGNMENT") == 1
    status, out, err = run_cli("fix", patch)
    fixed = (tmp_path / "cascade.fixed.patch").read_text()
    assert "+\t\t     !(skb_is_gso(skb) &&\n+\t\t       demo_validate(skb, mtu))))\n" in fixed
    assert "PARENTHESIS_ALIGNMENT" not in {t for t, _ in findings(run_cli, tmp_path / "cascade.fixed.patch")}
    assert status == 0 and "fixed 2 findings" in out


def test_an_unchanged_line_is_fixed_as_a_pair(run_cli, tmp_path, kernel_clone):
    """bpf-helper-v2.patch lengthens an opener and leaves its continuation, an unchanged line, where
    it was: the fixed patch removes that line and adds it realigned; git apply still takes it."""
    patch = tmp_path / "bpf-helper-v2.patch"
    shutil.copy(patch_path("bpf-helper-v2.patch"), patch)
    status, out, err = run_cli("fix", "--in-place", patch)
    assert status == 0, out + err
    text = patch.read_text()
    assert ("\n-                                      proto['ret_star'], proto['name']), end='')"
            "\n+                                           proto['ret_star'], proto['name']), end='')\n") in text
    assert findings(run_cli, patch) == []
    proc = subprocess.run(["git", "apply", "--check", str(patch)], cwd=kernel_clone, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def preimage_repo(path: Path, patch: Path) -> Path:
    """A repository whose one file is the patch's pre-image: its hunks' old sides at their lines,
    numbered filler lines between them."""
    import re

    lines, name = {}, None
    for hunk in re.finditer(r"^@@ -(\d+),\d+ .*\n((?:[ +\-].*\n)*)", patch.read_text(), re.M):
        number = int(hunk.group(1))
        for line in hunk.group(2).splitlines():
            if line[:1] in " -":
                lines[number] = line[1:]
                number += 1
    name = re.search(r"^\+\+\+ b/(.*)$", patch.read_text(), re.M).group(1)
    target = path / name
    target.parent.mkdir(parents=True)
    target.write_text("".join(lines.get(n, f"/* line {n} */") + "\n" for n in range(1, max(lines) + 4)))
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    git(path, "add", ".")
    git(path, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "base")
    return path


def test_second_blank_line_deleted(run_cli, tmp_path):
    """The deleted line is taken off its hunk's count and the next hunk moves up: git apply takes the
    fixed patch, and the file it gives is the original's result less that one line."""
    patch = tmp_path / "multiple-blank-lines.patch"
    shutil.copy(patch_path("multiple-blank-lines.patch"), patch)
    repo = preimage_repo(tmp_path / "repo", patch)
    git(repo, "apply", str(patch))
    expected = (repo / "drivers/net/dummy.c").read_text().replace("}\n\n\n\nstatic int dummy_open", "}\n\nstatic int dummy_open")
    git(repo, "checkout", "-q", "--", ".")
    status, out, err = run_cli("fix", "--in-place", patch)
    # three blank lines: the second goes, then the third is the second of two and goes too
    assert out.endswith("fixed 2 findings (LINE_SPACING); wrote " + str(patch) + "\n") and status == 0
    assert "@@ -40,6 +40,12 @@" in patch.read_text() and "@@ -60,6 +66,7 @@" in patch.read_text()
    git(repo, "apply", str(patch))
    assert (repo / "drivers/net/dummy.c").read_text() == expected
    status, out, err = run_cli("check", "--strict", patch)
    assert "LINE_SPACING" not in out


def test_second_blank_line_deleted_in_a_commit(tmp_path):
    """In a commit the deleted blank lines leave the file, and the lines after them are not touched.
    git's diff of the commit shows the blank line added before dummy_setup_dev() after the unchanged
    one (the patch file had it before), so that double blank line is reported and fixed too."""
    repo = preimage_repo(tmp_path / "repo", Path(patch_path("multiple-blank-lines.patch")))
    git(repo, "checkout", "-q", "-b", "topic")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.org", "am", "-q", patch_path("multiple-blank-lines.patch"))
    before = (repo / "drivers/net/dummy.c").read_text()
    proc = run_patchflow("fix", "HEAD~1..HEAD", cwd=repo)
    assert proc.returncode == 0 and "fixed 3 findings (LINE_SPACING)" in proc.stdout, proc.stdout + proc.stderr
    after = (repo / "drivers/net/dummy.c").read_text()
    assert after == before.replace("}\n\n\n\nstatic int dummy_open", "}\n\nstatic int dummy_open").replace(
        "}\n\n\nstatic void dummy_setup_dev", "}\n\nstatic void dummy_setup_dev")
    assert git(repo, "log", "-1", "--format=%s") == "net: dummy: add a helper to reset the counters\n"


def test_json_marks_a_deleted_line(run_cli):
    status, out, err = run_cli("check", "--strict", "--format", "json", patch_path("multiple-blank-lines.patch"))
    [found] = [f for f in json.loads(out)["findings"] if f["type"] == "LINE_SPACING"]
    assert found["fix"] == "" and found["delete_line"] is True


SPACING_LINES = [
    # (the line, the check's message, the fixed line or None)
    ('\tpr_info("a,b %d",x);', "space required after that ',' (ctx:VxV)", '\tpr_info("a,b %d", x);'),
    ("\tx = a ,b;", "space prohibited before that ',' (ctx:WxV)", "\tx = a,b;"),  # the next pass adds one after
    ("\ty = x->a + p -> b;", "spaces prohibited around that '->' (ctx:WxW)", "\ty = x->a + p->b;"),
    ("\ty = *p+1;", "spaces preferred around that '+' (ctx:VxV)", "\ty = *p + 1;"),
    ("\ty = a +b;", "need consistent spacing around '+' (ctx:WxV)", "\ty = a + b;"),
    ("\tfoo( a, b);", "space prohibited after that open parenthesis '('", "\tfoo(a, b);"),
    ("\tfoo(a, b );", "space prohibited before that close parenthesis ')'", "\tfoo(a, b);"),
    ("\tfor (;;) {", "space prohibited before that close parenthesis ')'", None),
    ("\twhile(x)", "space required before the open parenthesis '('", "\twhile (x)"),
    ("\treturn x ;", "space prohibited before semicolon", "\treturn x;"),
    ("#define FOO (1 << 2)", "space prohibited between function name and open parenthesis '('", None),
    ("\tbar = foo (x);", "space prohibited between function name and open parenthesis '('", "\tbar = foo(x);"),
    ("\tint (*fn)(void) = foo (x);", "space prohibited between function name and open parenthesis '('",
     "\tint (*fn)(void) = foo(x);"),
    ('\tpr_info("(u8) %d", (u8) x);', "No space is necessary after a cast", '\tpr_info("(u8) %d", (u8)x);'),
    ('\tpr_info("p = (u8) x"); /* ( u8 ) */', "No space is necessary after a cast", None),
    ("\tc = x >> (BITS_PER_TYPE(u32) - s);", "No space is necessary after a cast", None),  # a call, not a cast
]


@pytest.mark.parametrize("text,message,fixed", SPACING_LINES)
def test_spacing_fix_moves_blanks_only(text, message, fixed):
    """Only the blanks between code tokens change; a string, a directive's `NAME (` (an object-like
    macro) and a rule whose place is not certain are left."""
    from patchflow.checks._spacing_fixes import fix_spacing
    from patchflow.report import Finding

    assert fix_spacing(text, Finding("SPACING", "ERROR", message, "-"), "x.c") == fixed


def test_glued_version_fixed_in_the_subject(run_cli, tmp_path):
    """[PATCHv2 bpf] is written [PATCH v2 bpf] (what Patchwork reads as version 2); the rest of
    the mail is the same."""
    patch = tmp_path / "glued.patch"
    shutil.copy(patch_path("subject-prefix-format.patch"), patch)
    status, out, err = run_cli("fix", "--in-place", patch)
    assert status == 0 and "fixed 1 finding (SUBJECT_PREFIX_FORMAT)" in out
    assert patch.read_text() == Path(patch_path("subject-prefix-format.patch")).read_text().replace(
        "Subject: [PATCHv2 bpf]", "Subject: [PATCH v2 bpf]")
    assert "SUBJECT_PREFIX_FORMAT" not in {t for t, _ in findings(run_cli, patch)}


COVER = """\
From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
From: Jane Doe <jane@example.org>
Date: Wed, 20 Nov 2024 10:44:00 +0000
Subject: [PATCH {tag}0/1] bpf: Map update checks

One fix for map updates.

"""


def test_tree_tag_taken_from_the_series(run_cli, tmp_path, kernel_tree):
    """A patch without a tree in an mbox whose cover letter says bpf-next gets bpf-next; alone (or
    under a cover letter that names no tree) the finding stays and says the tree is the author's call."""
    body = Path(patch_path("subject-tree-prefix.patch")).read_text().replace("[PATCH]", "[PATCH 1/1]")
    mbox = tmp_path / "series.mbox"
    mbox.write_text(COVER.format(tag="bpf-next ") + body)
    status, out, err = run_cli("fix", "--tree", kernel_tree, "--in-place", mbox)
    assert status == 0 and "fixed 1 finding (SUBJECT_TREE_PREFIX)" in out, out + err
    assert "Subject: [PATCH bpf-next 1/1] bpf: Reject map updates" in mbox.read_text()
    assert "SUBJECT_TREE_PREFIX" not in {t for t, _ in findings(run_cli, mbox, "--tree", str(kernel_tree))}
    mbox.write_text(COVER.format(tag="") + body)
    status, out, err = run_cli("fix", "--tree", kernel_tree, mbox)
    assert status == 1 and "SUBJECT_TREE_PREFIX not fixed: which tree is the author's call" in out


REORDERED = ["+	long timeo = sock_sndtimeo(sk, noblock);", "+	unsigned int space, wanted;", "+	int err = 0;"]


def test_declarations_reordered_in_a_patch_file(run_cli, tmp_path):
    """A new function's block, all added lines, is put longest first; the block whose initializer
    reads another declaration stays, and the fixer says why. Fixing again changes nothing."""
    patch = tmp_path / "xmas.patch"
    shutil.copy(patch_path("xmas-new-function.patch"), patch)
    status, out, err = run_cli("fix", "--in-place", patch)
    assert status == 1
    assert out.splitlines() == [
        "net/core/sock.c:2929: REVERSE_XMAS_TREE not fixed: an initializer reads a variable the block "
        "declares: move the initialization out of line, as maintainer-netdev.rst says",
        f"{patch}: fixed 1 finding (REVERSE_XMAS_TREE), 1 left; wrote {patch}"]
    lines = patch.read_text().splitlines()
    start = lines.index("+{")
    assert lines[start + 1:start + 4] == REORDERED
    assert [t for t, _ in findings(run_cli, patch)] == ["REVERSE_XMAS_TREE"]
    assert not messages(run_cli, patch) - messages(run_cli, patch_path("xmas-new-function.patch"))
    before = patch.read_text()
    status, out, err = run_cli("fix", "--in-place", patch)
    assert "fixed 0 findings, 1 left" in out and patch.read_text() == before


def test_declarations_reordered_in_a_commit(kernel_clone):
    repo = kernel_clone
    git(repo, "checkout", "-q", "-b", "xmas")
    git(repo, "am", "-q", patch_path("xmas-new-function.patch"))
    proc = run_patchflow("fix", "HEAD~1..HEAD", cwd=repo)
    assert proc.returncode == 1 and "fixed 1 finding (REVERSE_XMAS_TREE), 1 left" in proc.stdout, proc.stdout
    lines = (repo / "net/core/sock.c").read_text().splitlines()
    assert lines[2915:2918] == [line[1:] for line in REORDERED]


def test_reorder_refused_when_the_declarations_differ():
    """The guard of a reorder: the same declarations (statements up to `;`), in any order."""
    from patchflow.fix_guard import same_declarations

    assert same_declarations("a.c", "\tint a;\n\tlong b = f(x);", "\tlong b = f(x);\n\tint a;") is None
    assert "not only their order" in same_declarations("a.c", "\tint a;\n\tlong b;", "\tlong b;\n\tint c;")
    assert "not only their order" in same_declarations("a.c", "\tint a, b;", "\tint b, a;")


def test_tree_tag_taken_from_the_cover_letter_file(run_cli, tmp_path, kernel_tree):
    """`patchflow fix outgoing/*.patch`: the files given together are one series, as for check, so
    the cover letter's tree reaches the patch that lacks it."""
    cover = tmp_path / "0000-cover-letter.patch"
    cover.write_text(COVER.format(tag="bpf-next "))
    patch = tmp_path / "0001-bpf-reject.patch"
    patch.write_text(Path(patch_path("subject-tree-prefix.patch")).read_text().replace("[PATCH]", "[PATCH 1/1]"))
    status, out, err = run_cli("fix", "--tree", kernel_tree, "--in-place", cover, patch)
    assert status == 0 and f"{patch}: fixed 1 finding (SUBJECT_TREE_PREFIX); wrote {patch}" in out, out + err
    assert "Subject: [PATCH bpf-next 1/1] bpf: Reject map updates" in patch.read_text()
