"""Fixes of SPACING and POINTER_LOCATION (`patchflow fix`, see patchflow.fix), the rules checkpatch's
--fix rewrites: each edits only the blanks between two tokens of the line (the C lexer's), so
literals and comments are never touched, and gives None where the rule's place on the line is not
certain. The checks register them in checks/spacing.py.
"""

from __future__ import annotations

import re

from ..lazy_regex import lazy

# the operator and the context checkpatch prints: "... that '+' (ctx:VxV)"
_OPERATOR_MESSAGE = lazy(r"^(.*?)(?: that)? '(.+)' \(ctx:(\w)x(\w)\)$")
# POINTER_LOCATION's two messages: what is written between the type and `)` or the name, and what should be
_CAST_MESSAGE = lazy(r'^"\(foo(.*)\)" should be "\(foo(.*)\)"$', re.S)
_DECLARATION_MESSAGE = lazy(r'^"foo(.*)bar" should be "foo(.*)bar"$', re.S)
_CONDITION_KEYWORDS = frozenset(("if", "while", "for", "switch"))


class _Line:
    """A line as its tokens and the blanks before each (gaps[i] before tokens[i]; tail after the last)."""

    def __init__(self, text: str):
        from ..lexers.c import tokenize

        self.tokens = [tok for tok in tokenize(text) if tok.kind != "space"]
        self.gaps: list[str] = []
        end = 0
        for tok in self.tokens:
            self.gaps.append(text[end:tok.offset])
            end = tok.offset + len(tok.text)
        self.tail = text[end:]
        self.ok = all(tok.offset >= 0 for tok in self.tokens) and all(not gap.strip() for gap in self.gaps)

    def text(self) -> str:
        return "".join(gap + tok.text for gap, tok in zip(self.gaps, self.tokens)) + self.tail

    def word(self, index: int) -> str:
        return self.tokens[index].text if 0 <= index < len(self.tokens) else ""

    def set_gap(self, index: int, blanks: str) -> bool:
        """The blanks before token `index`; never the line's indentation, never around a comment."""
        if index <= 0 or index >= len(self.tokens) or self.gaps[index] == blanks:
            return False
        if "comment" in (self.tokens[index].kind, self.tokens[index - 1].kind):
            return False
        self.gaps[index] = blanks
        return True


def _operator_fix(line: _Line, message: str) -> bool:
    """An operator's blanks as the message asks, on the first of its kind whose sides look as the
    message's context says (W: blanks; E: the line's edge; V, O, B: none)."""
    match = _OPERATOR_MESSAGE.match(message)
    if not match:
        return False
    what, op, before, after = match.groups()
    for index, tok in enumerate(line.tokens):
        if tok.text != op or tok.kind != "punct" or not _side_is(line, index, before, True) \
                or not _side_is(line, index, after, False):
            continue
        if what in ("spaces required around", "spaces preferred around", "need consistent spacing around"):
            changed = [line.set_gap(index, " ") if index else False, line.set_gap(index + 1, " ")]
            return any(changed)
        if what == "space required before":
            return line.set_gap(index, " ")
        if what in ("space prohibited before", "space prohibited after"):
            return line.set_gap(index if what.endswith("before") else index + 1, "")
        if what == "space required after":
            return line.set_gap(index + 1, " ")
        if what == "spaces prohibited around":
            return any([line.set_gap(index, ""), line.set_gap(index + 1, "")])
        return False
    return False


def _side_is(line: _Line, index: int, kind: str, before: bool) -> bool:
    neighbour = index - 1 if before else index + 1
    if kind == "C":
        return False  # a comment beside the operator: not ours to move
    if kind == "E":
        return neighbour < 0 if before else neighbour >= len(line.tokens) or line.word(neighbour) == "\\"
    if not 0 <= neighbour < len(line.tokens):
        return False
    blank = bool(line.gaps[index] if before else line.gaps[index + 1])
    return blank if kind == "W" else not blank


def _layout_fix(line: _Line, message: str) -> bool:
    """The whole-line rules: blanks before `;` and `,`, around brackets, after keywords and braces."""
    words = [tok.text for tok in line.tokens]
    last = len(words) - 1
    for index, word in enumerate(words):
        prev, nxt = line.word(index - 1), line.word(index + 1)
        if message == "space prohibited before semicolon" and word == ";" and index == last and prev:
            return line.set_gap(index, "")
        if message == "space required before the open brace '{'" and word == "{" and prev in (")", "else", "do"):
            if line.set_gap(index, " "):
                return True
        if message == "space required after that close brace '}'" and word == "}" and nxt \
                and nxt not in (",", ";", ")", "}") and line.set_gap(index + 1, " "):
            return True
        if message == "space prohibited after that open square bracket '['" and word == "[" and index < last \
                and line.set_gap(index + 1, ""):
            return True
        if message == "space prohibited before that close square bracket ']'" and word == "]" and index > 0 \
                and line.set_gap(index, ""):
            return True
        if message == "space prohibited after that open parenthesis '('" and word == "(" and index < last \
                and nxt not in (";", "\\") and line.set_gap(index + 1, ""):
            return True
        if message == "space prohibited before that close parenthesis ')'" and word == ")" and index > 0 \
                and prev not in (";", ":") and line.set_gap(index, ""):
            return True
        if message == "space required before the open parenthesis '('" and word in _CONDITION_KEYWORDS \
                and nxt == "(" and line.set_gap(index + 1, " "):
            return True
        if message == "space prohibited between function name and open parenthesis '('" and nxt == "(" \
                and line.tokens[index].kind == "ident" and _is_call(line, index) and line.set_gap(index + 1, ""):
            return True
    return False


def _is_call(line: _Line, index: int) -> bool:
    """`name (` where `name` is called: after an operator, a `(` or `return`, never in a directive
    (`#define NAME (x)` is an object-like macro) nor after a type (`int (*fn)(void)`)."""
    if line.word(0) == "#" or line.word(index + 2) == "*":
        return False
    prev = line.tokens[index - 1] if index else None
    return prev is None or prev.kind == "punct" or prev.text == "return"


def fix_spacing(text: str, finding, path: str) -> str | None:
    """The blanks the message asks for, at the first place on the line the message can mean."""
    line = _Line(text)
    if not line.ok or not line.tokens:
        return None
    message = finding.message
    if message == "No space is necessary after a cast":
        return _without_cast_space(text, line)
    if not (_operator_fix(line, message) or _layout_fix(line, message)):
        return None
    return line.text()


def _without_cast_space(text: str, line: _Line) -> str | None:
    """The blanks after the cast the check found (its pattern, on the line's code only) taken out."""
    from .spacing import _rules

    match = _rules()["cast"].match(text)
    if not match or _in_literal(line, *match.span(2)) or re.search(r"\w\s*$", match.group(1)):
        return None  # `BITS_PER_TYPE(u32) - shift`: the parenthesis is a call's, not a cast
    return _same_tokens(line, text[:match.start(2)] + text[match.end(2):])


def _in_literal(line: _Line, start: int, end: int) -> bool:
    return any(tok.offset < end and start < tok.offset + len(tok.text) for tok in line.tokens
               if tok.kind in ("string", "char", "comment"))


def _same_tokens(line: _Line, fixed: str) -> str | None:
    """`fixed` where it holds the tokens of `line` (the line as written, already read), else None."""
    return fixed if [t.text for t in _Line(fixed).tokens] == [t.text for t in line.tokens] else None


def fix_pointer_location(text: str, finding, path: str) -> str | None:
    """`"foo* bar" should be "foo *bar"`: the blanks and stars between the type and the name
    rewritten as the message says, at the first place they are written that way."""
    from .spacing import _rules

    cast = _CAST_MESSAGE.match(finding.message)
    match = cast or _DECLARATION_MESSAGE.match(finding.message)
    if not match:
        return None
    written, wanted = match.groups()
    pattern = _rules()["cast_pointer" if cast else "declared_pointer"]
    line = _Line(text)
    for found in pattern.finditer(text):
        start, end = found.span(2)
        if found.group(2) == written and not _in_literal(line, start, end):
            return _same_tokens(line, text[:start] + wanted + text[end:])
    return None
