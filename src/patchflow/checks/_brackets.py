"""Bracket matching on plain text, as the families that read a line's characters need it (a Fixes:
tag's `("subject")`, a name's `(comment)`, a condition's `(...)` or a block's `{...}`)."""

from __future__ import annotations

import re
from typing import Dict, Optional, Tuple

_EITHER: Dict[Tuple[str, str], "re.Pattern"] = {}  # (opener, closer) -> the pattern of either one


def balanced_end(text: str, start: int, opener: str = "(", closer: str = ")") -> Optional[int]:
    """The end (exclusive) of the balanced group that opens with `opener` at text[start], or None
    when the text ends before it closes."""
    either = _EITHER.get((opener, closer))
    if either is None:
        either = _EITHER[opener, closer] = re.compile("[" + re.escape(opener + closer) + "]")
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
