"""Where an operator of a line of C stands, as checkpatch's SPACING rules read it, and the places
no rule objects to; the lines that break no SPACING rule, found without reading them in Python.

`context` is checkpatch's context of an operator in the line split at its operators: one letter
for each side, `V` a value, `W` a blank, `C` a comment, `B` a bracket (`(`, `[` before; `)`, `]`,
`;` after), `O` another operator, `E` the line's start or end (or a continued line's `\\`).
`clean_lines` and `may_break_a_rule` pass over the lines whose operators all stand in such places
and that hold nothing another SPACING rule needs.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._ccode import COMMENT
from ..lazy_regex import lazy

_BLANKS = " \t\r\n\f\v"  # Perl's \s
# in the order a line is split at them: the longest operator that starts at a place is taken
OPERATORS = ("<<=", ">>=", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "^=", "|=", "&=", "=>", "->",
             "<<", ">>", "<", ">", "=", "!", "~", "&&", "||", ",", "^", "++", "--", "&", "|", "+", "-", "*", "/",
             "%", "?:", "?", ":", ";")
OPERATOR_CHARS = frozenset("".join(OPERATORS))

_KIND_BEFORE = {**dict.fromkeys(_BLANKS, "W"), COMMENT: "C", "[": "B", "(": "B"}
_KIND_AFTER = {**dict.fromkeys(_BLANKS, "W"), COMMENT: "C", ")": "B", "]": "B", ";": "B"}


def context(elements, n, at_start):
    """checkpatch's spacing context of the operator elements[n + 1]: 'WxV' and the like."""
    before = elements[n]
    a = "E" if at_start else _KIND_BEFORE.get(before[-1], "V") if before else "O"
    if n + 2 >= len(elements):
        return a + "xE"
    after = elements[n + 2]
    if not after:
        return a + "xO"
    if after[-1] == "\\" and not after[:-1].strip():
        return a + "xE"
    return a + "x" + _KIND_AFTER.get(after[0], "V")


# {operator: the contexts in which spacing._operator_problem finds nothing whatever stands
# around the operator: its side, --strict, the text before and after}. Nine operators in ten are in
# one (`x;`, `a, b`, `p->q`, `a = b`, `*p`), and then the line's text needs no more reading.
# tests/test_spacing_rules.py derives the table from _operator_problem itself.
_SPACED = frozenset("WxW WxC WxE CxW CxC CxE ExW ExC ExE".split())  # a blank or a comment on each side
_ARITHMETIC_SPACED = frozenset("WxW WxE ExW".split())
_UNARY_SPACED = frozenset("WxV WxC WxB WxE WxO CxV CxC CxB CxE CxO BxV BxC BxB BxE BxO ExV ExC ExB ExE ExO".split())
_AFTER_OPEN = frozenset("BxV BxC BxB BxE BxO".split())  # after `(` or `[` a `*`, `-`, `&` is unary
PLAIN = {
    **dict.fromkeys(("<<=", ">>=", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=", "^=", "|=", "&=", "=>",
                     "<", ">", "=", "||", "?:", "?"), _SPACED),
    **dict.fromkeys(("<<", ">>", "^", "|", "+", "/", "%"), _ARITHMETIC_SPACED),
    **dict.fromkeys(("!", "~"), _UNARY_SPACED),
    **dict.fromkeys(("&", "*"), _AFTER_OPEN | frozenset("WxV WxB WxE WxO CxB ExB".split())),
    **dict.fromkeys(("++", "--"), frozenset("VxW VxC VxB VxE VxO CxV CxW CxC CxB CxE CxO BxV BxW BxC BxB BxE "
                                            "BxO ExV ExC ExB ExE ExO OxV OxW OxC OxB OxE OxO".split())),
    "->": frozenset("VxV VxC VxB VxE VxO CxV CxC CxB CxE CxO BxV BxC BxB BxE BxO ExV ExC ExB ExE ExO OxV OxC "
                    "OxB OxE OxO".split()),
    "&&": _AFTER_OPEN | frozenset("WxC WxE CxC CxE ExC ExE".split()),
    ",": frozenset("VxW VxC VxE CxW CxC CxE BxW BxC BxE ExW ExC ExE OxW OxC OxE".split()),
    "-": _AFTER_OPEN | frozenset(("WxE",)),
    ":": frozenset("CxW CxC CxE ExW ExC ExE".split()),
    ";": frozenset("VxW VxC VxB VxE WxW WxC WxB WxE CxW CxC CxB CxE BxW BxC BxB BxE ExW ExC ExB ExE OxW OxC OxB "
                   "OxE".split()),
}


# The same table as patterns. A line whose every operator stands in a context of PLAIN has no
# operator to judge, and telling that in C costs a third of splitting the line and asking for each
# operator's context in Python (five lines with operators in six are such). A "\n" ends a line as
# its end does (`clean_lines` reads a file's lines joined). tests/test_spacing_rules.py compares the
# patterns with `context` and PLAIN, and with spacing's rules, on real and fuzzed lines.
_CLASS = re.escape("".join(sorted(OPERATOR_CHARS)))
_BLANK = r"[ \t\r\f\v]"  # Perl's \s, and a "\n" ends the line
# E after the operator: the line's end, or blanks then a continued line's `\\` up to the next
# operator (str.strip's blanks, which are re's \s)
_LINE_END = r"(?!.)"  # a "\n" or the end: where `.` (any character but "\n") finds none
_ENDS = rf"(?:{_LINE_END}|[^\S\n]*+\\(?:[{_CLASS}]|{_LINE_END}))"
# The characters of each kind as a class's contents; V is every character that is none of the others.
_BLANK_CHARS = r" \t\r\f\v"
_BEFORE_CHARS = {"W": _BLANK_CHARS, "C": COMMENT, "B": r"\[(", "O": _CLASS}
_AFTER_CHARS = {"W": _BLANK_CHARS, "C": COMMENT, "B": r")\]", "O": _CLASS}
_CONTINUED = rf"\\(?:[{_CLASS}]|{_LINE_END})"  # a `\` that ends a continued line: E, not V


def _chars_of(kinds, chars_by_kind, newline=False):
    """A class matching one character of any of `kinds` (W, C, B, O, V) before or after an
    operator, and a "\n" (the line's end) when `newline`."""
    if "V" in kinds:  # V is what no other kind is: the union is the others left out, negated
        left_out = "".join(chars for kind, chars in chars_by_kind.items() if kind not in kinds)
        return f"[^{left_out}{'' if newline else chr(10)}]"
    return f"[{''.join(chars_by_kind[kind] for kind in kinds)}{chr(10) if newline else ''}]"


@lru_cache(maxsize=None)  # (asked for each operator and place: the same few sets of kinds)
def _after_look(kinds):
    """A lookahead for the places after an operator whose kind (context()'s third letter) is one of
    `kinds`, a class test where it can be (the engine's cost is per assertion). E is the line's end,
    or blanks then a continued line's backslash: with W and V every character that may start it passes."""
    if set(kinds) >= set("WCBOVE"):
        return ""  # anything may follow
    chars = _chars_of([kind for kind in kinds if kind != "E"], _AFTER_CHARS, newline="E" in kinds)
    if "E" in kinds:
        ends = [r"\Z"]
        if not {"V", "W"} <= set(kinds):  # (a Unicode blank such as U+00A0 is V, and a blank to str.strip)
            ends.append(rf"[^\S\n]*+{_CONTINUED}")
        return f"(?={chars}|{'|'.join(ends)})"
    # a blank or `\` that starts a continued line's end is E, not its own kind
    if "W" in kinds:
        return rf"(?={chars})(?![^\S\n]*+{_CONTINUED})"
    if "V" in kinds:
        return f"(?={chars})(?!{_CONTINUED})"
    return f"(?={chars})"


def _before_look(kinds, op):
    """A lookbehind for `op` after a character of one of `kinds`, or nothing when any will do."""
    if set(kinds) >= set("WCBOV"):
        return ""
    return f"(?<={_chars_of(kinds, _BEFORE_CHARS)}{re.escape(op)})"


@lru_cache(maxsize=None)  # (the clean-line pattern asks for each operator twice: before a `?` and after)
def _operator_in_plain_context(op, at_start, befores="WCBOV", more=()):
    """The pattern of `op` (not the start of a longer operator) standing in one of its PLAIN contexts
    whose first letter is in `befores` (E alone at the line's start), or in one of the places `more`
    (lookarounds after the operator). The befores that allow the same afters share a branch."""
    longer = "".join(sorted(other[len(op)] for other in OPERATORS if other[:-1] == op))
    token = re.escape(op) + (f"(?![{re.escape(longer)}])" if longer else "")
    by_afters = {}
    for before in "E" if at_start else befores:
        afters = "".join(ctx[2] for ctx in sorted(PLAIN[op]) if ctx[0] == before)  # sorted: the same text each run
        if afters:
            by_afters.setdefault(afters, []).append(before)
    branches = [("" if at_start else _before_look("".join(group), op)) + _after_look(afters)
                for afters, group in by_afters.items()]
    branches.extend(more)
    return f"{token}(?:{'|'.join(branches)})" if branches else None


# the most frequent first (any order tells the same: an operator that starts a longer one is not taken)
_BY_FREQUENCY = (";", ",", "->", "=", "*", "&", "-", ":", "!", "<", ">", "==", "+", "&&", "++", "!=", "||", "|",
                 "+=", "?", ">=", "|=", "~", "<=", "-=", "<<", "/", "--", "&=", ">>", "?:", "%", "^", "*=", "<<=",
                 ">>=", "^=", "/=", "%=", "=>")


# the characters that start a token of a line, the most frequent in C first: the alternation of a
# line's tokens is tried in this order at each of them (the same matches in any order, each token
# starting with its own character), and a token found early is cheaper
_BY_CHARACTER = "();,-=>*{}&+!#:<|[]?/~%^"


def _by_first_character(tokens):
    """One alternation of `tokens` (patterns, each starting with its own literal character, escaped
    or not), those that start alike under one branch (the engine skips a branch by its first literal)."""
    groups = {}
    for token in tokens:
        first = token[1] if token[0] == "\\" else token[0]
        groups.setdefault(first, []).append(token[2 if token[0] == "\\" else 1:])
    ordered = sorted(groups, key=_BY_CHARACTER.index)
    return "|".join(re.escape(first) + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0])
                    for first, rests in ((first, groups[first]) for first in ordered))


def _line_of(tokens):
    """A line made of `tokens` and operators in PLAIN contexts (up to its end, not included)."""
    first = _by_first_character(filter(None, (_operator_in_plain_context(op, True) for op in _BY_FREQUENCY)))
    rest = filter(None, (_operator_in_plain_context(op, False) for op in _BY_FREQUENCY))
    # the first operator after nothing but blanks has the line's start before it (context E..)
    return (rf"[ \t]*+(?:(?=[{_CLASS}])(?:{first})|(?![{_CLASS}]))"
            rf"(?:{tokens[0]}|{_by_first_character([*rest, *tokens[1:]])})*+")


@lru_cache(maxsize=None)
def all_plain():
    """The pattern matched on a line (spacing's line with or without the blank it puts first): a
    match is a line whose every operator stands in a context of PLAIN. Written out on first use (a
    run without C pays nothing), compiled once (`lazy`: from the store of compiled patterns)."""
    return lazy(_line_of([rf"[^{_CLASS}\n]++"]) + r"\Z")


# SPACING's other rules, each by the characters it needs, in a clean line: no blank before `;`,
# `)` or `]`; `(` not after `if`/`for`/`while`/`switch` nor before a blank, and after a blank only
# when one blank follows no name or a name that may (a function name's space); `[` before no blank, `{` after no name nor
# `)`, `}` before nothing but a blank or `,;)}` (the end), one `#` (`##` joins names). Each is a
# superset of what its rule reports, so a line made of them breaks none. Blanks are part of the
# ordinary text between (fewer tokens: the engine's cost is per token), and each token starts with
# the character it is (the engine tries a token only where its first character stands).
_NAME_CHAR = r"[A-Za-z\d_]"
_PAREN_SPACE_NAMES = ("if", "for", "while", "switch", "return", "case", "volatile", "__volatile__", "__attribute__",
                      "format", "__extension__", "asm", "__asm__", "scoped_guard")
# a type's name before the blank is no function's (`void (*fn)(void)`)
_PAREN_AFTER_TYPES = ("void", "int", "char", "long", "short", "bool", "unsigned")
_PAREN_AFTER = "|".join([rf"(?<!{_BLANK}\()", r"(?<=[^A-Za-z\d_ \t\r\n\f\v][ \t]\()",
                         *(rf"(?<=(?<!{_NAME_CHAR}){name}[ \t]\()"
                           for name in _PAREN_SPACE_NAMES + _PAREN_AFTER_TYPES)])
# (a `(` after a blank that may follow a name is read by the last branch only: most follow a name)
_CLEAN_TOKENS = (rf"[^{_CLASS}()\[\]{{}}#\n]++",
                 rf"\((?!{_BLANK})(?:(?<![fehr \t\r\f\v]\()|(?<=[fehr]\()(?<!if\()(?<!for\()(?<!while\()(?<!switch\()"
                 rf"|(?<={_BLANK}\()(?:{_PAREN_AFTER}))",
                 rf"\)(?<!{_BLANK}\))",  # (a cast's space after it: _CAST_SPACE)
                 rf"\[(?!{_BLANK})", rf"\](?<!{_BLANK}\])",
                 r"\{(?<![)A-Za-z\d_]\{)", r"\}(?![^,;)} \t\r\n\f\v])", "#(?<!##)(?!#)",
                 # `##` joins the names around it into one, which must then be no function's
                 # name before a blank and `(`: only a last argument's (`fmt, ##__VA_ARGS__)`)
                 r"##(?<!###)(?=[ \t]*+[A-Za-z_][A-Za-z\d_]*+[),])")


# Where spacing's rules (not the table alone) let an operator be: a `-` after one blank that follows
# an operator, an opening bracket or `return`/`case` is unary and may touch its value (`return -EINVAL`);
# `&&`, `&`, `-` or `*` with one blank before and a blank after, after a name that is no keyword (or
# `]`, a quote) is binary (or a pointer's `*`) and well spaced (`a && b`) (`\w` as str.isalnum); a `*`
# after `*`, `!`, `~`, `&` or `|` is unary and may touch what follows (`**pp`, `!*p`).
_UNARY_AFTER = "[=(\\[,?:<>!&|*/%^~{;]"
_KEYWORDS = ("return", "case", "else", "goto", "typeof", "__typeof__", "sizeof", "do", "if", "while", "for", "switch")


def _binary_after_value(op):
    op = re.escape(op)
    not_keyword = "".join(rf"(?<!(?<!\w){keyword}[ \t]{op})" for keyword in _KEYWORDS)
    return rf"(?<=[\w\]\"'][ \t]{op}){not_keyword}(?!{_ENDS})(?={_BLANK})"


_VALUE_AFTER = _chars_of("V", _AFTER_CHARS)
_CLEAN_OPERATORS = {"-": (*(rf"(?<={before}[ \t]-)(?!{_ENDS})(?={_VALUE_AFTER})" for before in
                            (_UNARY_AFTER, r"(?<!\w)return", r"(?<!\w)case")), _binary_after_value("-")),
                    "*": (_binary_after_value("*"), rf"(?<=[*!~&|]\*){_after_look('VCBOE')}"),
                    **{op: (_binary_after_value(op),) for op in ("&&", "&")}}
# an object-like macro's value is no value: `#define NAME -1` (spacing reads a unary operator there)
# (tried after the line's spaces and tabs; a form feed or other blank may stand before the `#` too)
_OBJECT_MACRO_OPERATOR = r"(?![ \t\r\f\v]*\#[ \t\r\f\v]*define[ \t\r\f\v]+\w+[ \t\r\f\v]*[-&*])"
# Lines whose start spacing's rules read apart: an `#include` (its operators not read; up to what
# another rule needs: a bracket, `;`, `##`); a `(` after the indentation (no name before it).
_CLEAN_STARTS = (r"\#[ \t]*include[^\n(){}\[\];#]*+", rf"\((?!{_BLANK})")
# A `*`, `&` or `-` that starts a line is unary when the line before is empty or ends with `else`
# or a character after which no value stands (`;`, `{`, `,`, an operator; one ending in blanks or
# a comment is judged), and then well spaced unless a blank follows it (`*p = 0;`, `&attr,`, `-1);`).
_UNARY_LINE_START = (r"(?:(?<=[;{},(\[=&|?:<>!~*/%^\\\n]\n)|(?<=(?<!\w)else\n))[ \t]*+"
                     r"(?:\*(?!=)|&(?![&=])|-(?![-=>]))" + _after_look("VCBOE"))
_QUESTION = ("?", "?:")


def _clean_operators(after_question):
    """The operators of a clean line where they may stand, with a `?` before them on the line or not:
    with none, only a blank before a colon is wrong (a case value, a bit field); after one, the
    colon of a conditional wants blanks (or a comment) on both sides."""
    colon = rf":{_before_look('WC', ':')}{_after_look('CWE')}" if after_question else rf":(?<!{_BLANK}:)"
    return [colon if op == ":" else
            _operator_in_plain_context(op, False, "CBOV" if op == ";" else "WCBOV", _CLEAN_OPERATORS.get(op, ()))
            for op in _BY_FREQUENCY if after_question or op not in _QUESTION]


def _clean_line():
    """A line that breaks no SPACING rule, up to its end (not included): a start (blanks and the first
    operator, or one of _CLEAN_STARTS), then tokens up to the first `?`, then tokens after it."""
    first = [_operator_in_plain_context(op, True) for op in _BY_FREQUENCY]
    first_plain = _by_first_character(filter(None, (first[n] for n, op in enumerate(_BY_FREQUENCY)
                                                     if op not in _QUESTION)))
    first_question = _by_first_character(filter(None, (first[n] for n, op in enumerate(_BY_FREQUENCY)
                                                        if op in _QUESTION)))
    before = rf"(?:{_CLEAN_TOKENS[0]}|{_by_first_character([*_clean_operators(False), *_CLEAN_TOKENS[1:]])})*+"
    after = rf"(?:{_CLEAN_TOKENS[0]}|{_by_first_character([*_clean_operators(True), *_CLEAN_TOKENS[1:]])})*+"
    question = _by_first_character(op for op in _clean_operators(True) if op.startswith(r"\?"))
    start = (rf"[ \t]*+(?:(?=[{_CLASS}])(?:{first_plain})|{'|'.join(_CLEAN_STARTS)}"
             rf"|{_OBJECT_MACRO_OPERATOR}(?![{_CLASS}]))")
    return rf"(?:(?:{start}|{_UNARY_LINE_START}){before}(?:(?:{question}){after})?|[ \t]*+(?:{first_question}){after})"


@lru_cache(maxsize=None)
def clean_lines():
    """The pattern matched at the start of a line of a file's masked lines joined by "\n" (and
    ended by one): it matches as many lines as break no SPACING rule, up to the first that may."""
    return lazy(rf"(?:{_clean_line()}\n)*+")


# A cast's space (`(u32) x`, a check with --strict) is the one rule a clean line may still break:
# whether the brackets before a `)` hold a type is not told by the characters around it (one line
# in twenty holds a `)` then blanks, after a call's arguments: `f(x) && y`). Its pattern is asked
# only of the clean lines holding a `)` and blanks after what may end a type (a name, `*`, `]`, `)`),
# not before `=`, `{` or a continued line's end, which it never reports.
_CAST_SPACE = lazy(r"\)(?<=[\w*\])]\))[ \t]++(?![={]|\\\n)")


def may_break_a_rule(joined, casts=True):
    """(The added CodeLines that `clean_lines` does not rule out, one in a hundred on new files;
    the others that may break the cast's rule alone, unless not `casts`), each in file order.
    `clean_lines` matches over the file's masked lines framed (`_line_scans.MaskedText.framed`), in
    C, from one line that may break a rule to the next."""
    text = joined.framed
    if text is None:
        return joined.every_added(), []
    skip_clean = clean_lines().match
    starts = []
    at = 1  # after the "\n" before the first line
    while True:
        start = skip_clean(text, at).end()
        if start == len(text):
            break
        starts.append(start)
        at = text.index("\n", start) + 1
    if not casts:
        return joined.added_at(starts), []
    # the start of each line holding a cast's place, where no other rule is asked
    cast_starts = {text.rfind("\n", 0, match.start()) + 1 for match in _CAST_SPACE.finditer(text)}
    return joined.added_at(starts), joined.added_at(sorted(cast_starts.difference(starts)))
