"""The netdev and bpf house rules: REVERSE_XMAS_TREE, FIXES_TAG_MISSING, VERIFY_FIXES, TREE_SELECTION
and SERIES_TOO_LONG, on patches made from the 6.12 tree and on a clone with a history of its own."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess

import pytest

from conftest import patch_path, run_patchflow
from patch_cases import CUT_HISTORY_SUBJECT, cut_history, doc_history


@pytest.fixture(autouse=True)
def outside_any_tree(tmp_path, monkeypatch):
    """Run from a directory that is no kernel tree, so only --tree gives one."""
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)


def terse(run_cli, *args):
    status, out, err = run_cli("check", "--terse", *args)
    assert err == ""
    return status, out


def findings(out):
    return [line for line in out.splitlines() if re.search(r":\d+: (ERROR|WARNING|CHECK):", line)]


# --- REVERSE_XMAS_TREE ---------------------------------------------------------------------------


def test_declaration_in_order_is_silent(run_cli, kernel_tree):
    for tree in ((), ("--tree", kernel_tree)):
        status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", *tree, patch_path("xmas-in-order.patch"))
        assert status == 0 and findings(out) == []


def test_declaration_out_of_order_names_the_line_it_belongs_before(run_cli, kernel_tree):
    for tree in ((), ("--tree", kernel_tree)):
        status, out, _ = run_cli("check", "--types", "REVERSE_XMAS_TREE", *tree, patch_path("xmas-out-of-order.patch"))
        assert status == 1
        assert ("WARNING:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (26 columns) should come before "
                "line 2924 'long timeo;' (19 columns)\n"
                "#22: FILE: net/core/sock.c:2925:\n"
                "+\tunsigned int size;\n") in out
        assert out.count("REVERSE_XMAS_TREE") == 1


def test_multi_line_declaration_counts_its_first_line(run_cli):
    # `long deadline =` (23 columns) sits rightly below a 29-column line although its second line
    # is long; `unsigned long total_len = header_len +` (46) is longer than every line above it
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", patch_path("xmas-multiline.patch"))
    assert findings(out) == [
        f"{patch_path('xmas-multiline.patch')}:22: WARNING:REVERSE_XMAS_TREE: Reverse xmas tree: this "
        "declaration (46 columns) should come before line 2923 'struct sk_buff *skb;' (28 columns)"]


def test_dependent_initializer_is_silent(run_cli):
    # `const struct proto *prot = READ_ONCE(sk->sk_prot);` is the longest line but reads `sk`,
    # declared above it: it cannot move up
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", patch_path("xmas-dependent.patch"))
    assert status == 0 and findings(out) == []


def test_order_the_patch_did_not_change_is_silent(run_cli, kernel_tree):
    # `int ret;` stood above `unsigned int noreclaim_flag;` before the patch; `int ret = 0;` still does
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", "--tree", kernel_tree,
                        patch_path("xmas-unchanged-order.patch"))
    assert status == 0 and findings(out) == []


def test_preimage_from_the_tree_shows_the_whole_block(run_cli, kernel_tree, tmp_path):
    patch = patch_path("xmas-preimage.patch")
    # the hunk starts on the continuation line of the block's first declaration: alone it shows no block
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", patch)
    assert findings(out) == []
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", "--tree", kernel_tree, patch)
    assert findings(out) == [
        f"{patch}:21: WARNING:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (65 columns) should "
        "come before line 255 'int max_clean = atomic_read(&tbl->gc_entries) -' (55 columns)"]
    # a pre-image whose blob is not the one on the patch's index line is not used
    text = open(patch).read()
    other = tmp_path / "other-blob.patch"
    other.write_text(re.sub(r"^index [0-9a-f]+\.\.", "index 1234567..", text, flags=re.M))
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", "--tree", kernel_tree, other)
    assert findings(out) == []


def test_file_outside_netdev_and_bpf_is_silent_unless_always(run_cli, kernel_tree):
    patch = patch_path("xmas-outside.patch")  # fs/open.c: MAINTAINERS lists linux-fsdevel
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", "--tree", kernel_tree, patch)
    assert status == 0 and findings(out) == []
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", "--tree", kernel_tree, "--xmas-tree", "always", patch)
    assert findings(out) == [
        f"{patch}:21: WARNING:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (28 columns) should come "
        "before line 190 'struct fd f;' (20 columns)"]


def test_xmas_tree_never_silences_netdev_files(run_cli, kernel_tree):
    status, out = terse(run_cli, "--types", "REVERSE_XMAS_TREE", "--tree", kernel_tree, "--xmas-tree", "never",
                        patch_path("xmas-out-of-order.patch"))
    assert status == 0 and findings(out) == []


def test_bad_xmas_tree_value_is_a_usage_error():
    proc = run_patchflow("check", "--xmas-tree", "sometimes", patch_path("xmas-in-order.patch"))
    assert proc.returncode == 2
    assert "--xmas-tree" in proc.stderr and "Traceback" not in proc.stderr


def test_new_file_is_checked_whole(run_cli, kernel_clone):
    """A new C file under net/: every function's block is visible, and only what is out of order is named."""
    source = (
        "// SPDX-License-Identifier: GPL-2.0\n"
        "#include <linux/skbuff.h>\n\n"
        "static int demo_rx(struct sk_buff *skb)\n"
        "{\n"
        "\tstruct net_device *dev = skb->dev;\n"
        "\tunsigned int len = skb->len;\n"
        "\tint err;\n"
        "\n"
        "\terr = len ? 0 : -EINVAL;\n"
        "\treturn err;\n"
        "}\n\n"
        "static int demo_tx(struct sk_buff *skb)\n"
        "{\n"
        "\tint err;\n"
        "\tstruct net_device *dev = skb->dev;   /* a comment does not count */\n"
        "\tchar name[IFNAMSIZ] = \"x;y\";\n"
        "\n"
        "\terr = dev ? 0 : -ENODEV;\n"
        "\treturn err;\n"
        "}\n\n"
        "static void demo_poll(struct napi_struct *napi)\n"
        "{\n"
        "\tstruct bpf_net_context __bpf_net_ctx, *bpf_net_ctx;\n"
        "\tstruct softnet_data *sd;\n"
        "\tunsigned long deadline = demo_deadline(&__bpf_net_ctx);\n"
        "#ifdef CONFIG_DEMO\n"
        "\tint a;\n"
        "\tunsigned long b;\n"
        "#endif\n"
        "}\n")
    (kernel_clone / "net/core/demo.c").write_text(source)
    subprocess.run(["git", "-C", kernel_clone, "add", "net/core/demo.c"], check=True)
    subprocess.run(["git", "-C", kernel_clone, "commit", "-qm", "net: add a demo\n\nSigned-off-by: Test Author "
                    "<author@example.org>"], check=True)
    out_dir = kernel_clone.parent / "out"
    subprocess.run(["git", "-C", kernel_clone, "format-patch", "-q", "-1", "--subject-prefix=PATCH net-next",
                    "-o", out_dir], check=True)
    patch = next(out_dir.glob("*.patch"))
    status, out, _ = run_cli("check", "--format", "json", "--types", "REVERSE_XMAS_TREE", "--tree", kernel_clone,
                             patch)
    report = json.loads(out)
    assert [(f["file"], f["line"], f["message"]) for f in report["findings"]] == [
        ("net/core/demo.c", 16, "Reverse xmas tree: this declaration (16 columns) should come after line 18 "
                                "'char name[IFNAMSIZ] = \"x;y\";' (36 columns), the last of the block"),
        # the longest line reads `__bpf_net_ctx`, declared above it: silent; an #ifdef starts a new group
        ("net/core/demo.c", 31, "Reverse xmas tree: this declaration (24 columns) should come before line 30 "
                                "'int a;' (14 columns)")]


# --- FIXES_TAG_MISSING -------------------------------------------------------------------------


def test_fix_to_net_without_fixes_tag(run_cli):
    patch = patch_path("fixes-net-missing.patch")
    status, out, _ = run_cli("check", "--types", "FIXES_TAG_MISSING", patch)
    assert status == 1
    assert ("WARNING:FIXES_TAG_MISSING: Patch for the net tree (fixes only) has no Fixes: tag: add "
            "'Fixes: <12 hex digits> (\"<subject>\")' naming the commit it fixes\n"
            "#4: \n"
            "Subject: [PATCH net] net: sock: zero the timestamp sock_gettstamp() copies out\n") in out


def test_fix_to_net_with_fixes_tag_is_silent(run_cli):
    status, out = terse(run_cli, "--strict", "--types", "FIXES_TAG_MISSING", patch_path("fixes-net-tagged.patch"))
    assert status == 0 and findings(out) == []


@pytest.mark.parametrize("name", ["fixes-next-describes-fix.patch", "fixes-next-body-fix.patch"])
def test_next_patch_that_calls_itself_a_fix_is_a_check(run_cli, name):
    patch = patch_path(name)
    status, out = terse(run_cli, "--types", "FIXES_TAG_MISSING", patch)
    assert findings(out) == []  # CHECK level: only with --strict
    status, out = terse(run_cli, "--strict", "--types", "FIXES_TAG_MISSING", patch)
    assert findings(out) == [
        f"{patch}:4: CHECK:FIXES_TAG_MISSING: Patch for net-next describes a fix but has no Fixes: tag: name "
        "the commit it fixes, and send it to net if that commit is in a release"]


def test_next_feature_is_not_a_fix(run_cli):
    status, out = terse(run_cli, "--strict", "--types", "FIXES_TAG_MISSING", patch_path("xmas-in-order.patch"))
    assert findings(out) == []


# --- VERIFY_FIXES and TREE_SELECTION on a history ---------------------------------------------------


def git(repo, *args):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def commit_line(repo, path, old, new, message):
    file = repo / path
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))
    git(repo, "commit", "-qam", message)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history(kernel_clone):
    """v6.12, then "released" (tagged v6.13-rc1), then "unreleased"; returns (repo, released, unreleased)."""
    released = commit_line(kernel_clone, "net/core/sock.c", "\tstruct timespec64 ts;\n",
                           "\tstruct timespec64 ts;\n\tbool stamped;\n",
                           "net: sock: note whether sock_gettstamp() found a stamp")
    git(kernel_clone, "tag", "-a", "-m", "Linux 6.13-rc1", "v6.13-rc1")
    unreleased = commit_line(kernel_clone, "net/core/sock.c", "\tstruct sk_buff *skb;\n\tlong timeo;\n",
                             "\tstruct sk_buff *skb;\n\tunsigned int size;\n\tlong timeo;\n",
                             "net: sock: keep the size of the send buffer")
    return kernel_clone, released, unreleased


def fix_patch(repo, out_dir, tree, fixes_line):
    """A real fix on top of the history, formatted by git for `tree`; returns its path."""
    commit_line(repo, "net/core/sock.c", "\tbool stamped;\n", "\tbool stamped = false;\n",
                f"net: sock: initialise stamped\n\nIt is read before it is set.\n\n{fixes_line}\n"
                "Signed-off-by: Test Author <author@example.org>")
    files = git(repo, "format-patch", "-1", f"--subject-prefix=PATCH {tree}", "-o", str(out_dir)).split()
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    return files[0]


def fixes_for(repo, commit, subject=None):
    short = commit[:12]
    subject = subject if subject is not None else git(repo, "log", "-1", "--format=%s", commit)
    return f'Fixes: {short} ("{subject}")'


def test_fixes_with_a_wrong_subject(run_cli, history, tmp_path):
    repo, released, _ = history
    patch = fix_patch(repo, tmp_path, "net", fixes_for(repo, released, "net: sock: add a stamp flag"))
    status, out = terse(run_cli, "--tree", repo, "--types", "VERIFY_FIXES", patch)
    assert status == 1
    line = next(n for n, text in enumerate(open(patch).read().split("\n"), 1) if text.startswith("Fixes:"))
    assert findings(out) == [
        f"{patch}:{line}: ERROR:VERIFY_FIXES: Fixes: subject does not match commit {released[:12]}: the tag says "
        "\"net: sock: add a stamp flag\", the commit is \"net: sock: note whether sock_gettstamp() found a stamp\""]



def test_fixes_wrong_subject_is_one_finding(run_cli, history, tmp_path):
    # BAD_FIXES_TAG (checkpatch's type) looks the commit up too: by default it alone reports the
    # wrong subject, with the right tag; VERIFY_FIXES reports it only when BAD_FIXES_TAG is left out
    repo, released, _ = history
    patch = fix_patch(repo, tmp_path, "net", fixes_for(repo, released, "net: sock: add a stamp flag"))
    line = next(n for n, text in enumerate(open(patch).read().split("\n"), 1) if text.startswith("Fixes:"))
    status, out = terse(run_cli, "--strict", "--tree", repo, patch)
    assert findings(out) == [
        f"{patch}:{line}: WARNING:BAD_FIXES_TAG: Please use correct Fixes: style 'Fixes: <12 chars of sha1> "
        f"(\"<title line>\")' - ie: 'Fixes: {released[:12]} (\"net: sock: note whether sock_gettstamp() found "
        "a stamp\")'"]
    status, out = terse(run_cli, "--strict", "--tree", repo, "--ignore", "BAD_FIXES_TAG", patch)
    assert [finding.split(": ", 2)[1] for finding in findings(out)] == ["ERROR:VERIFY_FIXES"]

def test_fixes_right_subject_and_tree_is_silent(run_cli, history, tmp_path):
    repo, released, unreleased = history
    for tree, commit in (("net", released), ("net-next", unreleased)):
        patch = fix_patch(repo, tmp_path / tree, tree, fixes_for(repo, commit))
        status, out = terse(run_cli, "--strict", "--tree", repo,
                            "--types", "VERIFY_FIXES,TREE_SELECTION,FIXES_TAG_MISSING", patch)
        assert status == 0 and findings(out) == [], out


def test_fixes_commit_missing_from_a_whole_history(run_cli):
    repo = doc_history()  # its first commit is no kernel snapshot: its history is all there is
    status, out = terse(run_cli, "--tree", repo, "--types", "VERIFY_FIXES", patch_path("fixes-net-tagged.patch"))
    assert status == 1 and findings(out) == [
        f"{patch_path('fixes-net-tagged.patch')}:10: ERROR:VERIFY_FIXES: Fixes: commit 0123456789ab is not in the "
        f"tree at {repo}: check the id (or update the tree)"]


def test_fixes_commit_from_before_a_cut_history_is_one_note(run_cli, tmp_path):
    """A tree whose history starts at a release's snapshot lacks the ids of the commits before it: one
    note for the run, no ERROR per id; an id whose quoted subject is one of its commits is still wrong."""
    repo = cut_history()
    first = git(repo, "rev-list", "--max-parents=0", "HEAD")
    cases = [patch_path("fixes-net-tagged.patch"), patch_path("clean-bpf-fix.patch")]
    status, out = terse(run_cli, "--strict", "--tree", repo, "--types", "VERIFY_FIXES", *cases)
    assert findings(out) == [
        f"{cases[0]}:10: CHECK:VERIFY_FIXES: Fixes: ids not verified: the tree at {repo} starts at {first[:12]} "
        "(\"Linux 6.12\", 2024-09-01), a snapshot of the kernel: it lacks the commits before it; check them "
        "with a full clone (--tree PATH)"]
    status, out = terse(run_cli, "--tree", repo, "--types", "VERIFY_FIXES", *cases)
    assert status == 0 and findings(out) == []  # a note: only with --strict
    wrong = tmp_path / "wrong-id.patch"
    wrong.write_text(open(cases[0]).read().replace("net: sock: add the timestamp ioctls", CUT_HISTORY_SUBJECT))
    status, out = terse(run_cli, "--strict", "--tree", repo, "--types", "VERIFY_FIXES", wrong)
    same = git(repo, "rev-parse", "HEAD")
    assert status == 1 and findings(out) == [
        f"{wrong}:10: ERROR:VERIFY_FIXES: Fixes: commit 0123456789ab is not in the tree at {repo}, whose commit "
        f"{same[:12]} has the subject the tag quotes: check the id"]


def test_fixes_commit_ambiguous(run_cli, history, tmp_path):
    repo, released, _ = history
    # a blob whose id starts with the same four hex digits as the released commit's
    shared = released[:4]
    content = next(data for data in (b"%d\n" % n for n in range(10 ** 7))
                   if hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest().startswith(shared))
    subprocess.run(["git", "-C", repo, "hash-object", "-w", "--stdin"], input=content, check=True,
                   capture_output=True)
    patch = fix_patch(repo, tmp_path, "net", f'Fixes: {shared} ("net: something")')
    status, out = terse(run_cli, "--tree", repo, "--types", "VERIFY_FIXES", patch)
    assert f"ERROR:VERIFY_FIXES: Fixes: {shared} is ambiguous in {repo}: give 12 or more hex digits" in out


def test_tree_selection_both_ways(run_cli, history, tmp_path):
    repo, released, unreleased = history
    to_next = fix_patch(repo, tmp_path / "a", "net-next", fixes_for(repo, released))
    status, out = terse(run_cli, "--strict", "--tree", repo, "--types", "TREE_SELECTION", to_next)
    assert [f.split(": ", 1)[1] for f in findings(out)] == [
        f"CHECK:TREE_SELECTION: Patch for net-next fixes {released[:12]}, which is in v6.13-rc1 already: fixes "
        "for released code go to net ([PATCH net])"]
    to_net = fix_patch(repo, tmp_path / "b", "net", fixes_for(repo, unreleased))
    status, out = terse(run_cli, "--strict", "--tree", repo, "--types", "TREE_SELECTION", to_net)
    assert [f.split(": ", 1)[1] for f in findings(out)] == [
        f"CHECK:TREE_SELECTION: Patch for net fixes {unreleased[:12]}, which is in no release yet (no v* tag "
        "contains it): it probably belongs to net-next ([PATCH net-next])"]
    # CHECK level: not without --strict
    status, out = terse(run_cli, "--tree", repo, "--types", "TREE_SELECTION", to_net)
    assert findings(out) == []


def test_verify_fixes_without_a_git_tree_is_silent(run_cli, tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    status, out = terse(run_cli, "--tree", plain, "--types", "VERIFY_FIXES,TREE_SELECTION",
                        patch_path("fixes-net-tagged.patch"))
    assert status == 0 and findings(out) == []


# --- SERIES_TOO_LONG --------------------------------------------------------------------------------


def series(repo, out_dir, count, prefix, path="net/core/sock.c"):
    for n in range(count):
        with open(repo / path, "a") as handle:
            handle.write(f"/* step {n + 1} */\n")
        git(repo, "commit", "-qam", f"net: step {n + 1}\n\nStep {n + 1}.\n\nSigned-off-by: Test Author "
                                    "<author@example.org>")
    git(repo, "format-patch", "-q", f"-{count}", "--cover-letter", f"--subject-prefix={prefix}", "-o", str(out_dir))
    return sorted(str(p) for p in out_dir.glob("*.patch"))


def test_sixteen_patches_to_net_next(run_cli, kernel_clone, tmp_path):
    patches = series(kernel_clone, tmp_path / "s16", 16, "PATCH net-next")
    assert len(patches) == 17
    status, out = terse(run_cli, "--types", "SERIES_TOO_LONG", *patches)
    assert status == 1
    assert findings(out) == [
        f"{patches[0]}:4: WARNING:SERIES_TOO_LONG: Series of 16 patches to net-next: netdev takes at most "
        "15 at a time; split it into smaller series (required by maintainer-netdev.rst)"]


def test_fifteen_patches_and_non_netdev_series_are_silent(run_cli, kernel_clone, tmp_path):
    patches = series(kernel_clone, tmp_path / "s15", 15, "PATCH net-next")
    status, out = terse(run_cli, "--types", "SERIES_TOO_LONG", *patches)
    assert status == 0 and findings(out) == []
    # 16 patches to a file no netdev or bpf entry covers, no tree in the subject
    patches = series(kernel_clone, tmp_path / "doc", 16, "PATCH", path="README")
    status, out = terse(run_cli, "--tree", kernel_clone, "--types", "SERIES_TOO_LONG", *patches)
    assert status == 0 and findings(out) == []


# --- explain -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("type_name,module,reason", [
    ("REVERSE_XMAS_TREE", "xmas", "Order the variable declaration lines longest to shortest"),
    ("FIXES_TAG_MISSING", "fixes", "the ``Fixes:`` tag is required, regardless"),
    ("VERIFY_FIXES", "fixes", "identify follow-up commits"),
    ("TREE_SELECTION", "fixes", "net-next is where the new code goes"),
    ("SERIES_TOO_LONG", "series", "Avoid sending series longer than 15 patches"),
])
def test_explain_gives_the_maintainers_reason(run_cli, type_name, module, reason):
    status, out, _ = run_cli("explain", type_name)
    assert status == 0
    assert out.startswith(f"{type_name} (")
    assert f"src/patchflow/checks/{module}.py" in out
    assert reason in " ".join(out.split())
    last = "## Fix" if "## Fix" in out else "## Use instead"  # TREE_SELECTION keeps the old shape
    for section in ("## What it does", "## Why is this bad?", "## Example", last):
        assert section in out
