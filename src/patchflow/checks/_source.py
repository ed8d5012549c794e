"""Lexed source around a patch's hunks, shared by the families that read code (alignment, preprocessor).

`lexed_windows(patch, file, ctx)` lexes each window of a changed C or Python file once per run (see
`patchflow.hunk_source` for where the lines come from) and keeps the tokens in `ctx.cache`.
"""

from __future__ import annotations

from typing import List, Optional

from ..lazy_regex import lazy

C_SUFFIXES = (".c", ".h")
PYTHON_SUFFIXES = (".py",)

# Safe places for a lexer to start above a hunk. C: a line at the left margin that begins a
# declaration, a function, a directive, a closing brace or a comment (not a macro's continuation).
# Python: a def, class or decorator line, or a module-level assignment or call (prose at the margin
# of a docstring rarely looks like either).
_C_START = lazy(r"^(?:[A-Za-z_#}]|/[*/])")
_PY_START = lazy(r"^(?:\s*(?:(?:async\s+def|def|class)\s+[A-Za-z_]\w*\s*[(:]|@[A-Za-z_])"
                       r"|[A-Za-z_][\w.]*\s*(?:=[^=]|\())")


def language_of(path: str) -> Optional[str]:
    """"c" or "python" by the file's suffix, else None."""
    if path.endswith(C_SUFFIXES):
        return "c"
    if path.endswith(PYTHON_SUFFIXES):
        return "python"
    return None


def safe_start(language: str):
    """`start_of(lines, index)` for `hunk_source.windows`: a line at or above `index` to lex from."""
    from ..hunk_source import MAX_LINES_ABOVE

    pattern = _C_START if language == "c" else _PY_START

    def start_of(lines: List[str], index: int) -> int:
        lowest = max(index - MAX_LINES_ABOVE, 0)
        for i in range(min(index, len(lines) - 1), lowest - 1, -1):
            if pattern.match(lines[i]) and not (language == "c" and i > 0 and lines[i - 1].endswith("\\")):
                return i
        return 0 if lowest == 0 else index

    return start_of


_COMMENT_LINE = lazy(r"[ \t]*\*(?:[ \t]|$)")  # ` * text`: the middle of a kernel block comment
_TRIPLE_QUOTE = lazy(r"\"\"\"|'''")
_LONE_TRIPLE_QUOTE = lazy(r"[ \t]*(?:\"\"\"|''')[ \t]*$")


def starts_in_comment(text: str) -> bool:
    """Whether a C fragment seems to start inside a comment: it closes one before it opens one, or
    its first line is a ` * ` line of a block comment."""
    if _COMMENT_LINE.match(text):
        return True
    close = text.find("*/")
    if close < 0:
        return False
    opening = text.find("/*")
    return opening < 0 or close < opening


def python_fragment_is_ambiguous(text: str) -> bool:
    """Whether a Python fragment cut from the middle of a file may start inside a triple-quoted
    string: an odd number of triple quotes, or a first one alone on its line (a docstring's end)
    that does not follow a `def ...:` or `class ...:` line. Then code and string cannot be told
    apart, and nothing in the fragment is sure."""
    first = _TRIPLE_QUOTE.search(text)
    if first is None:
        return False
    if len(_TRIPLE_QUOTE.findall(text)) % 2:
        return True
    line_start = text.rfind("\n", 0, first.start()) + 1
    line_end = text.find("\n", first.end())
    if not _LONE_TRIPLE_QUOTE.fullmatch(text[line_start:line_end if line_end >= 0 else len(text)]):
        return False
    # alone on its line: a docstring opens so right after a `def ...:` or `class ...:` line
    above = [line for line in text[:line_start].split("\n") if line.strip()]
    return not (above and above[-1].rstrip().endswith(":"))


def lex(window, language: str) -> list:
    """The tokens of a `hunk_source.Window` of C or Python source."""
    if language == "c":
        from ..lexers.c import tokenize

        return tokenize(window.text, window.first_line, in_comment=starts_in_comment(window.text))
    from ..lexers.python import tokenize

    text = window.text
    if not window.whole_file and python_fragment_is_ambiguous(text):
        return []
    return tokenize(text, window.first_line)


def lexed_windows(patch, file, ctx) -> list:
    """[(pre-image window, post-image window, post-image tokens)] of a changed C or Python file."""
    key = ("source.lexed", patch.source, patch.index_in_source, file.path)
    if key not in ctx.cache:
        from ..hunk_source import windows

        language = language_of(file.path)
        result = []
        if language is not None and file.hunks and not file.is_binary and not file.is_deleted:
            for pre_window, post_window in windows(patch, file, ctx, safe_start(language)):
                result.append((pre_window, post_window, lex(post_window, language)))
        ctx.cache[key] = result
    return ctx.cache[key]


# --- checkpatch's masked view of the changed lines (LONG_LINE's kinds) ---------------------------

_COMMENT_EDGE = lazy(r"(/\*|\*/)")
_COMMENT_EDGE_IN_STRING = lazy(r'"[^"]*(?:/\*|\*/)[^"]*"')
_COMMENT_MIDDLE = lazy(r"^\s*(?:\*\*+| \*)(?:\s|$)")


def _hunk_starts_in_comment(hunk) -> bool:
    """checkpatch's guess: a hunk starts in a comment when its first comment edge is a `*/`, or its
    first line looks like the middle of a block comment (` * ...`)."""
    for line in hunk.lines:
        if line.kind == "-":
            continue
        match = _COMMENT_EDGE.search(line.text)
        if match and not _COMMENT_EDGE_IN_STRING.search(line.text):
            return match.group(1) == "*/"
    first = hunk.lines[0] if hunk.lines else None
    return first is not None and bool(_COMMENT_MIDDLE.match(first.text))


def masked_lines(file) -> dict:
    """{patch line: text masked as checkpatch masks it} for the added and context lines of a file
    diff, each hunk lexed once (`patchflow.lexers.c.checkpatch_masked`)."""
    from ..lexers.c import checkpatch_masked

    masked = {}
    for hunk in file.hunks:
        lines = [line for line in hunk.lines if line.kind != "-"]
        if not lines:
            continue
        texts = checkpatch_masked("\n".join(line.text for line in lines), _hunk_starts_in_comment(hunk))
        for line, text in zip(lines, texts):
            masked[line.patch_line] = text
    return masked
