"""MAINTAINERS: parsing its entries and matching files to them, with get_maintainer.pl's rules.

Rules (read from scripts/get_maintainer.pl and the head of MAINTAINERS):
- `F:` and `X:` patterns: `*` and `?` are shell-like wildcards; a pattern ending in `/` (or naming a
  directory of the tree) matches every file below it at any depth; any other pattern matches a file
  only when the file has as many `/` as the pattern (so `arch/*/net/*` matches `arch/x86/net/a.c`
  but not `arch/x86/net/sub/a.c`).
- `X:` excludes a file from the entry even where an `F:` matches it.
- `N:` is a regular expression searched in the file's path.
- Entries are ordered most specific first: the depth (count of `/`) of the deepest pattern matched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Tuple


# Trees whose maintainers ask for the tree's name in the subject prefix (`[PATCH bpf-next]`):
# Documentation/process/maintainer-netdev.rst and the bpf devel QA (Documentation/bpf/bpf_devel_QA.rst).
TAGGED_TREES = ("bpf", "bpf-next", "net", "net-next")
FIXES_TREES = {"bpf": "bpf-next", "net": "net-next"}  # fixes tree -> its -next tree


class Pattern:
    """One `F:`, `X:` or `N:` pattern; compiled lazily, since a run matches a few files against
    thousands of patterns and most are told apart by their literal prefix alone."""

    __slots__ = ("kind", "text", "is_dir", "depth", "prefix", "_regex")

    def __init__(self, kind: str, text: str):
        self.kind = kind
        self.text = text
        self.is_dir = kind != "N" and text.endswith("/")
        if kind == "N":
            self.depth = 0  # get_maintainer.pl ranks N: matches lowest
            self.prefix = ""
        else:
            # get_maintainer.pl's rank: the pattern's count of '/', one more for a file pattern,
            # -1 for a pattern that starts with a wildcard
            self.depth = -1 if text.startswith("*") else text.count("/") + (0 if self.is_dir else 1)
            cut = min((i for i in (text.find("*"), text.find("?")) if i >= 0), default=len(text))
            self.prefix = text[:cut]
        self._regex = None

    @property
    def regex(self) -> "re.Pattern":
        if self._regex is None:
            if self.kind == "N":
                try:
                    self._regex = re.compile(self.text, re.VERBOSE)
                except re.error:
                    self._regex = re.compile(re.escape(self.text))
            else:
                self._regex = re.compile(re.escape(self.text).replace(r"\*", ".*").replace(r"\?", "."))
        return self._regex

    def matches(self, path: str, directories: Optional[set] = None) -> bool:
        if self.kind == "N":
            return self.regex.search(path) is not None
        if not path.startswith(self.prefix):
            return False
        if len(self.prefix) != len(self.text) and not self.regex.match(path):
            return False
        if self.is_dir or (directories is not None and self.text in directories):
            return True
        if len(self.prefix) == len(self.text) and path != self.text:
            # a literal file pattern names that file; a literal directory without '/' is a prefix
            return path.startswith(self.text + "/") or path.count("/") == self.text.count("/")
        return path.count("/") == self.text.count("/")


@dataclass
class Entry:
    title: str
    line: int  # line number of the title in MAINTAINERS
    fields: Dict[str, List[str]] = field(default_factory=dict)
    patterns: List[Pattern] = field(default_factory=list)

    def values(self, key: str) -> List[str]:
        return self.fields.get(key, [])

    @property
    def maintainers(self) -> List[str]:
        return self.values("M")

    @property
    def reviewers(self) -> List[str]:
        return self.values("R")

    @property
    def lists(self) -> List[str]:
        return [value.split()[0] for value in self.values("L") if value]

    @property
    def trees(self) -> List[str]:
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

    def match_depth(self, path: str, directories: Optional[set] = None) -> Optional[int]:
        """The depth of the most specific pattern of this entry matching path, None if none or excluded."""
        best = None
        for pattern in self.patterns:
            if pattern.kind == "X" and pattern.matches(path, directories):
                return None
        for pattern in self.patterns:
            if pattern.kind in ("F", "N") and pattern.matches(path, directories):
                depth = pattern.depth
                best = depth if best is None else max(best, depth)
        return best


class Maintainers:
    def __init__(self, entries: List[Entry], directories: Optional[set] = None):
        self.entries = entries
        self.directories = directories  # patterns known to name directories of the tree

    @classmethod
    def parse(cls, text: str, directories: Optional[set] = None) -> "Maintainers":
        entries: List[Entry] = []
        current: Optional[Entry] = None
        title: Optional[Tuple[str, int]] = None
        for number, line in enumerate(text.splitlines(), 1):
            if len(line) > 2 and line[1] == ":" and "A" <= line[0] <= "Z":
                if current is None:
                    if title is None:
                        continue  # a field outside any entry (the preamble indents its examples)
                    current = Entry(*title)
                    entries.append(current)
                key, value = line[0], line[2:].strip()
                current.fields.setdefault(key, []).append(value)
                if key in ("F", "X", "N") and value:
                    current.patterns.append(Pattern(key, value))
            elif not line.strip():
                current, title = None, None
            elif not line.startswith((" ", "\t")):
                current, title = None, (line.strip(), number)
        return cls(entries, directories)

    def entries_for(self, path: str) -> List[Entry]:
        """Entries matching path, most specific first (ties keep the file's order)."""
        scored = []
        for order, entry in enumerate(self.entries):
            depth = entry.match_depth(path, self.directories)
            if depth is not None:
                scored.append((-depth, order, entry))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [entry for _, _, entry in scored]

    def entries_for_files(self, paths: Iterable[str]) -> List[Entry]:
        seen, result = set(), []
        for path in paths:
            for entry in self.entries_for(path):
                if id(entry) not in seen:
                    seen.add(id(entry))
                    result.append(entry)
        return result

    def tagged_trees_for(self, path: str) -> List[str]:
        """The trees of TAGGED_TREES named by the entries of path, e.g. ['bpf', 'bpf-next']."""
        trees: List[str] = []
        for entry in self.entries_for(path):
            for tree in entry.trees:
                if tree in TAGGED_TREES and tree not in trees:
                    trees.append(tree)
        return trees

    def lists_for(self, path: str) -> List[str]:
        result: List[str] = []
        for entry in self.entries_for(path):
            for address in entry.lists:
                if address not in result:
                    result.append(address)
        return result
