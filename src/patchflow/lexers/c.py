"""A small C lexer: enough of C to tell code from literals, comments and preprocessor directives.

    from patchflow.lexers.c import tokenize, code_tokens, directives

    tokens = tokenize(text)                    # every token, comments included (list of Token)
    tokens = tokenize(text, first_line=120)    # a fragment that starts at line 120 of its file
    tokens = tokenize(text, in_comment=True)   # a fragment that starts inside a /* comment */
    code = code_tokens(tokens)                 # the same without comments
    for start_line, toks in directives(tokens):  # each preprocessor directive's code tokens
        ...                                    # toks[0] is the '#', toks[1] its name ('ifndef')

Token kinds (see `patchflow.lexers.Token`): "ident" (keywords too), "number" (preprocessing numbers:
`0x1fULL`, `1.5e+3`), "string" (`"..."`, `L"..."`, `u8"..."`), "char" (`'a'`, `L'\\n'`), "punct"
(`(`, `->`, `<<=`, `##`, ...), "comment" (`// ...` and `/* ... */`, which may span lines) and "other"
(a stray character such as `@` or a non-ASCII letter outside a literal).

Lines and columns: `line` is 1-based (from `first_line`), `column` is the 1-based display column
with tabs expanded to 8, as the kernel's coding style and checkpatch count them. A backslash before
the newline splices lines (a macro body, a long string); the token after it keeps its own line.

Bad input never raises: a string or char literal that meets the end of its line unclosed ends there
(`closed=False`), an unterminated `/*` runs to the end of the text (`closed=False`). The lexer is one
pass of one regular expression whose every branch is linear, so a 2 MB line or 50,000 nested
parentheses cost time in proportion to their size.
"""

from __future__ import annotations

import re
from typing import Iterable, Iterator, List, Tuple

from . import TAB_WIDTH, Token, advance_column

__all__ = ["tokenize", "code_tokens", "directives", "Token"]

# One alternative per token kind; the first that matches at a position wins, so longer forms come
# first (a `//` comment before the `/` punctuator, `L"..."` before the identifier `L`).
_LEXEME = re.compile(
    r"""
    (?P<space>(?:[ \t\f\v\r]|\\\r?\n)+)
  | (?P<newline>\n)
  | (?P<line_comment>//(?:[^\n\\]+|\\\r?\n|\\(?!\r?\n))*)
  | (?P<block_comment>/\*(?s:.*?)(?:(?P<block_end>\*/)|\Z))
  | (?P<string>(?:u8|[uUL])?"(?:[^"\\\n]+|\\\r?\n|\\.)*(?P<string_end>")?)
  | (?P<char>(?:u8|[uUL])?'(?:[^'\\\n]+|\\\r?\n|\\.)*(?P<char_end>')?)
  | (?P<ident>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*)
  | (?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\#\#|[][(){}.,;:?~!<>=+\-*/%&|^\#])
  | (?P<other>.)
    """,
    re.VERBOSE,
)


def tokenize(text: str, first_line: int = 1, in_comment: bool = False) -> List[Token]:
    """Every token of `text` (comments included), see the module docstring."""
    return list(iter_tokens(text, first_line, in_comment))


def iter_tokens(text: str, first_line: int = 1, in_comment: bool = False) -> Iterator[Token]:
    """`tokenize` as a generator."""
    line = first_line
    column = 1
    at_line_start = True  # only blanks and comments so far on this logical line
    directive = 0  # line where the current preprocessor directive began, 0 outside one
    pos = 0
    if in_comment:
        end = text.find("*/")
        stop = len(text) if end < 0 else end + 2
        chunk = text[:stop]
        yield Token("comment", chunk, line, column, 0, end >= 0)
        line, column = _advance(line, column, chunk)
        pos = stop
    for match in _LEXEME.finditer(text, pos):
        kind = match.lastgroup
        lexeme = match.group()
        if kind == "newline":
            line += 1
            column = 1
            at_line_start = True
            directive = 0
            continue
        if kind == "space":
            line, column = _advance(line, column, lexeme)
            continue
        closed = True
        if kind == "block_comment":
            kind = "comment"
            closed = match.group("block_end") is not None
        elif kind == "line_comment":
            kind = "comment"
        elif kind == "string":
            closed = match.group("string_end") is not None
        elif kind == "char":
            closed = match.group("char_end") is not None
        if kind != "comment":
            if at_line_start and lexeme == "#" and not directive:
                directive = line
            at_line_start = False
        yield Token(kind, lexeme, line, column, directive, closed)
        line, column = _advance(line, column, lexeme)


def _advance(line: int, column: int, lexeme: str) -> Tuple[int, int]:
    newlines = lexeme.count("\n")
    if newlines:
        return line + newlines, advance_column(1, lexeme[lexeme.rfind("\n") + 1:], TAB_WIDTH)
    return line, advance_column(column, lexeme, TAB_WIDTH)


def code_tokens(tokens: Iterable[Token]) -> List[Token]:
    """The tokens without comments."""
    return [tok for tok in tokens if tok.kind != "comment"]


def directives(tokens: Iterable[Token]) -> Iterator[Tuple[int, List[Token]]]:
    """Each preprocessor directive as (the line it starts on, its code tokens from the `#` on)."""
    current: List[Token] = []
    start = 0
    for tok in tokens:
        if tok.kind == "comment":
            continue
        if tok.pp != start:
            if current:
                yield start, current
            current = []
            start = tok.pp
        if tok.pp:
            current.append(tok)
    if current:
        yield start, current
