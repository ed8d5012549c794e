"""A line check's needle, and the cheapest scan of a file's joined added lines (`_lines`) that
finds the lines a search of each line alone finds (`Needle.indexes`).

Python's regular expressions search fast only for a pattern that starts with a plain string: the
engine jumps from one occurrence to the next; any other pattern is tried at every position. So a
needle is scanned by its shape, decided once from its text and its parse:

- a plain string (`define`, `\\(`) is found with `str.find` (tested line by line when it is in
  most lines: a find and a bisection per hit cost more);
- an alternation at the top (`[{}]|else|\\bif\\b|^\\s*$`) is scanned branch by branch: a line holds
  the whole when it holds one of its branches;
- a needle every match of which holds one of a few strings of two characters or more
  (`\\bNR_CPUS\\b`: `NR_CPUS`; `(?i)\\b(?:true|false)\\b`: `true` or `false`, ignoring case)
  finds the lines that hold those with `str.find`, then asks each of them the needle;
- any other needle is searched over the joined lines, compiled with re.MULTILINE, when that finds
  what a search of each line finds (`joinable`) and the needle cannot match a "\\n" once its `\\s`
  are written `[^\\S\\n]` (`_kept_in_line`): then `^` and `$` match at a line's ends as at a lone
  line's, `\\b` sees the "\\n" as the non-word character a line's end is, and every match lies in
  one line. One that starts with what the engine cannot jump to (`\\w`, `^\\s*`) is searched from
  a literal of its top sequence on (`_from_literal`), the lines found asked the needle, or over the
  reversed text when it ends with such a literal (`_needle_patterns`); one that starts with `^` is
  searched as "\\n" and the rest: the engine jumps from line start to line start. One that starts
  with a few characters is searched once per character (the engine jumps to a literal in a tight
  loop, to a class by a call per character). Any other needle is searched line by line.

A needle searches line by line until it has seen SCAN_FROM_LINES lines: one small patch does not
pay for planning. tests/test_line_needles.py compares every registered needle, and needles of
every shape above, scanned so, with a search per line; benchmarks/bench_needles.py times both.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable

from ._needle_patterns import _jumps, _per_first_character, _reversed, _searched_backwards, _sre, _sre_parse
from .. import regex_store


__all__ = ["Needle", "literal_of", "joinable", "literal_indexes"]

_REGEX_SPECIAL = frozenset(".^$*+?{}[]|()\\")


def literal_of(needle: str) -> str | None:
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
    starting in a line exactly when a search of that line alone finds one, given that the needle
    cannot match a "\\n" (see the module docstring). Read from the pattern's text: a `\\\\A` (an
    escaped backslash before an A) is refused too, which costs only speed."""
    return not any(construct in needle for construct in _NOT_JOINABLE)


# a needle is searched line by line until it has seen this many lines: planning its scan (a parse
# and a compilation or two) costs more than it saves on one small patch, not on a large one nor on
# a series of many small ones
SCAN_FROM_LINES = 64


_USES: Counter = Counter()  # how many needles (checks) search each pattern


class Needle:
    """A needle of a line check; its scan is planned once it has seen SCAN_FROM_LINES lines."""

    __slots__ = ("source", "literal", "_alone", "_scans", "_seen")

    def __init__(self, source: str):
        self.source = source
        _USES[source] += 1
        self.literal = literal_of(source)
        self._alone = None  # the pattern for one line
        self._scans: list[Callable] | None = None  # each (AddedLines) -> positions, in order
        self._seen = 0  # lines searched before the scan was planned

    def indexes(self, added) -> list[int]:
        """The positions in `added.lines` of the lines the needle occurs in, in order (the same
        list for every needle of the same pattern: callers only read it)."""
        if _USES[self.source] < 2:
            return self._scanned(added)  # kept only for a pattern another check searches too (memory)
        found = added.found.get(self.source)
        if found is None:
            found = added.found[self.source] = self._scanned(added)
        return found

    def _scanned(self, added) -> list[int]:
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

    def _line_by_line(self, lines) -> list[int]:
        if self.literal is not None:
            literal = self.literal
            return [index for index, line in enumerate(lines) if literal in line.text]
        if self._alone is None:
            self._alone = regex_store.compile(self.source)
        search = self._alone.search
        return [index for index, line in enumerate(lines) if search(line.text) is not None]


def _plan(source: str) -> list[Callable]:
    """The scans whose lines together are the lines `source` occurs in."""
    literal = literal_of(source)
    if literal is not None:
        return [lambda added: literal_indexes(literal, added)]
    parsed = _sre_parse.parse(source)
    branches = _top_branches(source)
    if branches and not parsed.state.flags & ~re.UNICODE:  # `(?i)` applies to every branch
        # each branch a needle: one that another check searches alone (` \t`) is scanned once
        return [Needle(branch).indexes for branch in branches]
    alone = regex_store.compile(source)
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    words = _required(list(parsed))
    if words and min(map(len, words)) >= 2 and not (ignore_case and not "".join(words).isascii()):
        words = sorted({word.lower() for word in words}) if ignore_case else list(dict.fromkeys(words))
        # a line that holds a word holding another (`__inline`, `inline`) is found by that one:
        # each word left out is a scan of the whole text less, the lines found are the same
        words = [word for word in words if not any(other != word and other in word for other in words)]
        return [lambda added: _holding_indexes(words, ignore_case, alone, added)]
    in_line = _kept_in_line(source) if joinable(source) else None
    if in_line is None:
        return [lambda added: [index for index, line in enumerate(added.lines) if alone.search(line.text)]]
    items = list(parsed)
    at_start = in_line.startswith("^") and items[:1] == [(_sre.AT, _sre.AT_BEGINNING)]
    backwards = None if at_start else _reversed(in_line)
    if backwards is not None:
        reversed_patterns = [regex_store.compile(text, re.MULTILINE) for text in _per_first_character(backwards)]
        return [lambda added: _searched_backwards(reversed_patterns, added)]
    from_literal = _from_literal(in_line)
    if from_literal is not None and (not at_start or _may_repeat_none(items[1:2])):
        # after `^\s*` every line's indentation is tried; at a literal most lines are not
        candidates = regex_store.compile(from_literal, re.MULTILINE)
        return [lambda added: _confirmed(alone, _searched_indexes(candidates, added), added)]
    if at_start:
        # `^` begins the whole needle (no top-level `|` follows): "\n" and the rest, at line starts
        at_line_start = regex_store.compile("\n(?:" + in_line[1:] + ")", re.MULTILINE)
        return [lambda added: _searched_indexes(at_line_start, added, after_newline=True)]
    return [lambda added, pattern=regex_store.compile(text, re.MULTILINE): _searched_indexes(pattern, added)
            for text in _per_first_character(in_line)]


def _from_literal(in_line: str) -> str | None:
    """The needle from its first literal character on (`\\}.*;` of `^\\s*\\}.*;`), when that stands
    in the needle's top sequence (no `|` there, no repetition after it) behind a start the engine
    cannot jump to: every match of the needle holds a match of this tail, which the engine finds by
    a scan for the literal (rarer than line starts or the positions tried by a needle that starts
    with a class). None when the needle jumps already or holds no such literal, or sets flags."""
    parsed = _sre_parse.parse(in_line)
    if _top_branches(in_line) is not None or parsed.state.flags & ~re.UNICODE or _jumps(list(parsed)):
        return None
    pieces, depth, in_bounds, position = list(_pieces(in_line)), 0, False, 0
    for number, (piece, outside) in enumerate(pieces):
        if outside and piece in "(){}":  # a group's depth; a repetition's bounds (`{0}`) are no literal
            depth += {"(": 1, ")": -1}.get(piece, 0)
            in_bounds = piece == "{"
        elif outside and depth == 0 and not in_bounds and number > 0 and literal_of(piece) and (
                number + 1 == len(pieces) or pieces[number + 1][0] not in ("*", "?", "{", "+")):
            return in_line[position:]
        position += len(piece)
    return None


def _may_repeat_none(items) -> bool:
    """Whether the parsed sequence starts with a repetition that may match nothing (`\\s*`)."""
    return bool(items) and items[0][0] in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and items[0][1][0] == 0


def _confirmed(alone, candidates, added) -> list[int]:
    """The candidate lines (positions, in order) in which the needle `alone` finds a match."""
    lines = added.lines
    search = alone.search
    return [index for index in candidates if search(lines[index].text) is not None]


def _pieces(source: str):
    """The pattern's text in pieces, each with whether it stands outside a character class: an
    escape (two characters), a class's opening (`[`, with a leading `]` or `^]`, which are
    characters of the class), or one character."""
    position, in_class = 0, False
    while position < len(source):
        if source[position] == "\\":
            piece = source[position:position + 2]
        elif not in_class and source[position] == "[":
            piece = "[^]" if source.startswith("[^]", position) else "[]" if source.startswith("[]", position) else "["
        else:
            piece = source[position]
        yield piece, not in_class
        in_class = piece.startswith("[") if not in_class else piece != "]"
        position += len(piece)


def _top_branches(source: str) -> list[str] | None:
    """The alternatives of a needle that is `a|b|...` at the top, as pattern texts, or None."""
    branches, current, depth = [], [], 0
    for piece, outside in _pieces(source):
        if outside and piece in "()":
            depth += 1 if piece == "(" else -1
        if outside and piece == "|" and depth == 0:
            branches.append("".join(current))
            current = []
        else:
            current.append(piece)
    return branches + ["".join(current)] if branches else None


def _kept_in_line(source: str) -> str | None:
    """The needle with each `\\s` outside a class written `[^\\S\\n]` (the same on a line, which
    holds no "\\n"), or None when it could still match a "\\n": a search of the joined lines
    then cannot run from one line into the next (and take time quadratic in a run of blank lines)."""
    kept = "".join("[^\\S\\n]" if piece == "\\s" and outside else piece for piece, outside in _pieces(source))
    parsed = _sre_parse.parse(kept)
    return None if _may_match_newline(list(parsed), parsed.state.flags) else kept


# the classes of `\s`, `\d`, `\w` and their negations that hold a "\n", and those that do not
_NEWLINE_CATEGORIES = {_sre.CATEGORY_SPACE, _sre.CATEGORY_NOT_DIGIT, _sre.CATEGORY_NOT_WORD}
_OTHER_CATEGORIES = {_sre.CATEGORY_NOT_SPACE, _sre.CATEGORY_DIGIT, _sre.CATEGORY_WORD}


def _may_match_newline(items, flags: int) -> bool:
    """Whether the parsed sequence `items` may consume a "\\n" (what the parse does not prove
    otherwise, it may)."""
    for op, av in items:
        if op is _sre.LITERAL or op is _sre.NOT_LITERAL:
            if (av == 10) == (op is _sre.LITERAL):
                return True
        elif op is _sre.ANY:
            if flags & re.DOTALL:
                return True
        elif op is _sre.IN:
            if _class_holds_newline(av):
                return True
        elif op is _sre.BRANCH:
            if any(_may_match_newline(list(branch), flags) for branch in av[1]):
                return True
        elif op is _sre.SUBPATTERN:
            if _may_match_newline(list(av[3]), (flags | av[1]) & ~av[2]):
                return True
        elif op is _sre.MAX_REPEAT or op is _sre.MIN_REPEAT:
            if _may_match_newline(list(av[2]), flags):
                return True
        elif op is not _sre.AT:
            return True
    return False


def _class_holds_newline(items) -> bool:
    negated, holds = False, False
    for op, av in items:
        if op is _sre.NEGATE:
            negated = True
        elif op is _sre.LITERAL:
            holds = holds or av == 10
        elif op is _sre.RANGE:
            holds = holds or av[0] <= 10 <= av[1]
        elif op is _sre.CATEGORY and (av in _NEWLINE_CATEGORIES or av in _OTHER_CATEGORIES):
            holds = holds or av in _NEWLINE_CATEGORIES
        else:
            return True
    return holds != negated


def _required(items) -> list[str] | None:
    """Strings one of which every match of the parsed sequence `items` holds (the longest that the
    parse proves), or None. Only what the match consumes counts: runs of literal characters, and
    what a group, an alternation (each branch) or a repetition of at least one holds."""
    best: list[str] | None = None

    def consider(words):
        nonlocal best
        if words and all(words) and (best is None or min(map(len, words)) > min(map(len, best))):
            best = words

    run = [""]  # the strings the literal characters read so far spell, one per choice of a class
    for op, av in items + [(None, None)]:
        if op is _sre.LITERAL:
            run = [text + chr(av) for text in run]
            continue
        choices = _small_class(av) if op is _sre.IN else None
        if choices and len(run) * len(choices) <= _MAX_SPELLINGS:  # `[=!]=`: "==" or "!="
            run = [text + choice for text in run for choice in choices]
            continue
        consider(run if run != [""] else None)
        run = [""]
        if op is _sre.SUBPATTERN and not av[1] and not av[2]:  # a group that sets no flags
            consider(_required(list(av[3])))
        elif op is _sre.BRANCH:
            alternatives = [_required(list(branch)) for branch in av[1]]
            consider(None if None in alternatives else [word for words in alternatives for word in words])
        elif op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT) and av[0] >= 1:
            consider(_required(list(av[2])))
    return best


# a run of literals and small classes is taken as the strings it can spell, up to so many of them
_MAX_SPELLINGS = 8


def _small_class(items) -> list[str] | None:
    """The characters of a class that lists a few of them (`[=!]`), else None."""
    if len(items) > 4 or any(op is not _sre.LITERAL for op, _ in items):
        return None
    return [chr(av) for _, av in items]


_FREQUENCY_SAMPLE = 8192  # characters: some 200 lines of C


def literal_indexes(literal: str, added, text: str | None = None) -> list[int]:
    """The positions of the lines that hold `literal` (no "\\n" in it), found by `str.find` in the
    joined text (or in `text`, the same lower-cased)."""
    if text is None:
        text = added.text
        # in most lines (`(`, `*`): a test per line costs less than a find and a bisection per hit.
        # How often it occurs is judged from the text's start (counting it all was a second scan of
        # the whole file per needle); either way the same lines are found.
        sample = min(len(text), _FREQUENCY_SAMPLE)
        if text.count(literal, 0, sample) * 4 * len(text) > len(added.lines) * sample:
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


def _holding_indexes(words, ignore_case: bool, alone, added) -> list[int]:
    lines = added.lines
    if ignore_case and not added.text.isascii():
        # str.lower() is not re.IGNORECASE outside ASCII (the Kelvin sign matches `k`)
        return [index for index, line in enumerate(lines) if alone.search(line.text)]
    text = added.text.lower() if ignore_case else added.text
    candidates = literal_indexes(words[0], added, text) if len(words) == 1 else \
        sorted(set().union(*(literal_indexes(word, added, text) for word in words)))
    search = alone.search
    return [index for index in candidates if search(lines[index].text) is not None]


def _searched_indexes(pattern, added, after_newline: bool = False) -> list[int]:
    """The lines `pattern` (which cannot match a "\\n": `_kept_in_line`) finds a match in, searched
    over the joined lines (`after_newline`: over "\\n" + the joined lines, where the "\\n" before
    line i is at offset starts[i])."""
    text = "\n" + added.text if after_newline else added.text
    starts = added.starts
    last = len(starts) - 1
    search = pattern.search
    found = []
    match = search(text)
    while match is not None:
        index = bisect_right(starts, match.start()) - 1
        found.append(index)
        if index == last:
            break
        match = search(text, starts[index + 1])
    return found
