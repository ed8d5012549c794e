"""The changed files' source as the checks read it, each piece computed once per run: `ctx.sources`.

    ctx.sources.images(file)          # (pre-image lines, post-image lines) from the tree, or None
    ctx.sources.post_image(file)      # [(line number, text, DiffLine or None)] of the whole new file
    ctx.sources.windows(file)         # [(pre window, post window)] around the hunks (C and Python)
    ctx.sources.outlines(file)        # [(pre window, post window, post lexers.c.Outline)] of a C file
    ctx.sources.lexed_windows(file)   # [(pre window, post window, post tokens)] around the hunks
    ctx.sources.masked_lines(file)    # {patch line: text} as checkpatch masks comments and strings
    ctx.sources.masked_hunks(file)    # [(added and context lines of a hunk, their masked texts)]

Every pre-image blob of the series is read by one `git cat-file --batch` the first time one is asked
(see `patchflow.hunk_source` for where images and windows come from). A C window is outlined once
(`lexers.c.Outline`: where its comments, literals, brackets and directives are, read by offset), which
PARENTHESIS_ALIGNMENT and the preprocessor family share. Python windows are lexed into tokens
(`patchflow.lexers`), once; REVERSE_XMAS_TREE lexes the few lines of C it reads itself.
"""

from __future__ import annotations

from operator import attrgetter

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


def language_of(path: str) -> str | None:
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

    def start_of(lines: list[str], index: int) -> int:
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


def outline(window):
    """The `lexers.c.Outline` of a `hunk_source.Window` of C source."""
    from ..lexers.c import Outline

    text = window.text
    return Outline(text, window.first_line, in_comment=starts_in_comment(text), lines=window.lines)


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


class Sources:
    """What the checks of one run read of the changed files; see the module docstring."""

    def __init__(self, ctx):
        self._ctx = ctx
        self._blobs: dict[str, str] | None = None
        self._images: dict[int, tuple[list[str], list[str]] | None] = {}
        self._windows: dict[int, list] = {}
        self._outlines: dict[int, list] = {}
        self._lexed: dict[int, list] = {}  # by id of a post-image window: its tokens
        self._masked: dict[int, dict] = {}
        self._masked_hunks: dict[int, list] = {}

    def _all_blobs(self) -> dict[str, str]:
        if self._blobs is None:
            from ..hunk_source import read_blobs

            tree = self._ctx.tree
            ids = (f.old_blob for patch in self._ctx.series for f in patch.files
                   if f.old_blob and not f.is_new and not f.is_binary)
            self._blobs = read_blobs(tree, ids) if tree is not None else {}
        return self._blobs

    def images(self, file) -> tuple[list[str], list[str]] | None:
        """(pre-image, post-image) lines of a changed file from the tree, or None."""
        if id(file) not in self._images:
            from ..hunk_source import images

            tree = self._ctx.tree
            usable = tree is not None and not (file.is_new or file.is_deleted or not file.hunks)
            self._images[id(file)] = images(file, tree, self._all_blobs()) if usable else None
        return self._images[id(file)]

    def post_image(self, file) -> list[tuple] | None:
        """[(line number, text, the DiffLine or None)] of the whole new file, from the blob named on
        the diff's `index` line only (not the work tree), or None when unknown."""
        tree = self._ctx.tree
        if tree is None or file.is_new or file.is_deleted or not file.hunks:
            return None
        from ..hunk_source import images

        whole = images(file, tree, self._all_blobs(), work_tree=False)
        if whole is None:
            return None
        shown = {line.new_line: line for hunk in file.hunks for line in hunk.lines if line.kind in (" ", "+")}
        return [(number, text, shown.get(number)) for number, text in enumerate(whole[1], 1)]

    def windows(self, file) -> list:
        """[(pre-image window, post-image window)] around the hunks of a changed C or Python file."""
        if id(file) not in self._windows:
            from ..hunk_source import windows

            language = language_of(file.path)
            found = []
            if language is not None and file.hunks and not file.is_binary and not file.is_deleted:
                found = windows(file, self.images(file), safe_start(language))
            self._windows[id(file)] = found
        return self._windows[id(file)]

    def outlines(self, file) -> list:
        """[(pre-image window, post-image window, post-image Outline)] of a changed C file."""
        if id(file) not in self._outlines:
            self._outlines[id(file)] = [(pre, post, outline(post)) for pre, post in self.windows(file)]
        return self._outlines[id(file)]

    def lexed_windows(self, file) -> list:
        """[(pre-image window, post-image window, post-image tokens)] of a changed C or Python file."""
        language = language_of(file.path)
        return [(pre, post, self._tokens(post, language)) for pre, post in self.windows(file)]

    def _tokens(self, window, language: str) -> list:
        if id(window) not in self._lexed:
            self._lexed[id(window)] = lex(window, language)
        return self._lexed[id(window)]

    def masked_lines(self, file) -> dict:
        """{patch line: text} of a C file's added and context lines, masked as checkpatch masks them."""
        if id(file) not in self._masked:
            self._masked[id(file)] = masked_lines(file, self.masked_hunks(file))
        return self._masked[id(file)]

    def masked_hunks(self, file) -> list[tuple]:
        """[(added and context lines of a hunk, their masked texts)] of a file, in order."""
        if id(file) not in self._masked_hunks:
            from ._lines import added_lines

            self._masked_hunks[id(file)] = masked_hunks(file, added_lines(file, self._ctx))
        return self._masked_hunks[id(file)]


# --- checkpatch's masked view of the changed lines (LONG_LINE's kinds) ---------------------------

_TEXT_OF = attrgetter("text")
_PATCH_LINE_OF = attrgetter("patch_line")
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


def masked_hunks(file, added=None) -> list[tuple]:
    """[(the added and context lines of a hunk, their texts masked as checkpatch masks them)] of each
    hunk of a file diff that has some, each hunk lexed once (`patchflow.lexers.c.checkpatch_masked`).
    `added`, the file's `_lines.AddedLines` when given, serves a file whose one hunk only adds lines
    (a new file): its lines and their joined text are those, not made again."""
    from ..lexers.c import checkpatch_masked

    found = []
    for hunk in file.hunks:
        if added is not None and len(file.hunks) == 1 and len(added.lines) == len(hunk.lines):
            lines, text = added.lines, added.text
        else:
            lines = [line for line in hunk.lines if line.kind != "-"]
            text = "\n".join(map(_TEXT_OF, lines))
        if lines:
            found.append((lines, checkpatch_masked(text, _hunk_starts_in_comment(hunk))))
    return found


def masked_lines(file, hunks: list[tuple] | None = None) -> dict:
    """{patch line: text masked as checkpatch masks it} for the added and context lines of a file
    diff (from its `masked_hunks`, when given)."""
    masked = {}
    for lines, texts in masked_hunks(file) if hunks is None else hunks:
        masked.update(zip(map(_PATCH_LINE_OF, lines), texts))
    return masked
