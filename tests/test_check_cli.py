"""`patchflow check` as a user runs it: output layouts, options, exit statuses, inputs."""

import json
import subprocess

from conftest import patch_path, run_patchflow

TRAILING = patch_path("trailing-whitespace.patch")
# without a git tree, a run whose messages name commits says once that their ids were not looked up
NO_HISTORY_NOTE = ("patchflow: note: no git history to look commit ids up in (give --tree, or run inside a "
                   "kernel git tree): UNKNOWN_COMMIT_ID was not checked, GIT_COMMIT_ID checked the form of "
                   "the references only\n")


def test_text_layout_is_checkpatchs_with_types(run_cli):
    status, out, err = run_cli("check", TRAILING)
    assert status == 1 and err == NO_HISTORY_NOTE  # its Fixes: id cannot be looked up: said once
    assert out.splitlines() == [
        "ERROR:TRAILING_WHITESPACE: trailing whitespace",
        "#28: FILE: Documentation/bpf/bpf_devel_QA.rst:148:",
        "+Q: How do I indicate which tree (bpf vs. bpf-next) my patch should be applied to? $",
        "",
        "ERROR:TRAILING_WHITESPACE: trailing whitespace",
        "#42: FILE: kernel/bpf/syscall.c:1629:",
        "+^Iif (!value_size) {^I$",
        "",
        "ERROR:TRAILING_WHITESPACE: trailing whitespace",
        "#46: FILE: kernel/bpf/syscall.c:1633:",
        "+^I$",
        "",
        "total: 3 errors, 0 warnings, 0 checks, 21 lines checked",
        "",
        "3 of them can be fixed by patchflow fix.",
        f"{TRAILING} has style problems, please review.",
    ]


def test_finding_on_the_mail_quotes_the_line_without_a_file(run_cli):
    path = patch_path("commit-log-long-line.patch")
    status, out, _ = run_cli("check", path)
    assert status == 1
    lines = out.splitlines()
    at = lines.index("WARNING:COMMIT_LOG_LONG_LINE: Prefer a maximum 75 chars per line "
                     "(possible unwrapped commit description?)")
    assert lines[at + 1] == "#6: "
    assert lines[at + 2].startswith("bpf_map_value_size() returns 0 for a map type whose value size is not known")


def test_clean_patch_says_so_and_exits_0(run_cli):
    path = patch_path("clean-bpf-fix.patch")
    status, out, err = run_cli("check", "--strict", path)
    assert status == 0 and err == NO_HISTORY_NOTE
    assert out.splitlines()[-1] == f"{path} has no obvious style problems and is ready for submission."
    assert out.splitlines()[0].startswith("total: 0 errors, 0 warnings, 0 checks, ")


def test_terse_is_one_line_per_finding(run_cli):
    status, out, _ = run_cli("check", "--terse", TRAILING)
    assert status == 1
    assert out.splitlines() == [
        f"{TRAILING}:28: ERROR:TRAILING_WHITESPACE: trailing whitespace",
        f"{TRAILING}:42: ERROR:TRAILING_WHITESPACE: trailing whitespace",
        f"{TRAILING}:46: ERROR:TRAILING_WHITESPACE: trailing whitespace",
        f"{TRAILING}: total: 3 errors, 0 warnings, 0 checks, 21 lines checked",
    ]


def test_json_layout(run_cli):
    sign_off = patch_path("missing-sign-off.patch")
    status, out, _ = run_cli("check", "--format", "json", "--ignore", "COVER_LETTER_MISSING,SUBJECT_PREFIX_FORMAT",
                             sign_off, TRAILING)
    assert status == 1
    report = json.loads(out)
    assert report["summary"] == {"patches": 2, "errors": 4, "warnings": 0, "checks": 0}
    first, *rest = report["findings"]
    assert first == {"type": "MISSING_SIGN_OFF", "level": "ERROR", "message": "Missing Signed-off-by: line(s)",
                     "patch": sign_off, "patch_line": 32, "file": None, "line": None, "column": None}
    assert rest[0] == {"type": "TRAILING_WHITESPACE", "level": "ERROR", "message": "trailing whitespace",
                       "patch": TRAILING, "patch_line": 28, "file": "Documentation/bpf/bpf_devel_QA.rst",
                       "line": 148, "column": 82,
                       "fix": "Q: How do I indicate which tree (bpf vs. bpf-next) my patch should be applied to?"}
    assert [(f["file"], f["line"]) for f in rest] == [
        ("Documentation/bpf/bpf_devel_QA.rst", 148), ("kernel/bpf/syscall.c", 1629), ("kernel/bpf/syscall.c", 1633)]


def test_strict_adds_check_level_findings(run_cli):
    path = patch_path("from-sign-off-mismatch-comment.patch")
    status, out, _ = run_cli("check", "--terse", path)
    assert status == 0 and "FROM_SIGN_OFF_MISMATCH" not in out
    status, out, _ = run_cli("check", "--terse", "--strict", path)
    assert status == 1
    assert out.splitlines()[0] == (
        f"{path}:33: CHECK:FROM_SIGN_OFF_MISMATCH: From:/Signed-off-by: email comments mismatch: "
        "'From: Jane Doe <jane@example.org>' != 'Signed-off-by: Jane Doe (Acme) <jane@example.org>'")
    status, out, _ = run_cli("check", "--terse", "--ignore", "BAD_REPORTED_BY_LINK", patch_path("invalid-utf8.patch"))
    assert status == 0 and "INVALID_UTF8" not in out


def test_ignore_and_types(run_cli):
    status, out, _ = run_cli("check", "--terse", "--ignore", "trailing_whitespace", TRAILING)
    assert status == 0 and "TRAILING_WHITESPACE" not in out
    path = patch_path("long-line.patch")
    status, out, _ = run_cli("check", "--terse", "--types", "LONG_LINE_STRING", path)
    assert status == 1
    assert [line.split()[1] for line in out.splitlines()[:-1]] == ["WARNING:LONG_LINE_STRING:"]
    # as in checkpatch, ignoring LONG_LINE ignores its comment and string variants too
    status, out, _ = run_cli("check", "--terse", "--ignore", "LONG_LINE,EMBEDDED_FUNCTION_NAME", path)
    assert status == 0 and "LONG_LINE" not in out


def test_max_line_length(run_cli):
    path = patch_path("long-line-max-80.patch")
    status, out, _ = run_cli("check", "--terse", path)
    assert status == 0
    status, out, _ = run_cli("check", "--terse", "--max-line-length", "80", path)
    assert status == 1
    assert f"{path}:28: WARNING:LONG_LINE: line length of 90 exceeds 80 columns" in out.splitlines()


def test_unknown_type_is_a_usage_error(run_cli):
    status, out, err = run_cli("check", "--ignore", "NO_SUCH_TYPE", TRAILING)
    assert status == 2 and out == ""
    assert err.splitlines() == ["patchflow: --ignore: unknown type NO_SUCH_TYPE (patchflow explain lists them)"]


def test_bad_inputs_are_one_line_and_exit_2(tmp_path):
    empty = tmp_path / "empty.patch"
    empty.write_text("")
    prose = tmp_path / "notes.txt"
    prose.write_text("Just some notes about the bpf map code.\nNothing to apply here.\n")
    for path, message in [(tmp_path, f"{tmp_path}: is a directory, not a patch file"),
                          (empty, f"{empty}: empty file"),
                          (prose, f"{prose}: not a patch: no mail headers and no unified diff found")]:
        proc = run_patchflow("check", path)
        assert proc.returncode == 2
        assert proc.stderr.splitlines() == [f"patchflow: {message}"]
        assert proc.stdout == ""


def test_mbox_of_several_mails_is_one_series(run_cli):
    path = patch_path("series-numbering-gap.mbox")
    status, out, _ = run_cli("check", path)
    assert status == 1
    lines = out.splitlines()
    assert [line for line in lines if line.startswith(path)] == [
        path, f"{path} has style problems, please review.",
        f"{path}#2", f"{path}#2 has no obvious style problems and is ready for submission.",
        f"{path}#3", f"{path}#3 has no obvious style problems and is ready for submission.",
    ]
    assert "WARNING:SERIES_NUMBERING: series of 3 patches lacks 2/3" in lines
    assert "Subject: [PATCH bpf-next 0/3] bpf: Handle maps with an empty value" in lines


def test_patches_of_one_series_in_several_files(run_cli, tmp_path):
    # the mails of the gap series as git format-patch -o writes them: one file each
    text = open(patch_path("series-good.mbox"), encoding="utf-8").read()
    mails = ["From " + m for m in text.split("\nFrom ")[1:]]
    mails.insert(0, text.split("\nFrom ")[0])
    files = []
    for i, mail in enumerate(mails):
        if "2/3]" in mail:
            continue
        files.append(tmp_path / f"{i:04d}.patch")
        files[-1].write_text(mail.rstrip("\n") + "\n")
    status, out, _ = run_cli("check", "--terse", *files)
    assert status == 1
    assert out.splitlines()[0] == f"{files[0]}:4: WARNING:SERIES_NUMBERING: series of 3 patches lacks 2/3"


def test_standard_input(kernel_clone):
    # git format-patch --stdout | patchflow check -
    source = kernel_clone / "kernel" / "bpf" / "syscall.c"
    source.write_text(source.read_text().replace(
        "\tvalue_size = bpf_map_value_size(map);\n\tvalue = kvmemdup_bpfptr(uvalue, value_size);\n",
        "\tvalue_size = bpf_map_value_size(map);\n\tif (!value_size)   \n\t\treturn -EINVAL;\n"
        "\tvalue = kvmemdup_bpfptr(uvalue, value_size);\n"))
    subprocess.run(["git", "-C", kernel_clone, "commit", "-qam", "bpf: Reject empty values"], check=True, timeout=60)
    mail = subprocess.run(["git", "-C", kernel_clone, "format-patch", "--stdout", "-1"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    proc = run_patchflow("check", "--terse", "-", input=mail, cwd=kernel_clone.parent)
    assert proc.returncode == 1, proc.stderr
    # the findings on the mail as a whole where checkpatch --terse puts them: the missing description
    # on the line after the `---`, the missing sign-off on the mail's last line
    assert proc.stdout.splitlines() == [
        "-:7: WARNING:COMMIT_MESSAGE: Missing commit description - Add an appropriate one",
        "-:18: ERROR:TRAILING_WHITESPACE: trailing whitespace",
        f"-:{len(mail.splitlines())}: ERROR:MISSING_SIGN_OFF: Missing Signed-off-by: line(s)",
        "-: total: 2 errors, 1 warnings, 0 checks, 8 lines checked",
    ]


def test_rfc2047_and_folded_headers_are_decoded():
    from patchflow.patch import read_patches

    patch, = read_patches(patch_path("rfc2047-folded-subject.patch"))
    assert patch.subject == "[PATCH bpf] bpf: Reject map updates with an empty value in map_update_elem() for Björn"
    assert patch.summary == "bpf: Reject map updates with an empty value in map_update_elem() for Björn"
    assert patch.author == "Björn Töpel <bjorn@example.org>"
    long_subject, = read_patches(patch_path("subject-too-long.patch"))
    assert long_subject.summary.endswith("because the syscall layer does not know it")


def test_rfc2047_author_matches_its_utf8_sign_off(run_cli):
    status, out, _ = run_cli("check", "--strict", "--terse", patch_path("rfc2047-folded-subject.patch"))
    assert status == 0, out


def test_colour_on_request_and_never_under_no_color():
    proc = run_patchflow("check", "--color", "always", TRAILING)
    assert "\033[31mERROR\033[0m:TRAILING_WHITESPACE: trailing whitespace" in proc.stdout.splitlines()
    proc = run_patchflow("check", TRAILING, env={"NO_COLOR": "1"})
    assert "\033[" not in proc.stdout
    assert "ERROR:TRAILING_WHITESPACE: trailing whitespace" in proc.stdout.splitlines()


def test_fixes_tag_is_looked_up_in_the_tree(run_cli, kernel_tree, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    head = subprocess.run(["git", "-C", kernel_tree, "log", "-1", "--format=%H%n%s"], check=True,
                          capture_output=True, text=True, timeout=60).stdout.split("\n")
    full, subject = head[0], head[1]
    text = open(patch_path("clean-bpf-fix.patch"), encoding="utf-8").read()
    good = tmp_path / "good.patch"
    good.write_text(text.replace('Fixes: 15c14a3dca42 ("bpf: Add bpf_map_value_size() helper")',
                                 f'Fixes: {full[:12]} ("{subject}")'))
    status, out, _ = run_cli("check", "--terse", "--tree", kernel_tree, "--types", "BAD_FIXES_TAG", good)
    assert status == 0, out
    wrong = tmp_path / "wrong.patch"
    wrong.write_text(text.replace('Fixes: 15c14a3dca42 ("bpf: Add bpf_map_value_size() helper")',
                                  f'Fixes: {full[:8]} ("Linux 6.12")'))
    status, out, _ = run_cli("check", "--terse", "--tree", kernel_tree, "--types", "BAD_FIXES_TAG", wrong)
    assert status == 1
    assert out.splitlines()[0] == (
        f"{wrong}:12: WARNING:BAD_FIXES_TAG: Please use correct Fixes: style "
        f"'Fixes: <12 chars of sha1> (\"<title line>\")' - ie: 'Fixes: {full[:12]} (\"{subject}\")'")
    # without a tree the tag's form is all there is to check
    status, out, _ = run_cli("check", "--terse", "--types", "BAD_FIXES_TAG", good)
    assert status == 0


def test_cover_letter_shortlog_is_not_prose(run_cli, tmp_path):
    # a 74-character summary is 76 columns in the shortlog git writes under the blurb
    long = "bpf: Document that bpf_map_value_size() returns 0 for unknown value sizes"
    text = open(patch_path("series-good.mbox"), encoding="utf-8").read()
    text = text.replace("bpf: Document bpf_map_value_size()'s return value", long)
    series = tmp_path / "series.mbox"
    series.write_text(text)
    status, out, _ = run_cli("check", "--terse", "--strict", series)
    assert status == 0, out
    series.write_text(text.replace("make the map syscalls handle it.", "make the map syscalls handle it "
                                   "(the lookup, the update and the documentation of the helper)."))
    status, out, _ = run_cli("check", "--terse", "--strict", series)
    assert out.splitlines()[0] == (f"{series}:6: WARNING:COMMIT_LOG_LONG_LINE: Prefer a maximum 75 chars per "
                                   "line (possible unwrapped commit description?)")



def test_cover_letter_changelog_link_is_not_prose(run_cli, tmp_path):
    # b4 and patchflow format write "- Link to v1: <lore URL>" in a v2 cover letter: a link cannot
    # be wrapped; the prose around it still can
    link = "- Link to v1: https://lore.kernel.org/bpf/20241117-empty-map-value-v1-0-5d2f8e1a3b7c@example.org/"
    assert len(link) > 75
    text = open(patch_path("series-good.mbox"), encoding="utf-8").read()
    text = text.replace("make the map syscalls handle it.\n",
                        f"make the map syscalls handle it.\n\nChanges in v2:\n- reword 3/3\n{link}\n", 1)
    series = tmp_path / "series.mbox"
    series.write_text(text)
    status, out, _ = run_cli("check", "--terse", "--strict", "--types", "COMMIT_LOG_LONG_LINE", series)
    assert status == 0, out
    series.write_text(text.replace("- reword 3/3", "- reword 3/3, whose summary was too long to fit in the shortlog of the cover letter"))
    status, out, _ = run_cli("check", "--terse", "--strict", "--types", "COMMIT_LOG_LONG_LINE", series)
    assert out.splitlines()[0] == (f"{series}:9: WARNING:COMMIT_LOG_LONG_LINE: Prefer a maximum 75 chars per "
                                   "line (possible unwrapped commit description?)")

def test_binary_diff_is_checked_around(kernel_clone):
    (kernel_clone / "tools" / "lib" / "bpf" / "blob.o").write_bytes(bytes(range(256)) * 4)
    source = kernel_clone / "tools" / "lib" / "bpf" / "str_error.c"
    source.write_text(source.read_text() + "/* trailing */ \n")
    subprocess.run(["git", "-C", kernel_clone, "add", "-A"], check=True, timeout=60)
    subprocess.run(["git", "-C", kernel_clone, "commit", "-qm", "libbpf: Add a blob", "-m",
                    "Ship an object for the loader tests.", "-m", "Signed-off-by: Test Author <author@example.org>"],
                   check=True, timeout=60)
    for flags in ([], ["--binary"]):
        mail = subprocess.run(["git", "-C", kernel_clone, "format-patch", "--stdout", *flags, "-1"], check=True,
                              capture_output=True, text=True, timeout=60).stdout
        proc = run_patchflow("check", "--terse", "-", input=mail, cwd=kernel_clone.parent)
        assert proc.returncode == 1, proc.stderr
        lines = proc.stdout.splitlines()
        assert [line.split(" ", 2)[1] for line in lines[:-1]] == ["WARNING:FILE_PATH_CHANGES:",
                                                                  "ERROR:TRAILING_WHITESPACE:"], lines


def test_tree_by_name_reads_the_same_maintainers_as_by_path(run_cli, kernel_tree, tmp_path, monkeypatch):
    """`--tree NAME`: debian-6.12 (the tree built from linux-source-6.12) and a name set with
    `git config patchflow.tree.NAME.path` find what `--tree PATH` finds."""
    monkeypatch.chdir(tmp_path)  # no git tree around the current directory
    config = tmp_path / "gitconfig"
    config.write_text(f"[patchflow \"tree.mine\"]\n\tpath = {kernel_tree}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    case = patch_path("subject-tree-prefix.patch")
    expected = (f"{case}:4: WARNING:SUBJECT_TREE_PREFIX: Subject prefix should name the tree: one of bpf, "
                f"bpf-next, net, net-next (e.g. [PATCH bpf-next]; required by bpf_devel_QA.rst)")
    for tree in (kernel_tree, "debian-6.12", "mine"):
        status, out, err = run_cli("check", "--terse", "--tree", tree, case)
        # the tree is one commit: the note that commit ids were not looked up is all stderr holds
        assert err == "" or (err.count("\n") == 1 and err.startswith(
            "patchflow: note: the tree holds one commit and no history: commit ids it lacks were not reported")), tree
        assert (status, out.splitlines()[0]) == (1, expected), tree
    status, out, _ = run_cli("check", "--terse", case)
    assert status == 0, out  # no tree at all: no MAINTAINERS, no finding
    status, _, err = run_cli("check", "--tree", "no-such-tree", case)
    assert status == 2 and err.startswith("patchflow: --tree no-such-tree: not a directory and not a known tree name")


def _check_on_a_terminal(*args, env=None):
    """`patchflow check ARGS` with its standard output on a pseudo-terminal, as in an xterm: what it
    wrote there."""
    import os
    import pty
    import sys
    controller, terminal = pty.openpty()
    full_env = dict(os.environ)
    full_env.pop("NO_COLOR", None)
    full_env.update(env or {})
    try:
        proc = subprocess.Popen([sys.executable, "-m", "patchflow", "check", *map(str, args)], stdout=terminal,
                                stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=full_env)
        os.close(terminal)
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert proc.wait(timeout=60) == 1
        return b"".join(chunks).decode().replace("\r\n", "\n")
    finally:
        os.close(controller)


def test_colour_on_a_terminal_unless_no_color_or_never():
    level = "ERROR:TRAILING_WHITESPACE: trailing whitespace"
    assert f"\033[31mERROR\033[0m{level[5:]}" in _check_on_a_terminal(TRAILING).splitlines()
    for args, env in (((TRAILING,), {"NO_COLOR": "1"}), (("--color", "never", TRAILING), None)):
        out = _check_on_a_terminal(*args, env=env)
        assert "\033[" not in out and level in out.splitlines(), (args, env)
    # an empty NO_COLOR does not count (no-color.org: "present and not an empty string")
    assert f"\033[31mERROR\033[0m{level[5:]}" in _check_on_a_terminal(TRAILING, env={"NO_COLOR": ""}).splitlines()
    # piped: no colour whatever the environment
    proc = run_patchflow("check", TRAILING, env={"NO_COLOR": ""})
    assert "\033[" not in proc.stdout and level in proc.stdout.splitlines()


def test_shallow_tree_does_not_call_an_older_fixes_commit_missing(run_cli, kernel_clone, tmp_path, monkeypatch):
    """`--tree bpf-next` is a clone of depth 1: a Fixes: commit older than that is not in it, which
    says nothing about the tag. The full clone still checks it."""
    monkeypatch.chdir(tmp_path)
    target = kernel_clone / "kernel" / "bpf" / "syscall.c"
    for subject in ("bpf: Add bpf_map_value_size() helper", "bpf: Note the value size"):
        target.write_text(target.read_text() + f"/* {subject} */\n")
        subprocess.run(["git", "-C", kernel_clone, "commit", "-qam", subject], check=True, timeout=60)
    fixed = subprocess.run(["git", "-C", kernel_clone, "rev-parse", "HEAD~1"], check=True, capture_output=True,
                           text=True, timeout=60).stdout.strip()
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--no-tags", f"file://{kernel_clone}", str(shallow)],
                   check=True, timeout=120)
    text = open(patch_path("clean-bpf-fix.patch"), encoding="utf-8").read().replace("[PATCH bpf]", "[PATCH bpf-next]")
    good = tmp_path / "good.patch"
    good.write_text(text.replace("15c14a3dca42", fixed[:12]))
    invented = tmp_path / "invented.patch"
    invented.write_text(text.replace("15c14a3dca42", "0123456789ab"))
    options = ("check", "--terse", "--strict", "--types", "VERIFY_FIXES,TREE_SELECTION")
    assert run_cli(*options, "--tree", kernel_clone, good)[0] == 0
    status, out, _ = run_cli(*options, "--tree", kernel_clone, invented)
    assert status == 1 and f"{invented}:12: ERROR:VERIFY_FIXES: Fixes: commit 0123456789ab is not in the tree" in out
    # neither id is in the clone of depth 1: one note for both that the clone cannot tell, no ERROR
    status, out, err = run_cli(*options, "--tree", shallow, good, invented)
    assert err == ""
    assert [line.split(": ", 1)[1] for line in out.splitlines() if "VERIFY_FIXES" in line] == [
        f"CHECK:VERIFY_FIXES: Fixes: ids not verified: the tree at {shallow} is a shallow clone (it lacks the "
        "older commits); check them with a full clone (--tree PATH)"]
    status, out, _ = run_cli("check", "--terse", "--types", "VERIFY_FIXES", "--tree", shallow, good, invented)
    assert status == 0, out  # a note: only with --strict


def test_part_of_a_series_names_the_cover_letter_of_the_whole(run_cli, tmp_path):
    """Two mails of a 3-patch series without its cover letter: the cover letter missing is 0/3."""
    mails = open(patch_path("series-good.mbox"), encoding="utf-8").read().split("\nFrom ")
    assert len(mails) == 4
    parts = tmp_path / "parts.mbox"
    parts.write_text("From " + "\nFrom ".join(mails[2:]))
    status, out, _ = run_cli("check", "--terse", "--types", "COVER_LETTER_MISSING,SERIES_NUMBERING", parts)
    assert status == 1
    assert out.splitlines()[:2] == [
        f"{parts}:4: WARNING:SERIES_NUMBERING: series of 3 patches lacks 1/3",
        f"{parts}:4: WARNING:COVER_LETTER_MISSING: series of 3 patches has no cover letter (0/3): "
        f"git format-patch --cover-letter (required by bpf_devel_QA.rst)",
    ]


def test_family_options_become_flags_of_check(run_cli, capsys):
    """A family declares its option (checks.option); `check` builds the flag, and the value reaches
    the checks under its name, the default when not given."""
    from patchflow.checks import Options, family_options
    from patchflow.cli import build_parser
    from patchflow.commands.check import options_from

    declared = {o.name: o for o in family_options()}
    assert declared["xmas_tree"].family == "xmas" and declared["xmas_tree"].default == "auto"
    args = build_parser().parse_args(["check", "--xmas-tree", "always", "x.patch"])
    assert options_from(args).get("xmas_tree") == "always"
    assert Options().get("xmas_tree") == "auto"
    import pytest

    with pytest.raises(SystemExit):
        build_parser().parse_args(["check", "--xmas-tree", "sometimes", "x.patch"])
    assert "invalid choice: 'sometimes'" in capsys.readouterr().err
