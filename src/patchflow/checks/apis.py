"""C constructs and kernel APIs checkpatch steers away from: strcpy(), ENOSYS, volatile, `1 << n`
defines, a function's own name in its strings, and locks defined without a comment.

Each rule reads the added lines of .c and .h files with comments and strings masked (lexers.c.checkpatch_masked),
so a word in a comment or a string is not code; a cheap substring test rules most lines out first.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from . import CHECK, WARNING, Hit, check
from ._ccode import is_c
from ._hunk_places import hunk_of
from ._lines import added_lines, line_filter, lines_holding
from ..lazy_regex import lazy

_C_FILES = (".c", ".h")
_STRCPY = lazy(r"\bstrcpy\s*\(")
_ENOSYS = lazy(r"\bENOSYS\b")
_VOLATILE = lazy(r"\bvolatile\b")
_ASM_VOLATILE = lazy(r"\b(?:__asm__|asm)\s+(?:__volatile__|volatile)\b")
_BIT_DEFINE = lazy(r"#\s*define\s+\w+\s+\(?\s*1\s*([ulUL]*)\s*<<\s*(?:\d+|[A-Za-z_]\w*)\s*\)?")
_LOCK_DEFINITION = lazy(r"^\s*(struct\s+mutex|spinlock_t)\s+\S+;|^\s*(DEFINE_MUTEX)\s*\(")
_LINE_COMMENT = lazy(r"//.*$")
_END_COMMENT = lazy(r".*(/\*.*\*/)\s*(?:\\\s*)?$")


def masked_lines(file, ctx) -> dict:
    """{patch line: text with comments and strings masked} of a file's diff, once per run (the C
    masks are imported here, not at the top: their patterns compile only when C is checked)."""
    return ctx.sources.masked_lines(file)


def _code(line, file, ctx) -> str | None:
    """The added line of a C file with comments and strings masked, or None for other files."""
    if not file.path.endswith(_C_FILES):
        return None
    return masked_lines(file, ctx).get(line.patch_line, line.text)


def _search(line, file, ctx, word: str, pattern) -> re.Match | None:
    """`pattern`'s match in the added line of a C file with comments and strings masked, or None;
    `word`, which every match holds, rules most lines out before the file's lines are masked."""
    if word not in line.text:
        return None
    code = _code(line, file, ctx)
    return pattern.search(code) if code is not None else None


@check("STRCPY", level=WARNING, scope="line")
@line_filter(is_c, "strcpy")
def strcpy(line, file, ctx):
    """An added line of C calls strcpy().

    ## What it does
    Reports a call of `strcpy()` on an added line of a .c or .h file (not in a comment or string).

    ## Why is this bad?
    strcpy() writes past the destination when the source is longer, and nothing tells the caller.
    The kernel is removing it (https://github.com/KSPP/linux/issues/88); strscpy() bounds the copy,
    always terminates the string and returns -E2BIG when it had to cut.

    ## Example
    ```bad
    +	strcpy(info->driver, "veth");
    ```

    ```good
    +	strscpy(info->driver, "veth", sizeof(info->driver));
    ```

    ## Fix
    Use `strscpy(dst, src, sizeof(dst))` (or the two-argument `strscpy(dst, src)` for an array).
    """
    if _search(line, file, ctx, "strcpy", _STRCPY):
        return "Prefer strscpy over strcpy - see: https://github.com/KSPP/linux/issues/88"
    return None


@check("ENOSYS", level=WARNING, scope="line")
@line_filter(is_c, "ENOSYS")
def enosys(line, file, ctx):
    """An added line of C uses ENOSYS.

    ## What it does
    Reports `ENOSYS` on an added line of a .c or .h file (not in a comment or string).

    ## Why is this bad?
    ENOSYS means "invalid system call number" and nothing else: user space takes it to mean the
    kernel lacks the system call and falls back. An operation a driver or a map type does not
    support returns -EOPNOTSUPP (or -EINVAL for a bad argument).

    ## Example
    ```bad
    +		return -ENOSYS;
    ```

    ```good
    +		return -EOPNOTSUPP;
    ```

    ## Fix
    Return -EOPNOTSUPP for an operation that is not supported.
    """
    if _search(line, file, ctx, "ENOSYS", _ENOSYS):
        return "ENOSYS means 'invalid syscall nr' and nothing else"
    return None


@check("VOLATILE", level=WARNING, scope="line")
@line_filter(is_c, "volatile")
def volatile(line, file, ctx):
    """An added line of C uses `volatile` (other than `asm volatile`).

    ## What it does
    Reports the keyword `volatile` on an added line of a .c or .h file, unless the line is an
    `asm volatile` / `__asm__ __volatile__` statement.

    ## Why is this bad?
    Documentation/process/volatile-considered-harmful.rst: volatile neither orders accesses nor
    makes them atomic; code that needs it almost always needs a lock, READ_ONCE()/WRITE_ONCE(), or
    the I/O accessors, which say what is meant.

    ## Example
    ```bad
    +	volatile int done;
    ```

    ```good
    +	int done;
    ```

    ## Fix
    Read and write the shared variable with READ_ONCE() and WRITE_ONCE(), or protect it with a lock.
    """
    match = _search(line, file, ctx, "volatile", _VOLATILE)
    if match and not _ASM_VOLATILE.search(match.string):
        return "Use of volatile is usually wrong: see Documentation/process/volatile-considered-harmful.rst"
    return None


@check("BIT_MACRO", level=CHECK, scope="line")
@line_filter(is_c, "define")
def bit_macro(line, file, ctx):
    """A #define of `1 << n` where BIT(n) says it.

    ## What it does
    Reports an added `#define NAME (1 << n)` (also `1UL << n`, `1ULL << SHIFT`) in a .c or .h file
    outside include/uapi/, whose headers user space compiles without BIT().

    ## Why is this bad?
    BIT() and BIT_ULL() (include/linux/bits.h) make the width explicit: `1 << 31` is a signed int
    overflow, and `1 << 32` is undefined; BIT(31) is an unsigned long.

    ## Example
    ```bad
    +#define XDP_FLAGS_READY	(1 << 3)
    ```

    ```good
    +#define XDP_FLAGS_READY	BIT(3)
    ```

    ## Fix
    Write BIT(n), or BIT_ULL(n) for a 64-bit mask on every architecture.
    """
    if "define" not in line.text or file.path.startswith("include/uapi/"):
        return None
    match = _search(line, file, ctx, "<<", _BIT_DEFINE)
    if match is None:
        return None
    return "Prefer using the BIT_ULL macro" if "ll" in match.group(1).lower() else "Prefer using the BIT macro"


def _has_comment(patch, hunk, line) -> bool:
    """Whether a definition has a comment: a `//` comment on its line or the one before or after,
    a `/* */` at its end, or a block comment that ends just above it (within the hunk)."""
    index = line.patch_line - patch.first_line
    lines = patch.lines
    if _LINE_COMMENT.search(lines[index]) or _END_COMMENT.match(lines[index]):
        return True
    for near in (index - 1, index + 1):
        if 0 <= near < len(lines) and lines[near][:1] in ("+", " ") and "//" in lines[near]:
            return True
    return _in_comment_above(patch, hunk.patch_line + 1, line.patch_line)


def _in_comment_above(patch, first: int, below: int) -> bool:
    """Whether the patch line above `below` is in a block comment, the hunk (from patch line `first`)
    read as checkpatch reads it: a line that opens a comment (or a hunk's first line that looks like
    the middle of one) is in it, and a comment is left after the line that closes it. Read upwards
    from the line to the nearest `/*` or `*/` (read downwards from the hunk's start, each question
    cost a walk of a whole new file)."""
    if below <= first:
        return False
    text = patch.lines[below - 1 - patch.first_line]
    if "/*" in text or (below - 1 == first and re.match(r"^.\s*\*", text)):
        return True
    for n in range(below - 2, first - 1, -1):
        text = patch.lines[n - patch.first_line]
        if "*/" in text:
            return False
        if "/*" in text or (n == first and re.match(r"^.\s*\*", text)):
            return True
    return False


# words a line _LOCK_DEFINITION matches holds, as the pattern spells them (its case: lowering a
# file's text to look for `spinlock_t` in any case cost more than the searches; `DEFINE_MUTEX`
# holds no `mutex`)
_LOCK_WORDS = ("mutex", "spinlock_t", "DEFINE_MUTEX")


def _may_name_lock(text: str) -> bool:
    """The test below on a file's joined added lines: most files name no lock, ruled out by two
    searches in C instead of a loop over their lines."""
    return any(word in text for word in _LOCK_WORDS)


@check("UNCOMMENTED_DEFINITION", level=CHECK, scope="patch")
def uncommented_definition(patch, ctx):
    """A mutex or spinlock defined without a comment saying what it protects.

    ## What it does
    Reports an added `struct mutex NAME;`, `spinlock_t NAME;` or `DEFINE_MUTEX(...)` in a .c or .h
    file with no comment on its line, on the line before or after, or just above it.

    ## Why is this bad?
    A lock is only correct if everyone knows what it protects; the comment is where the next
    reader finds that out (Documentation/process/coding-style.rst asks for it on data structures,
    and maintainers ask for it in review).

    ## Example
    ```bad
    +	spinlock_t lock;
    ```

    ```good
    +	spinlock_t lock; /* protects the ring's head and tail */
    ```

    ## Fix
    Say on the definition (or just above it) which data the lock protects.
    """
    for file in patch.files:
        if not file.path.endswith(_C_FILES):
            continue
        added = added_lines(file, ctx)
        if not _may_name_lock(added.text):
            continue
        for line in (added.lines[index] for index in _lines_naming_lock(added)):
            code = masked_lines(file, ctx).get(line.patch_line, line.text)
            match = _LOCK_DEFINITION.match(code)
            if match and not _has_comment(patch, hunk_of(file, line), line):
                what = match.group(1) or match.group(2)
                yield Hit.at(line, file, f"{what} definition without comment", patch=patch)


def _lines_naming_lock(added) -> list[int]:
    """The positions of the added lines that hold one of _LOCK_WORDS."""
    return sorted(set().union(*(lines_holding(word, added) for word in _LOCK_WORDS)))


_STRING = lazy(r"\"[X\t]*\"")
_HUNK_FUNCTION = lazy(r"\b(\w+)\s*\(")
_PROTOTYPE_LINE = lazy(r"^(?:(?:extern|static|asmlinkage|inline|__always_inline|noinline|__inline|__inline__)\s*)*"
                       r"(?:[\w\s\*]*?[\s\*])?([A-Za-z_]\w*)\(")
_DEFINITION_START = lazy(r"^(?:(?:extern|static|asmlinkage)\s+)?[A-Za-z_][\w\s\*]*?[\s\*]([A-Za-z_]\w*)\s*\(")


# where the function a line is in may change, in a hunk's joined masked lines: a brace alone at the
# margin, or a line that starts with a letter and opens a parenthesis (a definition may start
# there). Led by the "\n" before the line, not `^`: a search for a "\n" skips ahead in C, while `^`
# is tried at every character (14 ms against 4 on the corpus); the first line is matched alone.
_MARGIN_LINE = r"(?:[{}][^\S\n]*(?=\n|$)|[A-Za-z_][^\n]*\()"
_MARGIN_MARK = lazy("\n" + _MARGIN_LINE)
_FIRST_MARGIN_MARK = lazy(_MARGIN_LINE)
_NOT_FUNCTIONS = ("if", "while", "for", "switch", "return", "sizeof")
_KEPT = object()  # what _function_set_by returns for a line that leaves the function as it was


def _strings_in_functions(file, ctx):
    """[(added line, its first string as the line has it, the function it is in)] for the added lines
    of a C file that hold a string inside a function, the function followed as checkpatch follows it:
    from the hunk header's function, a definition that starts on a line, an opening brace under a
    one-line prototype, and a closing brace at the margin. Only the strings need the function, so
    the strings and the lines that may change it are found by searches of each hunk's joined masked
    lines (in C), and from each string the margin lines above it are read upwards to the nearest one
    that sets the function, not every line downwards (a file has some thousand lines, a few strings)."""
    found = []
    hunk_starts = [hunk.patch_line for hunk in file.hunks]
    for lines, codes in ctx.sources.masked_hunks(file):
        text = "\n".join(codes)
        if '"' not in text:
            continue
        marks, read = None, 0  # the margin lines' offsets; how many a string has read
        index, at, quoted_at = 0, 0, -1
        for string in _STRING.finditer(text):
            offset = string.start()
            index += text.count("\n", at, offset)
            at = offset
            line = lines[index]
            if line.kind != "+" or quoted_at == index:  # a line's first string only
                continue
            quoted_at = index
            begin = text.rfind("\n", 0, offset) + 1
            if marks is None:
                marks = _margin_marks(text)
                header = _HUNK_FUNCTION.search(file.hunks[bisect_right(hunk_starts, lines[0].patch_line) - 1].section)
                function = header.group(1) if header else None
            upto = bisect_right(marks, begin)  # a mark on the string's own line comes first
            function = _function_above(text, marks[read:upto], begin, index, lines, codes, function)
            read = upto
            if function is not None:  # (masking keeps a string's place and its quotes)
                found.append((line, line.text[offset - begin:string.end() - begin], function))
    return found


def _margin_marks(text: str) -> list[int]:
    """The offsets of the lines of `text` that _MARGIN_MARK finds."""
    marks = [match.start() + 1 for match in _MARGIN_MARK.finditer(text)]
    return [0, *marks] if _FIRST_MARGIN_MARK.match(text) else marks


def _function_above(text: str, marks: list[int], begin: int, index: int, lines, codes, function):
    """The function at the line `index` of a hunk (starting at `begin`), from the nearest added line
    of `marks`, the margin lines read since the last string, that sets it; else still `function`."""
    for mark in reversed(marks):
        index -= text.count("\n", mark, begin)
        begin = mark
        if lines[index].kind == "+":
            above = lines[index - 1] if index else None
            named = _function_set_by(codes[index], above, codes[index - 1])
            if named is not _KEPT:
                return named
    return function


def _function_set_by(code: str, above, above_code: str):
    """The function an added line that `_MARGIN_MARK` found starts (None: it ends one), or _KEPT."""
    first = code[0]
    if first == "{":  # under an added one-line prototype
        if above is None or above.kind != "+":
            return _KEPT
        prototype = _PROTOTYPE_LINE.match(above_code)
        return prototype.group(1) if prototype else _KEPT
    if first == "}":
        return None
    if code.rstrip().endswith(";"):
        return _KEPT
    start = _DEFINITION_START.match(code)
    return start.group(1) if start and start.group(1) not in _NOT_FUNCTIONS else _KEPT


def _may_hold_string(text: str) -> bool:
    """Whether a file's joined added lines may hold a string: masking keeps the quotes."""
    return '"' in text


@check("EMBEDDED_FUNCTION_NAME", level=WARNING, scope="patch")
def embedded_function_name(patch, ctx):
    """A string of a function spells out the function's own name instead of using __func__.

    ## What it does
    Follows which function each added line of a .c or .h file is in (from the hunk header, or a
    definition the patch adds) and reports an added line whose first string holds that function's
    name as a word (and is not just the name itself).

    ## Why is this bad?
    When the function is renamed, or the code is copied into another one, the message keeps the old
    name and points at the wrong place. `"%s: ...", __func__` stays right.

    ## Example
    ```bad
    @@ -10,2 +10,4 @@ static int veth_open(struct net_device *dev)
     {
    +	if (!dev)
    +		pr_err("veth_open: no device\\n");
     	return 0;
    ```

    ```good
    @@ -10,2 +10,4 @@ static int veth_open(struct net_device *dev)
     {
    +	if (!dev)
    +		pr_err("%s: no device\\n", __func__);
     	return 0;
    ```

    ## Fix
    Print the name with `"%s...", __func__`.
    """
    for file in patch.files:
        if not file.path.endswith(_C_FILES) or not _may_hold_string(added_lines(file, ctx).text):
            continue
        for line, quoted, function in _strings_in_functions(file, ctx):
            # `in` first: the word pattern is compiled per function name (most are not cached)
            if len(quoted) != len(function) + 2 and function in quoted and \
                    re.search(rf"\b{re.escape(function)}\b", quoted):
                yield Hit.at(line, file, f"Prefer using '\"%s...\", __func__' to using '{function}', this "
                             "function's name, in a string", patch=patch)


_BARRIER_STEMS = r"(?:mb__before_atomic|mb__after_atomic|store_release|load_acquire|store_mb|mb|rmb|wmb)"
_BARRIER = lazy(r"\b(?:mb|rmb|wmb|smp_" + _BARRIER_STEMS + r"|virt_" + _BARRIER_STEMS + r")\s*\(")
_SMP_BARRIER = lazy(r"\b__smp_" + _BARRIER_STEMS + r"\s*\(")
_SMP_BARRIER_DEFINE = lazy(r"^\s*#\s*define\s+__smp_" + _BARRIER_STEMS + r"\s*\(")


def _barrier_problem(patch, file, hunk, line, code: str) -> str | None:
    if _BARRIER.search(code) and not _has_comment(patch, hunk, line):
        return "memory barrier without comment"
    if _SMP_BARRIER.search(code) and not _SMP_BARRIER_DEFINE.match(code) and \
            not file.path.startswith("include/asm-generic/") and not file.path.endswith("/barrier.h"):
        return "__smp memory barriers shouldn't be used outside barrier.h and asm-generic"
    return None


_BARRIER_PARTS = ("mb(", "mb (", "mb__", "_release", "_acquire")  # every barrier's name and call holds one
_AFTER_MB = ("(", " (", "__")


def _barrier_lines(added) -> list[int]:
    """The positions of the added lines that hold one of _BARRIER_PARTS: three searches of the
    joined text, not five (the three parts that start with `mb` are its occurrences followed by
    what they go on with; a search of the whole text costs more than the 700 `mb` of the corpus)."""
    if not added.joined:
        return [index for index, line in enumerate(added.lines) if any(part in line.text for part in _BARRIER_PARTS)]
    text, offsets = added.text, []
    for part in ("mb", "_release", "_acquire"):
        at = text.find(part)
        while at >= 0:
            if part != "mb" or text.startswith(_AFTER_MB, at + 2):
                offsets.append(at)
            at = text.find(part, at + 1)
    return sorted(set(added.indexes(sorted(offsets))))


def _may_name_barrier(text: str) -> bool:
    """Whether an added line may name a barrier (the test below, on a file's joined added lines)."""
    return "mb" in text or "_release" in text or "_acquire" in text


@check("MEMORY_BARRIER", level=WARNING, scope="patch")
def memory_barrier(patch, ctx):
    """A memory barrier added without a comment, or an `__smp_` barrier outside barrier.h.

    ## What it does
    Reports an added call of a memory barrier (`mb()`, `rmb()`, `wmb()`, the `smp_` and `virt_`
    barriers, `smp_store_release()`, `smp_load_acquire()`, `smp_mb__before_atomic()`, ...) in a .c
    or .h file with no comment on its line, on the line before or after, or just above it; and a
    use of the `__smp_` barriers outside include/asm-generic/ and the barrier.h headers.

    ## Why is this bad?
    Documentation/memory-barriers.txt: a barrier pairs with another one somewhere else, and
    without a comment saying which and what ordering it provides, nobody can tell whether it is
    still needed, or correct, when the code around it changes. checkpatch asks for the comment.

    ## Example
    ```bad
    +	ring->head = head;
    +	smp_wmb();
    ```

    ```good
    +	ring->head = head;
    +	/* publish the head before the flag; pairs with smp_rmb() in veth_poll() */
    +	smp_wmb();
    ```

    ## Fix
    Say above the barrier what it orders and which barrier it pairs with.
    """
    for file in patch.files:
        if not file.path.endswith(_C_FILES) or not _may_name_barrier(added_lines(file, ctx).text):
            continue
        added = added_lines(file, ctx)
        for line in (added.lines[index] for index in _barrier_lines(added)):
            code = masked_lines(file, ctx).get(line.patch_line, line.text)
            problem = _barrier_problem(patch, file, hunk_of(file, line), line, code)
            if problem is not None:
                yield Hit.at(line, file, problem, patch=patch)
