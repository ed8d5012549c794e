"""MAINTAINERS: parsing its entries and matching files to them, with get_maintainer.pl's rules.

Rules (read from scripts/get_maintainer.pl of 6.12 and the head of MAINTAINERS, and checked against
its output by tests/test_maintainers.py):
- An entry is a title line followed by a run of `X: value` lines; blank and `#` lines do not end it.
- `F:` and `X:` patterns: a `.` is literal, `*` and `?` are shell-like wildcards that may also cross
  `/`, and the rest is a regular expression (so `drivers/edac/altera_edac.[ch]` works). A pattern is
  anchored at the start of the path only.
- A pattern ending in `/`, or naming a directory of the tree (with `root` given), matches every file
  below it at any depth; any other pattern matches a file only when the file has as many `/` as the
  pattern (so `arch/*/net/*` matches `arch/x86/net/a.c` but not `arch/x86/net/sub/a.c`).
- `X:` excludes a file from the entry even where an `F:` matches it.
- `N:` is an extended regular expression searched anywhere in the file's path.
- An entry's rank for a file is the depth of the *last* of its `F:`/`N:` lines that matches: a
  pattern's count of `/`, plus one for a file pattern, -1 for a pattern starting with `*`, 0 for `N:`.
  Entries are taken highest rank first. get_maintainer.pl leaves ties in Perl's hash order, which
  changes from run to run; we put the narrower entry first (fewer `F:`/`N:` lines: BPF [LIBRARY]
  before BPF [GENERAL] for tools/lib/bpf/), then the file's order.
- `K:` is an extended regular expression searched in a patch as get_maintainer.pl reads one: every
  line before the diff (mail headers, message, diffstat), then only added and removed lines; the
  entries it finds come after those of the files.
- Addresses: maintainers (`M:`) and reviewers (`R:`) in the entries' order, a person counted once
  (by name or by address); lists (`L:`) once each, except `subscribers-only` ones; Linus Torvalds,
  `M:` of THE REST, is left out as get_maintainer.pl leaves out its "penguin chief".
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable

from . import regex_store
from .lazy_regex import lazy
from .records import field, record

# Trees whose maintainers ask for the tree's name in the subject prefix (`[PATCH bpf-next]`):
# Documentation/process/maintainer-netdev.rst and the bpf devel QA (Documentation/bpf/bpf_devel_QA.rst).
TAGGED_TREES = ("bpf", "bpf-next", "net", "net-next")
FIXES_TREES = {"bpf": "bpf-next", "net": "net-next"}  # fixes tree -> its -next tree

# get_maintainer.pl drops the top-level maintainer from its answers unless asked (--git-chief-penguins)
PENGUIN_CHIEFS = ("torvalds@linux-foundation.org",)


def _to_regex(text: str) -> str:
    """get_maintainer.pl's translation of a file pattern into a regular expression."""
    return text.replace(".", r"\.").replace("*", ".*").replace("?", ".")


# characters that make a translated pattern more than a literal string
_REGEX_CHAR = lazy(r"[*?\[\](){}+|^$\\]")


class Pattern:
    """One `F:`, `X:` or `N:` pattern, compiled lazily: a run matches a few files against some
    twenty thousand patterns, and the literal start of a pattern tells most of them apart."""

    __slots__ = ("kind", "text", "root", "prefix", "_regex", "_is_dir")

    def __init__(self, kind: str, text: str, root: str | None = None):
        self.kind = kind
        self.text = text
        self.root = root  # the tree, where a pattern may name a directory without its '/'
        self.prefix = _literal_prefix(kind, text)
        self._regex = None
        self._is_dir = None

    @property
    def regex(self) -> "re.Pattern":
        if self._regex is None:
            body = self.text if self.kind == "N" else _to_regex(self.text)
            try:  # the store: a run inside a tree compiles a hundred patterns of the changed files' entries
                self._regex = regex_store.compile(body, re.VERBOSE if self.kind == "N" else 0)
            except re.error:
                self._regex = re.compile(re.escape(self.text))
        return self._regex

    @property
    def is_dir(self) -> bool:
        if self._is_dir is None:
            # get_maintainer.pl tests `-d` on the translated pattern, from the top of the tree: only
            # a plain name (no '.', '*' or '?') can name a directory that way
            self._is_dir = self.kind != "N" and (self.text.endswith("/") or (
                self.root is not None and _to_regex(self.text) == self.text
                and os.path.isdir(os.path.join(self.root, self.text))))
        return self._is_dir

    @property
    def depth(self) -> int:
        """get_maintainer.pl's rank of a match: deeper patterns are more specific."""
        if self.kind == "N":
            return 0
        if self.text.startswith("*"):
            return -1
        # a directory named without its '/' gets one from get_maintainer.pl: the same rank either way
        return self.text.count("/") + (0 if self.text.endswith("/") else 1)

    def matches(self, path: str, directories: set | None = None) -> bool:
        if self.kind == "N":
            return self.regex.search(path) is not None
        if not path.startswith(self.prefix):
            return False
        if len(self.prefix) != len(self.text) and not self.regex.match(path):
            return False
        if self.is_dir or (directories is not None and self.text in directories):
            return True
        return path.count("/") == self.text.count("/")


def _literal_prefix(kind: str, text: str) -> str:
    """What every path a pattern matches starts with: an `F:`/`X:` pattern's text up to its first
    regex character (`Pattern.matches` tests it first), nothing for an `N:` regex."""
    if kind == "N":
        return ""
    special = _REGEX_CHAR.search(text)
    return text[:special.start()] if special else text


@record
class Entry:
    """One section of MAINTAINERS."""

    title: str
    line: int  # line number of the title in MAINTAINERS
    ordered: list[tuple[str, str]] = field(default_factory=list)  # (key, value) in the file's order
    root: str | None = field(default=None, repr=False)  # the tree, for patterns naming directories
    # built from `ordered` on first use: a run looks at a few entries of some three thousand
    _fields: dict[str, list[str]] | None = field(default=None, repr=False, compare=False)
    _patterns: list[Pattern] | None = field(default=None, repr=False, compare=False)
    # (the literal starts of the `F:` patterns, whether any `N:` is there): see match_depth
    _starts: tuple[tuple[str, ...], bool] | None = field(default=None, repr=False, compare=False)

    @property
    def fields(self) -> dict[str, list[str]]:
        if self._fields is None:
            fields: dict[str, list[str]] = {}
            for key, value in self.ordered:
                fields.setdefault(key, []).append(value)
            self._fields = fields
        return self._fields

    @property
    def patterns(self) -> list[Pattern]:
        """The `F:`, `X:` and `N:` patterns, in the file's order."""
        if self._patterns is None:
            self._patterns = [Pattern(key, value, self.root) for key, value in self.ordered
                              if key in ("F", "X", "N") and value]
        return self._patterns

    def values(self, key: str) -> list[str]:
        return self.fields.get(key, [])

    @property
    def maintainers(self) -> list[str]:
        return self.values("M")

    @property
    def reviewers(self) -> list[str]:
        return self.values("R")

    @property
    def lists(self) -> list[str]:
        return [value.split()[0] for value in self.values("L") if value]

    @property
    def trees(self) -> list[str]:
        """Tree names from the `T:` lines: `git git://.../bpf/bpf-next.git` gives `bpf-next`."""
        names = []
        for value in self.values("T"):
            parts = value.split()
            if len(parts) >= 2 and parts[0] == "git":
                name = parts[1].rstrip("/").rsplit("/", 1)[-1]
                if name.endswith(".git"):
                    name = name[:-4]
                names.append(name)
        return names

    @property
    def kernel_org_trees(self) -> list[str]:
        """The names of the `T:` trees hosted on git.kernel.org (MPTCP's GitHub staging tree is none)."""
        names = []
        for value in self.values("T"):
            parts = value.split()
            if len(parts) >= 2 and parts[0] == "git" and "git.kernel.org/" in parts[1]:
                name = parts[1].rstrip("/").rsplit("/", 1)[-1]
                names.append(name[:-4] if name.endswith(".git") else name)
        return names

    def match_depth(self, path: str, directories: set | None = None) -> int | None:
        """The rank of this entry for path (the last matching F:/N: line's), None if none or excluded."""
        if self._starts is None:
            self._starts = (tuple(pattern.prefix for pattern in self.patterns if pattern.kind == "F"),
                            any(pattern.kind == "N" for pattern in self.patterns))
        if not self._starts[1] and not path.startswith(self._starts[0]):
            # no F: pattern can match a path that does not start with its literal start: one call
            # tells, where most entries the index names for a path (27 under scripts/) match not
            return None
        for pattern in self.patterns:
            if pattern.kind == "X" and pattern.matches(path, directories):
                return None
        rank = None
        for pattern in self.patterns:
            if pattern.kind in ("F", "N") and pattern.matches(path, directories):
                rank = pattern.depth
        return rank


@record
class Recipients:
    """Who get_maintainer.pl names for a set of files, split the way a series is addressed."""

    people: list[tuple[str, str]] = field(default_factory=list)  # (formatted address, 'M' or 'R')
    lists: list[str] = field(default_factory=list)

    @property
    def maintainers(self) -> list[str]:
        return [person for person, role in self.people if role == "M"]

    @property
    def reviewers(self) -> list[str]:
        return [person for person, role in self.people if role == "R"]

    def addresses(self) -> list[str]:
        """Everything in get_maintainer.pl's order: people, then lists."""
        return [person for person, _ in self.people] + list(self.lists)


def format_address(value: str) -> tuple[str, str, str]:
    """(name, address, formatted) of a `M:`/`R:` value, formatted as get_maintainer.pl prints it."""
    import email.utils  # only format and the recipients need it: check starts faster without

    name, address = email.utils.parseaddr(value)
    name = name.strip()
    if not address or "@" not in address:
        return "", "", ""
    return name, address, email.utils.formataddr((name, address)) if name else address


class Maintainers:
    def __init__(self, entries: list[Entry], directories: set | None = None):
        self._entries: list[Entry | None] = entries
        self.directories = directories  # patterns known to name directories of the tree
        self._index: tuple[dict[str, bytes], list[tuple[str, int]]] | None = None  # see _built_index
        self._named: list[tuple[re.Pattern, int]] | None = None  # the `N:` regexes, compiled
        self._entries_for: dict[str, list[tuple[int, Entry]]] = {}  # several families ask about the same paths
        self._stored: tuple[list, str | None] | None = None  # (packed entries, root): see stored()

    @classmethod
    def stored(cls, packed: list, index: tuple, root: str | None = None) -> "Maintainers":
        """The parse kept by `maintainers_store`: each entry packed as (title, line, fields), its
        Entry built when a lookup reaches it (a run looks at a few dozen of some three thousand)."""
        maintainers = cls([None] * len(packed))
        maintainers._stored = (packed, root)
        maintainers._index = index
        return maintainers

    def packed(self) -> tuple[list, tuple]:
        """What `stored()` takes: every entry as (title, line, fields), its fields one string of
        `Kvalue` lines, and the index of `_candidates`."""
        packed = [(entry.title, entry.line, "\n".join(key + value for key, value in entry.ordered))
                  for entry in self.entries]
        return packed, self._built_index()

    @property
    def entries(self) -> list[Entry]:
        """Every entry, in the file's order."""
        if self._stored is not None:
            for order in range(len(self._entries)):
                self._entry(order)
            self._stored = None
        return self._entries

    def _entry(self, order: int) -> Entry:
        entry = self._entries[order]
        if entry is None:
            (title, line, fields), root = self._stored[0][order], self._stored[1]
            ordered = [(field_line[0], field_line[1:]) for field_line in fields.split("\n")]
            entry = self._entries[order] = Entry(title, line, ordered, root=root)
        return entry

    def _candidates(self, path: str) -> list[int]:
        """Indexes, in file order, of the entries that may match path: an entry matches only through
        an `F:` pattern whose literal start (`Pattern.prefix`) path starts with, so one that lies in
        one of path's directories (`net/`, `net/core/`, or the top for `*`), or through an `N:`
        regex found in path. Matching only these gives the answer of matching every entry, without
        building the entries (some three thousand) and their patterns (twenty thousand)."""
        by_directory, _ = self._built_index()
        found: set[int] = set()
        directory_end = 0
        while True:
            found.update(memoryview(by_directory.get(path[:directory_end], b"")).cast("I"))
            directory_end = path.find("/", directory_end) + 1
            if not directory_end:
                break
        found.update(order for regex, order in self._named_regexes()
                     if order not in found and regex.search(path))
        return sorted(found)

    def _built_index(self) -> tuple[dict[str, bytes], list[tuple[str, int]]]:
        """(entry indexes by the directory of each `F:` pattern's literal start, [(`N:` regex, entry
        index)]), built from the entries once and kept with them (`maintainers_store`). The indexes
        of a directory are the bytes of an array of unsigned ints: some 2,300 directories' lists
        of ints took 0.8 ms to unmarshal on every run, their bytes take 0.2 (the store is read only
        on the machine that wrote it, so the native byte order is the right one)."""
        if self._index is None:
            from array import array

            by_directory: dict[str, list[int]] = {}
            named: list[tuple[str, int]] = []
            for order, entry in enumerate(self.entries):
                for key, value in entry.ordered:
                    if key == "N" and value:
                        named.append((value, order))
                    elif key == "F" and value:
                        prefix = _literal_prefix(key, value)
                        orders = by_directory.setdefault(prefix[:prefix.rfind("/") + 1], [])
                        if not orders or orders[-1] != order:
                            orders.append(order)
            self._index = ({directory: array("I", orders).tobytes() for directory, orders in by_directory.items()},
                           named)
        return self._index

    def _named_regexes(self) -> list[tuple["re.Pattern", int]]:
        if self._named is None:
            self._named = [(Pattern("N", text).regex, order) for text, order in self._built_index()[1]]
        return self._named

    @classmethod
    def parse(cls, text: str, directories: set | None = None, root: str | None = None) -> "Maintainers":
        """Parse MAINTAINERS; with `root` (the tree), patterns naming a directory match below it."""
        entries: list[Entry] = []
        current: list[tuple[str, str]] | None = None  # the `ordered` list of the entry being read
        title: tuple[str, int] | None = None
        for number, line in enumerate(text.splitlines(), 1):
            if line[1:2] == ":" and "A" <= line[:1] <= "Z":
                if current is None:
                    if title is None:
                        continue  # fields before any title
                    entry = Entry(title[0], title[1], root=root)
                    entries.append(entry)
                    current = entry.ordered
                current.append((line[0], line[2:].strip()))
            elif line.strip() and not line.lstrip().startswith("#"):
                current, title = None, (line.strip(), number)
            # blank and '#' lines are dropped before get_maintainer.pl looks for entries: they end nothing
        return cls(entries, directories)

    def entries_for(self, path: str) -> list[Entry]:
        """Entries matching path, most specific first (rank, then the narrower entry, then file order)."""
        return [entry for _, entry in self.ranked_entries(path)]

    def ranked_entries(self, path: str) -> list[tuple[int, Entry]]:
        """(rank, entry) of the entries matching path, in entries_for()'s order: who wants the most
        specific entries reads their rank here rather than matching each entry again."""
        if path not in self._entries_for:
            self._entries_for[path] = self._match_entries(path)
        return list(self._entries_for[path])

    def _match_entries(self, path: str) -> list[tuple[int, Entry]]:
        scored = []
        for order in self._candidates(path):
            entry = self._entry(order)
            depth = entry.match_depth(path, self.directories)
            if depth is not None:
                breadth = sum(1 for pattern in entry.patterns if pattern.kind != "X")
                scored.append((-depth, breadth, order, entry))
        scored.sort(key=lambda item: item[:3])
        return [(-item[0], item[3]) for item in scored]

    def keyword_entries(self, patch_texts: Iterable[str]) -> list[Entry]:
        """The entries whose `K:` regex matches one of these patches (as get_maintainer.pl reads them)."""
        keyed = []
        for entry in self.entries:
            for value in entry.values("K"):
                try:
                    keyed.append((entry, re.compile(value, re.VERBOSE)))
                except re.error:
                    continue  # a Perl-only construct: get_maintainer.pl would match it, we cannot
        found = set()
        for text in patch_texts:
            for line in _keyword_lines(text):
                for entry, regex in keyed:
                    if id(entry) not in found and regex.search(line):
                        found.add(id(entry))
        return [entry for entry in self.entries if id(entry) in found]

    def recipients(self, paths: Iterable[str], patch_texts: Iterable[str] = ()) -> Recipients:
        """The people and lists for these files, as `get_maintainer.pl --no-git` finds them; with the
        patches' texts, also the entries their `K:` keywords match, as it does for patch files."""
        result = Recipients()
        names, addresses, lists = {}, {}, set()
        by_file = [entry for path in sorted(set(paths)) for entry in self.entries_for(path)]
        for entry in by_file + self.keyword_entries(patch_texts):
            for key, value in entry.ordered:
                if key in ("M", "R"):
                    name, address, formatted = format_address(value)
                    if not address or address.lower() in PENGUIN_CHIEFS:
                        continue
                    known = names.get(name.lower()) if name else None
                    if known is None:
                        known = addresses.get(address.lower())
                    if known is None:
                        index = len(result.people)
                        result.people.append((formatted, key))
                        if name:
                            names[name.lower()] = index
                        addresses[address.lower()] = index
                    elif key == "M" and result.people[known][1] == "R":
                        # a reviewer of one entry who maintains another is a maintainer
                        result.people[known] = (result.people[known][0], "M")
                elif key == "L" and value:
                    address, _, note = value.partition(" ")
                    if "subscribers-only" in note or address.lower() in lists:
                        continue
                    lists.add(address.lower())
                    result.lists.append(address)
        return result

    def tagged_trees_for(self, path: str) -> list[str]:
        """The trees of TAGGED_TREES named by the entries of path, e.g. ['bpf', 'bpf-next']."""
        trees: list[str] = []
        for entry in self.entries_for(path):
            for tree in entry.trees:
                if tree in TAGGED_TREES and tree not in trees:
                    trees.append(tree)
        return trees

    def lists_for(self, path: str) -> list[str]:
        result: list[str] = []
        for entry in self.entries_for(path):
            for address in entry.lists:
                if address not in result:
                    result.append(address)
        return result


_DIFF_HEADER = lazy(r"^(?:diff --git a/\S+ b/\S+\s*$| mode change [0-7]+ => [0-7]+ \S+\s*$|"
                          r"rename (?:from|to) \S+\s*$|Fixes:\s+[0-9a-fA-F]{6,40}|@@ -\d+,\d+)")
_FILE_LINE = lazy(r"^(?:\+\+\+|---)\s+\S+")


def _keyword_lines(text: str) -> Iterable[str]:
    """The lines of a patch get_maintainer.pl searches for keywords: before the first `---`/`+++`
    file line every line, after it only added and removed lines (without their marker)."""
    in_diff = False
    for line in text.split("\n"):
        if _DIFF_HEADER.match(line):
            continue
        if _FILE_LINE.match(line):
            in_diff = True
            continue
        if not in_diff:
            yield line
        elif line[:1] in ("+", "-"):
            yield line[1:]
