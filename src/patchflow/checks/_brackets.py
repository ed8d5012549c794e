"""Bracket matching on plain text, as the families that read a line's characters need it (a Fixes:
tag's `("subject")`, a name's `(comment)`, a condition's `(...)` or a block's `{...}`)."""

from __future__ import annotations

from typing import Optional


def balanced_end(text: str, start: int, opener: str = "(", closer: str = ")") -> Optional[int]:
    """The end (exclusive) of the balanced group that opens with `opener` at text[start], or None
    when the text ends before it closes."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == opener:
            depth += 1
        elif text[index] == closer:
            depth -= 1
            if depth == 0:
                return index + 1
    return None
