"""The token guard: a fix may change whitespace and the `#if` form, never what the compiler reads.

C is compared token by token with the one C lexer (comments compared with their blanks collapsed,
`#if !defined(X)` read as `#ifndef X`); Python with the standard library's tokenize, layout tokens
(line ends, indentation text) left out but indent and dedent kept, so a changed block structure is
caught; a string that prints C is compared with its `#if [!]defined(X)` read the short way.
"""

from __future__ import annotations

import io
import re
import tokenize
from bisect import bisect_left
from itertools import accumulate

from .checks._source import language_of
from .checks.preprocessor import directive_test

_PRINTED_IF = re.compile(r"#(\s*)if\s*(!?)\s*defined\s*(?:\(\s*([^()\s]+)\s*\)|\s([^()\s]+))")


def same_code(path: str, before: str, after: str) -> str | None:
    """None when `before` and `after` read the same to the compiler (or interpreter), else why not."""
    kind = language_of(path)
    if kind == "c":
        old, new = _c_stream(before), _c_stream(after)
    elif kind == "python":
        old, new = _python_stream(before), _python_stream(after)
    else:
        old, new = _text_stream(before), _text_stream(after)
    if old == new:
        return None
    index = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    was = old[index][1] if index < len(old) else "(end)"
    now = new[index][1] if index < len(new) else "(end)"
    return f"the fix would change the code of {path}, not only its layout ({was!r} became {now!r}); left as it is"


def _text_stream(text: str) -> list[tuple[str, str]]:
    """A file in no known language: its words, so that only blanks may change."""
    return [("word", word) for word in text.split()]


def _c_stream(text: str) -> list[tuple[str, str]]:
    from .lexers.c import tokenize as c_tokenize

    stream: list[tuple[str, str]] = []
    tokens = c_tokenize(text)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind == "comment":
            stream.append(("comment", " ".join(tok.text.split())))
            i += 1
            continue
        if tok.text == "#" and tok.pp:
            end = i
            while end < len(tokens) and tokens[end].pp == tok.pp and tokens[end].kind != "comment":
                end += 1
            test = directive_test(tokens[i:end])
            if test is not None:
                stream += [("punct", "#"), ("ident", test[0]), ("ident", test[1])]
                i = end
                continue
        stream.append((tok.kind, tok.text))
        i += 1
    return stream


def _python_stream(text: str) -> list[tuple[str, str]]:
    stream: list[tuple[str, str]] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER):
                continue
            if tok.type in (tokenize.INDENT, tokenize.DEDENT):
                stream.append((tokenize.tok_name[tok.type], ""))
            elif tok.type == tokenize.COMMENT:
                stream.append(("comment", " ".join(tok.string.split())))
            elif tok.type == tokenize.STRING:
                stream.append(("string", _PRINTED_IF.sub(_short_if, tok.string)))
            else:
                stream.append((tokenize.tok_name[tok.type], tok.string))
    except (tokenize.TokenError, IndentationError, SyntaxError) as exc:
        # a fragment tokenize cannot read (cut inside a bracket): compare what it gave, plus where it stopped
        stream.append(("error", str(exc)))
    return stream


def _short_if(match: "re.Match") -> str:
    name = match.group(3) or match.group(4)
    return f"#{match.group(1)}{'ifndef' if match.group(2) else 'ifdef'} {name}"


def same_declarations(path: str, before: str, after: str) -> str | None:
    """None when `after` holds the same declarations as `before`, in any order (a reordered block):
    the statements (code tokens up to each `;` outside brackets) compared as sorted lists, and the
    comments likewise; else why not."""
    from .lexers.c import tokenize as c_tokenize

    return _same_statements(path, _statements(c_tokenize(before)), _statements(c_tokenize(after)))


def same_declarations_reordered(path: str, chunks: list[list[str]], order: list[int]) -> str | None:
    """same_declarations(path, before, after) where before is the chunks' lines and after the same
    chunks in `order`, lexing before only when that gives the same answer: when no line ends with a
    backslash and no token of before holds a line end or is left open, each line is lexed alike
    wherever it stands (every line end is a newline token, and no token's match reaches past it), so
    after's tokens are before's, chunk by chunk in the new order."""
    from .lexers.c import tokenize as c_tokenize

    lines = [line for chunk in chunks for line in chunk]
    before = "\n".join(lines)
    tokens = c_tokenize(before)
    if (any(line.endswith(("\\", "\\\r")) or "\n" in line for line in lines)
            or any(not tok.closed or "\n" in tok.text for tok in tokens)):
        return same_declarations(path, before, "\n".join(line for k in order for line in chunks[k]))
    ends = list(accumulate(map(len, chunks)))  # the last line of each chunk, counted from 1
    by_chunk: list[list] = [[] for _ in chunks]
    for tok in tokens:
        by_chunk[bisect_left(ends, tok.line)].append(tok)
    return _same_statements(path, _statements(tokens), _statements(tok for k in order for tok in by_chunk[k]))


def _same_statements(path: str, old: tuple, new: tuple) -> str | None:
    if old != new or old[2]:
        return f"reordering would change the declarations of {path}, not only their order; left as it is"
    return None


def _statements(tokens) -> tuple[list, list, list]:
    """(the statements, sorted; the comments, blanks collapsed, sorted; the tokens after the last `;`)."""
    found, current, comments, depth = [], [], [], 0
    for tok in tokens:
        if tok.kind == "comment":
            comments.append(" ".join(tok.text.split()))
            continue
        current.append((tok.kind, tok.text))
        depth += tok.text in ("(", "[", "{") and tok.kind == "punct"
        depth -= tok.text in (")", "]", "}") and tok.kind == "punct"
        if tok.text == ";" and depth == 0:
            found.append(tuple(current))
            current = []
    return sorted(found), sorted(comments), current
