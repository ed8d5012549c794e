"""C definitions checkpatch asks to write the kernel way: no new typedefs, the kernel's integer types,
and no globals or statics initialised to zero.

Each rule reads an added line of a .c or .h file with comments and strings masked (checkpatch's
view, shared by the C families), after a cheap substring test; the C type patterns are
checkpatch's own definitions (`_ccode.patterns`), so what counts as a type agrees with it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import CHECK, ERROR, WARNING, Hit, check
from ..lazy_regex import lazy
from ._ccode import COMMENT, is_c, lines_of, on_added_lines, patterns
from ._line_scans import FoundBy
from ._lines import added_lines, lines_holding

_C99_TYPEDEF = r"(?:__)?(?:[us]_?)?int_?(?:8|16|32|64)_t"
_KNOWN_TYPEDEF = (r"\b(?:" + _C99_TYPEDEF + r"\b|u_(?:char|short|int|long)\b|u(?:nchar|short|int|long)\b|"
                  r"(?:__)?(?:u|s|be|le)(?:8|16|32|64)\b|atomic_t\b|FILE\b)")
_ZERO = r"((?:(?:0[xX])?0+(?:(?i:llu|ull|ll|lu|ul|l|u))?|NULL|false)\b)"
# BPF programs (selftests' progs, samples' *_kern.c, *.bpf.c) keep their globals in .data on purpose
_BPF_PROGRAM = lazy(r"^tools/testing/selftests/bpf/progs/.*\.c$|^samples/bpf/.*_kern\.c$|/bpf/.*\.bpf\.c$")


@lru_cache(maxsize=None)
def _rules():
    p = patterns()
    return {
        "function_typedef": lazy(r"\btypedef\s+" + p.type + r"\s*\(\s*\*?" + p.ident + r"\s*\)\s*\(", re.ASCII),
        "prototype_typedef": lazy(r"\btypedef\s+" + p.type + r"\s+" + p.ident + r"\s*\(", re.ASCII),
        "known_typedef": lazy(_KNOWN_TYPEDEF, re.ASCII),
        "c99_declaration": lazy(r"\b(" + p.declare + r")\s*" + p.ident + r"\s*[=;,\[]", re.ASCII),
        "c99": lazy(r"\b(" + _C99_TYPEDEF + r")\b", re.ASCII),
        "global": lazy(r"^" + p.type + r"\s*" + p.ident + r"(?:\s+" + p.modifier + r")*\s*=\s*" + _ZERO
                             + r"\s*;", re.ASCII),
        "static": lazy(r"\bstatic\s.*=\s*" + _ZERO + r"\s*;", re.ASCII),
        "trailing_array": lazy(r"^\s*(?:\}(?:\s*__packed\s*)?|" + p.type + r")\s*" + p.ident
                                     + r"\s*\[\s*(?:0|1)\s*\]\s*;\s*$", re.ASCII),
    }


def _masked(line, file, ctx) -> str:
    return ctx.sources.masked_lines(file).get(line.patch_line, line.text)


@check("NEW_TYPEDEFS", level=WARNING, scope="patch")
@on_added_lines(is_c, r"\btypedef\s")
def new_typedefs(line, file, ctx):
    """An added line of C defines a new typedef.

    ## What it does
    Reports an added `typedef` in a .c or .h file, except a typedef of a function type or function
    pointer, one that mentions a kernel or C99 integer type (`u32`, `uint8_t`, ...), and a sparse
    `__bitwise` type.

    ## Why is this bad?
    Documentation/process/coding-style.rst ("Typedefs"): a typedef hides what a thing is; a reader
    of `vps_t a;` cannot tell it is a struct, or a pointer. The kernel writes `struct name` and
    keeps typedefs for the few cases where hiding is the point.

    ## Example
    ```bad
    +typedef struct veth_ring veth_ring_t;
    ```

    ```good
    +struct veth_ring;
    ```

    ## Fix
    Drop the typedef and write `struct name` (or `enum name`) where it was used.
    """
    code = _masked(line, file, ctx)
    rules = _rules()
    if (re.search(r"\btypedef\s", code) and not rules["function_typedef"].search(code)
            and not rules["prototype_typedef"].search(code) and not rules["known_typedef"].search(code)
            and "__bitwise" not in code):
        return "do not add new typedefs"
    return None


# searched as a pattern over a file's joined added lines: its search jumps from one `int` to the next
# (a needle's planned scan takes `int`, the longest string its matches hold, and tests each of the
# many lines holding it)
_C99_TYPE_IN_TEXT = lazy(r"int_?(?:8|16|32|64)_t")


@check("PREFER_KERNEL_TYPES", level=CHECK, scope="patch")
@on_added_lines(is_c, lines=FoundBy((_C99_TYPE_IN_TEXT,), _C99_TYPE_IN_TEXT))
def prefer_kernel_types(line, file, ctx):
    """An added declaration of C uses a C99 integer type (`uint32_t`) where the kernel has its own (`u32`).

    ## What it does
    Reports a declaration on an added line of a .c or .h file whose type is one of the C99 fixed
    width types (`uint8_t` ... `int64_t`, `u_int32_t`, `__uint16_t`), outside include/uapi/ and
    tools/, which user space shares. Reported with `--strict`, as in checkpatch.

    ## Why is this bad?
    Kernel code uses `u8`/`u16`/`u32`/`u64` and `s8`...`s64` (Documentation/process/coding-style.rst,
    "Typedefs"); mixing both spellings in one driver makes the reader wonder whether they differ.

    ## Example
    ```bad
    +	uint32_t ring_size;
    ```

    ```good
    +	u32 ring_size;
    ```

    ## Fix
    Write `uN` for an unsigned and `sN` for a signed type of N bits.
    """
    if "include/uapi/" in file.path or re.search(r"\btools/", file.path):
        return None
    code = _masked(line, file, ctx)
    declaration = _rules()["c99_declaration"].search(code)
    if declaration is None:
        return None
    c99 = _rules()["c99"].search(declaration.group(1))
    if c99 is None:
        return None
    written = c99.group(1)
    kernel = ("s" if re.match(r"_*[si]", written) else "u") + re.search(r"\d+", written).group(0)
    return f"Prefer kernel type '{kernel}' over '{written}'"


@check("GLOBAL_INITIALISERS", level=ERROR, scope="patch")
# a global starts at the margin ("global" below), and its code does only where its text does: a line
# starting with a letter is looked for from line start to line start, not each `=` of the file
@on_added_lines(is_c, r"^[A-Za-z_].*=\s*(?:0|NULL|false)")
def global_initialisers(line, file, ctx):
    """An added global variable of C is initialised to 0, NULL or false.

    ## What it does
    Reports an added definition at the start of a line (a global) of a .c or .h file that
    initialises the variable to zero (`0`, `0x0`, `0UL`), `NULL` or `false`. BPF programs
    (tools/testing/selftests/bpf/progs/, samples/bpf/*_kern.c, *.bpf.c) are exempt.

    ## Why is this bad?
    A global without an initialiser is zero already (it lives in .bss); writing `= 0` says nothing
    and, with old compilers, moved the variable into .data. checkpatch reports it as an error.

    ## Example
    ```bad
    +int veth_ring_count = 0;
    ```

    ```good
    +int veth_ring_count;
    ```

    ## Fix
    Delete the initialiser.
    """
    if _BPF_PROGRAM.search(file.path):
        return None
    match = _rules()["global"].search(_masked(line, file, ctx))
    return f"do not initialise globals to {match.group(1)}" if match else None


# `\bstatic\s.*=\s*(?:0|NULL|false)` on a line, searched over a file's joined added lines: led by the
# literal, which the search jumps to (`\b` first is tried at every character), and kept in its line
_ZERO_STATIC_IN_TEXT = lazy(r"static(?<!\wstatic)[^\S\n][^\n]*=[^\S\n]*(?:0|NULL|false)")


@check("INITIALISED_STATIC", level=ERROR, scope="patch")
@on_added_lines(is_c, lines=FoundBy((_ZERO_STATIC_IN_TEXT,), lazy(r"\bstatic\s.*=\s*(?:0|NULL|false)")))
def initialised_static(line, file, ctx):
    """An added static variable of C is initialised to 0, NULL or false.

    ## What it does
    Reports an added line of a .c or .h file that defines a `static` variable initialised to zero
    (`0`, `0x0`, `0UL`), `NULL` or `false`.

    ## Why is this bad?
    A static variable without an initialiser is zero already (it lives in .bss); the explicit
    `= 0` is noise, and checkpatch reports it as an error.

    ## Example
    ```bad
    +static int veth_ring_count = 0;
    ```

    ```good
    +static int veth_ring_count;
    ```

    ## Fix
    Delete the initialiser.
    """
    match = _rules()["static"].search(_masked(line, file, ctx))
    return f"do not initialise statics to {match.group(1)}" if match else None


_STRUCT_END = lazy(r"^\s*\}(?:\s*__packed)?\s*;\s*$")


# the `;` after the brace is code, so it is in the text too: most closing braces end a function
@check("FLEXIBLE_ARRAY", level=ERROR, scope="patch")
@on_added_lines(is_c, r"^\s*\}.*;")
def flexible_array(line, file, ctx):
    """An added struct ends in a zero- or one-element array instead of a flexible array member.

    ## What it does
    Reports the added closing `};` of a struct or union in a .c or .h file when the added line
    before it declares an array of `[0]` or `[1]` elements.

    ## Why is this bad?
    Documentation/process/deprecated.rst ("Zero-length and one-element arrays"): `[0]` and `[1]`
    trailers defeat the compiler's bounds checking (FORTIFY_SOURCE, -Warray-bounds) and make
    `sizeof()` wrong by one element; C99's `[]` says what is meant.

    ## Example
    ```bad
    +struct veth_ring {
    +	u32 size;
    +	u64 slots[0];
    +};
    ```

    ```good
    +struct veth_ring {
    +	u32 size;
    +	u64 slots[];
    +};
    ```

    ## Fix
    Declare the trailing array with `[]` and size allocations with `struct_size()`.
    """
    code_line = lines_of(file, ctx).get(line.patch_line)
    if code_line is None or code_line.prev is None or code_line.prev.kind != "+":
        return None
    if not _STRUCT_END.match(code_line.code.replace(COMMENT, " ")):
        return None
    # (`[` first: the pattern reads a whole declaration, and most lines above a `};` hold no array)
    if "[" in code_line.prev_code and _rules()["trailing_array"].match(code_line.prev_code):
        return ("Use C99 flexible arrays - see "
                "https://docs.kernel.org/process/deprecated.html#zero-length-and-one-element-arrays")
    return None


@lru_cache(maxsize=None)
def _function_without_args():
    p = patterns()
    return lazy(r"(\b" + p.type + r"\s*" + p.ident + r")\s*\(\s*\)", re.ASCII)


@check("FUNCTION_WITHOUT_ARGS", level=ERROR, scope="patch")
@on_added_lines(is_c, r"\(\s*\)")
def function_without_args(line, file, ctx):
    """An added function of C is declared with empty parentheses instead of `(void)`.

    ## What it does
    Reports an added declaration or definition in a .c or .h file of the shape `type name()`.

    ## Why is this bad?
    In C (before C23), `int f()` declares a function whose arguments are unknown, not one without
    arguments: a call with arguments compiles silently. `(void)` says "no arguments" and lets the
    compiler check every caller.

    ## Example
    ```bad path=drivers/net/veth.h
    +int veth_ring_count();
    ```

    ```good path=drivers/net/veth.h
    +int veth_ring_count(void);
    ```

    ## Fix
    Write `(void)` in the parentheses.
    """
    match = _function_without_args().search(_masked(line, file, ctx))
    if match is None:
        return None
    return f"Bad function definition - {match.group(1)}() should probably be {match.group(1)}(void)"


_ATTRIBUTE_MACROS = {
    "alias": "__alias", "aligned": "__aligned", "always_inline": "__always_inline",
    "assume_aligned": "__assume_aligned", "cold": "__cold", "const": "__attribute_const__", "copy": "__copy",
    "designated_init": "__designated_init", "externally_visible": "__visible", "format": "printf|scanf",
    "gnu_inline": "__gnu_inline", "malloc": "__malloc", "mode": "__mode",
    "no_caller_saved_registers": "__no_caller_saved_registers", "noclone": "__noclone", "noinline": "noinline",
    "nonstring": "__nonstring", "noreturn": "__noreturn", "packed": "__packed", "pure": "__pure",
    "section": "__section", "used": "__used", "weak": "__weak",
}  # include/linux/compiler_attributes.h's names, as checkpatch maps them
_NESTED = r"\((?:[^()]|\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\))*\)"  # four levels: Python's re has no recursion
_ATTRIBUTE = lazy(r"\b__attribute__\s*\(\s*(" + _NESTED + r")\s*\)")
_ATTRIBUTE_ITEM = lazy(r"\s*(\w+)\s*(" + _NESTED + r")?")


def _attribute_advice(attribute: str):
    """checkpatch's message for each attribute in the text of `((...))` that has a macro."""
    inner = re.sub(r"\s*\(\s*(.*)\)\s*", r"\1", attribute, count=1, flags=re.S)
    for item in _ATTRIBUTE_ITEM.finditer(inner):
        written, params = item.group(1), item.group(2) or ""
        name = written.strip(" \t_")
        if name not in _ATTRIBUTE_MACROS:
            continue
        macro = _ATTRIBUTE_MACROS[name]
        if name == "format" and params:
            parts = re.match(r"^\s*\(\s*(\w+)\s*,\s*(.*)", params, flags=re.S)
            macro = f"__{parts.group(1)}({parts.group(2)}" if parts else macro
        else:
            macro += params
        yield f"Prefer {macro} over __attribute__(({written}{params}))"
    if re.match(r"_*unused", inner):
        yield "__always_unused or __maybe_unused is preferred over __attribute__((__unused__))"


@check("PREFER_DEFINED_ATTRIBUTE_MACRO", level=WARNING, scope="patch")
def prefer_defined_attribute_macro(patch, ctx):
    """An added line of C spells out `__attribute__((...))` where the kernel has a macro for it.

    ## What it does
    Reports `__attribute__((packed))`, `((aligned(n)))`, `((format(printf, a, b)))`, `((unused))`
    and the other attributes include/linux/compiler_attributes.h names, on an added line of a .c
    or .h file outside include/uapi/, with the macro to use.

    ## Why is this bad?
    The macros (`__packed`, `__aligned(n)`, `__printf(a, b)`, `__maybe_unused`) are shorter, the
    same everywhere in the tree, and adapt to compilers that spell the attribute differently.

    ## Example
    ```bad
    +struct veth_hdr {
    +	u32 len;
    +} __attribute__((packed));
    ```

    ```good
    +struct veth_hdr {
    +	u32 len;
    +} __packed;
    ```

    ## Fix
    Write the macro the message names.
    """
    for file in patch.files:
        if file.is_binary or not is_c(file.path) or "include/uapi/" in file.path:
            continue
        added = added_lines(file, ctx)
        for line in (added.lines[index] for index in lines_holding("__attribute__", added)):
            match = _ATTRIBUTE.search(line.text)
            if match is not None:
                for advice in _attribute_advice(match.group(1)):  # one finding per attribute, as checkpatch
                    yield Hit.at(line, file, advice, patch=patch)
