"""`patchflow format` on a git fixture built from the 6.12 source, with its real MAINTAINERS."""

import email
import email.policy
import os
import subprocess
from pathlib import Path

import pytest

BANNER_OLD = "/* This is auto-generated file. See bpf_doc.py for details. */"
BANNER_NEW = "/* This is an auto-generated file. See bpf_doc.py for details. */"
STRICT_OLD = "/* as of v1.0 libbpf_set_strict_mode() is a no-op */"
STRICT_NEW = "/* as of v1.0 libbpf_set_strict_mode() is a no-op, kept for ABI */"
DEV_OLD = "/* We reserved the ifindex, this can't fail */"
DEV_NEW = "/* The ifindex is reserved already: this cannot fail */"

BPF_DOC_SUBJECT = "bpf_doc: add the missing article to the generated header's banner"
LIBBPF_SUBJECT = "libbpf: say why libbpf_set_strict_mode() is kept"
DESCRIPTION = ("bpf: two comment fixes in bpf_doc and libbpf\n\n"
               "Two small fixes found while reading the generated helper definitions.\n")
CHANGES_V2 = "- reword the libbpf comment (Andrii)\n- drop the selftests change"
LINK_V1 = "https://lore.kernel.org/bpf/20241117-fixes-v1-0-1@example.org/"


def git(repo, *args, env=None):
    full = dict(os.environ, **(env or {}))
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True,
                          timeout=120, env=full).stdout


def change(repo, path, old, new, subject, body="Make the comment say what the code does.", date=None):
    """Commit a one-line change to a real file of the tree."""
    full = Path(repo) / path
    text = full.read_text()
    assert text.count(old) == 1, (path, old)
    full.write_text(text.replace(old, new))
    env = {"GIT_AUTHOR_DATE": date} if date else None
    git(repo, "commit", "-q", "-s", "-a", "-m", subject, "-m", body, env=env)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def bpf_topic(kernel_clone, monkeypatch):
    """The clone on branch `topic`: two commits on top of master, one to scripts/bpf_doc.py and one
    to tools/lib/bpf/libbpf.c; `bpf-next` names the clone itself (git config patchflow.tree)."""
    git(kernel_clone, "checkout", "-q", "-b", "topic")
    change(kernel_clone, "scripts/bpf_doc.py", BANNER_OLD, BANNER_NEW, BPF_DOC_SUBJECT,
           "The banner bpf_doc.py writes at the top of bpf_helper_defs.h lacks an\narticle. Add it.",
           date="2024-11-20T10:00:00+01:00")
    change(kernel_clone, "tools/lib/bpf/libbpf.c", STRICT_OLD, STRICT_NEW, LIBBPF_SUBJECT,
           "The function does nothing since v1.0; it stays for binary compatibility.\nSay so.",
           date="2024-11-20T11:00:00+01:00")
    git(kernel_clone, "config", "patchflow.tree.bpf-next.path", str(kernel_clone))
    monkeypatch.chdir(kernel_clone)
    return kernel_clone


def read_mail(path):
    with open(path, "rb") as handle:
        return email.message_from_binary_file(handle, policy=email.policy.default)


def addresses(header):
    return [str(a) for a in header.addresses] if header else []


def get_maintainer(tree, *patches, keywords=True):
    """What the tree's scripts/get_maintainer.pl names for patch files (keywords on, as by default)."""
    proc = subprocess.run(["perl", "scripts/get_maintainer.pl", "--no-git", "--no-git-fallback", "--no-rolestats",
                           *([] if keywords else ["--no-keywords"]), *map(str, patches)],
                          cwd=tree, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split("\n")


def files_in(directory):
    return sorted(p.name for p in Path(directory).iterdir()) if Path(directory).exists() else []


def test_bpf_next_v2_series_gives_three_right_files(bpf_topic, run_cli, tmp_path):
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    changes = tmp_path / "changes-v2.txt"
    changes.write_text(CHANGES_V2 + "\n")
    out = tmp_path / "outgoing"
    state = ("for-each-ref", "--format=%(refname) %(objectname)"), ("status", "--porcelain=v2", "--branch")
    before = [git(bpf_topic, *command) for command in state]
    status, stdout, stderr = run_cli("format", "master..topic", "--tree", "bpf-next", "-v", "2",
                                     "--changes", changes, "--prev-link", LINK_V1, "-o", out)
    assert status == 0, stderr
    assert [git(bpf_topic, *command) for command in state] == before  # refs, HEAD, index, files
    names = files_in(out)
    assert names == ["v2-0000-cover-letter.patch",
                     "v2-0001-bpf_doc-add-the-missing-article-to-the-generated-.patch",
                     "v2-0002-libbpf-say-why-libbpf_set_strict_mode-is-kept.patch"]
    cover, first, second = (read_mail(out / name) for name in names)
    assert cover["Subject"] == "[PATCH bpf-next v2 0/2] bpf: two comment fixes in bpf_doc and libbpf"
    assert first["Subject"] == f"[PATCH bpf-next v2 1/2] {BPF_DOC_SUBJECT}"
    assert second["Subject"] == f"[PATCH bpf-next v2 2/2] {LIBBPF_SUBJECT}"

    # recipients: what get_maintainer.pl names for the two patches, maintainers and lists on To
    to, cc = addresses(first["To"]), addresses(first["Cc"])
    assert to[:2] == ["Alexei Starovoitov <ast@kernel.org>", "Daniel Borkmann <daniel@iogearbox.net>"]
    assert "Andrii Nakryiko <andrii@kernel.org>" in to and "bpf@vger.kernel.org" in to
    assert "Song Liu <song@kernel.org>" in cc and "Song Liu <song@kernel.org>" not in to
    theirs = [line for line in get_maintainer(bpf_topic, out / names[1], out / names[2]) if line]
    assert sorted(to + cc) == sorted(theirs)
    assert all(addresses(mail["To"]) == to and addresses(mail["Cc"]) == cc for mail in (cover, second))

    cover_text = (out / names[0]).read_text()
    base = git(bpf_topic, "rev-parse", "master").strip()
    assert f"\nbase-commit: {base}\n" in cover_text
    assert "base-commit" not in (out / names[1]).read_text()
    assert ("Two small fixes found while reading the generated helper definitions.\n\n"
            f"Changes in v2:\n{CHANGES_V2}\n- Link to v1: {LINK_V1}\n\n"
            "Test Author (2):\n") in cover_text
    assert git(bpf_topic, "config", "branch.topic.patchflow-changes-v2") == CHANGES_V2 + "\n"
    assert git(bpf_topic, "config", "branch.topic.patchflow-link-v1").strip() == LINK_V1
    assert f"git send-email {out}/v2-0000-cover-letter.patch" in stdout

    # git am of the files on the base gives back the same commits: trees, messages, authors; replayed
    # with the original committer and commit date, even the same commit ids
    applied = tmp_path / "applied"
    git(bpf_topic, "worktree", "add", "-q", "--detach", str(applied), "master")
    try:
        originals = git(bpf_topic, "rev-list", "--reverse", "master..topic").split()
        for original, name in zip(originals, names[1:]):
            committer = git(bpf_topic, "log", "-1", "--format=%cn%n%ce%n%cI", original).split("\n")
            git(applied, "am", "-q", str(out / name), env={
                "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1],
                "GIT_COMMITTER_DATE": committer[2]})
        shape = "%T%n%an <%ae>%n%aI%n%B"
        assert (git(applied, "log", f"--format={shape}", "-2")
                == git(bpf_topic, "log", f"--format={shape}", "-2", "topic"))
        assert git(applied, "rev-parse", "HEAD") == git(bpf_topic, "rev-parse", "topic")
    finally:
        git(bpf_topic, "worktree", "remove", "--force", str(applied))


def test_v3_still_shows_the_changes_of_v2(bpf_topic, run_cli, tmp_path):
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    v2, v3 = tmp_path / "v2.txt", tmp_path / "v3.txt"
    v2.write_text(CHANGES_V2)
    v3.write_text("- rebase on bpf-next")
    out = tmp_path / "out"
    assert run_cli("format", "master..topic", "--tree", "bpf-next", "-v", "2", "--changes", v2,
                   "--prev-link", LINK_V1, "-o", out)[0] == 0
    status, _, stderr = run_cli("format", "master..topic", "--tree", "bpf-next", "-v", "3", "--changes", v3, "-o", out)
    assert status == 0, stderr
    cover = (out / "v3-0000-cover-letter.patch").read_text()
    assert (f"Changes in v3:\n- rebase on bpf-next\n\nChanges in v2:\n{CHANGES_V2}\n- Link to v1: {LINK_V1}\n\n"
            in cover)
    assert "[PATCH bpf-next v3 0/2]" in cover
    assert len(files_in(out)) == 6  # v2's files are still there, beside v3's


def test_lone_patch_has_no_cover_letter_and_its_changelog_below_the_line(bpf_topic, run_cli, tmp_path):
    changes = tmp_path / "changes.txt"
    changes.write_text("- say ABI, not binary compatibility\n")
    out = tmp_path / "out"
    status, _, stderr = run_cli("format", "-1", "--tree", str(bpf_topic), "-v", "2", "--changes", changes, "-o", out)
    assert status == 0, stderr
    assert files_in(out) == ["v2-0001-libbpf-say-why-libbpf_set_strict_mode-is-kept.patch"]
    text = (out / files_in(out)[0]).read_text()
    assert f"\nSubject: [PATCH bpf-next v2] {LIBBPF_SUBJECT}\n" in text
    assert ("Signed-off-by: Test Author <author@example.org>\n---\n"
            "Changes in v2:\n- say ABI, not binary compatibility\n\n"
            " tools/lib/bpf/libbpf.c | 2 +-\n") in text
    parent = git(bpf_topic, "rev-parse", "topic~1").strip()
    assert f"\nbase-commit: {parent}\n" in text
    # git am leaves the changelog out of the commit
    applied = tmp_path / "applied"
    git(bpf_topic, "worktree", "add", "-q", "--detach", str(applied), "topic~1")
    try:
        git(applied, "am", "-q", str(out / files_in(out)[0]))
        assert git(applied, "log", "-1", "--format=%B") == git(bpf_topic, "log", "-1", "--format=%B", "topic")
        assert git(applied, "rev-parse", "HEAD^{tree}") == git(bpf_topic, "rev-parse", "topic^{tree}")
    finally:
        git(bpf_topic, "worktree", "remove", "--force", str(applied))


def test_a_style_nit_is_refused_by_the_gate(bpf_topic, run_cli, tmp_path):
    change(bpf_topic, "net/core/dev.c", DEV_OLD, DEV_NEW + " ",
           "net: core: reword the comment after the ifindex reservation so that it reads better than before")
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    changes = tmp_path / "changes.txt"
    changes.write_text("- something")
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "-1", "-v", "2", "--changes", changes, "-o", out)
    assert status == 1
    assert "WARNING:SUBJECT_TOO_LONG: Subject summary is 95 characters, over 75" in stdout
    assert "ERROR:TRAILING_WHITESPACE: trailing whitespace\n#34: FILE: net/core/dev.c:414:\n" in stdout
    commit = git(bpf_topic, "rev-parse", "--short=12", "HEAD").strip()
    assert stderr.splitlines() == ["patchflow: the check found 1 error(s) and 1 warning(s) in the patches: "
                                   f"nothing written; fix commit {commit} (\"net: core: reword the comment after "
                                   "the ifindex reservation so that it reads better than before\") (or give --no-check)"]
    assert not out.exists()
    assert not [name for name in os.listdir(tmp_path) if name.startswith(".patchflow")]
    assert git(bpf_topic, "config", "--get-regexp", "^branch\\.topic\\.", ).count("patchflow") == 0
    # --no-check writes it all the same
    assert run_cli("format", "-1", "--no-check", "-o", out)[0] == 0
    assert files_in(out) == ["0001-net-core-reword-the-comment-after-the-ifindex-reserv.patch"]


def test_a_cover_letter_without_text_is_refused(bpf_topic, run_cli, tmp_path):
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "master..topic", "-o", out)
    assert status == 1
    assert "ERROR:COVER_LETTER_PLACEHOLDER: Cover letter subject is git's placeholder" in stdout
    assert "ERROR:COVER_LETTER_PLACEHOLDER: Cover letter body is git's placeholder" in stdout
    assert not out.exists()
    # a text from --cover-letter FILE takes the placeholders' place
    letter = tmp_path / "cover.txt"
    letter.write_text("bpf: comment fixes\n\nTwo comments that say what the code does.\n")
    status, _, stderr = run_cli("format", "master..topic", "--cover-letter", letter, "-o", out)
    assert status == 0, stderr
    cover = (out / "0000-cover-letter.patch").read_text()
    assert "Subject: [PATCH bpf-next 0/2] bpf: comment fixes\n" in cover
    assert "\nTwo comments that say what the code does.\n\nTest Author (2):\n" in cover


def test_files_of_two_trees_give_the_disagreement_error(bpf_topic, run_cli, tmp_path):
    change(bpf_topic, "net/core/dev.c", DEV_OLD, DEV_NEW, "net: core: reword the ifindex comment")
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "master..topic", "-o", out)
    assert status == 2
    assert stderr.splitlines() == [
        "patchflow: the files belong to different trees: scripts/bpf_doc.py (bpf-next); "
        "tools/lib/bpf/libbpf.c (bpf-next); net/core/dev.c (net-next); split the series, "
        "or name the tree with --tag or --tree"]
    assert stdout == "" and not out.exists()


def test_net_core_filter_goes_to_bpf_next(bpf_topic, run_cli, tmp_path):
    """net/core/filter.c is under both BPF and NETWORKING: the most specific entry's tree wins."""
    git(bpf_topic, "checkout", "-q", "-b", "filter", "master")
    change(bpf_topic, "net/core/filter.c", "#include <linux/atomic.h>\n", "#include <linux/atomic.h>\n\n",
           "bpf: filter: separate the includes")
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "-1", "--no-check", "-o", out)
    assert status == 0, stderr
    text = (out / files_in(out)[0]).read_text()
    assert "Subject: [PATCH bpf-next] bpf: filter: separate the includes" in text
    assert "netdev@vger.kernel.org" in read_mail(out / files_in(out)[0])["To"]


def test_range_with_no_commits(bpf_topic, run_cli, tmp_path):
    status, stdout, stderr = run_cli("format", "topic..topic", "-o", tmp_path / "out")
    assert (status, stdout) == (2, "")
    assert stderr.splitlines() == ["patchflow: range topic..topic: no commits (nothing to format)"]
    assert not (tmp_path / "out").exists()


def test_range_with_a_merge_commit(bpf_topic, run_cli, tmp_path):
    git(bpf_topic, "checkout", "-q", "-b", "side", "master")
    change(bpf_topic, "net/core/dev.c", DEV_OLD, DEV_NEW, "net: core: reword the ifindex comment")
    git(bpf_topic, "checkout", "-q", "topic")
    git(bpf_topic, "merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side")
    status, stdout, stderr = run_cli("format", "master..topic", "-o", tmp_path / "out")
    assert (status, stdout) == (2, "")
    lines = stderr.splitlines()
    assert len(lines) == 1 and "(\"Merge branch 'side'\") is a merge commit" in lines[0]
    assert not (tmp_path / "out").exists()


def test_dirty_work_tree_formats_the_commits_and_warns(bpf_topic, run_cli, tmp_path):
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    (bpf_topic / "scripts" / "bpf_doc.py").write_text("# not committed\n")
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "master..topic", "-o", out)
    assert status == 0
    assert ("patchflow: warning: the work tree has uncommitted changes: they are not in the patches, "
            "which are made from the commits") in stderr
    assert "not committed" not in "".join(p.read_text() for p in out.iterdir())
    assert len(files_in(out)) == 3


@pytest.mark.parametrize("where", ["file", "file/sub"])
def test_output_directory_that_cannot_be_written(bpf_topic, run_cli, tmp_path, where):
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a directory\n")
    status, stdout, stderr = run_cli("format", "master..topic", "-o", tmp_path / where)
    assert (status, stdout) == (2, "")
    assert len(stderr.splitlines()) == 1 and stderr.startswith(f"patchflow: {tmp_path / where}: ")
    assert sorted(os.listdir(tmp_path)) == ["file", "linux"]
    assert blocker.read_text() == "a file, not a directory\n"


def test_refused_run_leaves_the_earlier_files(bpf_topic, run_cli, tmp_path):
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    out = tmp_path / "out"
    assert run_cli("format", "master..topic", "-o", out)[0] == 0
    before = {name: (out / name).read_bytes() for name in files_in(out)}
    git(bpf_topic, "config", "--unset", "branch.topic.description")
    assert run_cli("format", "master..topic", "-o", out)[0] == 1
    assert {name: (out / name).read_bytes() for name in files_in(out)} == before


def user_topic_clone(kernel_tree, tmp_path, branch="topic"):
    """The user's own clone of the tree, with one libbpf commit on a new branch `branch` (None: on
    the clone's own branch)."""
    user = tmp_path / "user"
    git(tmp_path, "clone", "-q", str(kernel_tree), str(user))
    git(user, "config", "user.name", "Test Author")
    git(user, "config", "user.email", "author@example.org")
    if branch:
        git(user, "checkout", "-q", "-b", branch)
    change(user, "tools/lib/bpf/libbpf.c", STRICT_OLD, STRICT_NEW, LIBBPF_SUBJECT)
    return user


def test_default_range_and_rebase_check_against_another_tree(kernel_tree, kernel_clone, run_cli, tmp_path,
                                                            monkeypatch):
    """The user's repository is one clone, the tree (as `--tree PATH`) another that moved on."""
    user = user_topic_clone(kernel_tree, tmp_path)
    monkeypatch.chdir(user)

    # no range: the commits not on the tree's tip (here the cached tree, whose tip is the base)
    status, stdout, stderr = run_cli("format", "--tree", kernel_tree, "--no-check", "-o", tmp_path / "a")
    assert status == 0, stderr
    assert files_in(tmp_path / "a") == ["0001-libbpf-say-why-libbpf_set_strict_mode-is-kept.patch"]
    assert "warning" not in stderr

    # the tree moves on with a change to the same line: the base is behind, the series conflicts
    change(kernel_clone, "tools/lib/bpf/libbpf.c", STRICT_OLD, "/* a no-op since v1.0 */",
           "libbpf: shorten a comment")
    status, stdout, stderr = run_cli("format", "-1", "--tree", kernel_clone, "--rebase-check", "-o", tmp_path / "b")
    assert status == 1
    base = git(user, "rev-parse", "topic~1").strip()
    tip = git(kernel_clone, "rev-parse", "HEAD").strip()
    assert (f"patchflow: warning: base-commit {base[:12]} is 1 commit(s) behind bpf-next's tip {tip[:12]}"
            in stderr)
    assert (f"patchflow: rebase check: 0001-libbpf-say-why-libbpf_set_strict_mode-is-kept.patch (patch 1/1) "
            f"does not apply on bpf-next's tip {tip[:12]}: CONFLICT (content): Merge conflict in tools/lib/bpf/libbpf.c; "
            f"nothing written") in stderr
    assert not (tmp_path / "b").exists()
    assert git(kernel_clone, "worktree", "list").count("\n") == 1
    assert git(kernel_clone, "status", "--porcelain") == ""

    # a tip that does not touch the line: the series applies
    git(kernel_clone, "reset", "-q", "--hard", "HEAD~1")
    change(kernel_clone, "scripts/bpf_doc.py", BANNER_OLD, BANNER_NEW, "bpf_doc: banner")
    status, stdout, stderr = run_cli("format", "-1", "--tree", kernel_clone, "--rebase-check", "-o", tmp_path / "b")
    assert status == 0, stderr
    assert "rebase check: the series applies on bpf-next's tip" in stderr
    assert git(kernel_clone, "worktree", "list").count("\n") == 1


def test_rfc_and_added_recipients_without_maintainers(bpf_topic, run_cli, tmp_path):
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "master..topic", "--rfc", "-v", "3", "--no-auto",
                                     "--to", "bpf@vger.kernel.org", "--cc", "Jane Doe <jane@example.org>",
                                     "--to", "BPF@vger.kernel.org", "-o", out)
    assert status == 0, stderr
    mails = [read_mail(out / name) for name in files_in(out)]
    assert [mail["Subject"].split("]")[0] + "]" for mail in mails] == [
        "[PATCH RFC bpf-next v3 0/2]", "[PATCH RFC bpf-next v3 1/2]", "[PATCH RFC bpf-next v3 2/2]"]
    assert all(addresses(mail["To"]) == ["bpf@vger.kernel.org"] for mail in mails)
    assert all(addresses(mail["Cc"]) == ["Jane Doe <jane@example.org>"] for mail in mails)
    # --to and --cc come first, then MAINTAINERS; an address given twice is kept once
    status, _, _ = run_cli("format", "master..topic", "--cc", "Jane Doe <jane@example.org>",
                           "--cc", "song@kernel.org", "-o", tmp_path / "auto")
    first = read_mail(tmp_path / "auto" / "0001-bpf_doc-add-the-missing-article-to-the-generated-hea.patch")
    cc = addresses(first["Cc"])
    assert cc[:2] == ["Jane Doe <jane@example.org>", "song@kernel.org"]
    assert not any("Song Liu" in value for value in cc)


def test_interrupted_run_writes_nothing(bpf_topic, run_cli, tmp_path, monkeypatch):
    import patchflow.checks

    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)

    def interrupted(series, options):
        raise KeyboardInterrupt()

    monkeypatch.setattr(patchflow.checks, "run", interrupted)
    out = tmp_path / "out"
    out.mkdir()
    (out / "0001-bpf_doc-add-the-missing-article-to-the-generated-hea.patch").write_text("old\n")
    status, stdout, stderr = run_cli("format", "master..topic", "-o", out)
    assert status == 130 and stderr == "patchflow: interrupted\n"
    assert files_in(out) == ["0001-bpf_doc-add-the-missing-article-to-the-generated-hea.patch"]
    assert (out / files_in(out)[0]).read_text() == "old\n"


def test_keywords_add_their_entries_as_get_maintainer_does_for_a_patch(bpf_topic, run_cli, tmp_path):
    """A net/core/dev.c change whose diff mentions XDP reaches the XDP maintainers (K: xdp)."""
    git(bpf_topic, "checkout", "-q", "-b", "xdp", "master")
    change(bpf_topic, "net/core/dev.c", DEV_OLD, "/* The ifindex is reserved already: no xdp state to undo */",
           "net: core: reword the ifindex comment")
    bare = tmp_path / "bare"
    assert run_cli("format", "-1", "--no-auto", "--no-check", "-o", bare)[0] == 0
    theirs = [line for line in get_maintainer(bpf_topic, *sorted(bare.iterdir())) if line]
    assert "Jesper Dangaard Brouer <hawk@kernel.org>" in theirs
    assert "Jesper Dangaard Brouer <hawk@kernel.org>" not in get_maintainer(bpf_topic, *sorted(bare.iterdir()),
                                                                            keywords=False)
    out = tmp_path / "out"
    status, _, stderr = run_cli("format", "-1", "--no-check", "-o", out)
    assert status == 0, stderr
    mail = read_mail(out / files_in(out)[0])
    to, cc = addresses(mail["To"]), addresses(mail["Cc"])
    assert "Jesper Dangaard Brouer <hawk@kernel.org>" in to
    assert sorted(to + cc) == sorted(theirs)


def test_empty_texts_and_a_rebase_check_without_a_tree(bpf_topic, run_cli, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n")
    for args, message in (
            (("--cover-letter", empty), f"patchflow: --cover-letter {empty}: empty file"),
            (("-v", "2", "--changes", empty), f"patchflow: --changes {empty}: empty file"),
            (("--changes", empty), "patchflow: --changes and --prev-link describe a new version: give -v 2 or later"),
            (("--rebase-check",), "patchflow: --rebase-check applies the series on another tree's tip: give "
                                  "--tree (a path, or a name such as bpf-next)"),
            (("--tag", "bpf-next] x"), "patchflow: --tag 'bpf-next] x': a tree name is letters, digits, '.', '_' "
                                       "and '-' (bpf-next)"),
            (("--to", "a@example.org\nBcc: b@example.org"),
             "patchflow: --to 'a@example.org\\nBcc: b@example.org': one address on one line")):
        status, stdout, stderr = run_cli("format", "master..topic", *args, "-o", tmp_path / "out")
        assert (status, stdout, stderr) == (2, "", message + "\n")
    assert not (tmp_path / "out").exists()


def test_files_of_an_earlier_run_that_are_not_written_again_are_named(bpf_topic, run_cli, tmp_path):
    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    out = tmp_path / "out"
    assert run_cli("format", "master..topic", "-o", out)[0] == 0
    status, stdout, stderr = run_cli("format", "-1", "-o", out)  # the same version, now one patch
    assert status == 0, stderr
    assert stdout.splitlines()[0] == f"{out}/0001-libbpf-say-why-libbpf_set_strict_mode-is-kept.patch"
    assert f"patchflow: warning: {out}/0002-libbpf-say-why-libbpf_set_strict_mode-is-kept.patch is from an " \
           f"earlier run and not part of this series: remove it before sending" in stderr
    assert len(files_in(out)) == 4  # warned about, never removed


def test_sigterm_during_the_rebase_check_leaves_nothing_behind(kernel_tree, kernel_clone, tmp_path):
    """A real run, stopped while `git am` works in the temporary worktree: the tree's smudge filter
    waits when it writes the patched file (hooks are off there, filters are not)."""
    import signal
    import sys
    import time

    user = user_topic_clone(kernel_tree, tmp_path, branch=None)
    started = tmp_path / "hook-started"
    slow = tmp_path / "slow-smudge"
    slow.write_text(f"#!/bin/sh\nt=$(mktemp)\ncat > \"$t\"\nif grep -q 'kept for ABI' \"$t\"; then "
                    f"touch '{started}'; sleep 30; fi\ncat \"$t\"\nrm -f \"$t\"\n")
    slow.chmod(0o755)
    git(kernel_clone, "config", "filter.slow.smudge", str(slow))
    (kernel_clone / ".git" / "info").mkdir(exist_ok=True)
    (kernel_clone / ".git" / "info" / "attributes").write_text("tools/lib/bpf/libbpf.c filter=slow\n")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "patchflow", "format", "-1", "--tree", str(kernel_clone),
                             "--rebase-check", "-o", str(out)], cwd=user, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert started.exists(), proc.communicate(timeout=60)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and stderr.endswith("patchflow: interrupted\n"), stderr
    assert not out.exists() and sorted(os.listdir(tmp_path)) == ["hook-started", "linux", "slow-smudge", "user"]
    assert git(kernel_clone, "worktree", "list").count("\n") == 1
    assert git(kernel_clone, "status", "--porcelain") == "" and git(user, "status", "--porcelain") == ""


def test_the_rebase_check_runs_no_hook_of_the_tree(kernel_tree, kernel_clone, tmp_path, run_cli, monkeypatch):
    """git am in the temporary worktree runs with the tree's hooks off: they are not patchflow's to run."""
    user = user_topic_clone(kernel_tree, tmp_path, branch=None)
    ran = tmp_path / "hook-ran"
    for name in ("applypatch-msg", "pre-applypatch", "post-applypatch"):
        hook = kernel_clone / ".git" / "hooks" / name
        hook.write_text(f"#!/bin/sh\necho {name} >> '{ran}'\n")
        hook.chmod(0o755)
    monkeypatch.chdir(user)
    status, out, err = run_cli("format", "-1", "--tree", kernel_clone, "--rebase-check", "-o", tmp_path / "out")
    assert status == 0 and "rebase check: the series applies on" in err
    assert not ran.exists()


def test_non_ascii_cover_letter_and_two_authors(bpf_topic, run_cli, tmp_path):
    """A UTF-8 subject is RFC 2047-encoded, the mail declares its charset, and the changelog goes
    above the shortlog even when the body has a line that looks like a shortlog's."""
    git(bpf_topic, "config", "user.name", "Zoë Ångström")
    change(bpf_topic, "net/core/filter.c", "#include <linux/atomic.h>\n", "#include <linux/atomic.h>\n\n",
           "bpf: filter: separate the includes")
    letter = tmp_path / "cover.txt"
    letter.write_text("bpf: comment fixes, with Zoë's filter.c change\n\n"
                      "Thanks to the reviewers of v1:\n\nOndřej Novák (2):\n  pointed at the banner\n")
    changes = tmp_path / "changes.txt"
    changes.write_text("- add Zoë's patch")
    out = tmp_path / "out"
    status, _, stderr = run_cli("format", "master..topic", "--cover-letter", letter, "-v", "2",
                                "--changes", changes, "--no-check", "-o", out)
    assert status == 0, stderr
    cover = read_mail(out / "v2-0000-cover-letter.patch")
    assert cover["Subject"] == "[PATCH bpf-next v2 0/3] bpf: comment fixes, with Zoë's filter.c change"
    assert cover.get_content_charset() == "utf-8" and cover["Content-Transfer-Encoding"] == "8bit"
    raw = (out / "v2-0000-cover-letter.patch").read_bytes()
    assert raw.isascii() is False and b"\nSubject: =?utf-8?" in raw
    body = cover.get_content()
    assert ("Ondřej Novák (2):\n  pointed at the banner\n\nChanges in v2:\n- add Zoë's patch\n\n"
            "Test Author (2):\n") in body
    assert "\n\nZoë Ångström (1):\n  bpf: filter: separate the includes\n\n" in body


def test_the_files_carry_message_ids_that_status_looks_up(bpf_topic, run_cli, tmp_path):
    # git send-email keeps a file's Message-Id; `patchflow status DIR` finds the series by it
    from urllib.parse import quote

    from patchwork_server import ServerThread, listed, load, recorded_patchwork

    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    out = tmp_path / "outgoing"
    status, _, stderr = run_cli("format", "master..topic", "--tree", "bpf-next", "-o", out)
    assert status == 0, stderr
    cover, first, second = (read_mail(out / name) for name in files_in(out))
    ids = [mail["Message-Id"] for mail in (cover, first, second)]
    assert all(i and i.startswith("<") and i.endswith(">") for i in ids) and len(set(ids)) == 3
    assert first["In-Reply-To"] == second["In-Reply-To"] == ids[0]  # shallow, to the cover letter
    assert cover["In-Reply-To"] is None

    app = recorded_patchwork()
    patch_1 = load("patches-page1").json()[0]
    for msgid in ids[1:]:
        app.route("GET", f"/api/1.3/patches/?project=netdevbpf&msgid={quote(msgid.strip('<>'))}",
                  listed([patch_1]))
    with ServerThread(app) as server:
        code, stdout, stderr = run_cli("status", "--url", server.url, out)
    assert (code, stderr) == (0, "")
    assert stdout.startswith("series 1 v2: ")
    assert not app.unrouted, app.unrouted


def test_a_huge_version_number_ends_quickly(bpf_topic, tmp_path):
    # the changelog is read once from the branch's stored versions, not asked for v(N-1) down to v2
    import sys

    git(bpf_topic, "config", "branch.topic.description", DESCRIPTION)
    git(bpf_topic, "config", "branch.topic.patchflow-changes-v2", CHANGES_V2)
    git(bpf_topic, "config", "branch.topic.patchflow-link-v1", LINK_V1)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "patchflow", "format", "master..topic", "--tree", "bpf-next",
                           "-v", "100000", "-o", str(out)], cwd=bpf_topic, capture_output=True, text=True,
                          timeout=600)  # a guard against a hang (v100000 down to v2 one by one), not a limit
    assert proc.returncode == 0, proc.stderr
    cover = (out / "v100000-0000-cover-letter.patch").read_text()
    assert f"\nChanges in v2:\n{CHANGES_V2}\n- Link to v1: {LINK_V1}\n\n" in cover
    assert "Changes in v100000" not in cover and "Changes in v3:" not in cover


@pytest.mark.parametrize("value", ["not an address <", "Jane Developer", "a@example.org, nobody"])
def test_an_address_that_is_not_one_is_refused(bpf_topic, run_cli, tmp_path, value):
    status, stdout, stderr = run_cli("format", "master..topic", "--cc", value, "-o", tmp_path / "out")
    assert (status, stdout) == (2, "")
    assert stderr == (f"patchflow: --cc {value!r}: not an e-mail address (user@example.org or "
                      "Name <user@example.org>, several separated by commas)\n")
    assert not (tmp_path / "out").exists()


def test_rebase_check_on_a_shallow_clone_says_why_three_way_fails(kernel_tree, kernel_clone, run_cli, tmp_path,
                                                                  monkeypatch):
    # a named tree is a shallow clone: the blobs the patch was made from are not in it, so git am -3
    # only says "sha1 information is lacking or useless"; the user needs the file and the reason
    user = user_topic_clone(kernel_tree, tmp_path)
    change(kernel_clone, "tools/lib/bpf/libbpf.c", STRICT_OLD, "/* a no-op since v1.0 */", "libbpf: shorten a comment")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{kernel_clone}", str(shallow))
    monkeypatch.chdir(user)
    status, stdout, stderr = run_cli("format", "-1", "--tree", shallow, "--tag", "bpf-next", "--no-check",
                                     "--rebase-check", "-o", tmp_path / "out")
    assert status == 1
    tip = git(shallow, "rev-parse", "HEAD").strip()
    assert (f"patchflow: rebase check: 0001-libbpf-say-why-libbpf_set_strict_mode-is-kept.patch (patch 1/1) "
            f"does not apply on bpf-next's tip {tip[:12]}: tools/lib/bpf/libbpf.c does not apply, and the tree "
            f"lacks the version of it the patch was made from for a three-way merge (a shallow clone?); "
            f"nothing written") in stderr
    assert not (tmp_path / "out").exists()
    assert git(shallow, "worktree", "list").count("\n") == 1
