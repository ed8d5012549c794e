"""The check registry: each check is a small function in a module of this package, one module per family.

    @check("TRAILING_WHITESPACE", level=ERROR, scope="line")
    def trailing_whitespace(line, file, ctx):
        '''...the rule's documentation, printed by `patchflow explain`...'''

Scopes, and what the function is called with:
- "line":   every added line of a text file: `(line: DiffLine, file: FileDiff, ctx)`; returns None, a
            message, or a `Hit`.
- "patch":  every patch: `(patch: Patch, ctx)`; yields `Hit`s.
- "series": once per command line: `(series: Series, ctx)`; yields `Hit`s (each naming its patch).

A module is found by its name: the family is the module, so a check of type SUBJECT_TOO_LONG lives in
`checks/subject.py`; `patchflow explain TYPE` says which module holds a type.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Set

from ..patch import DiffLine, FileDiff, Patch, Series
from ..report import CHECK, ERROR, LEVELS, WARNING, Finding, PatchResult

__all__ = ["check", "Hit", "CheckContext", "Options", "ERROR", "WARNING", "CHECK", "registry", "run"]

SCOPES = ("line", "patch", "series")


@dataclass
class CheckInfo:
    type: str
    level: str
    scope: str
    func: Callable
    family: str  # the module that holds it, e.g. "subject"

    @property
    def doc(self) -> str:
        """The docstring, dedented; tabs in its examples are kept (inspect.cleandoc would expand
        them, and a whitespace rule's bad and good examples would then read the same)."""
        lines = (self.func.__doc__ or "").strip("\n").split("\n")
        rest = lines[1:]
        indent = min((len(line) - len(line.lstrip(" ")) for line in rest if line.strip()), default=0)
        return "\n".join([lines[0].strip()] + [line[indent:].rstrip(" ") for line in rest]).strip()

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""


_REGISTRY: Dict[str, CheckInfo] = {}
_LOADED = False


def check(type_name: str, level: str, scope: str = "patch"):
    """Register a check function under its type name and level."""
    if level not in LEVELS:
        raise ValueError(f"{type_name}: unknown level {level}")
    if scope not in SCOPES:
        raise ValueError(f"{type_name}: unknown scope {scope}")

    def register(func):
        if type_name in _REGISTRY and _REGISTRY[type_name].func is not func:
            raise ValueError(f"check type {type_name} registered twice")
        family = func.__module__.rsplit(".", 1)[-1]
        _REGISTRY[type_name] = CheckInfo(type_name, level, scope, func, family)
        return func

    return register


def registry() -> Dict[str, CheckInfo]:
    """Every registered check, loading every family module of this package once."""
    global _LOADED
    if not _LOADED:
        for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if not module.name.startswith("_"):
                importlib.import_module(f"{__name__}.{module.name}")
        _LOADED = True
    return _REGISTRY


@dataclass
class Hit:
    """What a check reports; the runner turns it into a `Finding` with the check's type and level."""

    message: str
    patch: Optional[Patch] = None  # for series checks: the patch the finding belongs to
    patch_line: Optional[int] = None
    file: Optional[str] = None
    line: Optional[int] = None
    column: Optional[int] = None
    quote: Optional[str] = None
    level: Optional[str] = None  # a check may lower or raise its level for one finding

    @classmethod
    def at(cls, line: DiffLine, file: FileDiff, message: str, column: Optional[int] = None, **kw) -> "Hit":
        """A finding on a diff line (added or context)."""
        return cls(message, patch_line=line.patch_line, file=file.path, line=line.new_line,
                   column=column, quote=line.kind + line.text, **kw)

    @classmethod
    def on_subject(cls, patch: Patch, message: str, **kw) -> "Hit":
        """A finding on the patch's Subject: header (on the patch as a whole when it has none)."""
        line = patch.header_lines.get("subject")
        if line is None:
            return cls(message, patch=patch, **kw)
        return cls(message, patch=patch, patch_line=line, quote=f"Subject: {patch.subject}", **kw)

    @classmethod
    def on_patch_line(cls, patch: Patch, patch_line: int, message: str, **kw) -> "Hit":
        """A finding on a line of the mail or the commit message (no line in a changed file)."""
        return cls(message, patch=patch, patch_line=patch_line, quote=patch.line_text(patch_line), **kw)


@dataclass
class Options:
    strict: bool = False
    ignore: Set[str] = field(default_factory=set)
    types: Optional[Set[str]] = None
    max_line_length: int = 100
    tree: Optional[str] = None  # --tree as given (a path or a tree name)
    extra: dict = field(default_factory=dict)  # options of individual families (e.g. xmas_tree)
    notes: List[str] = field(default_factory=list)  # said once per run (no tree to ask, ...), by ctx.note

    def wants(self, info: CheckInfo) -> bool:
        if info.level == CHECK and not self.strict:
            return False
        if self.types is not None and info.type not in self.types:
            return False
        return info.type not in self.ignore


class CheckContext:
    """What a check may know beyond its patch: the options, the series, and the kernel tree."""

    def __init__(self, options: Options, series: Series):
        self.options = options
        self.series = series
        self._tree = None
        self._tree_resolved = False
        self._maintainers = None
        self.cache: dict = {}  # per-run memo for families (pre-images, lexed files, ...)

    @property
    def tree(self):
        """The kernel work tree (a `patchflow.tree.KernelTree`) or None: from --tree, else the git
        work tree around the current directory when it holds a MAINTAINERS file."""
        if not self._tree_resolved:
            self._tree_resolved = True
            from ..tree import find_check_tree

            self._tree = find_check_tree(self.options.tree)
        return self._tree

    def note(self, text: str) -> None:
        """Something the user should know once per run, not once per finding (the command prints
        it on stderr): e.g. that commit ids were not looked up for want of a tree."""
        if text not in self.options.notes:
            self.options.notes.append(text)

    @property
    def maintainers(self):
        """The tree's parsed MAINTAINERS (`patchflow.maintainers.Maintainers`), or None."""
        if self._maintainers is None and self.tree is not None:
            self._maintainers = self.tree.maintainers()
        return self._maintainers


def _finding(info: CheckInfo, hit, patch: Patch, line: Optional[DiffLine] = None,
             file: Optional[FileDiff] = None) -> Finding:
    if isinstance(hit, str):
        hit = Hit.at(line, file, hit)
    target = hit.patch or patch
    return Finding(type=info.type, level=hit.level or info.level, message=hit.message, patch=target.source,
                   patch_line=hit.patch_line, file=hit.file, line=hit.line, column=hit.column, quote=hit.quote)


def run(series: Series, options: Options) -> List[PatchResult]:
    """Run every wanted check over a series; one `PatchResult` per patch, findings in line order."""
    checks = [info for info in registry().values() if options.wants(info)]
    line_checks = [info for info in checks if info.scope == "line"]
    patch_checks = [info for info in checks if info.scope == "patch"]
    series_checks = [info for info in checks if info.scope == "series"]
    ctx = CheckContext(options, series)
    by_patch: Dict[int, List[Finding]] = {id(p): [] for p in series}
    for patch in series:
        found = by_patch[id(patch)]
        for info in patch_checks:
            for hit in info.func(patch, ctx) or ():
                found.append(_finding(info, hit, patch))
        if line_checks:
            for file in patch.files:
                if file.is_binary:
                    continue
                for line in file.added_lines():
                    for info in line_checks:
                        hit = info.func(line, file, ctx)
                        if hit is not None:
                            found.append(_finding(info, hit, patch, line, file))
    for info in series_checks:
        for hit in info.func(series, ctx) or ():
            target = hit.patch or series.patches[0]
            by_patch[id(target)].append(_finding(info, hit, target))
    results = []
    for patch in series:
        # in patch order, and findings on the patch as a whole (a missing sign-off) last, as checkpatch
        findings = sorted(by_patch[id(patch)], key=lambda f: (f.patch_line is None, f.patch_line or 0))
        results.append(PatchResult(patch.name, patch.source, patch.diff_line_count, findings))
    return results


def explain(type_name: str) -> Optional[CheckInfo]:
    return registry().get(type_name.upper())


def describe_all() -> Iterable[CheckInfo]:
    return sorted(registry().values(), key=lambda info: (info.family, info.type))
