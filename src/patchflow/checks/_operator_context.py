"""Where an operator of a line of C stands, as checkpatch's SPACING rules read it, and the places
no rule objects to.

`context` is checkpatch's context of an operator in the line split at its operators: one letter
for each side, `V` a value, `W` a blank, `C` a comment, `B` a bracket (`(`, `[` before; `)`, `]`,
`;` after), `O` another operator, `E` the line's start or end (or a continued line's `\\`).
"""

from __future__ import annotations

from ._ccode import COMMENT

_BLANKS = " \t\r\n\f\v"  # Perl's \s

_KIND_BEFORE = {**dict.fromkeys(_BLANKS, "W"), COMMENT: "C", "[": "B", "(": "B"}
_KIND_AFTER = {**dict.fromkeys(_BLANKS, "W"), COMMENT: "C", ")": "B", "]": "B", ";": "B"}


def context(elements, n, at_start):
    """checkpatch's spacing context of the operator elements[n + 1]: 'WxV' and the like."""
    before = elements[n]
    a = "E" if at_start else _KIND_BEFORE.get(before[-1], "V") if before else "O"
    if n + 2 >= len(elements):
        return a + "xE"
    after = elements[n + 2]
    if not after:
        return a + "xO"
    if after[-1] == "\\" and not after[:-1].strip():
        return a + "xE"
    return a + "x" + _KIND_AFTER.get(after[0], "V")


# {operator: the contexts in which spacing._operator_problem finds nothing whatever stands
# around the operator: its side, --strict, the text before and after}. Nine operators in ten are in
# one (`x;`, `a, b`, `p->q`, `a = b`, `*p`), and then the line's text needs no more reading.
# tests/test_spacing_rules.py derives the table from _operator_problem itself.
_SPACED = frozenset("WxW WxC WxE CxW CxC CxE ExW ExC ExE".split())  # a blank or a comment on each side
_ARITHMETIC_SPACED = frozenset("WxW WxE ExW".split())
_UNARY_SPACED = frozenset("WxV WxC WxB WxE WxO CxV CxC CxB CxE CxO BxV BxC BxB BxE BxO ExV ExC ExB ExE ExO".split())
_AFTER_OPEN = frozenset("BxV BxC BxB BxE BxO".split())  # after `(` or `[` a `*`, `-`, `&` is unary
PLAIN = {
    **dict.fromkeys(("<<=", ">>=", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "^=", "|=", "&=", "=>",
                     "<", ">", "=", "||", "?:", "?"), _SPACED),
    **dict.fromkeys(("<<", ">>", "^", "|", "+", "/", "%"), _ARITHMETIC_SPACED),
    **dict.fromkeys(("!", "~"), _UNARY_SPACED),
    **dict.fromkeys(("&", "*"), _AFTER_OPEN | frozenset("WxV WxB WxE WxO CxB ExB".split())),
    **dict.fromkeys(("++", "--"), frozenset("VxW VxC VxB VxE VxO CxV CxW CxC CxB CxE CxO BxV BxW BxC BxB BxE "
                                            "BxO ExV ExC ExB ExE ExO OxV OxW OxC OxB OxE OxO".split())),
    "->": frozenset("VxV VxC VxB VxE VxO CxV CxC CxB CxE CxO BxV BxC BxB BxE BxO ExV ExC ExB ExE ExO OxV OxC "
                    "OxB OxE OxO".split()),
    "&&": _AFTER_OPEN | frozenset("WxC WxE CxC CxE ExC ExE".split()),
    ",": frozenset("VxW VxC VxE CxW CxC CxE BxW BxC BxE ExW ExC ExE OxW OxC OxE".split()),
    "-": _AFTER_OPEN | frozenset(("WxE",)),
    ":": frozenset("CxW CxC CxE ExW ExC ExE".split()),
    ";": frozenset("VxW VxC VxB VxE WxW WxC WxB WxE CxW CxC CxB CxE BxW BxC BxB BxE ExW ExC ExB ExE OxW OxC OxB "
                   "OxE".split()),
}
