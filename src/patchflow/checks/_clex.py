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


def _sanitize(text: str, quote: str):
    """(masked text, the quote state carried to the next line)."""
    out = list(text)
    n = len(text)
    i = 0
    while i < n:
        pair = text[i:i + 2]
        c = text[i]
        if quote == "" and pair == "/*":
            quote = "*/"
            out[i:i + 2] = COMMENT * 2
            i += 2
            continue
        if quote == "*/" and pair == "*/":
            quote = ""
            out[i:i + 2] = COMMENT * 2
            i += 2
            continue
        if quote == "" and pair == "//":
            quote = "//"
            i += 2
            continue
        if quote in ("'", '"') and c == "\\":
            out[i:i + 2] = "XX"[:len(out[i:i + 2])]
            i += 2
            continue
        if c in ("'", '"'):
            if quote == "":
                quote = c
                i += 1
                continue
            if quote == c:
                quote = ""
        if c != "\t":
            if quote in ("*/", "//"):
                out[i] = COMMENT
            elif quote:
                out[i] = "X"
        i += 1
    if quote == "//":
        quote = ""
    result = "".join(out)
    match = _INCLUDE.match(result)
    if match:
        result = result[:match.start(1)] + "X" * len(match.group(1)) + result[match.end(1):]
    else:
        match = _ERROR.match(result)
        if match:
            result = match.group(1) + "X" * (len(result) - len(match.group(1)))
    slashes = result.find("//")
    if slashes >= 0:
        result = result[:slashes] + COMMENT * (len(result) - slashes)
    return result, quote


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
