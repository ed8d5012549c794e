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
from collections import namedtuple
from operator import attrgetter

from . import CHECK, WARNING, Hit, check, option
from ..lazy_regex import lazy
from ..profiles import NETDEV, Statement, file_profiles, governing, reportable, subject_profiles
from ..records import record
from ._block_tops import PLAIN_OPENER, JoinedLines, opens_in_order
from ._declarations import (MAX_GROUP, Declaration, DeclarationGroup, LazyCode, RemovedDeclarations, starts_declaration,
                            top_declaration_groups)

option(__name__, "--xmas-tree", default="auto", choices=("auto", "always", "never"),
       help="REVERSE_XMAS_TREE on every C file (always), on none (never), or where a maintainers' "
            "document (or the bpf reviewers' habit) asks for it (auto, the default)")

C_SUFFIXES = (".c", ".h")
# --xmas-tree always: the user asks for netdev's rule on every C file
ALWAYS = Statement(NETDEV, WARNING, "Order the variable declaration lines longest to shortest")


class KnownLine(namedtuple("KnownLine", "number text diff", defaults=(None,))):
    """A line of the new file whose text is known (shown by the patch or read from the tree): its
    number in the new file, its text, and the patch's DiffLine for the lines the patch shows. A
    tuple: one is made per line of every netdev file a patch adds or the tree holds."""

    __slots__ = ()


_new_line = tuple.__new__  # KnownLine(...) without its Python-level __new__: made per line of a file


# --- the lines around the changes --------------------------------------------------------------


@record
class Segment:
    """A run of consecutive new-file lines: the whole file, or what one hunk shows of it."""

    lines: list[KnownLine]
    whole: bool
    section: str = ""  # the hunk's `@@ ... @@ section`: git's name of the function it starts in
    added: list[int] | None = None  # the indexes of the lines the patch adds, when known_segments knows them

    def added_indexes(self) -> list[int]:
        if self.added is None:
            self.added = [k for k, line in enumerate(self.lines) if line.diff is not None and line.diff.kind == "+"]
        return self.added


def known_segments(file, ctx) -> list[Segment]:
    """The whole new file when it can be had, else each hunk's lines."""
    if file.is_new and len(file.hunks) == 1:
        lines = [_new_line(KnownLine, (line.new_line, line.text, line)) for line in file.hunks[0].lines
                 if line.kind == "+"]
        return [Segment(lines, True, added=list(range(len(lines))))]
    if not file.is_new:
        whole = ctx.sources.post_image(file)  # the pre-image of hunk_source, read with the series' others
        if whole is not None:
            return [Segment([_new_line(KnownLine, known) for known in whole], True)]  # (number, text, diff)
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


def _quote(lines: dict[int, KnownLine], number: int) -> str:
    return lines[number].text.strip()


def _kept_in_order(group: list[Declaration], lengths: list[int], movable: list[bool]) -> set[int]:
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
    kept: set[int] = set()
    i = max(range(n), key=lambda k: score[k]) if n else -1
    while i >= 0:
        kept.add(i)
        i = back[i]
    return kept


def _describe(lines: dict[int, KnownLine], decl: Declaration) -> str:
    return f"line {decl.line} '{_quote(lines, decl.line)}' ({decl.length} columns)"


def misplaced(group: list[Declaration], lines: dict[int, KnownLine], removed: RemovedDeclarations):
    """(declaration, message, level or None) for each added or changed declaration that breaks the
    group's order.

    The declarations to move are those outside the longest run already in order, so a block with
    one line out of place gets one finding, not one per line it displaces; a declaration inside that
    run is still reported when the patch made it longer than the unchanged line right above it. One
    that reads a shorter line above it is a CHECK: the order needs its initialization out of line."""
    if len(group) > MAX_GROUP:
        return
    added = [lines[d.line].diff is not None and lines[d.line].diff.kind == "+" for d in group]
    lengths = [d.length for d in group]
    kept = _kept_in_order(group, lengths, added)
    for i, decl in enumerate(group):
        if not added[i]:
            continue
        read = max((k for k in range(i) if decl.uses & group[k].names), default=None)
        if read is not None:
            # it reads a variable declared above: it stays below that line, but not below a shorter one
            shorter = next((k for k in range(read + 1, i) if lengths[k] < decl.length), None)
            old = removed.old_length(decl, lines)
            if shorter is not None and lengths[read] >= decl.length:  # right below that line it is in order
                yield decl, (f"Reverse xmas tree: this declaration ({decl.length} columns) should come before "
                             f"{_describe(lines, group[shorter])}, below line {group[read].line} that it reads"), None
            elif lengths[read] < decl.length and (old is None or old <= lengths[read]):
                yield decl, (f"Reverse xmas tree: this declaration ({decl.length} columns) reads "
                             f"{_describe(lines, group[read])} above it: move its initialization out of line "
                             f"to keep the longest line first"), CHECK
            continue
        old = removed.old_length(decl, lines)
        if i in kept or old is not None:
            if _outgrew_the_line_above(group, i, added, old):
                yield decl, (f"Reverse xmas tree: this declaration ({decl.length} columns) should come before "
                             f"{_describe(lines, group[i - 1])}"), None
            if i in kept or old == decl.length:
                continue  # in order, or as long as the line it replaces: the patch changed no order
            if removed.stood_out_of_order(decl, lines):
                continue  # the line it replaces was out of order already
        message = _where_it_belongs(group, i, kept, lines)
        if message is not None:
            yield decl, message, None


def _outgrew_the_line_above(group: list[Declaration], i: int, added: list[bool], old: int | None) -> bool:
    """Whether an added or changed declaration is longer than the unchanged one right above it, which
    the line it replaces (if any) was not."""
    if i == 0 or added[i - 1]:
        return False
    above = group[i - 1].length
    return group[i].length > above and (old is None or old <= above)


def _where_it_belongs(group: list[Declaration], i: int, kept: set[int], lines: dict[int, KnownLine]):
    decl = group[i]
    lengths = [d.length for d in group]
    # It must stay above the first declaration that reads it.
    high = min((k for k in range(i + 1, len(group)) if group[k].uses & decl.names), default=len(group))
    order = sorted(kept - {i})
    first_shorter = next((k for k in order if lengths[k] < decl.length), None)
    last_longer = max((k for k in order if k < high and lengths[k] > decl.length), default=None)
    if first_shorter is not None and first_shorter < i:
        return (f"Reverse xmas tree: this declaration ({decl.length} columns) should come before "
                f"{_describe(lines, group[first_shorter])}")
    if last_longer is not None and last_longer > i:
        following = next((k for k in range(last_longer + 1, len(group)) if k in kept or k == high), None)
        if following is not None and lengths[following] > decl.length:
            return None  # held between longer lines by what it reads and what reads it: no place is right
        if following is not None:
            return (f"Reverse xmas tree: this declaration ({decl.length} columns) should come before "
                    f"{_describe(lines, group[following])}, below the longer line {group[last_longer].line}")
        return (f"Reverse xmas tree: this declaration ({decl.length} columns) should come after "
                f"{_describe(lines, group[last_longer])}, the last of the block")
    return None


def was_in_order(group: list[Declaration], lines: dict[int, KnownLine]) -> bool:
    """Whether the declarations the patch left alone stand longest first (or read one above them):
    where they do not, the code never kept the order, and a finding is the reviewers' call."""
    unchanged = [d for d in group if lines[d.line].diff is None or lines[d.line].diff.kind != "+"]
    for k in range(1, len(unchanged)):
        below, above = unchanged[k], unchanged[k - 1]
        if below.length > above.length and not below.uses & {n for d in unchanged[:k] for n in d.names}:
            return False
    return True


# --- the check ---------------------------------------------------------------------------------


def governing_statement(patch, file, ctx) -> Statement | None:
    """The document statement that makes the order a rule for file, or None where none does."""
    mode = ctx.options.get("xmas_tree")
    if mode == "never" or not file.path.endswith(C_SUFFIXES) or file.is_deleted or file.is_binary:
        return None
    if mode == "always":
        return ALWAYS
    # no MAINTAINERS to ask: trust the tree the subject names ([PATCH net-next])
    profiles = file_profiles(file.path, ctx) if ctx.maintainers is not None else subject_profiles(patch)
    return governing("REVERSE_XMAS_TREE", profiles)


# a block of an if, else, for, while or do, or of a for_each loop macro (list_for_each_entry(...) {),
# whose `{` ends the line: its top declarations are ordered too
_BLOCK_OPENER = lazy(r"^(\s+)(?:(?:\}\s*)?else\b.*|(?:if|for|while|do)\b.*|\w*for_each\w*\s*\(.*)\{$")
# how far below a nested block's `{` its top declarations are looked for
NESTED_WINDOW = 60


def _function_windows(segment: Segment, joined: JoinedLines):
    """(first, last) indexes into segment.lines of each block that starts in it: a function body, from
    a `{` alone at the start of its line (the kernel's style for a function body) to the next `}` at
    the start of a line; first is None for a hunk that starts inside a function's declarations. Then
    the blocks of if/else/for/while/do statements, from the line their `{` ends."""
    texts = joined.texts
    closers, ends_with_brace = joined.closing_lines(), joined.lines_ending_with_brace()
    openers = [k for k in ends_with_brace if texts[k].rstrip() == "{"]
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
    for k in ends_with_brace:
        if _BLOCK_OPENER.match(texts[k].rstrip()):
            yield k, k, min(k + NESTED_WINDOW, len(texts) - 1)


def _block_start(code: LazyCode, first_line: int):
    """(index of the first token inside the block, the line of its `{`) for a window whose first
    line ends with the block's `{`, or None when the block's first token shares that line."""
    k, brace = 0, None
    while code.get(k) is not None and code.get(k).line == first_line:
        brace = code.get(k)
        k += 1
    if brace is None or brace.text != "{" or code.get(k) is None:
        return None
    return k, brace.line


def _split_at_long_statements(groups, lines: dict[int, KnownLine]):
    """The groups, split where a declaration's first line opens a braced initializer or a union of
    several lines (`struct flowi6 fl6 = {`, `union {`) or breaks after its `=`: reviewers do not
    weigh such a first line against the others, and read the lines around it as two blocks."""
    for group in groups:
        part: list[Declaration] = []
        for decl in group:
            if lines[decl.line].text.rstrip().endswith(("{", "=")):
                if len(part) > 1:
                    yield part
                part = []
            else:
                part.append(decl)
        if len(part) > 1:
            yield part


def file_findings(file, ctx):
    reported = set()  # a block's declarations are found from its function and from its own `{`
    for hit in _file_findings(file, ctx):
        if hit.line not in reported:
            reported.add(hit.line)
            yield hit


def _file_findings(file, ctx):
    removed = RemovedDeclarations(file)
    for segment in known_segments(file, ctx):
        added = segment.added_indexes()
        if not added:
            continue
        lines = dict(zip(map(attrgetter("number"), segment.lines), segment.lines))  # {number: KnownLine}, made in C
        joined = JoinedLines(segment.lines)
        for brace, first, last in _function_windows(segment, joined):
            at = bisect.bisect_left(added, first)
            if at == len(added) or added[at] > last:
                continue  # the patch adds nothing to this block
            if brace is not None and opens_in_order(segment.lines, first, last):
                continue  # most blocks: lexing them would find no declaration, or none out of order
            window = segment.lines[first:last + 1]
            if brace is not None and PLAIN_OPENER.match(window[0].text.rstrip()):
                # the `{` ends a line the lexer reads plainly: the block's tokens start on the next line
                code = LazyCode(joined.between(first + 1, last), window[0].number + 1)
                groups = top_declaration_groups(code, 0, window[0].number, lines)
                yield from _window_findings(file, groups, lines, removed)
                continue
            code = LazyCode(joined.between(first, last), window[0].number)
            if brace is None:
                head = code.get(0)
                if head is None or head.line != window[0].number or not starts_declaration(code.slice(0, 12)):
                    continue
                start, previous_end = 0, window[0].number - 1
            else:
                found = _block_start(code, window[0].number)
                if found is None:
                    continue
                start, previous_end = found
            groups = top_declaration_groups(code, start, previous_end, lines)
            yield from _window_findings(file, groups, lines, removed)


def _window_findings(file, groups, lines: dict[int, KnownLine], removed: RemovedDeclarations):
    yield from _group_findings(file, _split_at_long_statements(groups, lines), lines, removed)
    yield from _group_findings(file, _split_at_long_statements(_joined_across_blanks(groups, lines), lines),
                               lines, removed, across_blank=True)


def _group_findings(file, groups, lines: dict[int, KnownLine], removed: RemovedDeclarations, across_blank=False):
    for group in groups:
        in_order = was_in_order(group, lines)
        reorder = None
        for decl, message, level in misplaced(group, lines, removed):
            hit = Hit.at(lines[decl.line].diff, file, message)
            if level is not None:
                hit.level = level
            if not in_order:
                hit.level = CHECK
                hit.message += " (the lines around it were not in this order either)"
            if across_blank:
                hit.level = CHECK
                hit.message += " (across a blank line: reviewers read added declarations as one block)"
            reorder = reorder or reordered(group, lines, file.path)
            hit.span, hit.replacement, hit.not_fixed = reorder
            yield hit


def _joined_across_blanks(groups, lines: dict[int, KnownLine]) -> list:
    """The groups with each group the patch added after a blank line joined to the one above it:
    reviewers ask for one block ("Declarations should all be together"). Only where such a group
    was joined; a blank line between lines the patch left alone stays a split."""
    joined, changed = [], False
    for group in groups:
        all_added = all(lines[d.line].diff is not None and lines[d.line].diff.kind == "+" for d in group)
        if joined and group.after_blank and all_added:
            joined[-1] = DeclarationGroup(joined[-1] + group, joined[-1].after_blank)
            changed = True
        else:
            joined.append(group)
    return joined if changed else []


def reordered(group: list[Declaration], lines: dict[int, KnownLine], path: str):
    """(span, the block's lines longest first, None) when the reorder is certain, else (None, None,
    why not): every line of the block added by the patch in one run of one hunk, the declarations
    on lines of their own one after the other, and no initializer reading a name the block declares."""
    from ..fix_guard import same_declarations_reordered

    first, last = group[0].line, group[-1].last_line
    diffs = [lines[n].diff if n in lines else None for n in range(first, last + 1)]
    if any(d is None or d.kind != "+" for d in diffs) or \
            any(b.patch_line != a.patch_line + 1 for a, b in zip(diffs, diffs[1:])):
        return None, None, "the block holds lines the patch did not add, or spans hunks: move it by hand"
    if any(b.line != a.last_line + 1 for a, b in zip(group, group[1:])):
        return None, None, "a line that is not a declaration (a comment or a blank line) sits in the block: move it by hand"
    names = {name for decl in group for name in decl.names}
    if any(decl.uses & names for decl in group):
        return None, None, ("an initializer reads a variable the block declares: move the initialization "
                            "out of line, as maintainer-netdev.rst says")
    chunks = [[lines[n].text for n in range(d.line, d.last_line + 1)] for d in group]
    order = sorted(range(len(group)), key=lambda k: -group[k].length)  # stable: equal lengths keep their order
    after = "\n".join(line for k in order for line in chunks[k])
    why = same_declarations_reordered(path, chunks, order)
    if why:
        return None, None, why
    return (first, last), after, None


def _fix_order(text, finding, path):
    """The reordered block the check computed (it sees the whole block; a line alone cannot tell)."""
    return finding.fix if finding.span else None


@check("REVERSE_XMAS_TREE", level=WARNING, fix=_fix_order)
def reverse_xmas_tree(patch, ctx):
    """Local variable declarations not ordered longest line first, where a maintainers' document asks for it.

    ## What it does
    In the top block of declarations of a function body, or of an if/else/for/while/do or
    `list_for_each_entry(...) {` block, reports an added, changed or moved declaration whose line is
    longer than one above it or shorter than one below it, and names the line it should come before.
    A changed line is judged where it stands now unless the line it replaces was out of order where
    it stood. A declaration spans its lines up to its `;` and counts by its first line; a braced
    initializer of several lines (`struct flowi6 fl6 = {`) or a first line that breaks after its `=`
    is not weighed. A blank line or an `#ifdef` starts a new group; a comment line does not; with
    `--strict`, declarations the patch added after a blank line are also weighed with the block
    above them (a CHECK). A declaration whose initializer reads a variable declared above it stays
    below that line, and is reported only when a shorter line stands between them; when the line it
    reads is shorter, a CHECK asks for its initialization out of line.

    Where it applies comes from the tree's MAINTAINERS (`--tree`, or the git tree around the current
    directory), through the profile layer (`patchflow/profiles.py`):
    - files whose entries list netdev@vger.kernel.org or name maintainer-netdev.rst (`P:`): a WARNING;
    - files of the tip tree (`T:` tip.git) and of KVM x86 (`P:` maintainer-kvm-x86.rst): a CHECK,
      the documents prefer the order;
    - files only under bpf@vger.kernel.org: a CHECK saying it is the bpf reviewers' habit, which
      bpf_devel_QA.rst does not state;
    - any other file: nothing. `--xmas-tree always` checks every C file, `--xmas-tree never` none.
    Without MAINTAINERS, the tree the subject names (net, net-next, bpf, bpf-next) stands for its
    profile. When the lines the patch left alone were not in order either, the finding is a CHECK.

    ## Why is this bad?
    Documentation/process/maintainer-netdev.rst: "Netdev has a convention for ordering local
    variables in functions. Order the variable declaration lines longest to shortest ... If there
    are dependencies between the variables preventing the ordering move the initialization out of
    line." Documentation/process/maintainer-tip.rst: "The preferred ordering of variable
    declarations at the beginning of a function is reverse fir tree order".
    Documentation/process/maintainer-kvm-x86.rst: "Using reverse fir tree, a.k.a. reverse Christmas
    tree or reverse XMAS tree, for variable declarations isn't strictly required, though it is still
    preferred." Reviewers check it by eye and it is among the most frequent nits on netdev.

    ## Example
    ```bad path=net/core/example.c
     static int foo_open(struct net_device *dev)
     {
    +	int err;
     	struct foo_priv *priv = netdev_priv(dev);
     
     	err = foo_start(priv);
    ```

    ```good path=net/core/example.c
     static int foo_open(struct net_device *dev)
     {
     	struct foo_priv *priv = netdev_priv(dev);
    +	int err;
     
     	err = foo_start(priv);
    ```

    ## Fix
    Move the declaration to where its length puts it, longest line first; if it reads a variable
    declared below a shorter line, move its initialization out of line. `patchflow fix` reorders the
    block when the patch adds all of it in one run of lines and no initializer reads a variable the
    block declares; otherwise the finding says why it is left.
    """
    for file in patch.files:
        statement = governing_statement(patch, file, ctx)
        if not reportable(statement, ctx):
            continue
        for hit in file_findings(file, ctx):
            if statement.level == CHECK:
                hit.message += f" ({statement.why()})"
                hit.level = CHECK
            if hit.level != CHECK or ctx.options.strict:
                yield hit
