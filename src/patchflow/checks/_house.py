"""What the netdev and bpf house rules (the xmas, fixes and series families) share: which patches
and files fall under netdev's and bpf's rules, and which trees their subjects name.

The rules are written down in Documentation/process/maintainer-netdev.rst and
Documentation/bpf/bpf_devel_QA.rst; checkpatch checks none of them.
"""

from __future__ import annotations

from ..maintainers import FIXES_TREES, TAGGED_TREES

# The mailing lists whose files follow the house rules (MAINTAINERS `L:` lines).
HOUSE_LISTS = ("netdev@vger.kernel.org", "bpf@vger.kernel.org")
NEXT_TREES = {next_tree: fixes_tree for fixes_tree, next_tree in FIXES_TREES.items()}


def patch_tree(patch) -> str | None:
    """The netdev/bpf tree a patch's subject names (`net`, `net-next`, `bpf`, `bpf-next`), or None."""
    if patch.prefix is None:
        return None
    for word in patch.prefix.words:
        if word.lower().lstrip("-") in TAGGED_TREES:  # [PATCH -net]: net, as older mails wrote it
            return word.lower().lstrip("-")
    return None


def is_fixes_tree(tree: str | None) -> bool:
    return tree in FIXES_TREES


def is_next_tree(tree: str | None) -> bool:
    return tree in NEXT_TREES


def house_lists_for(path: str, ctx) -> list[str]:
    """The netdev/bpf lists that MAINTAINERS names for path (empty without MAINTAINERS)."""
    maintainers = ctx.maintainers
    if maintainers is None:
        return []
    return [address for address in maintainers.lists_for(path) if address.lower() in HOUSE_LISTS]


def under_house_rules(patch, ctx) -> bool:
    """Whether a patch goes to netdev or bpf: its subject names one of their trees, or MAINTAINERS
    lists netdev@ or bpf@ for one of its files."""
    if patch_tree(patch) is not None:
        return True
    return any(house_lists_for(file.path, ctx) for file in patch.files)


def is_pull_request(series) -> bool:
    """A sub-tree's maintainer posting what a pull request holds (netfilter's "[PATCH net 00/17]
    netfilter: updates for net"): the cover letter is `git request-pull`'s text. Its patches were
    reviewed and applied to that tree already."""
    cover = next((p for p in series if p.prefix is not None and p.prefix.number == 0), None)
    return cover is not None and any("The following changes since commit" in text for _, text in cover.message)
