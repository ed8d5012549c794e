"""Subsystem profiles: which documented house rules govern the files a patch touches.

A profile is a maintainers' document that states rules for some files. Which profiles govern a file
is read from the tree's own MAINTAINERS, in the entries that match the file (THE REST left out):
- `P:` names the document itself (maintainer-netdev.rst, maintainer-kvm-x86.rst, maintainer-tip.rst);
- `L:` names a list whose document is known: netdev@vger.kernel.org follows maintainer-netdev.rst,
  bpf@vger.kernel.org follows bpf_devel_QA.rst;
- `T:` names a tree whose document is known: entries merged through the tip tree follow
  maintainer-tip.rst.
Without MAINTAINERS, the tree a subject names (`[PATCH net-next]`, `[PATCH bpf]`) stands for its
profile.

Each house rule says here which profiles state it, in which sentence, and how strongly: a rule the
document requires is reported as a WARNING, one it only prefers as a CHECK. A rule no profile of the
file states is not reported (the user can still ask for it, `--xmas-tree always`). The one exception
is a reviewers' habit measured on the lists: bpf reviewers ask for reverse xmas tree order on
bpf-only files although bpf_devel_QA.rst does not state it, so there it is a CHECK whose message
says so.
"""

from __future__ import annotations

from collections.abc import Iterable

from .records import record
from .report import CHECK, WARNING

NETDEV, BPF, KVM_X86, TIP = "netdev", "bpf", "kvm-x86", "tip"


@record(frozen=True)
class Profile:
    """A maintainer entry profile and the lists, trees and subject tags it covers."""

    name: str
    document: str  # the path in the kernel tree
    lists: tuple[str, ...] = ()  # MAINTAINERS `L:` addresses whose files follow the document
    trees: tuple[str, ...] = ()  # kernel.org trees (`T:`) whose files follow it
    tags: tuple[str, ...] = ()  # the subject tree tags that stand for it when there is no MAINTAINERS


PROFILES: dict[str, Profile] = {profile.name: profile for profile in (
    Profile(NETDEV, "Documentation/process/maintainer-netdev.rst", lists=("netdev@vger.kernel.org",),
            tags=("net", "net-next")),
    Profile(BPF, "Documentation/bpf/bpf_devel_QA.rst", lists=("bpf@vger.kernel.org",), tags=("bpf", "bpf-next")),
    Profile(KVM_X86, "Documentation/process/maintainer-kvm-x86.rst"),
    Profile(TIP, "Documentation/process/maintainer-tip.rst", trees=("tip",)),
)}


@record(frozen=True)
class Statement:
    """Where a profile's document states a rule, and how strongly."""

    profile: str
    level: str  # WARNING: the document requires it; CHECK: the document prefers it
    quote: str  # the sentence, word for word
    habit: bool = False  # stated by no document: what the profile's reviewers ask for, measured

    @property
    def document(self) -> str:
        return PROFILES[self.profile].document

    def why(self) -> str:
        """How a message names its source: the document, or the habit."""
        name = self.document.rsplit("/", 1)[-1]
        if self.habit:
            return f"{self.profile} reviewers' habit; {name} does not state it"
        return f"{'required' if self.level == WARNING else 'preferred'} by {name}"


# The house rules and the documents that state them (6.12's text).
HOUSE_RULES: dict[str, tuple[Statement, ...]] = {
    "REVERSE_XMAS_TREE": (
        Statement(NETDEV, WARNING, "Order the variable declaration lines longest to shortest"),
        Statement(KVM_X86, CHECK, "Using reverse fir tree, a.k.a. reverse Christmas tree or reverse XMAS tree, "
                                  "for variable declarations isn't strictly required, though it is still "
                                  "preferred."),
        Statement(TIP, CHECK, "The preferred ordering of variable declarations at the beginning of a "
                              "function is reverse fir tree order"),
        Statement(BPF, CHECK, "", habit=True),
    ),
    "SUBJECT_TREE_PREFIX": (
        Statement(NETDEV, WARNING, "designate your patch to a tree - ``[PATCH net]`` or ``[PATCH net-next]``"),
        Statement(BPF, WARNING, "the subject must look like"),
    ),
    "COVER_LETTER_MISSING": (
        Statement(BPF, WARNING, "Patch submissions with >1 patch must have a cover letter"),
    ),
    "SERIES_TOO_LONG": (
        Statement(NETDEV, WARNING, "Avoid sending series longer than 15 patches."),
    ),
    "FIXES_TAG_MISSING": (
        Statement(NETDEV, WARNING, "for fixes the ``Fixes:`` tag is required, regardless of the tree"),
        Statement(BPF, WARNING, "fixes that go to bpf tree *must* have a ``Fixes:`` tag included"),
    ),
}

# bpf_devel_QA.rst: "it is not a problem either if the subject line says net or net-next as target"
TREE_TAGS: dict[str, tuple[str, ...]] = {NETDEV: ("net", "net-next"), BPF: ("bpf", "bpf-next", "net", "net-next")}


def _entry_profiles(entry) -> frozenset[str]:
    found = set()
    documents = {value.split()[0].rsplit("/", 1)[-1] for value in entry.values("P") if value}
    lists = {address.lower() for address in entry.lists}
    trees = set(entry.kernel_org_trees)
    for profile in PROFILES.values():
        if (profile.document.rsplit("/", 1)[-1] in documents or lists & set(profile.lists)
                or trees & set(profile.trees)):
            found.add(profile.name)
    return frozenset(found)


def governing_entries(maintainers, path: str) -> list:
    """The MAINTAINERS entries of path, most specific first, THE REST left out (it governs nothing)."""
    return [entry for entry in maintainers.entries_for(path) if entry.title != "THE REST"]


def file_profiles(path: str, ctx) -> frozenset[str]:
    """The profiles governing a file, from the tree's MAINTAINERS (empty without one)."""
    known = ctx.once(_profiles_by_path)
    if path not in known:
        maintainers = ctx.maintainers
        found: frozenset[str] = frozenset()
        if maintainers is not None:
            by_entry = ctx.once(_profiles_by_entry)
            for entry in governing_entries(maintainers, path):
                if id(entry) not in by_entry:
                    by_entry[id(entry)] = _entry_profiles(entry)
                found |= by_entry[id(entry)]
        known[path] = found
    return known[path]


def _profiles_by_path(ctx) -> dict[str, frozenset[str]]:
    """The run's memo of file_profiles (one dict per run, through ctx.once)."""
    return {}


def _profiles_by_entry(ctx) -> dict[int, frozenset[str]]:
    """The run's memo of _entry_profiles, by the id of the entry (the run's MAINTAINERS keeps every
    entry it built): the files of a series share a few entries, NETWORKING [GENERAL] each of net/'s."""
    return {}


def subject_profiles(patch) -> frozenset[str]:
    """The profiles the tree named in a subject stands for (`[PATCH net-next]`: netdev)."""
    if patch.prefix is None:
        return frozenset()
    words = {word.lower() for word in patch.prefix.words}
    return frozenset(p.name for p in PROFILES.values() if words & set(p.tags))


def patch_profiles(patches: Iterable, ctx) -> frozenset[str]:
    """The profiles governing some patches as a whole (their series, their subject): their files'
    by MAINTAINERS, and the tree's their subjects name, whose maintainers apply them."""
    patches = list(patches)
    by_subject = frozenset().union(*(subject_profiles(p) for p in patches))
    if ctx.maintainers is None:
        return by_subject
    return by_subject.union(*(file_profiles(f.path, ctx) for p in patches for f in p.files))


def governing(rule: str, profiles: Iterable[str]) -> Statement | None:
    """The statement of a rule that governs files with these profiles: a written rule before a
    habit, a requirement before a preference; None when no profile states it."""
    profiles = set(profiles)
    statements = [s for s in HOUSE_RULES[rule] if s.profile in profiles]
    if not statements:
        return None
    return min(statements, key=lambda s: (s.habit, s.level != WARNING))


def reportable(statement: Statement | None, ctx) -> bool:
    """Whether a finding at the statement's level is shown (a CHECK only with --strict)."""
    return statement is not None and (statement.level != CHECK or ctx.options.strict)
