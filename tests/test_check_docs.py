"""Every check documents itself in the four sections `patchflow explain` prints."""

import re

import pytest

from patchflow.checks import registry

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead"]
NEW_SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Fix"]
TYPES = sorted(registry())


@pytest.mark.parametrize("type_name", TYPES)
def test_docstring_has_the_four_sections_in_order(type_name):
    doc = registry()[type_name].doc
    headings = [line.strip() for line in doc.splitlines() if line.startswith("## ")]
    sections = NEW_SECTIONS if "## Fix" in headings else SECTIONS  # /work/notes/check-doc-format.md
    assert headings == sections
    summary = doc.splitlines()[0]
    assert summary and not summary.startswith("#") and summary.endswith(".")
    for section, body in zip(sections, re.split(r"^## .*$", doc, flags=re.M)[1:]):
        assert body.strip(), f"{type_name}: {section} is empty"


@pytest.mark.parametrize("type_name", TYPES)
def test_explain_prints_the_documentation(type_name, run_cli):
    info = registry()[type_name]
    status, out, err = run_cli("explain", type_name.lower())
    assert status == 0 and err == ""
    assert out.splitlines()[0].startswith(f"{type_name} ({info.level}")
    assert f"src/patchflow/checks/{info.family}.py" in out.splitlines()[0]
    for section in (NEW_SECTIONS if "## Fix" in info.doc else SECTIONS):
        assert section in out
    from patchflow.commands.explain import show_tabs

    assert show_tabs(info.doc) in out


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
    bad, good = out.split("## Example", 1)[1].split("## Use instead", 1)
    assert "\u2192" not in bad and "+        if (err)" in bad
    assert "+\u2192  if (err)" in good and "(\u2192 marks a tab)" in out
