"""Function-like and object-like macros: their arguments and the shape of their bodies.

Each added `#define` line is read with its continuation lines (masked, from the lines of its hunk),
as checkpatch reads a macro; the findings are on the `#define` line. Where a macro breaks a rule
for several arguments, checkpatch prints one finding per argument on that line, and patchflow one
(naming the first argument).
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import CHECK, ERROR, WARNING, Hit, check
from ..lazy_regex import lazy
from ._ccode import COMMENT, is_c, lines_of, on_added_lines, patterns

_MACRO_LINES = 200  # a macro longer than this many lines is read only this far
# compiled here, not in `re`'s cache: each is used once per macro (the cache's lookup is a cost too)
_BLANKS = lazy(r"\s*", re.ASCII)
_CONTINUATION_MARK = lazy(r"\\\+?", re.ASCII)
_LINE_JOIN = lazy(r"\\\n.", re.ASCII)
_ASM_VOLATILE = lazy(r"\b_*asm_*\s+_*volatile_*\b", re.ASCII)
_TRACE_DEFINE = lazy(r"^.\s*#\s*define\s+TRACE_(?:SYSTEM|INCLUDE_FILE|INCLUDE_PATH)\b", re.ASCII)
_IF_BODY = lazy(r"^\s*if\b", re.ASCII)
_FLOW = lazy(r"\b(?:goto|return)\b")
_ASCII_BLANKS = " \t\n\r\f\v"  # `\s` of a pattern compiled with re.ASCII
_STRING = r'(?:\b[Lu])?"[X\t]*"'


@lru_cache(maxsize=None)
def _rules():
    p = patterns()
    return {
        "define": lazy(r"^\s*#\s*define\s*" + p.ident + r"(\()?", re.ASCII),
        "head": lazy(r"^.\s*#\s*define\s+" + p.ident + r"(\([^\)]*\))?\s*", re.ASCII),
        "operators": p.operators,
        "exceptions": lazy(r"(?:" + p.declare + r"|module_param_named|MODULE_PARM_DESC|DECLARE_PER_CPU|"
                                 r"DEFINE_PER_CPU|__typeof__\(|union|struct|\." + p.ident + r"\s*=\s*|^\"|\"$|^\[)", re.ASCII),
        "simple": [lazy(pattern, re.ASCII) for pattern in (
            r"^(?:" + p.ident + r"|-?" + p.constant + r"),$", r"^(?:" + p.ident + r"|-?" + p.constant + r");$",
            r"^[!~-]?(?:" + p.lval + r"|" + p.constant + r")$", r"^'X'$", r"^'XX'$", r"^\." + p.ident + r"\s*=",
            r"^(?:\#\s*" + p.ident + r"|\#\s*" + p.constant + r")\s*$", r"^case\b",
            r"^do\s*" + p.constant + r"\s*while\s*" + p.constant + r";?$",
            r"^while\s*" + p.constant + r"\s*" + p.constant + r"\s*$", r"^for\s*" + p.constant + r"$",
            r"^for\s*" + p.constant + r"\s+(?:" + p.ident + r"|-?" + p.constant + r")$", r"^do\s*{", r"^\(\{")],
        "string_ident": lazy("(" + _STRING + r")\s*" + p.ident, re.ASCII),
        "ident_string": lazy(p.ident + r"\s*(" + _STRING + ")", re.ASCII),
        "harmless": lazy(r"\b(?:__must_be_array|offsetof|sizeof|sizeof_field|__stringify|typeof|__typeof__|"
                         r"__builtin\w+|typecheck\s*\(\s*" + p.type + r"\s*,|\#+)\s*\(*\s*([A-Za-z_]\w*)\s*\)*\b", re.ASCII),
        "stringified": lazy(r"\#+\s*([A-Za-z_]\w*)\b", re.ASCII),
        "pasted": lazy(r"\b([A-Za-z_]\w*)\s*\#\#", re.ASCII),
        "word": lazy(r"\w+", re.ASCII),
        "operator": lazy(p.operators, re.ASCII),
        "operator_end": lazy("(?:" + p.operators + r")\s*$", re.ASCII),
    }


class Macro:
    """A #define as checkpatch reads it: its text with line prefixes, its arguments, its body."""

    def __init__(self, statement):
        self.statement = statement  # lines joined by "\n", each with its '+' or ' ' prefix
        head = _rules()["head"].match(statement)
        args = head.group(1) if head else None
        body = statement[head.end():] if head else statement
        self.args = []
        if args:
            inner = _CONTINUATION_MARK.sub("", _BLANKS.sub("", args[1:-1]))
            self.args = inner.split(",")
        self.body = body  # the text after the name and arguments, still with prefixes and masks
        pieces = body.split("\n")
        single = pieces[0].rstrip("\\") if pieces[0].endswith("\\") else pieces[0]
        for piece in pieces[1:]:
            if piece.endswith("\\"):
                piece = piece[:-1]
            if piece[:1] in ("+", " "):
                single += piece[1:]
        self.single_line = " ".join(single.replace(COMMENT, "").split())
        self.argument_bodies = None  # [(argument, body without its harmless uses)], by _arguments


def _macro_at(code_line):
    """The Macro that starts at this added line, or None when the line is not a #define."""
    pieces = ["+" + code_line.code]
    last = code_line.code
    for line, code in code_line.following(_MACRO_LINES):
        if not last.rstrip().endswith("\\"):
            break
        pieces.append(line.kind + code)
        last = code
    return Macro("\n".join(pieces))


def _macro(line, file, ctx):
    """The Macro whose `#define` is on this added line, or None; read once per line and run: the
    seven macro rules ask in turn (kept by the line's id, for the run's context, which keeps the
    series and so its lines alive)."""
    if _READ[0] is not ctx:
        _READ[:] = [ctx, {}]
    read = _READ[1]
    found = read.get(id(line), _UNREAD)
    if found is _UNREAD:
        found = read[id(line)] = _read_macro(line, file, ctx)
    return found


_READ = [None, {}]  # (the run's context, {id(line): Macro or None})
_UNREAD = object()


def _read_macro(line, file, ctx):
    text = line.text
    if "define" not in text or "#" not in text or file.path.endswith("/vmlinux.lds.h"):
        return None
    code_line = lines_of(file, ctx).get(line.patch_line)
    if code_line is None or not _rules()["define"].match(code_line.code):
        return None
    return _macro_at(code_line)


def _without_harmless_uses(statement, arg):
    """The body with the uses of `arg` that evaluate nothing (sizeof, typeof, #, ##) removed."""
    rules = _rules()
    statement = _without_matches_of(rules["harmless"], statement, arg)
    statement = rules["stringified"].sub(lambda m: "" if m.group(1) == arg else m.group(0), statement)
    return rules["pasted"].sub(lambda m: "" if m.group(1) == arg else m.group(0), statement)


def _without_matches_of(pattern, statement, arg):
    """The statement with the matches of `pattern` whose name (group 1) is `arg` removed, as
    checkpatch removes them with `arg` written into the pattern. A match of another name removes
    nothing and consumes nothing: the search goes on from its next character, because what it read
    may begin a use of arg (`__builtin_choose_expr(sizeof(t)` matches with the name `sizeof`, and
    `sizeof(t)` is the harmless use of t)."""
    kept, start, parts = 0, 0, []
    while True:
        match = pattern.search(statement, start)
        if match is None:
            break
        if match.group(1) == arg:
            parts.append(statement[kept:match.start()])
            kept = start = match.end()
        else:
            start = match.start() + 1
    parts.append(statement[kept:])
    return "".join(parts)


def _next_to_operator(body, arg):
    """Whether the first use of `arg` in `body` touches an operator other than `,` (blanks aside)."""
    rules = _rules()
    for word in rules["word"].finditer(body):
        if word.group() != arg:
            continue
        # an operator that ends the text before the word (blanks aside) ends in its last two
        # characters: searched there, not from the body's start at every character
        before = rules["operator_end"].search(body[:word.start()].rstrip(_ASCII_BLANKS)[-2:])
        after = rules["operator"].match(body, len(body) - len(body[word.end():].lstrip()))
        return bool((before and before.group().strip() != ",") or (after and after.group() != ","))
    return False


def _arguments(macro):
    """[(argument, the body without its uses that evaluate nothing)] of a macro, worked out once:
    MACRO_ARG_REUSE and MACRO_ARG_PRECEDENCE both read them. A body with no `#` and none of the
    harmless uses is the body for every argument (most macros: no search and replace per argument)."""
    if macro.argument_bodies is None:
        body = macro.single_line
        plain = "#" not in body and _rules()["harmless"].search(body) is None
        macro.argument_bodies = [(arg, body if plain else _without_harmless_uses(body, arg)) for arg in macro.args
                                 if "..." not in arg and arg.lower() != "type" and arg]
    return macro.argument_bodies


@check("MACRO_ARG_UNUSED", level=WARNING, scope="patch")
@on_added_lines(is_c, r"define")
def macro_arg_unused(line, file, ctx):
    """An added function-like macro does not use one of its arguments.

    ## What it does
    Reports an added `#define NAME(a, b)` in a `.c` or `.h` file whose body never names one of its
    arguments (`...` aside), as checkpatch does.

    ## Why is this bad?
    An argument the macro ignores is evaluated by no one: a caller's side effect silently vanishes,
    and the macro's signature promises what it does not do.

    ## Example
    ```bad
    +#define EXAMPLE_SIZE(map, key)	((map)->key_size)
    ```

    ```good
    +#define EXAMPLE_SIZE(map)	((map)->key_size)
    ```

    ## Fix
    Drop the argument, or use it.
    """
    macro = _macro(line, file, ctx)
    if macro is None:
        return None
    words = set(_rules()["word"].findall(macro.single_line))
    for arg in macro.args:
        if "..." not in arg and arg.lower() != "type" and arg and arg not in words:
            return Hit.at(line, file, f"Argument '{arg}' is not used in function-like macro")
    return None


@check("MACRO_ARG_REUSE", level=CHECK, scope="patch")
@on_added_lines(is_c, r"define")
def macro_arg_reuse(line, file, ctx):
    """An added function-like macro evaluates one of its arguments more than once.

    ## What it does
    Reports an added `#define` in a `.c` or `.h` file whose body names an argument twice or more
    (uses inside `sizeof`, `typeof`, `#` and `##` do not count), as checkpatch does with `--strict`.

    ## Why is this bad?
    `MAX(i++, j)` increments twice: a macro that evaluates an argument twice surprises every caller
    who passes an expression with a side effect. A `static inline` function or a local copy in a
    statement expression evaluates it once.

    ## Example
    ```bad
    +#define EXAMPLE_MAX(a, b)	((a) > (b) ? (a) : (b))
    ```

    ```good
    +#define EXAMPLE_NEXT(a)	((a) + 1)
    ```

    ## Fix
    Use a `static inline` function, or `max()` and friends from linux/minmax.h.
    """
    macro = _macro(line, file, ctx)
    if macro is None:
        return None
    for arg, body in _arguments(macro):
        if _rules()["word"].findall(body).count(arg) > 1:
            return Hit.at(line, file, f"Macro argument reuse '{arg}' - possible side-effects?")
    return None


@check("MACRO_ARG_PRECEDENCE", level=CHECK, scope="patch")
@on_added_lines(is_c, r"define")
def macro_arg_precedence(line, file, ctx):
    """An added function-like macro uses an argument next to an operator without parentheses.

    ## What it does
    Reports an added `#define` in a `.c` or `.h` file where the first use of an argument stands
    next to an operator other than `,` (`a * 2`, `p->len`), as checkpatch does with `--strict`.

    ## Why is this bad?
    A caller's `EXAMPLE_DOUBLE(x + 1)` becomes `x + 1 * 2`: the argument binds to the operator,
    not as a whole. Parentheses around each use keep the caller's expression whole.

    ## Example
    ```bad
    +#define EXAMPLE_DOUBLE(a)	(a * 2)
    ```

    ```good
    +#define EXAMPLE_DOUBLE(a)	((a) * 2)
    ```

    ## Fix
    Write each use of the argument as `(a)`.
    """
    macro = _macro(line, file, ctx)
    if macro is None:
        return None
    for arg, body in _arguments(macro):
        if _next_to_operator(body, arg):
            return Hit.at(line, file, f"Macro argument '{arg}' may be better as '({arg})' to avoid precedence issues")
    return None


# innermost (), {} and x[] groups, replaced by `1u` in this order of preference
_INNERMOST_GROUPS = (lazy(r"\([^\(\)]*\)", re.ASCII), lazy(r"\{[^\{\}]*\}", re.ASCII), lazy(r".\[[^\[\]]*\]", re.ASCII))


def _flattened_body(macro):
    """The body as checkpatch weighs it: one line, parenthesized and braced groups as `1u`,
    strings glued to identifiers as one string."""
    body = macro.body.replace(COMMENT, "")
    body = _LINE_JOIN.sub("", body).strip()
    changed = True
    while changed:
        changed = False
        for opening, pattern in zip("({[", _INNERMOST_GROUPS):
            if opening not in body:  # (most bodies hold no group of some kind: no search for it)
                continue
            # checkpatch replaces one group a round; the innermost () groups are all replaced at once,
            # which ends in the same text (they do not overlap, and each stays innermost until it is
            # replaced), in fewer rounds; a {} or x[] group goes only when no () group is left
            body, count = pattern.subn("1u", body, count=0 if pattern is _INNERMOST_GROUPS[0] else 1)
            if count:
                changed = True
                break
    rules = _rules()
    changed = '"' in body  # both glue patterns need a string
    while changed:
        body, first = rules["string_ident"].subn(r"\1", body, count=1)
        body, second = (body, 0) if first else rules["ident_string"].subn(r"\1", body, count=1)
        changed = bool(first or second)
    return _ASM_VOLATILE.sub("asm_volatile", body) if "asm" in body else body


def _macro_shape_problem(macro):
    """'if', 'statements' or 'complex' for a macro body checkpatch wants wrapped, else None."""
    body = _flattened_body(macro)
    rules = _rules()
    # the anchored simple shapes before the exceptions, searched anywhere with checkpatch's whole
    # declaration pattern: most bodies are a constant or a name (either way, nothing to report)
    if not body or any(p.search(body) for p in rules["simple"]) or rules["exceptions"].search(body):
        return None
    if _TRACE_DEFINE.match(macro.statement):
        return None
    if _IF_BODY.match(body):
        return "if"
    return "statements" if ";" in body else "complex"


def _shape_of(macro, ctx):
    """_macro_shape_problem once per macro and run: COMPLEX_MACRO and MULTISTATEMENT_MACRO_USE_DO_WHILE
    both ask (the macro is the same object for both, from `_macro`)."""
    return _macro_shape_problem(macro)


@check("COMPLEX_MACRO", level=ERROR, scope="patch")
@on_added_lines(is_c, r"define")
def complex_macro(line, file, ctx):
    """An added macro's value is an expression that is not enclosed in parentheses.

    ## What it does
    Reports an added `#define` in a `.c` or `.h` file whose body is an expression of several parts
    (`a + b`, `x | FLAG`) without parentheses around it, as checkpatch does; a single value, a call,
    a string, a declaration or a `do { } while (0)` body is fine.

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Macros, Enums and RTL": a macro is pasted as text, so
    `EXAMPLE_FLAGS * 2` with `#define EXAMPLE_FLAGS A | B` computes `A | (B * 2)`.

    ## Example
    ```bad
    +#define EXAMPLE_FLAGS	BPF_F_RDONLY | BPF_F_WRONLY
    ```

    ```good
    +#define EXAMPLE_FLAGS	(BPF_F_RDONLY | BPF_F_WRONLY)
    ```

    ## Fix
    Put the whole value in parentheses.
    """
    macro = _macro(line, file, ctx)
    if macro is None or ctx.once(_shape_of, macro) != "complex":
        return None
    return Hit.at(line, file, "Macros with complex values should be enclosed in parentheses")


@check("MULTISTATEMENT_MACRO_USE_DO_WHILE", level=ERROR, scope="patch")
@on_added_lines(is_c, r"define")
def multistatement_macro(line, file, ctx):
    """An added macro of several statements (or an `if`) is not wrapped in `do { } while (0)`.

    ## What it does
    Reports an added `#define` in a `.c` or `.h` file whose body holds statements separated by `;`,
    or starts with `if`, outside a `do { ... } while (0)` or a statement expression, as checkpatch does.

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Macros, Enums and RTL": `if (x) EXAMPLE_RESET(a, b);`
    runs only the first statement under the `if`, and a bare `if` in a macro steals the caller's
    `else`.

    ## Example
    ```bad
    +#define EXAMPLE_RESET(a, b)	(a) = 0; (b) = 0
    ```

    ```good
    +#define EXAMPLE_RESET(a, b)	do { (a) = 0; (b) = 0; } while (0)
    ```

    ## Fix
    Wrap the statements in `do { ... } while (0)`, or make the macro a `static inline` function.
    """
    macro = _macro(line, file, ctx)
    if macro is None:
        return None
    shape = ctx.once(_shape_of, macro)
    if shape == "if":
        return Hit.at(line, file, "Macros starting with if should be enclosed by a do - while loop to avoid "
                                  "possible if/else logic defects")
    if shape == "statements":
        return Hit.at(line, file, "Macros with multiple statements should be enclosed in a do - while loop")
    return None


_BALANCED = r"\((?:[^()]|\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))*\)"


@lru_cache(maxsize=None)
def _semicolon_rules():
    ident = patterns().ident
    return (re.compile(r"^\+\s*#\s*define\s+" + ident + r"\s*" + _BALANCED + r"\s*do\s*{(.*)\s*}\s*while\s*\(\s*0\s*\)"
                       r"\s*([;\s]*)\s*$", re.ASCII),
            re.compile(r"^\+\s*#\s*define\s+" + ident + r".*;\s*$", re.ASCII))


@check("TRAILING_SEMICOLON", level=WARNING, scope="patch")
@on_added_lines(is_c, r"define")
def trailing_semicolon(line, file, ctx):
    """An added macro ends in a semicolon.

    ## What it does
    Reports an added `#define` of a .c or .h file whose body (with its continuation lines) ends in
    `;`, except a function-like `do { } while (0)` macro (checkpatch names that case differently).
    checkpatch also uses this type for `if (x);` followed by an indented line; patchflow does not
    report that form yet.

    ## Why is this bad?
    The caller writes the semicolon: with one in the macro, `if (x) EXAMPLE_RESET(a); else ...`
    becomes an empty statement followed by a stray `else`, and `EXAMPLE_RESET(a);;` reads as a typo.

    ## Example
    ```bad
    +#define VETH_RING_RESET	veth_ring_reset(priv);
    ```

    ```good
    +#define VETH_RING_RESET	veth_ring_reset(priv)
    ```

    ## Fix
    Drop the semicolon at the end of the macro.
    """
    macro = _macro(line, file, ctx)
    if macro is None:
        return None
    statement = _LINE_JOIN.sub("", macro.statement).replace(COMMENT, " ")
    do_while, trailing = _semicolon_rules()
    if do_while.match(statement) or not trailing.match(statement):
        return None
    return "macros should not use a trailing semicolon"


@check("MACRO_WITH_FLOW_CONTROL", level=WARNING, scope="patch")
@on_added_lines(is_c, r"define")
def macro_with_flow_control(line, file, ctx):
    """An added macro returns from, or jumps out of, the function that uses it.

    ## What it does
    Reports an added `#define` of a .c or .h file whose body holds `return` or `goto`, unless it
    pastes tokens with `##` (a macro that defines a function), as checkpatch does.

    ## Why is this bad?
    Documentation/process/coding-style.rst ("Macros, Enums and RTL"): a macro that affects
    control flow looks like a function call at its use, so the reader does not see that the caller
    may return there, leaving locks held or memory allocated.

    ## Example
    ```bad
    +#define VETH_CHECK(x)	do { if (!(x)) return -EINVAL; } while (0)
    ```

    ```good
    +#define VETH_VALID(x)	(!!(x))
    ```

    ## Fix
    Return (or jump) at the call site, on the result of a macro or inline function that only tests.
    """
    macro = _macro(line, file, ctx)
    if macro is None or not _FLOW.search(macro.statement):
        return None
    if "##" in macro.statement and not re.search(r"\#\#\s*(?:__VA_ARGS__|args)\b", macro.statement):
        return None
    return "Macros with flow control statements should be avoided"
