"""Hostile input to `patchflow check`, each case run as a real child process.

The contract: a readable patch exits 0 or 1 with its report and nothing on stderr; anything else
exits 2 with exactly one stderr line, `patchflow: <file>...: <problem>`; never a traceback; every
run ends (run_patchflow raises TimeoutExpired on a hang; how long each case takes, next to checkpatch.pl,
is measured by benchmarks/bench_hostile.py, not asserted here).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys

from conftest import PATCHES, run_patchflow

# a guard against a hang, not a time limit: a case takes well under a second on an idle machine
TIMEOUT = 300

C_PATCH = PATCHES / "robust-zero-size-map-area.patch"


def check(*args, input=None):
    proc = run_patchflow("check", *args, input=input, timeout=TIMEOUT)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def assert_refused(proc, name, *words):
    """Exit 2, no report, and one stderr line naming the file and the problem."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-500:], proc.stderr)
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"patchflow: {name}"), lines[0]
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def assert_readable(proc, name, patches=1):
    """Exit 0 or 1 with a report for every patch of the file, and nothing on stderr."""
    assert proc.returncode in (0, 1), (proc.returncode, proc.stderr)
    assert proc.stderr == ""
    totals = re.findall(r"^(\S+): total: \d+ errors, \d+ warnings, \d+ checks, \d+ lines checked$",
                        proc.stdout, re.M)
    assert len(totals) == patches, proc.stdout[-2000:]
    assert totals[0] == name
    findings = [line for line in proc.stdout.splitlines() if ": total: " not in line]
    assert proc.returncode == (1 if findings else 0)


def diff_adding(path: str, added: bytes) -> bytes:
    """A git diff of one file that adds one line (its bytes given) after a context line."""
    return (f"diff --git a/{path} b/{path}\nindex 1111111..2222222 100644\n--- a/{path}\n+++ b/{path}\n"
            f"@@ -1,1 +1,2 @@\n x = 1\n").encode() + b"+" + added + b"\n"


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- files that are not patches: exit 2, one line ------------------------------------------


def test_empty_file(tmp_path):
    path = write(tmp_path, "empty.patch", b"")
    assert_refused(check(path), path, "empty file")


def test_blank_file(tmp_path):
    path = write(tmp_path, "blank.patch", b"\n \n\t\n")
    assert_refused(check(path), path, "empty file")


def test_random_bytes(tmp_path):
    data = random.Random(7).randbytes(64 * 1024)
    path = write(tmp_path, "random.bin", data)
    assert_refused(check(path), path, "not a patch")


def test_random_bytes_without_nul(tmp_path):
    rng = random.Random(8)
    data = bytes(rng.randrange(1, 256) for _ in range(64 * 1024))
    path = write(tmp_path, "random-text.bin", data)
    assert_refused(check(path), path, "not a patch")


def test_random_bytes_on_standard_input():
    data = random.Random(9).randbytes(4096).replace(b"\0", b"")
    proc = subprocess.run([sys.executable, "-m", "patchflow", "check", "-"], input=data, capture_output=True,
                          timeout=TIMEOUT)
    assert proc.returncode == 2 and proc.stdout == b""
    assert proc.stderr.decode().splitlines() == ["patchflow: -: not a patch: no mail headers and no unified diff found"]


def test_patch_cut_off_in_a_hunk(tmp_path):
    lines = C_PATCH.read_bytes().split(b"\n")
    hunk = next(i for i, line in enumerate(lines) if line.startswith(b"@@ "))
    path = write(tmp_path, "cut.patch", b"\n".join(lines[: hunk + 4]) + b"\n")
    message = assert_refused(check(path), f"{path}:{hunk + 1}:", "cut short")
    assert "end of the file" in message


def test_nul_byte_in_an_added_line(tmp_path):
    data = C_PATCH.read_bytes().replace(b"|| !size)", b"|| !size\0)")
    path = write(tmp_path, "nul.patch", data)
    assert_refused(check(path), path, "NUL")


def test_nul_byte_far_into_a_big_patch(tmp_path):
    data = C_PATCH.read_bytes() + b"\n" * 20000 + b"trailing\0garbage\n"
    path = write(tmp_path, "late-nul.patch", data)
    assert_refused(check(path), path, "NUL")


def test_utf16_file(tmp_path):
    path = write(tmp_path, "utf16.patch", C_PATCH.read_text(encoding="utf-8").encode("utf-16"))
    assert_refused(check(path), path, "UTF-16")


def test_utf16_file_without_byte_order_mark(tmp_path):
    path = write(tmp_path, "utf16le.patch", C_PATCH.read_text(encoding="utf-8").encode("utf-16-le"))
    assert_refused(check(path), path, "UTF-16")


def test_hunk_header_counting_more_lines_than_follow(tmp_path):
    data = C_PATCH.read_bytes().replace(b"@@ -291,7 +291,7 @@", b"@@ -291,9 +291,9 @@", 1)
    assert data != C_PATCH.read_bytes()
    path = write(tmp_path, "counts-long.patch", data)
    assert_refused(check(path), path, "cut short", "counts that lie")


def test_hunk_header_counting_fewer_lines_than_follow(tmp_path):
    data = C_PATCH.read_bytes().replace(b"@@ -291,7 +291,7 @@", b"@@ -291,3 +291,3 @@", 1)
    path = write(tmp_path, "counts-short.patch", data)
    line = next(i for i, text in enumerate(data.split(b"\n"), 1) if text.startswith(b"@@ -291,3"))
    assert_refused(check(path), path, "after the end of the hunk at line", str(line), "counts are wrong")


def test_hunk_header_with_a_huge_count(tmp_path):
    data = C_PATCH.read_bytes().replace(b"@@ -291,7 +291,7 @@", b"@@ -291,7 +291," + b"9" * 5000 + b" @@", 1)
    path = write(tmp_path, "counts-huge.patch", data)
    assert_refused(check(path), path, "impossible")


def test_a_directory(tmp_path):
    assert_refused(check(tmp_path), tmp_path, "is a directory")


def test_a_missing_file(tmp_path):
    path = tmp_path / "missing.patch"
    assert_refused(check(path), path, "no such file")


def test_a_missing_file_after_a_good_one(tmp_path):
    """The missing file is one stderr line and exit 2; the good file is still checked and reported."""
    path = tmp_path / "missing.patch"
    proc = check(C_PATCH, path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"patchflow: {path}: no such file"]
    assert f"{C_PATCH} has style problems, please review." in proc.stdout.splitlines()


def test_a_file_without_read_permission(tmp_path):
    """Root reads any file whatever its mode, so the child runs as root without the two capabilities
    that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH): setpriv drops them from the bounding set,
    and the kernel then applies the file's mode 000 to it as to any user. The child keeps uid 0, so
    it still reaches this checkout and the Python under /root."""
    path = tmp_path / "secret.patch"
    shutil.copy(C_PATCH, path)
    path.chmod(0)
    command = [sys.executable, "-m", "patchflow", "check", str(path)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (Debian package util-linux) is needed to take root's read-anything right away"
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"] + command
    proc = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT)
    assert_refused(proc, path, "cannot read", "Permission denied")


def test_a_file_whose_read_fails():
    """/proc/self/mem opens, but reading its first page fails with EIO (nothing is mapped at 0)."""
    assert_refused(check("/proc/self/mem"), "/proc/self/mem", "cannot read", "Input/output error")


def test_only_a_mail_without_a_diff_or_subject(tmp_path):
    path = write(tmp_path, "headers.patch", b"From: someone <a@b.c>\nDate: today\n\nhello\n")
    assert_refused(check(path), path, "not a patch")


# --- readable patches, however odd: exit 0 or 1 with a report ------------------------------


def test_two_megabyte_line_in_a_c_file(tmp_path):
    path = write(tmp_path, "long.patch", diff_adding("kernel/bpf/long.c", b"int x = " + b"1 + " * 500_000 + b"1;"))
    proc = check(path, "--terse")
    assert_readable(proc, str(path))


def test_two_megabyte_line_in_the_commit_message(tmp_path):
    data = C_PATCH.read_bytes().replace(b"early, the same way", b"early, " + b"very " * 400_000 + b"the same way")
    path = write(tmp_path, "long-message.patch", data)
    assert_readable(check(path, "--terse"), str(path))


def test_two_megabyte_file_of_one_line(tmp_path):
    path = write(tmp_path, "one-line.patch", b"x" * 2_000_000)
    assert_refused(check(path), path, "not a patch")


def test_fifty_thousand_nested_parentheses_in_c(tmp_path):
    line = b"\tint depth = " + b"(" * 50_000 + b"1" + b")" * 50_000 + b";"
    path = write(tmp_path, "parens-c.patch", diff_adding("kernel/bpf/parens.c", line))
    assert_readable(check(path, "--terse", "--strict"), str(path))


def test_fifty_thousand_nested_parentheses_over_many_lines_in_c(tmp_path):
    body = b"\n".join([b"+\tf(a,"] + [b"+\t  (b," for _ in range(50_000)] + [b"+\t  c" + b")" * 50_001 + b";"])
    count = 50_002
    data = (b"diff --git a/kernel/bpf/deep.c b/kernel/bpf/deep.c\nindex 1111111..2222222 100644\n"
            b"--- a/kernel/bpf/deep.c\n+++ b/kernel/bpf/deep.c\n"
            b"@@ -1,1 +1,%d @@\n void f(void)\n" % (count + 1)) + body + b"\n"
    path = write(tmp_path, "parens-c-lines.patch", data)
    assert_readable(check(path, "--terse", "--strict"), str(path))


def test_fifty_thousand_nested_parentheses_in_python(tmp_path):
    line = b"depth = " + b"(" * 50_000 + b"1" + b")" * 50_000
    path = write(tmp_path, "parens-py.patch", diff_adding("scripts/parens.py", line))
    assert_readable(check(path, "--terse", "--strict"), str(path))


def test_fifty_thousand_nested_parentheses_over_many_lines_in_python(tmp_path):
    body = b"\n".join([b"+depth = f(1,"] + [b"+    (2," for _ in range(50_000)] + [b"+    3" + b")" * 50_001])
    data = (b"diff --git a/scripts/deep.py b/scripts/deep.py\nindex 1111111..2222222 100644\n"
            b"--- a/scripts/deep.py\n+++ b/scripts/deep.py\n"
            b"@@ -1,1 +1,%d @@\n x = 1\n" % (50_002 + 1)) + body + b"\n"
    path = write(tmp_path, "parens-py-lines.patch", data)
    assert_readable(check(path, "--terse", "--strict"), str(path))


def test_latin1_mail(tmp_path):
    text = C_PATCH.read_text(encoding="utf-8")
    text = text.replace("Ada Reviewer", "Jos\u00e9 M\u00fcller").replace("|| !size)", "|| !size) /* z\u00e9ro */")
    path = write(tmp_path, "latin1.patch", text.encode("latin-1"))
    proc = check(path, "--terse")
    assert_readable(proc, str(path))
    json_proc = check(path, "--format", "json")
    assert json_proc.returncode == proc.returncode and json_proc.stdout.startswith("{")


def test_an_mbox_of_a_thousand_messages(tmp_path):
    mail = C_PATCH.read_text(encoding="utf-8")
    messages = [mail.replace("[PATCH bpf-next]", f"[PATCH bpf-next {i}/1000]") for i in range(1, 1001)]
    path = write(tmp_path, "big.mbox", "".join(m if m.endswith("\n") else m + "\n" for m in messages).encode())
    proc = check(path, "--terse")
    assert_readable(proc, str(path), patches=1000)
    assert f"{path}#1000: total:" in proc.stdout


def test_dev_null_sides_renames_modes_and_git_binary_patch():
    path = PATCHES / "robust-rename-binary-mode.patch"
    text = path.read_text()
    for part in ("--- /dev/null", "+++ /dev/null", "rename from ", "old mode 100755", "GIT binary patch"):
        assert part in text
    assert_readable(check(path, "--terse"), str(path))


def test_binary_files_differ():
    path = PATCHES / "robust-binary-differ.patch"
    assert "Binary files /dev/null and b/Documentation/bpf-logo.png differ" in path.read_text()
    assert_readable(check(path, "--terse"), str(path))


def test_crlf_line_endings(tmp_path):
    path = write(tmp_path, "crlf.patch", C_PATCH.read_bytes().replace(b"\n", b"\r\n"))
    assert_readable(check(path, "--terse"), str(path))


def test_quoted_printable_mail():
    path = PATCHES / "robust-quoted-printable.patch"
    assert_readable(check(path, "--terse"), str(path))


def test_a_file_name_with_a_newline(tmp_path):
    path = tmp_path / "two\nlines.patch"
    path.write_bytes(b"")
    proc = check(path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [f"patchflow: {tmp_path}/two\\nlines.patch: empty file"]
