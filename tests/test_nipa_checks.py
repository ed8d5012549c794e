"""The NIPA patch tests as checks: the cases tests/patches/ cannot show on their own (a series that
changes a file twice, a tree without kernel-doc, a Makefile in the tree, a template header)."""

from __future__ import annotations

import json
import subprocess

from conftest import patch_path
from patch_cases import kdoc_tree


def findings(run_cli, *args):
    code, out, err = run_cli("check", "--strict", "--format", "json", *args)
    assert err == "", err
    return code, [(f["type"], f["patch"].rsplit("/", 1)[-1], f["patch_line"], f["message"])
                  for f in json.loads(out)["findings"]]


def commit(repo, message):
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True)


def format_patches(repo, count, out_dir, *extra):
    subprocess.run(["git", "-C", str(repo), "format-patch", "-q", f"-{count}", "-o", str(out_dir), *extra],
                   check=True)
    return sorted(str(p) for p in out_dir.iterdir())


def test_kdoc_takes_a_series_patch_by_patch(tmp_path, run_cli, monkeypatch):
    """Patch 2 changes the function patch 1 added: its new warning is patch 2's, found on patch 1's
    post-image (which the tree does not have), and patch 1's clean comment is not blamed."""
    tree = tmp_path / "linux"
    subprocess.run(["git", "clone", "-q", kdoc_tree(), str(tree)], check=True)
    for key, value in (("user.name", "Jane Doe"), ("user.email", "jane@example.org")):
        subprocess.run(["git", "-C", str(tree), "config", key, value], check=True)
    header = tree / "include" / "linux" / "bpf.h"
    text = header.read_text()
    documented = ("/**\n * bpf_map_flags_wronly() - whether programs may only write a map\n"
                  " * @flags: the map's flags\n *\n * Return: true when programs may not read the map.\n */\n"
                  "static inline bool bpf_map_flags_wronly(u32 flags)\n{\n\treturn flags & BPF_F_WRONLY_PROG;\n}\n")
    header.write_text(text.replace("struct bpf_token;\n", "struct bpf_token;\n\n" + documented, 1))
    commit(tree, "bpf: add bpf_map_flags_wronly()\n\nA helper.\n\nSigned-off-by: Jane Doe <jane@example.org>")
    header.write_text(header.read_text().replace("bpf_map_flags_wronly(u32 flags)\n",
                                                 "bpf_map_flags_wronly(u32 flags, bool prog)\n", 1))
    commit(tree, "bpf: let bpf_map_flags_wronly() tell programs\n\nA flag.\n\nSigned-off-by: Jane Doe <jane@example.org>")
    patches = format_patches(tree, 2, tmp_path / "out", "--subject-prefix=PATCH bpf-next")
    subprocess.run(["git", "-C", str(tree), "reset", "-q", "--hard", "HEAD~2"], check=True)
    monkeypatch.chdir(tmp_path)
    code, found = findings(run_cli, "--types", "KDOC_NEW_WARNING", "--tree", tree, *patches)
    assert code == 1
    assert [(t, name, message) for t, name, _, message in found] == [
        ("KDOC_NEW_WARNING", "0002-bpf-let-bpf_map_flags_wronly-tell-programs.patch",
         "kernel-doc warning: Function parameter or struct member 'prog' not described in 'bpf_map_flags_wronly'")]


def test_kdoc_is_silent_on_a_tree_without_kernel_doc(kernel_tree, run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, found = findings(run_cli, "--types", "KDOC_NEW_WARNING", "--tree", kernel_tree,
                           patch_path("kdoc-new-warning.patch"))
    assert (code, found) == (0, [])


def test_selftest_listed_in_the_trees_makefile_is_fine(kernel_clone, run_cli, tmp_path, monkeypatch):
    directory = kernel_clone / "tools" / "testing" / "selftests" / "bpf"
    (directory / "Makefile").write_text("TEST_PROGS := test_xdp_veth.sh test_bond.sh\n")
    commit(kernel_clone, "selftests/bpf: a Makefile")
    for name in ("test_xdp_veth.sh", "test_tunnel.sh"):
        (directory / name).write_text("#!/bin/sh\nexit 0\n")
    commit(kernel_clone, "selftests/bpf: two scripts\n\nTwo.\n\nSigned-off-by: Test Author <author@example.org>")
    (patch,) = format_patches(kernel_clone, 1, tmp_path / "out")
    subprocess.run(["git", "-C", str(kernel_clone), "reset", "-q", "--hard", "HEAD~1"], check=True)
    monkeypatch.chdir(tmp_path)
    code, found = findings(run_cli, "--types", "SELFTEST_NOT_IN_MAKEFILE", "--tree", kernel_clone, patch)
    assert [(t, m) for t, _, _, m in found] == [
        ("SELFTEST_NOT_IN_MAKEFILE", "tools/testing/selftests/bpf/test_tunnel.sh: a new selftest script that "
         "tools/testing/selftests/bpf/Makefile does not list (TEST_PROGS): it will never run")]


def test_a_template_header_of_plain_statics_keeps_its_way(kernel_clone, run_cli, tmp_path, monkeypatch):
    header = kernel_clone / "net" / "core" / "hash_gen.h"
    header.write_text("/* included once per hash type */\nstatic void\nmtype_gc(struct htype *h)\n{\n}\n\n"
                      "static int\nmtype_add(struct htype *h)\n{\n\treturn 0;\n}\n")
    commit(kernel_clone, "net: a template header")
    header.write_text(header.read_text() + "\nstatic int\nmtype_del(struct htype *h)\n{\n\treturn 0;\n}\n"
                      "\nstatic int mtype_size(struct htype *h)\n{\n\treturn 0;\n}\n")
    commit(kernel_clone, "net: hash_gen: add mtype_del()\n\nDel.\n\nSigned-off-by: Test Author <author@example.org>")
    (patch,) = format_patches(kernel_clone, 1, tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    code, found = findings(run_cli, "--types", "HEADER_INLINE", "--tree", kernel_clone, patch)
    assert (code, found) == (0, [])
    # without the tree, the hunk's context shows no plain static of the file's: the new one is reported
    code, found = findings(run_cli, "--types", "HEADER_INLINE", patch)
    assert [(t, m) for t, _, _, m in found] == [
        ("HEADER_INLINE", "static function mtype_size() in a header without inline: every includer gets a copy")]


def test_cc_maintainers_leaves_unaddressed_patches_and_other_subsystems_alone(kernel_tree, run_cli, tmp_path,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = open(patch_path("cc-maintainers.patch")).read()
    unaddressed = tmp_path / "unaddressed.patch"
    unaddressed.write_text(text.replace("To: netdev@vger.kernel.org\n", "").replace(
        'Cc: "David S. Miller" <davem@davemloft.net>,\n    Jakub Kicinski <kuba@kernel.org>\n', ""))
    assert findings(run_cli, "--types", "CC_MAINTAINERS", "--tree", kernel_tree, unaddressed) == (0, [])
    everyone = tmp_path / "everyone.patch"
    everyone.write_text(text.replace("    Jakub Kicinski <kuba@kernel.org>\n",
                                     "    Jakub Kicinski <kuba@kernel.org>,\n    Eric Dumazet <EDUMAZET@google.com>,\n"
                                     "    pabeni@redhat.com\n"))
    assert findings(run_cli, "--types", "CC_MAINTAINERS", "--tree", kernel_tree, everyone) == (0, [])
    bpf_lib = tmp_path / "libbpf.patch"  # tools/lib/bpf: BPF [LIBRARY] (libbpf) lists bpf@, not netdev@
    bpf_lib.write_text(text.replace("net/core/sock.c", "tools/lib/bpf/libbpf.c"))
    code, found = findings(run_cli, "--types", "CC_MAINTAINERS", "--tree", kernel_tree, bpf_lib)
    assert code == 1 and "andrii@kernel.org" in found[0][3] and "bpf@vger.kernel.org" in found[0][3]
