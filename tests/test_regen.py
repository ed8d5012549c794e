"""`patchflow regen` end to end on the 6.12 fixture: the bundled change on both generator shapes, the
proofs failing for the right reason, patches that do not apply, and the user's tree left exactly as it
was. (Changes other than the bundled one: test_regen_changes.py.)"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PATCHES, run_patchflow
from test_tree import dirty_user_tree, git, snapshot

from patchflow.regen.patches import bundled_patches

BUNDLED = dict(bundled_patches())
SHAPE_PATCH = PATCHES / "regen-bpf-next-shape.patch"


@pytest.fixture
def isolated_env(tmp_path):
    """Environment of a user with no git identity, their own cache, and a config file to fill."""
    config = tmp_path / "gitconfig"
    config.write_text("")
    env = {"GIT_CONFIG_GLOBAL": str(config), "XDG_CACHE_HOME": str(tmp_path / "cache")}

    def set_config(key, value):
        subprocess.run(["git", "config", "--file", str(config), key, value], check=True, timeout=30)

    return env, set_config


def proof_lines(stdout):
    """{proof name: (status, detail)} from the text report."""
    proofs = {}
    for line in stdout.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[0] in ("generator", "helpers", "expansion", "late_binding", "relocations"):
            proofs[parts[0]] = (parts[1], parts[2])
    return proofs


def commit_all(repo, message):
    git(repo, "-c", "user.name=Test Author", "-c", "user.email=author@example.org", "commit", "-q", "-a",
        "-m", message)


def edit(path, old, new):
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def series_on_bundled(repo, tmp_path, change, message):
    """The bundled 6.12 patch followed by a second patch `change(repo)` makes: the two patch files."""
    git(repo, "am", "-q", BUNDLED["6.12"])
    change(repo)
    commit_all(repo, message)
    out = tmp_path / "series"
    git(repo, "format-patch", "-q", "-2", "-o", str(out))
    git(repo, "reset", "-q", "--hard", "HEAD~2")
    return sorted(str(p) for p in out.iterdir())


def test_named_tree_is_cloned_and_all_five_proofs_pass(kernel_tree, isolated_env, tmp_path):
    env, set_config = isolated_env
    set_config("patchflow.tree.bpf-next.url", f"file://{kernel_tree}")
    before = snapshot(kernel_tree)
    proc = run_patchflow("regen", "--tree", "bpf-next", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    clone = tmp_path / "cache" / "patchflow" / "trees" / "bpf-next"
    assert f"tree:      bpf-next ({clone})" in proc.stdout
    assert "[bundled, 6.12 variant]" in proc.stdout
    # a fresh clone has no commit of the user's: the bundled change is what is proven, and it says so
    assert ("note:      no branch commits to compare (master has no commit of its own on top of origin/master): "
            "the bundled BPF_HELPER change is proven instead; --base REV or --patch FILE for another change") \
        in proc.stdout
    assert "changed:   bpf_helper_defs.h  declarations written differently, the same 211 helpers" in proc.stdout
    proofs = proof_lines(proc.stdout)
    assert proofs["generator"] == ("pass", "3 outputs generated before and after the change")
    assert proofs["helpers"] == ("pass", "211 helpers: same names, ids, return and argument types")
    assert proofs["expansion"][0] == "pass" and "C tokens identical" in proofs["expansion"][1]
    assert proofs["late_binding"] == ("pass", "4 R_BPF_64_32 relocations name bpf_ktime_get_ns, "
                                              "bpf_get_smp_processor_id, bpf_get_prandom_u32, bpf_trace_printk")
    assert proofs["relocations"][0] == "pass" and proofs["relocations"][1].startswith(
        "4 calls bound by id equal the early-binding code byte for byte")
    assert proc.stdout.rstrip().endswith("5 of 5 applicable proofs pass")
    assert snapshot(kernel_tree) == before
    assert git(clone, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_bpf_next_shape_json_and_kept_files(kernel_clone, tmp_path):
    git(kernel_clone, "am", "-q", str(SHAPE_PATCH))
    out = tmp_path / "out"
    proc = run_patchflow("regen", "--tree", kernel_clone, "--bundled", "--out", out, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["tree"] == str(kernel_clone)
    assert (report["mode"], report["base_chosen"]) == ("bundled", "the tree's HEAD")
    assert report["base"] == git(kernel_clone, "rev-parse", "HEAD").strip()
    assert [p["variant"] for p in report["patches"]] == ["bpf-next"]
    proofs = report["proofs"]
    assert {name: proof["state"] for name, proof in proofs.items()} == dict.fromkeys(
        ["generator", "helpers", "expansion", "late_binding", "relocations"], "pass")
    assert (proofs["helpers"]["count"], proofs["helpers"]["changed"], proofs["helpers"]["added"]) == (211, [], [])
    assert proofs["late_binding"]["externs"] == ["bpf_get_prandom_u32", "bpf_get_smp_processor_id",
                                                 "bpf_ktime_get_ns", "bpf_trace_printk"]
    assert (proofs["relocations"]["early"], proofs["relocations"]["late"]) == (4, 4)
    assert proofs["expansion"]["tokens"] > 5000
    assert proofs["expansion"]["reason"] == f"{proofs['expansion']['tokens']} C tokens identical"
    assert report["generated"][0] == str(out / "before" / "bpf_helper_defs.h")
    assert len(report["generated"]) == 7  # the header and two manual pages on each side, and the diff
    assert all(os.path.isfile(path) for path in report["generated"])
    before = (out / "before" / "bpf_helper_defs.h").read_text()
    after = (out / "after" / "bpf_helper_defs.h").read_text()
    # the attribute stays in the macro's output, where the old shape printed it
    assert "static __bpf_fastcall __u32 (* const bpf_get_smp_processor_id)(void) = (void *) 8;" in before
    assert "BPF_HELPER(__bpf_fastcall __u32, bpf_get_smp_processor_id, (void), 8);" in after
    assert "#ifndef BPF_HELPER\n#define BPF_HELPER(ret, name, args, id) \\\n" in after
    assert "+BPF_HELPER(void *, bpf_map_lookup_elem, (void *map, const void *key), 1);" in \
        (out / "generated.diff").read_text()


def test_base_picks_the_commit(kernel_clone):
    git(kernel_clone, "am", "-q", str(SHAPE_PATCH))
    proc = run_patchflow("regen", "--tree", kernel_clone, "--bundled", "--base", "v6.12", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["base"] == git(kernel_clone, "rev-parse", "v6.12^{commit}").strip()
    assert report["patches"][0]["variant"] == "6.12"
    bad = run_patchflow("regen", "--tree", kernel_clone, "--base", "no-such-ref")
    assert (bad.returncode, bad.stderr) == (2, f"patchflow: --base no-such-ref: not a commit in {kernel_clone}\n")


def test_a_patch_that_breaks_the_expansion_fails_expansion(kernel_clone, tmp_path):
    def drop_const(repo):
        edit(repo / "scripts" / "bpf_doc.py", "static ret(* const name) args", "static ret(* name) args")

    series = series_on_bundled(kernel_clone, tmp_path, drop_const, "bpf: helper pointers need not be const")
    before = snapshot(kernel_clone)
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", *series)
    assert proc.returncode == 1, proc.stderr
    proofs = proof_lines(proc.stdout)
    assert proofs["helpers"][0] == "pass"
    status, detail = proofs["expansion"]
    assert status == "FAIL"
    assert detail.startswith("token ")
    assert " differs: before `const`, after `bpf_map_lookup_elem` (cc -E output" in detail
    assert "`void * ( * const bpf_map_lookup_elem ) ( void`" in detail
    assert proc.stdout.rstrip().endswith("4 of 5 applicable proofs pass: expansion failed")
    assert snapshot(kernel_clone) == before


def test_a_patch_that_drops_a_helper_fails_helpers_naming_it(kernel_clone, tmp_path):
    def skip_helper(repo):
        edit(repo / "scripts" / "bpf_doc.py", "        self.seen_helpers.add(proto['name'])\n",
             "        self.seen_helpers.add(proto['name'])\n        if proto['name'] == 'bpf_skb_store_bytes':\n"
             "            return\n")

    series = series_on_bundled(kernel_clone, tmp_path, skip_helper, "bpf: leave out bpf_skb_store_bytes")
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", *series, "--format", "json")
    assert proc.returncode == 1, proc.stderr
    helpers = json.loads(proc.stdout)["proofs"]["helpers"]
    assert helpers["state"] == "fail" and helpers["count"] == 210 and helpers["changed"] == ["bpf_skb_store_bytes"]
    assert helpers["reason"].startswith("bpf_skb_store_bytes (id 9) is gone: before `long bpf_skb_store_bytes(")
    text = run_patchflow("regen", "--tree", kernel_clone, "--patch", *series)
    assert proof_lines(text.stdout)["helpers"][0] == "FAIL"
    assert "bpf_skb_store_bytes (id 9) is gone" in proof_lines(text.stdout)["helpers"][1]


def test_a_patch_that_does_not_apply_names_file_and_hunk(kernel_clone, tmp_path):
    # the tree moved on where the bundled patch changes print_one()
    edit(kernel_clone / "scripts" / "bpf_doc.py", "        print(') = (void *) %d;' % helper.enum_val)\n",
         "        print(') = (void *) %d; /* id */' % helper.enum_val)\n")
    commit_all(kernel_clone, "bpf_doc: comment the helper ids")
    before = snapshot(kernel_clone)
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", BUNDLED["6.12"])
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith(f"patchflow: {BUNDLED['6.12']} does not apply to ")
    assert lines[0].endswith("scripts/bpf_doc.py: hunk #2 of 2 (@@ -827,26 +836,21 @@) does not apply")
    assert proc.stdout == ""
    bundled = run_patchflow("regen", "--tree", kernel_clone, "--bundled")
    assert bundled.returncode == 2
    assert bundled.stderr.startswith("patchflow: no bundled BPF_HELPER patch applies to ")
    assert "6.12 variant: scripts/bpf_doc.py: hunk #2 of 2" in bundled.stderr
    assert bundled.stderr.endswith(" (a BPF_HELPER change already on your branch: run regen without --bundled "
                                   "in your tree)\n")
    assert len(bundled.stderr.splitlines()) == 1
    assert snapshot(kernel_clone) == before


def test_users_tree_untouched_after_success_and_failure(kernel_clone, tmp_path):
    dirty_user_tree(kernel_clone)
    before = snapshot(kernel_clone)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {"TMPDIR": str(scratch)}
    ok = run_patchflow("regen", "--tree", kernel_clone, "--bundled", "--base", "v6.12", env=env)
    assert ok.returncode == 0, ok.stderr
    assert snapshot(kernel_clone) == before
    broken = tmp_path / "broken.patch"
    broken.write_text(Path(BUNDLED["6.12"]).read_text().replace("static ret(* const name) args",
                                                                 "static ret(* name) args"))
    failed = run_patchflow("regen", "--tree", kernel_clone, "--base", "v6.12", "--patch", broken, env=env)
    assert failed.returncode == 1
    assert snapshot(kernel_clone) == before
    assert os.listdir(scratch) == []  # no worktree, no scratch directory left behind


@pytest.mark.parametrize("mode", [["--bundled"], []], ids=["bundled", "branch"])
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_removes_the_worktree(kernel_clone, signum, mode):
    # a generator that says when it runs (a file), then takes far longer than the test waits for the run
    # to end: the signal arrives mid-run, and only a run that stops on it ends in time; without --bundled
    # the user's branch (the slow generator) is compared with origin/master: two worktrees to remove
    edit(kernel_clone / "scripts" / "bpf_doc.py", "import argparse\n",
         "import argparse\nimport os, time; open(os.environ['PATCHFLOW_TEST_MARKER'], 'w').close(); time.sleep(900)\n")
    commit_all(kernel_clone, "slow generator")
    dirty_user_tree(kernel_clone)
    before = snapshot(kernel_clone)
    marker = kernel_clone.parent / "generator-running"
    child = subprocess.Popen([sys.executable, "-m", "patchflow", "regen", "--tree", str(kernel_clone), *mode],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env=dict(os.environ, PATCHFLOW_TEST_MARKER=str(marker)))
    try:
        interrupt_mid_run(child, kernel_clone, before, signum, marker)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(timeout=30)


def interrupt_mid_run(child, kernel_clone, before, signum, marker):
    deadline = time.monotonic() + 600  # a guard against a hang, not a time limit
    while not marker.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline, "the generator never ran"
        time.sleep(0.02)
    admin = kernel_clone / ".git" / "worktrees"
    worktree = Path((next(admin.iterdir()) / "gitdir").read_text().strip()).parent
    assert worktree.is_dir()
    child.send_signal(signum)
    out, err = child.communicate(timeout=600)
    assert child.returncode == 130
    assert err == "patchflow: interrupted\n"
    assert not worktree.exists() and not worktree.parent.exists()
    assert snapshot(kernel_clone) == before


def test_missing_clang_names_the_package(kernel_clone, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("git", "cc"):
        os.symlink(shutil.which(program), bin_dir / program)
    proc = run_patchflow("regen", "--tree", kernel_clone, env={"PATH": str(bin_dir)})
    assert proc.returncode == 2
    assert proc.stderr == "patchflow: clang not found: install the Debian package 'clang' (apt-get install clang)\n"


def test_unknown_tree_name(isolated_env, tmp_path):
    env, _ = isolated_env
    proc = run_patchflow("regen", "--tree", "no-such-tree", cwd=tmp_path, env=env)
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1
    assert proc.stderr.startswith("patchflow: --tree no-such-tree: not a directory and not a known tree name")


def test_a_plain_diff_is_applied_too(kernel_clone, tmp_path):
    mail = Path(BUNDLED["6.12"]).read_text()
    plain = tmp_path / "bpf-helper.diff"
    plain.write_text(mail[mail.index("diff --git "):].rsplit("\n-- \n", 1)[0] + "\n")
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", plain, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["patches"] == [{"path": str(plain), "subject": "bpf-helper.diff"}]
    assert all(proof["state"] == "pass" for proof in report["proofs"].values())
    not_a_patch = tmp_path / "notes.txt"
    not_a_patch.write_text("just words\n")
    bad = run_patchflow("regen", "--tree", kernel_clone, "--patch", not_a_patch)
    assert (bad.returncode, bad.stderr) == (
        2, f"patchflow: {not_a_patch}: not a patch: no mail headers and no unified diff found\n")


def test_a_generator_change_without_the_macro_leaves_late_binding_not_applicable(kernel_clone, tmp_path):
    # a generator change that leaves the declarations as they were: a program cannot override them, so
    # the late-binding proofs do not apply (and say why) instead of failing
    edit(kernel_clone / "scripts" / "bpf_doc.py", "helpersDocStart = 'Start of BPF helper function descriptions:'\n",
         "helpersDocStart = 'Start of BPF helper function descriptions:'  # matched in bpf.h\n")
    commit_all(kernel_clone, "bpf_doc: say where the start marker is matched")
    git(kernel_clone, "format-patch", "-q", "-1", "-o", str(tmp_path / "series"))
    git(kernel_clone, "reset", "-q", "--hard", "HEAD~1")
    series = sorted(str(p) for p in (tmp_path / "series").iterdir())
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", *series, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert {name: change["kind"] for name, change in report["changed"].items()} == dict.fromkeys(
        ["bpf_helper_defs.h", "bpf-helpers.rst", "bpf-syscall.rst"], "nothing")
    proofs = report["proofs"]
    for name in ("late_binding", "relocations"):
        assert proofs[name]["state"] == "not applicable"
        assert proofs[name]["reason"] == ("the header after the change has no `#ifndef BPF_HELPER` default for a "
                                          "program to override: its helpers are bound by id")
    assert [proofs[name]["state"] for name in ("generator", "helpers", "expansion")] == ["pass"] * 3


@pytest.mark.parametrize("age", ["nan", "inf", "1e400", "-5", "10y", ""])
def test_a_max_age_that_is_not_a_duration_is_refused(isolated_env, age):
    env, _ = isolated_env
    proc = run_patchflow("regen", "--tree", "no-such-tree", f"--max-age={age}", env=env)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith("patchflow regen: error: argument --max-age: ")
    assert "Traceback" not in proc.stderr and proc.stdout == ""
