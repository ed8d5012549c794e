"""What `patchflow format` tells a user to do next: the file to fix when the gate refuses, and how to
send the series (or which package brings git send-email)."""

from test_format import BANNER_NEW, BANNER_OLD, BPF_DOC_SUBJECT, bpf_topic, change, files_in, git  # noqa: F401

LONG_CHANGE = ("- reword the comment as Andrii asked, and drop the selftests change that nobody wanted "
               "in v1 at all")


def test_a_finding_in_the_changes_file_names_it_not_the_commits(bpf_topic, run_cli, tmp_path):
    changes = tmp_path / "changes-v2.txt"
    changes.write_text(LONG_CHANGE + "\n")
    cover = tmp_path / "cover.txt"
    cover.write_text("bpf: two comment fixes\n\nTwo small fixes found while reading bpf_doc.py.\n")
    out = tmp_path / "out"
    status, stdout, stderr = run_cli("format", "master..topic", "-v", "2", "--changes", changes,
                                     "--cover-letter", cover, "-o", out)
    assert status == 1
    assert "WARNING:COMMIT_LOG_LONG_LINE" in stdout and LONG_CHANGE in stdout
    assert stderr.splitlines() == ["patchflow: the check found 0 error(s) and 1 warning(s) in the patches: "
                                   f"nothing written; fix the changes file {changes} (or give --no-check)"]
    # the report names what the user edits, never a file that was not written
    assert f"the cover letter's text {cover} has style problems, please review." in stdout
    assert "0000-cover-letter.patch" not in stdout + stderr
    assert not out.exists()


def test_a_placeholder_cover_letter_names_the_branch_description(bpf_topic, run_cli, tmp_path):
    status, stdout, stderr = run_cli("format", "master..topic", "-o", tmp_path / "out")
    assert status == 1
    assert "ERROR:COVER_LETTER_PLACEHOLDER" in stdout
    assert stderr.splitlines() == ["patchflow: the check found 2 error(s) and 0 warning(s) in the patches: "
                                   "nothing written; fix the cover letter's text (git branch --edit-description "
                                   "topic) (or give --no-check)"]


def _exec_path(tmp_path, with_send_email):
    """A git exec-path (GIT_EXEC_PATH) that has git-send-email or lacks it; format's own git commands are
    built into git and do not need it."""
    path = tmp_path / ("with" if with_send_email else "without")
    path.mkdir()
    if with_send_email:
        (path / "git-send-email").write_text("#!/bin/sh\nexit 0\n")
        (path / "git-send-email").chmod(0o755)
    return str(path)


def test_send_email_is_shown_when_installed(bpf_topic, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_EXEC_PATH", _exec_path(tmp_path, True))
    status, stdout, _ = run_cli("format", "-1", "-o", tmp_path / "out")
    assert status == 0
    name = files_in(tmp_path / "out")[0]
    assert stdout.splitlines()[-2:] == ["Send them with:", f"  git send-email {tmp_path / 'out' / name}"]


def test_a_missing_send_email_names_the_package(bpf_topic, run_cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_EXEC_PATH", _exec_path(tmp_path, False))
    status, stdout, _ = run_cli("format", "-1", "-o", tmp_path / "out")
    assert status == 0
    name = files_in(tmp_path / "out")[0]
    assert stdout.splitlines()[-2:] == [
        f"Send them with: git send-email {tmp_path / 'out' / name}",
        "  (git send-email is not installed here: it is the package git-email on Debian, Ubuntu and Fedora)"]
