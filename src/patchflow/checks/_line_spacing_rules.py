"""LINE_SPACING's rules (checks/layout.py): the blank line checkpatch wants after declarations and
after a block, and the second of two blank lines.

The check reads only the lines after a line that may end a block or declare (found by one search of
the file's masked lines joined, `_line_scans.MaskedText`): a tenth of the added lines of C.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

from . import CHECK, Hit
from ._ccode import COMMENT, patterns
from ..lazy_regex import lazy

_BLOCK_END = lazy(r"^};?\s*$", re.ASCII)


def repeated_blanks(joined):
    """The added blank lines checkpatch reports as a second blank line in a row: the second of a
    run, then every other one (a reported line does not count as the first of the next)."""
    sequence, text = joined.sequence, joined.raw
    if text is None:
        return _walk_repeated_blanks(sequence, range(1, len(sequence)))
    # the line after each pair of blank lines (str.strip's blanks, re's \s) found by its "\n" before
    index, at, after_blank = -1, 0, []
    for match in _BLANK_THEN_BLANK.finditer(text):
        index += text.count("\n", at, match.start() + 1)  # the first of the two
        at = match.start() + 1
        after_blank.append(index + 1)
    return _walk_repeated_blanks(sequence, after_blank)


_BLANK_THEN_BLANK = lazy(r"\n(?=[^\S\n]*+\n[^\S\n]*+\n)")


def _walk_repeated_blanks(sequence, after_blank):
    """The lines of `sequence` at the positions `after_blank` (in order: those that may follow a blank
    line) that are added, blank, after a blank line, and not right after a reported one."""
    found = []
    last_reported = None
    for index in after_blank:
        line = sequence[index][0]
        if line.kind == "+" and not line.text.strip() and not sequence[index - 1][0].text.strip() \
                and last_reported != line.patch_line - 1:
            found.append(line)
            last_reported = line.patch_line
    return found


# what may follow a `}` with no blank line between (a line of code; every branch starts it)
_AFTER_BLOCK_OK_TEXT = (r"\s*$|\s*(?:EXPORT_SYMBOL|early_param|ALLOW_ERROR_INJECTION)|\s*(?i:MODULE_)|"
                        r"\s*\#\s*(?:end|elif|else)|[a-z_]*init|\s*(?:static\s+)?[A-Z_]*ATTR|\s*DECLARE|"
                        r"\s*builtin_[\w_]*driver|\s*__setup")
_AFTER_BLOCK_OK = lazy(r"^(?:" + _AFTER_BLOCK_OK_TEXT + ")", re.ASCII)


@lru_cache(maxsize=None)
def _declaration_patterns():
    p = patterns()
    decl = (r"^\+\s+(?:" + p.declare + r"\s*" + p.ident + r"\s*[=,;:\[]|" + p.declare + r"\s*\(\s*\*\s*"
            + p.ident + r"\s*\)\s*[=,;:\[\(]|" + p.ident + r"(?:\s+|\s*\*\s*)" + p.ident + r"\s*[=,;\[]|"
            + p.decl_macros + ")")
    return {
        "strip": lazy(r"\b(?:" + p.attribute + "|" + p.sparse + r")\b", re.ASCII),
        "decl": lazy(decl, re.ASCII),
        "keyword": lazy(r"^\+\s+" + p.c90_keywords + r"\b", re.ASCII),
        "continues": lazy(r"^\+\s+(?:(?:static\s+)?(?:const\s+)?(?:union|struct|enum|typedef)\b|"
                                r"$|[\{\}\.\#\"\?\:\(\[]|" + p.ident + r"\s*:\s*\d+\s*[,;]|\(?\s*(?:"
                                + p.compare + "|" + p.assignment + "|" + p.operators + "))", re.ASCII),
    }


# what every declaration checkpatch recognizes starts with: two words (a type and a name, `int x`,
# `struct s *p`), a word and `(*` (a function pointer) or a word and `(` (DEFINE_MUTEX(...))
_MAY_DECLARE = lazy(r"^\s+[A-Za-z_]\w*(?:\s+[A-Za-z_*(]|\s*\*|\s*\()", re.ASCII)


def _missing_blank_after_declarations(code_line):
    prev = code_line.prev
    if prev is None or prev.kind != "+":
        return False
    prev_text = code_line.prev_code
    if not prev_text[:1].isspace():
        return False
    sline = code_line.code.replace(COMMENT, " ")
    indent = prev_text[: len(prev_text) - len(prev_text.lstrip())]
    if not sline.startswith(indent) or sline[len(indent):len(indent) + 1].isspace() \
            or len(sline) == len(indent):
        return False
    return _ends_declarations(prev_text) and not _declares_or_continues(sline)


# The two halves of the rule, each a function of one line's text, remembered: a declaration is asked
# about as the line after one, then as the line before the next; so are the many `int err;`,
# `return ret;` that recur across files.
@lru_cache(maxsize=16384)
def _ends_declarations(prev_text):
    """Whether a line (masked) is a declaration after which checkpatch wants a blank line."""
    if not _MAY_DECLARE.match(prev_text):
        return False
    pl = _without_attributes("+" + prev_text)
    return _declares(pl) and not _not_a_declaration(pl)


@lru_cache(maxsize=16384)
def _declares_or_continues(sline):
    """Whether a line (masked, comments blank) declares too, or goes on with the declarations."""
    sl = _without_attributes("+" + sline)
    return _declares(sl) or _declaration_patterns()["continues"].search(sl) is not None


# every word the attribute pattern strips starts with `__`, or is const, volatile or fastcall
_ATTRIBUTE_HINT = lazy("__|const|volatile|fastcall")


def _without_attributes(text):
    return _declaration_patterns()["strip"].sub("", text) if _ATTRIBUTE_HINT.search(text) else text


@lru_cache(maxsize=16384)
def _declares(stripped):
    """Whether a line (its attributes stripped) is a declaration as checkpatch sees one: asked of a line
    as the line after declarations, then again as the line before the next (the same text)."""
    return _declaration_patterns()["decl"].search(stripped) is not None


# checkpatch's `(?:$Compare|$Assignment|$Operators)\s*$|(?:\{\s*|\\)$`: each of its operators ends
# with one of these characters and each of them is one; a search of that pattern tries every place
_OPEN_ENDS = frozenset("<>=!~&|,^+-*/%{")


def _not_a_declaration(stripped):
    """What makes checkpatch take a line it matched as a declaration for code: a C keyword first, an
    operator or `{` last, a continued line."""
    return _declaration_patterns()["keyword"].match(stripped) is not None \
        or stripped.rstrip(" \t\n\r\f\v")[-1:] in _OPEN_ENDS or stripped.endswith(("\\", "\\\n"))


# The line before a line LINE_SPACING may report, in a file's masked lines joined: a `}` or `};`
# alone before a line that is not blank (a masked line is blank only where the line is) and that
# may not follow it right away (_AFTER_BLOCK_OK, its `\s` kept inside the line), or a line that may
# declare (`_MAY_DECLARE`) and the next at the same indent (then code).
# A word then `(` declares only as a macro (DEFINE_MUTEX(...), an upper-case word), a type before
# `(*name)`, typeof(...) or an attribute: not a call such as `foo(x);`, a third of what `_MAY_DECLARE`
# lets through. Led by the "\n" before the line: the engine jumps from one line start to the next.
_AFTER_BLOCK_OK_IN_LINE = _AFTER_BLOCK_OK_TEXT.replace(r"\s", r"[ \t\r\f\v]")
_TYPE_WORDS = ("void", "char", "short", "int", "long", "signed", "unsigned", "float", "double", "bool", "uchar",
               "ushort", "uint", "ulong", "u_char", "u_short", "u_int", "u_long", "typeof", "__typeof__",
               "__aligned", "__alloc_size")
_MAY_DECLARE_BEFORE_PAREN = (r"(?=[a-z_]*+[A-Z\d]|(?:" + "|".join(_TYPE_WORDS) + r")(?!\w)|\w*?_(?:t|handler|handler_fn)(?!\w))"
                             r"[A-Za-z_]\w*+[ \t\r\f\v]*\(")
# A line that starts with a C keyword, or ends with an operator, `{` or a `\\`, is no declaration
# (`_not_a_declaration`): a line before that is not read either.
_NOT_KEYWORD = r"(?!(?:do|for|while|if|else|return|goto|continue|switch|default|case|break)\b)"
_NOT_OPEN_END = r"[^\n]*[^<>=!~&|,^+\-*/%{ \t\r\f\v\n][ \t\r\f\v]*(?<!\\)\n"
# The next line is not read when it declares too, by the shape of checkpatch's declaration pattern
# that most declarations have (`int err;`, `struct sk_buff *skb = NULL;`, `unsigned int i;`: a type
# name, blanks or stars, a name, then `=`, `,`, `;` or `[`), with no word the rule would strip first
# (`__rcu`, `const`): nine lines in ten of those the rule would read. Group 2 is where the line
# after it starts. Runs of blanks are possessive: what follows them is never a blank.
_PLAIN_DECLARATION = (r"(?![^\n]*(?:__|const|volatile|fastcall))(?:(?:struct|union|enum)[ \t]++[A-Za-z_]\w*+|"
                      r"unsigned[ \t]++(?:int|long|short|char)|[A-Za-z_]\w*+)(?:[ \t]++|[ \t]*+\*++[ \t]*+)"
                      r"[A-Za-z_]\w*+[ \t]*+[=,;\[]")
_MAY_END_BLOCK_OR_DECLARE = lazy(r"\n(?=(?:\};?[ \t\r\f\v]*+\n(?![ \t\r\f\v]*+\n)(?!" + _AFTER_BLOCK_OK_IN_LINE
                                 + ")|([ \t\r\f\v]++)" + _NOT_KEYWORD
                                 + r"(?:[A-Za-z_]\w*+(?:[ \t\r\f\v]++[A-Za-z_*]|[ \t\r\f\v]*+\*)|"
                                 + _MAY_DECLARE_BEFORE_PAREN + ")" + _NOT_OPEN_END + r"(?=\1[^\s\x1c])(?!\1"
                                 + _PLAIN_DECLARATION + "))())", re.ASCII)


def after_block_or_declaration(joined):
    """The added CodeLines whose line before matches _MAY_END_BLOCK_OR_DECLARE (a tenth of them)."""
    text = joined.framed
    if text is None:
        return joined.every_added()
    # the line after each match's starts at group 2; at offset k of `framed` is offset k - 1 of the
    # joined lines, where `starts` holds the start of each line (a bisection: no count of the "\n"
    # between matches, a tenth of the text apart)
    starts, sequence, code_lines = joined.starts, joined.sequence, joined.code_lines
    found = []
    for match in _MAY_END_BLOCK_OR_DECLARE.finditer(text):
        index = bisect_left(starts, match.start(2) - 1)
        if index < len(sequence) and sequence[index][0].kind == "+":
            found.append(code_lines[sequence[index][0].patch_line])
    return found


def line_spacing_problem(code_line, file, strict):
    """The blank line missing after a block or declarations before a non-blank added line, or None."""
    line = code_line.line
    text = line.text
    if not text.strip():
        return None
    prev = code_line.prev_code
    if prev[:1] == "}" and strict and _BLOCK_END.match(prev) and not _AFTER_BLOCK_OK.search(code_line.code):
        return Hit("Please use a blank line after function/struct/union/enum declarations",
                   patch_line=line.patch_line, file=file.path, line=line.new_line,
                   quote="+" + text, level=CHECK)
    if _missing_blank_after_declarations(code_line):
        return Hit.at(line, file, "Missing a blank line after declarations")
    return None
