"""Spaces inside C statements: around operators, after commas and casts, before parentheses and braces.

SPACING is one type with many rules, reported once per line (the first rule the line breaks, in
checkpatch's order; checkpatch prints every rule a line breaks, under the same type and line).
Operators are judged as checkpatch judges them: a `*`, `-`, `&` after a value is binary and wants
spaces on both sides (a check, with `--strict`); after an operator, a `(`, a keyword or a cast it
is unary and wants none after it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import CHECK, ERROR, WARNING, Hit, check
from ._ccode import COMMENT, is_c, patterns
from ._line_scans import files_with_added_code
from ._operator_context import OPERATOR_CHARS as _OPERATOR_CHARS, OPERATORS, PLAIN, all_plain, context, may_break_a_rule
from ._spacing_fixes import fix_pointer_location, fix_spacing
from ..lazy_regex import lazy

_OPERATORS = lazy("(" + "|".join(map(re.escape, OPERATORS)) + ")", re.ASCII)
_ARITHMETIC = frozenset(("<<", ">>", "&", "^", "|", "+", "-", "*", "/", "%"))
_AFTER_UNARY_OK = lazy(r"(?:\)|!|~|\*|-|&|\||\+\+|--|\{)$", re.ASCII)
_UNARY_KEYWORDS = frozenset(("return", "case", "else", "goto", "typeof", "__typeof__", "sizeof", "do"))
_POINTER_MODIFIERS = frozenset(("__rcu", "__user", "__iomem", "__percpu", "__force", "__kernel", "const",
                                "volatile", "__private", "__bpf_percpu"))
_CONDITION_KEYWORDS = frozenset(("if", "while", "for", "switch"))


@lru_cache(maxsize=None)
def _rules():
    p = patterns()
    return {
        "type_end": lazy(r"(?:" + p.type + r")$", re.ASCII),
        "type_word": lazy(r"^(?:" + p.nonptr + r")$", re.ASCII),
        "cast": lazy(r"^(.*)\(\s*" + p.type + r"\s*\)([ \t]++)(?![={]|\\$|" + p.attribute + r"|__attribute__)", re.ASCII),
        "cast_paren": lazy(r"^\(\s*" + p.type + r"\s*\)$", re.ASCII),
        "struct_def": lazy(r"^\s*(?:typedef\s+)?(enum|union|struct)(?:\s+" + p.ident + r"){1,2}[=\{]", re.ASCII),
        # tried where a name may start (after a letter it would end where the name from that letter ends)
        "func_space": lazy(r"(?<![A-Za-z_])(" + p.ident + r")\s+\(", re.ASCII),
        "brace_after_type": lazy(r"\(" + p.type + r"\)\{", re.ASCII),
        "modifier_next": lazy(r"^\s*" + p.modifier + r"\b", re.ASCII),
        "cast_pointer": lazy(r"(\(" + p.nonptr + r"(\s*(?:" + p.modifier + r"\b\s*|\*\s*)+)\))", re.ASCII),
        "declared_pointer": lazy(r"(\b" + p.nonptr + r"(\s*(?:" + p.modifier + r"\b\s*|\*\s*)+)("
                                       + p.ident + "))", re.ASCII),
        "modifier_end": lazy(r"(\b" + p.modifier + r")$", re.ASCII),
        "modifier_only": lazy(r"^" + p.modifier + r"$", re.ASCII),
    }


_PAREN_THEN_BRACE = lazy(r"\(.*\)\{", re.ASCII)
_KEYWORD_THEN_BRACE = lazy(r"\b(?:else|do)\{", re.ASCII)
_BRACE_THEN_CODE = lazy(r"}(?!(?:,|;|\)|\}))\S", re.ASCII)
_BRACKET_THEN_SPACE = lazy(r"\[\s", re.ASCII)
_BRACKET_AT_END = lazy(r"\[\s*$", re.ASCII)
_SPACE_THEN_BRACKET = lazy(r"\s\]", re.ASCII)
_PAREN_THEN_SPACE = lazy(r"\(\s", re.ASCII)
_PAREN_AT_END = lazy(r"\(\s*(?:\\)?$", re.ASCII)
_FOR_EMPTY_INIT = lazy(r"for\s*\(\s+;", re.ASCII)
_SPACE_THEN_PAREN = lazy(r"\s+\)", re.ASCII)
_PAREN_STARTS_LINE = lazy(r"^\s*\)", re.ASCII)
_FOR_EMPTY_STEP = lazy(r"for\s*\(.*;\s+\)", re.ASCII)
_COLON_THEN_PAREN = lazy(r":\s+\)", re.ASCII)
_KEYWORD_THEN_PAREN = lazy(r"\b(?:if|while|for|switch)\(", re.ASCII)
_INCLUDE = lazy(r"#\s*include", re.ASCII)
_OBJECT_MACRO_NAME = lazy(r"^\s*#\s*define\s+\w+\s*$", re.ASCII)
_TAGGED_TYPE_END = lazy(r"\b(?:struct|union|enum)\s+\w+$", re.ASCII)
_LAST_WORD = lazy(r"(\w+)\s*$", re.ASCII)
_SIZEOF_END = lazy(r"\b(?:sizeof|__alignof__)\s*$", re.ASCII)
_DEFINE_ALONE = lazy(r"^\s*#\s*define\s*$", re.ASCII)
_MAIL_AFTER = lazy(r"^\S+@\S+>", re.ASCII)
_MAIL_BEFORE = lazy(r"<\S+@\S+$", re.ASCII)

_ELIF = lazy(r"^\s*#\s*elif$", re.ASCII)
_FIRST_NOT_BLANK = lazy(r"^(\S)", re.ASCII)
_STARS_APART = lazy(r"\*\s+\*", re.ASCII)
_CASE_VALUE = lazy(r"^\s*case\b", re.ASCII)
_BARE_TYPE = lazy(r"^\s*[A-Za-z_]\w*\s+$", re.ASCII)  # `size_t :0;`, not `X :` ending a line of ?:

_NO_PAREN_SPACE_NAMES = frozenset(("if", "for", "while", "switch", "return", "case", "volatile", "__volatile__",
                                   "__attribute__", "format", "__extension__", "asm", "__asm__", "scoped_guard"))


def _function_paren_space(code):
    rules = _rules()
    for match in rules["func_space"].finditer(code):
        name = match.group(1)
        before = code[:match.start(1)]
        if name in _NO_PAREN_SPACE_NAMES or _DEFINE_ALONE.match(before) \
                or _ELIF.match(before + name) or rules["type_end"].search(" " + before + name):
            continue
        return WARNING, "space prohibited between function name and open parenthesis '('"
    return None


def _before_operator(code, start, unmatched="V"):
    """What stands before the operator at `start`: 'V' a value, 'T' a type, 'N' anything else;
    `unmatched` for a `)` whose `(` is on an earlier line."""
    end = start
    while end > 0 and code[end - 1] in " \t":
        end -= 1
    if end == 0:
        return "N"
    last = code[end - 1]
    if code.endswith(("++", "--"), 0, end):
        return _before_operator(code, end - 2)  # an increment leaves what it follows
    if last.isalnum() or last == "_":
        if "#" in code and start < _WINDOW and _OBJECT_MACRO_NAME.match(code[:start]):
            return "N"  # the value of an object-like macro
        begin = end
        while begin > 0 and (code[begin - 1].isalnum() or code[begin - 1] == "_"):
            begin -= 1
        word = code[begin:end]
        if word in _UNARY_KEYWORDS or word in _CONDITION_KEYWORDS:
            return "N"
        if word in _POINTER_MODIFIERS:
            return "T"  # struct neighbour __rcu **np
        if word[0].isdigit():
            return "V"
        # the cheap tagged-type test first: the type pattern searched at every place of its window costs more
        if _is_type_word(word) or _TAGGED_TYPE_END.search(code[max(0, end - 80):end]) \
                and _rules()["type_end"].search(code[max(0, begin - 40):end]):
            return "T"
        return "V"
    if last == ")":
        return _after_close_paren(code, end - 1, unmatched)
    if last in "]\"'":
        return "V"
    return "N"


@lru_cache(maxsize=4096)
def _is_type_word(word):
    """Whether a word alone is a type checkpatch knows (`u32`, `size_t`): the same few words recur."""
    return _rules()["type_word"].match(word) is not None


def _after_close_paren(code, close, unmatched):
    depth = 0
    for index in range(close, max(-1, close - _WINDOW), -1):
        char = code[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                word = _LAST_WORD.search(code[:index])
                name = word.group(1) if word else ""
                if name in _CONDITION_KEYWORDS:
                    return "N"
                if name not in ("sizeof", "typeof", "__typeof__", "__alignof__") \
                        and _rules()["cast_paren"].match(code[index:close + 1]):
                    return "N"
                return "V"
    return unmatched


def _line_end_kind(prev_code):
    """How the line before leaves an operator that starts this line: a value only after an
    expression that is complete on that line (not a directive, not a condition opened before)."""
    if prev_code.lstrip().startswith("#"):
        return "N"
    return _before_operator(prev_code, len(prev_code), unmatched="N")


def _operator_problem(op, ctx, ca, cc, side, strict, has_next=True, question=False):
    """(level, message) for one operator in its context, or None; `side` is 'V'/'T'/'N' before it."""
    at = f"(ctx:{ctx})"
    if op == ";":
        if ctx[2] not in "WEBC" and not cc.startswith("\\") and not cc.startswith(";"):
            return ERROR, f"space required after that '{op}' {at}"
        return None
    if op == "->":
        if ctx[0] == "W" or ctx[2] == "W":
            return ERROR, f"spaces prohibited around that '{op}' {at}"
        return None
    if op == ",":
        if ctx[0] == "W":
            return ERROR, f"space prohibited before that '{op}' {at}"
        if ctx[2] not in "WEC" and not cc.startswith("}"):
            return ERROR, f"space required after that '{op}' {at}"
        return None
    if side == "T" and op != "*":
        side = "V"  # only a `*` belongs to the type it follows
    unary = op in ("!", "~") or (op in ("*", "-", "&", "&&") and side != "V")
    if op == "*" and side == "T":
        return None  # a pointer in a type: POINTER_LOCATION's business
    if unary:
        if ctx[0] not in "WEBC" and not _AFTER_UNARY_OK.search(ca):
            return ERROR, f"space required before that '{op}' {at}"
        if op == "*" and _rules()["modifier_next"].match(cc):
            return None
        if ctx[2] == "W":
            return ERROR, f"space prohibited after that '{op}' {at}"
        return None
    if op in ("++", "--"):
        if not (ctx[0] in "WEOBC" and ctx[2] != "W") and not (ctx[0] != "W" and ctx[2] in "WOBEC"):
            return ERROR, f"space required one side of that '{op}' {at}"
        if (ctx[0] == "W" and ctx[2] in "BE") or (ctx[0] == "W" and cc.startswith(";")):
            return ERROR, f"space prohibited before that '{op}' {at}"
        if ctx[:2] == "Ex" and ctx[2] == "W":
            return ERROR, f"space prohibited after that '{op}' {at}"
        return None
    if op in _ARITHMETIC:
        if op in ("*", "&") and (ctx in ("WxV", "VxW", "WxO") or ctx.endswith("xB")):
            return None  # `foo *bar`, `foo* bar`, `(foo *)`: a declaration or cast of a type we do not know
        if strict:
            if has_next and not (ctx[0] in "EW" and ctx[2] in "EW"):
                return CHECK, f"spaces preferred around that '{op}' {at}"
            if not has_next and not (ctx[0] == "W" and ctx[2] in "OE"):
                return CHECK, f"space preferred before that '{op}' {at}"
        elif (ctx[0] == "W" and ctx[2] not in "WCE") or (ctx[0] not in "WCE" and ctx[2] == "W"):
            return ERROR, f"need consistent spacing around '{op}' {at}"
        return None
    return _spaces_around(op, ctx, ca, cc, question)


def _spaces_around(op, ctx, ca, cc, question):
    if op == ":" and not question:
        # a case value, a label or an unnamed bit field (`size_t :0;`) takes no space before its
        # colon; other colons (named bit fields, asm operands) are told apart by context we lack
        if ctx[0] == "W" and (_CASE_VALUE.match(ca) or ctx[2] == "V" and _BARE_TYPE.match(ca)):
            return ERROR, f"space prohibited before that ':' (ctx:{ctx})"
        return None
    if ctx[0] in "EWC" and ctx[2] in "CWE":
        return None
    if (op == "<" and _MAIL_AFTER.match(cc)) or (op == ">" and _MAIL_BEFORE.search(ca)):
        return None
    level = CHECK if op in ("?:", "?") and ctx == "VxV" else ERROR
    return level, f"spaces required around that '{op}' (ctx:{ctx})"


_WINDOW = 256  # how much of the line around an operator its rules read: linear on a 2 MB line


def _operator_spacing(code, strict, prev_code=""):
    """The first operator spacing problem of a masked line of C, or None; an operator that starts
    the line is unary or binary by how the line before (`prev_code`) ends."""
    if "#" in code and _INCLUDE.search(code):
        return None
    opline = " " + code
    elements = _OPERATORS.split(opline)  # text, operator, text, ...
    while len(elements) > 1 and elements[-1] == "":
        elements.pop()
    # only the first operator can start the line: blanks alone before it
    at_start = not elements[0].strip(" \t")
    # where each operator starts, and whether a `?` came before it (a colon is then a conditional's),
    # counted as the line is read (summed again for each operator, a line of 50,000 took minutes)
    off, question = 0, False
    for n in range(0, len(elements) - 1, 2):
        op = elements[n + 1]
        off += len(elements[n])
        ctx = context(elements, n, at_start and n == 0)
        # most operators stand where no rule can object, whatever is around them: nothing more to read
        if ctx not in PLAIN.get(op, ()):
            found = _operator_here(opline, off, op, ctx, strict, n + 2 < len(elements), question,
                                   prev_code.replace(COMMENT, " ").rstrip() if at_start and n == 0 else None)
            if found:
                return found
        off += len(op)
        question = question or op in ("?", "?:")
    return None


def _operator_here(opline, off, op, ctx, strict, has_next, question, line_before):
    """The problem of the operator `op` at `off` of the line, or None; `line_before` is the code
    of the line before when the operator starts this line, else None."""
    ca = opline[max(0, off - _WINDOW):off]
    cc = opline[off + len(op):off + len(op) + _WINDOW]
    if ca and ca[-1] in " \t" and cc.lstrip()[:1] in (",", ")"):
        return None
    side = "V"
    if op in ("*", "-", "&", "&&"):
        if line_before is None:
            side = _before_operator(opline, off)
        else:  # `&&` that starts a line continues a condition; `&&label` is GNU C, rare
            side = "V" if op == "&&" else _line_end_kind(line_before)
    return _operator_problem(op, ctx, ca, cc, side, strict, has_next, question)


def _cast_space(code):
    match = _rules()["cast"].match(code)
    if match and not _SIZEOF_END.search(match.group(1)):
        return CHECK, "No space is necessary after a cast"
    return None


def _layout_problem(code):
    """The rules checkpatch applies to a whole line after its operators, in its order."""
    end = code.rstrip()
    if end.endswith(";") and end[-2:-1] in (" ", "\t") and end[:-1].strip():
        return WARNING, "space prohibited before semicolon"
    if "){" in code and _PAREN_THEN_BRACE.search(code) and not _rules()["brace_after_type"].search(code) \
            or ("e{" in code or "o{" in code) and _KEYWORD_THEN_BRACE.search(code):
        return ERROR, "space required before the open brace '{'"
    if "}" in code and _BRACE_THEN_CODE.search(code):
        return ERROR, "space required after that close brace '}'"
    if "[" in code and _BRACKET_THEN_SPACE.search(code) and not _BRACKET_AT_END.search(code):
        return ERROR, "space prohibited after that open square bracket '['"
    if "]" in code and _SPACE_THEN_BRACKET.search(code):
        return ERROR, "space prohibited before that close square bracket ']'"
    if ("( " in code or "(\t" in code) and _PAREN_THEN_SPACE.search(code) and not _PAREN_AT_END.search(code) \
            and not _FOR_EMPTY_INIT.search(code):
        return ERROR, "space prohibited after that open parenthesis '('"
    if (" )" in code or "\t)" in code) and _SPACE_THEN_PAREN.search(code) and not _PAREN_STARTS_LINE.match(code) \
            and not _FOR_EMPTY_STEP.search(code) and not _COLON_THEN_PAREN.search(code):
        return ERROR, "space prohibited before that close parenthesis ')'"
    if ("f(" in code or "e(" in code or "h(" in code) and _KEYWORD_THEN_PAREN.search(code):
        return ERROR, "space required before the open parenthesis '('"
    return None


def _struct_definition_space(code):
    match = _rules()["struct_def"].match(code)
    return (WARNING, f"missing space after {match.group(1)} definition") if match else None


def spacing_problem(code, strict, prev_code=""):
    """(level, message) of the first SPACING rule a masked line of C breaks, or None."""
    first = code.lstrip()[:1]
    if not first:
        return None  # blanks and comments only: no rule has a character to read
    if first not in _OPERATOR_CHARS:
        # the line before matters only to an operator that starts this line: the same line of code
        # (`\treturn 0;`, `\t\tbreak;`) has the same answer wherever it is
        return _line_spacing_problem(code, strict)
    return _spacing_problem(code, strict, prev_code)


@lru_cache(maxsize=8192)
def _line_spacing_problem(code, strict):
    return _spacing_problem(code, strict, "")


def _spacing_problem(code, strict, prev_code):
    # each rule asked only when the line holds what its pattern needs (a call per rule and line costs)
    found = _cast_space(code) if strict and (") " in code or ")\t" in code) else None
    if found is None and ("{" in code or "=" in code) and ("struct" in code or "union" in code or "enum" in code):
        found = _struct_definition_space(code)  # (its pattern starts with one of the three words)
    if found is None and (" (" in code or "\t(" in code):
        found = _function_paren_space(code)
    if found is None and not all_plain().match(" " + code):  # (the blank _operator_spacing puts first)
        found = _operator_spacing(code, strict, prev_code)
    return found or _layout_problem(code)


@check("SPACING", level=ERROR, scope="patch", fix=fix_spacing)
def spacing(patch, ctx):
    """Spaces are missing or misplaced in an added line of C.

    ## What it does
    Reports an added line of a `.c` or `.h` file that breaks one of checkpatch's spacing rules:
    spaces around binary and assignment operators, after commas and semicolons, none after unary
    operators, `->`, casts (a check) or an open parenthesis, none before a close parenthesis, a
    semicolon or a function's `(`, one between `if`/`for`/`while`/`switch` and `(`, and one before `{`.
    The level is the rule's: an error for most, a warning for the space before a function's `(`,
    a check (with `--strict`) for arithmetic operators and casts. One finding per line: the first
    rule broken, in checkpatch's order (checkpatch prints each rule the line breaks).

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Spaces": kernel code is read by many people at a
    glance, and one spacing style makes unusual code stand out.

    ## Example
    ```bad
     static int example_open(int fd, void *value)
     {
    +	if(!value)
    +		return -EINVAL;
     	return fd;
     }
    ```

    ```good
     static int example_open(int fd, void *value)
     {
    +	if (!value)
    +		return -EINVAL;
     	return fd;
     }
    ```

    ## Fix
    Follow the message; `patchflow fix` (or `scripts/checkpatch.pl --fix-inplace --types SPACING`)
    rewrites most of them, changing only the blanks between tokens.
    """
    strict = ctx.options.strict
    for file, joined in files_with_added_code(patch, is_c, ctx):
        judged, casts = may_break_a_rule(joined, casts=strict)
        lines = [(code_line, False) for code_line in judged]
        if casts:  # the cast's space is a check: asked with --strict only
            lines = sorted(lines + [(code_line, True) for code_line in casts], key=_patch_line)
        for code_line, only_cast in lines:
            code = code_line.code
            if "//" in code:
                code = code[:code.index("//")]
            found = _cast_space(code) if only_cast else spacing_problem(code, strict, code_line.prev_code)
            if found is not None:
                level, message = found
                yield Hit.at(code_line.line, file, message, level=None if level == ERROR else level)


def _patch_line(entry):
    return entry[0].line.patch_line


def _pointer_spelling(written, modifier_gap):
    """How the `*`s and modifiers between a type and what follows should be written."""
    wanted = _FIRST_NOT_BLANK.sub(r" \1", written).rstrip()
    while _STARS_APART.search(wanted):
        wanted = _STARS_APART.sub("**", wanted, count=1)
    if modifier_gap:
        wanted = _rules()["modifier_end"].sub(r"\1 ", wanted)
    return wanted


# a `*` against a word before it, blanks after it, or blanks before a `)`: what a misplaced `*` needs
_MAY_MISPLACE_STAR = lazy(r"\w\*|\*\s+[\w*)]|\s\)", re.ASCII)


def pointer_location_problem(code):
    """The message for the first `*` written against the type instead of the name, or None."""
    if not _MAY_MISPLACE_STAR.search(code):
        return None
    rules = _rules()
    for match in rules["cast_pointer"].finditer(code):
        wanted = _pointer_spelling(match.group(2), False)
        if wanted != match.group(2):
            return f'"(foo{match.group(2)})" should be "(foo{wanted})"'
    for match in rules["declared_pointer"].finditer(code):
        wanted = _pointer_spelling(match.group(2), True)
        if wanted != match.group(2) and not rules["modifier_only"].match(match.group(3)):
            return f'"foo{match.group(2)}bar" should be "foo{wanted}bar"'
    return None


# where _MAY_MISPLACE_STAR finds something in a file's joined masked lines, each led by the
# character it is (the engine jumps from one `*` or `)` to the next: a few milliseconds on 128,000 lines)
_STAR_AGAINST_WORD_OR_BLANK = lazy(r"\*(?:(?<=\w\*)|(?=[ \t\r\f\v]+[\w*)]))", re.ASCII)
_BLANK_BEFORE_CLOSE = lazy(r"\)(?<=[ \t\r\f\v]\))", re.ASCII)


def _may_misplace_star(joined):
    """The added CodeLines in which _MAY_MISPLACE_STAR may find something, in file order."""
    if joined.framed is None:
        return joined.every_added()
    text = joined.framed
    return joined.added_at(sorted(match.start() for pattern in (_STAR_AGAINST_WORD_OR_BLANK, _BLANK_BEFORE_CLOSE)
                                  for match in pattern.finditer(text)))


@check("POINTER_LOCATION", level=ERROR, scope="patch", fix=fix_pointer_location)
def pointer_location(patch, ctx):
    """An added line of C puts the `*` of a pointer next to the type instead of the name.

    ## What it does
    Reports added lines of `.c` and `.h` files with `char* name`, `u32 * name` or a cast written
    `(char*)`, `(struct sk_buff* )`, where the type is one checkpatch knows (the C types, the
    kernel's `u8`...`s64`, `struct`/`union`/`enum` names and `*_t` types), as checkpatch does.

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Typedefs" and "Spaces": the `*` binds to the name
    (`char *a, b;` declares one pointer), so it is written next to the name: `char *name`, `(char *)`.

    ## Example
    ```bad
     static int example_open(int fd)
     {
    +	struct sk_buff* skb = example_skb(fd);
    +
     	return fd;
     }
    ```

    ```good
     static int example_open(int fd)
     {
    +	struct sk_buff *skb = example_skb(fd);
    +
     	return fd;
     }
    ```

    ## Fix
    Write the `*` against the name (or alone before `)` in a cast, after a space); `patchflow fix`
    does it.
    """
    for file, joined in files_with_added_code(patch, is_c, ctx):
        for code_line in _may_misplace_star(joined):
            if "*" in code_line.line.text and "*" in code_line.code:
                message = pointer_location_problem(code_line.code)
                if message:
                    yield Hit.at(code_line.line, file, message)
