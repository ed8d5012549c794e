"""C calls and error codes checkpatch warns about: BUG(), an uncommented data_race(), ENOTSUPP, and
an allocation sized by a struct's name instead of the pointer it fills.

Each rule reads an added line of a .c or .h file with comments and strings masked (checkpatch's
view, shared by the C families), after a cheap search for its keyword.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import CHECK, WARNING, Hit, check
from ..lazy_regex import lazy
from ._ccode import is_c, lines_of, on_added_lines, patterns
from ._hunk_places import hunk_of
from ._lines import added_lines, lines_holding
from .apis import _has_comment

# BUG(), BUG_ON() and their variants (VM_BUG_ON, BUG_ON_INVALID...), not the BUILD_BUG family or
# other subsystems' own *BUG macros that do not crash
_BUG = lazy(r"\b(?!AA_|BUILD_|DCCP_|IDA_|KVM_|RWLOCK_|snd_|SPIN_)(?:[a-zA-Z_]*_)?BUG(?:_ON)?(?:_[A-Z_]+)?\s*\(")
_BALANCED = r"(\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))"


@lru_cache(maxsize=None)
def _alloc_by_struct():
    p = patterns()
    return lazy(r"\b(" + p.lval + r")\s*=\s*(?:" + _BALANCED + r")?\s*((?:kv|k|v)[mz]alloc(?:_node)?)\s*\(\s*"
                      r"(sizeof\s*\(\s*struct\s+" + p.lval + r"\s*\))", re.ASCII)


def _masked(line, file, ctx) -> str:
    return ctx.sources.masked_lines(file).get(line.patch_line, line.text)


def _message_if(pattern: str, line, file, ctx, message: str):
    """`message` when `pattern` is found in the masked line (code, not comments or strings)."""
    return message if re.search(pattern, _masked(line, file, ctx)) else None


@check("AVOID_BUG", level=WARNING, scope="patch")
@on_added_lines(is_c, r"BUG")
def avoid_bug(line, file, ctx):
    """An added line of C calls BUG() or one of its variants.

    ## What it does
    Reports a call of `BUG()`, `BUG_ON()` or a variant (`VM_BUG_ON()`, `BUG_ON_...()`) on an added
    line of a .c or .h file; the compile-time `BUILD_BUG_ON()` family is not reported.

    ## Why is this bad?
    BUG() stops the machine (or the thread, leaving locks held): Documentation/process/deprecated.rst
    and Linus ask for WARN_ON_ONCE() plus a way out, so the system stays up and the report can be
    read.

    ## Example
    ```bad
    +	BUG_ON(!ring);
    ```

    ```good
    +	if (WARN_ON_ONCE(!ring))
    +		return -EINVAL;
    ```

    ## Fix
    Warn once and recover: return an error, or skip the work.
    """
    return _message_if(_BUG.pattern, line, file, ctx,
                       "Do not crash the kernel unless it is absolutely unavoidable--use WARN_ON_ONCE() plus "
                       "recovery code (if feasible) instead of BUG() or variants")


_DATA_RACE = lazy(r"\bdata_race\s*\(")


@check("DATA_RACE", level=WARNING, scope="patch")
def data_race(patch, ctx):
    """An added data_race() has no comment saying why the race is fine.

    ## What it does
    Reports an added `data_race(...)` in a .c or .h file with no comment on its line, on the line
    before or after, or in a block comment just above it (within the hunk).

    ## Why is this bad?
    data_race() tells KCSAN to ignore a racy access; only a comment tells the reader why the race
    is harmless (Documentation/dev-tools/kcsan.rst). Without one, the next reader cannot tell a
    considered decision from a silenced bug.

    ## Example
    ```bad
    +	count = data_race(ring->count);
    ```

    ```good
    +	/* a stale count only delays the next refill */
    +	count = data_race(ring->count);
    ```

    ## Fix
    Say above the access why a racy read (or write) is good enough there.
    """
    for file in patch.files:
        if file.is_binary or not is_c(file.path):
            continue
        added = added_lines(file, ctx)
        for line in (added.lines[index] for index in lines_holding("data_race", added)):
            if _DATA_RACE.search(_masked(line, file, ctx)) and not _has_comment(patch, hunk_of(file, line), line):
                yield Hit.at(line, file, "data_race without comment", patch=patch)


@check("ENOTSUPP", level=WARNING, scope="patch")
@on_added_lines(is_c, r"ENOTSUPP")
def enotsupp(line, file, ctx):
    """An added line of C uses ENOTSUPP.

    ## What it does
    Reports `ENOTSUPP` on an added line of a .c or .h file (not in a comment or string).

    ## Why is this bad?
    ENOTSUPP is an NFS-internal code with no user-space name: a program that gets 524 back prints
    "Unknown error 524". The standard code for "not supported" is EOPNOTSUPP.

    ## Example
    ```bad
    +		return -ENOTSUPP;
    ```

    ```good
    +		return -EOPNOTSUPP;
    ```

    ## Fix
    Return `-EOPNOTSUPP` (unless the code goes back to NFS, which knows ENOTSUPP).
    """
    return _message_if(r"\bENOTSUPP\b", line, file, ctx, "ENOTSUPP is not a SUSV4 error code, prefer EOPNOTSUPP")


@check("ALLOC_SIZEOF_STRUCT", level=CHECK, scope="patch")
@on_added_lines(is_c, r"[mz]alloc")
def alloc_sizeof_struct(line, file, ctx):
    """An added allocation is sized by `sizeof(struct name)` instead of the pointer it is assigned to.

    ## What it does
    Reports `p = kmalloc(sizeof(struct foo), ...)` (and kzalloc, kvmalloc, kvzalloc, vmalloc,
    vzalloc, their `_node` forms) on an added line of a .c or .h file. Reported with `--strict`,
    as in checkpatch.

    ## Why is this bad?
    Documentation/process/coding-style.rst ("Allocating memory"): `sizeof(*p)` stays right when the
    type of `p` changes; a struct name repeated by hand may not, and the compiler will not notice.

    ## Example
    ```bad
    +	ring = kzalloc(sizeof(struct veth_ring), GFP_KERNEL);
    ```

    ```good
    +	ring = kzalloc(sizeof(*ring), GFP_KERNEL);
    ```

    ## Fix
    Write `sizeof(*p)`, where `p` is the pointer the allocation is assigned to.
    """
    match = _alloc_by_struct().search(_masked(line, file, ctx))
    if match is None:
        return None
    return f"Prefer {match.group(3)}(sizeof(*{match.group(1)})...) over {match.group(3)}({match.group(4)}...)"


@check("CONSIDER_KSTRTO", level=WARNING, scope="patch")
@on_added_lines(is_c, r"_strto")
def consider_kstrto(line, file, ctx):
    """An added line of C calls simple_strtoul() or another obsolete string-to-number parser.

    ## What it does
    Reports a call of `simple_strtol()`, `simple_strtoll()`, `simple_strtoul()`,
    `simple_strtoull()` (or their `strict_` forms) on an added line of a .c or .h file.

    ## Why is this bad?
    The simple_strto*() functions ignore overflow and trailing garbage and cannot report an
    error; include/linux/kstrtox.h marks them obsolete in favour of kstrto*(), which return
    -EINVAL or -ERANGE.

    ## Example
    ```bad
    +	size = simple_strtoul(buf, NULL, 0);
    ```

    ```good
    +	err = kstrtoul(buf, 0, &size);
    ```

    ## Fix
    Call the matching `kstrto*()` and handle its error.
    """
    match = re.search(r"\b((simple|strict)_(strto(l|ll|ul|ull)))\s*\(", _masked(line, file, ctx))
    return f"{match.group(1)} is obsolete, use k{match.group(3)} instead" if match else None


@check("USE_DEVICE_INITCALL", level=WARNING, scope="patch")
@on_added_lines(is_c, r"__initcall")
def use_device_initcall(line, file, ctx):
    """An added line of C registers an initcall with the bare `__initcall()`.

    ## What it does
    Reports an added line of a .c or .h file that starts with a call of `__initcall()`.

    ## Why is this bad?
    include/linux/init.h: `__initcall()` is the old spelling of `device_initcall()`; the named
    levels (`subsys_initcall()`, `late_initcall()`, ...) say when the function runs, which is what a
    reader of the registration needs to know.

    ## Example
    ```bad
    +__initcall(veth_ring_init);
    ```

    ```good
    +device_initcall(veth_ring_init);
    ```

    ## Fix
    Use `device_initcall()`, or the level the code needs.
    """
    return _message_if(r"^\s*__initcall\s*\(", line, file, ctx,
                       "please use device_initcall() or more appropriate function instead of __initcall() "
                       "(see include/linux/init.h)")


@lru_cache(maxsize=None)
def _array_of_cpus():
    return lazy(r"^\s*\s*" + patterns().declare + r"\s.*\[[^\]]*NR_CPUS[^\]]*\]", re.ASCII)


@check("NR_CPUS", level=WARNING, scope="patch")
@on_added_lines(is_c, r"\bNR_CPUS\b")
def nr_cpus(line, file, ctx):
    """An added line of C uses NR_CPUS as a bound of the CPUs that exist.

    ## What it does
    Reports `NR_CPUS` on an added line of a .c or .h file, except in `#if` and `#define` lines,
    the size of a declared array, a range in an array designator (`[0 ... NR_CPUS - 1]`) and a
    designated initializer (`.max = NR_CPUS`).

    ## Why is this bad?
    NR_CPUS is the most CPUs a kernel is built for (often 8192); the machine has far fewer, and
    possible CPU ids need not be dense. Loops up to NR_CPUS waste time and touch per-CPU data
    that does not exist.

    ## Example
    ```bad
    +	for (cpu = 0; cpu < NR_CPUS; cpu++)
    +		veth_kick_cpu(cpu);
    ```

    ```good
    +	for_each_possible_cpu(cpu)
    +		veth_kick_cpu(cpu);
    ```

    ## Fix
    Use `for_each_possible_cpu()`, `num_possible_cpus()` or `nr_cpu_ids`.
    """
    code = _masked(line, file, ctx)
    if (re.search(r"\bNR_CPUS\b", code) is None or re.match(r"\s*#\s*(?:if|define)\b.*\bNR_CPUS\b", code)
            or _array_of_cpus().search(code) or re.search(r"\[[^\]]*\.\.\.[^\]]*NR_CPUS[^\]]*\]", code)
            or re.search(r"\[[^\]]*NR_CPUS[^\]]*\.\.\.[^\]]*\]", code)
            or re.match(r"\s*\.\w+\s*=\s*.*\bNR_CPUS\b", code)):
        return None
    return ("usage of NR_CPUS is often wrong - consider using cpu_possible(), num_possible_cpus(), "
            "for_each_possible_cpu(), etc")


@check("LOGGING_CONTINUATION", level=WARNING, scope="patch")
@on_added_lines(is_c, r"KERN_CONT|pr_cont")
def logging_continuation(line, file, ctx):
    """An added line of C continues a log line with `pr_cont()` or `KERN_CONT`.

    ## What it does
    Reports `pr_cont(...)` and `printk(KERN_CONT ...)` on an added line of a .c or .h file.

    ## Why is this bad?
    A continuation is appended to the last message of any CPU, not of this code: with other CPUs
    logging at the same time the pieces interleave, and since the printk rework they may come out
    as separate lines anyway.

    ## Example
    ```bad
    +	pr_info("veth: rings:");
    +	pr_cont(" %u\\n", priv->ring_count);
    ```

    ```good
    +	pr_info("veth: rings: %u\\n", priv->ring_count);
    ```

    ## Fix
    Build the whole line first (in a buffer if need be) and print it with one call.
    """
    return _message_if(r"\bprintk\s*\(\s*KERN_CONT\b|\bpr_cont\s*\(", line, file, ctx,
                       "Avoid logging continuation uses where feasible")


@check("USLEEP_RANGE", level=CHECK, scope="patch")
@on_added_lines(is_c, r"udelay")
def usleep_range(line, file, ctx):
    """An added line of C busy-waits with `udelay()` for 10 microseconds or more.

    ## What it does
    Reports `udelay(N)` with a literal N of at least 10 on an added line of a .c or .h file.
    Reported with `--strict`, as in checkpatch.

    ## Why is this bad?
    Documentation/timers/timers-howto.rst: udelay() spins the CPU for the whole time; where the
    caller may sleep, usleep_range() (or fsleep()) gives the CPU to others and lets the timer
    code merge wake-ups.

    ## Example
    ```bad
    +	udelay(100);
    ```

    ```good
    +	usleep_range(100, 200);
    ```

    ## Fix
    In a context that may sleep, use `usleep_range(min, max)` or `fsleep()`; keep udelay() in atomic
    context.
    """
    match = re.search(r"\budelay\s*\(\s*(\d+)\s*\)", _masked(line, file, ctx))
    if match and int(match.group(1)) >= 10:
        return "usleep_range is preferred over udelay; see Documentation/timers/timers-howto.rst"
    return None


@check("USE_FUNC", level=WARNING, scope="patch")
@on_added_lines(is_c, r"__FUNCTION__")
def use_func(line, file, ctx):
    """An added line of C uses GCC's `__FUNCTION__`.

    ## What it does
    Reports `__FUNCTION__` on an added line of a .c or .h file (not in a comment or string).

    ## Why is this bad?
    `__FUNCTION__` is a GCC extension; C99's `__func__` means the same and is what the rest of the
    kernel writes.

    ## Example
    ```bad
    +	pr_debug("%s: ring full\\n", __FUNCTION__);
    ```

    ```good
    +	pr_debug("%s: ring full\\n", __func__);
    ```

    ## Fix
    Write `__func__`.
    """
    return _message_if(r"\b__FUNCTION__\b", line, file, ctx,
                       "__func__ should be used instead of gcc specific __FUNCTION__")


@lru_cache(maxsize=None)
def _single_sscanf():
    p = patterns()
    func_arg = (r"\s*(?:\(\s*" + p.nonptr + r"\s*\))?\s*(?:(?:(?:[&*]\s*)?" + p.lval + r")\s*(?:" + _BALANCED
                + r")?\s*|" + p.constant + r'|(?:\b[Lu])?"[X\t]*")')
    return lazy(r"\bsscanf\b\s*\(\s*" + func_arg + r'\s*,\s*(?P<format>"[^"]+")', re.ASCII)


_ONE_CONVERSION = lazy(r'^"%(?i:ll[udxi]|[udxi]ll|ll|[hl]h?[udxi]|[udxi][hl]h?|[hl]h?|[udxi])"$')


@check("SSCANF_TO_KSTRTO", level=WARNING, scope="patch")
def sscanf_to_kstrto(patch, ctx):
    """An added sscanf() parses one integer, the job of kstrto*().

    ## What it does
    Reports an added call of `sscanf()` in a .c or .h file whose format is a single integer
    conversion (`"%d"`, `"%u"`, `"%x"`, `"%llu"`, `"%hhx"`, ...) and nothing else.

    ## Why is this bad?
    sscanf() reports only how many fields it matched: it accepts trailing garbage and ignores
    overflow. kstrtoint() and friends reject both and return an error code to pass on.

    ## Example
    ```bad
    +	if (sscanf(buf, "%u", &size) != 1)
    +		return -EINVAL;
    ```

    ```good
    +	if (kstrtouint(buf, 0, &size))
    +		return -EINVAL;
    ```

    ## Fix
    Call the `kstrto*()` of the variable's type and return its error.
    """
    from ._statement import statement_block

    for file in patch.files:
        if file.is_binary or not is_c(file.path):
            continue
        for code_line in _code_lines_holding(file, ctx, "sscanf"):
            if "sscanf" not in code_line.code or not re.search(r"\bsscanf\b", code_line.code):
                continue
            end = code_line.hunk_ends[code_line.index]
            statement, _, _ = statement_block(code_line.sequence, code_line.index, end)
            lines = code_line.sequence[code_line.index:code_line.index + statement.count("\n") + 1]
            real = "\n".join(("+" if line.kind == "+" else " ") + line.text for line, _ in lines)
            call = _single_sscanf().search(real)
            if call and call.group("format").count("%") == 1 and _ONE_CONVERSION.match(call.group("format")):
                yield Hit.at(code_line.line, file, "Prefer kstrto<type> to single variable sscanf", patch=patch)


def _code_lines_holding(file, ctx, *words):
    """The CodeLines (`_ccode.lines_of`) of the added lines whose text holds one of the words, in
    order: what the masked code holds, the text holds too, and one search of the file's joined text
    finds those lines instead of a test of each line's code."""
    added = added_lines(file, ctx)
    code_lines = lines_of(file, ctx)
    indexes = set().union(*(lines_holding(word, added) for word in words))
    return [code_lines[added.lines[index].patch_line] for index in sorted(indexes)]


@lru_cache(maxsize=None)
def _cast_in_min_max():
    p = patterns()
    nested = r"\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)"
    value = r"((?:(?:[&*]\s*)?" + p.lval + r")\s*(?:" + nested + r")?\s*|" + p.constant + r'|(?:\b[Lu])?"[X\t]*")'
    cast = r"\(\s*" + p.nonptr + r"\s*\)"
    return lazy(r"^(?:.*?)\b(min|max)\s*\(\s*(" + cast + r")?\s*" + value + r"\s*,\s*\s*(?P<cast2>" + cast + r")?\s*"
                + value + r"\s*\)", re.ASCII)


_STATEMENT_END = lazy(r"[;{}:]\s*$")  # (compiled once: asked of every added line naming min or max)
_LINE_MARK = lazy(r"\n.")


def _without_parentheses(text):
    while re.match(r"^\s*\(.*\)\s*$", text, flags=re.S):
        text = re.sub(r"\s*\)\s*$", "", re.sub(r"^\s*\(\s*", "", text, count=1), count=1)
    return re.sub(r"\s+", " ", text)


@check("MINMAX", level=WARNING, scope="patch")
def minmax(patch, ctx):
    """An added min() or max() casts an argument: min_t() or max_t() says the type once.

    ## What it does
    Reports `min((type)a, b)` and `max(a, (type)b)` in a statement that starts on an added line of
    a .c or .h file, with the `min_t()` or `max_t()` call to write instead.

    ## Why is this bad?
    include/linux/minmax.h: min() and max() check that both sides have the same type; a cast on
    one side silences that check for the values it was meant to catch. min_t() names the type
    the comparison is done in, for both sides.

    ## Example
    ```bad
    +	budget = min((int)priv->ring_size, budget);
    ```

    ```good
    +	budget = min_t(int, priv->ring_size, budget);
    ```

    ## Fix
    Write `min_t(type, a, b)` (or `max_t()`) with the type the comparison should use.
    """
    from ._statement import statement_block

    for file in patch.files:
        if file.is_binary or not is_c(file.path):
            continue
        for code_line in _code_lines_holding(file, ctx, "min", "max"):
            if "min" not in code_line.code and "max" not in code_line.code:
                continue
            if code_line.prev_code.strip() and not _STATEMENT_END.search(code_line.prev_code.replace("\x1c", " ")):
                continue  # inside a statement that started earlier: checkpatch reads it from its start
            end = code_line.hunk_ends[code_line.index]
            statement = _LINE_MARK.sub("\n ", statement_block(code_line.sequence, code_line.index, end)[0])
            call = _cast_in_min_max().search(statement[1:])
            if call is None or not (call.group(2) or call.group("cast2")):
                continue
            casts = [_without_parentheses(c) for c in (call.group(2), call.group("cast2")) if c]
            cast = casts[0] if len(casts) == 1 or casts[0] == casts[1] else f"{casts[0]} or {casts[1]}"
            second = call.group(call.re.groupindex["cast2"] + 1)  # the value after the second cast
            yield Hit.at(code_line.line, file, f"{call.group(1)}() should probably be {call.group(1)}_t({cast}, "
                         f"{call.group(3)}, {second})", patch=patch)
