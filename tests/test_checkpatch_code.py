"""patchflow and checkpatch.pl agree on the C-code types (spacing, layout, statements, braces,
strings, macros) on every patch under tests/patches/.

The same comparison as test_checkpatch_agreement.py (its `compare`, on the real checkpatch.pl of the
cached 6.12 tree), for the types of the C-code families. Where checkpatch prints several findings
of one type on one line (SPACING around two operators, MACRO_ARG_REUSE of two arguments), patchflow
prints one: the comparison is of the (type, line) pairs each tool reports.
"""

from __future__ import annotations

import pytest

from patch_cases import case_files, read_expected
from test_checkpatch_agreement import both_findings, checkpatch_args, checkpatch_on_file, compare

CODE_TYPES = {
    "SPACING", "LINE_SPACING", "LEADING_SPACE", "OPEN_ENDED_LINE", "LOGICAL_CONTINUATIONS",
    "BLOCK_COMMENT_STYLE", "BRACES", "OPEN_BRACE", "UNNECESSARY_PARENTHESES", "COMPARISON_TO_NULL",
    "ASSIGN_IN_IF", "SPLIT_STRING", "CONCATENATED_STRING", "MACRO_ARG_UNUSED", "MACRO_ARG_REUSE",
    "MACRO_ARG_PRECEDENCE", "COMPLEX_MACRO", "MULTISTATEMENT_MACRO_USE_DO_WHILE", "POINTER_LOCATION",
    "INDENTED_LABEL", "MULTIPLE_ASSIGNMENTS", "NEW_TYPEDEFS", "PREFER_KERNEL_TYPES", "GLOBAL_INITIALISERS",
    "INITIALISED_STATIC", "AVOID_BUG", "DATA_RACE", "ENOTSUPP", "ALLOC_SIZEOF_STRUCT", "SUSPECT_CODE_INDENT",
    "UNNECESSARY_ELSE", "ELSE_AFTER_BRACE", "TABSTOP", "FLEXIBLE_ARRAY", "CONSTANT_COMPARISON",
    "FUNCTION_WITHOUT_ARGS", "PREFER_DEFINED_ATTRIBUTE_MACRO", "CONSIDER_KSTRTO", "NR_CPUS", "USE_DEVICE_INITCALL",
    "TRAILING_SEMICOLON", "LOGGING_CONTINUATION", "USLEEP_RANGE", "USE_FUNC", "ONE_SEMICOLON", "RETURN_VOID",
    "SSCANF_TO_KSTRTO", "PREFER_FALLTHROUGH", "BOOL_COMPARISON", "MACRO_WITH_FLOW_CONTROL", "MINMAX",
}

# (case, type): why patchflow reports differently. Each must still differ, or it is taken out.
_UNDECODED = ("checkpatch reads a quoted-printable body undecoded (`=3D` for `=`); patchflow decodes it "
              "as git am does and judges the code that will be applied")
DELIBERATE = {
    ("robust-quoted-printable.patch", "SPACING"): _UNDECODED,
    ("robust-quoted-printable.patch", "ASSIGN_IN_IF"): _UNDECODED,
    ("robust-quoted-printable.patch", "COMPARISON_TO_NULL"): _UNDECODED,
    ("multistatement-macro-learned-inline.patch", "MULTISTATEMENT_MACRO_USE_DO_WHILE"):
        "checkpatch learns `__always_inline` as a type name from `static __always_inline typeof(...)` "
        "in the first macro, and then excuses every later macro holding `static __always_inline` as "
        "a declaration (bpf_tracing.h's BPF_PROG2, BPF_KPROBE, ...); patchflow reports each macro alike",
}

CASES = case_files()


def _pairs(findings):
    return sorted(set(findings), key=str)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_same_code_findings_as_checkpatch(case, kernel_tree, run_cli, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    theirs, ours = both_findings(case, kernel_tree, run_cli, tmp_path)
    compare(case, CODE_TYPES, _pairs(theirs), _pairs(ours), DELIBERATE)


def test_code_types_are_registered():
    from patchflow.checks import registry

    assert sorted(CODE_TYPES - set(registry())) == []


def test_every_code_type_is_seen_by_checkpatch_on_some_case(kernel_tree, tmp_path):
    """The comparison is not vacuous: checkpatch itself reports each of these types on some case."""
    checkpatch = kernel_tree / "scripts" / "checkpatch.pl"
    seen = set()
    for case in CASES:
        args, expected = read_expected(case, kernel_tree)
        if CODE_TYPES.isdisjoint(t for t, _ in expected):
            continue
        seen |= {t for t, _ in checkpatch_on_file(checkpatch, case, tmp_path, checkpatch_args(args))}
    assert sorted(CODE_TYPES - seen) == []


def test_issue_13_example_is_refused(run_cli, tmp_path):
    """`patchflow format` gates a series on this same check run: the issue's commit must not pass."""
    case = next(c for c in CASES if c.name == "spacing-acceptance.patch")
    status, out, err = run_cli("check", "--strict", "--terse", case)
    assert status == 1
    assert "ERROR:SPACING: space required after that ',' (ctx:VxV)" in out
    assert "ERROR:SPACING: space required before the open brace '{'" in out
    assert "WARNING:LINE_SPACING: Missing a blank line after declarations" in out
