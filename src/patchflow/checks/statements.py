"""C statements as checkpatch judges them: conditions, braces of blocks, parentheses, NULL tests.

These read a statement from its first added line on (the following lines of its hunk, masked), as
checkpatch reads a statement block; a condition that runs past its hunk is left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import CHECK, ERROR, WARNING, Hit, check
from ..lazy_regex import lazy
from ._ccode import COMMENT, code_line_of, is_c, on_added_lines, patterns
from ._hunk_places import hunk_places
from ._line_scans import FoundBy
from ._statement import (assigned_twice_lines, assigning_if_lines, condition_text, groups_after_prefix,
                         uncalled_parentheses_if_lines)
from ._lines import added_lines

# balanced parentheses, three levels deep (Python's re has no recursion; deeper nests are rare)
_BALANCED = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"


@lru_cache(maxsize=None)
def _rules():
    p = patterns()
    lval_or_func = r"((?:[&*]\s*)?" + p.lval + r")\s*(" + _BALANCED + r")?\s*"
    typecast = r"\s*(?:\(\s*" + p.nonptr + r"\s*\))?\s*"
    func_arg = typecast + r"(?:" + lval_or_func + "|" + p.constant + r'|(?:\b[Lu])?"[X\t]*")'
    return {
        "null": lazy(r"\b((?:[&*]\s*)?" + p.lval + r")\s*(?:" + _BALANCED + r")?\s*(==|!=)\s*NULL\b", re.ASCII),
        "deref": lazy(r"(?:[^&]&\s*|\*)\(\s*(" + p.ident + r"\s*(?:" + p.member + r"\s*)+)\s*\)", re.ASCII),
        "func_ptr": lazy(r"(\bif\s*|)(\(\s*" + p.ident + r"\s*(?:" + p.member + r"\s*)+\))[ \t]*\(", re.ASCII),
        # checkpatch's `(?:^|[^\w&!~])+\s*\(` is a `(` and a lookbehind: see _statement.groups_after_prefix
        "if_parens": lazy(r"\((?<![\w&!~]\()\s*([&!~]?\s*" + p.lval + r"\s*(?:" + p.compare + r"\s*"
                                + func_arg + r")?)\s*\)", re.ASCII),
        # `if(?<!\wif)` is `\bif`, with a literal first: the search jumps to each `if`
        "double_if": lazy(r"if(?<!\wif)\s*((?:\(\s*){2,})", re.ASCII),
        "lval_or_func": lval_or_func,
        "multiple_assignments": lazy(r"^\s*" + p.lval + r"\s*=\s*" + p.lval + r"\s*=(?!=)", re.ASCII),
        "compare": p.compare,
        "constant_left": lazy(r"^(.*)\b(" + p.constant + r"|[A-Z_][A-Z0-9_]*)\s*(" + p.compare + r")\s*("
                              + lval_or_func + r")", re.ASCII),
        "bool_compare": lazy(r"^\s*(.*?)\b(true|false|" + p.lval + r")\s*(==|!=)\s*(true|false|" + p.lval
                             + r")\b(.*)$", re.ASCII | re.IGNORECASE),
        "operator_end": lazy(r"(?:" + p.operators + r"|\.)\s*$", re.ASCII),
    }


@check("COMPARISON_TO_NULL", level=CHECK, scope="patch")
@on_added_lines(is_c, r"[=!]=\s*NULL")  # (the needle's scan jumps to `==`, `!=`: _needles)
def comparison_to_null(line, file, ctx):
    """An added line of C compares a pointer with `NULL`.

    ## What it does
    Reports `x == NULL` and `x != NULL` (and `f(...) != NULL`) in added lines of `.c` and `.h`
    files, with the shorter form. Reported with `--strict`, as in checkpatch.

    ## Why is this bad?
    Documentation/process/coding-style.rst prefers `if (!p)` and `if (p)` for pointers: shorter and
    the idiom every kernel reader expects.

    ## Example
    ```bad
     static int example_open(void *value)
     {
    +	if (value == NULL)
    +		return -EINVAL;
     	return 0;
     }
    ```

    ```good
     static int example_open(void *value)
     {
    +	if (!value)
    +		return -EINVAL;
     	return 0;
     }
    ```

    ## Fix
    Write `!x` for `x == NULL` and `x` for `x != NULL`.
    """
    if "NULL" not in line.text:
        return None
    code_line = code_line_of(line, file, ctx)
    if code_line is None or "NULL" not in code_line.code:
        return None
    match = _rules()["null"].search(code_line.code)
    if match is None:
        return None
    written = ("!" if match.group(2) == "==" else "") + match.group(1)
    return Hit.at(line, file, f'Comparison to NULL could be written "{written}"')


_DEREF_OPEN = lazy(r"[&*]\s*\(", re.ASCII)
_CALL_AFTER_PAREN = lazy(r"\)[ \t]*\(")
_IF_OPEN = lazy(r"^\s*if\s*\(", re.ASCII)
_ONE_WORD = lazy(r"^\s*\w+\s*$", re.ASCII)
_PAREN_NOT_CALLED = lazy(r"(?<![\w&!~])\(", re.ASCII)


def _if_condition_parens(code_line):
    match = _IF_OPEN.match(code_line.code)
    if match is None:
        return None
    rest = code_line.code[match.end():]
    if "(" not in rest and ")" in rest:
        return None  # `if (a == b)`: the condition closes on its line with no parentheses inside
    condition = condition_text(code_line, match.end() - 1)
    if condition is None or not _PAREN_NOT_CALLED.search(condition, 1, len(condition) - 1):
        return None  # the pattern wants a `(` inside that no word, `&`, `!` or `~` leads (not a call's)
    for inner in groups_after_prefix(_rules()["if_parens"], condition[1:-1]):
        if not _ONE_WORD.match(inner):
            return f"Unnecessary parentheses around '{inner}'"
    return None


def _double_parens(code):
    match = _rules()["double_if"].search(code)
    if match is None:
        return None
    count = match.group(1).count("(")
    r = _rules()
    full = re.search(r"\bif\s*(?:\(\s*){%d}%s\s*(%s)\s*%s(?:\s*\)){%d}" % (
        count, r["lval_or_func"], r["compare"], r["lval_or_func"], count), code, flags=re.ASCII)
    if full is None:
        return None
    return " - maybe == should be = ?" if full.group(3) == "==" else ""


def _may_hold_parentheses_finding(text) -> bool:
    """Each finding needs an `if`, a `&(` or `*(`, or a `)(` after `->` or `.` in the code; masking
    changes only comments and strings, so a text without them is let go before its code is read."""
    return "(" in text and ("if" in text or "&" in text or "*" in text or (
        ("->" in text or "." in text) and _CALL_AFTER_PAREN.search(text) is not None))


# the lines holding the opening of a rule other than the `if`'s (`&(`, `*(`, `)(`)
_POINTER_PARENTHESES = FoundBy((lazy(r"&[^\S\n]*\("), lazy(r"\*\("), lazy(r"\)[ \t]*\(")),
                               lazy(r"&\s*\(|\*\(|\)[ \t]*\("))


def _parentheses_lines(file, added, ctx):
    """The lines an `if` condition's rules may report (`_statement`), and those holding `&(`, `*(`, `)(`."""
    return sorted(set(uncalled_parentheses_if_lines(file, added, ctx)).union(_POINTER_PARENTHESES(file, added, ctx)))


@check("UNNECESSARY_PARENTHESES", level=CHECK, scope="patch")
@on_added_lines(is_c, lines=_parentheses_lines)
def unnecessary_parentheses(line, file, ctx):
    """An added line of C puts parentheses where they change nothing.

    ## What it does
    Reports, in added lines of `.c` and `.h` files: `&(p->member)` and `*(p->member)`; a function
    pointer called as `(p->fn)(...)`; a comparison or a single value in parentheses inside an `if`
    condition (`if ((a == b) && c)`); and `if ((a == b))` (a warning: it hides a `=` meant as `==`).
    The checks need `--strict`, as in checkpatch.

    ## Why is this bad?
    Extra parentheses make a reader look for a precedence problem that is not there; `&p->member`
    and `p->fn()` are the kernel's idioms.

    ## Example
    ```bad
     static int example_open(int a, int b, int c)
     {
    +	if ((a == b) && c)
    +		return -EINVAL;
     	return 0;
     }
    ```

    ```good
     static int example_open(int a, int b, int c)
     {
    +	if (a == b && c)
    +		return -EINVAL;
     	return 0;
     }
    ```

    ## Fix
    Drop the parentheses the message names.
    """
    if not _may_hold_parentheses_finding(line.text):
        return None
    code_line = code_line_of(line, file, ctx)
    if code_line is None:
        return None
    code = code_line.code
    if "if" in code:
        extra = _double_parens(code)
        if extra is not None:
            return Hit.at(line, file, f"Unnecessary parentheses{extra}", level=WARNING)
    # each long pattern only where its opening shows: `&(` or `*(`, then `)(` of a call through a pointer
    match = _rules()["deref"].search(code) if _DEREF_OPEN.search(code) else None
    if match:
        return Hit.at(line, file, f"Unnecessary parentheses around {match.group(1)}")
    if ("->" in code or "." in code) and _CALL_AFTER_PAREN.search(code):
        match = _rules()["func_ptr"].search(code)
        if match and not match.group(1).startswith("if"):
            return Hit.at(line, file, f"Unnecessary parentheses around function pointer {match.group(2)}")
    if "if" in code:
        message = _if_condition_parens(code_line)
        if message:
            return Hit.at(line, file, message)
    return None


_ASSIGNMENT = lazy(r"[^<>!=]=[^=]", re.S | re.ASCII)
_IF_CALL = lazy(r"if(?<!\wif)\s*\(", re.ASCII)  # `\bif\s*\(`, jumping to each `if`


@check("ASSIGN_IN_IF", level=ERROR, scope="patch")
@on_added_lines(is_c, lines=assigning_if_lines)
def assign_in_if(line, file, ctx):
    """An added `if` condition holds an assignment.

    ## What it does
    Reports an added line of a `.c` or `.h` file that starts an `if` whose condition assigns
    (`if ((err = setup(x)))`, `if (!(p = kmalloc(...)))`), as checkpatch does.

    ## Why is this bad?
    Documentation/process/coding-style.rst: an assignment in a condition is easy to misread as a
    comparison and hides a statement; assign first, then test.

    ## Example
    ```bad
     static int example_open(int fd)
     {
    +	int err;
    +
    +	if ((err = example_setup(fd)))
    +		return err;
     	return 0;
     }
    ```

    ```good
     static int example_open(int fd)
     {
    +	int err;
    +
    +	err = example_setup(fd);
    +	if (err)
    +		return err;
     	return 0;
     }
    ```

    ## Fix
    Move the assignment to a statement before the `if`.
    """
    text = line.text
    if "if" not in text or "=" not in text and "(" not in text:
        return None
    code_line = code_line_of(line, file, ctx)
    if code_line is None or code_line.code.lstrip().startswith("#"):
        return None
    match = _IF_CALL.search(code_line.code)
    if match is None:
        return None
    condition = condition_text(code_line, match.end() - 1)
    if condition is None or "=" not in condition:
        return None
    if _ASSIGNMENT.search(condition.replace(COMMENT, " ")):
        return Hit.at(line, file, "do not use assignment in if condition")
    return None


@check("MULTIPLE_ASSIGNMENTS", level=CHECK, scope="patch")
@on_added_lines(is_c, lines=assigned_twice_lines)
def multiple_assignments(line, file, ctx):
    """An added line of C assigns one value to several variables at once.

    ## What it does
    Reports added lines of `.c` and `.h` files that start with a chained assignment (`a = b = 0;`),
    as checkpatch does with `--strict`.

    ## Why is this bad?
    Documentation/process/coding-style.rst prefers one assignment per statement: a chained one is
    easy to misread, and a change to one of the variables later has to split it anyway.

    ## Example
    ```bad
     static void example_reset(struct example_ring *ring)
     {
    +	ring->head = ring->tail = 0;
     }
    ```

    ```good
     static void example_reset(struct example_ring *ring)
     {
    +	ring->head = 0;
    +	ring->tail = 0;
     }
    ```

    ## Fix
    Write one assignment per line.
    """
    text = line.text
    if text.count("=") < 2:
        return None
    code_line = code_line_of(line, file, ctx)
    if code_line is None or not _rules()["multiple_assignments"].match(code_line.code):
        return None
    return Hit.at(line, file, "multiple assignments should be avoided")


# Every line CONSTANT_COMPARISON reports holds this needle, which a search would try at every offset
# (`\b` first): _needles searches it backwards, from the operator, which the search jumps to
_CONSTANT_COMPARED = r"\b(?:[A-Z_][A-Z0-9_]*|\d\w*)\s*(?:[<>=!]=|<|>)"


@check("CONSTANT_COMPARISON", level=WARNING, scope="patch")
@on_added_lines(is_c, _CONSTANT_COMPARED)
def constant_comparison(line, file, ctx):
    """An added comparison puts the constant on the left (`if (0 == ret)`).

    ## What it does
    Reports an added line of a .c or .h file that compares a number or an upper-case name (a
    macro, an enum constant) on the left with a variable or a call on the right, unless the
    constant is itself the right operand of another operator (`a + FOO < b`).

    ## Why is this bad?
    "Yoda" comparisons guarded against `=` typed for `==` before compilers warned about it; the
    kernel builds with that warning, and `ret == 0` reads the way it is said. checkpatch warns.

    ## Example
    ```bad
    +	if (0 == ret)
    +		return 0;
    ```

    ```good
    +	if (ret == 0)
    +		return 0;
    ```

    ## Fix
    Swap the operands (and turn `<` into `>`, `<=` into `>=`).
    """
    code_line = code_line_of(line, file, ctx)
    if code_line is None:
        return None
    match = _rules()["constant_left"].search(code_line.code)
    if match is None or _rules()["operator_end"].search(match.group(1)):
        return None
    if re.match(r"^[A-Z_][A-Z0-9_]*$", match.group(4)):
        return None
    return "Comparisons should place the constant on the right side of the test"


@check("ONE_SEMICOLON", level=WARNING, scope="patch")
@on_added_lines(is_c, r";\s*;\s*$")
def one_semicolon(line, file, ctx):
    """An added statement of C ends in two semicolons.

    ## What it does
    Reports an added line of a .c or .h file that ends in `;;` (blanks between them allowed).

    ## Why is this bad?
    The second semicolon is an empty statement: harmless after most statements, a compile error
    after a declaration in some positions, and always a sign of a slip.

    ## Example
    ```bad
    +	ring->head = 0;;
    ```

    ```good
    +	ring->head = 0;
    ```

    ## Fix
    Delete the extra semicolon.
    """
    code_line = code_line_of(line, file, ctx)
    if code_line is not None and re.search(r";\s*;\s*$", code_line.code):
        return "Statements terminations use 1 semicolon"
    return None


# an added `\treturn;` line, then an added `}` line (consecutive in the joined added lines); before
# the `;` only blanks or a comment, which starts with `/` (`_BARE_RETURN`'s \s is a masked comment)
_RETURN_THEN_CLOSE = lazy(r"\treturn[^\S\n]*+[;/][^\n]*+\n\}")
_CLOSING_LINE = lazy(r"}\s*$")
_BARE_RETURN = lazy(r"\treturn\s*;\s*$")
_LABEL = lazy(r"^\s*" + r"[A-Za-z_][A-Za-z\d_]*(?:\s*\#\#\s*[A-Za-z_][A-Za-z\d_]*)*" + r"\s*:", re.ASCII)


@check("RETURN_VOID", level=WARNING, scope="patch")
def return_void(patch, ctx):
    """An added `return;` ends a void function just before its closing brace.

    ## What it does
    Reports the added closing `}` of a function in a .c or .h file when the added line before it
    is a bare `return;` at one tab of indent and the line before that is not a label (`out:`).

    ## Why is this bad?
    A void function returns at its closing brace anyway; the statement is noise a reader has to
    check for a missing value.

    ## Example
    ```bad
    +static void veth_ring_reset(struct veth_ring *ring)
    +{
    +	ring->head = 0;
    +	return;
    +}
    ```

    ```good
    +static void veth_ring_reset(struct veth_ring *ring)
    +{
    +	ring->head = 0;
    +}
    ```

    ## Fix
    Delete the `return;`.
    """
    for file in patch.files:
        if file.is_binary or not is_c(file.path):
            continue
        added = added_lines(file, ctx)
        closing = [added.lines[index] for index in added.indexes(
            match.end() - 1 for match in _RETURN_THEN_CLOSE.finditer(added.text))] if added.joined else added.lines
        for hunk, index in hunk_places(file, closing):
            lines = hunk.lines
            line, before = lines[index], lines[index - 1]
            if index < 2 or line.kind != "+" or not line.text.startswith("}") or before.kind != "+":
                continue
            masked = ctx.sources.masked_lines(file)
            if not _CLOSING_LINE.match(masked[line.patch_line].replace(COMMENT, " ")) or \
                    not _BARE_RETURN.match(masked[before.patch_line]):
                continue
            two_before = lines[index - 2]
            if two_before.kind != "-" and not _LABEL.match(masked[two_before.patch_line]):
                yield Hit.at(line, file, "void function return statements are not generally useful", patch=patch)


_TRUE_OR_FALSE = lazy(r"(?i)\b(?:true|false)\b")


# the lines holding `==` or `!=` (found by jumps: a search of `[=!]=` stops at every `=`) with `true` or
# `false` of any case beside it as `bool_compare` reads them: after `e`/`E` and a blank or none, or
# after two blanks, or before blanks and a `t` or `f` (a search of `(?i)true|false` is 47 ms)
_BESIDE = r"(?:(?<=[eE]OP)|(?<=[eE][^\S\n]OP)|(?<=[^\S\n][^\S\n]OP)|(?=[^\S\n]*+[tTfF]))"
_EQUALITIES = tuple(lazy(op + _BESIDE.replace("OP", op)) for op in ("==", "!="))
_EQUALITY = lazy(r"[=!]=")


@check("BOOL_COMPARISON", level=CHECK, scope="patch")
@on_added_lines(is_c, lines=FoundBy(_EQUALITIES, _EQUALITY))
def bool_comparison(line, file, ctx):
    """An added line of C compares with `true` or `false`.

    ## What it does
    Reports `x == true`, `x != false`, `false == x` and the like on an added line of a .c or .h
    file (the first comparison of the line). Reported with `--strict`, as in checkpatch.

    ## Why is this bad?
    A `bool` is already a condition: `if (x == true)` says it twice, and for an int used as a flag
    it is wrong (2 is true but not `== true`). `if (x)` and `if (!x)` say it once, correctly.

    ## Example
    ```bad
    +	if (ring->stopped == false)
    +		veth_kick(ring);
    ```

    ```good
    +	if (!ring->stopped)
    +		veth_kick(ring);
    ```

    ## Fix
    Test the value itself: `x` for `x == true`, `!x` for `x == false`.
    """
    if _TRUE_OR_FALSE.search(line.text) is None:
        return None
    code_line = code_line_of(line, file, ctx)
    if code_line is None:
        return None
    match = _rules()["bool_compare"].search(code_line.code)
    if match is None:
        return None
    written, other = match.group(4), match.group(2)
    if re.match(r"^(?:true|false)$", other, flags=re.IGNORECASE):
        written = other
    if written.lower() not in ("true", "false"):
        return None
    return f"Using comparison to {written} is error prone"
