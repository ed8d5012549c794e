"""One C statement as checkpatch cuts it out of a hunk: from a line to the `;` or the closing `}` at
the outer level, and the condition (`if (...)`, `else`) at its head.

checkpatch reads the lines of a hunk (removed lines skipped) as one text, each line with its diff
marker (`+` or a space), and walks it character by character: parentheses and braces nest, a
`#define` runs to its unescaped line end, `#if`/`#else`/`#endif` restore the nesting of their
branch. The walk pulls in the next line only when it runs off the text so far, so a statement costs
the lines it spans, not the rest of the hunk.
"""

from __future__ import annotations

from ..lazy_regex import lazy
from ._brackets import balanced_end, nested_group
from ._line_scans import masked_text

_DEFINE = lazy(r".\s*#\s*define")
_IF = lazy(r"#\s*(?:ifndef|ifdef|if)\s")
_ELSE = lazy(r"#\s*(?:else|elif)\b")
_ENDIF = lazy(r"#\s*endif\b")
_BARE_ELSE = lazy(r"(else)(?:\s|{)")
_ELSE_IF = lazy(r"else\s+if\b")
_INTERESTING = lazy(r"[#;(){}\ne]")
_CONDITION_LINES = 8  # how far a condition is followed


def condition_text(code_line, start):
    """The parenthesized text from `start` (the index of a `(` in a CodeLine's code) to its close,
    following the next lines of the hunk, joined as checkpatch joins a statement; None if it does
    not close within them."""
    text = code_line.code[start:]
    end = balanced_end(text, 0)  # most conditions close on their line: no other line to join
    if end is not None:
        return text[:end]
    joined = "\n+".join([text] + [code for _, code in code_line.following(_CONDITION_LINES)])
    end = balanced_end(joined, 0)
    return joined[:end] if end is not None else None


def groups_after_prefix(pattern, text):
    """The first groups of the matches of `prefix` + `pattern`, one after the other as finditer
    finds them, where `pattern` starts with a `(` and a lookbehind that the character before it is
    not a word, `&`, `!` or `~`, and `prefix` is checkpatch's `(?:^|[^\\w&!~])+\\s*` (at least one
    such character, or the text's start; blanks are such characters). Such a prefix stretches
    from where a search starts to the `(`; its search tries every offset, this one jumps from `(`
    to `(`. The one difference: the prefix needs a character at the offset a later search starts
    from, so a match may not start there."""
    pos = 0
    while True:
        found = pattern.search(text, pos)
        if found is not None and found.start() == pos > 0:
            found = pattern.search(text, pos + 1)
        if found is None:
            return
        yield found.group(1)
        pos = found.end()


def statement_block(sequence, start: int, end: int, past_condition: int | None = None) -> tuple[str, str, int]:
    """(statement, condition, lines read) of the statement that starts at `sequence[start]`, where
    `sequence` holds (DiffLine, masked text) and `end` is where the hunk ends in it. Both texts keep
    the diff markers and line ends, as checkpatch's do. With `past_condition`, the walk stops that
    many lines after the condition's end (for a caller that reads only the start of the body: a
    block of a thousand lines is not walked for each `if` in it)."""
    block, next_line = "", start
    # a `do` has no condition to wait for, and no condition runs this long
    stop = end if past_condition is None else min(end, start + 4 * past_condition)
    limit_pending = past_condition is not None
    offset, cond_end, cond_set = 0, -1, False
    kind, level = "", 0
    stack = []
    while True:
        stack = stack or [("", 0)]
        if offset >= len(block):
            if next_line < stop:
                line, code = sequence[next_line]
                block += ("+" if line.kind == "+" else " ") + code + "\n"
                next_line += 1
            if offset >= len(block):
                break
            if level == 0 and _DEFINE.match(block, offset):
                level, kind = level + 1, "#"
        found = _INTERESTING.search(block, offset)  # the other characters change nothing: jump over them
        if found is None:
            offset = len(block)
            continue
        offset = found.start()
        char, previous = block[offset], block[offset - 1] if offset else None
        if char == "#":
            if _IF.match(block, offset):
                stack.append((kind, level))
            elif _ELSE.match(block, offset):
                kind, level = stack[len(stack) - 2]  # checkpatch's [$#stack - 1]: the last when only one
            elif _ENDIF.match(block, offset):
                kind, level = stack.pop()
        if level == 0 and char == ";":
            break
        if (level == 0 and not cond_set and (previous is None or previous in " \t\n\r\f\v}+")
                and char == "e" and _BARE_ELSE.match(block, offset) and not _ELSE_IF.match(block, offset)):
            cond_end, cond_set = offset + 3, True
        if kind in ("", "(") and char == "(":
            level, kind = level + 1, "("
        if kind == "(" and char == ")":
            level -= 1
            kind = "(" if level else ""
            if level == 0 and cond_end < 0:
                cond_end, cond_set = offset, True
        if cond_set and limit_pending:  # the condition just ended: read only so far past it
            stop, limit_pending = min(end, next_line + past_condition), False
        if kind in ("", "{") and char == "{":
            level, kind = level + 1, "{"
        if kind == "{" and char == "}":
            level -= 1
            kind = "{" if level else ""
            if level == 0:
                offset += block[offset + 1:offset + 2] == ";"  # a `};` ends with its semicolon
                break
        if kind == "#" and char == "\n" and previous != "\\":
            level, kind = level - 1, ""
            offset += 1
            break
        offset += 1
    return block[:offset + 1], block[:cond_end + 1], next_line - start


# The `if` conditions ASSIGN_IN_IF and UNNECESSARY_PARENTHESES may report, found in a file's masked
# text by one search that jumps to each `if` (`if(?<!\wif)` is `\bif`). Most conditions are proved
# clean by one match: a balanced `(...)` (over lines, as `condition_text` joins them; the judge's
# "\n+" between lines and the text's "\n" are alike to both rules) whose every `=` is one of `==`,
# `<=`, `>=`, `!=` (`statements._ASSIGNMENT` finds none: a `=` after `<`, `>`, `!` or `=`, or before
# `=`), or whose every inner `(` follows a word, `&`, `!` or `~` (a call's: `_PAREN_NOT_CALLED` finds
# none). A condition nested deeper, or not closed, is left to the judge.
_IF_OPEN = r"if(?<![A-Za-z0-9_]if)[ \t\r\f\v]*+"
_ASSIGNING_IF = lazy(_IF_OPEN + r"(?!" + nested_group(r"\(", r"\)", r"(?:[^()=<>!]|[<>!]=?|==)") + r")\(")
_UNCALLED_PARENTHESES_IF = lazy(_IF_OPEN + r"(?!" + nested_group(r"\(", r"\)", r"[^()]",
                                                                 inner_opener=r"(?<=[A-Za-z0-9_&!~])\(") + r")\(")


# The lines MULTIPLE_ASSIGNMENTS may report: a `=`, then the start of a name, the rest of the name
# (no `=`, `;`, except inside `[...]`), another `=` that is no `==` (the search jumps to each `=`;
# the rule's own pattern starts with `^\s*`, tried line by line)
_ASSIGNED_TWICE = lazy(r"=[^\S\n]*+[A-Za-z_](?:[^\n=;\[]++|\[[^\]\n]*+\])*+=(?!=)")


def _lines_found(pattern, file, ctx):
    joined = masked_text(file, ctx)
    return joined.added(joined.positions((pattern, (0,)))) if joined is not None else []


def assigning_if_lines(file, added, ctx):
    """The positions in `added.lines` of the lines holding an `if (` whose condition may assign."""
    return _lines_found(_ASSIGNING_IF, file, ctx)


def uncalled_parentheses_if_lines(file, added, ctx):
    """The positions in `added.lines` of the lines holding an `if (` whose condition may hold
    parentheses that no call, `&`, `!` or `~` leads."""
    return _lines_found(_UNCALLED_PARENTHESES_IF, file, ctx)


def assigned_twice_lines(file, added, ctx):
    """The positions in `added.lines` of the lines that may assign one value to two names."""
    return _lines_found(_ASSIGNED_TWICE, file, ctx)
