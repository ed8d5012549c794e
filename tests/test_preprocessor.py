"""PREFER_IFNDEF and PREFER_IFDEF: in C, and in the C a Python script prints."""

from __future__ import annotations

import json

import pytest

from conftest import patch_path

from patchflow.checks.preprocessor import directive_test
from patchflow.lexers.c import code_tokens, tokenize


@pytest.fixture(autouse=True)
def outside_any_tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def findings(run_cli, patch, *args):
    status, out, err = run_cli("check", "--format", "json", "--types", "PREFER_IFNDEF,PREFER_IFDEF", *args, patch)
    assert err == ""
    found = json.loads(out)["findings"]
    assert status == (1 if found else 0)
    return [(f["type"], f["level"], f["line"], f["column"], f["message"]) for f in found]


def test_c_directives(run_cli):
    # `#if !defined(DEMO_SUM) && DEMO_OFF`, `#ifndef DEMO_NEXT`, the comment and the C string: silent
    assert findings(run_cli, patch_path("ifndef-c.patch")) == [
        ("PREFER_IFNDEF", "WARNING", 5, 1, "Prefer #ifndef DEMO_SUM to #if !defined(DEMO_SUM)"),
        ("PREFER_IFDEF", "WARNING", 8, 1, "Prefer #ifdef CONFIG_DEMO to #if defined(CONFIG_DEMO)"),
        ("PREFER_IFNDEF", "WARNING", 11, 1, "Prefer #ifndef DEMO_OFF to #if !defined DEMO_OFF"),
    ]


def test_python_lines_that_print_directives(run_cli):
    # the `&&` line, the `#ifndef` line and the `#` comment that quotes the form: silent
    assert findings(run_cli, patch_path("ifndef-py.patch")) == [
        ("PREFER_IFNDEF", "WARNING", 8, 12,
         "Prefer #ifndef %s to #if !defined(%s) in the C this prints"),
        ("PREFER_IFDEF", "WARNING", 9, 12,
         "Prefer #ifdef CONFIG_DEMO to #if defined(CONFIG_DEMO) in the C this prints"),
        ("PREFER_IFNDEF", "WARNING", 14, 1,
         "Prefer #ifndef DEMO_GUARD to #if !defined(DEMO_GUARD) in the C this prints"),
    ]


def test_text_output_and_ignore(run_cli):
    status, out, _ = run_cli("check", patch_path("ifndef-py.patch"))
    lines = out.splitlines()
    at = lines.index("WARNING:PREFER_IFNDEF: Prefer #ifndef %s to #if !defined(%s) in the C this prints")
    assert lines[at + 1:at + 3] == ["#21: FILE: scripts/align_demo.py:8:", "+    print('#if !defined(%s)' % name)"]
    assert status == 1
    status, out, _ = run_cli("check", "--ignore", "PREFER_IFNDEF,PREFER_IFDEF", patch_path("ifndef-py.patch"))
    assert "PREFER_IF" not in out


@pytest.mark.parametrize("text, expected", [
    ("#if !defined(X)", ("ifndef", "X", True)),
    ("#  if !defined X /* why */", ("ifndef", "X", False)),
    ("#if defined ( X )", ("ifdef", "X", True)),
    ("#if !defined(X) && Y", None),
    ("#if !defined(X) || !defined(Y)", None),
    ("#if !(defined(X))", None),
    ("#elif !defined(X)", None),
    ("#if !defined(\"X\")", None),
    ("#if !defined(", None),
    ("#if", None),
])
def test_directive_test(text, expected):
    assert directive_test(code_tokens(tokenize(text))) == expected


@pytest.mark.parametrize("type_name", ["PREFER_IFNDEF", "PREFER_IFDEF"])
def test_explain(run_cli, type_name):
    status, out, _ = run_cli("explain", type_name)
    assert status == 0 and out.startswith(f"{type_name} (WARNING; src/patchflow/checks/preprocessor.py)")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
        assert f"\n{section}\n" in out
    assert "BPF_HELPER" in out


@pytest.mark.parametrize("piece, expected", [
    ("#if !defined(%s)", ("ifndef", "%s", True)),
    ("#if defined({name})", ("ifdef", "{name}", True)),
    ("#if defined(X) /* %s */", ("ifdef", "X", True)),
    ("#if !defined(%s) && %s", None),
    ("#if\\t!defined(BPF_HELPER)", ("ifndef", "BPF_HELPER", True)),
    ("#include <defined.h>", None),
])
def test_printed_directive(piece, expected):
    from patchflow.checks.preprocessor import _printed_directive

    assert _printed_directive(piece) == expected
