"""The check registry: each check is a small function in a module of this package, one module per family.

    @check("TRAILING_WHITESPACE", level=ERROR, scope="line")
    def trailing_whitespace(line, file, ctx):
        '''...the rule's documentation, printed by `patchflow explain`...'''

Scopes, and what the function is called with:
- "line":   every added line of a text file: `(line: DiffLine, file: FileDiff, ctx)`; returns None, a
            message, or a `Hit`.
- "patch":  every patch: `(patch: Patch, ctx)`; yields `Hit`s.
- "series": once per command line: `(series: Series, ctx)`; yields `Hit`s (each naming its patch).

The family is the module (`checks/<family>.py`); a type's name does not tell its family (NO_AUTHOR_SIGN_OFF
is in message.py), so `patchflow explain TYPE` says which module holds a type. A check's docstring has
the shape `checks/_doc.py` reads, and its examples run as tests (tests/test_check_docs.py).
"""

from __future__ import annotations

import importlib
import os
from functools import cached_property
from collections.abc import Callable, Iterable

from ..patch import DiffLine, FileDiff, Patch, Series
from ..records import field, record
from ..report import CHECK, ERROR, LEVELS, WARNING, Finding, PatchResult

__all__ = ["check", "option", "Hit", "CheckContext", "Options", "ERROR", "WARNING", "CHECK", "registry", "run"]

SCOPES = ("line", "patch", "series")


@record
class CheckInfo:
    """A check: its type, level, scope and family, as the manifest (`_manifest.py`) lists them, and its
    function and fixer, which come with the family's module the first time a run asks for them."""

    type: str
    level: str
    scope: str
    family: str  # the module that holds it, e.g. "subject"

    @cached_property  # the first use imports the family; later ones read the instance's attribute
    def func(self) -> Callable:
        return _registered(self)[0]

    @cached_property
    def fix(self) -> Callable | None:
        """(text, finding, path) -> the fixed line or None; see patchflow.fix."""
        return _registered(self)[1]

    @property
    def doc(self) -> str:
        """The docstring, dedented; tabs and trailing blanks in its examples are kept (inspect.cleandoc
        would expand tabs, and a whitespace rule's bad and good examples would then read the same)."""
        lines = (self.func.__doc__ or "").strip("\n").split("\n")
        rest = lines[1:]
        indent = min((len(line) - len(line.lstrip(" ")) for line in rest if line.strip()), default=0)
        return "\n".join([lines[0].strip()] + [line[indent:] if line.strip() else "" for line in rest]).strip()

    @property
    def summary(self) -> str:
        return self.doc.splitlines()[0] if self.doc else ""


# type -> (level, scope, family, function, fixer), as the families' modules register them on import
_REGISTERED: dict[str, tuple] = {}
_REGISTRY: dict[str, CheckInfo] | None = None
STALE_MANIFEST = "checks/_manifest.py does not list the registered checks: run python3 tests/test_check_manifest.py"


def check(type_name: str, level: str, scope: str = "patch", fix: Callable | None = None):
    """Register a check function under its type name and level; `fix`, when given, makes its
    findings fixable by `patchflow fix` (see patchflow.fix for its contract)."""
    if level not in LEVELS:
        raise ValueError(f"{type_name}: unknown level {level}")
    if scope not in SCOPES:
        raise ValueError(f"{type_name}: unknown scope {scope}")

    def register(func):
        if type_name in _REGISTERED and _REGISTERED[type_name][3] is not func:
            raise ValueError(f"check type {type_name} registered twice")
        _REGISTERED[type_name] = (level, scope, func.__module__.rsplit(".", 1)[-1], func, fix)
        return func

    return register


def registry() -> dict[str, CheckInfo]:
    """Every check by type, in the order a run takes them: by family name, then in the order the
    family registers them (a family may reuse, through ctx.once, what an earlier one computed; a
    family left out computes it itself). Read from the manifest: a run imports only the families
    of the checks it wants (without --strict, no CHECK-only family; with --types, a few)."""
    global _REGISTRY
    if _REGISTRY is None:
        from ._manifest import CHECKS

        if {family for _, _, _, family in CHECKS} != _family_modules():
            CHECKS = registered_checks()  # a family the manifest does not know (its test fails): all of them
        _REGISTRY = {name: CheckInfo(name, level, scope, family) for name, level, scope, family in CHECKS}
    return _REGISTRY


def _family_modules() -> set[str]:
    """The family modules of this package, from its directory (pkgutil's import costs more)."""
    return {name.split(".", 1)[0] for name in os.listdir(__path__[0])
            if name.endswith((".py", ".pyc")) and not name.startswith("_")}


def _registered(info: CheckInfo) -> tuple:
    """(function, fixer) of a check, its family imported first; the manifest must say what it registers."""
    if info.type not in _REGISTERED:
        importlib.import_module(f"{__name__}.{info.family}")
    level, scope, family, func, fix = _REGISTERED.get(info.type, (None,) * 5)
    if (level, scope, family) != (info.level, info.scope, info.family):
        raise RuntimeError(f"{info.type}: {STALE_MANIFEST}")
    return func, fix


def registered_checks() -> list[tuple[str, str, str, str]]:
    """(type, level, scope, family) of every check the families register, all of them imported, in
    the registry's order: what the manifest must list."""
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        if not module.name.startswith("_"):
            importlib.import_module(f"{__name__}.{module.name}")
    ordered = sorted(_REGISTERED.items(), key=lambda item: item[1][2])  # stable: each family's own order
    return [(name, level, scope, family) for name, (level, scope, family, _, _) in ordered]


@record
class Hit:
    """What a check reports; the runner turns it into a `Finding` with the check's type and level."""

    message: str
    patch: Patch | None = None  # for series checks: the patch the finding belongs to
    patch_line: int | None = None
    file: str | None = None
    line: int | None = None
    column: int | None = None
    quote: str | None = None
    level: str | None = None  # a check may lower or raise its level for one finding
    # a fix the check itself computes, of lines `span` (first, last) of the file: a reordered block
    replacement: str | None = None
    span: tuple[int, int] | None = None
    not_fixed: str | None = None  # why a finding of a fixable type has no fix
    shows_line: bool = True  # False: on the patch as a whole, the text output names no line (Hit.at_end)

    @classmethod
    def at(cls, line: DiffLine, file: FileDiff, message: str, column: int | None = None, **kw) -> "Hit":
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
    def at_end(cls, patch: Patch, message: str, **kw) -> "Hit":
        """A finding on the patch as a whole (no sign-off, no Fixes: tag), where checkpatch reports it
        after reading the patch: its last line (`file:N:` in --terse and --emacs output; its text
        output names no line)."""
        return cls(message, patch=patch, patch_line=patch.first_line + len(patch.lines) - 1,
                   shows_line=False, **kw)

    @classmethod
    def on_patch_line(cls, patch: Patch, patch_line: int, message: str, **kw) -> "Hit":
        """A finding on a line of the mail or the commit message (no line in a changed file)."""
        return cls(message, patch=patch, patch_line=patch_line, quote=patch.line_text(patch_line), **kw)


@record(frozen=True)
class FamilyOption:
    """A command-line option of one family, declared in its module with `option(...)`; `patchflow
    check` builds its flag from it and the family reads the value with `ctx.options.get(name)`."""

    family: str
    flag: str  # "--xmas-tree"
    default: object
    help: str
    type: Callable = str
    choices: tuple | None = None

    @property
    def name(self) -> str:
        """The value's name: the flag without dashes, `-` as `_` ("xmas_tree")."""
        return self.flag.lstrip("-").replace("-", "_")


_OPTIONS: dict[str, FamilyOption] = {}


def option(module: str, flag: str, *, default: object, help: str, type: Callable = str,
           choices: tuple | None = None) -> FamilyOption:
    """Declare a family's option: `option(__name__, "--xmas-tree", default="auto", choices=(...), help=...)`."""
    declared = FamilyOption(module.rsplit(".", 1)[-1], flag, default, help, type, choices)
    if _OPTIONS.get(declared.name, declared) != declared:
        raise ValueError(f"option {flag} declared twice")
    _OPTIONS[declared.name] = declared
    return declared


def family_options() -> list[FamilyOption]:
    """Every family's declared options, in flag order (the families that declare one are loaded first)."""
    from ._manifest import OPTION_FAMILIES

    for family in OPTION_FAMILIES:
        importlib.import_module(f"{__name__}.{family}")
    return sorted(_OPTIONS.values(), key=lambda o: o.flag)


@record
class Options:
    """What the user asked of a run: --strict, --ignore, --types and the like."""

    strict: bool = False
    ignore: set[str] = field(default_factory=set)
    types: set[str] | None = None
    max_line_length: int = 100
    tree: str | None = None  # --tree as given (a path or a tree name)
    values: dict[str, object] = field(default_factory=dict)  # the families' options, by name ("xmas_tree")
    notes: list[str] = field(default_factory=list)  # said once per run (no tree to ask, ...), by ctx.note
    whole_file: bool = False  # -f: whole source files, every line checked as if added

    def get(self, name: str) -> object:
        """A family option's value: as given, else its declared default."""
        if name in self.values:
            return self.values[name]
        declared = _OPTIONS.get(name)
        if declared is None:
            raise KeyError(f"no family declares the option {name!r}")
        return declared.default

    def wants(self, info: CheckInfo) -> bool:
        if info.level == CHECK and not self.strict:
            return False
        if self.types is not None and info.type not in self.types:
            return False
        return info.type not in self.ignore

    def reports(self, type_name: str) -> bool:
        """Whether this run reports the registered type `type_name`: a check that would say the same
        as another type leaves it to that one (MISSING_FIXES_TAG before FIXES_TAG_MISSING)."""
        info = registry().get(type_name)
        return info is not None and self.wants(info)


class CheckContext:
    """What a check may know beyond its patch, each part computed the first time a check asks:

    ctx.options      the run's `Options` (family options: `ctx.options.get("xmas_tree")`)
    ctx.series       the `Series` checked
    ctx.tree         the kernel work tree (`patchflow.tree.KernelTree`) or None
    ctx.maintainers  the tree's parsed MAINTAINERS or None
    ctx.history      the tree's git history as the Fixes: rules ask it (`checks._history.History`) or None
    ctx.sources      the changed files' images, lexed windows and masked lines (`checks._source.Sources`)
    ctx.once(f, *a)  f(*a, ctx) computed once per run for the same f and arguments (by identity): a
                     family's result that several of its checks read (PREFER_IFNDEF and PREFER_IFDEF)
    """

    def __init__(self, options: Options, series: Series):
        self.options = options
        self.series = series
        self._once: dict[tuple, object] = {}

    @cached_property
    def tree(self):
        """From --tree, else the git work tree around the current directory when it holds MAINTAINERS."""
        from ..tree_nearby import maintainers_above

        if not self.options.tree and not maintainers_above(os.getcwd()):
            return None  # find_check_tree's answer, without importing the git runner
        from ..tree import find_check_tree

        return find_check_tree(self.options.tree)

    def note(self, text: str) -> None:
        """Something the user should know once per run, not once per finding (the command prints
        it on stderr): e.g. that commit ids were not looked up for want of a tree."""
        if text not in self.options.notes:
            self.options.notes.append(text)

    @cached_property
    def maintainers(self):
        return self.tree.maintainers() if self.tree is not None else None

    @cached_property
    def history(self):
        from ._history import History

        history = History(self.tree) if self.tree is not None else None
        return history if history is not None and history.usable else None

    @cached_property
    def sources(self):
        from ._source import Sources

        return Sources(self)

    def once(self, compute: Callable, *args) -> object:
        key = (compute, *map(id, args))
        try:  # asked 16,000 times on the new-file corpus, nearly always answered: one lookup then
            return self._once[key]
        except KeyError:
            pass
        value = self._once[key] = compute(*args, self)
        return value


def _finding(info: CheckInfo, hit, patch: Patch, line: DiffLine | None = None,
             file: FileDiff | None = None) -> Finding:
    if isinstance(hit, str):
        hit = Hit.at(line, file, hit)
    target = hit.patch or patch
    # #N is the line of the file as the user has it, also where the mail's body was encoded
    finding = Finding(type=info.type, level=hit.level or info.level, message=hit.message, patch=target.source,
                      patch_line=target.file_line(hit.patch_line), file=hit.file, line=hit.line, column=hit.column,
                      quote=hit.quote, shows_line=hit.shows_line, span=hit.span,
                      not_fixed=hit.not_fixed)
    if hit.replacement is not None:
        finding.fix = hit.replacement
    elif info.fix is not None and finding.file is not None and hit.not_fixed is None:
        # an added line, or an unchanged one the patch made wrong (fixed by turning it into -/+)
        text = line.text if line is not None else target.new_side_text(hit.patch_line)
        if text is not None:
            fixed = info.fix(text, finding, finding.file)
            finding.fix = fixed if fixed != text else None
    elif info.fix is not None and finding.file is None and hit.patch_line is not None:
        # a line of the mail (its Subject:), fixed in a patch file only; path "" says so
        text = target.line_text(hit.patch_line)
        fixed = info.fix(text, finding, "")
        finding.fix = fixed if fixed != text else None
    return finding


def _line_findings(line_checks: list[CheckInfo], patch: Patch, ctx: CheckContext) -> list[Finding]:
    """The findings of the line checks on a patch's added lines, in the order of a walk over every
    line that asks every check in turn. Each check is shown only the lines its `line_filter` names,
    found by one scan of the file (`_lines`), so the walk goes check by check and is put back into
    line order at the end."""
    from ._lines import added_lines

    filters = [getattr(info.func, "line_filter", None) for info in line_checks]
    found = []
    for file_number, file in enumerate(patch.files):
        if file.is_binary:
            continue
        added = added_lines(file, ctx)
        lines = added.lines
        for order, (info, wanted) in enumerate(zip(line_checks, filters)):
            if wanted is None:
                indexes = None
            elif wanted.wanted_file is not None and not wanted.wanted_file(file.path):
                continue
            else:
                indexes = wanted.indexes(file, added, ctx)
            judge = info.func
            for index in range(len(lines)) if indexes is None else indexes:
                hit = judge(lines[index], file, ctx)
                if hit is not None:
                    found.append((file_number, index, order, _finding(info, hit, patch, lines[index], file)))
    found.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in found]


def run(series: Series, options: Options) -> list[PatchResult]:
    """Run every wanted check over a series; one `PatchResult` per patch, findings in line order."""
    checks = [info for info in registry().values() if options.wants(info)]
    line_checks = [info for info in checks if info.scope == "line"]
    patch_checks = [info for info in checks if info.scope == "patch"]
    series_checks = [info for info in checks if info.scope == "series"]
    ctx = CheckContext(options, series)
    by_patch: dict[int, list[Finding]] = {id(p): [] for p in series}
    for patch in series:
        found = by_patch[id(patch)]
        for info in patch_checks:
            for hit in info.func(patch, ctx) or ():
                found.append(_finding(info, hit, patch))
        if line_checks:
            found.extend(_line_findings(line_checks, patch, ctx))
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


def explain(type_name: str) -> CheckInfo | None:
    return registry().get(type_name.upper())


def describe_all() -> Iterable[CheckInfo]:
    return sorted(registry().values(), key=lambda info: (info.family, info.type))
