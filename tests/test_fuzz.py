"""Property-based fuzzing of `patchflow check`: the patches of tests/patches/, mutated, keep the contract.

The contract (the same as tests/test_hostile.py): a readable patch exits 0 or 1 with its report and
nothing on stderr; anything else exits 2 with exactly one stderr line, `patchflow: <file>: <problem>`;
no exception escapes (how long the cases take is measured by benchmarks/bench_hostile.py).

Mutations are what mail clients, editors and attackers do to patches: cut them short, duplicate,
swap and delete lines, flip and insert bytes, re-encode (UTF-16, Latin-1, CRLF, BOM), make hunk
counts lie, splice in lines of another patch and lines that look like diff syntax.

The CLI runs in-process for speed. CI runs PATCHFLOW_FUZZ_EXAMPLES=200 (the default) cases per
property, the same cases on every run (the `ci` Hypothesis profile of tests/conftest.py); a long run
draws new ones: `PATCHFLOW_HYPOTHESIS_PROFILE=fuzz PATCHFLOW_FUZZ_EXAMPLES=20000 python3 -m pytest -q
tests/test_fuzz.py`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from patchflow.cli import main

PATCHES = Path(__file__).parent / "patches"
# the patches and mboxes (not the .expected files that other tests keep beside them)
CORPUS = sorted(p for p in PATCHES.rglob("*") if p.is_file() and p.suffix in (".patch", ".mbox", ".diff", ".eml"))
EXAMPLES = int(os.environ.get("PATCHFLOW_FUZZ_EXAMPLES", "200"))
# derandomised in CI, random in a long run: the profile (tests/conftest.py) decides
FUZZ_SETTINGS = settings(max_examples=EXAMPLES)

# lines that mean something to a diff or mail parser, spliced in at random places
SYNTAX_LINES = [
    b"@@ -1 +1 @@", b"@@ -0,0 +1,3 @@", b"@@ -1,99999999 +1,99999999 @@ f(void)", b"@@ -1,2 +1,2",
    b"@@ -" + b"9" * 5000 + b",1 +1,1 @@",
    b"diff --git a/x.c b/x.c", b"diff --git a/../../etc/passwd b/../../etc/passwd", b"diff --git",
    b"--- a/x.c", b"+++ b/x.c", b"--- /dev/null", b"+++ /dev/null", b'+++ "b/tab\\there\\303\\251"',
    b"--- ", b"+++ ", b"\\ No newline at end of file", b"GIT binary patch", b"literal 12",
    b"delta 3", b"Binary files a/x and b/x differ", b"new file mode 100644", b"deleted file mode 100644",
    b"old mode 100644", b"new mode 120000", b"rename from ../outside", b"rename to /etc/shadow",
    b"copy from a", b"copy to b", b"similarity index 100%", b"index 0000000..ffffff 100644",
    b"From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001",
    b"From: =?UTF-8?B?////?= <x@y>", b"Subject: [PATCH 99999999999999999999/0] x",
    b"Subject: [PATCH v" + b"9" * 5000 + b"] x", b"Subject: =?unknown-8bit?q?=FF?=",
    b"Content-Transfer-Encoding: base64", b"Content-Transfer-Encoding: quoted-printable",
    b"Signed-off-by:", b"Fixes: 123456789abc (\"", b"---", b"-- ", b"", b" ", b"+", b"-", b"\r",
    b"+" + b"(" * 5000, b"+\t" + b"\xff\xfe" * 10, b"+" + b"x" * 20000, b"+/*", b"+\"", b"+'''",
]

# hostile values for the mail headers patchflow parses
HEADER_VALUES = {
    b"Subject": [b"[PATCH v" + b"9" * 5000 + b"] x", b"[PATCHv\xc2\xb2 1/2] x", b"[PATCH " + b"1" * 5000 + b"/2] x",
                 b"[PATCH 3/0] x", b"[[[[", b"]", b"", b"=?utf-8?b?!!!?=", b"=?x-unknown?q?=C3=A9?= y",
                 b"[PATCH bpf-next v2 1/3] " + b"long " * 5000],
    b"From": [b"", b"<>", b"=?utf-8?q?=FF=FE?= <a@b>", b"a" * 100000, b"\"unterminated <x@y>", b"@@@"],
    b"Content-Transfer-Encoding": [b"base64", b"quoted-printable", b"x-uuencode", b"BASE64"],
    b"Content-Type": [b"text/plain; charset=x-unknown", b"multipart/mixed; boundary=zz"],
}

ENCODINGS = ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig", "ascii"]


def _lines(data: bytes):
    return data.split(b"\n")


def _join(lines) -> bytes:
    return b"\n".join(lines)


@st.composite
def mutation(draw):
    """One mutation: a function from bytes to bytes, with its parameters drawn."""
    kind = draw(st.sampled_from(["cut_bytes", "cut_lines", "duplicate", "swap", "delete", "flip", "insert_bytes",
                                 "insert_syntax", "encode", "line_endings", "hunk_counts", "splice", "header"]))
    a = draw(st.integers(0, 2**31))
    b = draw(st.integers(0, 2**31))
    if kind == "cut_bytes":
        return kind, lambda d: d[: a % (len(d) + 1)]
    if kind == "cut_lines":
        return kind, lambda d: _join(_lines(d)[: a % (len(_lines(d)) + 1)])
    if kind == "duplicate":
        count = draw(st.integers(1, 40))

        def duplicate(d):
            lines = _lines(d)
            start = a % len(lines)
            chunk = lines[start:start + count]
            at = b % (len(lines) + 1)
            return _join(lines[:at] + chunk + lines[at:])
        return kind, duplicate
    if kind == "swap":
        def swap(d):
            lines = _lines(d)
            i, j = a % len(lines), b % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
            return _join(lines)
        return kind, swap
    if kind == "delete":
        count = draw(st.integers(1, 20))

        def delete(d):
            lines = _lines(d)
            start = a % len(lines)
            return _join(lines[:start] + lines[start + count:])
        return kind, delete
    if kind == "flip":
        value = draw(st.one_of(st.sampled_from([0x00, 0x0A, 0x0D, 0x20, 0x2B, 0x2D, 0x40, 0x5C, 0x80, 0xC3, 0xFF]),
                               st.integers(0, 255)))

        def flip(d):
            if not d:
                return bytes([value])
            at = a % len(d)
            return d[:at] + bytes([value]) + d[at + 1:]
        return kind, flip
    if kind == "insert_bytes":
        blob = draw(st.binary(min_size=1, max_size=64))
        return kind, lambda d: d[: a % (len(d) + 1)] + blob + d[a % (len(d) + 1):]
    if kind == "insert_syntax":
        line = draw(st.one_of(st.sampled_from(SYNTAX_LINES), st.text(max_size=80).map(
            lambda t: t.encode("utf-8", errors="surrogateescape"))))

        def insert_syntax(d):
            lines = _lines(d)
            at = a % (len(lines) + 1)
            return _join(lines[:at] + [line] + lines[at:])
        return kind, insert_syntax
    if kind == "encode":
        encoding = draw(st.sampled_from(ENCODINGS))
        return kind, lambda d: d.decode("utf-8", errors="replace").encode(encoding, errors="replace")
    if kind == "line_endings":
        ending = draw(st.sampled_from([b"\r\n", b"\r", b"\n\n", b"\x85", b"\x0c\n"]))
        return kind, lambda d: d.replace(b"\n", ending)
    if kind == "hunk_counts":
        number = draw(st.sampled_from([b"0", b"1", b"2", b"7", b"65536", b"2147483648", b"-1", b"", b"9" * 5000]))

        def hunk_counts(d):
            lines = _lines(d)
            hunks = [i for i, line in enumerate(lines) if line.startswith(b"@@ ")]
            if not hunks:
                return d
            i = hunks[a % len(hunks)]
            numbers = list(re.finditer(rb"\d+", lines[i]))
            if numbers:
                m = numbers[b % len(numbers)]
                lines[i] = lines[i][: m.start()] + number + lines[i][m.end():]
            return _join(lines)
        return kind, hunk_counts
    if kind == "header":
        name = draw(st.sampled_from(sorted(HEADER_VALUES)))
        value = draw(st.one_of(st.sampled_from(HEADER_VALUES[name]), st.binary(max_size=40)))

        def header(d):
            lines = _lines(d)
            for i, line in enumerate(lines[:40]):
                if line.startswith(name + b":"):
                    lines[i] = name + b": " + value
                    return _join(lines)
            return _join([name + b": " + value] + lines)
        return kind, header
    other = draw(st.sampled_from(CORPUS)).read_bytes()

    def splice(d):
        lines, donor = _lines(d), _lines(other)
        start = a % len(donor)
        at = b % (len(lines) + 1)
        return _join(lines[:at] + donor[start:start + 30] + lines[at:])
    return kind, splice


@st.composite
def mutated_patch(draw):
    base = draw(st.sampled_from(CORPUS))
    data = base.read_bytes()
    applied = []
    for kind, mutate in draw(st.lists(mutation(), min_size=1, max_size=4)):
        data = mutate(data)
        applied.append(kind)
    return base.name, applied, data


def run_check(path: str, *options: str):
    """`patchflow check OPTIONS PATH` in-process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["check", *options, path])
    return status, out.getvalue(), err.getvalue()


def assert_contract(path: str, status: int, out: str, err: str, output_format: str):
    assert "Traceback" not in err
    if status == 2:
        assert out == "", "a refused patch prints no report"
        lines = err.splitlines()
        assert len(lines) == 1, f"expected one line on stderr, got {err!r}"
        assert lines[0].startswith("patchflow: ") and path in lines[0], lines[0]
        return
    assert status in (0, 1), status
    assert all(line.startswith("patchflow: note: ") for line in err.splitlines()), \
        f"a readable patch writes nothing on stderr but the run's notes, got {err!r}"
    if output_format == "json":
        report = json.loads(out)
        assert report["summary"]["patches"] >= 1
        assert status == (1 if report["findings"] else 0)
    elif output_format == "terse":
        assert re.search(r": total: \d+ errors, \d+ warnings, \d+ checks, \d+ lines checked\n\Z", out), out[-300:]
    else:
        assert re.search(r"(is ready for submission|has style problems, please review)\.\n+\Z", out), out[-300:]
        assert status == (1 if "has style problems, please review." in out else 0)


def test_the_corpus_is_there_and_readable():
    """The fuzzer's seeds are real patches: each one, unmutated, is read and reported (exit 0 or 1)."""
    assert len(CORPUS) >= 7
    for seed in CORPUS:
        status, out, err = run_check(str(seed), "--terse")
        assert status in (0, 1) and all(line.startswith("patchflow: note: ") for line in err.splitlines()), \
            (seed.name, err)
        assert "lines checked" in out


_WORKDIR = tempfile.TemporaryDirectory(prefix="patchflow-fuzz-")


@FUZZ_SETTINGS
@given(case=mutated_patch(), output_format=st.sampled_from(["text", "terse", "json"]), strict=st.booleans())
def test_mutated_patches_keep_the_contract(case, output_format, strict):
    name, applied, data = case
    path = os.path.join(_WORKDIR.name, "mutated-" + name)
    with open(path, "wb") as handle:
        handle.write(data)
    options = ["--format", "json"] if output_format == "json" else (["--terse"] if output_format == "terse" else [])
    if strict:
        options.append("--strict")
    status, out, err = run_check(path, *options)
    assert_contract(path, status, out, err, output_format)


@FUZZ_SETTINGS
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes_keep_the_contract(data):
    path = os.path.join(_WORKDIR.name, "bytes.patch")
    with open(path, "wb") as handle:
        handle.write(data)
    status, out, err = run_check(path, "--terse")
    assert_contract(path, status, out, err, "terse")


@settings(FUZZ_SETTINGS, max_examples=max(20, EXAMPLES // 10))
@given(case=mutated_patch())
def test_mutated_patches_against_a_kernel_tree_keep_the_contract(kernel_tree, case):
    """With --tree the checks that read MAINTAINERS and the tree's files run too (fewer cases: each
    one parses MAINTAINERS)."""
    name, applied, data = case
    path = os.path.join(_WORKDIR.name, "tree-" + name)
    with open(path, "wb") as handle:
        handle.write(data)
    status, out, err = run_check(path, "--terse", "--strict", "--tree", str(kernel_tree))
    assert_contract(path, status, out, err, "terse")
