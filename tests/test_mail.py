"""patchflow reads list mail as `git am` does: each mail of tests/mails/ against `git mailinfo` on the
same file (subject, author, commit message and patch text), and the command's handling of mboxes,
gzip input and bad files among good ones."""

from __future__ import annotations

import email.utils
import gzip
import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_patchflow
from patchflow.patch import parse_bytes, parse_subject, read_patches

MAILS = Path(__file__).parent / "mails"
SINGLE_MAILS = sorted(MAILS.glob("*.eml"))


def mailinfo(data: bytes, tmp_path: Path) -> dict:
    """`git mailinfo -k --scissors` on the bytes: what `git am -k --scissors` would commit."""
    msg, patch = tmp_path / "msg", tmp_path / "patch"
    proc = subprocess.run(["git", "mailinfo", "-k", "--scissors", str(msg), str(patch)], input=data,
                          capture_output=True, check=True)
    info = {}
    for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n"):  # not at U+0085
        key, sep, value = line.partition(": ")
        if sep:
            info.setdefault(key, value)  # the first Subject: (2.39 prints a second, empty one after scissors)
    return {"subject": info.get("Subject", ""), "author": (info.get("Author", ""), info.get("Email", "")),
            "message": msg.read_bytes().decode("utf-8", "surrogateescape").strip("\n"),
            "patch": patch.read_bytes().decode("utf-8", "surrogateescape").rstrip("\n")}


def reading(patch) -> dict:
    """patchflow's reading of one mail, in the terms of git mailinfo's output."""
    start = patch.patch_start
    return {"subject": patch.subject, "author": email.utils.parseaddr(patch.author),
            "message": "\n".join(text for _, text in patch.message).strip("\n"),
            "patch": "\n".join(patch.lines[start - patch.first_line:]).rstrip("\n") if start else ""}


@pytest.mark.parametrize("path", SINGLE_MAILS, ids=[p.name for p in SINGLE_MAILS])
def test_mail_reads_as_git_mailinfo_reads_it(path, tmp_path):
    [patch] = read_patches(str(path))
    assert reading(patch) == mailinfo(path.read_bytes(), tmp_path)
    assert [file.path for file in patch.files] == ["kernel/bpf/syscall.c"]


def test_each_patch_of_an_mbox_reads_as_git_mailsplit_and_mailinfo_read_it(tmp_path):
    split = tmp_path / "split"
    split.mkdir()
    subprocess.run(["git", "mailsplit", f"-o{split}", str(MAILS / "thread.mbox")], check=True, capture_output=True)
    mails = sorted(split.iterdir())
    patches = read_patches(str(MAILS / "thread.mbox"))
    assert len(mails) == 4 and [p.index_in_source for p in patches] == [0, 1]
    for patch in patches:
        git = mailinfo(mails[patch.index_in_source].read_bytes(), tmp_path)
        assert reading(patch) == git  # the cover letter too: no patch, the same message


def test_repeated_folded_headers_keep_the_subject_and_the_quoted_name():
    [patch] = read_patches(str(MAILS / "folded-headers.eml"))
    assert patch.subject == "[PATCH bpf-next v3 2/5] bpf: refuse zero-sized map areas before they reach vmalloc"
    lines = (MAILS / "folded-headers.eml").read_bytes().split(b"\n")
    assert patch.header_lines["subject"] == 1 + next(i for i, line in enumerate(lines) if line.startswith(b"Subject:"))
    assert patch.author == '"Alexis Lothoré (eBPF Foundation)" <alexis.lothore@example.org>'
    assert (patch.prefix.tree, patch.prefix.version, patch.prefix.number, patch.prefix.total) == ("bpf-next", 3, 2, 5)


@pytest.mark.parametrize("name", ["qp-latin1.eml", "base64-latin1.eml", "qp-utf8.eml", "base64-utf8.eml",
                                  "folded-headers.eml"])
def test_encoded_bodies_in_any_charset_give_no_utf8_or_author_findings(name):
    status, out, err = _check(MAILS / name, "--strict")
    assert err == ""
    assert "INVALID_UTF8" not in out and "FROM_SIGN_OFF_MISMATCH" not in out and "NO_AUTHOR_SIGN_OFF" not in out


def test_a_finding_in_a_quoted_printable_body_names_the_line_of_the_file(tmp_path):
    """The added line is cut by a soft line break: #N is the encoded line it starts on."""
    raw = (MAILS / "qp-utf8.eml").read_bytes()
    raw = raw.replace(b"+\tif (size >=3D SIZE_MAX || !size)", b"+\tif (size >=3D SIZE_MAX || =\n!size) =20")
    path = tmp_path / "qp.eml"
    path.write_bytes(raw)
    number = raw.split(b"\n").index(b"+\tif (size >=3D SIZE_MAX || =") + 1
    status, out, err = _check(path, "--terse", "--types", "TRAILING_WHITESPACE")
    assert out.splitlines()[0] == f"{path}:{number}: ERROR:TRAILING_WHITESPACE: trailing whitespace"


def test_a_finding_in_a_base64_body_counts_decoded_lines_from_the_body_start(tmp_path):
    raw = (MAILS / "base64-utf8.eml").read_bytes()
    head, _, encoded = raw.partition(b"\n\n")
    import base64

    text = base64.b64decode(encoded).replace(b"|| !size)", b"|| !size) ")
    path = tmp_path / "b64.eml"
    path.write_bytes(head + b"\n\n" + base64.encodebytes(text))
    body_start = head.count(b"\n") + 3  # the line after the blank line that ends the headers
    number = body_start + text.split(b"\n").index(b"+\tif (size >= SIZE_MAX || !size) ")
    status, out, err = _check(path, "--terse", "--types", "TRAILING_WHITESPACE")
    assert out.splitlines()[0] == f"{path}:{number}: ERROR:TRAILING_WHITESPACE: trailing whitespace"


def test_comma_separated_prefix_names_tree_version_and_number():
    [patch] = read_patches(str(MAILS / "comma-prefix.eml"))
    prefix = patch.prefix
    assert (prefix.is_patch, prefix.tree, prefix.version, prefix.number, prefix.total) == (True, "bpf", 2, 1, 2)
    assert patch.author == "Jane Doe <jane@example.org>"  # the in-body From:, not the relay


@pytest.mark.parametrize("subject, expected", [
    ("[PATCHv5 net-next 3/7] x", (5, "net-next", 3, 7, False, False)),
    ("[PATCH RESEND bpf v2] x", (2, "bpf", None, None, False, True)),
    ("[RFC PATCH v3 1/2 bpf-next] x", (3, "bpf-next", 1, 2, True, False)),
    ("[PATCH v2,net,0/4] x", (2, "net", 0, 4, False, False)),
    ("[PATCH] [bpf-next] x", (None, "bpf-next", None, None, False, False)),
])
def test_subject_prefixes_as_patchwork_splits_them(subject, expected):
    prefix, summary = parse_subject(subject)
    assert (prefix.version, prefix.tree, prefix.number, prefix.total, prefix.rfc, prefix.resend) == expected
    assert prefix.is_patch and summary == "x"


def test_scissors_line_starts_the_message_again():
    [patch] = read_patches(str(MAILS / "scissors.eml"))
    assert patch.subject == "bpf: refuse zero-sized map areas"
    assert patch.message[0][1].startswith("A zero-sized map area")


def test_thread_mbox_skips_replies_and_other_mails_with_a_note():
    proc = run_patchflow("check", "--terse", MAILS / "thread.mbox")
    assert proc.returncode in (0, 1)
    assert proc.stderr.splitlines() == [
        f"patchflow: note: {MAILS / 'thread.mbox'}#3: a reply (Re:), not checked",
        f"patchflow: note: {MAILS / 'thread.mbox'}#4: no diff and no [PATCH] in its subject, not checked"]
    totals = [line.split(":")[0] for line in proc.stdout.splitlines() if ": total:" in line]
    assert totals == [str(MAILS / "thread.mbox"), f"{MAILS / 'thread.mbox'}#2"]


def test_gzip_file_and_gzip_on_standard_input(tmp_path):
    data = gzip.compress((MAILS / "thread.mbox").read_bytes())
    path = tmp_path / "t.mbox.gz"
    path.write_bytes(data)
    assert [p.subject for p in read_patches(str(path))] == [
        "[PATCH bpf-next v2 0/1] bpf: zero-sized map areas", "[PATCH bpf-next v2 1/1] bpf: refuse zero-sized map areas"]
    proc = subprocess.run([os.sys.executable, "-m", "patchflow", "check", "--terse", "-"], input=data,
                          capture_output=True)
    assert proc.returncode in (0, 1) and b"-#2: total:" in proc.stdout


def test_broken_gzip_is_one_line(tmp_path):
    path = tmp_path / "cut.mbox.gz"
    path.write_bytes(gzip.compress((MAILS / "thread.mbox").read_bytes())[:200])
    proc = run_patchflow("check", path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [f"patchflow: {path}: gzip data cut short"]


def test_a_bad_file_among_good_ones_hides_nothing(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("Just some notes.\n")
    missing = tmp_path / "missing.patch"
    good = [MAILS / "qp-utf8.eml", MAILS / "folded-headers.eml"]
    proc = run_patchflow("check", "--terse", good[0], bad, missing, good[1])
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"patchflow: {bad}: not a patch: no mail headers and no unified diff found",
        f"patchflow: {missing}: no such file"]
    assert [line.split(": total:")[0] for line in proc.stdout.splitlines() if ": total:" in line] == list(map(str, good))
    as_json = run_patchflow("check", "--format", "json", good[0], bad)
    assert as_json.returncode == 2
    report = json.loads(as_json.stdout)
    assert report["errors"] == [f"{bad}: not a patch: no mail headers and no unified diff found"]
    assert report["summary"]["patches"] == 1


def test_parse_bytes_reads_a_gzip_mbox_from_memory():
    data = gzip.compress((MAILS / "thread.mbox").read_bytes())
    skipped = []
    patches = parse_bytes(data, "lore", skipped)
    assert [p.name for p in patches] == ["lore", "lore#2"]
    assert skipped == ["lore#3: a reply (Re:), not checked",
                       "lore#4: no diff and no [PATCH] in its subject, not checked"]


def _check(path, *args):
    proc = run_patchflow("check", *args, path)
    return proc.returncode, proc.stdout, proc.stderr


# --- any mail git mailinfo accepts gives the same subject and author --------------------------

_WORDS = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=0x24F, blacklist_characters="\x7f"),
                 min_size=1, max_size=30).map(lambda s: s.strip()).filter(bool)


@st.composite
def mails(draw):
    """A mail with a Subject (plain, folded, RFC 2047 in UTF-8 or Latin-1, raw UTF-8) and a From: name.

    Names hold no address specials outside quotes: for `"<x"`, `a@b.org (1)` or names under three
    bytes, git mailinfo prints the address as the name (its output's convention, not the mail's
    author), which is nothing patchflow's checks should copy."""
    subject = draw(_WORDS)
    name = draw(_WORDS.filter(lambda s: not any(c in s for c in '"\\<>()@,;:[]')))
    charset = draw(st.sampled_from(["utf-8", "iso-8859-1"]))
    style = draw(st.sampled_from(["raw", "q", "b", "folded", "quoted", "raw-8bit"]))
    try:
        subject.encode(charset), name.encode(charset)
    except UnicodeEncodeError:
        charset = "utf-8"
    if style == "raw" and subject.isascii():
        subject_header = subject
    elif style == "folded" and subject.isascii() and " " in subject:
        subject_header = subject.replace(" ", "\n ", 1)
    else:
        from email.header import Header

        subject_header = Header(subject, charset).encode()
    from email.header import Header

    name_header = name if name.isascii() else Header(name, charset).encode()
    if style == "quoted":  # "Doe, John" as Outlook sends it
        name = f"{name}, {draw(_WORDS.filter(lambda s: s.isalpha()))}"
        name_header = f'"{name}"'
    elif style == "raw-8bit":  # UTF-8 bytes in the headers, no encoded word
        subject_header, name_header = subject, name
    return (f"From: {name_header} <someone@example.org>\nSubject: {subject_header}\n"
            f"Received: from a\n\tby b\nReceived: from c\n\tby d\n\n"
            f"Body text.\n\nSigned-off-by: x <someone@example.org>\n---\n"
            f"diff --git a/f b/f\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n+b\n").encode("utf-8")


# derandomized: the same examples on every run (no conftest profile sets it for this file)
@settings(derandomize=True, max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(mails())
def test_any_mail_git_accepts_gives_the_same_subject_and_author(tmp_path, data):
    git = mailinfo(data, tmp_path)
    [patch] = parse_bytes(data, "mail")
    assert (patch.subject, email.utils.parseaddr(patch.author)) == (git["subject"], git["author"])


# format-patch mails are read without the email package (it takes a tenth of a one-patch check's
# start-up to import), other mails with it: both must read as git mailinfo reads them
PLAIN_HEADER_FORMS = {
    "crlf": lambda head: head.replace(b"\n", b"\r\n"),
    "folded-subject": lambda head: head.replace(b"Subject: ", b"Subject:\n\t", 1),
    "latin-1": lambda head: head + b'\nContent-Type: text/plain; charset="ISO-8859-1"',
    "quoted-printable": lambda head: head + b"\nContent-Transfer-Encoding:\n quoted-printable",
    "8-bit-header": lambda head: head.replace(b"Subject: ", b"Subject: caf\xc3\xa9 ", 1),  # the parser's
}


@pytest.mark.parametrize("form", sorted(PLAIN_HEADER_FORMS))
def test_plain_mails_read_without_the_email_package_as_git_mailinfo_reads_them(form, tmp_path):
    head, body = (Path(__file__).parent / "patches" / "clean-bpf-fix.patch").read_bytes().split(b"\n\n", 1)
    head = b"\n".join(line for line in head.split(b"\n") if not line.lower().startswith(b"content-"))
    body = body.replace(b"Fix", b"Fix caf\xe9 =3D") if form in ("latin-1", "quoted-printable") else body
    data = PLAIN_HEADER_FORMS[form](head) + (b"\r\n\r\n" if form == "crlf" else b"\n\n") + \
        (body.replace(b"\n", b"\r\n") if form == "crlf" else body)
    [patch] = parse_bytes(data, "mail.eml")
    assert reading(patch) == mailinfo(data, tmp_path)


BLANK_CONTEXT_DIFF = b"""diff --git a/kernel/bpf/syscall.c b/kernel/bpf/syscall.c
--- a/kernel/bpf/syscall.c
+++ b/kernel/bpf/syscall.c
@@ -10,4 +10,4 @@ static int map_create(union bpf_attr *attr)
 \tint err;

-\terr = 0;
+\terr = -EINVAL;
 \treturn err;
"""


@pytest.mark.parametrize("unidiff_refuses_blank_lines", [False, True])
def test_a_context_line_whose_blank_a_mailer_stripped_is_a_context_line(unidiff_refuses_blank_lines, monkeypatch):
    # unidiff before 1.0 refuses a blank body line when it reads a diff's structure only
    # (metadata_only); patchflow then reads the diff again with unidiff's objects per line
    if unidiff_refuses_blank_lines:
        import unidiff
        from unidiff.errors import UnidiffParseError

        class OldPatchSet(unidiff.PatchSet):
            def __init__(self, data, encoding=None, metadata_only=False):
                if metadata_only and any(line.startswith(("\n", "\r")) for line in data):
                    raise UnidiffParseError("Hunk diff line expected")
                super().__init__(data, encoding=encoding)

        monkeypatch.setattr(unidiff, "PatchSet", OldPatchSet)
    [patch] = parse_bytes(BLANK_CONTEXT_DIFF, "blank.diff")
    [hunk] = patch.files[0].hunks
    assert [(line.kind, line.text, line.patch_line, line.old_line, line.new_line) for line in hunk.lines] == [
        (" ", "\tint err;", 5, 10, 10), (" ", "", 6, 11, 11), ("-", "\terr = 0;", 7, 12, None),
        ("+", "\terr = -EINVAL;", 8, None, 12), (" ", "\treturn err;", 9, 13, 13)]


def test_messages_are_cut_from_the_file_with_their_lines_and_numbers():
    # split_mbox cuts each message out of the bytes: a file without its last newline, and each
    # message of an mbox (the last one without a newline too), read as the single mail does
    data = (Path(__file__).parent / "patches" / "clean-bpf-fix.patch").read_bytes()
    assert data.startswith(b"From ") and data.endswith(b"\n") and not data.endswith(b"\n\n")
    [single] = parse_bytes(data, "a.patch")
    [cut] = parse_bytes(data[:-1], "a.patch")
    first, second = parse_bytes(data + data[:-1], "a.mbox")
    count = data.count(b"\n")
    assert (cut.lines, cut.first_line, cut.files) == (single.lines, 1, single.files)
    assert (first.lines, first.first_line, second.lines, second.first_line) == (single.lines, 1, single.lines, count + 1)
    assert second.files[0].hunks[0].lines[0].patch_line == single.files[0].hunks[0].lines[0].patch_line + count


def test_a_body_that_starts_without_a_blank_line_starts_at_the_first_line_that_is_no_header():
    data = b"From: Jane Doe <jane@example.org>\nSubject: [PATCH] bpf: x\nThe message.\n\nSigned-off-by: Jane Doe <jane@example.org>\n"
    [patch] = parse_bytes(data, "a.eml")
    assert patch.subject == "[PATCH] bpf: x" and patch.message[0] == (3, "The message.")
    assert patch.header_lines == {"from": 1, "subject": 2}
