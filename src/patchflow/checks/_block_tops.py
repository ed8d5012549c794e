"""What the first lines of a C block say from their text alone, before the lexer reads it: whether
its top declarations are empty, or already stand longest first (REVERSE_XMAS_TREE skips such
blocks; with --tree it lexed 3,732 blocks of the corpus's netdev files, 1,406 once these hold).
Each answer is given only where the lexer would read the lines the same way. And where a file's
blocks open and close, from its lines joined (JoinedLines)."""

from __future__ import annotations

import re
from itertools import accumulate
from operator import attrgetter

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


# a `}` at the start of a line but the first, and a `{` that ends a line (blanks after it), in lines
# joined with "\n"; rstrip() and the regular expression's blanks are the same Unicode whitespace
_CLOSER_LINE = lazy(r"\n\}")
_BRACE_AT_END = lazy(r"\{[^\S\n]*$", re.MULTILINE)


class JoinedLines:
    """Lines (of xmas.KnownLine) joined with "\n": searched once for the blocks' braces (a search for
    a character skips the others in C, where a test per line ran Python for each of a file's lines),
    and cut into the blocks' texts (a slice, where joining each block's lines made a string per line)."""

    def __init__(self, lines: list):
        self.texts = list(map(attrgetter("text"), lines))
        self.text = "\n".join(self.texts)
        self._before = list(accumulate(map(len, self.texts), initial=0))  # the characters before each line, "\n" aside

    def between(self, first: int, last: int) -> str:
        """Lines first to last (indexes), joined."""
        return self.text[self._before[first] + first:self._before[last + 1] + last]

    def closing_lines(self) -> list[int]:
        """The indexes of the lines that start with a `}`."""
        found = self._line_indexes(match.start() + 1 for match in _CLOSER_LINE.finditer(self.text))
        return [0, *found] if self.texts and self.texts[0].startswith("}") else found

    def lines_ending_with_brace(self) -> list[int]:
        """The indexes of the lines whose last character but blanks is a `{`."""
        return self._line_indexes(match.start() for match in _BRACE_AT_END.finditer(self.text))

    def _line_indexes(self, offsets) -> list[int]:
        """The index of the line that holds each offset (ascending) of the text."""
        indexes, line, counted = [], 0, 0
        for offset in offsets:
            line += self.text.count("\n", counted, offset)
            counted = offset
            indexes.append(line)
        return indexes
