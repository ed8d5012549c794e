"""A needle's parse written back as pattern text, for `_needles`' scans: read backwards (a needle
without a leading literal, searched over the reversed text) and split into one pattern per first
character (a class or an alternation at the start, which the engine cannot jump to)."""

from __future__ import annotations

import re
from bisect import bisect_right

try:  # the parser of the `re` module: Python 3.11 renamed its modules
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python before 3.11
    import sre_constants as _sre  # type: ignore
    import sre_parse as _sre_parse  # type: ignore


# SRE finds where a pattern that starts with a literal may match by a tight loop over the text; one
# that starts with a class (or with an alternation of literals, which it reads as a class) it finds
# by a call per character of the text that reads the class: a scan per first character costs less
_MAX_FIRST_CHARACTERS = 4


def _per_first_character(pattern: str) -> list[str]:
    """The pattern as patterns that each start with a literal, one per character a match may start
    with, when it starts with a few (a class of literals, or an alternation whose every branch starts
    with a literal or such a class); else [pattern]. A line holds a match of the pattern exactly when
    it holds a match of one of them."""
    parsed = _sre_parse.parse(pattern)
    items = list(parsed)
    if not items or parsed.state.flags & ~re.UNICODE:
        return [pattern]
    op, av = items[0]
    by_first = {}  # {first character: what follows it in each branch}
    for branch in ([list(branch) for branch in av[1]] if op is _sre.BRANCH else [items[:1]]):
        first_op, first_av = branch[0] if branch else (None, None)
        if first_op is _sre.IN and all(item_op is _sre.LITERAL for item_op, _ in first_av):
            characters = [item_av for _, item_av in first_av]
        elif first_op is _sre.LITERAL:
            characters = [first_av]
        else:
            return [pattern]
        for character in characters:
            by_first.setdefault(character, []).append(branch[1:])
    if not 2 <= len(by_first) <= _MAX_FIRST_CHARACTERS:
        return [pattern]
    try:
        rest = _written(items[1:], backwards=False)
        return [re.escape(chr(character)) + "(?:" + "|".join(_written(follows, backwards=False) for follows in
                                                              following) + ")" + rest
                for character, following in by_first.items()]
    except _Irreversible:
        return [pattern]


# --- searching backwards ----------------------------------------------------------------------
#
# A needle that starts with `\b` or a class of word characters (`\b(?:[A-Z_]\w*|\d\w*)\s*(?:==|<|>)`)
# is tried at every position of the text, while one that starts with a literal or a small class is
# found by the engine's fast scan for its first character. Such a needle often ends with what it
# lacks at its start (the operator), so it is searched over the reversed text with the reversed
# pattern: a line holds a match of a pattern exactly when the reversed line holds a match of the
# reversed pattern, for the constructs `_reversed` writes (no lookaround, back-reference,
# possessive repetition or atomic group, which would not reverse; `\b` reads the same both ways).

_CATEGORY_TEXT = {_sre.CATEGORY_DIGIT: r"\d", _sre.CATEGORY_NOT_DIGIT: r"\D", _sre.CATEGORY_SPACE: r"\s",
                  _sre.CATEGORY_NOT_SPACE: r"\S", _sre.CATEGORY_WORD: r"\w", _sre.CATEGORY_NOT_WORD: r"\W"}
# `^` and `$` (re.MULTILINE: a line's ends) trade places; `\b` and `\B` are the same read backwards
_AT_REVERSED = {_sre.AT_BEGINNING: "$", _sre.AT_END: "^", _sre.AT_BOUNDARY: r"\b", _sre.AT_NON_BOUNDARY: r"\B"}
_AT_TEXT = {_sre.AT_BEGINNING: "^", _sre.AT_END: "$", _sre.AT_BOUNDARY: r"\b", _sre.AT_NON_BOUNDARY: r"\B"}


class _Irreversible(Exception):
    pass


def _reversed(source: str) -> str | None:
    """The needle reversed (see above) when that starts with what the engine jumps to and the needle
    does not, else None. Case-insensitive needles are left alone (the fast scan does not serve them)."""
    parsed = _sre_parse.parse(source)
    if parsed.state.flags & ~re.UNICODE:
        return None
    items = list(parsed)
    if _jumps(items):
        return None
    try:
        backwards = _reversed_text(items)
    except _Irreversible:
        return None
    return backwards if _jumps(list(_sre_parse.parse(backwards))) else None


def _jumps(items) -> bool:
    """Whether a parsed needle starts with a literal, a class, or an alternation whose every branch
    starts with a literal: what the engine finds by a scan for its first character."""
    while items and items[0][0] is _sre.SUBPATTERN and not items[0][1][1] and not items[0][1][2]:
        items = list(items[0][1][3])
    if not items:
        return False
    op, av = items[0]
    if op is _sre.BRANCH:
        return all(branch and list(branch)[0][0] is _sre.LITERAL for branch in av[1])
    return op is _sre.LITERAL or (op is _sre.IN and all(item[0] is not _sre.CATEGORY for item in av))


def _reversed_text(items) -> str:
    """A pattern's text matching the parsed sequence's matches read backwards; _Irreversible when it
    holds a construct that does not reverse."""
    return _written(items, backwards=True)


def _written(items, backwards: bool) -> str:
    """The parsed sequence written as a pattern's text, read backwards or not (see _reversed_text)."""
    return "".join(_written_item(op, av, backwards) for op, av in (reversed(items) if backwards else items))


def _written_item(op, av, backwards: bool) -> str:
    if op is _sre.LITERAL:
        return re.escape(chr(av))
    if op is _sre.NOT_LITERAL:
        return "[^" + re.escape(chr(av)) + "]"
    if op is _sre.ANY:
        return "."
    if op is _sre.IN:
        return "[" + "".join(_class_item(item_op, item_av) for item_op, item_av in av) + "]"
    if op is _sre.AT and av in _AT_REVERSED:
        return (_AT_REVERSED if backwards else _AT_TEXT)[av]
    if op is _sre.BRANCH:
        return "(?:" + "|".join(_written(list(branch), backwards) for branch in av[1]) + ")"
    if op is _sre.SUBPATTERN and not av[1] and not av[2]:  # a group that sets no flags: not captured
        return "(?:" + _written(list(av[3]), backwards) + ")"
    if op is _sre.MAX_REPEAT or op is _sre.MIN_REPEAT:
        low, high, body = av
        bounds = "{%d,%s}" % (low, "" if high is _sre.MAXREPEAT else high)
        return "(?:" + _written(list(body), backwards) + ")" + bounds + ("?" if op is _sre.MIN_REPEAT else "")
    raise _Irreversible(op)


def _class_item(op, av) -> str:
    if op is _sre.NEGATE:
        return "^"
    if op is _sre.LITERAL:
        return re.escape(chr(av))
    if op is _sre.RANGE:
        return re.escape(chr(av[0])) + "-" + re.escape(chr(av[1]))
    if op is _sre.CATEGORY and av in _CATEGORY_TEXT:
        return _CATEGORY_TEXT[av]
    raise _Irreversible(op)


def _searched_backwards(patterns, added) -> list[int]:
    """The lines one of the reversed needle's patterns finds a match in, searched over the joined
    lines reversed once: a match at reversed offsets [start, end) is the text at [length - end,
    length - start)."""
    text = added.text[::-1]
    found = [_reversed_matches(pattern, text, added.starts) for pattern in patterns]
    return found[0] if len(found) == 1 else sorted(set().union(*found))


def _reversed_matches(pattern, text: str, starts) -> list[int]:
    length = len(text)
    search = pattern.search
    found = []
    match = search(text)
    while match is not None:
        index = bisect_right(starts, length - match.end()) - 1
        found.append(index)
        if index == 0:
            break
        # on from the reversed start of the line above: past the "\n" at starts[index] - 1
        match = search(text, length - starts[index])
    found.reverse()
    return found
