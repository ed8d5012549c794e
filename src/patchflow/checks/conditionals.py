"""The bodies of C conditionals and loops as checkpatch reads their layout: the first line of a
body indented one tab deeper than its `if`, no `else` after a `return`, `} else` on one line.

SUSPECT_CODE_INDENT reads a statement the way checkpatch does (`_statement.statement_block`, over
the masked lines of the hunk), so it is anchored on context lines too: an unchanged `if` whose body
an added line misindents is reported at the `if`, as checkpatch reports it.
"""

from __future__ import annotations

import re
from itertools import accumulate

from . import ERROR, WARNING, Hit, check
from ._ccode import COMMENT, is_c, lines_of, on_added_lines
from ._hunk_places import hunk_places
from ._line_scans import FoundBy, masked_text
from ._brackets import nested_group
from ._lines import added_lines, lines_holding
from ._statement import statement_block
from ..lazy_regex import lazy

TAB = 8
_CONDITIONAL = lazy(r"\b(?:(?:if|while|for|(?:[a-z_]+|)for_each[a-z_]+)\s*\(|(?:do|else)\b)")
_DIRECTIVE = lazy(r"^\s*#")
_DO_WHILE_END = lazy(r"\}\s*while\s*")
_CONTINUED_DEFINE = lazy(r"^\s*#\s*define\s|\\\s*$")
_SKIPPED = lazy(r"^\s*?\n|^\s*#|^\s*[A-Za-z_][A-Za-z\d_]*(?:\s*\#\#\s*[A-Za-z_][A-Za-z\d_]*)*\s*:")
_BODY_LINES = 3  # lines read past a condition for its body's first line (more when they are all skipped)
_CLOSER = lazy(r"^\s*(?:\}|\{|else\b)")


_LEADING_BLANKS = lazy(r"\s*")
_DIFF_MARKER = lazy(r"\n.", re.S)
_CONTINUATION_ALONE = lazy(r"\n\s+\\\n")
_TO_DO = lazy(r"^.*\bdo\b")
_OPEN_BRACE_FIRST = lazy(r"^\s*{")
_BACKSLASH_FIRST = lazy(r"^\s*\\")
_LINE_END_FIRST = lazy(r"^\s*?\n")
_ELSE_DIRECTIVE = lazy(r"^\s*\#\s*(?:else|elif)")
_CONTINUED_LINE = lazy(r"^.*?\\\n")
_FIRST_LINE = lazy(r"^.*?\n")


def _indent(text: str) -> int:
    white = _LEADING_BLANKS.match(text).group(0)
    return len(white.expandtabs(TAB)) if "\t" in white else len(white)


def _body(statement: str, condition: str):
    """(text after the condition, lines the condition and skipped lines take, whether the body
    starts on a line of its own), as checkpatch measures them before comparing indents."""
    body = statement[len(condition):].replace(COMMENT, " ")
    lines = condition.count("\n")  # checkpatch's count: the line after the condition is 1
    body = _DIFF_MARKER.sub("\n", body)  # drop the diff markers
    while _CONTINUATION_ALONE.search(body):
        body, joined = _CONTINUATION_ALONE.subn("\n", body)
        lines += joined
    body = _TO_DO.sub("", body, count=1)
    body = _OPEN_BRACE_FIRST.sub("", body, count=1)
    continued = _BACKSLASH_FIRST.match(body) is not None
    if continued:
        body = _BACKSLASH_FIRST.sub("", body, count=1)
    own_line = _LINE_END_FIRST.match(body) is not None
    if own_line:
        body = _LINE_END_FIRST.sub("", body, count=1)
        lines += 1
    return body, lines, own_line, continued


def _first_body_line(body: str, lines: int):
    """Skip blank lines, preprocessor lines and labels (and the lines they continue); an #else or
    #elif on the way means the code is not linear. (text, lines, linear)."""
    linear, continuation, seen = True, False, -1
    while seen != lines:
        seen = lines
        if _ELSE_DIRECTIVE.match(body):
            linear = False
        if continuation or _SKIPPED.match(body):
            continuation = _CONTINUED_LINE.match(body) is not None
            body, cut = _FIRST_LINE.subn("", body, count=1)
            lines += cut
    return body, lines, linear


def _first_line_after(sequence, index, end, past_condition):
    """(body's first line, its distance from the conditional, linear, fully read) or None when
    checkpatch would not check this statement."""
    statement, condition, read = statement_block(sequence, index, end, past_condition)
    body, lines, checked, continued = _body(statement, condition)
    previous = sequence[index - 1][1] if index else ""
    if _CONTINUED_DEFINE.search(previous) and not continued:
        return None
    body, lines, linear = _first_body_line(body, lines)
    return body, lines, checked and linear, index + read >= end


# The lines `_CONDITIONAL` finds in, by scans of the file's masked text that jump to a literal: a
# search of `_CONDITIONAL` itself starts with `\b`, tried at every offset, and its `for_each` branch
# backtracks over every word. `(?<!\wif)` after `if` is the `\b` before it.
_CONDITIONAL_WORDS = tuple((lazy(pattern), (0,)) for pattern in (
    r"if(?<!\wif)[^\S\n]*\(", r"while(?<!\wwhile)[^\S\n]*\(", r"for(?<!\wfor)[^\S\n]*\(",
    r"do(?<!\wdo)\b", r"else(?<!\welse)\b"))
_FOR_EACH = (lazy(r"for_each[a-z_]+[^\S\n]*\("), (0,))  # without the word before it: then `_CONDITIONAL`


def _unproved(word):
    """The scan of `word(` (`if`, `while`, `for`) that leaves out most lines `_plainly_in_step`
    lets go, proved by the same match of the masked text: the line is tabs (at most 7), then the
    word (code: the raw text has the same tabs and word), its parentheses are balanced groups (as
    many `(` as `)`), the next line has one tab more and starts with code that is no blank and no `#`,
    and neither line holds a backslash, nor the next one a `:` or `#` (`_SKIPPED`). The next line
    must also be in the hunk: `suspect_code_indent` adds back the last line of each hunk.
    Also left out: a condition over several lines (as `statement_block` reads it: a balanced group
    with no brace, `;`, `#` or backslash, then only `{` on its last line) whose body's first line
    is such a line, one tab deeper than the word's and not `{` (`_body` would skip it)."""
    line_rest = r"(?:[^()\n\\]++|" + nested_group(r"\(", r"\)", r"[^()\n\\]", 4) + r")*+\n"
    condition = r"[^\S\n]*+" + nested_group(r"\(", r"\)", r"[^(){};#\\]", 4) + r"[ \t]*+(?:\{[ \t]*+)?\n"
    body = r"[^\n:#\\]*+(?=\n)"
    in_step = "|".join(r"(?<=\n" + tabs + word + ")(?:" + line_rest + tabs + r"\t[^\s#\x1cX]"
                       + "|" + condition + tabs + r"\t[^\s#\x1cX{])" + body
                       for tabs in ("\t" * depth for depth in range(8)))
    return lazy(word + r"(?<!\w" + word + r")(?!" + in_step + r")[^\S\n]*\("), (0,)


# the same, less the lines proved in step with the next (most of the `if`s, `while`s and `for`s)
_UNPROVED_WORDS = (*(_unproved(word) for word in ("if", "while", "for")), *_CONDITIONAL_WORDS[3:])


def _conditional_lines(joined):
    """The positions in the file's sequence of the lines `_CONDITIONAL` finds a conditional in,
    less most of those `_plainly_in_step` lets go when the line after them is in their hunk."""
    # the proofs read the "\n" between lines: not where a line holds one
    found = joined.positions(*(_UNPROVED_WORDS if joined.framed is not None else _CONDITIONAL_WORDS))
    more = [index for index in joined.positions(_FOR_EACH) if _CONDITIONAL.search(joined.sequence[index][1])]
    return sorted(set(found).union(more)) if more else found


def _plainly_in_step(text, code, next_line, next_code) -> bool:
    """The common case, settled without reading the statement: the condition closes on its line
    and the next line, a plain statement, is exactly one tab deeper (no finding can follow)."""
    if code.count("(") != code.count(")") or code.rstrip().endswith("\\") or next_code.rstrip().endswith("\\"):
        return False
    head = len(text) - len(text.lstrip("\t"))
    if text[head:head + 1] in (" ", "\f", "\v") or not next_line.text.startswith("\t" * (head + 1)):
        return False
    rest = next_line.text[head + 1:]
    # a line _SKIPPED matches holds a `:` (a label) or a `#` (a directive): most hold neither
    return bool(rest) and not rest[0].isspace() and rest[0] != "#" and not (
        (":" in next_code or "#" in next_code) and _SKIPPED.match(next_code))


def _suspect_indent(sequence, index, end):
    line, code = sequence[index]
    found = _first_line_after(sequence, index, end, _BODY_LINES)
    if found is not None and found[0] == "" and not found[3]:
        found = _first_line_after(sequence, index, end, None)  # the walk stopped too early: read it all
    if found is None:
        return None
    body, lines, checked, _ = found
    if not checked or body == "":
        return None
    if index + lines >= end:
        real_added = False
    else:
        real_added = sequence[index + lines][0].kind == "+"
    if line.kind != "+" and not real_added:
        return None  # neither the conditional nor its body line is this patch's
    indent, body_indent = _indent(line.text), _indent(body)
    if (body_indent % TAB or body_indent < indent or body_indent > indent + TAB
            or (body_indent == indent and not _CLOSER.match(body))):
        return f"suspect code indent for conditional statements ({indent}, {body_indent})"
    return None


@check("SUSPECT_CODE_INDENT", level=WARNING, scope="patch")
def suspect_code_indent(patch, ctx):
    """The first line of a conditional's or loop's body is not indented one tab deeper than it.

    ## What it does
    For each `if`, `while`, `for`, `for_each...`, `do` and `else` of a .c or .h file whose body
    starts on the next line, compares the indent of that first body line (blank lines, labels and
    preprocessor lines skipped) with the conditional's: it must be one tab deeper, or the same for
    a `{`, `}` or `else`. Reported when the conditional or that body line is added, at the
    conditional's line.

    ## Why is this bad?
    The indent is what a reader trusts to see which lines a condition governs; a body at the
    wrong depth reads as outside the `if` (or a statement after it as inside), the shape of the
    "goto fail" bug. Documentation/process/coding-style.rst: tabs of 8, one per level.

    ## Example
    ```bad
     	if (!ring)
    +	return -EINVAL;
     	return 0;
    ```

    ```good
     	if (!ring)
    +		return -EINVAL;
     	return 0;
    ```

    ## Fix
    Indent the body one tab deeper than its conditional; if the line belongs after it, add braces
    or move it so the structure shows.
    """
    for file in patch.files:
        if file.is_binary or not is_c(file.path):
            continue
        added = lines_of(file, ctx)
        if not added:
            continue
        some = next(iter(added.values()))
        sequence, ends = some.sequence, some.hunk_ends
        # a hunk's last line is judged whatever follows it (a line proved in step may be one)
        last_lines = [end - 1 for end in accumulate(len(lines) for lines, _ in ctx.sources.masked_hunks(file))]
        for index in sorted(set(_conditional_lines(masked_text(file, ctx))).union(
                index for index in last_lines if _CONDITIONAL.search(sequence[index][1]))):
            line, code = sequence[index]
            if _DIRECTIVE.match(code) or _DO_WHILE_END.search(code):
                continue
            if index + 1 < ends[index] and _plainly_in_step(line.text, code, *sequence[index + 1]):
                continue
            message = _suspect_indent(sequence, index, ends[index])
            if message is not None:
                yield Hit.at(line, file, message, patch=patch)


_BARE_ELSE_LINE = lazy(r"^(\t+)(?:}[ \t]*)?else(?:[ \t]*{)?\s*$")


def _else_after_exit(text: str, previous: str, following) -> bool:
    """Whether a bare `else` line follows a `break`, or a `return` not answered by another
    `return` after the else, one tab deeper (the texts without diff markers; `following` is the
    next line of the hunk with its marker, or None)."""
    match = _BARE_ELSE_LINE.match(text)
    if match is None:
        return False
    deeper = len(match.group(1)) + 1
    if re.match(r"\t{%d}break\b" % deeper, previous):
        return True
    if not re.match(r"\t{%d}return\b" % deeper, previous):
        return False
    return following is None or not re.match(r"[ +]\t{%d}return" % deeper, following)


# A bare `else` line right after a `break` or `return` line, in the joined added lines (the lines the
# rule reads are both added; `\b` after the word is Unicode's, so the scan's ASCII test lets more
# through); the search jumps to each `\tbreak` and `\treturn`
_AFTER_EXIT = tuple(lazy("\t" + word + r"(?![A-Za-z0-9_])[^\n]*+\n\t++(?:\}[ \t]*+)?else")
                    for word in ("break", "return"))


def _else_after_exit_lines(added):
    """The positions in `added.lines` of the `else` lines `_else_after_exit` may accept."""
    if not added.joined:
        return lines_holding("else", added)
    return added.indexes(sorted(match.end() - 1 for scan in _AFTER_EXIT for match in scan.finditer(added.text)))


@check("UNNECESSARY_ELSE", level=WARNING, scope="patch")
def unnecessary_else(patch, ctx):
    """An added `else` follows a branch that ends in `return` or `break`.

    ## What it does
    Reports an added line holding only `else` (or `} else {`) of a .c or .h file when the added
    line before it is a `break`, or a `return`, one tab deeper, unless the other branch also
    starts with a `return` (`if (x) return a; else return b;`, kept symmetric).

    ## Why is this bad?
    The branch before cannot fall through, so the `else` only adds a level of indentation to
    the code after it; Documentation/process/coding-style.rst prefers shallow code, and the
    early-return style is what reviewers expect.

    ## Example
    ```bad
    +	if (!ring)
    +		return -EINVAL;
    +	else
    +		ring->head = 0;
    ```

    ```good
    +	if (!ring)
    +		return -EINVAL;
    +	ring->head = 0;
    ```

    ## Fix
    Drop the `else` and move its branch one tab to the left.
    """
    for file in patch.files:
        if file.is_binary or not is_c(file.path):
            continue
        added = added_lines(file, ctx)
        for hunk, index in hunk_places(file, [added.lines[index] for index in _else_after_exit_lines(added)]):
            line = hunk.lines[index]
            code_line = lines_of(file, ctx).get(line.patch_line)
            if code_line is None or code_line.prev is None or code_line.prev.kind != "+":
                continue
            after = hunk.lines[index + 1] if index + 1 < len(hunk.lines) else None
            following = None if after is None else ("+" if after.kind == "+" else after.kind) + after.text
            if _else_after_exit(code_line.code.replace(COMMENT, " "), code_line.prev_code, following):
                yield Hit.at(line, file, "else is not generally useful after a break or return", patch=patch)


_ENDS_WITH_CLOSE = lazy(r"}\s*$")
_ELSE_FIRST = lazy(r"\s*else")


# a line ending with `}` (blanks after it Unicode's, as `_ENDS_WITH_CLOSE` reads them: a comment is
# one), then a line starting with `else`, in the masked text (the search jumps to each `}`)
_ELSE_AFTER_CLOSE = lazy(r"\}[^\S\n]*+\n[^\S\n]*+else")


def _else_after_close_lines(file, added, ctx):
    joined = masked_text(file, ctx)
    return joined.added(joined.positions((_ELSE_AFTER_CLOSE, (0,)))) if joined is not None else []


@check("ELSE_AFTER_BRACE", level=ERROR, scope="patch")
@on_added_lines(is_c, lines=_else_after_close_lines)
def else_after_brace(line, file, ctx):
    """An added `else` starts a line after a line that ends in the `}` it belongs to.

    ## What it does
    Reports an added line of a .c or .h file that starts with `else` when the line before it ends
    with `}` at the same indent.

    ## Why is this bad?
    Documentation/process/coding-style.rst ("Placing Braces and Spaces"): the closing brace is on
    a line of its own except when followed by the continuation of the same statement, as in
    `} else {`; the split form takes a line and hides that the two belong together.

    ## Example
    ```bad
    +	if (ring) {
    +		ring->head = 0;
    +		ring->tail = 0;
    +	}
    +	else if (priv) {
    +		pr_warn("no ring\\n");
    +		return -EINVAL;
    +	}
    ```

    ```good
    +	if (ring) {
    +		ring->head = 0;
    +		ring->tail = 0;
    +	} else if (priv) {
    +		pr_warn("no ring\\n");
    +		return -EINVAL;
    +	}
    ```

    ## Fix
    Join the lines: `} else {`.
    """
    code_line = lines_of(file, ctx).get(line.patch_line)
    if code_line is None or code_line.prev is None or not _ENDS_WITH_CLOSE.search(code_line.prev_code):
        return None
    if not _ELSE_FIRST.match(code_line.code) or _indent(code_line.prev.text) != _indent(line.text):
        return None
    return "else should follow close brace '}'"


# the comments checkpatch takes for a fall-through annotation (searched in a line's comment text)
_FALLTHROUGH_COMMENT = lazy(r"fallthrough|@fallthrough@|lint -fallthrough[ \t]*|"
                            r"intentional(?:ly)?[ \t]*fall(?:(?:s | |-)[Tt]|t)hr(?:ough|u|ew)|"
                            r"(?:else,?\s*)?FALL(?:S | |-)?THR(?:OUGH|U|EW)[ \t.!]*(?:-[^\n\r]*)?|"
                            r"Fall(?:(?:s | |-)[Tt]|t)hr(?:ough|u|ew)[ \t.!]*(?:-[^\n\r]*)?|"
                            r"fall(?:s | |-)?thr(?:ough|u|ew)[ \t.!]*(?:-[^\n\r]*)?")


# Every text `_FALLTHROUGH_COMMENT` finds holds `thr`, `Thr` or `THR` (a comment's text is one run of
# the line: its delimiters stand between two comments); three jumps from one to the next find the
# lines holding them for a third of the time a search of `(?i)fall|thr` (the former needle) takes
_FALLTHROUGH_SPELLINGS = (lazy("thr"), lazy("Thr"), lazy("THR"))
_FALL_OR_THROUGH = lazy(r"(?i)fall|thr")


@check("PREFER_FALLTHROUGH", level=WARNING, scope="patch")
@on_added_lines(is_c, lines=FoundBy(_FALLTHROUGH_SPELLINGS, _FALL_OR_THROUGH))
def prefer_fallthrough(line, file, ctx):
    """An added comment says "fall through" where the `fallthrough;` statement belongs.

    ## What it does
    Reports an added line of a .c or .h file whose comment text says `fall through`,
    `fallthrough`, `FALLTHRU`, `intentionally fall through` and the like.

    ## Why is this bad?
    Documentation/process/deprecated.rst ("Implicit switch case fall-through"): the kernel builds
    with -Wimplicit-fallthrough, and only the `fallthrough;` pseudo-keyword tells every compiler
    and static analyser that the missing `break` is intended; a comment convinces none of them
    reliably.

    ## Example
    ```bad
     	case VETH_SMALL:
     		veth_refill_small(ring);
    +		/* fall through */
     	case VETH_BIG:
    ```

    ```good
     	case VETH_SMALL:
     		veth_refill_small(ring);
    +		fallthrough;
     	case VETH_BIG:
    ```

    ## Fix
    Replace the comment with `fallthrough;`.
    """
    code_line = lines_of(file, ctx).get(line.patch_line)
    if code_line is None or COMMENT not in code_line.code:
        return None
    comment = "".join(raw for raw, masked in zip(line.text, code_line.code) if masked == COMMENT)
    if _FALLTHROUGH_COMMENT.search(comment):
        return "Prefer 'fallthrough;' over fallthrough comment"
    return None
