"""A line check's needle, and the cheapest scan of a file's joined added lines that finds the lines
a search of each line alone finds (`Needle.indexes`).

Python's regular expressions search fast only for a pattern that starts with a plain string: then
the engine jumps from one occurrence to the next; any other pattern is tried at every position of
the text. So a needle is scanned by its shape, decided once from its text and its parse:

- a plain string (`define`, `\\(`) is found with `str.find`;
- an alternation at the top (`[{}]|else|\\bif\\b|^\\s*$`) is scanned branch by branch: a line holds
  the whole when it holds one of its branches;
- a needle every match of which holds one of a few strings of three characters or more
  (`\\bNR_CPUS\\b`: `NR_CPUS`; `(?i)\\b(?:true|false)\\b`: `true` or `false`, ignoring case) finds
  the lines that hold those with `str.find`, then asks each of them the needle;
- a needle that starts with `^` is searched as "\\n" followed by the rest over the lines joined
  with a "\\n" before the first: the engine jumps from line start to line start;
- any other joinable needle is searched over the joined lines (`_lines` says when that is exact),
  and one that is not is searched line by line.

tests/test_line_needles.py compares every registered needle, scanned so, with a search per line.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Callable, List, Optional

try:  # the parser of the `re` module: Python 3.11 renamed its modules
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:  # pragma: no cover - Python before 3.11
    import sre_constants as _sre  # type: ignore
    import sre_parse as _sre_parse  # type: ignore

__all__ = ["Needle", "literal_of", "joinable", "literal_indexes"]

_REGEX_SPECIAL = frozenset(".^$*+?{}[]|()\\")


def literal_of(needle: str) -> Optional[str]:
    """The string a needle matches when it is a plain one (`define`, `__FUNCTION__`, `\\(`, `"`),
    else None. Read character by character: a pattern here would be compiled at import."""
    out = []
    chars = iter(needle)
    for char in chars:
        if char == "\\":
            char = next(chars, "")
            if not char or char.isalnum() or char.isspace() or not char.isascii():
                return None  # `\b`, `\s`, a trailing backslash: a pattern
        elif char in _REGEX_SPECIAL or not char.isascii() or char == "\n":
            return None
        out.append(char)
    return "".join(out)


# what can make a search of the joined lines differ from a search of each line alone: the string's
# own ends (\A, \Z), a non-boundary (true inside "\n\n" but never in an empty string), a lookaround
# that may see past a line's end, a back-reference or a conditional group
_NOT_JOINABLE = ("\\A", "\\Z", "\\B", "(?=", "(?!", "(?<", "(?P=", "(?(",
                 *(f"\\{digit}" for digit in "123456789"))


def joinable(needle: str) -> bool:
    """Whether a search of the lines joined by "\\n", compiled with re.MULTILINE, finds a match
    starting in a line exactly when a search of that line alone finds one (see `_lines`). Read
    from the pattern's text: a `\\\\A` (an escaped backslash before an A) is refused too, which
    costs only speed."""
    return not any(construct in needle for construct in _NOT_JOINABLE)


# a needle is searched line by line until it has seen this many lines: planning its scan (a parse
# and a compilation or two) costs more than it saves on one small patch, not on a large one nor on
# a series of many small ones
SCAN_FROM_LINES = 64


class Needle:
    """A needle of a line check; its scan is planned once it has seen SCAN_FROM_LINES lines."""

    __slots__ = ("source", "literal", "_alone", "_scans", "_seen")

    def __init__(self, source: str):
        self.source = source
        self.literal = literal_of(source)
        self._alone = None  # the pattern for one line
        self._scans: Optional[List[Callable]] = None  # each (AddedLines) -> positions, in order
        self._seen = 0  # lines searched before the scan was planned

    def indexes(self, added) -> List[int]:
        """The positions in `added.lines` of the lines the needle occurs in, in order."""
        lines = added.lines
        if not lines:
            return []
        if self._scans is None and added.joined:
            self._seen += len(lines)
            if self._seen >= SCAN_FROM_LINES:
                self._scans = _plan(self.source)
        if self._scans is None or not added.joined:
            return self._line_by_line(lines)
        if len(self._scans) == 1:
            return self._scans[0](added)
        return sorted(set().union(*(scan(added) for scan in self._scans)))

    def _line_by_line(self, lines) -> List[int]:
        if self.literal is not None:
            literal = self.literal
            return [index for index, line in enumerate(lines) if literal in line.text]
        if self._alone is None:
            self._alone = re.compile(self.source)
        search = self._alone.search
        return [index for index, line in enumerate(lines) if search(line.text) is not None]


def _plan(source: str) -> List[Callable]:
    """The scans whose lines together are the lines `source` occurs in."""
    literal = literal_of(source)
    if literal is not None:
        return [lambda added: literal_indexes(literal, added)]
    parsed = _sre_parse.parse(source)
    branches = _top_branches(source, parsed)
    if branches:
        return [scan for branch in branches for scan in _plan(branch)]
    alone = re.compile(source)
    if not joinable(source):
        return [lambda added: [index for index, line in enumerate(added.lines) if alone.search(line.text)]]
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    words = _required(list(parsed))
    if words and min(map(len, words)) >= 2 and not (ignore_case and not "".join(words).isascii()):
        words = sorted({word.lower() for word in words}) if ignore_case else words
        return [lambda added: _holding_indexes(words, ignore_case, alone, added)]
    if source.startswith("^") and list(parsed)[:1] == [(_sre.AT, _sre.AT_BEGINNING)]:
        # `^` begins the whole needle (no top-level `|` follows): "\n" and the rest, at line starts
        at_line_start = re.compile("\n(?:" + source[1:] + ")", re.MULTILINE)
        return [lambda added: _searched_indexes(at_line_start, alone, added, after_newline=True)]
    joined = re.compile(source, re.MULTILINE)
    return [lambda added: _searched_indexes(joined, alone, added)]


def _top_branches(source: str, parsed) -> Optional[List[str]]:
    """The alternatives of a needle that is `a|b|...` at the top, as pattern texts, or None. Not
    split: a needle with global flags (`(?i)` applies to every branch; `(?x)` makes `#` a comment)."""
    if parsed.state.flags & ~re.UNICODE:
        return None
    branches, start, depth, in_class = [], 0, 0, False
    position = 0
    while position < len(source):
        char = source[position]
        if char == "\\":
            position += 1
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # `[]...]` and `[^]...]`: a `]` first in a class is one of its characters
            if source.startswith("^]", position + 1):
                position += 2
            elif source.startswith("]", position + 1):
                position += 1
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            branches.append(source[start:position])
            start = position + 1
        position += 1
    if not branches:
        return None
    return branches + [source[start:]]


def _required(items) -> Optional[List[str]]:
    """Strings one of which every match of the parsed sequence `items` holds (the longest that the
    parse proves), or None. Only what the match consumes counts: runs of literal characters, and
    what a group, an alternation (each branch) or a repetition of at least one holds."""
    best: Optional[List[str]] = None

    def consider(words):
        nonlocal best
        if words and all(words) and (best is None or min(map(len, words)) > min(map(len, best))):
            best = words

    run: List[str] = []
    for op, av in items + [(None, None)]:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        consider(["".join(run)] if run else None)
        run = []
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:  # a group that sets no flags
            consider(_required(list(av[3])))
        elif op is _sre.BRANCH:
            alternatives = [_required(list(branch)) for branch in av[1]]
            consider(None if None in alternatives else [word for words in alternatives for word in words])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
            consider(_required(list(av[2])))
    return best


def literal_indexes(literal: str, added, text: Optional[str] = None) -> List[int]:
    """The positions of the lines that hold `literal` (no "\\n" in it), found by `str.find` in the
    joined text (or in `text`, the same lower-cased)."""
    if text is None:
        text = added.text
        if text.count(literal) * 4 > len(added.lines):
            # in most lines (`(`, `*`): a test per line costs less than a find and a bisection per hit
            return [index for index, line in enumerate(added.lines) if literal in line.text]
    starts = added.starts
    last = len(starts) - 1
    found = []
    offset = text.find(literal)
    while offset >= 0:
        index = bisect_right(starts, offset) - 1
        found.append(index)
        if index == last:
            break
        offset = text.find(literal, starts[index + 1])
    return found


def _holding_indexes(words, ignore_case: bool, alone, added) -> List[int]:
    lines = added.lines
    if ignore_case and not added.text.isascii():
        # str.lower() is not re.IGNORECASE outside ASCII (the Kelvin sign matches `k`)
        return [index for index, line in enumerate(lines) if alone.search(line.text)]
    text = added.text.lower() if ignore_case else added.text
    candidates = literal_indexes(words[0], added, text) if len(words) == 1 else \
        sorted(set().union(*(literal_indexes(word, added, text) for word in words)))
    search = alone.search
    return [index for index in candidates if search(lines[index].text) is not None]


def _searched_indexes(pattern, alone, added, after_newline: bool = False) -> List[int]:
    """The lines `pattern` finds a match in, searched over the joined lines (`after_newline`: over
    "\n" + the joined lines, where the "\n" before line i is at offset starts[i])."""
    text = "\n" + added.text if after_newline else added.text
    shift = 1 if after_newline else 0  # where line i starts in `text`: starts[i] + shift
    starts, lines = added.starts, added.lines
    last = len(starts) - 1
    search = pattern.search
    found = []
    match = search(text)
    while match is not None:
        index = bisect_right(starts, match.start()) - 1
        # a match inside the line is the line's; one that ran into the next line may not be
        if match.end() <= starts[index] + shift + len(lines[index].text) or alone.search(lines[index].text):
            found.append(index)
        if index == last:
            break
        match = search(text, starts[index + 1])
    return found
