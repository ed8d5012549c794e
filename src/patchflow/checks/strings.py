"""String literals in C: split across lines, or glued to the macros around them.

Both read the masked line (string contents are `X`), so quotes inside strings and comments do not
count.
"""

from __future__ import annotations

import re

from . import CHECK, WARNING, Hit, check
from ._ccode import is_c, lines_of, on_added_lines
from ._line_scans import masked_text
from ..lazy_regex import lazy

_STRING = r'(?:\b[Lu])?"[X\t]*"'
_STARTS_WITH_STRING = lazy(r"^\s*" + _STRING, re.ASCII)
_ENDS_WITH_QUOTE = lazy(r'"\s*$', re.ASCII)
# a string that ends in a newline, tab, octal or hex escape, ';' or '{' may go on (assembly, text blocks)
_MAY_CONTINUE = lazy(r'(?:\\(?:[ntr]|[0-7]{1,3}|x[0-9a-fA-F]{1,2})|;\s*|\{\s*)"\s*$', re.ASCII)
_GLUED_AFTER = lazy(_STRING + r"[A-Z_]", re.ASCII)
# a word glued to a string: tried only where a word starts (the same matches: a word followed by a
# string is one from its first letter), not again from each of its letters
_GLUED_BEFORE = lazy(r"(?<![A-Za-z0-9_])([A-Za-z0-9_]+)" + _STRING, re.ASCII)


def _may_start_with_string(text: str) -> bool:
    """Whether the line's code may start with a string (_STARTS_WITH_STRING): only where its text
    does, since masking keeps the quotes and ASCII blanks and makes a comment or a string's inside
    no blank. Most lines with a string hold it after a call's name, and are let go before their
    code is read."""
    return text.lstrip()[:1] in ('"', "L", "u")


# The lines each check may report, in a file's masked lines joined (`_line_scans.MaskedText`), each
# search led by a quote: the engine jumps from one to the next instead of a judge called for every
# line holding a quote. SPLIT_STRING: a line ending with a quote (blanks after), the next starting
# with one (a `L`, `u` before it); the match ends in the later line.
_QUOTE_THEN_QUOTE = lazy(r'"[ \t\r\f\v]*\n[ \t\r\f\v]*+[Lu]?"', re.ASCII)
# CONCATENATED_STRING: a closed string right after a word character, or followed by [A-Z_] (each
# line where _GLUED_AFTER or _GLUED_BEFORE matches holds one)
_GLUED_STRING = lazy(r'"(?:(?<=\w")[X\t]*+"|[X\t]*+"[A-Z_])', re.ASCII)


def _found_by(pattern):
    """The `lines` of `on_added_lines`: the added lines in which `pattern` ends a match."""
    def lines(file, added, ctx):
        if '"' not in added.text:
            return ()  # both judges want a quote in the line
        joined = masked_text(file, ctx)
        return () if joined is None else joined.added(joined.positions((pattern, (0,))))
    return lines


@check("SPLIT_STRING", level=WARNING, scope="patch")
@on_added_lines(is_c, lines=_found_by(_QUOTE_THEN_QUOTE))
def split_string(line, file, ctx):
    """An added line of C continues a quoted string from the line before.

    ## What it does
    Reports an added line of a `.c` or `.h` file that starts with a string literal when the line
    before ends with one, unless that string ends in `\\n`, `\\t`, `\\r`, an octal or hex escape, `;`
    or `{` (text blocks and inline assembly), as checkpatch does.

    ## Why is this bad?
    Documentation/process/coding-style.rst, "Breaking long lines and strings": never break
    user-visible strings such as printk messages, because that breaks the ability to grep for them.

    ## Example
    ```bad
     static void example_report(int fd)
     {
    +	pr_err("example: the descriptor %d is "
    +	       "not open\\n", fd);
     }
    ```

    ```good
     static void example_report(int fd)
     {
    +	pr_err("example: the descriptor %d is not open\\n", fd);
     }
    ```

    ## Fix
    Join the pieces into one string; a long string may go past the line-length limit.
    """
    if '"' not in line.text or not _may_start_with_string(line.text):
        return None
    code_line = lines_of(file, ctx).get(line.patch_line)
    if code_line is None or code_line.prev is None or not _STARTS_WITH_STRING.match(code_line.code):
        return None
    if not _ENDS_WITH_QUOTE.search(code_line.prev_code) or _MAY_CONTINUE.search(code_line.prev.text):
        return None
    return Hit.at(line, file, "quoted string split across lines")


@check("CONCATENATED_STRING", level=CHECK, scope="patch")
@on_added_lines(is_c, lines=_found_by(_GLUED_STRING))
def concatenated_string(line, file, ctx):
    """An added line of C glues a string literal to a macro or identifier without a space.

    ## What it does
    Reports added lines of `.c` and `.h` files where a string literal touches an identifier
    (`"%"PRIu64`, `KBUILD_MODNAME": "`), as checkpatch does with `--strict`.

    ## Why is this bad?
    Without the space the pieces read as one token; C++ even parses `"abc"MACRO` as a user-defined
    literal. A space shows that two literals are concatenated.

    ## Example
    ```bad
     static void example_report(int fd)
     {
    +	pr_err(KBUILD_MODNAME": descriptor %d\\n", fd);
     }
    ```

    ```good
     static void example_report(int fd)
     {
    +	pr_err(KBUILD_MODNAME ": descriptor %d\\n", fd);
     }
    ```

    ## Fix
    Put a space between the string and the identifier.
    """
    if '"' not in line.text:
        return None
    code_line = lines_of(file, ctx).get(line.patch_line)
    if code_line is None:
        return None
    code = code_line.code
    if _GLUED_AFTER.search(code):
        return Hit.at(line, file, "Concatenated strings should use spaces between elements")
    for match in _GLUED_BEFORE.finditer(code):
        if match.group(1) not in ("L", "u"):
            return Hit.at(line, file, "Concatenated strings should use spaces between elements")
    return None
