"""Where `inline` goes: not on functions of .c files, always on static functions of headers.

The netdev CI (NIPA) runs both as patch tests, `source_inline` and `header_inline`; checkpatch has
neither. Both read code with comments and strings masked (`lexers.c.checkpatch_masked`, through `ctx.sources`), so a comment that says
"inline" is not code.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from ..lazy_regex import lazy
from . import WARNING, Hit, check
from ._lines import lines_with
from ._needles import Needle
from .maintained import file_under_house_rules

_INLINE_SOURCE = r"\b(?:__always_inline|__inline__|__inline|inline)\b"
_INLINE = lazy(_INLINE_SOURCE)
_INLINE_NEEDLE = Needle(_INLINE_SOURCE)
_STATIC_FUNCTION = lazy(r"^static\s+(?P<head>[^=;(]*?)\b(?P<name>[A-Za-z_]\w*)\s*\(")
_NOT_A_FUNCTION_HEAD = lazy(r"\b(?:DEFINE_\w+|DECLARE_\w+|[A-Z][A-Z0-9_]*_DEFINE\w*)$")


@check("SOURCE_INLINE", level=WARNING)
def source_inline(patch, ctx):
    """A function in a .c file is declared `inline`.

    ## What it does
    Reports an added line of a `.c` file that has the `inline` keyword (or `__always_inline`,
    `__inline__`) in code, not in a comment or a string. An `inline` line the patch removes
    in the same hunk (a signature reworded) or anywhere in the file (code moved) is paired with the
    added one and not reported: a file is reported only for the `inline`s it gains. Only files netdev or bpf
    look after (their most specific MAINTAINERS entry lists netdev@ or bpf@, so not netfilter's,
    which has its own tree; without MAINTAINERS, the subject names net, net-next, bpf or bpf-next),
    whose rule this is, and not the selftests' user-space programs.

    ## Why is this bad?
    The compiler decides better than the author which static functions of a .c file to inline, and
    an `inline` there hides an unused function from the compiler's warning. The kernel's coding
    style calls it "the inline disease" (Documentation/process/coding-style.rst, section 15), and
    the netdev CI fails a patch that adds one (NIPA's `source_inline` test, which netdev and bpf
    maintainers read on every patch in Patchwork).

    ## Example
    A helper added to kernel/bpf/hashtab.c, whose MAINTAINERS entry (BPF [GENERAL]) lists bpf@:

    ```bad path=kernel/bpf/hashtab.c tree
    @@ -197,5 +197,10 @@
     static bool htab_is_percpu(const struct bpf_htab *htab)
     {
     	return htab->map.map_type == BPF_MAP_TYPE_PERCPU_HASH ||
     		htab->map.map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
     }
    +
    +static inline bool htab_is_percpu_lru(const struct bpf_htab *htab)
    +{
    +	return htab_is_lru(htab) && (htab->map.map_flags & BPF_F_NO_COMMON_LRU);
    +}
    ```

    ```good path=kernel/bpf/hashtab.c tree
    @@ -197,5 +197,10 @@
     static bool htab_is_percpu(const struct bpf_htab *htab)
     {
     	return htab->map.map_type == BPF_MAP_TYPE_PERCPU_HASH ||
     		htab->map.map_type == BPF_MAP_TYPE_LRU_PERCPU_HASH;
     }
    +
    +static bool htab_is_percpu_lru(const struct bpf_htab *htab)
    +{
    +	return htab_is_lru(htab) && (htab->map.map_flags & BPF_F_NO_COMMON_LRU);
    +}
    ```

    A signature reworded keeps its `inline`: the hunk removes the one it adds.

    ```good path=kernel/bpf/hashtab.c tree
    @@ -137,4 +137,4 @@
    -static inline bool htab_is_prealloc(const struct bpf_htab *htab)
    +static inline bool htab_is_prealloc(const struct bpf_map *map)
     {
    -	return !(htab->map.map_flags & BPF_F_NO_PREALLOC);
    +	return !(map->map_flags & BPF_F_NO_PREALLOC);
     }
    ```

    ## Fix
    Drop the `inline` (and `__always_inline`, unless a measured reason the commit message gives needs
    it): the compiler inlines a static function of a .c file when that pays. Keep `static inline` for
    headers, where HEADER_INLINE asks for it.
    """
    for file in patch.files:
        if file.is_binary or not file.path.endswith(".c") or not file_under_house_rules(patch, file, ctx):
            continue
        masked = ctx.sources.masked_lines(file)
        shown = lines_with(_INLINE_NEEDLE, file, ctx)
        for line in new_uses(file, masked, lambda text: ["inline"] if _INLINE.search(text) else [], shown):
            yield Hit.at(line, file, "inline in a .c file: let the compiler decide (static functions of .c "
                                     "files are not marked inline in netdev)", patch=patch)


def new_uses(file, masked, names_in, shown=None):
    """The added lines that bring a use the file did not have, for `names_in(text) -> [name]`.

    A use on an added line is paired first with one of the same name removed in the same hunk (a
    line reworded), and a file gains only as many uses of a name as it adds beyond those it
    removes anywhere (code moved within the file): the rest are new. `shown`, when given, holds
    the patch lines of every added line that may hold a use (`_lines.lines_with`): the others are not read."""
    from collections import Counter

    removed_total, added_total, unpaired = Counter(), Counter(), []
    ordered_shown = sorted(shown) if shown is not None else None
    for hunk in file.hunks:
        # a hunk that takes no line away (a new file's) has no removed line: its body is read by
        # the header's counts (diff._read_hunk_body), so old_count 0 leaves no room for one
        removed = Counter(name for line in hunk.lines if line.kind == "-" for name in names_in(line.text)
                          ) if hunk.old_count else Counter()
        removed_total += removed
        for line in _lines_to_read(hunk, ordered_shown):
            if line.kind != "+":
                continue
            for name in names_in(masked.get(line.patch_line, line.text)):
                added_total[name] += 1
                if removed[name] > 0:
                    removed[name] -= 1
                else:
                    unpaired.append((name, line))
    gained = added_total - removed_total
    found = []
    for name, line in unpaired:
        if gained[name] > 0:
            gained[name] -= 1
            found.append(line)
    return list({line.patch_line: line for line in found}.values())


def _lines_to_read(hunk, ordered_shown: list[int] | None) -> list:
    """The lines of hunk that new_uses reads: all of them, or those at the patch lines of
    `ordered_shown` (sorted): a test of every line took most of the check's time on new files of
    thousands of lines that hold a few uses."""
    if ordered_shown is None:
        return hunk.lines
    lines = hunk.lines
    if not lines:
        return []
    first = lines[0].patch_line
    picked = []
    for patch_line in ordered_shown[bisect_left(ordered_shown, first):bisect_right(ordered_shown, lines[-1].patch_line)]:
        # the lines' patch lines rise by one from line to line, by two past a `\ No newline` marker
        # (a patch line without a line): the line sought is at its distance from the first or before
        at = min(patch_line - first, len(lines) - 1)
        while at > 0 and lines[at].patch_line > patch_line:
            at -= 1
        if lines[at].patch_line == patch_line:
            picked.append(lines[at])
    return picked


@check("HEADER_INLINE", level=WARNING)
def header_inline(patch, ctx):
    """A static function defined in a header is not `static inline`.

    ## What it does
    Reports an added line of a `.h` file that starts the definition of a `static` function (a body in
    braces follows, not a `;`) without `inline` or `__always_inline`. Static data and macros that
    define objects (`static DEFINE_MUTEX(...)`) are not functions and are left alone, and so is a
    header whose own static functions are mostly not inline (a template included once per user,
    such as net/netfilter/ipset/ip_set_hash_gen.h): the patch follows the file.

    ## Why is this bad?
    A header is included by many .c files; a static function without `inline` is compiled into
    each of them, and every file that does not call it warns "defined but not used". The netdev CI
    fails such a patch (NIPA's `header_inline` test); Documentation/process/coding-style.rst,
    section 15, keeps `inline` for exactly these small functions in headers.

    ## Example
    ```bad path=include/linux/bpf.h tree
    @@ -592,4 +592,9 @@
     static inline bool bpf_map_offload_neutral(const struct bpf_map *map)
     {
     	return map->map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
     }
    +
    +static bool bpf_map_is_percpu_array(const struct bpf_map *map)
    +{
    +	return map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
    +}
    ```

    ```good path=include/linux/bpf.h tree
    @@ -592,4 +592,9 @@
     static inline bool bpf_map_offload_neutral(const struct bpf_map *map)
     {
     	return map->map_type == BPF_MAP_TYPE_PERF_EVENT_ARRAY;
     }
    +
    +static inline bool bpf_map_is_percpu_array(const struct bpf_map *map)
    +{
    +	return map->map_type == BPF_MAP_TYPE_PERCPU_ARRAY;
    +}
    ```

    ## Fix
    Write `static inline` for a small function defined in a header; a larger one belongs in a .c file,
    declared in the header and exported if modules call it.
    """
    for file in patch.files:
        if file.is_binary or not file.path.endswith(".h"):
            continue
        if _header_has_plain_statics(patch, file, ctx):
            continue
        masked = ctx.sources.masked_lines(file)
        for hunk in file.hunks:
            lines = [line for line in hunk.lines if line.kind != "-"]
            for index, line in enumerate(lines):
                if line.kind != "+":
                    continue
                code = masked.get(line.patch_line, line.text)
                match = _STATIC_FUNCTION.match(code)
                if match is None or _INLINE.search(match.group("head")) or \
                        _NOT_A_FUNCTION_HEAD.search(match.group("head") + match.group("name")):
                    continue
                if _has_body(lines[index:], masked):
                    yield Hit.at(line, file, f"static function {match.group('name')}() in a header without "
                                             "inline: every includer gets a copy", patch=patch)


def _has_body(lines, masked) -> bool:
    """Whether the declaration starting at lines[0] goes on to `{` before any `;` (a definition)."""
    for line in lines[:12]:
        code = masked.get(line.patch_line, line.text)
        for char in code:
            if char == ";":
                return False
            if char == "{":
                return True
    return False


def _header_has_plain_statics(patch, file, ctx) -> bool:
    """Whether the header before the patch (from the tree, else the hunks' context) defines at least
    as many static functions without inline as with it: then that is the file's way (a template
    such as ip_set_hash_gen.h), where one stray function would not be."""
    pair = None if file.is_new else ctx.sources.images(file)
    text = None if pair is not None or file.is_new or ctx.tree is None else ctx.tree.read_text(file.old_path)
    if pair is not None:
        before = pair[0]
    elif text is not None:  # the tree's file, even if it has moved on from the patch's base
        before = text.split("\n")
    else:
        before = [line.text for hunk in file.hunks for line in hunk.lines if line.kind in (" ", "-")]
    plain = inline = 0
    for index, text in enumerate(before):
        if not re.match(r"static\s", text) or "=" in text or text.rstrip().endswith(";"):
            continue
        tail = " ".join(before[index:index + 12])
        if "(" in tail.split("{")[0] and _has_body_text(tail):
            if _INLINE.search(tail.split("(")[0]):
                inline += 1
            else:
                plain += 1
    return plain > 0 and plain >= inline


def _has_body_text(text: str) -> bool:
    brace, semicolon = text.find("{"), text.find(";")
    return brace >= 0 and (semicolon < 0 or brace < semicolon)
