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


def _every_operator_plain(line):
    """What ALL_PLAIN stands for, asked operator by operator: the split and context() of the check."""
    elements = spacing._OPERATORS.split(" " + line)
    while len(elements) > 1 and elements[-1] == "":
        elements.pop()
    at_start = not elements[0].strip(" \t")
    return all(_operator_context.context(elements, n, at_start and n == 0) in _operator_context.PLAIN[elements[n + 1]]
               for n in range(0, len(elements) - 1, 2))


def _masked_lines(kernel_tree):
    from patchflow.lexers.c import checkpatch_masked

    for name in ("kernel/bpf/verifier.c", "kernel/bpf/btf.c", "net/core/filter.c", "include/linux/bpf.h"):
        yield from checkpatch_masked((kernel_tree / name).read_text(errors="replace"), False)


def test_the_plain_line_pattern_says_what_the_table_says(kernel_tree):
    import random

    lines = list(_masked_lines(kernel_tree))
    assert len(lines) > 40_000
    plain = [line for line in lines if _operator_context.all_plain().match(" " + line)]
    assert len(plain) > len(lines) // 2  # the pattern is there to rule most lines out
    for line in lines:
        assert bool(_operator_context.all_plain().match(" " + line)) == _every_operator_plain(line), line
    # fuzzed: operators, blanks of every kind, masked comments and continued lines' `\` put anywhere
    pieces = [*_operator_context.OPERATORS, " ", "\t", "\r", "\f", "\v", "\x1d", "\xa0", "\x1c", "\\", "(", ")",
              "[", "]", "{", "}", "x", "1", "é"]
    rnd = random.Random(13)
    for _ in range(40_000):
        chars = list(rnd.choice(lines)) if rnd.random() < 0.5 else []
        for _ in range(rnd.randint(1, 6)):
            at = rnd.randint(0, len(chars))
            chars[at:at] = rnd.choice(pieces) * rnd.randint(1, 2)
        line = "".join(chars)
        assert bool(_operator_context.all_plain().match(" " + line)) == _every_operator_plain(line), repr(line)


def _passes(line, line_before=""):
    text = line_before + "\n" + line + "\n"
    return _operator_context.clean_lines().match(text, len(line_before) + 1).end() == len(text)


def _is_clean(line, line_before=""):
    """Passed by the clean pattern and holding no place the cast's rule is asked about: not read."""
    return _passes(line, line_before) and not _operator_context._CAST_SPACE.search(line + "\n")


def _spacing_found(line, lines_before):
    code = line[:line.index("//")] if "//" in line else line  # as the check reads a line
    line_before = lines_before.split("\n")[-1]
    return [spacing.spacing_problem(code, strict, line_before) for strict in (True, False)]


def _found_if_passed(line):
    """What the check may find on a line the clean pattern passes, with --strict and without: the
    cast's space, asked of the line alone where _CAST_SPACE finds a place, and nothing else."""
    cast = spacing._cast_space(line) if _operator_context._CAST_SPACE.search(line + "\n") else None
    return [cast, None]


def test_a_line_the_clean_pattern_passes_breaks_no_spacing_rule(kernel_tree):
    import random

    lines = list(_masked_lines(kernel_tree))
    clean = [n for n in range(1, len(lines)) if _is_clean(lines[n], lines[n - 1])]
    assert len(clean) > 0.8 * len(lines)  # what the check is spared
    for n in range(1, len(lines)):
        if _passes(lines[n], lines[n - 1]):
            assert _spacing_found(lines[n], lines[n - 1]) == _found_if_passed(lines[n]), lines[n]
    # fuzzed: blanks, brackets, names that take a space before `(`, casts and `//` put anywhere
    pieces = [*_operator_context.OPERATORS, " ", "\t", "\r", "\f", "\v", "\xa0", "\x1c", "\\", "(", ")", "[", "]",
              "{", "}", "#", "x", "1", "é", "if", "for", "sizeof", "(int)", "struct x", "case", "return", "else",
              "do", "u32", "enum", "//", ") ", " (", "x=", "else{", "(char *)", "##", "#include", "#include <x>",
              "out:", "return -", "case -", " ? ", " -", "++ -", "= -", "(-", " && ", " & ", " - ", " * ", "#define x ",
              "] ", '" ', "sizeof ", "if ", "return ", "*", "&", "-", "**", "!*", "~*", " : ", "?", "(u32) ", "(x) ",
              ") \\", "typeof(x)) ", "struct x) ", "...) ", '") ', "_t) ", "*) ", "]) ", "void (", "##x)", "##x,",
              " ## ", "x ## y (", "long (*"]
    ends = [";", "{", "}", ",", "(", "=", "&&", "?", ":", "\\", "x", ")", "]", "++", "--", "*", " ", "\x1c", "",
            " else", "else", "_else", "\xe9else"]
    rnd = random.Random(17)
    tried = 0
    while tried < 30_000:
        n = rnd.randrange(1, len(lines))
        chars = list(lines[n]) if rnd.random() < 0.7 else []
        for _ in range(rnd.randint(1, 5)):
            chars[rnd.randint(0, len(chars)):0] = [rnd.choice(pieces)]
        line = "".join(chars)
        # the line before as it is, or another ending with what may leave a value (or not)
        before = lines[n - 1] if rnd.random() < 0.7 else rnd.choice(lines) + rnd.choice(ends)
        if _passes(line, before):
            tried += 1
            assert _spacing_found(line, before) == _found_if_passed(line), (before, line)


@pytest.mark.parametrize("line", ["\tx = y ;", "\tfoo (x);", "\tfoo  (x);", "\tif(x)", "\tp = (char *) q;",
                                  "\tfoo( x);", "\tfoo(x );", "\ta[ 1] = b[1 ];", "\tstruct s{", "\t}x;", "\tx = a##b;",
                                  "\tp = q -1;", "\tfoo(a,b);"])
def test_the_clean_pattern_lets_through_what_a_rule_may_report(line):
    assert not _is_clean(line)
    assert _spacing_found(line, "")[0] is not None or "##" in line


# Shapes the clean pattern passes without the table (each checked by the rules here and fuzzed
# above): an operator that starts a line after one that leaves no value, colons before any `?`,
# a `(` after the indentation, a `)` then blanks where no cast's type ends, `##` before a last
# argument, a type's name before ` (`, a `*` after a unary operator.
@pytest.mark.parametrize("line_before, line", [
    ("\tfoo(a);", "\t*p = 0;"), ("\tfoo(x)\n", "\t*p = 0;"), ("\telse", "\t\t*p = 0;"), ("\tfoo(a,", "\t\t&attr);"), ("\tx = f(a,", "\t\t  -1);"), ("{", "\t**pp = NULL;"),
    ("", "\tcase offsetof(struct tcphdr, check):"), ("", "\tcase A + B:"), ("", "\treturn a ? b : c;"),
    ("", "\t\t\t(unsigned long)x;"), ("", '#define F(a, ...) g("x") h(__VA_ARGS__)'), ("", "\tfoo(x) \\"),
    ("", "\tpr_debug(fmt, ##__VA_ARGS__);"), ("", "\tvoid (*destructor)(struct sock *sk);"),
    ("", "\tif (!*ptr && **pp)"),
])
def test_the_clean_pattern_passes_lines_no_rule_reports(line_before, line):
    assert _is_clean(line, line_before)
    assert _spacing_found(line, line_before) == [None, None]


@pytest.mark.parametrize("line_before, line", [
    ("\tfoo(a)", "\t*p = 0;"), ("\tx = y;", "\t* p = 0;"), ("\tx = myelse", "\t*p = 0;"), ("\tx = y \x1c", "\t*p = 0;"), ("", "\tx = a ? b:c;"),
    ("", "\tcase 1 :"), ("", "\tp = (u32) x;"), ("", "\tp = (struct s) x;"), ("", "\tx = a##b (c);"),
    ("", "\tfoo (x);"), ("", "\tx = a? b : c;"),
])
def test_the_clean_pattern_lets_through_what_a_rule_reports_after_a_line(line_before, line):
    assert not _is_clean(line, line_before)
    assert _spacing_found(line, line_before)[0] is not None
