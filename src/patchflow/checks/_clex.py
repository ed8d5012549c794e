"""C lines with comments and strings masked, as checkpatch sees them when it classifies long lines.

Comment text becomes `\\x1c` (checkpatch's `$;`), string and character literal text becomes `X`,
tabs are kept, so columns do not move. A hunk starts outside a comment unless its first comment
edge is a `*/`, or its first line looks like the middle of a block comment (` * ...`).
"""

from __future__ import annotations

import re

COMMENT = "\x1c"

_EDGE = re.compile(r"(/\*|\*/)")
_EDGE_IN_STRING = re.compile(r'"[^"]*(?:/\*|\*/)[^"]*"')
_COMMENT_MIDDLE = re.compile(r"^\s*(?:\*\*+| \*)(?:\s|$)")
_INCLUDE = re.compile(r"^\s*#\s*include\s+<(.*)>")
_ERROR = re.compile(r"^(\s*#\s*(?:error|warning)\s+)(.*)\b")


def _starts_in_comment(hunk) -> bool:
    for line in hunk.lines:
        if line.kind == "-":
            continue
        match = _EDGE.search(line.text)
        if match and not _EDGE_IN_STRING.search(line.text):
            return match.group(1) == "*/"
    first = hunk.lines[0] if hunk.lines else None
    return first is not None and bool(_COMMENT_MIDDLE.match(first.text))


_TOKEN = re.compile(r"/\*|\*/|//|\\|[\"']")
_NOT_TAB = re.compile(r"[^\t]")


def _mask(segment: str, quote: str) -> str:
    if not segment or quote == "":
        return segment
    return _NOT_TAB.sub(COMMENT if quote in ("*/", "//") else "X", segment)


def _sanitize(text: str, quote: str):
    """(masked text, the quote state carried to the next line: '', '*/', '"' or "'")."""
    if quote == "" and _TOKEN.search(text) is None:
        out = text  # nothing to mask: most lines of C
    else:
        parts = []
        pos = 0
        n = len(text)
        while pos < n:
            match = _TOKEN.search(text, pos)
            if match is None:
                parts.append(_mask(text[pos:], quote))
                break
            start, token = match.start(), match.group()
            parts.append(_mask(text[pos:start], quote))
            if quote == "" and token == "/*":
                parts.append(COMMENT * 2)
                quote, pos = "*/", start + 2
            elif quote == "*/" and token == "*/":
                parts.append(COMMENT * 2)
                quote, pos = "", start + 2
            elif quote == "" and token == "//":
                parts.append("//" + _mask(text[start + 2:], "//"))
                pos = n
            elif quote in ("'", '"') and token == "\\":
                parts.append("XX" if start + 1 < n else "X")
                pos = start + 2
            elif quote == "" and token in ("'", '"'):
                parts.append(token)
                quote, pos = token, start + 1
            elif quote == token:  # the closing quote stays
                parts.append(token)
                quote, pos = "", start + 1
            else:  # a token that means nothing here: its first character is plain text
                parts.append(_mask(text[start], quote))
                pos = start + 1
        out = "".join(parts)
    if "#" in out:
        match = _INCLUDE.match(out)
        if match:
            out = out[:match.start(1)] + "X" * len(match.group(1)) + out[match.end(1):]
        else:
            match = _ERROR.match(out)
            if match:
                out = match.group(1) + "X" * (len(out) - len(match.group(1)))
    slashes = out.find("//")
    if slashes >= 0:
        out = out[:slashes] + COMMENT * (len(out) - slashes)
    return out, quote


def sanitized_lines(file, cache: dict) -> dict:
    """{patch line: masked text} for the added and context lines of a file diff, computed once."""
    key = ("sanitized", id(file))
    found = cache.get(key)
    if found is not None:
        return found
    masked = {}
    for hunk in file.hunks:
        quote = "*/" if _starts_in_comment(hunk) else ""
        for line in hunk.lines:
            if line.kind == "-":
                continue
            masked[line.patch_line], quote = _sanitize(line.text, quote)
    cache[key] = masked
    return masked
