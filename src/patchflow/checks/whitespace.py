"""Whitespace and layout of added lines: trailing blanks, tabs, line length, line endings, encoding.

These run on every added line, so each starts with the cheapest test that rules a line out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from types import SimpleNamespace

from ._blank_fixes import fix_dos, fix_eof_newline, fix_indent_with_tabs, fix_space_before_tab, fix_trailing
from . import CHECK, ERROR, WARNING, Hit, check
from ._lines import line_filter
from ._whitespace_lines import _BLANKS, TAB_SIZE, _blank_ended_lines, _unterminated_lines, _wide_lines
from .. import regex_store
from ..lazy_regex import lazy


# checkpatch checks line length and end-of-file newlines in these source files ...
_SOURCE = lazy(r"\.(h|c|rs|s|S|sh|dtsi|dts)$")
# ... and indentation in these (its rule names .pl too, but an earlier test skips Perl files)
_TAB_INDENTED = lazy(r"\.(h|c|dtsi|dts)$")
# the kernel's .editorconfig asks for a final newline in these as well
_FINAL_NEWLINE = lazy(r"(\.(h|c|rs|s|S|sh|dtsi|dts|dtso|awk|mk|json|py|yaml)|(^|/)(Kconfig|Makefile)(\..*)?)$")


@lru_cache(maxsize=4096)
def _is_source(path):
    return bool(_SOURCE.search(path))


@lru_cache(maxsize=4096)
def _is_tab_indented(path):
    return bool(_TAB_INDENTED.search(path))


@lru_cache(maxsize=4096)
def _wants_final_newline(path):
    return bool(_FINAL_NEWLINE.search(path))


_CONTROL = lazy(r"[\x00-\x1f\x7f]")


def _vet(line):
    """The line as checkpatch quotes whitespace findings: control characters as ^X, `$` at the end."""
    text = line.kind + line.text
    text = _CONTROL.sub(lambda m: "^" + chr((ord(m.group()) + 64) % 128), text)
    return text + "$"


def _vet_hit(line, file, message, column=None):
    return Hit(message, patch_line=line.patch_line, file=file.path, line=line.new_line, column=column,
               quote=_vet(line))


@check("DOS_LINE_ENDINGS", level=ERROR, scope="line", fix=fix_dos)
@line_filter(needle="\r")
def dos_line_endings(line, file, ctx):
    """An added line holds a carriage return (`\\r`), as DOS line endings leave.

    ## What it does
    Reports every added line that contains a carriage return character, usually a CRLF line ending
    from an editor or a mail client on Windows.

    ## Why is this bad?
    Kernel files use LF line endings only (the kernel's .editorconfig says `end_of_line = lf`). A
    `\\r` shows up as `^M` in every diff of the file and breaks shell scripts and Kconfig parsing.

    ## Example
    ```bad
     	if (!map)
    +		return -EINVAL;\r
    ```

    ```good
     	if (!map)
    +		return -EINVAL;
    ```

    ## Fix
    Save the file with LF line endings: `git config core.autocrlf input`, or `dos2unix` on the file.
    """
    if "\r" in line.text:
        return _vet_hit(line, file, "DOS line endings")
    return None


@check("TRAILING_WHITESPACE", level=ERROR, scope="line", fix=fix_trailing)
@line_filter(lines=_blank_ended_lines)
def trailing_whitespace(line, file, ctx):
    """An added line ends in spaces or tabs.

    ## What it does
    Reports every added line that ends in whitespace, or consists only of whitespace, in any file
    of the patch (lines with a carriage return are reported as DOS_LINE_ENDINGS instead).

    ## Why is this bad?
    Trailing blanks are invisible noise: `git am --whitespace=error` and several maintainers' scripts
    reject them, and the next person who trims them produces an unrelated diff.
    `git diff --check` shows them before you commit.

    ## Example
    ```bad
     	if (!map)
    +		return -EINVAL;\x20\x20\x20
    ```

    ```good
     	if (!map)
    +		return -EINVAL;
    ```

    ## Fix
    Delete the blanks. `git diff --check` shows them before you commit, and most editors can strip
    them on save.
    """
    text = line.text
    if text and text[-1] in _BLANKS and "\r" not in text:
        return _vet_hit(line, file, "trailing whitespace", column=len(text.rstrip(_BLANKS)) + 1)
    return None


@check("SPACE_BEFORE_TAB", level=WARNING, scope="line", fix=fix_space_before_tab)
@line_filter(_is_tab_indented, " \t")
def space_before_tab(line, file, ctx):
    """An added line of C (or device tree) has a space right before a tab.

    ## What it does
    Reports added lines of `.c`, `.h`, `.dts` and `.dtsi` files that hold a space followed by
    a tab anywhere on the line, as checkpatch does.

    ## Why is this bad?
    A space before a tab is swallowed by the tab stop: it changes nothing on screen, so it is always
    a mistake, and it makes the line's alignment depend on the editor. `git diff --check` and the
    kernel's `scripts/cleanpatch` flag it too.

    ## Example
    ```bad path=include/linux/bpf.h
     struct bpf_map_ops {
    +	int 	(*map_alloc_check)(union bpf_attr *attr);
    ```

    ```good path=include/linux/bpf.h
     struct bpf_map_ops {
    +	int (*map_alloc_check)(union bpf_attr *attr);
    ```

    ## Fix
    Delete the space; `git diff --check` and `git am --whitespace=fix` find and fix it.
    """
    if " \t" in line.text and _is_tab_indented(file.path):
        return _vet_hit(line, file, "please, no space before tabs", column=line.text.index(" \t") + 1)
    return None


_SPACES_INDENT = lazy(r"^[ \t\n\r\f\v]*(?: \t[ \t\n\r\f\v]*\S|        )")


@check("CODE_INDENT", level=ERROR, scope="line", fix=fix_indent_with_tabs)
# _SPACES_INDENT matches a space before a tab or eight spaces in a row
@line_filter(_is_tab_indented, " \t|        ")
def code_indent(line, file, ctx):
    """An added line of C is indented with spaces where tabs belong.

    ## What it does
    Reports added lines of `.c`, `.h`, `.dts` and `.dtsi` files whose indentation holds eight
    spaces in a row, or a space before a tab, as checkpatch does.

    ## Why is this bad?
    Kernel C is indented with tabs, eight columns wide (Documentation/process/coding-style.rst,
    "Indentation"). Space-indented lines misalign in every editor set up for the kernel and show up
    in review as whitespace damage, often from a mail client or an IDE's default settings.

    ## Example
    A line that starts with spaces raises checkpatch's LEADING_SPACE as well; the example leaves it out:

    ```bad --ignore=LEADING_SPACE
     	err = bpf_map_new_fd(map, f_flags);
    +        if (err)
    +                return err;
    ```

    ```good
     	err = bpf_map_new_fd(map, f_flags);
    +	if (err)
    +		return err;
    ```

    ## Fix
    Indent with tabs: set your editor up for the kernel (the tree's `.editorconfig` does it for most
    editors), and send patches with `git send-email`, which does not reflow them.
    """
    text = line.text
    if text[:1] in (" ", "\t") and _is_tab_indented(file.path) and _SPACES_INDENT.match(text):
        return _vet_hit(line, file, "code indent should use tabs where possible")
    return None


@check("MISSING_EOF_NEWLINE", level=WARNING, scope="line", fix=fix_eof_newline)
@line_filter(_wants_final_newline, lines=_unterminated_lines)
def missing_eof_newline(line, file, ctx):
    """An added last line of a file has no newline at its end.

    ## What it does
    Reports the added line that diff marks with `\\ No newline at end of file`, in source files
    (C, headers, assembly, Rust, shell, device tree) and in the other files the kernel's
    `.editorconfig` asks a final newline of (Python, Makefiles, Kconfig, YAML, JSON, awk).

    ## Why is this bad?
    POSIX text files end with a newline. Without it, the next patch that appends a line also
    changes this one, `cat` joins files wrongly, and some tools drop the last line.

    ## Example
    ```bad
     MODULE_DESCRIPTION("BPF example");
    +MODULE_LICENSE("GPL");
    \\ No newline at end of file
    ```

    ```good
     MODULE_DESCRIPTION("BPF example");
    +MODULE_LICENSE("GPL");
    ```

    ## Fix
    End the file with a newline; most editors do it on save (`insert_final_newline` in the tree's
    `.editorconfig`).
    """
    if line.no_newline and _wants_final_newline(file.path):
        return Hit.at(line, file, "adding a line without newline at end of file")
    return None


# --- line length ---------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _long_line_patterns():
    """checkpatch's patterns for the lines that may be long, compiled on the first long line."""
    string = r'(?:\b[Lu])?"[X\t]*"'
    log_functions = (r"(?:printk(?:_ratelimited|_once|_deferred_once|_deferred|)|"
                     r"(?:[a-z0-9]+_){1,2}(?:printk|emerg|alert|crit|err|warning|warn|notice|info|debug|dbg|"
                     r"vdbg|devel|cont|WARN)(?:_ratelimited|_once|)|TP_printk|WARN(?:_RATELIMIT|_ONCE|)|panic|"
                     r"MODULE_[A-Z_]+|seq_vprintf|seq_printf|seq_puts)")
    return SimpleNamespace(
        log_line=regex_store.compile(r"^\s*" + log_functions + r'\s*\(\s*(?:(?:KERN_\S+\s*|[^"]*))?(' + string
                                     + r"\s*(?:|,|\)\s*;)\s*)$"),
        string_only=regex_store.compile(r"^\s*" + string + r"\s*(?:\s*|,|\)\s*;)\s*$"),
        define_string=regex_store.compile(r"^\s*#\s*define\s+\w+\s+" + string + "$"),
        special=regex_store.compile(r"\bEFI_GUID\s*\(|^\s*(?:\w+)?\s*DEFINE_PER_CPU"),
        url=regex_store.compile(r"\b[a-z][\w.+-]*://\S+", re.IGNORECASE),
        trailing_comment=regex_store.compile("(\x1c[\\s\x1c]*)$"),  # COMMENT_MASK of lexers.c
        trailing_string=regex_store.compile(r"\s*(" + string + r"(?:\s*(?:\\|,\s*|\)\s*;\s*))?)$"),
    )


def _width(text):
    return len(text.expandtabs(TAB_SIZE)) if "\t" in text else len(text)


def _long_line_kind(line, file, ctx):
    """LONG_LINE, LONG_LINE_COMMENT, LONG_LINE_STRING, or None for lines checkpatch lets be long:
    a log call or a line that ends in a string starting within the limit, a lone string, a URL."""
    limit = ctx.options.max_line_length
    p = _long_line_patterns()
    code = ctx.sources.masked_lines(file).get(line.patch_line, line.text)
    kind = "LONG_LINE"
    match = p.log_line.match(code)
    if match and _width(code[:len(code) - len(match.group(1))]) <= limit:
        kind = None
    elif p.string_only.match(code) or p.define_string.match(code) or p.special.search(code):
        kind = None
    elif p.url.search(line.text):
        kind = None
    else:
        match = p.trailing_comment.search(code)
        if match and _width(code[:len(code) - len(match.group(1))]) <= limit:
            kind = "LONG_LINE_COMMENT"
        else:
            without_comments = code.replace("\x1c", " ")
            match = p.trailing_string.search(without_comments)
            if match and _width(code[:len(code) - len(match.group(1))]) <= limit:
                kind = "LONG_LINE_STRING"
    return kind


def _may_be_wide(text, limit):
    # a tab widens a line by at most TAB_SIZE - 1 columns: most lines are ruled out without expanding
    return len(text) > limit or len(text) + (TAB_SIZE - 1) * text.count("\t") > limit


def _long_line(line, file, ctx, wanted):
    text = line.text
    limit = ctx.options.max_line_length
    if not _may_be_wide(text, limit):
        return None
    if not _is_source(file.path):
        return None
    # as in checkpatch, --ignore LONG_LINE silences its two variants as well
    if wanted != "LONG_LINE" and "LONG_LINE" in ctx.options.ignore:
        return None
    length = _width(text)
    if length <= limit or ctx.once(_long_line_kind, line, file) != wanted:
        return None
    return Hit.at(line, file, f"line length of {length} exceeds {limit} columns", column=limit + 1)


@check("LONG_LINE", level=WARNING, scope="line")
@line_filter(_is_source, lines=_wide_lines)
def long_line(line, file, ctx):
    """An added line of code is wider than the limit (100 columns, `--max-line-length N`).

    ## What it does
    Measures each added line of a source file (`.c`, `.h`, `.S`, `.rs`, `.sh`, device tree), with
    tabs expanded to 8 columns, and reports it when it is over the limit. As in checkpatch, these
    may be long: a log call (`pr_err()`, `netdev_warn()`, ...) or a line that is only a string, when
    the string starts within the limit; a `#define` of a string; a line with a URL. A line that is
    long because of a trailing comment or string is LONG_LINE_COMMENT or LONG_LINE_STRING.

    ## Why is this bad?
    Documentation/process/coding-style.rst: "The preferred limit on the length of a single line is
    80 columns"; checkpatch and the bpf and netdev maintainers accept up to 100 for code, and
    reviewers ask for long lines to be broken at a sensible place or the code to be restructured
    (deep nesting is the usual cause).

    ## Example
    ```bad
     	if (attr->flags & BPF_F_LOCK)
    +		err = bpf_map_update_value(map, f.file, key, value, attr->flags | BPF_F_LOCK | extra_flags);
    ```

    ```good
     	if (attr->flags & BPF_F_LOCK)
    +		err = bpf_map_update_value(map, f.file, key, value,
    +					   attr->flags | BPF_F_LOCK | extra_flags);
    ```

    ## Fix
    Break the line after an operator or a comma, aligned with the open parenthesis; when that is not
    enough, move the nested part into a helper function or a local variable.
    """
    return _long_line(line, file, ctx, "LONG_LINE")


@check("LONG_LINE_COMMENT", level=WARNING, scope="line")
@line_filter(_is_source, lines=_wide_lines)
def long_line_comment(line, file, ctx):
    """An added line is wider than the limit because of a comment that starts within it.

    ## What it does
    Reports an added line of a source file that is over the line-length limit (100 columns,
    `--max-line-length N`) when what runs past the limit is a comment, including lines inside a
    block comment. `--ignore LONG_LINE` silences this type too, as in checkpatch.

    ## Why is this bad?
    Comments wrap like any text: a reader should not have to scroll to finish a sentence, and
    block comments are easy to reflow to 80 columns (Documentation/process/coding-style.rst,
    "Commenting").

    ## Example
    ```bad
     	key = __bpf_copy_key(ukey, map->key_size);
    +	err = copy_key(map, key); /* the verifier has already checked that the key fits in key_size */
    ```

    ```good
     	key = __bpf_copy_key(ukey, map->key_size);
    +	/* the verifier has already checked that the key fits in key_size */
    +	err = copy_key(map, key);
    ```

    ## Fix
    Put the comment on its own line above the code, and wrap it as prose.
    """
    return _long_line(line, file, ctx, "LONG_LINE_COMMENT")


@check("LONG_LINE_STRING", level=WARNING, scope="line")
@line_filter(_is_source, lines=_wide_lines)
def long_line_string(line, file, ctx):
    """An added line is wider than the limit because of a string literal that starts within it.

    ## What it does
    Reports an added line of a source file that is over the line-length limit (100 columns,
    `--max-line-length N`) when it ends in a string literal that starts within the limit (and the
    line is not a log call or a lone string, which may be long). `--ignore LONG_LINE` silences this
    type too, as in checkpatch.

    ## Why is this bad?
    User-visible strings are not split, so that they can be grepped for
    (Documentation/process/coding-style.rst, "Breaking long lines and strings"); put the string on
    a line of its own instead, where it may be long.

    ## Example
    ```bad
     	if (ks != vs)
    +		snprintf(buf, sizeof(buf), "map %s: the key size does not match the value size of the map",
    +			 map->name);
    ```

    ```good
     	if (ks != vs)
    +		snprintf(buf, sizeof(buf),
    +			 "map %s: the key size does not match the value size of the map",
    +			 map->name);
    ```

    ## Fix
    Break the line before the string, so that the string starts a line of its own, where it may be
    long; never split a user-visible string, since people grep for it.
    """
    return _long_line(line, file, ctx, "LONG_LINE_STRING")


# --- encoding ------------------------------------------------------------------------------------

# bytes that are not UTF-8 survive decoding as lone surrogates; checkpatch also counts control
# characters other than tab and carriage return as invalid
_NOT_UTF8 = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\udc80-\udcff]")
_GOOD_ASCII = bytes(byte for byte in range(128) if byte in (9, 10, 13) or 32 <= byte < 127)


@check("INVALID_UTF8", level=CHECK)
def invalid_utf8(patch, ctx):
    """A line of the mail, the commit message or an added line is not valid UTF-8 text.

    ## What it does
    Reports each line before the diff (headers, commit message, notes) and each added line that
    holds bytes which are not UTF-8, or control characters other than tab. The column points at the
    first one. Reported with `--strict`, as in checkpatch.

    ## Why is this bad?
    Patches and commit messages are UTF-8 (`git format-patch` writes it and `git am` expects it).
    Latin-1 names in a sign-off or stray bytes from a terminal end up garbled in the git history,
    and control characters (escape sequences, form feeds) hide in review.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Fix a typo in a comment

    Fix a typo in a comment, as Ren\udce9 Dupont reported.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Fix a typo in a comment

    Fix a typo in a comment, as Ren\u00e9 Dupont reported.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    (The bad message holds the Latin-1 byte 0xe9, the good one the UTF-8 bytes 0xc3 0xa9 of `é`.)

    ## Fix
    Set your editor and terminal to UTF-8, and rewrite the message (`git commit --amend`).
    """
    lines = patch.lines
    text = "\n".join(lines)
    # an ASCII text (most patches) is ruled out by deleting its good bytes, 7x faster than the search
    if not (text.encode("ascii").translate(None, _GOOD_ASCII) if text.isascii() else _NOT_UTF8.search(text)):
        return
    first_diff = patch.files[0].patch_line if patch.files else patch.first_line + len(lines)
    message = "Invalid UTF-8, patch and commit message should be encoded in UTF-8"
    for index in range(0, first_diff - patch.first_line):
        match = _NOT_UTF8.search(lines[index])
        if match:
            yield Hit.on_patch_line(patch, patch.first_line + index, message, column=match.start() + 1)
    for file in patch.files:
        for line in file.added_lines():
            match = _NOT_UTF8.search(line.text)
            if match:
                yield Hit.at(line, file, message, column=match.start() + 1)
