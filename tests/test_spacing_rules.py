"""SPACING's table of well-spaced operators agrees with the rules it lets the check skip.

`_operator_context.PLAIN` says in which contexts an operator can have no spacing problem whatever
stands around it; the check then reads no more of the line for that operator. Here the table is
derived again from `spacing._operator_problem` itself, by asking it about every context with every
side, strictness and position, and with texts around the operator that make each of its tests of
the text true and false; a rule changed without the table fails here.
"""

from __future__ import annotations

import pytest

from patchflow.checks import _operator_context, spacing

OPERATORS = ("<<=", ">>=", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "^=", "|=", "&=", "=>", "->",
             "<<", ">>", "<", ">", "=", "!", "~", "&&", "||", ",", "^", "++", "--", "&", "|", "+", "-", "*", "/",
             "%", "?:", "?", ":", ";")
# before the operator: a word, a bit field's type, a case value, a unary-friendly `)`, a mail address
BEFORE = ("x", "x ", "case x ", ")", "<a@b")
# after it: a word, `;`, a continued line, `}`, a pointer modifier, the end of a mail address
AFTER = ("x", ";", "\\", "}", "const x", "a@b>")


def never_wrong(op, ctx):
    """Whether _operator_problem finds nothing for `op` in `ctx` in every circumstance the check
    may meet. After `(` or `[` (context B...) a `*`, `-`, `&` or `&&` is unary: its side is N."""
    sides = "N" if ctx[0] == "B" and op in ("*", "-", "&", "&&") else "VTN"
    for side in sides:
        for strict in (True, False):
            for has_next in ((True, False) if ctx[2] == "E" else (True,)):  # nothing after: the line's end
                for question in (True, False):
                    for before in BEFORE:
                        for after in AFTER:
                            if spacing._operator_problem(op, ctx, before, after, side, strict, has_next, question):
                                return False
    return True


def test_operators_of_the_table_are_those_the_line_splits_on():
    assert set(_operator_context.PLAIN) == set(OPERATORS)
    assert spacing._OPERATORS.split("a<<=b") == ["a", "<<=", "b"]


@pytest.mark.parametrize("op", OPERATORS)
def test_the_table_holds_exactly_the_contexts_no_rule_objects_to(op):
    contexts = [a + "x" + c for a in "VWCBEO" for c in "VWCBEO"]
    assert sorted(_operator_context.PLAIN[op]) == sorted(ctx for ctx in contexts if never_wrong(op, ctx))


@pytest.mark.parametrize("line", ["\tf(*p);", "\tx = a[-1];", "\ty = (&z);", "\tif (a && (&&b))"])
def test_an_operator_after_an_open_bracket_is_unary(line):
    opline = " " + line
    for op in ("*", "-", "&", "&&"):
        at = opline.find(op, opline.find("(") if op != "-" else 0)
        if at > 0 and opline[at - 1] in "([":
            assert spacing._before_operator(opline, at) == "N"


@pytest.mark.parametrize("line, expected", [
    ("\tfoo(a,b);", "space required after that ',' (ctx:VxV)"),
    ("\tx = y ;", "space prohibited before semicolon"),
    ("\tp = - 1;", "space prohibited after that '-' (ctx:WxW)"),
    ("\tp = q -1;", "spaces preferred around that '-' (ctx:WxV)"),
    ("\tp = (char *) q;", "No space is necessary after a cast"),
    ("\tp = q->r;", None),
    ("\tcase 1 :", "space prohibited before that ':' (ctx:WxE)"),
])
def test_what_the_check_reports_on_a_line(line, expected):
    found = spacing.spacing_problem(line, True)
    assert (found[1] if found else None) == expected
