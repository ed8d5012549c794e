"""How C declarations are written: `unsigned` without `int`, extern declarations in .c and .h files,
CamelCase names (unless the tree's headers already define them), and an EXPORT_SYMBOL() under its definition.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from . import CHECK, WARNING, Hit, check
from ._ccode import COMMENT, is_c
from ._hunk_places import line_above, position
from ._line_scans import masked_text
from ._lines import added_lines, line_filter, lines_holding
from ._prototype_heads import C_PROTOTYPE, FUNCTION_DECLARATION, TYPE as _TYPE, heads_matching, is_head
from .apis import masked_lines
from ..lazy_regex import lazy

_C_FILES = (".c", ".h")
_BARE_SIGN = lazy(r"\b((?:un)?signed)\b((?:\s*\*)*)\s*(?!char\b|short\b|int\b|long\b)([A-Za-z_]\w*)?\s*[=,;\[\)\(]")
_WORD_BEFORE = lazy(r"(\w+)\s*$")
_EXTERN_PROTOTYPE = lazy(r"^\s*extern\s+" + _TYPE + r"[\s\*]*[A-Za-z_]\w*\s*\(")
_LINKER_SYMBOL = lazy(r"^extern struct\s+(\w+)\s+(\w+)\[\];")
_EXTERN = lazy(r"^\s*extern\s+")


@check("UNSPECIFIED_INT", level=WARNING)
def unspecified_int(patch, ctx):
    """A declaration or cast of C uses `unsigned` or `signed` alone, without `int`.

    ## What it does
    Reports `unsigned` or `signed` (and pointers to them) on an added line of a .c or .h file when
    no `char`, `short`, `int` or `long` follows: `unsigned flags;`, `(unsigned)x`,
    `sizeof(unsigned)`.

    ## Why is this bad?
    A bare `unsigned` is an `unsigned int`, but the reader has to know that; the kernel writes the
    type out (or uses u32), and checkpatch asks for it.

    ## Example
    ```bad
    +	unsigned flags = 0;
    ```

    ```good
    +	unsigned int flags = 0;
    ```

    ## Fix
    Write `unsigned int` (or `u32`), `signed int` (or `int`).
    """
    for file in patch.files:
        if not file.path.endswith(_C_FILES):
            continue
        added = added_lines(file, ctx)
        for line in (added.lines[index] for index in lines_holding("signed", added)):
            for message in _bare_signs(masked_lines(file, ctx).get(line.patch_line, line.text)):
                yield Hit.at(line, file, message, patch=patch)


def _bare_signs(code: str):
    for match in _BARE_SIGN.finditer(code):
        before = _WORD_BEFORE.search(code[:match.start()])
        if before and before.group(1) in ("char", "short", "int", "long"):
            continue  # `long unsigned`: a misordered type, which checkpatch reads as a whole
        pointer = match.group(2).rstrip()
        yield f"Prefer '{match.group(1)} int{pointer}' to bare use of '{match.group(1)}{pointer}'"


def _after_closing_brace(file, line, ctx) -> bool:
    """Whether the nearest line above (past blank and removed lines, within the hunk) is a lone `}`:
    checkpatch then reads one statement from the brace on, and never starts one on this line."""
    number, index = position(file, line)
    lines = file.hunks[number].lines
    for above in (lines[i] for i in range(index - 1, -1, -1)):
        if above.kind != "-" and above.text.strip():
            return above.text.strip() == "}"
    return False


def _continues_a_statement(file, line, ctx) -> bool:
    """Whether the line right above (a removed line skipped) is code that ends no statement, such
    as `__alias(name)` or `LIBBPF_API`: checkpatch's statement then starts there, not on this line."""
    above = line_above(file, line)
    if above is None:
        return False
    code = masked_lines(file, ctx).get(above.patch_line, above.text).replace(COMMENT, " ").strip()
    return bool(code) and not code.startswith("#") and not code.endswith((";", "{", "}", ":", "*/"))


def _lines_from(file, line, ctx):
    """The added and context lines of a file from a line on, to the end of the file's diff."""
    number, index = position(file, line)
    lines = file.hunks[number].lines
    following = (lines[i] for i in range(index, len(lines)))
    for other in itertools.chain(following, *(h.lines for h in file.hunks[number + 1:])):
        if other.kind != "-":
            yield other


def _extern_lines(file, added, ctx):
    """What AVOID_EXTERNS is shown: in a header the lines naming `extern`, in a .c file those and
    the lines that may start a prototype whose masked code C_PROTOTYPE may match."""
    externs = lines_holding("extern", added)
    if file.path.endswith(".h"):
        return externs
    return sorted(set(externs).union(_may_be_prototypes(added, ctx)))


def _may_be_prototypes(added, ctx):
    """The heads (`_prototype_heads.is_head`) whose masked code C_PROTOTYPE may match, found from
    their text: what the pattern reads before its `(` holds no quote, so no string, and a comment
    only when one closes on the line (masked, it reads as blanks); elsewhere the code is the text,
    and a match on the code is one on the text."""
    lines = added.lines
    closing = [index for index in lines_holding("*/", added) if is_head(lines[index].text)]
    return closing + heads_matching(added, ctx, C_PROTOTYPE)


@check("AVOID_EXTERNS", level=WARNING, scope="line")
@line_filter(is_c, lines=_extern_lines)
def avoid_externs(line, file, ctx):
    """An extern declaration or a function prototype added where checkpatch wants none.

    ## What it does
    In a .h file, reports (as a CHECK) an added `extern` function prototype: `extern` is implied.
    In a .c file, reports an added `extern` declaration, a prototype of a function that is not
    static, and an `extern struct x y[];` that looks like a linker symbol.

    ## Why is this bad?
    A .c file that declares what another file defines duplicates the declaration, and the two can
    drift apart without the compiler noticing; the declaration belongs in a header both include.
    In headers, `extern` on a prototype is noise.

    ## Example
    ```bad path=include/linux/bpf_stats.h
    +extern int bpf_map_count(void);
    ```

    ```bad path=kernel/bpf/stats.c
    +extern int sysctl_bpf_stats_enabled;
    ```

    ```good path=include/linux/bpf_stats.h
    +int bpf_map_count(void);
    ```

    ```good path=kernel/bpf/stats.c
    +static int bpf_map_count(void);
    ```

    ## Fix
    Move the declaration to a header included by both files, or make the function static.
    """
    text = line.text
    if "extern" not in text and not is_head(text):
        return None  # neither an extern nor the first line of a prototype
    if file.path.endswith(".h"):
        if "extern" in text and _EXTERN_PROTOTYPE.match(text):
            return Hit.at(line, file, "extern prototypes should be avoided in .h files", level=CHECK)
        return None
    if not file.path.endswith(".c"):
        return None
    code = masked_lines(file, ctx).get(line.patch_line, text)
    prototype = C_PROTOTYPE.match(code)
    if prototype:
        if _after_closing_brace(file, line, ctx) or _continues_a_statement(file, line, ctx):
            return None
        # a declaration: its argument list is followed by `;` (not by a body, nor by `__ksym;`)
        found = _parenthesized(file, line, ctx, prototype.end())
        return "externs should be avoided in .c files" if found and found[1].startswith(";") else None
    symbol = _LINKER_SYMBOL.match(code)
    if symbol:
        return (f"found a file-scoped extern type:{symbol.group(1)} name:{symbol.group(2)} in .c file\n"
                "is this a linker symbol ?")
    if _EXTERN.match(code):
        return "externs should be avoided in .c files"
    return None


_LVAL = lazy(r"\b[A-Za-z_]\w*(?:(?:->|\.)\s*[A-Za-z_]\w*|\[[^\]]*\])*")
_CAMEL = lazy(r"[A-Z][a-z]|[a-z][A-Z]")
_IDENT = lazy(r"\b[A-Za-z_]\w*")
# names checkpatch lets pass: generated defines (FOO_BARx), Page flags, ethtool link modes, SI units
_CAMEL_EXEMPT = (
    lazy(r"^(?:[A-Z]+_){1,5}[A-Z]{1,3}[a-z]"),
    lazy(r"^(?:Clear|Set|TestClear|TestSet|)Page[A-Z]"),
    lazy(r"^ETHTOOL_LINK_MODE_"),
    lazy(r"^(?:[a-z0-9_]*|[A-Z0-9_]*)?_?[a-z][A-Z](?:_[a-z0-9_]+|_[A-Z0-9_]+)?$"),
    lazy(r"^(?:[a-z_]*?)_?(?:[KMGT]iB|[KMGT]?Hz)(?:_[a-z_]+)?$"),
)
# how a header defines a name: a #define or typedef, a declaration, a struct/union/enum tag
_DEFINES = (
    r"^[ \t]*(?:#[ \t]*define|typedef\s+[\w\s\*]+?)\s+(\w*(?:[A-Z][a-z]|[a-z][A-Z])\w*)",
    r"^\s*(?:(?:extern|static|asmlinkage)\s+)?" + _TYPE + r"(?:\s*\*)*\s+(\w*(?:[A-Z][a-z]|[a-z][A-Z])\w*)\s*[\(\[,;]",
    r"^\s*(?:union|struct|enum)\s+(\w*(?:[A-Z][a-z]|[a-z][A-Z])\w*)\s*[;\{]",
)
_DEFINED = [lazy(pattern) for pattern in _DEFINES]


def _camel_words(code: str) -> Iterable[str]:
    for lval in _LVAL.finditer(code):
        var = lval.group()
        if not _CAMEL.search(var) or any(p.search(var) for p in _CAMEL_EXEMPT):
            continue
        for word in _IDENT.findall(var):
            if _CAMEL.search(word):
                yield word


def _defined_in(text: str, words: set[str]) -> set[str]:
    found = set()
    for line in text.splitlines():
        if not any(word in line for word in words):
            continue
        for pattern in _DEFINED:
            match = pattern.match(line)
            if match:
                found.add(match.group(1))
                break
    return found & words


def _header_defines(tree, words: set[str]) -> set[str]:
    """The words the tree's include/ headers define: one `git grep` (or grep) for all of them."""
    import os

    patterns = [arg for word in sorted(words) for arg in ("-e", word)]
    if os.path.exists(os.path.join(tree.path, ".git")):
        out = tree.git("grep", "-h", "-w", "-F", "-I", *patterns, "--", "include/*.h", check=False, timeout=120)
    else:
        from ..processes import run as run_process

        proc = run_process(["grep", "-rhwFI", "--include=*.h", *patterns, "include"], cwd=tree.path, timeout=120)
        out = proc.stdout.decode("utf-8", "surrogateescape")
    return _defined_in(out, words)


def _camel_findings(patch, ctx):
    """[(line, file, word)] of a patch's added C lines, computed once per run."""
    return ctx.once(_find_camel_words, patch)


def _find_camel_words(patch, ctx):
    found = []
    for file in patch.files:
        if not file.path.endswith(_C_FILES):
            continue
        for line, code in _code_with_camel(file, ctx):
            found.extend((line, file, word) for word in _camel_words(code))
    return found


def _code_with_camel(file, ctx):
    """[(added line, its masked code)] of the added lines whose code (not a comment or a string)
    holds a case change as _CAMEL finds it: looked for as `Ul` and `lU` in the file's joined masked
    lines (`_line_scans.MaskedText`, shared with the C families) with its letters turned into their
    cases, not in the added text, where the words of comments and strings (`Hello`) point at seven
    thousand lines of the corpus to mask and search again."""
    scanned = masked_text(file, ctx)
    if scanned is None or scanned.framed is None:  # a line holding a "\n": each line read alone
        masked = masked_lines(file, ctx)
        return [(line, code) for line in _lines_with_camel(file, ctx)
                for code in [masked.get(line.patch_line, line.text)] if _CAMEL.search(code)]
    data = scanned.framed.encode("ascii", "replace").translate(_LETTER_CASES)  # a character for a character
    offsets = []
    for case_change in (b"Ul", b"lU"):
        at = data.find(case_change)
        while at >= 0:
            offsets.append(at)
            at = data.find(case_change, at + 1)
    return [(code_line.line, code_line.code) for code_line in scanned.added_at(sorted(offsets))]


# bytes.translate table: an upper-case ASCII letter becomes U, a lower-case one l, a newline stays
_LETTER_CASES = bytes(85 if 65 <= byte <= 90 else 108 if 97 <= byte <= 122 else byte if byte == 10 else 32
                      for byte in range(256))


def _lines_with_camel(file, ctx):
    """The added lines in which _CAMEL finds a lower and an upper case letter side by side, found
    in the file's text at once: its letters turned into their cases, then looked for as `Ul` and
    `lU` (a search of each line for the pattern takes four times longer)."""
    added = added_lines(file, ctx)
    if not added.joined:
        return [line for line in added.lines if _CAMEL.search(line.text)]
    data = added.text.encode("ascii", "replace").translate(_LETTER_CASES)
    return [added.lines[index] for index in added.lines_holding_any(data, (b"Ul", b"lU"))]


def _seen_names(ctx) -> set[str]:
    """The CamelCase names the run has reported or the tree defines: each is reported once per run.
    Those the tree defines (its headers, or the changed files' pre-images) are looked up when the
    first patch is checked, in one query for the run."""
    known: set[str] = set()
    tree = ctx.tree
    if tree is not None:
        words = {word for patch in ctx.series for _, _, word in _camel_findings(patch, ctx)}
        if words:
            known = _header_defines(tree, words)
            for patch in ctx.series:
                for file in patch.files:
                    if file.old_path and file.path.endswith(_C_FILES):
                        known |= _defined_in(tree.read_text(file.old_path) or "", words)
    return known


@check("CAMELCASE", level=CHECK, scope="patch")
def camelcase(patch, ctx):
    """An added line of C uses a CamelCase name the tree's headers do not define.

    ## What it does
    Reports, once per name and run, a mixed-case identifier (`rxRing`, `GetStats`) on an added line
    of a .c or .h file, except the names checkpatch lets pass (generated `FOO_BARx` defines, Page
    flags, ETHTOOL_LINK_MODE_ names, units such as `max_uV` or `clk_MHz`) and, with a kernel tree
    (`--tree`, or the one around the current directory), the names its include/ headers or the
    changed file already define: code must use those as they are.

    ## Why is this bad?
    Documentation/process/coding-style.rst: "mixed-case names are frowned upon". Kernel names are
    lower case with underscores, so a CamelCase name usually comes from code written for another
    project or a vendor SDK.

    ## Example
    ```bad
    +	int rxRing = 0;
    ```

    ```good
    +	int rx_ring = 0;
    ```

    ## Fix
    Rename the identifier in lower case with underscores.
    """
    found = _camel_findings(patch, ctx)
    if not found:
        return
    seen = ctx.once(_seen_names)
    for line, file, word in found:
        if word not in seen:
            seen.add(word)
            yield Hit.at(line, file, f"Avoid CamelCase: <{word}>", patch=patch)


_TYPE_ONLY = lazy(r"^(?:(?:const|volatile|__\w+)\s+)*" + _TYPE + r"(?:\s*(?:\*|\bconst\b|\bvolatile\b|\b__\w+))*\s*$")


def _parenthesized(file, line, ctx, start: int) -> tuple[str, str] | None:
    """(the text up to the `)` that closes the `(` just before `start` on an added line, what follows
    that `)` on its line), reading on over the next lines; None when a `{` comes first. (From bracket
    to bracket: a loop over every character of a function's head took 70 us a prototype.)"""
    depth, inside = 1, []
    for other in _lines_from(file, line, ctx):
        text = other.text
        first = start if other is line else 0
        for bracket in _HEAD_BRACKET.finditer(text, first):
            if bracket.group() == "{":
                return None
            depth += 1 if bracket.group() == "(" else -1
            if depth == 0:
                inside.append(text[first:bracket.start()])
                return "".join(inside), text[bracket.end():].lstrip()
        inside.append(text[first:])
        inside.append(" ")
    return None


_HEAD_BRACKET = lazy(r"[(){]")
_ARGUMENT_EDGE = lazy(r"[,()\[\]]")


def _declaration_arguments(file, line, ctx) -> str | None:
    """The arguments of a prototype that starts on an added line and ends with `);`, or None."""
    match = FUNCTION_DECLARATION.match(line.text)
    found = _parenthesized(file, line, ctx, match.end()) if match else None
    return found[0] if found and found[1].startswith(";") else None


def _split_arguments(text: str):
    depth, start = 0, 0
    for edge in _ARGUMENT_EDGE.finditer(text):
        if edge.group() != ",":
            depth += 1 if edge.group() in "([" else -1
        elif depth == 0:
            yield text[start:edge.start()].strip()
            start = edge.end()
    yield text[start:].strip()


@check("FUNCTION_ARGUMENTS", level=WARNING)
def function_arguments(patch, ctx):
    """A function prototype with an argument that has a type but no name.

    ## What it does
    Reads each prototype (or function pointer member) that starts on an added line of a .c or .h
    file and ends with `);`, and reports every argument written as a type alone:
    `int nf_conntrack_helper_register(struct nf_conntrack_helper *);`. `(void)` and enums are
    fine.

    ## Why is this bad?
    The name says what the argument is: two `struct sock *` arguments or an `unsigned int` mean
    nothing until the reader finds the definition. kernel-doc also documents arguments by name.

    ## Example
    ```bad path=include/linux/bpf_stats.h
    +int bpf_map_count(struct bpf_map *, unsigned int);
    ```

    ```good path=include/linux/bpf_stats.h
    +int bpf_map_count(struct bpf_map *map, unsigned int type);
    ```

    ## Fix
    Give every argument of the prototype the name it has in the function's definition.
    """
    for file in patch.files:
        if not file.path.endswith(_C_FILES):
            continue
        added = added_lines(file, ctx)
        for line in (added.lines[index] for index in heads_matching(added, ctx, FUNCTION_DECLARATION)):
            if not _after_closing_brace(file, line, ctx):
                for arg in _unnamed_arguments(file, line, ctx):
                    yield Hit.at(line, file, f"function definition argument '{arg}' should also have an identifier "
                                 "name", patch=patch)


def _unnamed_arguments(file, line, ctx):
    args = _declaration_arguments(file, line, ctx)
    if args is None or args.strip() == "void":
        return
    for arg in _split_arguments(args):
        if arg and _TYPE_ONLY.match(arg) and not re.match(r"^enum\s+\w+$", arg):
            yield re.sub(r"\s+", " ", arg)


_EXPORT = lazy(r"EXPORT_SYMBOL.*\((.*)\)")


@check("EXPORT_SYMBOL", level=WARNING)
def export_symbol(patch, ctx):
    """An added EXPORT_SYMBOL() is separated from what it exports by a blank line.

    ## What it does
    In C files, reports an added `EXPORT_SYMBOL(...)` (or `EXPORT_SYMBOL_GPL(...)`, any variant)
    whose line above, as the patch shows it, is blank, as checkpatch does.

    ## Why is this bad?
    Kernel style puts the export right under the closing brace of the function (or the variable)
    it exports, so that a reader sees at the definition that it is part of the module interface
    (Documentation/process/coding-style.rst, "Functions"); a blank line detaches the two, and the
    export drifts away when code is added between them.

    ## Example
    ```bad
     	return 0;
     }
     
    +EXPORT_SYMBOL_GPL(bpf_map_example);
    ```

    ```good
     	return 0;
     }
    +EXPORT_SYMBOL_GPL(bpf_map_example);
    ```

    ## Fix
    Delete the blank line between the closing brace and the `EXPORT_SYMBOL()` line.
    """
    for file in patch.files:
        if not file.path.endswith((".c", ".h")):
            continue
        added = added_lines(file, ctx)
        for line in (added.lines[index] for index in lines_holding("EXPORT_SYMBOL", added)):
            above = line_above(file, line) if _EXPORT.search(line.text) else None
            if above is not None and not above.text.strip():
                yield Hit.at(line, file, "EXPORT_SYMBOL(foo); should immediately follow its function/variable")
