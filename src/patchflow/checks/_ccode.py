"""What the C-code families share: each file's lines as checkpatch sees them, and its C patterns.

checkpatch reads a patch line by line: the line with comments and string contents masked (comment
text is `\\x1c`, string text `X`), and the line before it (the previous added or context line of the
same file, removed lines skipped). `lines_of(file, ctx)` gives both (a `CodeLines`): the file's
masked lines are read once per run, and the CodeLine of a line is made when a check first asks.

The patterns follow checkpatch's definitions of a C identifier, type and declaration (its static
type lists; it also learns typedef names from the patch, which these do not). They compile on first
use, so a patch without C code pays nothing for them.
"""

from __future__ import annotations

import functools
from functools import lru_cache
from itertools import repeat
from types import SimpleNamespace

from ..lazy_regex import lazy
from ._lines import LineFilter, added_lines

COMMENT = "\x1c"  # what masked comment text reads as (checkpatch's $;), as lexers.c.COMMENT_MASK

__all__ = ["COMMENT", "is_c", "is_styled", "code_line_of", "lines_of", "patterns", "CodeLine", "CodeLines",
           "on_added_lines"]

_C_FILE = lazy(r"\.[ch]$")
_STYLED_FILE = lazy(r"\.(?:h|c|pl|dtsi|dts)$")


@lru_cache(maxsize=4096)
def is_c(path: str) -> bool:
    """A .c or .h file, where checkpatch applies its C statement rules."""
    return bool(_C_FILE.search(path))


@lru_cache(maxsize=4096)
def is_styled(path: str) -> bool:
    """A file checkpatch applies its layout rules to (C, headers, device tree; Perl is skipped earlier)."""
    return bool(_STYLED_FILE.search(path)) and not path.endswith(".pl")


def on_added_lines(wanted_file, needle=None, lines=None):
    """Make a judge of one added line, `judge(line, file, ctx) -> Hit | message | None`, into a
    patch check over the added lines of the files `wanted_file(path)` accepts. A line in which the
    pattern `needle` finds nothing is not shown to the judge: the C-code checks run on every added
    line of large patches, and one scan of a file's lines in C (`_needles.Needle`) costs less than a
    call into Python per line. `lines(file, added, ctx)`, when given instead, names the positions in
    `added.lines` (`_lines.AddedLines`, in order) of the lines the judge is shown: what a judge
    needs to know of a file to rule lines out is then found once per file (a search of `added.text`),
    not asked line by line."""
    wanted = LineFilter(wanted_file, needle, lines)  # the needle compiles on the first file it scans

    def wrap(judge):
        @functools.wraps(judge)
        def over_patch(patch, ctx):
            for file in patch.files:
                if file.is_binary or not wanted_file(file.path):
                    continue
                added = added_lines(file, ctx)
                indexes = wanted.indexes(file, added, ctx)
                shown = added.lines if indexes is None else [added.lines[index] for index in indexes]
                for line in shown:
                    hit = judge(line, file, ctx)
                    if hit is not None:
                        yield _hit_at(line, file, hit) if isinstance(hit, str) else hit
        over_patch.line_filter = wanted  # what it shows its judge, as a "line" check declares it
        return over_patch
    return wrap


def _hit_at(line, file, message):
    from . import Hit  # the package imports this module: not at import time

    return Hit.at(line, file, message)


class CodeLine:
    """One added or context line: its masked text, and the line before it in the file."""

    __slots__ = ("line", "code", "prev", "prev_code", "index", "sequence", "hunk_ends")

    def __init__(self, line, code, prev, prev_code, index, sequence, hunk_ends):
        self.line = line
        self.code = code  # masked: comments \x1c, string contents X
        self.prev = prev  # the previous non-removed DiffLine of the file, or None
        self.prev_code = prev_code  # its masked text ('' when there is none)
        self.index = index  # position in `sequence`
        self.sequence = sequence  # every non-removed (DiffLine, masked text) of the file, in order
        self.hunk_ends = hunk_ends  # for each position of `sequence`, where its hunk ends there

    def following(self, count):
        """Up to `count` (DiffLine, masked text) after this line in its hunk (removed lines skipped):
        a later hunk is not what follows."""
        start = self.index + 1
        return self.sequence[start:min(start + count, self.hunk_ends[self.index])]


class CodeLines:
    """{patch line: CodeLine} of a file's added lines, as `lines_of` gives it: `get`, `[]`, `in`,
    `keys()`, `values()` and `items()` in order, `len`. A CodeLine is made the first time it is asked for, then kept: the
    checks ask for a few lines each (those their searches found), and a CodeLine for every added
    line (128,000 on the new-file corpus) cost more than all they asked."""

    __slots__ = ("sequence", "hunk_ends", "lines", "codes", "added", "all_added", "masked_text", "_first",
                 "_index", "_added", "_made")

    def __init__(self, sequence, hunk_ends, lines, codes, added, whole=True):
        self.sequence = sequence  # every non-removed (DiffLine, masked text) of the file, in order
        self.hunk_ends = hunk_ends  # for each position of `sequence`, where its hunk ends there
        self.lines, self.codes = lines, codes  # the sequence's DiffLines and masked texts, apart
        self.added = added  # the file's `_lines.AddedLines`
        # every line of the sequence is added, and it has every added line of the file (a new file)
        self.all_added = whole and len(added.lines) == len(lines)
        # where a patch line is in the sequence: its distance from the first when the patch lines
        # follow one another (a new file: one hunk, every line added), else a {patch line: position}
        # made on first use
        consecutive = bool(lines) and lines[-1].patch_line - lines[0].patch_line == len(lines) - 1
        self._first = lines[0].patch_line if consecutive else None
        self._index = None
        self._added = None  # the positions of the added lines, found on first use
        self._made = {}  # {patch line: CodeLine} made so far
        self.masked_text = None  # the `_line_scans.MaskedText` of these lines (False: no line added)

    def get(self, patch_line, default=None):
        made = self._made.get(patch_line)
        if made is not None:
            return made
        if self._first is not None:
            index = patch_line - self._first
            if not 0 <= index < len(self.lines):
                return default
        else:
            if self._index is None:
                self._index = {line.patch_line: index for index, line in enumerate(self.lines)}
            index = self._index.get(patch_line)
            if index is None:
                return default
        if self.lines[index].kind != "+":
            return default
        made = self._made[patch_line] = self._code_line(index)
        return made

    def at(self, index):
        """The CodeLine of the added line at this position of the sequence."""
        return self.get(self.lines[index].patch_line)

    def _code_line(self, index):
        sequence = self.sequence
        prev, prev_code = sequence[index - 1] if index else (None, "")
        return CodeLine(sequence[index][0], sequence[index][1], prev, prev_code, index, sequence, self.hunk_ends)

    def __getitem__(self, patch_line):
        found = self.get(patch_line)
        if found is None:
            raise KeyError(patch_line)
        return found

    def __contains__(self, patch_line):
        return self.get(patch_line) is not None

    def added_positions(self):
        """The positions in the sequence of the added lines, in order."""
        if self._added is None:
            if self.all_added:
                self._added = range(len(self.lines))
            else:
                self._added = [index for index, line in enumerate(self.lines) if line.kind == "+"]
        return self._added

    def __len__(self):
        return len(self.added_positions())

    def __iter__(self):
        lines = self.lines
        return (lines[index].patch_line for index in self.added_positions())

    def values(self):
        """The CodeLines of the added lines, in order (made as they are reached)."""
        return (self.get(patch_line) for patch_line in self)

    def keys(self):
        return iter(self)

    def items(self):
        return ((patch_line, self.get(patch_line)) for patch_line in self)


_LAST = [None, None, None]  # (ctx, file, lines): every line check of a line asks for the same file


def lines_of(file, ctx) -> CodeLines:
    """{patch line: CodeLine} (a `CodeLines`) for the added lines of a file diff (context lines
    serve as `prev`), built once per run."""
    if _LAST[1] is file and _LAST[0] is ctx:
        return _LAST[2]
    found = ctx.once(_code_lines, file)
    _LAST[:] = [ctx, file, found]
    return found


def code_line_of(line, file, ctx):
    """The CodeLine of an added line of `file`, or None: `lines_of(...).get(...)` in one call (the
    heaviest C checks ask it for every added line; a call per line and check is what it saves)."""
    if _LAST[1] is not file or _LAST[0] is not ctx:
        lines_of(file, ctx)
    return _LAST[2].get(line.patch_line)


def _code_lines(file, ctx) -> CodeLines:
    lines, codes, hunk_ends = [], [], []
    whole = True
    # checkpatch's masked view, by hunk in order, shared with the other families; built by list
    # operations per hunk, not a Python step per line
    for hunk_lines, hunk_codes in ctx.sources.masked_hunks(file):
        count = len(hunk_lines)
        if len(hunk_codes) != count:  # a hunk that starts in a `//` "comment" loses a newline: paired as zip
            whole = False
            hunk_lines, hunk_codes = hunk_lines[:len(hunk_codes)], hunk_codes[:count]
        lines.extend(hunk_lines)
        codes.extend(hunk_codes)
        hunk_ends.extend(repeat(len(lines), count))
    return CodeLines(list(zip(lines, codes)), hunk_ends, lines, codes, added_lines(file, ctx), whole)


@lru_cache(maxsize=None)
def patterns() -> SimpleNamespace:
    """checkpatch's C vocabulary as Python regular expressions (strings and compiled)."""
    ident = r"(?:[A-Za-z_][A-Za-z\d_]*(?:\s*\#\#\s*[A-Za-z_][A-Za-z\d_]*)*)"
    storage = r"(?:extern|static|asmlinkage)"
    sparse = r"(?:__user|__kernel|__force|__iomem|__must_check|__kprobes|__ref|__refconst|__refdata|__rcu|__private)"
    init_attr = r"(?:__(?:mem|cpu|dev|net_|)(?:initdata|initconst|init)\b)"
    attribute = (r"(?:const|volatile|__percpu|__nocast|__safe|__bitwise|__packed__|__packed2__|__naked|"
                 r"__maybe_unused|__always_unused|__noreturn|__used|__cold|__pure|__noclone|__deprecated|"
                 r"__read_mostly|__ro_after_init|__kprobes|" + init_attr + r"|__aligned\s*\(.*\)|"
                 r"____cacheline_aligned|____cacheline_aligned_in_smp|____cacheline_internodealigned_in_smp|"
                 r"__weak|__alloc_size\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))")
    inline = r"(?:inline|__always_inline|noinline|__inline|__inline__)"
    modifier = r"(?:" + attribute + "|" + sparse + r"|fastcall)"
    typedefs = (r"(?:(?:__)?(?:[us]_?)?int_?(?:8|16|32|64)_t\b|u_(?:char|short|int|long)\b|"
                r"u(?:nchar|short|int|long)\b|(?:__)?(?:u|s|be|le)(?:8|16|32|64)\b|atomic_t\b|FILE\b)")
    misordered = (r"char\s+(?:un)?signed|int\s+(?:(?:un)?signed\s+)?short\s|int\s+short(?:\s+(?:un)?signed)|"
                  r"short\s+int(?:\s+(?:un)?signed)|(?:un)?signed\s+int\s+short|short\s+(?:un)?signed|"
                  r"long\s+int\s+(?:un)?signed|int\s+long\s+(?:un)?signed|long\s+(?:un)?signed\s+int|"
                  r"int\s+(?:un)?signed\s+long|int\s+(?:un)?signed|int\s+long\s+long\s+(?:un)?signed|"
                  r"long\s+long\s+int\s+(?:un)?signed|long\s+long\s+(?:un)?signed\s+int|"
                  r"long\s+long\s+(?:un)?signed|long\s+(?:un)?signed")
    basic = (r"(?:void|(?:(?:un)?signed\s+)?char|(?:(?:un)?signed\s+)?short\s+int|(?:(?:un)?signed\s+)?short|"
             r"(?:(?:un)?signed\s+)?int|(?:(?:un)?signed\s+)?long\s+int|(?:(?:un)?signed\s+)?long\s+long\s+int|"
             r"(?:(?:un)?signed\s+)?long\s+long|(?:(?:un)?signed\s+)?long|(?:un)?signed|float|double|bool|"
             r"struct\s+" + ident + r"|union\s+" + ident + r"|enum\s+" + ident + r"|" + ident + r"_t|"
             + ident + r"_handler|" + ident + r"_handler_fn|" + misordered + r")")
    nonptr = (r"(?:(?:" + modifier + r"\s+|const\s+)*(?:(?:typeof|__typeof__)\s*\([^\)]*\)|" + typedefs
              + r"|" + basic + r"\b)(?:\s+" + modifier + r"|\s+const)*)")
    type_ = (r"(?:" + nonptr + r"(?:(?:\s|\*|\[\])+\s*const|(?:\s|\*\s*(?:const\s*)?|\[\])+|(?:\s*\[\s*\])+){0,4}"
             r"(?:\s+" + inline + r"|\s+" + modifier + r")*)")
    declare = r"(?:(?:" + storage + r"\s+(?:" + inline + r"\s+)?)?" + type_ + ")"
    member = r"(?:->" + ident + r"|\." + ident + r"|\[[^]]*\])"
    lval = r"(?:" + ident + member + "*)"
    decl_macros = (r"(?:(?:" + storage + r"\s+)?(?:[A-Z_][A-Z0-9]*_){0,2}(?:DEFINE|DECLARE)(?:_[A-Z0-9]+){1,6}\s*\(|"
                   r"(?:" + storage + r"\s+)?[HLP]?LIST_HEAD\s*\(|"
                   r"(?:SKCIPHER_REQUEST|SHASH_DESC|AHASH_REQUEST)_ON_STACK\s*\(|"
                   r"(?:" + storage + r"\s+)?(?:XA_STATE|XA_STATE_ORDER)\s*\()")
    c90_keywords = r"(?:do|for|while|if|else|return|goto|continue|switch|default|case|break)"
    assignment = r"(?:\*=|/=|%=|\+=|-=|<<=|>>=|&=|\^=|\|=|=)"
    compare = r"(?:<=|>=|==|!=|<|(?<!-)>)"
    operators = r"(?:<=|>=|==|!=|=>|->|<<|>>|<|>|!|~|&&|\|\||,|\^|\+\+|--|&|\||\+|-|\*|/|%)"
    constant = (r"(?:(?i:0x[0-9a-f]+p-?[0-9]+[fl]?)|(?i:(?:[0-9]+\.[0-9]*|[0-9]*\.[0-9]+)(?:e-?[0-9]+)?[fl]?)|"
                r"(?i:[0-9]+e-?[0-9]+[fl]?)|(?i:0b[01]+(?:llu|ull|ll|lu|ul|l|u)?)|"
                r"(?i:0[0-7]+(?:llu|ull|ll|lu|ul|l|u)?)|(?i:0x[0-9a-f]+(?:llu|ull|ll|lu|ul|l|u)?)|"
                r"[0-9]+(?i:llu|ull|ll|lu|ul|l|u)?)")
    return SimpleNamespace(ident=ident, storage=storage, sparse=sparse, attribute=attribute, inline=inline,
                           modifier=modifier, type=type_, nonptr=nonptr, declare=declare, lval=lval,
                           member=member, decl_macros=decl_macros, c90_keywords=c90_keywords,
                           assignment=assignment, compare=compare, operators=operators, constant=constant)
