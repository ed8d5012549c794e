"""The layout of C lines around each other: blank lines, line starts and ends, block comments.

Each check reads the line before a line (added or context) as checkpatch does, from the line's
`_ccode.CodeLine`, and judges only the lines that one search of the file's joined lines finds
(`_line_scans.MaskedText`): a line that starts with a space, ends with `(`, follows a line opening a comment.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import CHECK, WARNING, Hit, check
from ._ccode import COMMENT, code_line_of, is_c, is_styled, on_added_lines, patterns
from ._blank_fixes import fix_indent_with_tabs
from ._line_scans import files_with_added_code, masked_text
from ._line_spacing_rules import after_block_or_declaration, line_spacing_problem, repeated_blanks
from ..lazy_regex import lazy
from ..report import DELETE_LINE

def _fix_line_spacing(text, finding, path):
    """A blank line before the line that follows the declarations or a definition; the second of
    two blank lines deleted."""
    if finding.message.startswith(("Missing a blank line after declarations", "Please use a blank line after")):
        return "\n" + text
    if finding.message == "Please don't use multiple blank lines" and not text.strip():
        return DELETE_LINE
    return None


@check("LINE_SPACING", level=WARNING, scope="patch", fix=_fix_line_spacing)
def line_spacing(patch, ctx):
    """A blank line is missing after declarations or a definition, or two blank lines follow each other.

    ## What it does
    In C, headers and device tree files, reports (as checkpatch does, by looking at the line before):
    an added statement right after the local variable declarations it follows at the same indent
    ("Missing a blank line after declarations", a warning); an added line right after the `}` or
    `};` that ends a function, struct, union or enum ("Please use a blank line after
    function/struct/union/enum declarations", a check); an added blank line after another blank
    line ("Please don't use multiple blank lines", a check). The last two need `--strict`.

    ## Why is this bad?
    Documentation/process/coding-style.rst separates declarations from code and functions from each
    other with one blank line; reviewers read the block of declarations at a glance. Two blank lines
    in a row are noise that the next cleanup patch removes.

    ## Example
    ```bad
     static int example_open(int fd, void *value)
     {
    +	int err = 0;
    +	if (!value)
    +		return -EINVAL;
     	return err;
     }
    ```

    ```good
     static int example_open(int fd, void *value)
     {
    +	int err = 0;
    +
    +	if (!value)
    +		return -EINVAL;
     	return err;
     }
    ```

    ## Fix
    Put one blank line after the declarations and after each function or type definition; delete the
    second of two blank lines.
    """
    strict = ctx.options.strict
    for file, joined in files_with_added_code(patch, is_styled, ctx):
        if strict:
            for line in repeated_blanks(joined):
                yield Hit("Please don't use multiple blank lines", patch_line=line.patch_line, file=file.path,
                          line=line.new_line, quote="+" + line.text, level=CHECK)
        for code_line in after_block_or_declaration(joined):
            hit = line_spacing_problem(code_line, file, strict)
            if hit is not None:
                yield hit


_LABEL_OR_DIRECTIVE = lazy(r"^ *(?:\x1c|#|[A-Za-z_][A-Za-z\d_]*:)", re.ASCII)
# the "\n" before a masked line that starts with a blank or a string's masked text: where a line that
# starts with a space is not in a comment (masked there, it matches _LABEL_OR_DIRECTIVE)
_BEFORE_SPACE = lazy(r"\n[ X]")


@check("LEADING_SPACE", level=WARNING, scope="patch", fix=fix_indent_with_tabs)
def leading_space(patch, ctx):
    """An added line of C starts with a space.

    ## What it does
    Reports added lines of `.c`, `.h`, `.dts` and `.dtsi` files whose first character is a space,
    except inside comments, preprocessor lines and labels, as checkpatch does.

    ## Why is this bad?
    Kernel C is indented with tabs (Documentation/process/coding-style.rst, "Indentation"); a line
    that starts with spaces was indented by an editor set up for another project.

    ## Example
    ```bad
     static int example_open(int fd)
     {
    +    return fd;
     }
    ```

    ```good
     static int example_open(int fd)
     {
    +	return fd;
     }
    ```

    ## Fix
    Indent with tabs; `:set noexpandtab` in vim, `indent-tabs-mode t` in Emacs.
    """
    from .whitespace import _vet

    for file, joined in files_with_added_code(patch, is_styled, ctx):
        for code_line in joined.every_added() if joined.framed is None else joined.lines_after(_BEFORE_SPACE):
            line = code_line.line
            if line.text[:1] == " " and not _LABEL_OR_DIRECTIVE.match(code_line.code):
                yield Hit("please, no spaces at the start of a line", patch_line=line.patch_line, file=file.path,
                          line=line.new_line, quote=_vet(line))


_OPEN_END = lazy(r"([\[\(])\s*$", re.ASCII)
_RAW_OPEN_END = lazy(r"[(\[/]\s*$")
# the "\n" after a masked line that ends with `(`, `[` or a blank: the lines _OPEN_END may find
_AFTER_OPEN_OR_BLANK = lazy(r"\n(?<=[(\[ \t\r\f\v]\n)")


@check("OPEN_ENDED_LINE", level=CHECK, scope="patch")
def open_ended_line(patch, ctx):
    """An added line of C ends with an opening parenthesis or bracket.

    ## What it does
    Reports added lines of `.c` and `.h` files whose code (comments aside) ends in `(` or `[`.
    Reported with `--strict`, as in checkpatch.

    ## Why is this bad?
    A call or declaration broken right after its `(` puts nothing on the first line to read;
    break after an argument instead and align the rest with the parenthesis.

    ## Example
    ```bad
     static int example_open(int fd)
     {
    +	return example_lookup_table_entry(
    +		fd);
     }
    ```

    ```good
     static int example_open(int fd)
     {
    +	return example_lookup_table_entry(fd);
     }
    ```

    ## Fix
    Keep the first argument on the line of the `(`.
    """
    for file, joined in files_with_added_code(patch, is_c, ctx):
        if joined.framed is None:
            code_lines = joined.every_added()
        else:  # the line that holds the character before each "\n" found
            code_lines = joined.added_at([match.start() - 1 for match in _AFTER_OPEN_OR_BLANK.finditer(joined.framed)])
        for code_line in code_lines:
            text = code_line.line.text
            stripped = text.rstrip()
            if not stripped or stripped[-1] not in "([\x1c/" or not _RAW_OPEN_END.search(text):
                continue
            match = _OPEN_END.search(code_line.code)
            if match is not None:
                yield Hit.at(code_line.line, file, f"Lines should not end with a '{match.group(1)}'")


_LOGICAL_START = lazy(r"^\s*(&&|\|\|)", re.ASCII)
_BEFORE_LOGICAL_START = lazy(r"\n[ \t\r\f\v]*+(?:&&|\|\|)")  # the same, led by the "\n" before the line


@check("LOGICAL_CONTINUATIONS", level=CHECK, scope="patch")
def logical_continuations(patch, ctx):
    """An added line of C starts with `&&` or `||`.

    ## What it does
    Reports added lines of `.c`, `.h`, `.dts` and `.dtsi` files that begin (after the indent) with a
    logical operator. Reported with `--strict`, as in checkpatch.

    ## Why is this bad?
    Kernel style ends the line before with the operator, so a reader sees at its end that the
    condition goes on (Documentation/process/coding-style.rst, "Breaking long lines and strings").

    ## Example
    ```bad
     static bool example_ready(int fd, int flags)
     {
    +	return fd > 0
    +	       && flags;
     }
    ```

    ```good
     static bool example_ready(int fd, int flags)
     {
    +	return fd > 0 &&
    +	       flags;
     }
    ```

    ## Fix
    Move the operator to the end of the line before.
    """
    for file, joined in files_with_added_code(patch, is_styled, ctx):
        raw = joined.raw
        code_lines = joined.every_added() if raw is None else joined.lines_after(_BEFORE_LOGICAL_START, raw)
        for code_line in code_lines:
            if _LOGICAL_START.match(code_line.line.text):
                yield Hit.at(code_line.line, file, "Logical continuations should be on the previous line")


_COMMENT_END_ALONE = lazy(r"^[ \t]*\*/[ \t]*$|/\*.*\*/[ \t]*$|\*{2,}/[ \t]*$", re.ASCII)
_COMMENT_END = lazy(r"^[ \t]*.+\*/[ \t]*$", re.ASCII)
_COMMENT_TAIL = lazy("\x1c[ \t]*$", re.ASCII)


_STAR_AFTER_BLANKS = lazy(r"^([ \t]*/?)\*", re.ASCII)
_LAST_STAR = lazy(r"^(.*/?)\*", re.ASCII)


def _comment_star_indent(raw):
    match = _STAR_AFTER_BLANKS.match(raw) or _LAST_STAR.match(raw)
    return len(match.group(1).expandtabs(8)) if match else 0


def _block_comment_problem(code_line, text):
    prev = code_line.prev
    prev_raw = prev.text if prev is not None else ""
    prev_ends_in_comment = bool(_COMMENT_TAIL.search(code_line.prev_code))
    prev_opens = prev is not None and prev.kind == "+" and "/*" in prev_raw \
        and not prev_raw.rstrip(" \t").endswith("*/")
    leading_star = text.lstrip(" \t").startswith("*")
    if prev_ends_in_comment and prev_opens and not leading_star:
        return "Block comments use * on subsequent lines"
    if "*/" in text and _COMMENT_END.match(text) and not _COMMENT_END_ALONE.search(text):
        return "Block comments use a trailing */ on a separate line"
    if prev_ends_in_comment and leading_star and code_line.code.lstrip(" \t").startswith(COMMENT) and prev is not None \
            and prev.kind == "+" and (prev_opens or prev_raw.lstrip(" \t").startswith("*")):
        if _comment_star_indent(prev_raw) != _comment_star_indent(text):
            return "Block comments should align the * on each line"
    return None


# A line BLOCK_COMMENT_STYLE may report, by the line before it (P), in the raw lines joined: P
# holds a `/*` and does not end with `*/`, or P and the line start with `*`, unless both have their
# `*` in one column for sure (the same blanks before it, or `/*` then ` *`); or the line ends with a
# `*/` that is not alone on it nor closes a `/*` of the line. Each search is led by a character
# (the "\n" before P, `*/`): the engine jumps from one to the next.
_STAR_UNDER_STAR = r"(?!([ \t]*)\*[^\n]*\n\1\*|([ \t]*)/\*[^\n]*\n\2 \*)"
# tried at the "\n" before each line holding a `/*` not closed at its end (_OPENS_COMMENT: the
# search jumps from one `/*` to the next, where one led by the "\n" before every line read each line)
_OPENS_COMMENT = lazy(r"/\*(?![^\n]*\*/[ \t]*\n)")
_BEFORE_OPEN_COMMENT = lazy(r"\n(?=[^\n]*/\*)(?![^\n]*\*/[ \t]*\n)" + _STAR_UNDER_STAR, re.ASCII)
_BEFORE_STAR_LINES = lazy(r"\n(?=[ \t]*+\*[^\n]*+\n[ \t]*+\*)" + _STAR_UNDER_STAR, re.ASCII)
_CLOSES_COMMENT = lazy(r"\*/[ \t]*\n")
_ENDS_COMMENT_TEXT = lazy(r"(?![ \t]*\*/[ \t]*\n)(?![^\n]*/\*[^\n]*\*/[ \t]*\n)[^\n]*\*/[ \t]*\n", re.ASCII)


def _may_misshape_comment(joined):
    """The added CodeLines that the searches above find (one in a thousand lines of C)."""
    text = joined.raw
    if text is None:
        return joined.every_added()
    starts = {text.index("\n", match.start() + 1) + 1 for match in _BEFORE_STAR_LINES.finditer(text)}  # after P
    before = -1  # the "\n" before the last line opening a comment
    for match in _OPENS_COMMENT.finditer(text):
        line = text.rfind("\n", 0, match.start())
        if line != before and _BEFORE_OPEN_COMMENT.match(text, line):
            starts.add(text.index("\n", line + 1) + 1)
        before = line
    for match in _CLOSES_COMMENT.finditer(text):  # the line itself
        line_start = text.rfind("\n", 0, match.start()) + 1
        if _ENDS_COMMENT_TEXT.match(text, line_start):
            starts.add(line_start)
    return joined.added_at(sorted(starts), text)


@check("BLOCK_COMMENT_STYLE", level=WARNING, scope="patch")
def block_comment_style(patch, ctx):
    """An added block comment lacks its leading `*`, ends on a line of text, or misaligns its `*`.

    ## What it does
    In C, headers and device tree files, reports an added line of a block comment that does not start
    with `*`, a `*/` that ends a line of comment text, and a `*` that is not under the `*` of the line
    above, as checkpatch does.

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Commenting", gives the shape of a multi-line comment:
    `/*` (or `/**`), then one ` * ` per line, then ` */` on a line of its own.

    ## Example
    ```bad
     static int example_open(int fd)
     {
    +	/* The descriptor was checked by the caller,
    +	 * so it is valid here. */
     	return fd;
     }
    ```

    ```good
     static int example_open(int fd)
     {
    +	/* The descriptor was checked by the caller,
    +	 * so it is valid here.
    +	 */
     	return fd;
     }
    ```

    ## Fix
    Give each line of the comment a leading ` * ` under the first `*`, and put `*/` on its own line.
    """
    for file, joined in files_with_added_code(patch, is_styled, ctx):
        for code_line in _may_misshape_comment(joined):
            line = code_line.line
            if "*" not in line.text and COMMENT not in code_line.prev_code:
                continue
            message = _block_comment_problem(code_line, line.text)
            if message:
                yield Hit.at(line, file, message)


_INDENTED_LABEL = lazy(r"^\s+[A-Za-z_][A-Za-z\d_]*:(?!\s*\d+)", re.ASCII)
_LABEL_ONE_SPACE = lazy(r"^ [A-Za-z\d_][A-Za-z\d_]*:|^\s+default:", re.ASCII)
# what _INDENTED_LABEL needs, in a file's masked lines joined (a comment's mask is a blank to it), led
# by the "\n" before the line: a few lines a file, where a needle for an indented `:` let through the
# ternaries, case labels and bit fields (5,300 lines on the corpus)
_BEFORE_LABEL = lazy(r"\n[ \t\r\f\v\x1c]++[A-Za-z_]\w*+:", re.ASCII)


def _maybe_labels(file, added, ctx):
    if ":" not in added.text:
        return ()  # the judge wants a `:` in the line (a small file's search costs more than this look)
    joined = masked_text(file, ctx)
    return () if joined is None else joined.added(joined.positions((_BEFORE_LABEL, (0,))))


@check("INDENTED_LABEL", level=WARNING, scope="patch")
@on_added_lines(is_c, lines=_maybe_labels)
def indented_label(line, file, ctx):
    """An added `goto` label in C is indented.

    ## What it does
    Reports added lines of `.c` and `.h` files that hold a label (`out:`, `err_free:`) after
    indentation other than a single space; `default:` and bit fields (`flags:4`) are not labels,
    as checkpatch decides.

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Centralized exiting of functions": labels start in
    the first column, so that the exits of a function stand out from its statements.

    ## Example
    ```bad
     static int example_open(int fd)
     {
     	if (fd < 0)
     		goto out;
     	return fd;
    +	out:
     	return -EBADF;
     }
    ```

    ```good
     static int example_open(int fd)
     {
     	if (fd < 0)
     		goto out;
     	return fd;
    +out:
     	return -EBADF;
     }
    ```

    ## Fix
    Start the label in the first column (one space is tolerated).
    """
    text = line.text
    if ":" not in text or text[:1] not in (" ", "\t"):
        return None
    code_line = code_line_of(line, file, ctx)
    if code_line is None:
        return None
    sline = code_line.code.replace(COMMENT, " ")
    if _INDENTED_LABEL.match(sline) and not _LABEL_ONE_SPACE.match(sline):
        return Hit.at(line, file, "labels should not be indented")
    return None


@lru_cache(maxsize=None)
def _tabstop_statement():
    p = patterns()
    return lazy(r"^\t+( +)(?:" + p.c90_keywords + r"\b|\{\s*$|\}\s*(?:else\b|while\b|\s*$)|" + p.declare
                + r"\s*" + p.ident + r"\s*[;=])", re.ASCII)  # lazy: from the store of compiled patterns


_C90_KEYWORDS = frozenset(("do", "for", "while", "if", "else", "return", "goto", "continue", "switch", "default",
                           "case", "break"))
_LEADING_WORD = lazy(r"\w*", re.ASCII)


# the "\n" before a masked line that `_may_start_statement_off_tabstop` lets through (a comment's
# mask counts as the blank it is read as), in a file's joined masked lines; of a `;` or `=` only one
# after a name and blanks, as a declaration has it (not `foo(x);`, nine lines in ten)
_BEFORE_OFF_TABSTOP = lazy(r"\n\t++(?:[ \x1c]{8})*+[ \x1c]{1,7}(?![ \x1c])(?=[{}]|[^\n]*\w[ \t\r\f\v\x1c]*[;=]|(?:"
                           + "|".join(sorted(_C90_KEYWORDS)) + r")(?!\w))", re.ASCII)
_TABS_THEN_SPACE = lazy(r"\t+ ")


@check("TABSTOP", level=WARNING, scope="patch")
def tabstop(patch, ctx):
    """An added statement is indented by tabs plus a few spaces, off the tab stops.

    ## What it does
    Reports an added line of a .c, .h or device-tree file indented by tabs and then spaces (not a
    multiple of 8 of them) when it starts a statement: a C keyword (`if`, `return`, ...), a brace,
    or a declaration.

    ## Why is this bad?
    Documentation/process/coding-style.rst: indentation is tabs of 8 columns. A statement a few
    spaces off a tab stop looks like the continuation of the line above, so the block structure
    reads wrong.

    ## Example
    ```bad
     	if (!ring)
     		return -EINVAL;
    +	  return 0;
    ```

    ```good
     	if (!ring)
     		return -EINVAL;
    +	return 0;
    ```

    ## Fix
    Indent the statement with tabs only, at the depth of its block.
    """
    for file, joined in files_with_added_code(patch, is_styled, ctx):
        code_lines = joined.every_added() if joined.framed is None else joined.lines_after(_BEFORE_OFF_TABSTOP)
        for code_line in code_lines:
            if not _TABS_THEN_SPACE.match(code_line.line.text):
                continue
            sline = code_line.code.replace(COMMENT, " ")
            if not _may_start_statement_off_tabstop(sline):
                continue
            match = _tabstop_statement().match(sline)
            if match and len(match.group(1)) % 8:
                yield Hit.at(code_line.line, file, "Statements should start on a tabstop")


def _may_start_statement_off_tabstop(sline):
    """What the statement pattern (some 10 us a line) needs, told by string tests: spaces after the
    tabs not a multiple of 8, then a brace, a C90 keyword, or a `;` or `=` (a declaration has one)."""
    rest = sline.lstrip("\t")
    statement = rest.lstrip(" ")
    if (len(rest) - len(statement)) % 8 == 0 or not statement:
        return False
    if statement[0] in "{}" or ";" in statement or "=" in statement:
        return True
    return _LEADING_WORD.match(statement).group() in _C90_KEYWORDS
