"""What the message and API types read from a tree: CamelCase names its headers define, its own
spelling list and license list, and commit ids (one git query for a whole run), next to checkpatch.pl
run inside the same tree."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from test_check_sources import ENV, git
from test_format import bpf_topic  # noqa: F401  (a fixture)

PATCH = """\
From 5a1c6e8d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b Mon Sep 17 00:00:00 2001
From: Jane Doe <jane@example.org>
Date: Wed, 20 Nov 2024 10:00:00 +0000
Subject: [PATCH net-next] net: veth: Count the frames

Count the frames as commit {old} ("net: veth: Add the ring") left
them, and not as commit 0badc0ffee12 ("net: veth: gone") did.

Signed-off-by: Jane Doe <jane@example.org>
---
diff --git a/drivers/net/veth.c b/drivers/net/veth.c
index 1111111..2222222 100644
--- a/drivers/net/veth.c
+++ b/drivers/net/veth.c
@@ -1,2 +1,4 @@
 // SPDX-License-Identifier: GPL-2.0
 #include <linux/veth.h>
+/* SPDX-License-Identifier: GPL-7.0 */
+static int veth_count(struct VethRing *ring, int frameCount);
"""


@pytest.fixture
def tree(tmp_path):
    """A git tree whose include/ defines `struct VethRing`, with LICENSES/ and a spelling list of its own."""
    repo = tmp_path / "tree"
    for folder in ("include/linux", "drivers/net", "LICENSES/preferred", "scripts"):
        (repo / folder).mkdir(parents=True)
    (repo / "include/linux/veth.h").write_text("struct VethRing {\n\tint head;\n};\n")
    (repo / "drivers/net/veth.c").write_text("// SPDX-License-Identifier: GPL-2.0\n#include <linux/veth.h>\n")
    (repo / "LICENSES/preferred/GPL-2.0").write_text("Valid-License-Identifier: GPL-2.0\n")
    (repo / "scripts/spelling.txt").write_text("frameount||frame count\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "net: veth: Add the ring")
    # a second commit: a tree of one commit has no history to call an id unknown in
    (repo / "drivers/net/veth.c").write_text("// SPDX-License-Identifier: GPL-2.0\n#include <linux/veth.h>\n\n")
    git(repo, "commit", "-q", "-a", "-m", "net: veth: End the file with a blank line")
    return repo


def test_tree_names_licenses_and_ids_as_checkpatch_reads_them(tree, tmp_path, run_cli, monkeypatch, kernel_tree):
    old = git(tree, "rev-parse", "--short=12", "HEAD~1").strip()
    patch = tmp_path / "count.patch"
    patch.write_text(PATCH.format(old=old))
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli("check", "--strict", "--format", "json", "--tree", tree, patch)
    found = sorted((f["patch_line"], f["type"]) for f in json.loads(out)["findings"]
                   if f["type"] in ("CAMELCASE", "UNKNOWN_COMMIT_ID", "GIT_COMMIT_ID", "SPDX_LICENSE_TAG"))
    # VethRing is the tree's own (its header defines it); frameCount is new; 0badc0ffee12 is unknown
    assert found == [(7, "UNKNOWN_COMMIT_ID"), (18, "SPDX_LICENSE_TAG"), (19, "CAMELCASE")], out
    assert err == ""
    messages = [f["message"] for f in json.loads(out)["findings"]]
    assert "Avoid CamelCase: <frameCount>" in messages
    # without the tree the header's name is new too, the ids are not looked up (said once), and the
    # misplaced tag is all SPDX_LICENSE_TAG can tell
    status, out, err = run_cli("check", "--strict", "--terse", patch)
    assert "Avoid CamelCase: <VethRing>" in out and "UNKNOWN_COMMIT_ID" not in out
    assert err.count("patchflow: note: no git history") == 1
    # checkpatch, run inside the tree, agrees on the names and the ids
    proc = subprocess.run(["perl", str(kernel_tree / "scripts" / "checkpatch.pl"), "--strict", "--no-tree",
                           "--terse", "--show-types", "--types", "CAMELCASE,UNKNOWN_COMMIT_ID,GIT_COMMIT_ID",
                           str(patch)], cwd=tree, capture_output=True, text=True, timeout=120)
    theirs = re.findall(r"^.*?:(\d+): \w+:(\w+): ", proc.stdout, re.M)
    assert theirs == [("7", "UNKNOWN_COMMIT_ID"), ("19", "CAMELCASE")], proc.stdout


def git_commands_of_a_run(tree, tmp_path, count):
    """The git commands one `check` of `count` patches, each naming an unknown id, starts."""
    old = git(tree, "rev-parse", "--short=12", "HEAD~1").strip()
    paths = []
    for n in range(count):
        path = tmp_path / f"{count}-{n}.patch"
        path.write_text(PATCH.format(old=old).replace("0badc0ffee12", f"0badc0ffee1{n}"))
        paths.append(str(path))
    trace = tmp_path / f"trace-{count}"
    env = dict(ENV, GIT_TRACE=str(trace), PYTHONPATH=os.environ["PYTHONPATH"])
    proc = subprocess.run(["python3", "-m", "patchflow", "check", "--strict", "--terse", "--tree", str(tree),
                           "--types", "UNKNOWN_COMMIT_ID,GIT_COMMIT_ID", *paths], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.stdout.count("UNKNOWN_COMMIT_ID") == count
    return [line.split("built-in: ", 1)[1] for line in trace.read_text().splitlines()
            if "git.c:" in line and "trace: built-in: git" in line]


def test_ids_of_a_run_are_looked_up_in_one_batch(tree, tmp_path):
    """However many patches and ids: the ids in one cat-file --batch-check and one log --no-walk,
    and whether the history can answer (shallow, cut at a release) asked once."""
    one, five = git_commands_of_a_run(tree, tmp_path, 1), git_commands_of_a_run(tree, tmp_path, 5)
    assert five == one, five
    assert sum("log --no-walk" in command for command in five) == 1, five
    assert len(five) <= 5, five


def test_format_gate_refuses_a_misspelled_commit(bpf_topic, run_cli, tmp_path):
    """Issue 13's example: a commit whose message says "recieve" no longer passes `format`'s gate."""
    from test_format import DEV_NEW, DEV_OLD, change

    change(bpf_topic, "net/core/dev.c", DEV_OLD, DEV_NEW, "net: core: reword the comment after the ifindex reservation",
           "The old comment did not say why the call cannot fail; the ifindex was\nreserved before, so it will recieve one.")
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "-1", "--tree", str(bpf_topic), "-o", out)
    assert status == 1
    assert "WARNING:TYPO_SPELLING: 'recieve' may be misspelled - perhaps 'receive'?" in stdout
    assert "nothing written" in stderr and not out.exists()
