"""A small C lexer: enough of C to tell code from literals, comments and preprocessor directives.

    from patchflow.lexers.c import tokenize, code_tokens, directives, checkpatch_masked, Outline

    tokens = tokenize(text)                    # every token, comments included (list of Token)
    tokens = tokenize(text, first_line=120)    # a fragment that starts at line 120 of its file
    tokens = tokenize(text, in_comment=True)   # a fragment that starts inside a /* comment */
    code = code_tokens(tokens)                 # the same without comments
    for start_line, toks in directives(tokens):  # each preprocessor directive's code tokens
        ...                                    # toks[0] is the '#', toks[1] its name ('ifndef')
    masked = checkpatch_masked(text)           # comments and literals masked, as checkpatch reads C
    outline = Outline(text, first_line=120)    # where the lexer's comments, literals and directives
                                               # are, by offset, without a Token per token

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

checkpatch reads C line by line and carries an open quote to the next line (a `'` in `don't` quotes
the following lines); `checkpatch_masked` lexes as checkpatch reads, so that LONG_LINE and its kinds
classify lines as checkpatch does. It scans for comments and literals only, with this lexer's
branches for them except two: a `//` comment ends at its newline, a literal runs to its closing quote.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from collections.abc import Iterable, Iterator

from . import TAB_WIDTH, Token, advance_column
from ..lazy_regex import lazy

__all__ = ["tokenize", "iter_tokens", "code_tokens", "directives", "checkpatch_masked", "Outline", "Token",
           "ONE_LINE_KINDS"]

# One alternative per token kind; the first that matches at a position wins, so longer forms come
# first (a `//` comment before the `/` punctuator, `L"..."` before the identifier `L`).
_BRANCHES = r"""
    (?P<space>(?:[ \t\f\v\r]|\\\r?\n)+)
  | (?P<newline>\n)
  | (?P<line_comment>{line_comment})
  | (?P<block_comment>/\*(?s:.*?)(?:(?P<block_end>\*/)|\Z))
  | (?P<string>(?:u8|[uUL])?"{string_body}(?P<string_end>")?)
  | (?P<char>(?:u8|[uUL])?'{char_body}(?P<char_end>')?)
  | (?P<ident>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<number>\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*)
  | (?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\#\#|[][(){{}}.,;:?~!<>=+\-*/%&|^\#])
  | (?P<other>.)
"""
# the branches that `outline` shares with the lexer: a `//` comment runs on past a spliced newline, a
# literal ends at its closing quote or before the end of its line
_LINE_COMMENT = r"//(?:[^\n\\]+|\\\r?\n|\\(?!\r?\n))*"
_STRING_BODY = r'(?:[^"\\\n]+|\\\r?\n|\\.)*'
_CHAR_BODY = r"(?:[^'\\\n]+|\\\r?\n|\\.)*"
# compiled on first use: most runs read C through an outline and never make a token
_LEXEME = lazy(_BRANCHES.format(line_comment=_LINE_COMMENT, string_body=_STRING_BODY, char_body=_CHAR_BODY),
               re.VERBOSE)


# the kinds whose branch cannot match a tab or a newline (a tab is `space`), nor leave a token open
ONE_LINE_KINDS = frozenset(("ident", "number", "punct", "other"))


def tokenize(text: str, first_line: int = 1, in_comment: bool = False) -> list[Token]:
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
        yield Token("comment", chunk, line, column, 0, end >= 0, 0)
        line, column = _advance(line, column, chunk)
        pos = stop
    new_token = tuple.__new__  # Token(...) without its Python-level __new__: this loop runs per token
    for match in _LEXEME.finditer(text, pos):
        kind = match.lastgroup
        if kind == "newline":
            line += 1
            column = 1
            at_line_start = True
            directive = 0
            continue
        lexeme = match.group()
        if kind in ONE_LINE_KINDS:  # most tokens: closed, and no tab or newline in them
            if at_line_start:
                if lexeme == "#" and not directive:
                    directive = line
                at_line_start = False
            yield new_token(Token, (kind, lexeme, line, column, directive, True, match.start()))
            column += len(lexeme)
            continue
        if kind == "space":
            if lexeme[0] == "\t" and not lexeme.strip("\t"):  # a line's indentation: tabs only
                column = ((column - 1) // TAB_WIDTH + len(lexeme)) * TAB_WIDTH + 1
            elif "\n" in lexeme or "\t" in lexeme:
                line, column = _advance(line, column, lexeme)
            else:
                column += len(lexeme)  # the common case, without a call: this loop runs per token
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
        yield Token(kind, lexeme, line, column, directive, closed, match.start())
        if "\n" in lexeme or "\t" in lexeme:
            line, column = _advance(line, column, lexeme)
        else:
            column += len(lexeme)


def _advance(line: int, column: int, lexeme: str) -> tuple[int, int]:
    newlines = lexeme.count("\n")
    if newlines:
        return line + newlines, advance_column(1, lexeme[lexeme.rfind("\n") + 1:], TAB_WIDTH)
    return line, advance_column(column, lexeme, TAB_WIDTH)


def code_tokens(tokens: Iterable[Token]) -> list[Token]:
    """The tokens without comments."""
    return [tok for tok in tokens if tok.kind != "comment"]


def directives(tokens: Iterable[Token]) -> Iterator[tuple[int, list[Token]]]:
    """Each preprocessor directive as (the line it starts on, its code tokens from the `#` on)."""
    current: list[Token] = []
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


# --- checkpatch's view of a line: comments and literals masked ---------------------------------

COMMENT_MASK = "\x1c"  # what checkpatch writes for comment text (its `$;`)
_NOT_TAB = lazy(r"[^\t\n]")
_INCLUDE = lazy(r"^\s*#\s*include\s+<(.*)>")
_ERROR = lazy(r"^(\s*#\s*(?:error|warning)\s+)(.*)\b")


_ESCAPE = lazy(r"\\[^\n]")  # a backslash and the character it escapes (a tab too); not a newline
_TO_X = {code: "X" for code in range(128) if chr(code) not in "\t\n"}  # str.translate's table, ASCII
_TO_COMMENT_MASK = {code: COMMENT_MASK for code in _TO_X}


def _masked_literal(text: str) -> str:
    """A string or char literal as checkpatch masks it: prefix and quotes kept, each escape `XX`,
    other characters `X`, tabs and newlines kept."""
    quote = min(i for i in (text.find('"'), text.find("'")) if i >= 0)  # after a prefix: u8, L, u, U
    body = text[quote + 1:]
    # closed: it ends with its quote, not escaped (an even number of backslashes before it)
    closed = body[-1:] == text[quote] and (len(body) - len(body[:-1].rstrip("\\"))) % 2 == 1
    inner = _ESCAPE.sub("XX", body[:-1] if closed else body)
    inner = inner.translate(_TO_X) if inner.isascii() else _NOT_TAB.sub("X", inner)
    return text[:quote + 1] + inner + (text[quote] if closed else "")


def _masked_comment(text: str) -> str:
    """A block comment as checkpatch masks it: COMMENT_MASK but for tabs and newlines."""
    return text.translate(_TO_COMMENT_MASK) if text.isascii() else _NOT_TAB.sub(COMMENT_MASK, text)


def _masked_line(line: str) -> str:
    """A line with `#` as checkpatch masks it: an `#include <...>` name and an `#error` message `X`."""
    match = _INCLUDE.match(line)
    if match:
        return line[:match.start(1)] + "X" * len(match.group(1)) + line[match.end(1):]
    match = _ERROR.match(line)
    if match:
        return match.group(1) + "X" * (len(line) - len(match.group(1)))
    return line


# checkpatch_masked needs to know only where the comments and literals are. No other token of the
# lexer above can hold a quote or a `/` (identifiers, numbers and punctuators are made of other
# characters, and `/=` is not a comment), so the next `/*`, `//`, quote or apostrophe starts the next
# comment or literal, as lexing every token would find it; a literal's prefix (`L"`, `u8'`) is kept
# by the masking anyway, so it is left to the text around it. As checkpatch reads C, a `//` comment
# ends at its newline and a literal runs across newlines to its closing quote. The four openings are
# found by `str.find` (a scan in C much faster than a regular expression's search for a class: the
# corpus's 3.4 million characters hold 8,300 comments and literals). Compiled on first use.
_SPAN_OPENINGS = ("/*", "//", '"', "'")
_LITERAL_OF = {'"': lazy(r'"(?:[^"\\]+|\\(?s:.))*"?'), "'": lazy(r"'(?:[^'\\]+|\\(?s:.))*'?")}


def _masked_spans(text: str) -> str:
    """`text` with its comments COMMENT_MASK and its literals masked (`_masked_literal`)."""
    size = len(text)
    upcoming = [size if at < 0 else at for at in map(text.find, _SPAN_OPENINGS)]  # the next of each
    pieces = []
    pos = 0
    while True:
        at = min(upcoming)
        if at == size:
            break
        opening = _SPAN_OPENINGS[upcoming.index(at)]
        if opening == "/*":
            end = text.find("*/", at + 2)
            end = size if end < 0 else end + 2
            masked = _masked_comment(text[at:end])
        elif opening == "//":
            end = text.find("\n", at)
            end = size if end < 0 else end
            masked = COMMENT_MASK * (end - at)
        else:
            end = _LITERAL_OF[opening].match(text, at).end()
            masked = _masked_literal(text[at:end])
        pieces.append(text[pos:at])
        pieces.append(masked)
        pos = end
        for index, found in enumerate(upcoming):
            if found < pos:  # inside the span just masked: look again after it
                found = text.find(_SPAN_OPENINGS[index], pos)
                upcoming[index] = size if found < 0 else found
    pieces.append(text[pos:])
    return "".join(pieces)


def checkpatch_masked(text: str, in_comment: bool = False) -> list[str]:
    """The lines of C `text` as checkpatch's sanitizer leaves them: comment text (`/*`, `*/` and
    `//` included) becomes COMMENT_MASK, literal text `X`, an `#include <...>` name and an
    `#error`/`#warning` message `X`; tabs stay (except in a `//` comment), so columns do not move."""
    head = ""
    if in_comment:
        end = text.find("*/")
        pos = len(text) if end < 0 else end + 2
        head = text[:pos]  # masked as the lexer's first token, a `//` comment when it starts so
        head = COMMENT_MASK * pos if head.startswith("//") else _masked_comment(head)
        text = text[pos:]
    masked = head + _masked_spans(text)
    lines = masked.split("\n")
    # `_masked_line` changes only a line whose first character but blanks (\s) is a `#`
    index, counted = 0, 0
    at = masked.find("#")
    while at >= 0:
        start = masked.rfind("\n", 0, at) + 1
        if start == at or masked[start:at].isspace():
            index += masked.count("\n", counted, at)
            counted = at
            lines[index] = _masked_line(lines[index])
        at = masked.find("#", at + 1)
    return lines


# --- an outline: where the comments, literals and directives are, without a token per token ---------

LITERAL_MASK = "\x1d"  # what an outline's masked text holds for each character of a literal
_BLANKS = " \t\f\v\r"  # the lexer's blanks (a spliced newline is blank too)
# The lexer's comment and literal branches alone: a scan for them finds them where the lexer does,
# for no other token can hold a quote or a `/` (see checkpatch_masked); a literal's prefix (`L"`) is
# left to the code around it. (Each branch starts with its own character, no group around it: the
# engine then skips to the next `/`, quote or apostrophe by its fast scan for a set of first
# characters, twice as fast as a lookahead `(?=[/"'])` in front, which it tries at every position.)
# A block comment's body is taken by possessive runs up to its first `*/`, not by a lazy `.*?`, which
# tried `*/` after each of the corpus's 700,000 characters of comments (the scan 23 -> 17 ms).
_BLOCK_COMMENT_BODY = r"(?:[^*]++|\*(?!/))*+"
_OUTLINE_LITERALS = lazy("/(?:" + _LINE_COMMENT[1:] + r"|\*" + _BLOCK_COMMENT_BODY + r"(?:\*/|\Z))"
                         + '|"' + _STRING_BODY + '(?P<string_end>")?'
                         + "|'" + _CHAR_BODY + "(?P<char_end>')?")
_LEADING_BLANKS = lazy("[" + _BLANKS + "]*")
_SPLICE = lazy(r"\\\r?\n")
# a character of code in masked text: not blank, not comment, not a backslash that splices a newline
_CODE = lazy(r"[^ \t\f\v\r\n\\\x1c]|\\(?!\r?\n)")


def _unspliced_newline(masked: str, start: int, end: int) -> int:
    """The offset of the first newline in `masked[start:end]` that no backslash splices, or -1. (By
    `str.find`: a search for a newline behind lookbehinds is tried at every position.)"""
    at = masked.find("\n", start, end)
    while at > 0 and (masked[at - 1] == "\\" or (masked[at - 1] == "\r" and masked[at - 2:at - 1] == "\\")):
        at = masked.find("\n", at + 1, end)
    return at


class Outline:
    """C text as the lexer would split it, read from offsets instead of tokens.

        outline = Outline(text, first_line=120, in_comment=False)
        outline.masked              # the text, same length, comments COMMENT_MASK and literals
                                    # LITERAL_MASK (their newlines too): only code newlines are "\\n"
        outline.unclosed            # offset of the opening quote of each literal left open
        outline.directives          # (offset of the `#`, offset of the newline that ends it) of each
        outline.line_starts         # offset where each line starts
        outline.first_token(index)  # offset of the first token of line `index` (0-based), or None
        outline.code_before(offset) # offset of the last code character before `offset`, or -1

    Every answer is the lexer's (`tokenize` on the same text gives tokens at the same places); a check
    that needs only where brackets, comments or directives are reads them here without a Python
    object per token.
    """

    def __init__(self, text: str, first_line: int = 1, in_comment: bool = False,
                 lines: list[str] | None = None):
        """`lines`, when the caller holds them, are the text's lines (`text` is `"\\n".join(lines)`
        and a newline): the line starts are counted from their lengths, the text is not split again."""
        self.text = text
        self.first_line = first_line
        self.in_comment = in_comment
        self.unclosed: list[int] = []
        self._lines = lines
        self._starts: list[int] | None = None
        self._directives: list[tuple[int, int]] | None = None
        if COMMENT_MASK in text or LITERAL_MASK in text:  # a stray one is code (`other`): keep it apart
            text = text.replace(COMMENT_MASK, "@").replace(LITERAL_MASK, "@")
        head = 0
        if in_comment:
            end = text.find("*/")
            head = len(text) if end < 0 else end + 2
        self.masked = COMMENT_MASK * head + _OUTLINE_LITERALS.sub(self._mask, text[head:])
        if head:
            self.unclosed = [offset + head for offset in self.unclosed]

    def _mask(self, match) -> str:
        start, end = match.span()  # (no copy of the comment or literal is made)
        if match.string[start] == "/":  # a comment
            return COMMENT_MASK * (end - start)
        if match.lastgroup is None:  # a literal whose closing quote (string_end, char_end) is missing
            self.unclosed.append(start)
        return LITERAL_MASK * (end - start)

    @property
    def line_starts(self) -> list[int]:
        if self._starts is None:
            if self._lines is not None:  # the start of each line, then the end of the text
                self._starts = list(accumulate(map((1).__add__, map(len, self._lines)), initial=0))
                self._lines = None
            else:
                lengths = map((1).__add__, map(len, self.text.split("\n")))  # each line and its newline
                self._starts = list(accumulate(lengths, initial=0))
                self._starts.pop()  # the offset past the end
        return self._starts

    def line_index(self, offset: int) -> int:
        """The 0-based index of the line holding `offset`."""
        return bisect_right(self._starts or self.line_starts, offset) - 1

    def line_of(self, offset: int) -> int:
        return self.first_line + self.line_index(offset)

    def column_of(self, offset: int) -> int:
        """The display column of `offset`, tabs of 8, as the lexer's Token.column."""
        start = self.text.rfind("\n", 0, offset) + 1  # where its line starts: no bisection needed
        return advance_column(1, self.text[start:offset], TAB_WIDTH)

    def first_token(self, index: int) -> int | None:
        """Where the first token starting on line `index` is, None when the line has none or starts
        inside a comment or literal (the lexer's token is then the one that began above)."""
        start = (self._starts or self.line_starts)[index]
        masked = self.masked
        if start and masked[start - 1] != "\n":
            return None
        if index == 0 and self.in_comment:
            return 0  # the comment the text starts in is a token at column 1
        pos = _LEADING_BLANKS.match(masked, start).end()
        if pos == len(masked) or masked[pos] == "\n" or (masked[pos] == "\\" and _SPLICE.match(masked, pos)):
            return None
        return pos

    def code_after(self, offset: int) -> bool:
        """Whether code (not a comment) follows `offset` on its line."""
        end = self.text.find("\n", offset)
        end = len(self.text) if end < 0 else end + 1  # the newline in view: a backslash before it splices
        found = _CODE.search(self.masked, offset + 1, end)
        return found is not None

    def code_before(self, offset: int, floor: int = 0) -> int:
        """The offset of the last character of code before `offset` (blanks, comments and spliced
        newlines skipped), -1 when there is none from `floor` on."""
        masked = self.masked
        end, span = offset, 64
        while end > floor:
            begin = max(floor, end - span)
            kept = masked[begin:end].rstrip(_BLANKS + "\n" + COMMENT_MASK)
            if not kept:
                end, span = begin, span * 4  # a long comment: look further up in larger steps
                continue
            last = begin + len(kept) - 1
            if masked[last] == "\\" and _SPLICE.match(masked, last):
                end = last
                continue
            return last
        return -1

    @property
    def directives(self) -> list[tuple[int, int]]:
        if self._directives is None:
            self._directives = []
            masked = self.masked
            start = masked.find("#")
            while start >= 0:
                # a `#` token (`##` is another) starts a directive when it is the first code of its
                # logical line
                if masked[start + 1:start + 2] != "#" and (start == 0 or masked[start - 1] != "#"):
                    before = self.code_before(start)
                    if before < 0 or _unspliced_newline(masked, before, start) >= 0:
                        end = _unspliced_newline(masked, start, len(masked))
                        end = len(masked) if end < 0 else end
                        self._directives.append((start, end))
                        start = end
                start = masked.find("#", start + 1)
        return self._directives
