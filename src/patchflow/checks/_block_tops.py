"""What the first lines of a C block say from their text alone, before the lexer reads it: whether
its top declarations are empty, or already stand longest first (REVERSE_XMAS_TREE skips such
blocks; with --tree it lexed 3,732 blocks of the corpus's netdev files, 1,406 once these hold).
Each answer is given only where the lexer would read the lines the same way."""

from __future__ import annotations

from ..lazy_regex import lazy
from ._declarations import _QUALIFIERS, _TYPE_WORDS, _is_macro_declaration


# A line the lexer reads as code from its start to its `{`: no comment, string, character or
# continuation that could run on into the next line.
PLAIN_OPENER = lazy(r"^(?!.*(?:/\*|\*/|//))[^\"'\\]*\{$")
# A first line that starts no declaration (see starts_declaration): a statement word, a `}`, or a
# word followed by what follows no declaration's type (`ret = `, `foo(`, `p->`, `i++`, `a[`).
_STATEMENT_START = lazy(r"^\s*(?:\}|(?:return|goto|if|else|while|for|do|switch|case|default|break|continue"
                        r"|sizeof|asm|__asm__|asm_volatile_goto)\b|(?P<word>[A-Za-z_]\w*)[ \t]*[-=(\[.+;,:!<>&|^%?])")


def _starts_a_statement(text: str) -> bool:
    match = _STATEMENT_START.match(text)
    if match is None:
        return False
    word = match.group("word")
    return word is None or not (word in _QUALIFIERS or word in _TYPE_WORDS or _is_macro_declaration(word))


# one whole line of code: one `;`, at its end, and no comment, literal or continuation
_ONE_PLAIN_LINE = lazy(r"^[^;\"'\\/]*;[ \t]*$")


def opens_in_order(lines: list, first: int = 0, last: int | None = None) -> bool:  # of xmas.KnownLine
    """Whether the lines between a block's `{` and its first statement are none (the many blocks
    of if/for statements that begin with one: no top declarations) or plain one-line declarations
    and blank lines that already stand longest first, so no declaration breaks the order. A
    declaration's length is its first line's columns up to its `;`, which ends these lines; the
    groups misplaced() reads are runs of these lines (joined across blanks or split), each in order
    too. Decided from the text only where the lexer reads it the same way; anything else is lexed.
    The block's window is lines[first:last + 1] (all of them by default), read without a copy."""
    last = len(lines) - 1 if last is None else last
    if last <= first or not PLAIN_OPENER.match(lines[first].text.rstrip()):
        return False
    widest = None
    for k in range(first + 1, last + 1):
        text = lines[k].text
        if not text.strip():
            continue
        if _starts_a_statement(text):
            return True
        if _ONE_PLAIN_LINE.match(text) is None:
            return False
        width = len(text.rstrip().expandtabs(8))
        if widest is not None and width > widest:
            return False
        widest = width
    return False
