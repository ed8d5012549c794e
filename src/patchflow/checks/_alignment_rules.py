"""The rule PARENTHESIS_ALIGNMENT applies, line by line: which parenthesis a continuation line is
held to and the column it owes, from C and Python tokens (`analyse`) or from a C outline
(`outline_rules`, offsets: no token objects)."""

from __future__ import annotations

from bisect import bisect_right
import re
from collections.abc import Iterable

from ..records import record
from ..lazy_regex import lazy
from ..lexers import advance_column

# A continuation line is held to the open parenthesis when the line before it ends with one of these:
# the places where kernel code breaks a list of arguments or conditions (checkpatch's rule, and the
# one pycodestyle's visual indent applies in Python). After other operators (`?`, `+`, `%`), authors
# may indent deeper on purpose, and nothing is reported.
C_JOINERS = frozenset({",", "&&", "||"})
PYTHON_JOINERS = frozenset({",", "and", "or"})
_CLOSER_OF = {")": "(", "]": "[", "}": "{"}
_OPENERS = frozenset("([{")
# the stack entry of an open `[` or `{` (the same one each time: a list per bracket costs its making
# and the collector's attention, for nothing that is asked of it)
_NOT_HOLDING = {"[": ("[",), "{": ("{",)}


def _one_line_group(depth: int) -> str:
    """A pattern for a bracketed group that opens and closes on one line, with groups nested in it
    up to `depth` more levels, every bracket matched by its own kind."""
    inside = r"[^][(){}\n]*+"
    if depth:
        inside = r"(?:[^][(){}\n]++|" + _one_line_group(depth - 1) + ")*+"
    return "|".join(re.escape(opener) + inside + re.escape(closer) for opener, closer in ("()", "[]", "{}"))


# The walk reads only the brackets that stay open past their line: a group that opens and closes on
# one line (most calls, subscripts and initializers: some 90% of the corpus's brackets) leaves the
# brackets open around it as they were, and no line, directive or open literal starts inside it
# (a literal left open masks the rest of its line), so it is skipped in C by this scan. Each match
# ends at a bracket that stays, or at the end of the text (no group); possessive
# quantifiers keep the scan linear. An opener is group 1, a closer group 2.
_KEPT_BRACKET = lazy(r"(?:[^][(){}]++|" + _one_line_group(3) + r")*+(?:([(\[{])|([)\]}])|\Z)")


@record(frozen=True)
class Alignment:
    """What the rule asks of one continuation line of one image."""

    line: int  # the line, in its image
    found: int  # the column its first token starts at
    needed: int  # one past the open parenthesis
    opener_line: int  # the line holding that parenthesis
    accepted: frozenset[int]  # needed, and for a line that starts with the closing parenthesis,
    #                           the indentation of the opener's line too

    @property
    def misaligned(self) -> bool:
        return self.found not in self.accepted


def analyse(tokens: Iterable, language: str) -> dict[int, Alignment]:
    """The alignment each continuation line owes, by line, from one window's tokens (in order).

    A line is held to the innermost parenthesis open at its start when that parenthesis has code
    after it on its own line (else it is a hanging indent, free), the line before ends with a joiner
    (`,` `&&` `||`; Python `,` `and` `or`), and, in C, the line and the parenthesis are both outside
    or both inside the same preprocessor directive (a macro body is checked like code; the
    parentheses a directive leaves open are forgotten when it ends). Lines that begin inside a
    multi-line comment or string are not held to anything.
    """
    joiners = C_JOINERS if language == "c" else PYTHON_JOINERS
    result: dict[int, Alignment] = {}
    brackets = _OpenBrackets()
    first_column: dict[int, int] = {}  # column of each line's first token
    last_line = 0  # the last line some token has reached
    previous_code = None
    directive = 0
    directive_depth = 0
    code_before_directive = None
    for tok in tokens:
        kind = tok.kind
        if kind == "error" or (not tok.closed and kind != "comment"):
            brackets.forget(0)  # the lexer lost its place: nothing open before here is known any more
            previous_code = None
        if language == "c" and tok.pp != directive:
            if directive:  # a directive ended: back to the code around it
                brackets.forget(directive_depth)
                previous_code = code_before_directive
            if tok.pp:
                directive_depth = len(brackets.stack)
                code_before_directive = previous_code
            directive = tok.pp
        if kind == "newline":  # Python: a logical line ended, so did every bracket in it
            brackets.forget(0)
            continue
        if tok.line > last_line:
            first_column[tok.line] = tok.column
            found = _held(tok, brackets.stack, previous_code, joiners, language, first_column)
            if found is not None:
                result[tok.line] = found
        last_line = max(last_line, tok.line + tok.text.count("\n"))
        if kind in ("comment", "error"):
            continue
        brackets.see(tok)
        previous_code = tok
    return result


class _OpenBrackets:
    """The brackets open at a point of a token stream, innermost last."""

    def __init__(self):
        self.stack: list[list] = []  # [token, has_code_after_it_on_its_line (None: not known yet)]
        self._counts = {"(": 0, "[": 0, "{": 0}

    def forget(self, depth: int) -> None:
        while len(self.stack) > depth:
            self._counts[self.stack.pop()[0].text] -= 1

    def see(self, tok) -> None:
        """A code token: it tells whether the innermost bracket has code after it, opens or closes."""
        stack = self.stack
        if stack and stack[-1][1] is None:
            stack[-1][1] = tok.line == stack[-1][0].line
        if tok.kind not in ("punct", "op"):
            return
        text = tok.text
        if text in _OPENERS:
            stack.append([tok, None])
            self._counts[text] += 1
        elif text in _CLOSER_OF:
            wanted = _CLOSER_OF[text]
            if self._counts[wanted]:  # a closer with no opener in view is ignored
                while stack:
                    entry = stack.pop()
                    self._counts[entry[0].text] -= 1
                    if entry[0].text == wanted:
                        break


def _held(tok, stack, previous_code, joiners, language, first_column) -> Alignment | None:
    """The Alignment owed by the line that `tok` starts, or None when the rule does not apply."""
    if not stack or previous_code is None or previous_code.text not in joiners:
        return None
    opener, has_after = stack[-1]
    if opener.text != "(" or not has_after or opener.line >= tok.line:
        return None
    if language == "c" and tok.pp != opener.pp:
        return None
    needed = opener.column + 1
    accepted = {needed}
    if tok.text == ")":
        accepted.add(first_column.get(opener.line, needed))
    return Alignment(tok.line, tok.column, needed, opener.line, frozenset(accepted))


def outline_rules(outline) -> dict[int, Alignment]:
    """`analyse` for C, read from a `lexers.c.Outline` (offsets) instead of tokens: the same rules.

    Only the brackets, the directives and the literals left open change what is open; the lines that
    could be held are those that start while a `(` with code after it is innermost, and only those
    are looked at (on the check benchmark's corpus: 125,000 brackets and 6,600 such lines, where the
    token walk reads 600,000 tokens)."""
    return _OutlineWalk(outline).rules()


def _is_joiner(masked: str, last: int) -> bool:
    """Whether the code token that ends at `last` is `,` `&&` or `||`."""
    char = masked[last]
    if char == ",":
        return True
    if char not in "&|":
        return False
    start = last
    while start and masked[start - 1] == char:
        start -= 1
    return (last - start + 1) % 2 == 0  # `&&&` is `&&` then `&`


class _OutlineWalk:
    """`analyse`'s walk over the events of an outline, in order; see `outline_rules`."""

    def __init__(self, outline):
        self.outline = outline
        # of a `(`: [bracket, offset, directive start or -1, code after it, (column needed, line, first
        # column)], the last two computed when first needed; of a `[` or `{`: (bracket,)
        self.stack: list[list] = []
        self.directive = -1  # offset where the directive the walk is in starts, -1 outside one
        self.depth = 0  # how many brackets were open when the directive started
        self.result: dict[int, Alignment] = {}
        # by the directive a line is in (-1: none), the last line asked about: (its first token's
        # offset, whether the code before it is a joiner)
        self._asked: dict[int, tuple] = {}
        self.starts = outline.line_starts

    def rules(self) -> dict[int, Alignment]:
        outline = self.outline
        text = outline.text
        stack = self.stack
        # the events other than brackets, merged in by offset: directives starting and ending, and
        # literals left open (the lexer then loses its place: what was open is forgotten)
        directives = outline.directives
        others = [(start, "#") for start, _ in directives] + [(end, "end") for _, end in directives]
        others.extend((self._token_start(offset), "open literal") for offset in outline.unclosed)
        others.sort()
        others.append((len(text) + 1, ""))
        upcoming = 0
        next_other = others[0][0]
        last = -1  # offset of the last event
        masked = outline.masked
        for match in _KEPT_BRACKET.finditer(masked):  # this loop runs per kept bracket
            kind = match.lastindex  # 1 an opener, 2 a closer, None the end of the text
            if kind is None:
                break
            offset = match.end() - 1
            if next_other < offset:
                while others[upcoming][0] < offset:
                    last = self._other_event(last, *others[upcoming])
                    upcoming += 1
                next_other = others[upcoming][0]
            # lines start in between (a `(` is open, so some bracket came before: last >= 0)
            if stack and stack[-1][0] == "(" and text.find("\n", last, offset) >= 0:
                self._hold_lines(last, offset, True)
            bracket = masked[offset]
            if kind == 1:
                # only a `(` holds lines: what a line asks of its opener is kept for a `(` alone
                stack.append([bracket, offset, self.directive, None, None] if bracket == "(" else _NOT_HOLDING[bracket])
            else:
                wanted = _CLOSER_OF[bracket]
                if stack and stack[-1][0] == wanted:  # the innermost bracket closes (nearly always)
                    stack.pop()
                elif stack:  # a closer with no opener in view is ignored (no count of each kind
                    self._close(wanted)  # kept per bracket: a mismatch is rare, then the stack is read)
            last = offset
        for offset, kind in others[upcoming:-1]:
            last = self._other_event(last, offset, kind)
        if stack and stack[-1][0] == "(":
            self._hold_lines(last, len(text), True)
        return self.result

    def _other_event(self, last: int, offset: int, kind: str) -> int:
        if self.stack and self.stack[-1][0] == "(":
            self._hold_lines(last, offset, False)  # a line starting here starts after the event
        if kind == "#":
            self.directive = offset
            self.depth = len(self.stack)
        elif kind == "end":  # back to the code around the directive
            self._forget(self.depth)
            self.directive = -1
        else:
            self._forget(0)
        return offset

    def _token_start(self, quote: int) -> int:
        """Where the literal whose quote is at `quote` starts, when the line starts with it: `L"`,
        `u8'` (elsewhere its prefix makes no difference to the walk)."""
        outline = self.outline
        first = outline.first_token(outline.line_index(quote))
        if first is not None and outline.text[first:quote] in ("u8", "u", "U", "L"):
            return first
        return quote

    def _forget(self, depth: int) -> None:
        del self.stack[depth:]

    def _close(self, wanted: str) -> None:
        """Close the innermost open `wanted` and the brackets inside it, when one is open."""
        stack = self.stack
        for index in range(len(stack) - 1, -1, -1):
            if stack[index][0] == wanted:
                del stack[index:]
                return

    def _hold_lines(self, last: int, upto: int, at_upto: bool) -> None:
        """The lines whose first token is after offset `last` and before `upto` (at it too, when
        `at_upto`), all inside the innermost `(`."""
        starts = self.starts
        index = bisect_right(starts, last)
        if index == len(starts) or starts[index] > upto:
            return  # no line starts there
        opener = self.stack[-1]
        if opener[3] is None:
            opener[3] = self.outline.code_after(opener[1])
        if not opener[3] or opener[2] != self.directive:
            return  # a hanging indent, or the line and the parenthesis are not in the same directive
        place = opener[4] or self._place(opener)
        first_token = self.outline.first_token
        for index in range(index, bisect_right(starts, upto, index)):
            first = first_token(index)
            if first is not None and (first < upto or (at_upto and first == upto)) and self._after_joiner(first):
                self._hold(first, index, place)

    def _place(self, opener: list) -> tuple:
        """(the column a line owes, the line, the column of the line's first token) of an opener,
        computed once: a long line before it would be read again for each line it holds."""
        outline = self.outline
        index = bisect_right(self.starts, opener[1]) - 1
        start = self.starts[index]
        needed = advance_column(1, outline.text[start:opener[1]]) + 1
        first = outline.first_token(index)
        first_column = needed if first is None else advance_column(1, outline.text[start:first])
        opener[4] = (needed, outline.first_line + index, first_column)
        return opener[4]

    def _after_joiner(self, offset: int) -> bool:
        """Whether the last code before `offset` is `,` `&&` or `||` (outside a directive, the code of
        the directives above is not the code before it). The lines asked about come in order: each
        search stops where the one before it on the same side of a directive started, and takes its
        answer when it finds no code (a thousand comment lines are read once, not once each)."""
        outline = self.outline
        floor, known = self._asked.get(self.directive, (0, False))
        before = outline.code_before(offset, floor)
        if self.directive < 0:
            directives = outline.directives
            while before >= 0 and directives:
                at = bisect_right(directives, (before, len(outline.text))) - 1
                if at < 0 or directives[at][1] <= before:
                    break
                before = outline.code_before(directives[at][0], floor)
        joiner = known if before < 0 else _is_joiner(outline.masked, before)
        self._asked[self.directive] = (offset, joiner)
        return joiner

    def _hold(self, first: int, index: int, place: tuple) -> None:
        outline = self.outline
        needed, opener_line, opener_first_column = place
        accepted = frozenset((needed, opener_first_column)) if outline.masked[first] == ")" else frozenset((needed,))
        line = outline.first_line + index
        # the first token's column, from the blanks before it (the line starts at `index`)
        found = advance_column(1, outline.text[self.starts[index]:first])
        self.result[line] = Alignment(line, found, needed, opener_line, accepted)
