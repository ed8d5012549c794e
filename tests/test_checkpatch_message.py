"""The commit-message, tree and API types of issue 13 agree with the kernel's own checkpatch.pl on every
case under tests/patches/ (the comparison of test_checkpatch_agreement.py, for these types).

The commit ids of a message can only be checked against a history, so both tools read the same one:
checkpatch runs inside a clone of `release_history()` (it looks ids up in the git tree of its working
directory), and patchflow gets `--tree` pointing at that clone. Cases that bring a tree of their own
(`# args: --tree {kernel_tree}`) are compared on the types that need no tree; those that name
`{release_history}` are compared on all (checkpatch reads a clone of it).
"""

from __future__ import annotations

import json
import subprocess

import pytest

from patch_cases import case_files, read_expected, release_history
from test_checkpatch_agreement import checkpatch_args, checkpatch_on_file, compare

MESSAGE_TYPES = {
    "UNKNOWN_COMMIT_ID", "GIT_COMMIT_ID", "COMMIT_COMMENT_SYMBOL", "BAD_SIGN_OFF", "BAD_REPORTED_BY_LINK",
    "MISSING_FIXES_TAG", "TYPO_SPELLING", "FILE_PATH_CHANGES", "EMBEDDED_FILENAME", "SPDX_LICENSE_TAG",
    "STRCPY", "ENOSYS", "VOLATILE", "BIT_MACRO", "UNCOMMENTED_DEFINITION", "EMBEDDED_FUNCTION_NAME",
    "UNSPECIFIED_INT", "AVOID_EXTERNS", "CAMELCASE", "MEMORY_BARRIER", "FUNCTION_ARGUMENTS", "REPEATED_WORD",
}
# these read the history or the tree's headers: compared only where both tools read the same tree
TREE_TYPES = {"UNKNOWN_COMMIT_ID", "GIT_COMMIT_ID", "CAMELCASE"}

# (case, type): why patchflow reports differently. Each must still differ, or it is taken out.
DELIBERATE = {}

CASES = case_files()


def _history_clone(tmp_path):
    clone = tmp_path / "history"
    subprocess.run(["git", "clone", "-q", "--shared", str(release_history()), str(clone)], check=True, timeout=60)
    return clone


def findings_of_both(case, kernel_tree, run_cli, tmp_path):
    """(types compared, checkpatch's findings, patchflow's findings) for one case."""
    args, _ = read_expected(case, kernel_tree)
    if "--tree" in args and str(release_history()) in args:
        shared, where, extra = MESSAGE_TYPES, _history_clone(tmp_path), []  # the same history for both
    elif "--tree" in args:
        shared, where, extra = MESSAGE_TYPES - TREE_TYPES, tmp_path, []
    else:
        shared, where = MESSAGE_TYPES, _history_clone(tmp_path)
        extra = ["--tree", str(where)]
    theirs = checkpatch_on_file(kernel_tree / "scripts" / "checkpatch.pl", case, where, checkpatch_args(args))
    status, out, err = run_cli("check", "--strict", "--format", "json", *args, *extra, case)
    ours = [(f["type"], f["patch_line"]) for f in json.loads(out)["findings"]]
    return shared, theirs, ours


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_message_findings_as_checkpatch(case, kernel_tree, run_cli, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    shared, theirs, ours = findings_of_both(case, kernel_tree, run_cli, tmp_path)
    compare(case, shared, theirs, ours, DELIBERATE)


def test_every_message_type_is_seen_by_both_tools(kernel_tree, run_cli, monkeypatch, tmp_path):
    """The comparison is not vacuous: each type is reported by both tools on some case."""
    monkeypatch.chdir(tmp_path)
    seen_theirs, seen_ours = set(), set()
    for index, case in enumerate(CASES):
        args, expected = read_expected(case, kernel_tree)
        if not {t for t, _ in expected} & MESSAGE_TYPES:
            continue
        where = tmp_path / str(index)
        where.mkdir()
        shared, theirs, ours = findings_of_both(case, kernel_tree, run_cli, where)
        seen_theirs.update(t for t, _ in theirs if t in shared)
        seen_ours.update(t for t, _ in ours if t in shared)
    assert sorted(MESSAGE_TYPES - seen_theirs) == [] and sorted(MESSAGE_TYPES - seen_ours) == []


def test_message_types_are_registered():
    from patchflow.checks import registry

    assert sorted(MESSAGE_TYPES - set(registry())) == []
