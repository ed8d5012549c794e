"""Python tokens from the standard library's `tokenize`, tolerant of the fragments a patch shows.

    from patchflow.lexers.python import tokenize
    tokens = tokenize(text, first_line=800)    # a fragment starting at line 800 of its file

Token kinds (see `patchflow.lexers.Token`): "name" (keywords too), "number", "string" (an f-string
is one token, replacement fields included, on every Python version), "op", "comment", "newline"
(the end of a logical line) and "error" (where `tokenize` gave up: what follows it on that line is
unknown; a consumer should forget the brackets it has open). Columns are 1-based display columns
with tabs expanded to 8, as in the C lexer (a continuation line indented with tabs and blanks
lines up on screen, not by character count); lines count from `first_line`.

A fragment cut out of a file trips `tokenize` in ways a whole file does not; each is absorbed here:
- a closing bracket whose opener lies above the fragment: tokenize, having counted it against its
  own bracket level, misreads the line ends after it, so tokenizing restarts on the next line;
- a dedent to a level the fragment never saw (it started inside a function): tokenizing restarts at
  that line, which starts a logical line and so is outside any string or bracket;
- a string left open on its line: one "string" token to the end of the line (`closed=False`), then
  the next line;
- a triple-quoted string or a bracket still open at the end: the tokens up to there, the string as one
  unclosed token;
- anything else `tokenize` refuses (Python 3.12's nesting limit of 200 brackets, ...): an "error"
  token, and tokenizing resumes on the next line.
No exception escapes; the work is linear in the size of the text.
"""

from __future__ import annotations

import sys
import tokenize as _tokenize
from collections.abc import Iterator

from . import Token, advance_column

__all__ = ["tokenize", "Token"]

_KINDS = {
    _tokenize.NAME: "name",
    _tokenize.NUMBER: "number",
    _tokenize.STRING: "string",
    _tokenize.OP: "op",
    _tokenize.COMMENT: "comment",
    _tokenize.NEWLINE: "newline",
    _tokenize.ERRORTOKEN: "error",
}
_FSTRING_START = getattr(_tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(_tokenize, "FSTRING_END", None)
_TSTRING_START = getattr(_tokenize, "TSTRING_START", None)
_TSTRING_END = getattr(_tokenize, "TSTRING_END", None)
_STRING_STARTS = {t for t in (_FSTRING_START, _TSTRING_START) if t is not None}
_STRING_ENDS = {t for t in (_FSTRING_END, _TSTRING_END) if t is not None}
# where TokenError reports a column: 0-based up to 3.11, 1-based from the C tokenizer of 3.12 on
_ERROR_COLUMN_BASE = 1 if sys.version_info >= (3, 12) else 0
_OPENING = frozenset("([{")
_CLOSING = frozenset(")]}")


def tokenize(text: str, first_line: int = 1) -> list[Token]:
    """Every token of `text` that a check may care about, see the module docstring."""
    return list(iter_tokens(text, first_line))


def iter_tokens(text: str, first_line: int = 1) -> Iterator[Token]:
    lines = text.splitlines(keepends=True)
    # tokens of a line come left to right: each column advances from the last one (linear per line)
    row_seen, first_tab, done_chars, done_column = -1, -1, 0, 1
    for tok in _character_tokens(lines, first_line):
        row = tok.line - first_line
        if row != row_seen and 0 <= row < len(lines):
            row_seen, first_tab, done_chars, done_column = row, lines[row].find("\t"), 0, 1
        chars = tok.column - 1
        if row == row_seen and 0 <= first_tab < chars:
            if chars < done_chars:
                done_chars, done_column = 0, 1
            done_column = advance_column(done_column, lines[row][done_chars:chars])
            done_chars = chars
            tok = tok._replace(column=done_column)
        yield tok


def _character_tokens(lines: list[str], first_line: int) -> Iterator[Token]:
    """The tokens with columns that count characters (as `tokenize` gives them)."""
    offset = first_line - 1  # add to a 1-based line of `lines` to get the file's line
    start = 0  # index in `lines` where the current tokenizer run begins
    while start < len(lines):
        resume = yield from _run(lines, start, offset)
        if resume is None or resume <= start:
            return
        start = resume


class _Feed:
    """`readline` for tokenize over lines[start:]; `position` is the index of the next line."""

    def __init__(self, lines: list[str], start: int):
        self.lines = lines
        self.position = start

    def readline(self) -> str:
        if self.position < len(self.lines):
            self.position += 1
            return self.lines[self.position - 1]
        return ""


def _run(lines: list[str], start: int, offset: int):
    """Tokenize lines[start:]; yield Tokens; return the index to resume from, or None when done."""
    feed = _Feed(lines, start)
    fstring_depth = 0
    fstring_start = None  # (row, col) of the outermost f-string being collected
    depth = 0  # brackets open in this run
    resync_after = None  # set by a closer with no opener: the row after which to start afresh
    try:
        for tok in _tokenize.generate_tokens(feed.readline):
            row = tok.start[0] + start  # 1-based line in `lines`
            if resync_after is not None:
                if row > resync_after:
                    # tokenize counted the stray closer against its own bracket level, which now
                    # misreads line ends and indentation: start a fresh run at this line
                    return row - 1
                resync_after = max(resync_after, tok.end[0] + start)
            if tok.type in _STRING_STARTS:
                if fstring_depth == 0:
                    fstring_start = (row, tok.start[1])
                fstring_depth += 1
                continue
            if fstring_depth:
                if tok.type in _STRING_ENDS:
                    fstring_depth -= 1
                    if fstring_depth == 0:
                        end_row = tok.end[0] + start
                        yield Token("string", _span(lines, fstring_start, (end_row, tok.end[1])),
                                    fstring_start[0] + offset, fstring_start[1] + 1)
                continue
            kind = _KINDS.get(tok.type)
            if kind is None:
                continue
            if kind == "error" and (tok.string.strip() == "" or tok.string in ("'", '"')):
                # 3.11 marks the blank before a stray quote as an error token (skipped), and the quote
                # that opens no string (unterminated on its line): the rest of the line is that string
                if tok.string.strip():
                    rest = lines[row - 1][tok.start[1]:].rstrip("\r\n")
                    yield Token("string", rest, row + offset, tok.start[1] + 1, closed=False)
                    return row  # resume on the next line
                continue
            if kind == "op":
                if tok.string in _OPENING:
                    depth += 1
                elif tok.string in _CLOSING:
                    if depth == 0:  # the fragment began inside brackets that it now closes
                        resync_after = tok.end[0] + start
                    else:
                        depth -= 1
            yield Token(kind, tok.string, row + offset, tok.start[1] + 1)
    except (SyntaxError, _tokenize.TokenError) as exc:  # IndentationError too
        return (yield from _failed(exc, lines, start, offset, fstring_start if fstring_depth else None))
    except (ValueError, RecursionError, MemoryError):
        yield _error_token(lines, feed.position, offset)
        return feed.position
    return None


def _failed(exc, lines: list[str], start: int, offset: int, fstring_start):
    """After tokenize gave up: yield what the rest of the failing construct is (an unclosed string,
    an error token); return the index to resume from, or None when done (as `_run`)."""
    if isinstance(exc, IndentationError):
        row = (exc.lineno or 1) + start
        if row - 1 > start and row - 1 < len(lines):
            return row - 1  # restart at the dedented line itself
        yield _error_token(lines, row, offset)
        return row
    message, row, col = _where(exc, start)
    if fstring_start is not None:
        yield Token("string", _span(lines, fstring_start, (len(lines), len(lines[-1]))),
                    fstring_start[0] + offset, fstring_start[1] + 1, closed=False)
        return None
    if "multi-line string" in message or "triple-quoted" in message:
        begin = (row, col)
        yield Token("string", _span(lines, begin, (len(lines), len(lines[-1]))), row + offset, col + 1,
                    closed=False)
        return None
    if "multi-line statement" in message or row > len(lines):
        return None  # the fragment ends inside brackets: every token was given
    if "unterminated string" in message:
        line_text = lines[row - 1] if row - 1 < len(lines) else ""
        yield Token("string", line_text[col:].rstrip("\r\n"), row + offset, col + 1, closed=False)
        return row
    yield _error_token(lines, row, offset)
    return row


def _where(exc, start: int):
    """(message, 1-based row in `lines`, 0-based column) of a tokenize failure."""
    if isinstance(exc, SyntaxError):
        return str(exc.msg or exc), (exc.lineno or 1) + start, max((exc.offset or 1) - 1, 0)
    message = str(exc.args[0]) if exc.args else ""
    where = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], tuple) else (1, 0)
    return message, where[0] + start, max(where[1] - _ERROR_COLUMN_BASE, 0)


def _error_token(lines: list[str], row: int, offset: int) -> Token:
    return Token("error", "", min(row, max(len(lines), 1)) + offset, 1, closed=False)


def _span(lines: list[str], begin, end) -> str:
    """The source text from (row, col) to (row, col), rows 1-based in `lines`."""
    (r1, c1), (r2, c2) = begin, end
    if r1 == r2:
        return lines[r1 - 1][c1:c2]
    parts = [lines[r1 - 1][c1:]]
    parts.extend(lines[r1:r2 - 1])
    parts.append(lines[r2 - 1][:c2] if r2 - 1 < len(lines) else "")
    return "".join(parts)
