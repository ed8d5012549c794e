"""Compiled regular expressions kept from one run to the next (the `lazy()` patterns and MAINTAINERS').

Why: b4 and editors run `patchflow check` once per mail, and a one-patch run compiles some 130
patterns, a sixth of its CPU time. CPython compiles a pattern in Python (`re._parser`, `re._compiler`)
into a list of integers that one C call, `_sre.compile`, turns into the `re.Pattern`. The store keeps
those lists (the bytes of their C arrays) in a file per interpreter build
($XDG_CACHE_HOME/patchflow/regex-TAG.marshal), so a pattern an earlier run compiled costs that call.

Why it cannot change a result: a pattern missing from the store is compiled by the steps of
`re._compiler.compile`, each taken once, and what they gave `_sre.compile` is stored. A run learns
only when those steps build what `re.compile` builds in this interpreter: a few probe patterns are
compiled both ways, and their Patterns rebuilt from the stored bytes, and must compare equal
(Pattern equality compares the compiled code). The store is read only by the interpreter build that
wrote it (its name says which). An unreadable, truncated or foreign file is ignored, and any
difference in the interpreter's internals turns the store off: every pattern is then compiled by
`re.compile`, as without a store. (Each learnt pattern was compiled twice more before, to compare it
with `re.compile`'s: the first run after install cost 75 ms of CPU where a later one costs 42.)
"""

from __future__ import annotations

import marshal
import os
import re
import sys

from .cache_files import cache_path, can_write, write_cache

# a store grown past either (many trees' MAINTAINERS patterns; the patterns of many patchflow versions,
# some of them tens of thousands of characters long) starts over: every run reads the whole index,
# mostly the patterns' text (one version's after a --tree run: 538 patterns, a 164 KB index). A run
# that finds the index past MAX_INDEX_BYTES reads none of it, so what it learns starts the file over;
# a save past MAX_PATTERNS keeps only what its run learnt.
MAX_PATTERNS = 5000
MAX_INDEX_BYTES = 1_500_000
# the flags a stored pattern may have: no DEBUG (it prints) and no TEMPLATE (deprecated, it warns)
_PLAIN_FLAGS = int(re.IGNORECASE | re.LOCALE | re.MULTILINE | re.DOTALL | re.UNICODE | re.VERBOSE | re.ASCII)

try:
    import _sre
    from re import _compiler, _parser
    _BUILD = f"{sys.implementation.cache_tag}-{sys.hexversion:x}-{_sre.MAGIC}-{_sre.CODESIZE}"
    # one code word as C stores it, a struct format (read with memoryview.cast: the array module's
    # import alone would cost a millisecond)
    _CODE_WORD = "I" if memoryview(bytes(8)).cast("I").itemsize == _sre.CODESIZE else "L"
    if memoryview(bytes(8)).cast(_CODE_WORD).itemsize != _sre.CODESIZE:
        _BUILD = None
except (ImportError, AttributeError):  # another interpreter, or a CPython that moved its internals
    _BUILD = None


def _compiled_with_parts(pattern, flags: int) -> tuple:
    """(the Pattern, what `_sre.compile` was given after the pattern: flags, code, groups, group index
    and index group), by the steps of `re._compiler.compile` (parse, generate the code, one
    `_sre.compile` call), each taken once. The code is kept as the bytes of its C array: the C checks'
    long alternations make some patterns' code ten thousand words long, and as a list of ints the
    file would take milliseconds to read. Parts None when the code does not fit that array."""
    from array import array  # only to learn a pattern

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    state = parsed.state
    indexgroup = [None] * state.groups
    for name, index in state.groupdict.items():
        indexgroup[index] = name
    compiled = _sre.compile(pattern, flags | state.flags, code, state.groups - 1, state.groupdict, tuple(indexgroup))
    try:
        words = array(_CODE_WORD, code).tobytes()
    except OverflowError:
        return compiled, None
    return compiled, (flags | state.flags, words, state.groups - 1, dict(state.groupdict), tuple(indexgroup))


# patterns that exercise what `_compiled_with_parts` copies from re's compiler (groups, names, flags
# of the pattern and of the call, bytes): compiled both ways once per run that learns
_PROBES = ((r"(?P<key>[A-Z][a-z]+)\s*(\d{2,})|(?i:x)+", 0), (r"^(a|b)*?c$", int(re.IGNORECASE | re.MULTILINE)),
           (rb"\bdiff --git (\S+)", 0))


def _same_compiler() -> bool:
    """Whether `_compiled_with_parts` builds what `re.compile` builds in this interpreter, and its
    stored code comes back as it went in: when not, nothing is learnt."""
    try:
        for pattern, flags in _PROBES:
            compiled, parts = _compiled_with_parts(pattern, flags)
            if compiled != re.compile(pattern, flags) or _rebuilt(pattern, parts) != compiled:
                return False
        return True
    except Exception:
        return False


def _rebuilt(pattern, parts: tuple) -> re.Pattern:
    flags, code, groups, groupindex, indexgroup = parts
    words = memoryview(code).cast("B").cast(_CODE_WORD).tolist()
    return _sre.compile(pattern, flags, words, groups, groupindex, indexgroup)


class RegexStore:
    """The stored patterns of one file; `compile()` answers as `re.compile` does."""

    def __init__(self, path: str | None):
        self.parts = _read(path) if path else {}
        # where to write what this run compiles: not where it cannot be written (a read-only home),
        # or every run would pay for learning what it cannot keep
        self.path = path if path and can_write(path) else None
        self.added: dict = {}  # compiled in this run, not yet in the file
        self._saved_at_exit = False
        self._trusted = None  # whether this interpreter compiles as `_compiled_with_parts` does: asked once

    def compile(self, pattern, flags: int = 0) -> re.Pattern:
        flags = int(flags)  # a RegexFlag as its int: the file holds plain values
        key = (pattern, flags)
        parts = self.parts.get(key)
        if parts is not None:
            try:
                return _rebuilt(pattern, parts)
            except Exception:  # not what this interpreter's engine takes: compile it afresh
                del self.parts[key]
        if self.path is None or not isinstance(pattern, (str, bytes)) or flags & ~_PLAIN_FLAGS:
            return re.compile(pattern, flags)
        if self._trusted is None:
            self._trusted = _same_compiler()
        if not self._trusted:  # the internals are not what this module knows: no store for this run
            self.path = None
            return re.compile(pattern, flags)
        compiled, parts = _compiled_with_parts(pattern, flags)
        if parts is not None:
            self._learn(key, parts)
        return compiled

    def _learn(self, key: tuple, parts: tuple) -> None:
        if not self._saved_at_exit:
            import atexit

            atexit.register(self.save)
            self._saved_at_exit = True
        self.parts[key] = self.added[key] = parts

    def save(self) -> None:
        """Write the file again with this run's patterns added (atomically: a reader sees the old file
        or the new one); patterns another run added meanwhile are kept. Failing to write is no error."""
        if not self.added or self.path is None:
            return
        merged = _read(self.path)  # empty for a file past MAX_INDEX_BYTES: this run's patterns start it over
        merged.update(self.added)
        if len(merged) > MAX_PATTERNS:
            merged = dict(self.added)
        try:
            write_cache(self.path, _file_bytes(merged))
        except ValueError:  # a value marshal cannot write: nothing is stored
            pass
        self.added = {}


# The file: the index's length (8 bytes), the index (a marshal of {(pattern, flags): (flags, offset,
# length, groups, group index, index group)}), then every pattern's code, `length` bytes at `offset`.
# The code is mapped, not read: a run rebuilds some 70 of the file's patterns, and reading the rest
# (the file grows to a megabyte) would cost more than rebuilding them saves.


def _file_bytes(parts: dict) -> bytes:
    index, code, offset = {}, [], 0
    for key, (flags, words, groups, groupindex, indexgroup) in parts.items():
        index[key] = (flags, offset, len(words), groups, groupindex, indexgroup)
        code.append(bytes(words))
        offset += len(words)
    head = marshal.dumps(index)
    return len(head).to_bytes(8, "little") + head + b"".join(code)


def _read(path: str) -> dict:
    """The stored parts by (pattern, flags), each one's code a view of the mapped file; empty when
    the file is missing or not one of ours."""
    import mmap

    try:
        with open(path, "rb") as handle:
            size = int.from_bytes(handle.read(8), "little")
            if size > os.fstat(handle.fileno()).st_size - 8:
                return {}  # not an index length: not one of ours, or cut short
            if size > MAX_INDEX_BYTES:
                return {}  # grown past the bound (see MAX_INDEX_BYTES): read nothing, start over
            index = marshal.loads(handle.read(size))
            mapped = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))[8 + size:]
        parts = {}
        for key, (flags, offset, length, groups, groupindex, indexgroup) in index.items():
            if offset + length > len(mapped):
                return {}  # a file cut short
            parts[key] = (flags, mapped[offset:offset + length], groups, groupindex, indexgroup)
        return parts
    except (OSError, EOFError, ValueError, TypeError, AttributeError, OverflowError):
        return {}


def store_path() -> str | None:
    """$XDG_CACHE_HOME/patchflow/regex-BUILD.marshal, or None when this interpreter has no store or
    PATCHFLOW_NO_START_CACHE is set."""
    return cache_path(f"regex-{_BUILD}.marshal") if _BUILD is not None else None


_STORE: RegexStore | None = None


def compile(pattern, flags: int = 0) -> re.Pattern:
    """`re.compile(pattern, flags)`, from the store when an earlier run compiled the same pattern."""
    global _STORE
    if _STORE is None:
        _STORE = RegexStore(store_path())
    return _STORE.compile(pattern, flags)
