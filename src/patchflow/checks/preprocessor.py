"""Preprocessor style: `#ifndef X` over `#if !defined(X)`, in C and in the C that Python scripts print."""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import WARNING, Hit, check
from ..lazy_regex import lazy
from ..patch import DiffLine
from ._lines import added_lines, lines_holding
from ._source import language_of

# printf-style and str.format placeholders in a Python string stand for a name in the printed C
_PLACEHOLDER = lazy(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdrx]|\{[^{}]*\}")
_ESCAPES = {"\\t": "\t", "\\\\": "\\", "\\'": "'", '\\"': '"'}


def directive_test(tokens) -> tuple[str, str, bool] | None:
    """For the code tokens of one directive (from its `#`): ("ifndef" or "ifdef", the macro name,
    whether it was in parentheses) when it is `#if [!]defined(NAME)` or `#if [!]defined NAME` with
    nothing else in its condition; else None."""
    if len(tokens) < 4 or tokens[0].text != "#" or tokens[1].text != "if":
        return None
    rest = tokens[2:]
    negated = rest[0].text == "!"
    if negated:
        rest = rest[1:]
    if not rest or rest[0].text != "defined":
        return None
    rest = rest[1:]
    parenthesised = len(rest) == 3 and rest[0].text == "(" and rest[2].text == ")"
    if parenthesised:
        rest = rest[1:2]
    if len(rest) != 1 or rest[0].kind != "ident":
        return None
    return ("ifndef" if negated else "ifdef"), rest[0].text, parenthesised


def _written(kind: str, name: str, parenthesised: bool) -> str:
    test = ("!" if kind == "ifndef" else "") + "defined"
    return f"#if {test}({name})" if parenthesised else f"#if {test} {name}"


def _message(kind: str, name: str, parenthesised: bool, printed: bool) -> str:
    where = " in the C this prints" if printed else ""
    return f"Prefer #{kind} {name} to {_written(kind, name, parenthesised)}{where}"


def _c_directives(outline, added: dict[int, DiffLine]) -> Iterator[tuple[int, int, tuple[str, str, bool]]]:
    """(line, column, directive test) of each `#if [!]defined` directive of a C outline on an added
    line; only those directives are lexed (from their `#`, as the lexer reads them in place)."""
    from ..lexers.c import code_tokens, tokenize

    for start, end in outline.directives:
        line = outline.line_of(start)
        if line in added:
            test = directive_test(code_tokens(tokenize(outline.text[start:end], line)))
            if test is not None:
                yield line, outline.column_of(start), test


def _string_lines(token) -> Iterator[tuple[int, int, str]]:
    """(line, column, text) of each piece of a Python string token that starts a printed line: the
    token's source lines, split again at `\\n` escapes, quotes and prefixes taken off."""
    raw_lines = token.text.split("\n")
    for index, raw in enumerate(raw_lines):
        column = token.column if index == 0 else 1
        body = raw
        if index == 0:
            match = re.match(r"[A-Za-z]*('''|\"\"\"|'|\")", body)
            if match:
                body = body[match.end():]
                column += match.end()
        if index == len(raw_lines) - 1:
            body = re.sub(r"('''|\"\"\"|'|\")$", "", body)
        offset = 0
        for piece in body.split("\\n"):
            yield token.line + index, column + offset, piece
            offset += len(piece) + 2


def _printed_directive(piece: str):
    """(kind, name, parenthesised) of a printed line of C that PREFER_IFNDEF/IFDEF reports, or None."""
    stripped = piece.strip()
    if not stripped.startswith("#") or "defined" not in stripped:
        return None
    for escape, char in _ESCAPES.items():
        stripped = stripped.replace(escape, char)
    from ..lexers.c import code_tokens, tokenize

    placeholders = iter(_PLACEHOLDER.findall(stripped))
    stand_in = "PATCHFLOW_PLACEHOLDER"
    test = directive_test(code_tokens(tokenize(_PLACEHOLDER.sub(stand_in, stripped))))
    if test is None:
        return None
    kind, name, parenthesised = test
    if name == stand_in:
        name = next(placeholders)  # the directive's only name: the placeholder the script fills in
    return kind, name, parenthesised


def _printed_directives(tokens, added: dict[int, DiffLine]) -> Iterator[tuple[int, int, tuple[str, str, bool]]]:
    """(line, column, directive test) of each `#if [!]defined` line of C that a Python string prints,
    on an added line."""
    for tok in tokens:
        if tok.kind != "string" or "defined" not in tok.text:
            continue
        for line, column, piece in _string_lines(tok):
            found = _printed_directive(piece) if line in added else None
            if found is not None:
                yield line, column + len(piece) - len(piece.lstrip()), found


def _hits(file, windows, added: dict[int, DiffLine], printed: bool) -> Iterator[tuple[str, Hit]]:
    """(ifndef|ifdef, Hit) of each directive the file's language finder (C, or the C a Python script
    prints) finds in the windows (C outlines, Python tokens)."""
    finder = _printed_directives if printed else _c_directives
    for _pre, _post, read in windows:
        for line, column, (kind, name, parenthesised) in finder(read, added):
            yield kind, Hit.at(added[line], file, _message(kind, name, parenthesised, printed), column=column)


def preprocessor_hits(patch, ctx) -> list[tuple[str, Hit]]:
    """Every (ifndef|ifdef, Hit) of a patch; both checks ask `ctx.once(preprocessor_hits, patch)`."""
    hits: list[tuple[str, Hit]] = []
    for file in patch.files:
        language = language_of(file.path)
        if language is None or file.is_binary or file.is_deleted:
            continue
        # the added lines that could hold a directive, by their line number in the new file
        lines = added_lines(file, ctx).lines
        added = {lines[index].new_line: lines[index] for index in lines_holding("defined", added_lines(file, ctx))}
        if not added:
            continue  # the cheap test first: no added line mentions `defined`, nothing to lex
        windows = ctx.sources.outlines(file) if language == "c" else ctx.sources.lexed_windows(file)
        hits.extend(_hits(file, windows, added, printed=language != "c"))
    return hits


# `#if !defined(X)` / `#if defined X` with nothing after it but a comment: the line a fix rewrites
_C_IF_DEFINED = lazy(r"^(\s*#\s*)if\s*(!?)\s*defined\s*(?:\(\s*(\w+)\s*\)|\s+(\w+))(\s*(?:/[*/].*)?)$")
_PRINTED_IF_DEFINED = lazy(r"#(\s*)if\s*(!?)\s*defined\s*(?:\(\s*([^()\s'\"]+)\s*\)|\s([^()\s'\"]+))")


def _fix_if_defined(text, finding, path):
    """`#if !defined(X)` as `#ifndef X` (and `#if defined(X)` as `#ifdef X`), in C or in the string of
    a Python line that prints it; None when the line holds more than that one test."""
    if language_of(path) == "c":
        match = _C_IF_DEFINED.match(text)
        if not match:
            return None
        name = match.group(3) or match.group(4)
        word = "ifndef" if match.group(2) else "ifdef"
        return f"{match.group(1)}{word} {name}{match.group(5)}"
    found = list(_PRINTED_IF_DEFINED.finditer(text))
    if len(found) != 1:
        return None
    match = found[0]
    word = "ifndef" if match.group(2) else "ifdef"
    return text[:match.start()] + f"#{match.group(1)}{word} {match.group(3) or match.group(4)}" + text[match.end():]


@check("PREFER_IFNDEF", level=WARNING, scope="patch", fix=_fix_if_defined)
def prefer_ifndef(patch, ctx):
    """`#if !defined(X)` with nothing else in its condition: write `#ifndef X`.

    ## What it does
    Reports an added preprocessor line `#if !defined(X)` or `#if !defined X` whose condition holds
    nothing else (comments aside); `#if !defined(X) && Y` is left alone. In Python files it reads the
    string literals of added lines (found with `tokenize`, so a `#` comment is not one) and reports a
    printed line of C in that form, `print('#if !defined(BPF_HELPER)')`: the generated header is what
    the reviewer reads, and what every user of it compiles. Placeholders (`%s`, `{}`) count as the
    name.

    ## Why is this bad?
    `#ifndef` is the kernel's idiom for a single-macro test (a default that a user of the header may
    override, an include guard); reviewers ask for it, and the longer form makes the reader look for
    a second condition that is not there. The BPF_HELPER patch to `scripts/bpf_doc.py` printed
    `#if !defined(BPF_HELPER)` into bpf_helper_defs.h and went another round on the bpf list for it.

    ## Example
    ```bad path=scripts/bpf_doc.py
     def print_header(self):
    +    print('#if !defined(BPF_HELPER)')
    +    print('#define BPF_HELPER(ret, name, args, id) static ret(* const name) args = (void *) id')
    +    print('#endif')
    ```

    ```good path=scripts/bpf_doc.py
     def print_header(self):
    +    print('#ifndef BPF_HELPER')
    +    print('#define BPF_HELPER(ret, name, args, id) static ret(* const name) args = (void *) id')
    +    print('#endif')
    ```

    ```bad path=include/linux/bpf.h
    +#if !defined(BPF_HELPER_ID_BITS)
    +#define BPF_HELPER_ID_BITS 32
    +#endif
    ```

    ```good path=include/linux/bpf.h
    +#ifndef BPF_HELPER_ID_BITS
    +#define BPF_HELPER_ID_BITS 32
    +#endif
    ```

    ## Fix
    Write `#ifndef X`; keep `#if !defined(X)` only when the condition tests more than one thing.
    """
    for kind, hit in ctx.once(preprocessor_hits, patch):
        if kind == "ifndef":
            yield hit


@check("PREFER_IFDEF", level=WARNING, scope="patch", fix=_fix_if_defined)
def prefer_ifdef(patch, ctx):
    """`#if defined(X)` with nothing else in its condition: write `#ifdef X`.

    ## What it does
    Reports an added preprocessor line `#if defined(X)` or `#if defined X` whose condition holds
    nothing else, in C files and in the C that Python scripts print (as PREFER_IFNDEF does);
    `#if defined(X) || defined(Y)` is left alone.

    ## Why is this bad?
    `#ifdef` says in one word that one macro is tested; the kernel writes it so, and reviewers ask
    for it as they ask for `#ifndef` (see `patchflow explain PREFER_IFNDEF`, the BPF_HELPER story).

    ## Example
    ```bad path=include/linux/bpf.h
    +#if defined(CONFIG_BPF_SYSCALL)
    +int bpf_prog_demo(void);
    +#endif
    ```

    ```good path=include/linux/bpf.h
    +#ifdef CONFIG_BPF_SYSCALL
    +int bpf_prog_demo(void);
    +#endif
    ```

    ## Fix
    Write `#ifdef X`; keep `#if defined(X)` only when the condition tests more than one thing.
    """
    for kind, hit in ctx.once(preprocessor_hits, patch):
        if kind == "ifdef":
            yield hit
