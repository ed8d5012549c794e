"""`patchflow regen` on changes other than the bundled one: what changed in each generated file, and
the proofs chosen by what the change does (pass, fail, or not applicable with the reason).

The cases are the ones a contributor meets: a documentation fix in bpf.h, a reworded banner in
bpf_doc.py, the BPF_HELPER change committed on their branch, a series directory from
`git format-patch --cover-letter`, and a header generated from libbpf's real bpf.h.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from conftest import run_patchflow
from test_regen import BUNDLED, SHAPE_PATCH, commit_all, edit, proof_lines
from test_tree import git, snapshot
LIBBPF = Path(__file__).parent / "fixtures" / "libbpf-sync"
UAPI = "include/uapi/linux/bpf.h"
NOT_OVERRIDABLE = ("the header after the change has no `#ifndef BPF_HELPER` default for a program to override: "
                   "its helpers are bound by id")


def topic(repo, name="topic"):
    """A branch off origin/master, as `git switch -c NAME origin/master` makes it (upstream set)."""
    git(repo, "switch", "-q", "-c", name, "--track", "origin/master")


def regen_after_commit(repo, edits, message, *args):
    """`regen` of a topic branch whose one commit makes `edits` ((old, new) pairs) to bpf.h."""
    topic(repo)
    for old, new in edits:
        edit(repo / UAPI, old, new)
    commit_all(repo, message)
    return run_patchflow("regen", "--tree", repo, *args)


def states(report):
    return {name: proof["state"] for name, proof in report["proofs"].items()}


def test_doc_only_change_to_bpf_h_on_a_branch(kernel_clone):
    topic(kernel_clone)
    edit(kernel_clone / UAPI, " * \t\tThe SMP id of the processor running the program.\n",
         " * \t\tThe SMP id of the processor running the program, stable\n * \t\tfor the whole run.\n")
    commit_all(kernel_clone, "bpf: say the SMP id is stable for the whole run")
    before = snapshot(kernel_clone)
    proc = run_patchflow("regen", cwd=kernel_clone)  # the tree around the current directory
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[1].endswith(", the merge-base with origin/master")
    assert lines[2].startswith("branch:    topic at ") and lines[2].endswith(", 1 commit:")
    assert "changed:   bpf_helper_defs.h  comments only: the descriptions of bpf_get_smp_processor_id" in lines
    assert "           bpf-helpers.rst    changed: text of bpf_get_smp_processor_id" in lines
    assert "           bpf-syscall.rst    nothing" in lines
    proofs = proof_lines(proc.stdout)
    assert proofs["generator"] == ("pass", "3 outputs generated before and after the change")
    assert proofs["helpers"] == ("pass", "211 helpers: same names, ids, return and argument types")
    assert proofs["expansion"][0] == "pass"
    assert proofs["late_binding"] == ("n/a", NOT_OVERRIDABLE)
    assert proofs["relocations"] == ("n/a", NOT_OVERRIDABLE)
    assert lines[-1] == "3 of 3 applicable proofs pass (late_binding, relocations not applicable)"
    assert snapshot(kernel_clone) == before

    report = json.loads(run_patchflow("regen", "--format", "json", cwd=kernel_clone).stdout)
    assert report["mode"] == "branch" and report["branch"] == "topic" and report["ok"] is True
    assert report["base"] == git(kernel_clone, "rev-parse", "origin/master").strip()
    assert report["changed"]["bpf_helper_defs.h"]["kind"] == "comments only"
    assert report["changed"]["bpf_helper_defs.h"]["comments"] == ["bpf_get_smp_processor_id"]
    assert report["changed"]["bpf-helpers.rst"]["text"] == ["bpf_get_smp_processor_id"]
    assert states(report) == {"generator": "pass", "helpers": "pass", "expansion": "pass",
                              "late_binding": "not applicable", "relocations": "not applicable"}
    late = report["proofs"]["late_binding"]
    assert late["reason"] == NOT_OVERRIDABLE
    assert late["applies"] == ("when the header after the change declares its helpers through an overridable "
                               "BPF_HELPER macro")


def test_banner_change_to_bpf_doc_py(kernel_clone):
    topic(kernel_clone, "banner")
    edit(kernel_clone / "scripts" / "bpf_doc.py", "/* This is auto-generated file. See bpf_doc.py for details. */",
         "/* This file is generated: see bpf_doc.py for details. */")
    commit_all(kernel_clone, "bpf_doc: reword the banner of the helper header")
    proc = run_patchflow("regen", "--tree", kernel_clone, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    header = report["changed"]["bpf_helper_defs.h"]
    assert (header["kind"], header["summary"]) == (
        "comments only", "comments only: text outside the helpers' descriptions (first: "
                         "`/* This file is generated: see bpf_doc.py for details. */`)")
    assert header["helpers"] == {"added": [], "removed": [], "changed": {}}
    assert report["changed"]["bpf-helpers.rst"]["kind"] == "nothing"
    assert states(report)["late_binding"] == "not applicable"
    assert [name for name, state in states(report).items() if state == "pass"] == ["generator", "helpers",
                                                                                   "expansion"]


def test_bpf_helper_change_committed_on_a_branch(kernel_clone):
    topic(kernel_clone, "bpf-helper")
    git(kernel_clone, "-c", "user.name=Test Author", "-c", "user.email=author@example.org", "am", "-q",
        BUNDLED["6.12"])
    (kernel_clone / "notes.txt").write_text("untracked, and stays\n")
    before = snapshot(kernel_clone)
    proc = run_patchflow("regen", "--tree", kernel_clone)
    assert proc.returncode == 0, proc.stderr
    assert "branch:    bpf-helper at " in proc.stdout
    assert "bpf: wrap helper declarations in an overridable BPF_HELPER() macro" in proc.stdout
    assert ("changed:   bpf_helper_defs.h  declarations written differently, the same 211 helpers, ids and types; "
            "comments: text outside the helpers' descriptions") in proc.stdout
    proofs = proof_lines(proc.stdout)
    assert {name: word for name, (word, _) in proofs.items()} == dict.fromkeys(proofs, "pass")
    assert len(proofs) == 5
    assert proofs["relocations"][1].startswith("4 calls bound by id equal the early-binding code byte for byte")
    assert proc.stdout.rstrip().endswith("5 of 5 applicable proofs pass")
    assert snapshot(kernel_clone) == before


def test_series_directory_with_a_cover_letter(kernel_clone, tmp_path):
    topic(kernel_clone, "series")
    git(kernel_clone, "-c", "user.name=Test Author", "-c", "user.email=author@example.org", "am", "-q",
        BUNDLED["6.12"])
    out = tmp_path / "out" / "v2"
    git(kernel_clone, "format-patch", "-q", "--cover-letter", "-v2", "-o", str(out), "origin/master")
    git(kernel_clone, "switch", "-q", "master")
    cover = out / "v2-0000-cover-letter.patch"
    assert cover.is_file()
    for args in ([str(out)], sorted(str(p) for p in out.iterdir())):  # the directory, and out/v2/*.patch
        proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", *args)
        assert proc.returncode == 0, proc.stderr
        assert f"skipped:   {cover}: a cover letter (no diff)" in proc.stdout
        assert "patch:     [PATCH v2 1/1] bpf: wrap helper declarations in an overridable BPF_HELPER() macro" \
            in proc.stdout
        assert proc.stdout.rstrip().endswith("5 of 5 applicable proofs pass")
    only_cover = run_patchflow("regen", "--tree", kernel_clone, "--patch", cover)
    assert (only_cover.returncode, only_cover.stderr) == (2, f"patchflow: {cover}: no patch to apply "
                                                             "(only cover letters)\n")


def test_a_bpf_h_change_the_generator_rejects_fails_generator(kernel_clone):
    proc = regen_after_commit(kernel_clone, [(" * u32 bpf_get_smp_processor_id(void)\n * \tDescription\n",
                                              " * u32 bpf_get_smp_processor_id(void)\n * \tDescribed\n")],
                              "bpf: a typo in a section name", "--format", "json")
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    generator = report["proofs"]["generator"]
    assert generator["state"] == "fail"
    assert generator["failed"] == ["bpf_helper_defs.h", "bpf-helpers.rst", "bpf-syscall.rst"]
    assert generator["reason"] == ("scripts/bpf_doc.py --header failed on topic: Exception: No description "
                                   "section found for u32 bpf_get_smp_processor_id(void)")
    assert {name: proof["reason"] for name, proof in report["proofs"].items() if name != "generator"} == \
        dict.fromkeys(["helpers", "expansion", "late_binding", "relocations"],
                      "the generator made no header after the change")
    assert report["changed"]["bpf-syscall.rst"]["kind"] == "not generated"
    assert report["ok"] is False


def test_a_changed_helper_signature_fails_helpers(kernel_clone):
    wider = (" * u32 bpf_get_prandom_u32(void)\n", " * u64 bpf_get_prandom_u32(void)\n")
    proc = regen_after_commit(kernel_clone, [wider], "bpf: a wider random number")
    assert proc.returncode == 1, proc.stderr
    assert "changed:   bpf_helper_defs.h  helpers bpf_get_prandom_u32 changed (return type)" in proc.stdout
    assert proof_lines(proc.stdout)["helpers"] == (
        "FAIL", "bpf_get_prandom_u32 changed (return type): before `__u32 bpf_get_prandom_u32(void) = 7`, "
                "after `__u64 bpf_get_prandom_u32(void) = 7` (line 193)")
    assert proof_lines(proc.stdout)["expansion"][0] == "FAIL"  # `__u32` became `__u64`
    assert proc.stdout.rstrip().endswith(
        "1 of 3 applicable proofs pass: helpers, expansion failed (late_binding, relocations not applicable)")


def libbpf_tree(kernel_clone):
    """The bpf-next generator shape with bpf.h from the libbpf fixture, committed: its tip."""
    git(kernel_clone, "-c", "user.name=Test Author", "-c", "user.email=author@example.org", "am", "-q",
        str(SHAPE_PATCH))
    shutil.copyfile(LIBBPF / "bpf.h", kernel_clone / UAPI)
    commit_all(kernel_clone, "bpf: bpf.h of the libbpf sync fixture")


def test_shape_reproduces_libbpf_header_and_bundled_patch_proves_on_it(kernel_clone, tmp_path):
    libbpf_tree(kernel_clone)
    generated = subprocess.run(["python3", "scripts/bpf_doc.py", "--header", "--filename", UAPI],
                               cwd=kernel_clone, capture_output=True, text=True, timeout=120, check=True).stdout
    assert generated == (LIBBPF / "bpf_helper_defs.h").read_text()
    out = tmp_path / "gen"
    proc = run_patchflow("regen", "--tree", kernel_clone, "--bundled", "--out", out, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["mode"] == "bundled" and report["patches"][0]["variant"] == "bpf-next"
    assert states(report) == dict.fromkeys(["generator", "helpers", "expansion", "late_binding", "relocations"],
                                           "pass")
    assert report["proofs"]["helpers"]["count"] == 8
    assert (out / "before" / "bpf_helper_defs.h").read_text() == (LIBBPF / "bpf_helper_defs.h").read_text()
    after = (out / "after" / "bpf_helper_defs.h").read_text()
    assert "BPF_HELPER(__bpf_fastcall __u32, bpf_get_smp_processor_id, (void), 8);" in after


def test_a_new_helper_is_listed_and_the_rest_still_proven(kernel_clone):
    described = (" *\t\t**-ENOENT** if the bpf_local_storage cannot be found.\n */\n#define ___BPF_FUNC_MAPPER",
                 " *\t\t**-ENOENT** if the bpf_local_storage cannot be found.\n *\n"
                 " * u64 bpf_get_answer(void)\n *\tDescription\n *\t\tThe answer.\n *\tReturn\n *\t\t42.\n */\n"
                 "#define ___BPF_FUNC_MAPPER")
    numbered = ("\tFN(cgrp_storage_delete, 211, ##ctx)\t\t\\\n",
                "\tFN(cgrp_storage_delete, 211, ##ctx)\t\t\\\n\tFN(get_answer, 212, ##ctx)\t\t\t\\\n")
    proc = regen_after_commit(kernel_clone, [described, numbered], "bpf: add bpf_get_answer()")
    assert proc.returncode == 0, proc.stderr
    assert "changed:   bpf_helper_defs.h  helpers added bpf_get_answer" in proc.stdout
    assert "           bpf-helpers.rst    changed: text of bpf_get_answer" in proc.stdout
    proofs = proof_lines(proc.stdout)
    assert proofs["helpers"] == ("pass", "211 helpers: same names, ids, return and argument types; "
                                         "added bpf_get_answer (id 212)")
    assert proofs["expansion"][0] == "pass"
    assert proofs["expansion"][1].endswith(" C tokens identical (1 added helper declaration aside)")


def test_the_base_a_branch_is_compared_with(kernel_clone, tmp_path):
    git(kernel_clone, "switch", "-q", "-c", "local")  # no upstream: HEAD~1
    for number in (1, 2):
        edit(kernel_clone / UAPI, f" * \t\tThe SMP id of the processor running the program{'.' * number}\n",
             f" * \t\tThe SMP id of the processor running the program{'.' * (number + 1)}\n")
        commit_all(kernel_clone, f"bpf: dot {number}")
    report = json.loads(run_patchflow("regen", "--tree", kernel_clone, "--format", "json").stdout)
    assert report["base_chosen"] == "the merge-base with origin/master"  # origin/HEAD, the remote's default
    assert [c["subject"] for c in report["commits"]] == ["bpf: dot 1", "bpf: dot 2"]
    git(kernel_clone, "remote", "remove", "origin")
    report = json.loads(run_patchflow("regen", "--tree", kernel_clone, "--format", "json").stdout)
    assert report["base_chosen"] == "HEAD~1 (local has no upstream branch)"
    assert [c["subject"] for c in report["commits"]] == ["bpf: dot 2"]
    report = json.loads(run_patchflow("regen", "--tree", kernel_clone, "--base", "HEAD~2", "--format",
                                      "json").stdout)
    assert (report["base_chosen"], len(report["commits"])) == ("--base HEAD~2", 2)
    (kernel_clone / UAPI).write_text((kernel_clone / UAPI).read_text() + "/* not committed */\n")
    same = run_patchflow("regen", "--tree", kernel_clone, "--base", "HEAD")
    assert (same.returncode, same.stderr) == (2, "patchflow: --base HEAD: nothing to compare, it is HEAD; give an "
                                                 "older commit, --patch FILE or --bundled\n")
    proc = run_patchflow("regen", "--tree", kernel_clone)
    assert ("note:      uncommitted changes to include/uapi/linux/bpf.h are not compared: commit them first"
            in proc.stdout)
    outside = run_patchflow("regen", cwd=tmp_path)
    assert (outside.returncode, outside.stderr) == (
        2, f"patchflow: {tmp_path} is not in a git work tree: run regen in your kernel tree or give --tree\n")


def test_an_mbox_with_a_cover_letter(kernel_clone, tmp_path):
    topic(kernel_clone, "mbox")
    git(kernel_clone, "-c", "user.name=Test Author", "-c", "user.email=author@example.org", "am", "-q",
        BUNDLED["6.12"])
    mbox = tmp_path / "series.mbox"
    mbox.write_text(git(kernel_clone, "format-patch", "--stdout", "--cover-letter", "origin/master"))
    git(kernel_clone, "switch", "-q", "master")
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", mbox, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["skipped"] == [{"name": str(mbox), "reason": "a cover letter (no diff)"}]
    assert [p["subject"] for p in report["patches"]] == [
        "[PATCH 1/1] bpf: wrap helper declarations in an overridable BPF_HELPER() macro"]
    assert report["ok"] is True and report["proofs"]["relocations"]["state"] == "pass"


def test_a_renamed_parameter_changes_no_declaration(kernel_clone):
    # bpf-next renamed bpf_kptr_xchg's first parameter from map_value to dst in 2024 (between the libbpf
    # syncs of 2024-04-24 and 2024-10-08); 6.12 has dst, so the test renames it back. A parameter's
    # name is not part of the declaration.
    proc = regen_after_commit(kernel_clone, [(" * void *bpf_kptr_xchg(void *dst, void *ptr)\n",
                                              " * void *bpf_kptr_xchg(void *map_value, void *ptr)\n")],
                              "bpf: rename the first parameter of bpf_kptr_xchg", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    header = report["changed"]["bpf_helper_defs.h"]
    assert header["summary"] == "parameter names only: bpf_kptr_xchg"
    assert header["renamed_parameters"] == ["bpf_kptr_xchg"]
    expansion = report["proofs"]["expansion"]
    assert expansion["state"] == "pass" and expansion["renamed_parameters"] == ["bpf_kptr_xchg"]
    assert expansion["reason"].endswith(" C tokens identical (the parameter names of bpf_kptr_xchg aside)")
    assert report["proofs"]["helpers"]["state"] == "pass"


def test_a_patch_on_standard_input(kernel_clone):
    proc = run_patchflow("regen", "--tree", kernel_clone, "--patch", "-", input=Path(BUNDLED["6.12"]).read_text())
    assert proc.returncode == 0, proc.stderr
    assert "patch:     [PATCH bpf-next] bpf: wrap helper declarations in an overridable BPF_HELPER() macro" \
        in proc.stdout
    assert proc.stdout.rstrip().endswith("5 of 5 applicable proofs pass")


def test_a_manual_page_whose_date_alone_changed_reads_nothing():
    # bpf_doc.py writes `git describe` and the date of the last commit to its doc comment into the
    # pages: any two commits may differ there
    from patchflow.regen.changes import rst_change

    before = (":Version: Linux v6.12\n:Date: 2024-11-17\n\nHELPERS\n=======\n\n"
              "**u64 bpf_ktime_get_ns(void)**\n\tDescription\n\t\tThe time.\n\n")
    after = before.replace("2024-11-17", "2026-12-01")
    change = rst_change("bpf-helpers.rst", before, after)
    assert (change.kind, change.summary) == ("nothing",
                                             "nothing but its :Version:/:Date: lines (git describe, git log)")
    edited = rst_change("bpf-helpers.rst", before, after.replace("The time.", "The time since boot."))
    assert (edited.kind, edited.summary) == ("text", "changed: text of bpf_ktime_get_ns")
