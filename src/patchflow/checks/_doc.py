"""Check documentation in its fixed shape, and its examples turned into mails `patchflow check` reads.

A check's docstring is a summary line and four sections (What it does / Why is this bad? / Example /
Fix); the Example section holds fenced ```bad and ```good blocks. A block is either diff lines of one
file (wrapped into a clean mail) or one or more mails (completed with what they lack). The shape and
the attributes a fence line takes are described in docs/design.md, "Check documentation".
"""

from __future__ import annotations

import re

from ..records import field, record

SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Fix")

DEFAULT_PATH = "kernel/bpf/example.c"
TREE_SUBSET = "subset"  # attribute `tree`: the test suite's 6.12 subset
TREE_KDOC = "kdoc"  # attribute `tree=kdoc`: the same with scripts/kernel-doc (KDOC_NEW_WARNING runs it)
# attribute `tree=history`: a small repository with history and a release tag (tests/patch_cases.py
# doc_history()), for the rules that read `git log` (SUMMARY_PREFIX, VERIFY_FIXES, TREE_SELECTION)
TREE_HISTORY = "history"
MBOX_FROM = "From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001"
AUTHOR = "Jane Doe <jane@example.org>"
DATE = "Mon, 2 Dec 2024 10:00:00 +0000"
_WRAPPER_HEAD = [
    "Subject: [PATCH bpf-next] bpf: Show an example",
    "",
    "Show one rule of patchflow on a small change.",
    "",
    f"Signed-off-by: {AUTHOR}",
]
_DEFAULT_DIFF_LINES = [" \tint err;", "+\treturn 0;", " }"]

_FENCE = re.compile(r"^```(bad|good)\b(.*)$")
_MAIL_HEADER = re.compile(r"^(From|Subject|Date|To|Cc|Message-ID|In-Reply-To):", re.IGNORECASE)
_COVER = re.compile(r"\[[^\]]*\b0+/\d+\]")


class DocError(ValueError):
    """A docstring that is not in the shape (the message says where)."""


@record
class Example:
    kind: str  # "bad" or "good"
    lines: list[str]
    path: str = DEFAULT_PATH
    new: bool = False
    tree: str = ""  # "" (no tree), TREE_SUBSET, TREE_KDOC or TREE_HISTORY: which of the test suite's trees
    flags: list[str] = field(default_factory=list)

    @property
    def is_mail(self) -> bool:
        first = self.lines[0] if self.lines else ""
        return bool(_MAIL_HEADER.match(first)) or first.startswith("From ")


def sections(doc: str) -> dict[str, str]:
    """The body of each of the four sections; DocError when a heading is missing, extra or out of order."""
    headings = [line for line in doc.split("\n") if line.startswith("## ")]
    if tuple(headings) != SECTIONS:
        raise DocError(f"headings {headings}, not {list(SECTIONS)}")
    bodies = re.split(r"^## .*$", doc, flags=re.M)[1:]
    return dict(zip(SECTIONS, bodies))


def _attributes(example: Example, words: list[str]) -> None:
    for word in words:
        if word.startswith("--"):
            example.flags.append(word)
        elif word.startswith("path="):
            example.path = word[len("path="):]
        elif word == "new":
            example.new = True
        elif word == "tree":
            example.tree = TREE_SUBSET
        elif word in ("tree=" + TREE_KDOC, "tree=" + TREE_HISTORY):
            example.tree = word[len("tree="):]
        else:
            raise DocError(f"unknown example attribute {word!r}")


def examples(doc: str) -> list[Example]:
    """The fenced bad and good blocks of the Example section, in order."""
    found: list[Example] = []
    current: Example | None = None
    for line in sections(doc)["## Example"].split("\n"):
        if current is None:
            match = _FENCE.match(line)
            if match:
                current = Example(match.group(1), [])
                _attributes(current, match.group(2).split())
            elif line.startswith("```"):
                raise DocError(f"a fence that is neither bad nor good: {line!r}")
        elif line == "```":
            found.append(current)
            current = None
        else:
            current.lines.append(line)
    if current is not None:
        raise DocError(f"a {current.kind} block is not closed")
    kinds = {e.kind for e in found}
    if kinds != {"bad", "good"}:
        raise DocError(f"the Example section needs a bad and a good block (has {sorted(kinds) or 'none'})")
    return found


def _hunk(lines: list[str], new: bool) -> list[str]:
    body = [line if line else " " for line in lines]
    if any(line.startswith("@@") for line in body):
        return body
    for line in body:
        if line[:1] not in ("+", "-", " ", "\\"):
            raise DocError(f"not a diff line: {line!r}")
    old = sum(1 for line in body if line[:1] in (" ", "-"))
    added = sum(1 for line in body if line[:1] in (" ", "+"))
    header = f"@@ -0,0 +1,{added} @@" if new else f"@@ -10,{old} +10,{added} @@"
    return [header] + body


def _file_diff(path: str, lines: list[str], new: bool = False) -> list[str]:
    if new:
        head = [f"diff --git a/{path} b/{path}", "new file mode 100644", "index 0000000..2222222",
                "--- /dev/null", f"+++ b/{path}"]
    else:
        head = [f"diff --git a/{path} b/{path}", "index 1111111..2222222 100644", f"--- a/{path}", f"+++ b/{path}"]
    return head + _hunk(lines, new)


def _split_mails(lines: list[str]) -> list[list[str]]:
    mails: list[list[str]] = [[]]
    for line in lines:
        if line.startswith("From ") and line == MBOX_FROM and mails[-1]:
            mails.append([])
        mails[-1].append(line)
    return mails


def _complete_mail(lines: list[str]) -> list[str]:
    if lines and lines[0] == MBOX_FROM:
        lines = lines[1:]
    end = lines.index("") if "" in lines else len(lines)
    head, body = lines[:end], lines[end:]
    names = {line.split(":", 1)[0].lower() for line in head if ":" in line}
    added = []
    if "from" not in names:
        added.append(f"From: {AUTHOR}")
    if "date" not in names:
        added.append(f"Date: {DATE}")
    subject = next((line for line in head if line.lower().startswith("subject:")), "")
    has_diff = "---" in body or any(line.startswith("diff --git ") for line in body)
    if not has_diff and not _COVER.search(subject):
        body = body + ["---"] + _file_diff(DEFAULT_PATH, _DEFAULT_DIFF_LINES)
    return [MBOX_FROM] + added + head + body


def example_mbox(example: Example) -> str:
    """The example as the text of an mbox that `patchflow check` reads."""
    if example.is_mail:
        out: list[str] = []
        for mail in _split_mails(example.lines):
            out += _complete_mail(mail)
    else:
        out = [MBOX_FROM, f"From: {AUTHOR}", f"Date: {DATE}"] + _WRAPPER_HEAD + ["---"]
        out += _file_diff(example.path, example.lines, example.new)
    return "\n".join(out) + "\n"


def check_arguments(example: Example, path: str, tree: str | None = None) -> tuple[str, ...]:
    """The `patchflow check` arguments that run an example stored in file PATH; TREE is the path of
    the tree the example names (`example.tree`)."""
    args = ["check", "--strict", "--terse", *example.flags]
    if example.tree:
        if tree is None:
            raise DocError("the example needs a tree (attribute `tree`) and none was given")
        args += ["--tree", tree]
    return (*args, path)
