"""REVERSE_XMAS_TREE: netdev's and bpf's order of local variable declarations, longest line first.

How a function's declarations are found, with the C lexer (`patchflow.lexers.c`):
- the lines around each change are what the patch shows (its hunks), or the whole new file when the
  patch creates it or when the tree holds the patch's pre-image (the blob of its `index` line);
- a function body opens with a `{` alone at the start of its line (the kernel's coding style);
- its top declaration block is the run of declarations right after that `{`; a blank line or a
  preprocessor directive splits it into groups, each ordered on its own; the first statement ends it;
- a declaration spans its lines up to its `;`, and its length is that of its first line's code
  (tabs expanded, a trailing comment left out), as reviewers count it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set

from . import CHECK, WARNING, Hit, check
from ..profiles import NETDEV, Statement, file_profiles, governing, reportable, subject_profiles
from ..lexers.c import code_tokens, iter_tokens, tokenize

C_SUFFIXES = (".c", ".h")
# --xmas-tree always: the user asks for netdev's rule on every C file
ALWAYS = Statement(NETDEV, WARNING, "Order the variable declaration lines longest to shortest")
# Ordering a group costs the square of its size; no function declares this many locals in one block.
MAX_GROUP = 400
# A statement longer than this is no local variable declaration a reviewer orders by eye.
MAX_DECLARATION_TOKENS = 5000

# Words that start a statement, never a declaration.
_STATEMENT_WORDS = {
    "return", "goto", "if", "else", "while", "for", "do", "switch", "case", "default", "break",
    "continue", "sizeof", "asm", "__asm__", "asm_volatile_goto",
}
# Words that may stand before a declaration's type.
_QUALIFIERS = {
    "static", "const", "volatile", "register", "extern", "auto", "inline", "__maybe_unused",
    "__always_unused", "__read_mostly", "__aligned", "__attribute__", "__free", "__cleanup",
    "__rcu", "__percpu", "__iomem", "__user", "__force", "__packed", "__unused", "__randomize_layout",
    "__cacheline_aligned", "__cacheline_aligned_in_smp", "__initdata", "__counted_by", "__nonstring",
}
_TYPE_WORDS = {
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool", "bool",
    "struct", "union", "enum", "typeof", "__typeof__", "__typeof", "__auto_type",
}
_TAG_WORDS = {"struct", "union", "enum"}


def _is_macro_declaration(name: str) -> bool:
    """DECLARE_BITMAP(mask, N), DEFINE_WAIT(wait), LIST_HEAD(list): macros that declare a variable."""
    return name.startswith(("DECLARE_", "DEFINE_")) or name in ("LIST_HEAD", "LLIST_HEAD", "HLIST_HEAD")


@dataclass
class KnownLine:
    number: int  # line number in the new file
    text: str
    diff: Optional[object] = None  # the patch's DiffLine, for lines the patch shows


@dataclass
class Declaration:
    line: int  # its first line
    last_line: int
    length: int  # display columns of its first line's code
    names: Set[str] = field(default_factory=set)
    uses: Set[str] = field(default_factory=set)


# --- the lines around the changes --------------------------------------------------------------


def _preimage(file, ctx) -> Optional[List[str]]:
    """The lines of the file before the patch, when the tree has the blob of its `index` line."""
    tree = ctx.tree
    if tree is None or not file.old_blob or set(file.old_blob) == {"0"}:
        return None
    key = ("xmas.blob", file.old_blob)
    if key not in ctx.cache:
        text = tree.read_blob(file.old_blob)
        ctx.cache[key] = None if text is None else text.split("\n")
    return ctx.cache[key]


def _apply(old: List[str], file) -> Optional[List[KnownLine]]:
    """The whole new file: the pre-image with the hunks applied, or None when they do not fit it."""
    result: List[KnownLine] = []
    old_at = 1  # next pre-image line to copy
    for hunk in file.hunks:
        start = hunk.old_start if hunk.old_count else hunk.old_start + 1
        if start < old_at or start - 1 > len(old):
            return None
        while old_at < start:
            result.append(KnownLine(len(result) + 1, old[old_at - 1]))
            old_at += 1
        for line in hunk.lines:
            if line.kind in (" ", "-"):
                if old_at > len(old) or old[old_at - 1].rstrip("\r") != line.text.rstrip("\r"):
                    return None
                old_at += 1
            if line.kind in (" ", "+"):
                result.append(KnownLine(len(result) + 1, line.text, line))
    while old_at <= len(old):
        result.append(KnownLine(len(result) + 1, old[old_at - 1]))
        old_at += 1
    if result and result[-1].text == "" and result[-1].diff is None:
        result.pop()  # the empty string after the file's last newline
    return result


@dataclass
class Segment:
    """A run of consecutive new-file lines: the whole file, or what one hunk shows of it."""

    lines: List[KnownLine]
    whole: bool
    section: str = ""  # the hunk's `@@ ... @@ section`: git's name of the function it starts in


def known_segments(file, ctx) -> List[Segment]:
    """The whole new file when it can be had, else each hunk's lines."""
    if file.is_new and len(file.hunks) == 1:
        return [Segment([KnownLine(line.new_line, line.text, line) for line in file.hunks[0].lines
                         if line.kind == "+"], True)]
    if not file.is_new:
        old = _preimage(file, ctx)
        if old is not None:
            whole = _apply(old, file)
            if whole is not None:
                return [Segment(whole, True)]
    segments = []
    for hunk in file.hunks:
        lines = [KnownLine(line.new_line, line.text, line) for line in hunk.lines if line.kind in (" ", "+")]
        if lines:
            segments.append(Segment(lines, False, hunk.section))
    return segments


def _hunk_starts_in_function(segment: Segment) -> bool:
    """Whether a hunk may start inside a function's top declarations with its `{` above it: git
    names a function in the hunk header, and the first line is indented by one tab."""
    section = segment.section.rstrip()
    if segment.whole or "(" not in section or section.endswith((";", "{", "=")):
        return False
    first = segment.lines[0].text
    return first.startswith("\t") and first[1:2] not in ("\t", " ", "")


# --- declarations --------------------------------------------------------------------------------


def _starts_declaration(toks) -> bool:
    i = 0
    while i < len(toks) and toks[i].kind == "ident" and toks[i].text in _QUALIFIERS:
        i += 1
        if i < len(toks) and toks[i].text == "(":  # __attribute__((...)), __aligned(8)
            i = _skip_group(toks, i)
    if i >= len(toks) or toks[i].kind != "ident" or toks[i].text in _STATEMENT_WORDS:
        return False
    word = toks[i].text
    if word in _TYPE_WORDS:
        return True
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None:
        return False
    if _is_macro_declaration(word) and nxt.text == "(":
        return True
    if nxt.kind == "ident":  # u32 val, size_t len, netdev_features_t features
        return True
    if nxt.text == "*":  # u8 *p = ..., void **pp;  (never `a * b;`: an unused product is no statement)
        j = i + 1
        while j < len(toks) and (toks[j].text == "*" or toks[j].text in ("const", "volatile", "__rcu")):
            j += 1
        return (j + 1 < len(toks) and toks[j].kind == "ident"
                and toks[j + 1].text in ("=", ";", ",", "[", ")", "__free", "__maybe_unused"))
    return False


def _skip_group(toks, i: int) -> int:
    """The index after the bracket group that opens at toks[i]."""
    depth = 0
    while i < len(toks):
        if toks[i].text in ("(", "[", "{"):
            depth += 1
        elif toks[i].text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _declared_names(toks) -> Set[str]:
    """The variables a declaration's tokens declare."""
    first = next((t for t in toks if t.kind == "ident" and t.text not in _QUALIFIERS), None)
    if first is not None and _is_macro_declaration(first.text):
        args = [t for t in toks if t.kind == "ident" and t is not first]
        return {args[0].text} if args else set()
    names: Set[str] = set()
    segment: List = []
    depth = 0
    in_initializer = False
    for tok in toks:
        if tok.text in ("(", "[", "{"):
            depth += 1
        elif tok.text in (")", "]", "}"):
            depth -= 1
        if depth == 0 and tok.text in (",", ";"):
            names |= _declarator_name(segment)
            segment, in_initializer = [], False
            continue
        if depth == 0 and tok.text == "=":
            in_initializer = True
        if not in_initializer:
            segment.append(tok)
    names |= _declarator_name(segment)
    return names


def _declarator_name(segment) -> Set[str]:
    texts = [t.text for t in segment]
    for k in range(len(texts) - 2):  # (*name)(...) or (*name)[...]
        if texts[k] == "(" and texts[k + 1] == "*" and segment[k + 2].kind == "ident":
            return {texts[k + 2]}
    depth = 0
    candidates = []
    for k, tok in enumerate(segment):
        if tok.text in ("(", "["):
            depth += 1
        elif tok.text in (")", "]"):
            depth -= 1
        elif (depth == 0 and tok.kind == "ident" and tok.text not in _QUALIFIERS
              and not (k + 1 < len(segment) and segment[k + 1].text == "(")):  # __aligned(8), __free(kfree)
            candidates.append(tok.text)
    return {candidates[-1]} if candidates else set()


def _used_names(toks) -> Set[str]:
    """Identifiers a declaration reads: not member names, not struct tags, not the parameter names
    of a function pointer's type (`int (*fn)(struct bpf_map *map, void *key)` reads no `map`)."""
    used = set()
    prev = None
    i = 0
    while i < len(toks):
        tok = toks[i]
        if (tok.text == "(" and i >= 4 and toks[i - 1].text == ")" and toks[i - 2].kind == "ident"
                and toks[i - 3].text == "*" and toks[i - 4].text == "("):
            i = _skip_group(toks, i)
            prev = toks[i - 1]
            continue
        if tok.kind == "ident" and not (prev is not None and (prev.text in (".", "->") or prev.text in _TAG_WORDS)):
            used.add(tok.text)
        prev = tok
        i += 1
    return used


class LazyCode:
    """The code tokens (comments left out) of some lines, lexed only as far as they are read: the
    declarations at the top of a function are a few lines, its body may be thousands."""

    def __init__(self, text: str, first_line: int):
        self._source = iter_tokens(text, first_line)
        self._tokens: List = []

    def get(self, index: int):
        """The token at index, or None past the end."""
        while len(self._tokens) <= index:
            tok = next(self._source, None)
            if tok is None:
                return None
            if tok.kind != "comment":
                self._tokens.append(tok)
        return self._tokens[index]

    def slice(self, start: int, stop: int) -> List:
        self.get(stop - 1)
        return self._tokens[start:stop]


def _statement_end(code: LazyCode, i: int) -> Optional[int]:
    """The index of the `;` that ends the statement starting at code[i], None when it does not end
    (a directive, a closing brace, or the end of the known lines comes first)."""
    depth = 0
    for i in range(i, i + MAX_DECLARATION_TOKENS):
        tok = code.get(i)
        if tok is None or tok.pp:
            return None
        if tok.text in ("(", "[", "{"):
            depth += 1
        elif tok.text in (")", "]", "}"):
            depth -= 1
            if depth < 0:
                return None
        elif tok.text == ";" and depth == 0:
            return i
    return None


def top_declaration_groups(code: LazyCode, start: int, previous_end: int,
                           lines: Dict[int, KnownLine]) -> List[List[Declaration]]:
    """The groups of declarations that start at code[start], right after a function's `{` (on line
    previous_end) or at the start of a hunk inside them."""
    line_end: Dict[int, int] = {}
    groups: List[List[Declaration]] = [[]]
    i = start
    while code.get(i) is not None:
        tok = code.get(i)
        if tok.pp:
            groups.append([])
            directive = tok.pp
            while code.get(i) is not None and code.get(i).pp == directive:
                i += 1
            previous_end = code.get(i - 1).line
            continue
        if any(lines[n].text.strip() == "" for n in range(previous_end + 1, tok.line) if n in lines):
            groups.append([])
        if any(n not in lines for n in range(previous_end + 1, tok.line)):
            break  # a gap between two hunks: what lies there is unknown
        if not _starts_declaration(code.slice(i, i + 12)):
            break
        j = _statement_end(code, i)
        if j is None:
            break  # unfinished where the known lines end, or not a declaration after all
        toks = code.slice(i, j + 1)
        decl = Declaration(tok.line, toks[-1].line, 0, _declared_names(toks), set())
        decl.uses = _used_names(toks) - decl.names
        group = groups[-1]
        if group and group[-1].line == decl.line:  # `int a; int b;` share one line
            group[-1].names |= decl.names
            group[-1].uses |= decl.uses
        else:
            group.append(decl)
        for t in toks:
            line_end[t.line] = max(line_end.get(t.line, 0), t.end_column - 1)
        previous_end = toks[-1].line
        i = j + 1
    for group in groups:
        for decl in group:
            decl.length = line_end.get(decl.line, 0)
    return [group for group in groups if len(group) > 1]


class RemovedDeclarations:
    """The declarations each hunk of a file removes, to tell a changed declaration from a new one."""

    def __init__(self, file):
        self._hunk_of = {id(line): hunk for hunk in file.hunks for line in hunk.lines}
        self._removed: Dict[int, List[tuple]] = {}

    def _of_hunk(self, hunk) -> List[tuple]:
        if id(hunk) not in self._removed:
            found = []
            for line in hunk.lines:
                if line.kind == "-":
                    toks = code_tokens(tokenize(line.text))
                    if toks and _starts_declaration(toks[:12]):
                        found.append((_declared_names(toks), toks[-1].end_column - 1))
            self._removed[id(hunk)] = found
        return self._removed[id(hunk)]

    def old_length(self, decl: Declaration, lines: Dict[int, KnownLine]) -> Optional[int]:
        """The length of the line this declaration replaces (a removed line declaring the same names)."""
        hunk = self._hunk_of.get(id(lines[decl.line].diff))
        if hunk is None:
            return None
        return next((length for names, length in self._of_hunk(hunk) if names & decl.names), None)


def _quote(lines: Dict[int, KnownLine], number: int) -> str:
    return lines[number].text.strip()


def _kept_in_order(group: List[Declaration], lengths: List[int], movable: List[bool]) -> Set[int]:
    """The largest set of declarations that can stay where they are: a longest chain, in the group's
    order, where each line is no longer than the one kept above it (or reads a variable it declares).
    Among chains of one length, the one that keeps the most lines the patch did not touch."""
    n = len(group)
    score = [(1, 0 if movable[i] else 1) for i in range(n)]
    back = [-1] * n
    for i in range(n):
        for j in range(i):
            if lengths[j] >= lengths[i] or group[i].uses & group[j].names:
                candidate = (score[j][0] + 1, score[j][1] + (0 if movable[i] else 1))
                if candidate > score[i]:
                    score[i], back[i] = candidate, j
    kept: Set[int] = set()
    i = max(range(n), key=lambda k: score[k]) if n else -1
    while i >= 0:
        kept.add(i)
        i = back[i]
    return kept


def _describe(lines: Dict[int, KnownLine], decl: Declaration) -> str:
    return f"line {decl.line} '{_quote(lines, decl.line)}' ({decl.length} columns)"


def misplaced(group: List[Declaration], lines: Dict[int, KnownLine], removed: RemovedDeclarations):
    """(declaration, message) for each added or changed declaration that breaks the group's order.

    The declarations to move are those outside the longest run already in order, so a block with
    one line out of place gets one finding, not one per line it displaces."""
    if len(group) > MAX_GROUP:
        return
    added = [lines[d.line].diff is not None and lines[d.line].diff.kind == "+" for d in group]
    lengths = [d.length for d in group]
    kept = _kept_in_order(group, lengths, added)
    for i, decl in enumerate(group):
        if not added[i] or i in kept:
            continue
        if any(decl.uses & group[k].names for k in range(i)):
            continue  # it reads a variable declared above: its place is fixed
        old = removed.old_length(decl, lines)
        if old is not None and old != decl.length:
            before = list(lengths)
            before[i] = old
            if i not in _kept_in_order(group, before, added):
                continue  # the line it replaces was out of order already
        elif old is not None:
            continue  # same length as the line it replaces: the patch changed no order
        # It must stay above the first declaration that reads it.
        high = min((k for k in range(i + 1, len(group)) if group[k].uses & decl.names), default=len(group))
        order = sorted(kept - {i})
        first_shorter = next((k for k in order if lengths[k] < decl.length), None)
        last_longer = max((k for k in order if k < high and lengths[k] > decl.length), default=None)
        if first_shorter is not None and first_shorter < i:
            yield decl, (f"Reverse xmas tree: this declaration ({decl.length} columns) should come before "
                         f"{_describe(lines, group[first_shorter])}")
        elif last_longer is not None and last_longer > i:
            following = next((k for k in range(last_longer + 1, len(group)) if k in kept or k == high), None)
            if following is not None:
                yield decl, (f"Reverse xmas tree: this declaration ({decl.length} columns) should come before "
                             f"{_describe(lines, group[following])}, below the longer "
                             f"line {group[last_longer].line}")
            else:
                yield decl, (f"Reverse xmas tree: this declaration ({decl.length} columns) should come after "
                             f"{_describe(lines, group[last_longer])}, the last of the block")


# --- the check ---------------------------------------------------------------------------------


def governing_statement(patch, file, ctx) -> Optional[Statement]:
    """The document statement that makes the order a rule for file, or None where none does."""
    mode = ctx.options.extra.get("x_xmas_tree") or "auto"
    if mode == "never" or not file.path.endswith(C_SUFFIXES) or file.is_deleted or file.is_binary:
        return None
    if mode == "always":
        return ALWAYS
    # no MAINTAINERS to ask: trust the tree the subject names ([PATCH net-next])
    profiles = file_profiles(file.path, ctx) if ctx.maintainers is not None else subject_profiles(patch)
    return governing("REVERSE_XMAS_TREE", profiles)


def _function_windows(segment: Segment):
    """(first, last) indexes into segment.lines of each function body that starts in it: from a `{`
    alone at the start of its line (the kernel's style for a function body) to the next `}` at the
    start of a line; first is None for a hunk that starts inside a function's declarations."""
    texts = [line.text.rstrip() for line in segment.lines]
    closers = [k for k, text in enumerate(texts) if text.startswith("}")]
    openers = [k for k, text in enumerate(texts) if text == "{"]
    starts = [(None, 0)] if _hunk_starts_in_function(segment) else []
    starts += [(k, k) for k in openers]
    for brace, first in starts:
        # a body ends at its `}`, and at the latest where the next body opens
        at = bisect.bisect_left(closers, first)
        last = closers[at] if at < len(closers) else len(texts) - 1
        at = bisect.bisect_right(openers, first)
        if at < len(openers):
            last = min(last, openers[at] - 1)
        yield brace, first, last


def file_findings(file, ctx):
    removed = RemovedDeclarations(file)
    for segment in known_segments(file, ctx):
        added = [k for k, line in enumerate(segment.lines) if line.diff is not None and line.diff.kind == "+"]
        if not added:
            continue
        lines = {line.number: line for line in segment.lines}
        for brace, first, last in _function_windows(segment):
            at = bisect.bisect_left(added, first)
            if at == len(added) or added[at] > last:
                continue  # the patch adds nothing to this function
            window = segment.lines[first:last + 1]
            code = LazyCode("\n".join(line.text for line in window), window[0].number)
            if brace is None:
                head = code.get(0)
                if head is None or head.line != window[0].number or not _starts_declaration(code.slice(0, 12)):
                    continue
                start, previous_end = 0, window[0].number - 1
            else:
                opening, after = code.get(0), code.get(1)
                if opening is None or opening.text != "{" or (after is not None and after.line == opening.line):
                    continue
                start, previous_end = 1, opening.line
            for group in top_declaration_groups(code, start, previous_end, lines):
                for decl, message in misplaced(group, lines, removed):
                    yield Hit.at(lines[decl.line].diff, file, message)


@check("REVERSE_XMAS_TREE", level=WARNING)
def reverse_xmas_tree(patch, ctx):
    """Local variable declarations not ordered longest line first, in netdev and bpf code.

    ## What it does
    In a function body's top block of local variable declarations, reports an added or changed
    declaration whose line is longer than one above it or shorter than one below it, and names the
    line it should come before. A declaration spans its lines up to its `;` and counts by its first
    line. A blank line or an `#ifdef` starts a new group. It stays silent where the order cannot
    change: a declaration whose initializer reads a variable declared above it.

    It sees the lines the patch shows, or the whole function when the patch creates the file or the
    tree (`--tree`, or the git tree around the current directory) has the file's pre-image (the blob
    named on the patch's `index` line). It applies to C files whose MAINTAINERS entries list
    netdev@vger.kernel.org or bpf@vger.kernel.org (without MAINTAINERS: to patches whose subject
    names net, net-next, bpf or bpf-next); `--xmas-tree always` checks every C file and
    `--xmas-tree never` none.

    ## Why is this bad?
    Documentation/process/maintainer-netdev.rst: "Netdev has a convention for ordering local
    variables in functions. Order the variable declaration lines longest to shortest ... If there
    are dependencies between the variables preventing the ordering move the initialization out of
    line." The bpf maintainers ask for the same. Reviewers check it by eye and it is among the most
    frequent nits on both lists: a patch that breaks it comes back for another round.

    ## Example
        static int foo_open(struct net_device *dev)
        {
                int err;
                struct foo_priv *priv = netdev_priv(dev);

    ## Use instead
        static int foo_open(struct net_device *dev)
        {
                struct foo_priv *priv = netdev_priv(dev);
                int err;
    """
    for file in patch.files:
        statement = governing_statement(patch, file, ctx)
        if not reportable(statement, ctx):
            continue
        for hit in file_findings(file, ctx):
            if statement.level == CHECK:
                hit.message += f" ({statement.why()})"
                hit.level = CHECK
            yield hit
