"""Braces of C blocks: where `{` goes, blank lines inside braces, braces around one statement.

A block is read from its first added line on, over the following lines of its hunk (masked); a
block that runs past its hunk is left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import CHECK, ERROR, WARNING, Hit, check
from ..lazy_regex import lazy
from ._brackets import balanced_end, nested_group
from ._ccode import COMMENT, code_line_of, is_c, on_added_lines, patterns
from ._line_scans import masked_text

_BLANKS = " \t\n\r\f\v"  # Perl's \s (a masked comment, \x1c, is not blank)
_BLOCK_LINES = 3  # `{`, one statement, `}`
_LOOP_WORD = lazy(r"\b(?:if|for|while)\b", re.ASCII)
_IF_START = lazy(r"^\s*if\b", re.ASCII)
_IF_WORD = lazy(r"if(?<!\wif)\b")  # `\bif\b`: the search jumps to each `if`
_CONDITIONAL = lazy(r"^\s*(?:\}\s*)?(?:else\s+)?(if|for|while|else)\b", re.ASCII)
_ELSE_START = lazy(r"^\s*else\b", re.ASCII)
_ELSE_START_UNICODE = lazy(r"^\s*else\b")  # (the same, with Unicode's \s and \b: a comment's \x1c is blank)
_CLOSE_OR_ELSE_START = lazy(r"\s*(?:\}|else\b)")
_BLOCK_WORD = lazy(r"\b(?:if|for|while|do|switch)\b", re.ASCII)


@lru_cache(maxsize=None)
def _rules():
    p = patterns()
    balanced = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"
    return {
        "function": lazy(p.type + r"\s*" + p.ident + r"\s*" + balanced + r"\s*\{", re.ASCII),
        "struct_alone": lazy(r"^\s*(?:typedef\s+)?(enum|union|struct)(?:\s+" + p.ident + r")?\s*$", re.ASCII),
    }


_CHAIN_LINES = 80  # how far an if/else chain is followed


def _block_size(body):
    """checkpatch's size of a block: its lines or its statements, whichever is more."""
    blanks = " \t\n\r\f\v"  # Perl's \s: a masked comment (\x1c) is not blank, and counts as a line
    body = body.strip(blanks)
    if body.startswith("{"):
        body = body[1:]
    if body.endswith("}"):
        body = body[:-1]
    body = body.strip(blanks)
    return max(body.count("\n") + 1, body.count(";"))


def _chain_span(joined, code_line):
    """(start, end) in the joined text of the line and the lines of its hunk after it that a chain
    is read from, as "\n".join of it and code_line.following(_CHAIN_LINES)."""
    last = min(code_line.index + 1 + _CHAIN_LINES, code_line.hunk_ends[code_line.index])
    return joined.starts[code_line.index], joined.starts[last] - 1


_STATEMENT_STOPS = lazy(r"[()\[\]{};#]")
_BLANK_RUN = lazy(r"[ \t\n\x1c]*")
_BLANK_RUN_NO_COMMENT = lazy(r"[ \t\n]*")


def _statement_end(text, pos):
    """The end of a statement without braces that starts at pos, after its `;` outside
    parentheses, or None (a brace, or a directive, comes first)."""
    depth = 0
    for found in _STATEMENT_STOPS.finditer(text, pos):  # the other characters change nothing
        char, index = found.group(), found.start()
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char in "{}" or (char == "#" and text[index - 1:index] in ("", "\n")):
            return None
        elif char == ";" and depth == 0:
            return index + 1
    return None


def _word_at(text, pos, word):
    after = pos + len(word)
    return text.startswith(word, pos) and not text[after:after + 1].isalnum()


def _if_chain_arms(text):
    """[(braced, allowed)] for each arm of the if/else chain that starts the text (a line and the
    lines of the hunk after it), or None when it has one arm (which raises nothing) or cannot be
    read within the text (allowed: a condition over several lines, a block of several statements or
    lines, or a block holding another if/for/while). Read from offset to offset: most chains read
    have one arm, and are left at the end of it."""
    pos = _BLANK_RUN.match(text).end()
    arms = []  # (condition, block)
    while True:
        condition = ""
        if _word_at(text, pos, "if"):
            pos = _BLANK_RUN.match(text, pos + 2).end()
            end = balanced_end(text, pos)
            if end is None:
                return None
            condition, pos = text[pos:end], end
        pos = _BLANK_RUN.match(text, pos).end()
        end = balanced_end(text, pos, "{", "}") if text.startswith("{", pos) else _statement_end(text, pos)
        if end is None:
            return None
        arms.append((condition, text[pos:end]))
        pos = _BLANK_RUN_NO_COMMENT.match(text, end).end()  # a comment before `else` ends the chain, as for checkpatch
        if not _word_at(text, pos, "else"):
            break
        pos = _BLANK_RUN.match(text, pos + 4).end()
    if len(arms) < 2:
        return None
    return [(block.lstrip().startswith("{"),
             condition.count("\n") > 0 or _block_size(block) > 1 or bool(_LOOP_WORD.search(block)))
            for condition, block in arms]


def _if_chain_problem(arms):
    """(level, message) for an if/else chain of several arms, or None."""
    braced = sum(1 for arm in arms if arm[0])
    allowed = sum(1 for arm in arms if arm[1])
    if braced and allowed == 0:
        return None, "braces {} are not necessary for any arm of this statement"
    if braced and allowed != len(arms) and braced != len(arms):
        return CHECK, "braces {} should be used on all arms of this statement"
    return None


def _unbalanced_else(code):
    """`} else` or `else {` alone on the line (comments are blanks here)."""
    bare = code.replace(COMMENT, " ").strip(_BLANKS)
    return bare[:1] == "}" and bare[1:].strip(_BLANKS) == "else" or bare[:4] == "else" and bare[4:].strip(_BLANKS) == "{"


def _blank_line_problem(code_line, line):
    if code_line.prev is None:
        return None
    code = code_line.code
    if code.strip(_BLANKS) == "}" and not code_line.prev.text.strip():
        return "Blank lines aren't necessary before a close brace '}'"
    if not line.text.strip() and code_line.prev_code.rstrip(_BLANKS).endswith("{") and code_line.prev_code.strip():
        return "Blank lines aren't necessary after an open brace '{'"
    return None


def _single_statement_block(code_line):
    """'if' or 'loop' when this line opens a conditional or loop whose braces hold one simple
    statement and end its statement (no else after), as checkpatch finds them."""
    code = code_line.code
    following = code_line.following(_BLOCK_LINES)
    # the tests are independent: the rarest first (a block of one line: the line after it closes it)
    if len(following) < 2 or following[1][1].strip() != "}" or not code.rstrip().endswith("{"):
        return None
    match = _CONDITIONAL.match(code)
    if match is None or match.group(1) == "else" or code.lstrip().startswith("}") or _ELSE_START.match(code):
        return None
    end = balanced_end(code, code.index("(")) if "(" in code else None
    if end is None or code[end:].strip() != "{":
        return None
    (body_line, body), (_, end) = following[0], following[1]
    if body.count(";") != 1 or not body.rstrip().endswith(";") or COMMENT in body \
            or _BLOCK_WORD.search(body) or body.strip().startswith(("#", "{", "}")):
        return None
    if end.strip() != "}" or body_line.text.rstrip().endswith("\\"):
        return None
    if len(following) > 2 and _ELSE_START.match(following[2][1]):
        return None
    return "if" if match.group(1) == "if" else "loop"


def _chain_head_is_added(code_line) -> bool:
    """Whether the `if` that heads the chain of this `else` line is an added line of its hunk:
    then the chain was judged from there, as checkpatch judges it (and this arm with it)."""
    indent = _indent_width(code_line.line.text)
    for index in range(code_line.index - 1, -1, -1):
        line, code = code_line.sequence[index]
        if code_line.hunk_ends[index] != code_line.hunk_ends[code_line.index]:
            return False  # the head is outside the hunk
        if not code.strip(_BLANKS) or _indent_width(line.text) != indent:
            continue
        if _CLOSE_OR_ELSE_START.match(code):
            continue
        return line.kind == "+" and _IF_START.match(code) is not None
    return False


def _indent_width(text):
    white = text[:len(text) - len(text.lstrip(_BLANKS))]
    return len(white.expandtabs(8))


def _else_single_statement_block(code_line):
    """An `else {` or `else if (...) {` line that starts its line (no `}` before it) whose braces
    hold one simple statement, with no later arm, in a chain whose `if` this patch does not add."""
    code = code_line.code
    following = code_line.following(_BLOCK_LINES)
    # the tests are independent: the rarest first (a block of one line: the line after it closes it)
    if len(following) < 2 or following[1][1].strip() != "}" or not code.rstrip(_BLANKS).endswith("{"):
        return False
    if not _ELSE_START_UNICODE.match(code):
        return False
    head = code.rstrip(_BLANKS)[:-1]
    if "(" in head:
        end = balanced_end(code, code.index("("))
        if end is None or code[end:].strip(_BLANKS) != "{":
            return False
    elif head.strip(_BLANKS) != "else":
        return False
    (body_line, body), (_, end) = following[0], following[1]
    body = body.replace(COMMENT, " ").rstrip(_BLANKS)  # a comment after the statement adds no line
    if body.count(";") != 1 or not body.endswith(";") or _LOOP_WORD.search(body) \
            or body.strip().startswith(("#", "{", "}")):
        return False
    if end.strip() != "}" or body_line.text.rstrip().endswith("\\"):
        return False
    if len(following) > 2 and _ELSE_START.match(following[2][1]):
        return False
    return not _chain_head_is_added(code_line)


# The lines BRACES can report, found in the masked code by scans that name a superset of each rule's
# lines, which the judge then reads as before. A scan that starts with a literal (`\n`, `{`, `else`)
# is searched by jumps between its occurrences (an alternation of branches that start apart is tried
# at every offset). Perl's \s without the newline: no match leaves its line; possessive, so a
# failed match tries no shorter run of blanks.
_WORD_END = r"(?![A-Za-z0-9_])"  # the ASCII \b after a word, in a pattern whose \s is Unicode's
# An `if` whose chain `_if_chain_arms` reads as one arm raises nothing, and most have no `else`:
# this is the rest of such a line, read as the chain reader reads it (`_BLANK_RUN`, `balanced_end`,
# `_statement_end`, `_BLANK_RUN_NO_COMMENT`): its condition (balanced `(...)`), its arm (a balanced
# `{...}`, or a statement to its `;` outside brackets, through no brace and no `#` that starts a
# line), then no `else`. An `if` it cannot read this way (nested deeper, a bracket closed below
# depth 0) is left to the judge. (`_statement_end` counts `(` and `[` alike, and `)` and `]`.)
_ONE_ARM = (r"[ \t\n\x1c]*+" + nested_group(r"\(", r"\)", r"[^()]") + r"[ \t\n\x1c]*+"
            + r"(?:" + nested_group(r"\{", r"\}", r"[^{}]")
            + r"|(?:[^()\[\]{};#]++|(?<!\n)#|" + nested_group(r"[(\[]", r"[)\]]", r"(?:[^()\[\]{}#]|(?<!\n)#)")
            + r")*+;)[ \t\n]*+(?!else)")
_CHAIN_HEADS = (r"\n[ \t\x1c]*+(?:if" + _WORD_END + r"(?!" + _ONE_ARM + r")"  # a chain of several arms
                # an `if` after other blanks (`_IF_START`'s \r, \f, \v: the chain reader reads no `if`)
                + r"|[^\S\n \t\x1c][^\S\n]*+if" + _WORD_END)
_HEADS = lazy(_CHAIN_HEADS + ")")
# with --strict: or a `}` after a line that is blank (its text: only blanks, or X in a literal)
_HEADS_OR_CLOSE_AFTER_BLANK = lazy(_CHAIN_HEADS + r"|[^\S\n]*+(?:X[^\S\n]*+)*+\n[ \t\r\f\v]*+\}[ \t\r\f\v]*+(?=\n|\Z))")
# a `{` that ends its line, the next line but one a `}`: a one-statement block, of an if, for,
# while or else maybe: after the condition's `)` or the `else`, and blanks (the judges strip them;
# two blanks or more are let through whatever comes before them)
_ONE_LINE_BLOCK = lazy(r"\{(?:(?<=[)e]\{)|(?<=[)e][^\S\n]\{)|(?<=[^\S\n][^\S\n]\{))"
                       r"[^\S\n]*+(?=\n[^\n]*+\n[^\S\n]*+\}[^\S\n]*+(?:\n|\Z))")
# unbalanced braces around else: an `else` that ends its line, or an `else {` that ends it with no
# `} ` or `}` just before (`\belse`: the search jumps to each `else`; blanks are Unicode's, so a
# comment, \x1c, is one, as `_unbalanced_else` reads it)
_ELSE = lazy(r"else(?<![A-Za-z0-9_]else)(?:(?=[^\S\n]*+(?:\n|\Z))"
             r"|(?<!\}[ \t]else)(?<!\}else)(?=[^\S\n]*+\{[^\S\n]*+(?:\n|\Z)))")
# a blank line (its text) after a line that ends with `{`
_AFTER_OPEN_END = lazy(r"\{[ \t\r\f\v]*+(?=\n[^\S\n]*+(?:X[^\S\n]*+)*+(?:\n|\Z))")


def _braces_lines(file, added, ctx):
    joined = masked_text(file, ctx)
    if joined is None:
        return ()
    if ctx.options.strict:
        return joined.added(joined.positions((_HEADS_OR_CLOSE_AFTER_BLANK, (0,)), (_ONE_LINE_BLOCK, (0,)),
                                             (_ELSE, (0,)), (_AFTER_OPEN_END, (1,))))
    # the rules of --strict (blank lines, unbalanced else) aside
    return joined.added(joined.positions((_HEADS, (0,)), (_ONE_LINE_BLOCK, (0,))))


@check("BRACES", level=WARNING, scope="patch")
@on_added_lines(is_c, lines=_braces_lines)
def braces(line, file, ctx):
    """Braces around a one-statement block, blank lines inside braces, or an unbalanced else.

    ## What it does
    In added lines of `.c` and `.h` files, reports as checkpatch does: braces around the single
    statement of an `if`, `for` or `while` (a warning); a blank line right after `{` or right before
    `}`, and `} else` or `else {` with the other brace missing (checks, with `--strict`).

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Placing Braces and Spaces": "Do not unnecessarily use
    braces where a single statement will do", and blank lines inside braces only stretch the code.

    ## Example
    ```bad
     static int example_open(int fd)
     {
    +	if (fd < 0) {
    +		return -EBADF;
    +	}
     	return fd;
     }
    ```

    ```good
     static int example_open(int fd)
     {
    +	if (fd < 0)
    +		return -EBADF;
     	return fd;
     }
    ```

    ## Fix
    Drop the braces around a single statement (keep them when another arm of the `if` needs them);
    delete blank lines next to braces.
    """
    text = line.text
    if "{" not in text and "}" not in text and "else" not in text and text.strip() \
            and ("if" not in text or _IF_WORD.search(text) is None):
        return None
    code_line = code_line_of(line, file, ctx)
    if code_line is None:
        return None
    if ctx.options.strict:
        if "else" in code_line.code and _unbalanced_else(code_line.code):
            return Hit.at(line, file, "Unbalanced braces around else statement", level=CHECK)
        message = _blank_line_problem(code_line, line)
        if message:
            return Hit.at(line, file, message, level=CHECK)
    if "if" in text and _IF_START.match(code_line.code):
        joined = masked_text(file, ctx)
        start, end = _chain_span(joined, code_line)
        # a chain of one arm (no `else` to read) raises nothing
        arms = _if_chain_arms(joined.text[start:end]) if joined.holds("else", start, end) else None
        if arms:
            found = _if_chain_problem(arms)
            return Hit.at(line, file, found[1], level=found[0]) if found else None
    if "{" in text:
        kind = _single_statement_block(code_line) or ("else" if _else_single_statement_block(code_line) else None)
        if kind is not None:
            return Hit.at(line, file, "braces {} are not necessary for single statement blocks")
    return None


def _brace_on_next_line(code_line):
    """A conditional or loop whose whole head is on this line, followed by an added `{` line
    (checkpatch reports it on the statement's line)."""
    code = code_line.code
    if code.lstrip(" \t}")[:2] not in _STATEMENT_HEADS:
        return False
    head = _CONDITION_HEAD.match(code)
    if head:
        if balanced_end(code, head.end() - 1) != len(code.rstrip()):
            return False
    elif not _ELSE_OR_DO_ALONE.match(code):
        return False
    following = code_line.following(1)
    return bool(following) and following[0][0].kind == "+" and following[0][1].lstrip(_BLANKS).startswith("{")


_STATEMENT_HEADS = ("if", "fo", "wh", "sw", "el", "do")  # if, for, while, switch, else, do
_CONDITION_HEAD = lazy(r"^\s*(?:\}\s*)?(?:else\s+)?(?:if|for|while|switch)\s*\(", re.ASCII)
_ELSE_OR_DO_ALONE = lazy(r"^\s*(?:\}\s*)?(?:else|do)\s*$", re.ASCII)
_ENDS_ASSIGNING = lazy(r"(?:^|[^=])=\s*$", re.ASCII)
_DEFINE_DO = lazy(r"\#\s*define\b.*do\s*\{", re.ASCII)


def _open_brace_problem(code_line):
    code = code_line.code
    prev = code_line.prev_code
    sline = code.replace(COMMENT, " ")
    if code.lstrip(_BLANKS).startswith("{"):
        if _ENDS_ASSIGNING.search(prev):
            return "that open brace { should be on the previous line"
        struct = _rules()["struct_alone"].match(prev)
        if struct:
            return f"open brace '{{' following {struct.group(1)} go on the same line"
    if _brace_on_next_line(code_line):
        return "that open brace { should be on the previous line"
    if sline[:1] not in (" ", "\t") and ("){" in sline or ") {" in sline or ")\t{" in sline) \
            and _rules()["function"].search(sline) and not _DEFINE_DO.search(sline) and "}" not in sline:
        return "open brace '{' following function definitions go on the next line"
    return None


# The lines OPEN_BRACE can report, found in masked code (a line's last character matched names it):
# the head of a statement (if, for, while, switch, else, do, after blanks and `}`) followed by a
# line that starts with `{`; a `{` that starts the line after a line of `struct`, `union` or `enum`
# and a name (`struct_alone`);
# a function's head with its `{` (a line that starts with code and holds `){`, `) {`, `)\t{`); and
# a `{` that starts the line after one that ends with `=`.
_OPEN_BRACE_LINES = lazy(r"\n(?:[ \t}]*+(?:if|fo|wh|sw|el|do)[^\n]*+(?=\n[ \t\r\f\v]*+\{)"
                         # (a struct's name: a word, or words joined by `##`; no `(` or `*` of a function)
                         r"|[ \t\r\f\v]*+(?:typedef[ \t\r\f\v]++)?(?:enum|union|struct)[A-Za-z0-9_# \t\r\f\v]*+"
                         r"\n[ \t\r\f\v]*+\{"
                         r"|[^ \t\x1c\n][^\n]*\)[ \t\x1c]?\{)")
_BRACE_AFTER_ASSIGNING = lazy(r"=[ \t\r\f\v]*+\n[ \t\r\f\v]*+\{")


def _open_brace_lines(joined):
    if joined is None:
        return ()
    return joined.added(joined.positions((_OPEN_BRACE_LINES, (0,)), (_BRACE_AFTER_ASSIGNING, (0,))))


@check("OPEN_BRACE", level=ERROR, scope="patch")
@on_added_lines(is_c, lines=lambda file, added, ctx: _open_brace_lines(masked_text(file, ctx)))
def open_brace(line, file, ctx):
    """An added `{` is on the wrong line for what it opens.

    ## What it does
    Reports, in added lines of `.c` and `.h` files: a `{` alone on the line after an `if`, `for`,
    `while`, `switch`, `else` or `do`, after `struct`/`union`/`enum`, or after `=` of an
    initializer (it belongs at the end of that line); and a function definition with its `{` on the
    same line (it belongs on the next one), as checkpatch does.

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Placing Braces and Spaces": opening braces go last on
    the line of the statement, except for functions, whose `{` starts the next line.

    ## Example
    ```bad
     static int example_open(int fd)
     {
    +	if (fd < 0)
    +	{
    +		pr_err("example: bad descriptor\\n");
    +		return -EBADF;
    +	}
     	return fd;
     }
    ```

    ```good
     static int example_open(int fd)
     {
    +	if (fd < 0) {
    +		pr_err("example: bad descriptor\\n");
    +		return -EBADF;
    +	}
     	return fd;
     }
    ```

    ## Fix
    Move the `{` to the end of the statement's line; for a function, to a line of its own.
    """
    text = line.text
    if "{" not in text and text.lstrip(" \t}")[:2] not in _STATEMENT_HEADS:
        return None  # no `{` here, and not the head of a statement whose `{` may be on the next line
    code_line = code_line_of(line, file, ctx)
    if code_line is None:
        return None
    message = _open_brace_problem(code_line)
    return Hit.at(line, file, message) if message else None
