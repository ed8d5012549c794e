"""`patchflow check -g` (commits of the current repository) and `-f` (whole files), side by side with
checkpatch.pl -g and -f on the same commits and files."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from test_checkpatch_agreement import SHARED_TYPES
from test_checkpatch_message import MESSAGE_TYPES, TREE_TYPES

COMPARED = (SHARED_TYPES | MESSAGE_TYPES) - TREE_TYPES
_TERSE = re.compile(r"^(.*?):(\d+): (?:ERROR|WARNING|CHECK):([A-Z0-9_]+): ")
ENV = dict(os.environ, GIT_AUTHOR_NAME="Jane Doe", GIT_AUTHOR_EMAIL="jane@example.org",
           GIT_COMMITTER_NAME="Jane Doe", GIT_COMMITTER_EMAIL="jane@example.org",
           GIT_AUTHOR_DATE="2024-11-20T10:00:00+00:00", GIT_COMMITTER_DATE="2024-11-20T10:00:00+00:00",
           GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
SOURCE = """\
// SPDX-License-Identifier: GPL-2.0
#include <linux/string.h>

static int veth_copy(char *name)
{
\tstrcpy(name, "veth");
\treturn 0;
}
"""
TYPO_SOURCE = SOURCE.replace("\treturn 0;", "\t/* recieve nothing more */\n\treturn -ENOSYS;")


def git(repo, *args):
    return subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, text=True,
                          timeout=60).stdout


@pytest.fixture
def repo(tmp_path):
    """A repository of three commits: a new file, a change with a misspelled message, a clean change."""
    repo = tmp_path / "repo"
    (repo / "drivers" / "net").mkdir(parents=True)
    git(repo, "init", "-q")
    source = repo / "drivers" / "net" / "veth_copy.c"
    source.write_text(SOURCE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-s", "-m", "net: veth: Add veth_copy()", "-m", "Copy the name.")
    source.write_text(TYPO_SOURCE)
    git(repo, "commit", "-q", "-s", "-a", "-m", "net: veth: Refuse the copy", "-m",
        "The copy does not recieve anything: refuse it.")
    source.write_text(TYPO_SOURCE.replace("-ENOSYS", "-EOPNOTSUPP"))
    git(repo, "commit", "-q", "-s", "-a", "-m", "net: veth: Return EOPNOTSUPP", "-m", "ENOSYS is for syscalls.")
    return repo


def checkpatch_terse(kernel_tree, cwd, *args):
    proc = subprocess.run(["perl", str(kernel_tree / "scripts" / "checkpatch.pl"), "--strict", "--no-tree",
                           "--show-types", "--terse", "--color=never", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)
    return sorted((int(m.group(2)), m.group(3)) for m in map(_TERSE.match, proc.stdout.splitlines())
                  if m and m.group(3) in COMPARED)


def ours(out, patch=None):
    return sorted((f["patch_line"], f["type"]) for f in json.loads(out)["findings"]
                  if f["type"] in COMPARED and (patch is None or f["patch"] == patch))


def test_g_range_checks_each_commit_as_checkpatch_g_does(repo, kernel_tree, run_cli, monkeypatch):
    monkeypatch.chdir(repo)
    status, out, err = run_cli("check", "--strict", "--terse", "-g", "HEAD~2..HEAD")
    ids = git(repo, "log", "--format=%h", "--abbrev=12", "--reverse", "HEAD~2..HEAD").split()
    assert status == 1 and err == ""
    names = [line.split(": total:")[0] for line in out.splitlines() if ": total:" in line]
    assert names == [f'Commit {ids[0]} ("net: veth: Refuse the copy")',
                     f'Commit {ids[1]} ("net: veth: Return EOPNOTSUPP")']
    assert f'{names[0]}:6: WARNING:TYPO_SPELLING: \'recieve\' may be misspelled - perhaps \'receive\'?' in out
    status, out, err = run_cli("check", "--strict", "--format", "json", "-g", "HEAD~2..HEAD")
    for commit, name in zip(ids, names):
        assert ours(out, name) == checkpatch_terse(kernel_tree, repo, "-g", commit)


@pytest.mark.parametrize("expression", ["HEAD", "HEAD~1", "HEAD-3"])
def test_g_single_revisions_and_counts(repo, kernel_tree, run_cli, monkeypatch, expression):
    monkeypatch.chdir(repo)
    status, out, err = run_cli("check", "--strict", "--format", "json", "-g", expression)
    expected = []
    for commit in git(repo, "log", "--format=%H", "--reverse", *(["-3", "HEAD"] if "-" in expression
                                                                  else ["-1", expression])).split():
        expected += checkpatch_terse(kernel_tree, repo, "-g", commit)
    assert ours(out) == sorted(expected) and err == ""
    # the first two commits have findings (STRCPY; the misspelling and ENOSYS), each under its own name
    named = {f["patch"] for f in json.loads(out)["findings"]}
    assert len(named) == {"HEAD": 0, "HEAD~1": 1, "HEAD-3": 2}[expression]


def test_g_outside_a_repository_or_with_a_bad_revision_is_one_line(tmp_path, repo, run_cli, monkeypatch):
    monkeypatch.chdir(repo)
    status, out, err = run_cli("check", "-g", "no-such-branch")
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("patchflow: -g no-such-branch: ")
    monkeypatch.chdir(tmp_path)
    status, out, err = run_cli("check", "-g", "HEAD")
    assert status == 2 and len(err.splitlines()) == 1 and "not a git repository" in err


def test_f_checks_every_line_of_a_file_as_checkpatch_f(repo, kernel_tree, run_cli, monkeypatch):
    monkeypatch.chdir(repo)
    path = "drivers/net/veth_copy.c"
    (repo / path).write_text(TYPO_SOURCE.replace("static int veth_copy", "static int veth_copy(unsigned n,")
                             .replace("(char *name)", " char *name)"))
    status, out, err = run_cli("check", "--strict", "--format", "json", "-f", path)
    assert status == 1 and err == ""
    found = ours(out)
    assert found == checkpatch_terse(kernel_tree, repo, "-f", path)
    assert (6, "STRCPY") in found and (7, "TYPO_SPELLING") in found and (8, "ENOSYS") in found
    status, out, err = run_cli("check", "--strict", "--terse", "-f", path)
    # a misspelling in a whole file is a CHECK, as checkpatch -f makes it
    assert f"{path}:7: CHECK:TYPO_SPELLING: 'recieve' may be misspelled - perhaps 'receive'?" in out


def test_f_of_a_missing_file_and_g_with_f_are_refused(repo, run_cli, monkeypatch):
    monkeypatch.chdir(repo)
    assert run_cli("check", "-f", "nothing.c") == (2, "", "patchflow: nothing.c: no such file\n")
    status, out, err = run_cli("check", "-g", "-f", "HEAD")
    assert status == 2 and err == "patchflow: -g and -f: give commits or files, not both\n"
