"""Small lexers for the source files a patch changes: C (`lexers.c`) and Python (`lexers.python`).

Checks that need to know what is code and what is a string or a comment (a `(` inside `"..."` opens
nothing) use these instead of regular expressions over raw lines. Both produce `Token`s:

    from patchflow.lexers.c import tokenize
    for tok in tokenize(text, first_line=120):
        tok.kind    # C: "ident", "number", "string", "char", "punct", "comment", "other";
                    # Python: "name", "number", "string", "op", "comment", "newline", "error"
        tok.text    # the token's source text (a multi-line comment keeps its newlines)
        tok.line    # 1-based line of its first character (counted from first_line)
        tok.column  # 1-based display column of its first character: C expands tabs to 8
                    # columns, Python counts characters (as pycodestyle does)
        tok.pp      # C: the line where the preprocessor directive holding this token starts, 0 when
                    # the token is not in a directive (a backslash at the end of a line continues it)
        tok.closed  # False for a string, char literal or comment that the text ends before closing
        tok.offset  # C: where the token starts in the text lexed

Whitespace is never a token (nor, in C, a newline). Both lexers are linear in the size of their input and never
raise on bad input: an unterminated literal or comment becomes one token with `closed=False`.
"""

from __future__ import annotations

from collections import namedtuple

TAB_WIDTH = 8


class Token(namedtuple("Token", "kind text line column pp closed offset", defaults=(0, True, -1))):
    """One token; its fields are described above (a tuple: the lexers make one per token)."""

    __slots__ = ()

    @property
    def end_column(self) -> int:
        """The display column just past the token's last character (on its last line), C-style tabs."""
        tail = self.text.rsplit("\n", 1)
        if len(tail) == 2:
            return advance_column(1, tail[1])
        return advance_column(self.column, self.text)


def advance_column(column: int, text: str, tab_width: int = TAB_WIDTH) -> int:
    """The 1-based display column reached after writing `text` (no newlines) from `column`."""
    if "\t" not in text:
        return column + len(text)
    if tab_width > 0 and "\r" not in text and "\n" not in text:
        # the same in C: str.expandtabs stops every tab_width from the string's start (it would
        # also restart at a "\r" or "\n"), so the columns before `column` are written as spaces
        return 1 + len((" " * (column - 1) + text).expandtabs(tab_width))
    for char in text:
        if char == "\t":
            column = ((column - 1) // tab_width + 1) * tab_width + 1
        else:
            column += 1
    return column


def display_column(line: str, index: int, tab_width: int = TAB_WIDTH) -> int:
    """The 1-based display column of `line[index]`, tabs expanded to `tab_width`."""
    return advance_column(1, line[:index], tab_width)


def indent_column(line: str, tab_width: int = TAB_WIDTH) -> int:
    """The 1-based display column of the first non-blank character of `line`."""
    stripped = line.lstrip(" \t")
    return advance_column(1, line[: len(line) - len(stripped)], tab_width)
