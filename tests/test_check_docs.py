"""Every check documents itself in the four sections `patchflow explain` prints, and its examples run:
the bad example is reported as exactly that type, the good one gives no finding."""

import re

import pytest

from patchflow.checks import registry
from patchflow.checks._doc import SECTIONS, TREE_HISTORY, TREE_KDOC, DocError, check_arguments, example_mbox, examples, sections

# Families (and single types) whose docstrings are still in the first landing's shape (## Use instead,
# examples that do not run). Whoever converts one removes it here; the set goes away once it is empty.
PENDING = set()
OLD_SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]

TYPES = sorted(registry())


def _pending(type_name):
    return type_name in PENDING or registry()[type_name].family in PENDING


CONVERTED = [t for t in TYPES if not _pending(t)]


def _run_example(run_cli, tmp_path, kernel_tree_path, example):
    mbox = tmp_path / "example.mbox"
    mbox.write_text(example_mbox(example), encoding="utf-8", errors="surrogateescape")
    status, out, err = run_cli(*check_arguments(example, str(mbox), kernel_tree_path))
    types = {m.group(1) for m in re.finditer(r"^\S+?:(?:\d+:)? (?:ERROR|WARNING|CHECK):(\w+):", out, re.M)}
    # a run's notes (no history to look commit ids up in) are not findings: what is left must be empty
    err = "".join(line for line in err.splitlines(True) if not line.startswith("patchflow: note: "))
    return status, out, err, types


@pytest.mark.parametrize("type_name", TYPES)
def test_docstring_has_the_four_sections_in_order(type_name):
    info = registry()[type_name]
    doc = info.doc
    if _pending(type_name):
        headings = [line.strip() for line in doc.splitlines() if line.startswith("## ")]
        assert headings == OLD_SECTIONS
        bodies = dict(zip(OLD_SECTIONS, re.split(r"^## .*$", doc, flags=re.M)[1:]))
    else:
        bodies = sections(doc)
    summary = doc.splitlines()[0]
    assert summary and not summary.startswith("#") and summary.endswith(".")
    for section, body in bodies.items():
        assert body.strip(), f"{type_name}: {section} is empty"


def _tree_path(example, request):
    """The path of the tree an example names: none, the 6.12 subset, the subset with kernel-doc, or
    the small repository with history."""
    if example.tree == TREE_KDOC:
        from patch_cases import kdoc_tree

        return kdoc_tree()
    if example.tree == TREE_HISTORY:
        from patch_cases import doc_history

        return str(doc_history())
    return str(request.getfixturevalue("kernel_tree")) if example.tree else None


@pytest.mark.parametrize("type_name", CONVERTED)
def test_examples_run(type_name, run_cli, tmp_path, request):
    """The bad examples are reported as exactly this type; the good ones give no finding."""
    for example in examples(registry()[type_name].doc):
        status, out, err, types = _run_example(run_cli, tmp_path, _tree_path(example, request), example)
        assert err == ""
        if example.kind == "bad":
            assert types == {type_name}, f"bad example of {type_name} reported {sorted(types)}:\n{out}"
            assert status == 1
        else:
            assert (status, types) == (0, set()), f"good example of {type_name} reported:\n{out}"


def test_a_diff_example_becomes_a_clean_mail(run_cli, tmp_path):
    """The wrapper around diff lines is itself clean, so a finding comes from the example alone."""
    doc = "X.\n\n## What it does\nx\n\n## Why is this bad?\nx\n\n## Example\n```bad path=net/core/x.c\n" \
          " \tint err;\n+\terr = 0;\n```\n\n```good new\n+// SPDX-License-Identifier: GPL-2.0\n```\n\n## Fix\nx\n"
    bad, good = examples(doc)
    assert (bad.path, bad.new, good.new) == ("net/core/x.c", False, True)
    text = example_mbox(bad)
    assert "--- a/net/core/x.c\n+++ b/net/core/x.c\n@@ -10,1 +10,2 @@\n \tint err;\n+\terr = 0;\n" in text
    assert "--- /dev/null\n+++ b/kernel/bpf/example.c\n@@ -0,0 +1,1 @@\n+// SPDX-License-Identifier: GPL-2.0\n" \
        in example_mbox(good)
    status, out, err, types = _run_example(run_cli, tmp_path, None, bad)
    assert (status, types, err) == (0, set(), "")
    # a new file: checkpatch (and patchflow) ask whether MAINTAINERS needs updating, nothing else
    status, out, err, types = _run_example(run_cli, tmp_path, None, good)
    assert (status, types, err) == (1, {"FILE_PATH_CHANGES"}, "")


def test_an_example_names_its_tree():
    """`tree` runs on the 6.12 subset, `tree=kdoc` on the subset with scripts/kernel-doc, `tree=history`
    on the small repository with history; no tree, no --tree."""
    doc = "X.\n\n## What it does\nx\n\n## Why is this bad?\nx\n\n## Example\n```bad tree=kdoc new\n+// x\n```\n\n" \
          "```good tree\n+// x\n```\n\n```good\n+// x\n```\n\n```bad tree=history\n+// x\n```\n\n## Fix\nx\n"
    kdoc, subset, plain, history = examples(doc)
    assert (kdoc.tree, kdoc.new, subset.tree, plain.tree, history.tree) == ("kdoc", True, "subset", "", "history")
    assert check_arguments(history, "x.mbox", "/h") == ("check", "--strict", "--terse", "--tree", "/h", "x.mbox")
    assert check_arguments(kdoc, "x.mbox", "/k") == ("check", "--strict", "--terse", "--tree", "/k", "x.mbox")
    assert check_arguments(plain, "x.mbox") == ("check", "--strict", "--terse", "x.mbox")
    with pytest.raises(DocError, match="needs a tree"):
        check_arguments(subset, "x.mbox")


def test_a_mail_example_gets_only_what_it_lacks():
    doc = "X.\n\n## What it does\nx\n\n## Why is this bad?\nx\n\n## Example\n```bad --xmas-tree=always\n" \
          "Subject: [PATCH] x: y\n\nBody.\n```\n\n```good\nSubject: [PATCH 0/2] x: y\n\nBlurb.\n```\n\n## Fix\nx\n"
    bad, good = examples(doc)
    assert bad.is_mail and bad.flags == ["--xmas-tree=always"]
    text = example_mbox(bad)
    assert text.startswith("From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001\n"
                           "From: Jane Doe <jane@example.org>\nDate: ")
    assert "Subject: [PATCH] x: y\n\nBody.\n---\ndiff --git a/kernel/bpf/example.c" in text
    assert "Signed-off-by" not in text
    assert example_mbox(good).endswith("Subject: [PATCH 0/2] x: y\n\nBlurb.\n")  # a cover letter: no diff


@pytest.mark.parametrize("doc, complaint", [
    ("X.\n\n## What it does\nx\n## Example\nx\n## Fix\nx\n", "headings"),
    ("X.\n\n## What it does\nx\n## Why is this bad?\nx\n## Example\n```bad\n+x\n```\n## Fix\nx\n", "a bad and a good"),
    ("X.\n\n## What it does\nx\n## Why is this bad?\nx\n## Example\n```bad\n+x\n## Fix\nx\n", "not closed"),
    ("X.\n\n## What it does\nx\n## Why is this bad?\nx\n## Example\n```bad colour=red\n```\n## Fix\nx\n",
     "unknown example attribute"),
    ("X.\n\n## What it does\nx\n## Why is this bad?\nx\n## Example\n```bad tree=6.13\n```\n## Fix\nx\n",
     "unknown example attribute"),
])
def test_a_doc_out_of_shape_is_refused(doc, complaint):
    with pytest.raises(DocError, match=complaint):
        examples(doc)


@pytest.mark.parametrize("type_name", TYPES)
def test_explain_prints_the_documentation(type_name, run_cli):
    info = registry()[type_name]
    status, out, err = run_cli("explain", type_name.lower())
    assert status == 0 and err == ""
    assert out.splitlines()[0].startswith(f"{type_name} ({info.level}")
    assert f"src/patchflow/checks/{info.family}.py" in out.splitlines()[0]
    for section in (OLD_SECTIONS if _pending(type_name) else SECTIONS):
        assert section in out
    from patchflow.commands.explain import show_blanks

    assert show_blanks(info.doc) in out


def test_explain_alone_lists_every_type(run_cli):
    status, out, err = run_cli("explain")
    assert status == 0
    listed = {line.split()[0] for line in out.splitlines()[1:]}
    assert listed == set(TYPES)


def test_explain_unknown_type_is_one_line_and_exit_2(run_cli):
    status, out, err = run_cli("explain", "NO_SUCH_TYPE")
    assert status == 2 and out == ""
    assert err.strip().splitlines() == ["patchflow: unknown check type 'NO_SUCH_TYPE': `patchflow explain` lists them"]


def test_explain_shows_the_tabs_of_an_example(run_cli):
    status, out, err = run_cli("explain", "CODE_INDENT")
    bad, good = out.split("```bad", 1)[1].split("```good", 1)
    assert "+        if (err)" in bad and "+\u2192" not in bad
    assert "+\u2192      if (err)" in good and "(\u2192 marks a tab)" in out


def test_explain_shows_a_carriage_return_and_trailing_blanks(run_cli):
    status, out, err = run_cli("explain", "DOS_LINE_ENDINGS")
    assert "\r" not in out and "\u240d" in out and "(\u240d marks a carriage return)" in out
    status, out, err = run_cli("explain", "TRAILING_WHITESPACE")
    assert "\u00b7" in out and "(\u00b7 marks a trailing blank)" in out


def test_the_history_tree_is_the_same_everywhere():
    """The ids the docs quote (docs/design.md lists them) are those doc_history() makes on this machine."""
    import subprocess

    from patch_cases import doc_history

    repo = doc_history()
    log = subprocess.run(["git", "log", "--format=%h %s", "--abbrev=12"], cwd=repo, capture_output=True,
                         text=True, check=True, timeout=60).stdout.splitlines()
    assert log == ["152b29e386d6 net: Close the example socket", "63b9e3c87d9f selftests/bpf: Test array maps",
                   "855941cfe8db selftests/bpf: Test hash maps", "c8cf94665a9f selftests/bpf: Add test_maps",
                   "5c052e615e07 net: Add the example socket"]
    tag_format = "--format=%(objectname:short=12) %(objecttype) %(*objectname:short=12)"
    tags = subprocess.run(["git", "for-each-ref", tag_format, "refs/tags"], cwd=repo, capture_output=True, text=True, check=True, timeout=60).stdout
    assert tags.split() == ["543c87b25a48", "tag", "5c052e615e07"]
