"""The C types and prototype heads AVOID_EXTERNS and FUNCTION_ARGUMENTS read, and the added lines that
may start a prototype, found once per file for both.

A "head" is an added line that holds a `(` and ends its statement or goes on with the next argument
(`;`, `,` or `(` at its end). A corpus of new files has 23,500 of them in 145,000 lines; 1,800 start
with a type, and a few hundred match a prototype pattern. Each match of a head costs about a
microsecond whichever pattern, so the heads are matched once for the type both patterns start with.
"""

from __future__ import annotations

from ..lazy_regex import lazy

TYPE = (r"(?:const\s+)?(?:(?:struct|union|enum)\s+[A-Za-z_]\w*|(?:(?:un)?signed\s+)?(?:long\s+long|long|short|int|char)"
        r"(?:\s+int)?|void|bool|float|double|(?:un)?signed|[A-Za-z_]\w*_t|__?[us](?:8|16|32|64)|[us](?:8|16|32|64)|"
        r"__(?:le|be)(?:16|32|64))\b(?:\s+const)?")
# what both patterns below match first: a head it does not match is neither's
_TYPED_START = r"^\s*(?:extern\s+)?" + TYPE
C_PROTOTYPE = lazy(_TYPED_START + r"(?:\s|\*)*?\s([A-Za-z_]\w*)\s*\(")
FUNCTION_DECLARATION = lazy(_TYPED_START + r"[\s\*]*(?:[A-Za-z_]\w*|\(\s*\*\s*[A-Za-z_]\w*\s*\))\s*\(")
_TYPED_HEAD_START = lazy(_TYPED_START)


def is_head(text: str) -> bool:
    """Whether an added line may start a prototype: a `(`, and the line ends its statement or goes on
    with the next argument."""
    return "(" in text and text.rstrip().endswith((";", ",", "("))


def typed_heads(added, ctx) -> list[int]:
    """The positions (in order) of the heads among `added.lines` (`_lines.AddedLines`) that start with
    a type, as C_PROTOTYPE and FUNCTION_DECLARATION do: found once per file and run for both."""
    return ctx.once(_find_typed_heads, added)


def _find_typed_heads(added, ctx) -> list[int]:
    # one comprehension, is_head's test written out: `(` is in most lines of C, where lines_holding
    # tests each line anyway, and a call of is_head a line costs a fifth more
    return [index for index, line in enumerate(added.lines)
            if "(" in line.text and line.text.rstrip().endswith((";", ",", "(")) and _TYPED_HEAD_START.match(line.text)]


def heads_matching(added, ctx, pattern) -> list[int]:
    """The positions (in order) of the heads whose text `pattern` (C_PROTOTYPE or FUNCTION_DECLARATION)
    matches."""
    lines = added.lines
    return [index for index in typed_heads(added, ctx) if pattern.match(lines[index].text)]
