"""diff.py's two readers: a `diff --git` section of the usual shape is read in one pass of our own,
any other by unidiff; both give the same FileDiffs, and the same error for a broken diff."""

from pathlib import Path

import pytest

from patch_cases import case_files

from patchflow import diff
from patchflow.errors import BadInput
from patchflow.patch import parse_bytes

MAILS = Path(__file__).parent / "mails"
CASES = Path(__file__).parent / "patches"

HEAD = "From: A <a@example.org>\nSubject: [PATCH] x: y\n\nBody.\n\nSigned-off-by: A <a@example.org>\n---\n"


def _read(data: bytes, name: str):
    try:
        return [(patch.files, patch.patch_start) for patch in parse_bytes(data, name, [])]
    except BadInput as exc:
        return str(exc)


def _both_readers(data: bytes, name: str = "t.patch"):
    """(what the reader reads, what unidiff alone reads, sections the one-pass reader took)"""
    taken = []
    one_pass = diff._read_git_section

    def counted(*args):
        files = one_pass(*args)
        taken.append(files is not None)
        return files

    diff._read_git_section = counted
    try:
        read = _read(data, name)
        diff._read_git_section = lambda *args: None
        by_unidiff = _read(data, name)
    finally:
        diff._read_git_section = one_pass
    return read, by_unidiff, taken


@pytest.mark.parametrize("case", case_files() + sorted(MAILS.iterdir()), ids=lambda case: case.name)
def test_both_readers_read_every_test_case_alike(case):
    read, by_unidiff, _ = _both_readers(case.read_bytes(), str(case))
    assert read == by_unidiff


_HUNK = "@@ -1,2 +1,2 @@ int f(void)\n a;\n-b;\n+c;\n"
_SHAPES = {
    # read in one pass
    "modified": ("diff --git a/x.c b/x.c\nindex 1234567..89abcde 100644\n--- a/x.c\n+++ b/x.c\n" + _HUNK, True),
    "new file": ("diff --git a/x.c b/x.c\nnew file mode 100644\nindex 0000000..89abcde\n--- /dev/null\n"
                 "+++ b/x.c\n@@ -0,0 +1,2 @@\n+a;\n+b;\n\\ No newline at end of file\n-- \n2.43.0\n\n", True),
    "deleted": ("diff --git a/x.c b/x.c\ndeleted file mode 100644\nindex 89abcde..0000000\n--- a/x.c\n"
                "+++ /dev/null\n@@ -1,2 +0,0 @@\n-a;\n-b;\n", True),
    "renamed": ("diff --git a/x.c b/y.c\nsimilarity index 90%\nrename from x.c\nrename to y.c\n"
                "index 1234567..89abcde 100644\n--- a/x.c\n+++ b/y.c\n" + _HUNK, True),
    "two hunks, a blank context line": ("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n" + _HUNK +
                                        "@@ -9,3 +9,3 @@\n\n-d;\n+e;\n \n", True),
    # left to unidiff
    "a blank line between hunks": ("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n" + _HUNK + "\n"
                                   "@@ -9 +9 @@\n-d;\n+e;\n", False),
    "a marker after a blank line": ("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n" + _HUNK +
                                    "\n\\ No newline at end of file\n", False),
    "a hunk after the signature": ("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n" + _HUNK +
                                   "-- \n@@ -9 +9 @@\n-d;\n+e;\n", False),
    "a +++ that is not the target": ("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/z.c\n" + _HUNK, False),
    "a path with a blank": ('diff --git a/x y.c b/x y.c\n--- a/x y.c\n+++ b/x y.c\n' + _HUNK, False),
    "a quoted path": ('diff --git "a/\\303\\251.c" "b/\\303\\251.c"\n--- "a/\\303\\251.c"\n'
                      '+++ "b/\\303\\251.c"\n' + _HUNK, False),
    "a mode change only": ("diff --git a/x.sh b/x.sh\nold mode 100644\nnew mode 100755\n", False),
    "a binary file": ("diff --git a/x.bin b/x.bin\nindex 1234567..89abcde 100644\n"
                      "Binary files a/x.bin and b/x.bin differ\n", False),
    "CRLF headers": ("diff --git a/x.c b/x.c\r\n--- a/x.c\r\n+++ b/x.c\r\n" + _HUNK, False),
    "a timestamp": ("diff --git a/x.c b/x.c\n--- a/x.c\t2024-01-01\n+++ b/x.c\t2024-01-01\n" + _HUNK, False),
    "another marker": ("diff --git a/x.c b/x.c\n--- a/x.c\n+++ b/x.c\n" + _HUNK + "\\ something else\n", False),
}


@pytest.mark.parametrize("shape", sorted(_SHAPES))
def test_a_section_is_read_alike_by_both_readers(shape):
    text, one_pass = _SHAPES[shape]
    read, by_unidiff, taken = _both_readers((HEAD + text).encode())
    assert read == by_unidiff
    assert taken[:1] == [one_pass]


def test_the_one_pass_reader_numbers_lines_and_marks_a_missing_newline():
    text, _ = _SHAPES["new file"]
    [patch] = parse_bytes((HEAD + text).encode(), "t.patch")
    [file] = patch.files
    assert (file.old_path, file.new_path, file.new_mode, file.new_blob) == (None, "x.c", "100644", "89abcde")
    [hunk] = file.hunks
    assert (hunk.new_start, hunk.new_count, hunk.patch_line) == (1, 2, 13)
    assert [(line.kind, line.text, line.patch_line, line.new_line, line.no_newline) for line in hunk.lines] == [
        ("+", "a;", 14, 1, False), ("+", "b;", 15, 2, True)]


def test_a_broken_diff_is_refused_alike():
    # a hunk header after the signature: unidiff's error, whichever reader saw the section first
    text, _ = _SHAPES["a hunk after the signature"]
    read, by_unidiff, _ = _both_readers((HEAD + text).encode())
    assert read == by_unidiff and "broken diff" in read


@pytest.mark.parametrize("count, error", [
    (3, "t.patch:13: the hunk is cut short at line 17: its header counts more lines"),
    (1, "t.patch:15: a diff line after the end of the hunk at line 13: the hunk header's counts are wrong"),
])
def test_a_new_files_hunk_whose_counts_lie_is_refused(count, error):
    # a hunk that only adds is checked by one test of its lines; counts that lie fall to the walk
    text = (f"diff --git a/x.c b/x.c\nnew file mode 100644\nindex 0000000..89abcde\n--- /dev/null\n"
            f"+++ b/x.c\n@@ -0,0 +1,{count} @@\n+a;\n+b;\n-- \n2.43.0\n")
    with pytest.raises(BadInput) as refused:
        parse_bytes((HEAD + text).encode(), "t.patch")
    assert str(refused.value).startswith(error)


# two files of a diff without `diff --git` lines (both files start at the same patch line), each of
# two hunks, and a removed line: the text `check` fixes on each line of the patch
QUILT_DIFF = b"""\
--- a/net/a.c
+++ b/net/a.c
@@ -1,2 +1,2 @@
 int a;
-int b;
+int c;
@@ -10,1 +10,2 @@
 int d;
+int e;
--- a/net/b.c
+++ b/net/b.c
@@ -3,1 +3,2 @@
 int f;
+int g;
@@ -20,0 +22,1 @@
+int h;
"""


@pytest.mark.parametrize("data", [QUILT_DIFF, (CASES / "clean-bpf-fix.patch").read_bytes()])
def test_the_new_side_text_of_every_line_is_its_added_or_context_lines_text(data):
    patch = parse_bytes(data, "x.patch")[0]
    index = {line.patch_line: line.text for file in patch.files for hunk in file.hunks
             for line in hunk.lines if line.kind != "-"}
    asked = range(patch.first_line - 1, patch.first_line + len(patch.lines) + 1)
    assert [patch.new_side_text(number) for number in asked] == [index.get(number) for number in asked]
    assert patch.new_side_text(None) is None and len(patch.files) >= 1
    if data is QUILT_DIFF:
        assert [patch.new_side_text(n) for n in (5, 6, 9, 13, 14, 16)] == [None, "int c;", "int e;", "int f;", "int g;", "int h;"]
