"""patchflow and the kernel's own checkpatch.pl agree on every patch under tests/patches/.

For each case, the real `scripts/checkpatch.pl --strict --no-tree --show-types` of the cached 6.12
tree runs on each mail of the file (checkpatch reads an mbox as one long mail, so the mails are
checked one by one and their line numbers shifted back). For the types both tools have
(SHARED_TYPES), the (type, patch line) sets must be equal. The line is the one of checkpatch's
`--emacs` prefix, which also places the findings its text output shows on no line (COMMIT_MESSAGE,
the sign-off checks, MISSING_FIXES_TAG: the line where it noticed them, the mail's last line for
the end-of-mail ones).

Other families add their types to SHARED_TYPES (or keep their own set in their own test file and
call `compare`); a deliberate difference goes into DELIBERATE with the reason, which the README's
"Where patchflow differs from checkpatch" repeats.
"""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from patch_cases import case_files, read_expected
from patchflow.patch import split_messages

SHARED_TYPES = {
    "COMMIT_MESSAGE", "COMMIT_LOG_LONG_LINE", "MISSING_SIGN_OFF", "FROM_SIGN_OFF_MISMATCH",
    "NO_AUTHOR_SIGN_OFF", "BAD_FIXES_TAG",
    "TRAILING_WHITESPACE", "SPACE_BEFORE_TAB", "LONG_LINE", "LONG_LINE_COMMENT", "LONG_LINE_STRING",
    "MISSING_EOF_NEWLINE", "DOS_LINE_ENDINGS", "CODE_INDENT", "INVALID_UTF8",
    "EXECUTE_PERMISSIONS", "CONFIG_DESCRIPTION", "PREFER_LORE_ARCHIVE", "MAINTAINERS_STYLE", "EXPORT_SYMBOL",
    "DEPRECATED_API",
}

# (case, type): why patchflow reports differently. Each must still differ, or it is taken out.
DELIBERATE = {
    ("commit-message-tags-only.patch", "COMMIT_MESSAGE"):
        "checkpatch counts any two lines, tags included, as a description; a message of only "
        "Fixes:/Reported-by:/Closes: tags explains nothing",
    ("commit-log-utf8-width.patch", "COMMIT_LOG_LONG_LINE"):
        "checkpatch measures bytes, so a 74-character line with names like Høiland-Jørgensen is "
        "'too long'; patchflow counts characters, which is what the reader sees",
    ("robust-quoted-printable.patch", "TRAILING_WHITESPACE"):
        "checkpatch reads a quoted-printable body undecoded (`=20`, `=3D`, soft line breaks); patchflow "
        "decodes it as git am does, so the trailing blank of ` =20` is found, on the decoded line",
    ("robust-quoted-printable.patch", "FROM_SIGN_OFF_MISMATCH"):
        "checkpatch compares the decoded From: with the undecoded `Jos=C3=A9 M=C3=BCller` of the "
        "quoted-printable sign-off; decoded, they are the same name",
    ("deprecated-api.patch", "DEPRECATED_API"):
        "beyond checkpatch's list, DEPRECATED_API reports netdev's (the netdev CI's deprecated_api "
        "test: module_param(), dev_hold() and others) in the C files netdev or bpf look after",
    ("missing-eof-newline-python.patch", "MISSING_EOF_NEWLINE"):
        "checkpatch checks C, assembly, Rust, shell and device tree only; the kernel's .editorconfig "
        "asks a final newline of Python, Makefiles, Kconfig, YAML, JSON and awk too",
}

# checkpatch --emacs: "PATH:LINE: LEVEL:TYPE: message"
_HEADER = re.compile(r"^.*?:(\d+): (?:ERROR|WARNING|CHECK):([A-Z0-9_]+): ")


def checkpatch_findings(checkpatch, mail_path, cwd, args=()):
    """[(type, line)] as checkpatch --emacs --show-types prints them."""
    proc = subprocess.run(["perl", str(checkpatch), "--strict", "--no-tree", "--show-types", "--no-summary",
                           "--emacs", "--color=never", *args, str(mail_path)],
                          cwd=cwd, capture_output=True, timeout=120)
    out = proc.stdout.decode("utf-8", "replace").splitlines()
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    found = []
    for line in out:
        match = _HEADER.match(line)
        if match:
            found.append((match.group(2), int(match.group(1))))
    return found


def checkpatch_on_file(checkpatch, case, tmp_path, args=()):
    """checkpatch's findings for each mail of a file, on the file's own line numbers."""
    text = case.read_bytes().decode("utf-8", "surrogateescape")
    found = []
    for index, (first_line, lines) in enumerate(split_messages(text)):
        mail = tmp_path / f"mail-{index}.patch"
        mail.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
        for type_name, line in checkpatch_findings(checkpatch, mail, tmp_path, args):
            found.append((type_name, line + first_line - 1))
    return found


def checkpatch_args(patchflow_args):
    """The checkpatch options that mean what a case's patchflow options mean."""
    args = []
    for i, arg in enumerate(patchflow_args):
        if arg == "--max-line-length":
            args.append(f"--max-line-length={patchflow_args[i + 1]}")
    return args


def compare(case, shared, theirs, ours, deliberate=None):
    """Assert that, for the `shared` types, the findings agree except for the deliberate cases."""
    deliberate = deliberate or {}

    def normal(findings):
        return sorted(((t, line) for t, line in findings if t in shared), key=str)

    theirs, ours = normal(theirs), normal(ours)
    for (name, type_name), reason in deliberate.items():
        if name != case.name:
            continue
        a = [f for f in theirs if f[0] == type_name]
        b = [f for f in ours if f[0] == type_name]
        assert a != b, f"{case.name}: {type_name} no longer differs from checkpatch; drop it from DELIBERATE"
        theirs = [f for f in theirs if f[0] != type_name]
        ours = [f for f in ours if f[0] != type_name]
    assert ours == theirs


CASES = case_files()


def both_findings(case, kernel_tree, run_cli, tmp_path):
    """(checkpatch's, patchflow's) (type, patch line) findings on one case, each run with the
    arguments of the case's .expected file."""
    args, _ = read_expected(case, kernel_tree)
    theirs = checkpatch_on_file(kernel_tree / "scripts" / "checkpatch.pl", case, tmp_path, checkpatch_args(args))
    status, out, err = run_cli("check", "--strict", "--format", "json", *args, case)
    return theirs, [(f["type"], f["patch_line"]) for f in json.loads(out)["findings"]]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_findings_as_checkpatch(case, kernel_tree, run_cli, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    theirs, ours = both_findings(case, kernel_tree, run_cli, tmp_path)
    compare(case, SHARED_TYPES, theirs, ours, DELIBERATE)


def test_shared_types_are_registered():
    from patchflow.checks import registry

    assert sorted(SHARED_TYPES - set(registry())) == []


def test_every_shared_type_is_seen_by_both_tools(kernel_tree, tmp_path):
    """The comparison is not vacuous: checkpatch itself reports each shared type on some case."""
    seen = set()
    checkpatch = kernel_tree / "scripts" / "checkpatch.pl"
    for case in CASES:
        args, _ = read_expected(case, kernel_tree)
        seen.update(t for t, _ in checkpatch_on_file(checkpatch, case, tmp_path, checkpatch_args(args)))
    assert sorted(SHARED_TYPES - seen) == []


LINES_CHECKED = re.compile(r"^(?:\S+: )?total: \d+ errors, \d+ warnings, \d+ checks, (\d+) lines checked$", re.M)
# a sample of single-mail cases (each checkpatch run costs half a second): plain, CRLF, new file, Python
COUNTED = [c for c in CASES if c.name in {"clean-bpf-fix.patch", "dos-line-endings.patch", "bpf-helper-v1.patch",
                                          "alignment-py-context.patch", "ifndef-c.patch", "code-indent.patch"}]


@pytest.mark.parametrize("case", COUNTED, ids=[c.name for c in COUNTED])
def test_lines_checked_is_checkpatchs_count(case, kernel_tree, run_cli, monkeypatch, tmp_path):
    """`total: ... N lines checked` counts what checkpatch counts: the lines inside hunks."""
    monkeypatch.chdir(tmp_path)
    proc = subprocess.run(["perl", str(kernel_tree / "scripts" / "checkpatch.pl"), "--strict", "--no-tree",
                           "--color=never", str(case)], cwd=tmp_path, capture_output=True, timeout=120)
    theirs = LINES_CHECKED.findall(proc.stdout.decode("utf-8", "replace"))
    status, out, err = run_cli("check", "--strict", case)
    assert LINES_CHECKED.findall(out) == theirs and len(theirs) == 1
