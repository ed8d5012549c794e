"""Regular expressions compiled on first use.

`patchflow check` imports every check family to run a small patch, and most of their module-level
patterns serve rare cases (a pasted kernel log, an RFC 2047 word, a long line). Compiling them at
import cost start-up time on every run; a `lazy()` pattern compiles when first matched, then
answers with the compiled pattern's own bound methods (no wrapper call per line). The compiled code
comes from `regex_store` when an earlier run compiled the same pattern.
"""

from __future__ import annotations

from . import regex_store


class LazyPattern:
    """Stands for `re.compile(pattern, flags)` until an attribute of the compiled pattern is needed."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        # called only for attributes not yet set on the instance: compile once, then keep the compiled
        # pattern's methods on the instance so later lookups find them directly
        if name.startswith("__") or name == "_source":
            raise AttributeError(name)
        compiled = regex_store.compile(*self._source)
        for attribute in ("match", "search", "fullmatch", "sub", "subn", "split", "findall", "finditer",
                          "pattern", "flags", "groups", "groupindex"):
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r}, {self._source[1]})"


def lazy(pattern: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(pattern, flags)
