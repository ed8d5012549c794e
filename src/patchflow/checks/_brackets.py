"""Bracket matching on plain text, as the families that read a line's characters need it (a Fixes:
tag's `("subject")`, a name's `(comment)`, a condition's `(...)` or a block's `{...}`)."""

from __future__ import annotations

import re

from .. import regex_store

_EITHER: dict[tuple[str, str], "re.Pattern"] = {}  # (opener, closer) -> the pattern of either one
_NESTED: dict[tuple[str, str], "re.Pattern"] = {}  # (opener, closer) -> a group nested 3 deep at most


def nested_group(opener: str, closer: str, inside: str, depth: int = 6, inner_opener: str = "") -> str:
    """A pattern of a group from `opener` to its `closer` with `inside` (a pattern of one of the
    other characters it may hold) between, nested `depth` deep at most: Python's re has no recursion.
    `inner_opener` opens the nested groups (the outer one's opener when empty). Possessive: a group
    is read one way only, so a text that is no such group is given up on at once."""
    inner_opener = inner_opener or opener
    group = inner_opener + inside + "*+" + closer
    for level in range(depth - 1, 0, -1):
        group = (opener if level == 1 else inner_opener) + "(?:" + inside + "++|" + group + ")*+" + closer
    return group if depth > 1 else opener + inside + "*+" + closer


def balanced_end(text: str, start: int, opener: str = "(", closer: str = ")") -> int | None:
    """The end (exclusive) of the balanced group that opens with `opener` at text[start], or None
    when the text ends before it closes."""
    nested = _NESTED.get((opener, closer))
    if nested is None:
        either, neither = re.escape(opener), "[^" + re.escape(opener + closer) + "]"
        close = re.escape(closer)
        inner = either + neither + "*+" + close
        for _ in range(2):
            inner = either + "(?:" + neither + "++|" + inner + ")*+" + close
        nested = _NESTED[opener, closer] = regex_store.compile(inner)
    # most groups nest a few levels deep: one match in C (its walk is determined, so possessive)
    found = nested.match(text, start)
    if found is not None:
        return found.end()
    either = _EITHER.get((opener, closer))
    if either is None:
        either = _EITHER[opener, closer] = regex_store.compile("[" + re.escape(opener + closer) + "]")
    depth = 0
    # from bracket to bracket: a block's `{...}` runs over lines of text with none
    for bracket in either.finditer(text, start):
        if bracket.group() == opener:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return bracket.end()
    return None
