"""The BPF_HELPER story: the change to scripts/bpf_doc.py on the 6.12 tree, in its right form and with
each slip that cost it a round on the bpf list, made with git commit + git format-patch."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

BPF_DOC = "scripts/bpf_doc.py"

HEADER_BEFORE = """\
        for fwd in self.type_fwds:
            print('%s;' % fwd)
        print('')
"""
HEADER_AFTER = HEADER_BEFORE + """\
        print('#ifndef BPF_HELPER')
        print('#define BPF_HELPER(ret, name, args, id) static ret(* const name) args = (void *) id')
        print('#endif')
        print('')
"""
OPENER_BEFORE = "        print('static %s %s(* const %s)(' % (self.map_type(proto['ret_type']),\n"
OPENER_AFTER = "        print('BPF_HELPER(%s %s, %s, (' % (self.map_type(proto['ret_type']),\n"
CONTINUATION = "proto['ret_star'], proto['name']), end='')\n"
CONTINUATION_BEFORE = " " * 38 + CONTINUATION  # as in 6.12: already off, by the way
CLOSE_BEFORE = "        print(') = (void *) %d;' % helper.enum_val)\n"
CLOSE_AFTER = "        print('), %d);' % helper.enum_val)\n"

MESSAGE = """\
bpf_doc: emit helper declarations through BPF_HELPER()

Print each helper as BPF_HELPER(ret, name, (args), id) and define
BPF_HELPER, unless the includer did, to the static function pointer
declaration bpf_helper_defs.h always had. A loader that binds helpers
by name can then redefine the macro before including the header.

Signed-off-by: Test Author <author@example.org>
"""


def right_form(text: str) -> str:
    text = _once(text, HEADER_BEFORE, HEADER_AFTER)
    text = _once(text, OPENER_BEFORE + CONTINUATION_BEFORE, OPENER_AFTER + " " * 43 + CONTINUATION)
    return _once(text, CLOSE_BEFORE, CLOSE_AFTER)


def _once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# each slip: the right form, with one thing done as the rounds on the list saw it
SLIPS = {
    "right": lambda t: t,
    "if-not-defined": lambda t: _once(t, "print('#ifndef BPF_HELPER')", "print('#if !defined(BPF_HELPER)')"),
    "misaligned": lambda t: _once(t, " " * 43 + CONTINUATION, " " * 42 + CONTINUATION),
    # aligned one past the `(` of 'BPF_HELPER(' inside the string literal
    "string-paren": lambda t: _once(t, " " * 43 + CONTINUATION, " " * 26 + CONTINUATION),
    # the opener lengthened, the continuation below it left as it was: a context line of the diff
    "context": lambda t: _once(t, " " * 43 + CONTINUATION, CONTINUATION_BEFORE),
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          timeout=120).stdout


@pytest.fixture
def bpf_helper_patches(kernel_clone, tmp_path):
    """{slip: path of its format-patch file}, each one commit on the 6.12 tree's HEAD."""
    base = git(kernel_clone, "rev-parse", "HEAD").strip()
    script = kernel_clone / BPF_DOC
    original = script.read_text()
    patches = {}
    for name, slip in SLIPS.items():
        git(kernel_clone, "checkout", "-q", "-B", f"bpf-helper-{name}", base)
        script.write_text(slip(right_form(original)))
        git(kernel_clone, "commit", "-q", "-a", "-m", MESSAGE)
        out = tmp_path / f"bpf-helper-{name}.patch"
        out.write_text(git(kernel_clone, "format-patch", "-1", "--stdout", "--subject-prefix=PATCH bpf-next"))
        patches[name] = out
    git(kernel_clone, "checkout", "-q", "bpf-helper-right")  # leave the tree at the right form
    return patches


def check(run_cli, tree, patch):
    status, out, err = run_cli("check", "--strict", "--format", "json", "--tree", tree, patch)
    assert err == ""
    found = json.loads(out)["findings"]
    assert status == (1 if found else 0)
    return [(f["type"], f["file"], f["line"], f["column"], f["message"]) for f in found]


def line_of(patch: Path, text: str) -> int:
    """The post-image line number of the diff line that reads `text` (checked against the hunk)."""
    new_line = None
    for line in patch.read_text().split("\n"):
        match = re.match(r"^@@ -\d+(?:,\d+)? \+(\d+)", line)
        if match:
            new_line = int(match.group(1))
            continue
        if new_line is None or not line or line[0] not in " +":
            continue
        if line[1:] == text:
            return new_line
        new_line += 1
    raise AssertionError(f"{text!r} not in {patch}")


def test_right_form_is_clean_with_strict(run_cli, kernel_clone, bpf_helper_patches):
    assert check(run_cli, kernel_clone, bpf_helper_patches["right"]) == []


def test_right_form_generates_the_same_declarations(kernel_clone, bpf_helper_patches):
    """The macro form preprocesses to the declarations bpf_helper_defs.h had (spacing aside)."""
    def generate():
        return subprocess.run(["python3", BPF_DOC, "--header", "helpers", "--filename", "include/uapi/linux/bpf.h"],
                              cwd=kernel_clone, check=True, capture_output=True, text=True, timeout=120).stdout

    def preprocessed(header):
        text = subprocess.run(["clang", "-E", "-P", "-x", "c", "-"], input=header, check=True,
                              capture_output=True, text=True, timeout=120).stdout
        return [re.sub(r"\s+", "", line) for line in text.splitlines() if line.strip()]

    after = generate()
    assert "BPF_HELPER(void *, bpf_map_lookup_elem, (void *map, const void *key), 1);" in after
    assert "#ifndef BPF_HELPER\n#define BPF_HELPER(ret, name, args, id) " in after
    git(kernel_clone, "checkout", "-q", "HEAD~1", "--", BPF_DOC)
    before = generate()
    git(kernel_clone, "checkout", "-q", "HEAD", "--", BPF_DOC)
    assert preprocessed(after) == preprocessed(before)
    assert len(preprocessed(after)) > 200


def test_each_slip_is_found(run_cli, kernel_clone, bpf_helper_patches):
    patches = bpf_helper_patches
    opener = line_of(patches["misaligned"], OPENER_AFTER.rstrip("\n"))
    assert opener == line_of(patches["context"], OPENER_AFTER.rstrip("\n")) > 800

    assert check(run_cli, kernel_clone, patches["if-not-defined"]) == [
        ("PREFER_IFNDEF", BPF_DOC, line_of(patches["if-not-defined"], "        print('#if !defined(BPF_HELPER)')"),
         16, "Prefer #ifndef BPF_HELPER to #if !defined(BPF_HELPER) in the C this prints")]
    assert check(run_cli, kernel_clone, patches["misaligned"]) == [
        ("PARENTHESIS_ALIGNMENT", BPF_DOC, opener + 1, 44,
         "Alignment should match open parenthesis at column 44 (found 43)")]
    assert check(run_cli, kernel_clone, patches["string-paren"]) == [
        ("PARENTHESIS_ALIGNMENT", BPF_DOC, opener + 1, 44,
         "Alignment should match open parenthesis at column 44 (found 27)")]
    assert check(run_cli, kernel_clone, patches["context"]) == [
        ("PARENTHESIS_ALIGNMENT", BPF_DOC, opener + 1, 44,
         "Alignment should match open parenthesis at column 44 (found 39): this unchanged line follows "
         f"the parenthesis that the patch moved on line {opener}")]


def test_context_slip_is_a_context_line_in_the_patch(bpf_helper_patches):
    text = bpf_helper_patches["context"].read_text()
    assert "\n " + CONTINUATION_BEFORE in text  # unchanged: a context line, not an added one
    assert "\n+" + OPENER_AFTER in text


def test_checkpatch_misses_every_slip(kernel_clone, bpf_helper_patches):
    """The reason for these checks: checkpatch --strict reports none of the four slips."""
    for name in ("if-not-defined", "misaligned", "string-paren", "context"):
        proc = subprocess.run(["perl", "scripts/checkpatch.pl", "--strict", "--no-tree", "--show-types",
                               "--no-summary", "--terse", str(bpf_helper_patches[name])],
                              cwd=kernel_clone, capture_output=True, text=True, timeout=300)
        assert "PARENTHESIS_ALIGNMENT" not in proc.stdout and "IFNDEF" not in proc.stdout, (name, proc.stdout)
