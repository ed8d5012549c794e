"""The netdev and bpf house rules about a series as a whole (its size), and what the xmas and fixes
families share: which patches and files fall under netdev's and bpf's rules, and their trees.

The rules are written down in Documentation/process/maintainer-netdev.rst and
Documentation/bpf/bpf_devel_QA.rst; checkpatch checks none of them.
"""

from __future__ import annotations

from typing import List, Optional

from . import WARNING, Hit, check
from ..maintainers import FIXES_TREES, TAGGED_TREES

# The mailing lists whose files follow the house rules (MAINTAINERS `L:` lines).
HOUSE_LISTS = ("netdev@vger.kernel.org", "bpf@vger.kernel.org")
NEXT_TREES = {next_tree: fixes_tree for fixes_tree, next_tree in FIXES_TREES.items()}
SERIES_LIMIT = 15


def patch_tree(patch) -> Optional[str]:
    """The netdev/bpf tree a patch's subject names (`net`, `net-next`, `bpf`, `bpf-next`), or None."""
    if patch.prefix is None:
        return None
    for word in patch.prefix.words:
        if word.lower() in TAGGED_TREES:
            return word.lower()
    return None


def is_fixes_tree(tree: Optional[str]) -> bool:
    return tree in FIXES_TREES


def is_next_tree(tree: Optional[str]) -> bool:
    return tree in NEXT_TREES


def house_lists_for(path: str, ctx) -> List[str]:
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


def subject_hit(patch, message, **kw) -> Hit:
    """A finding on the patch's Subject: line."""
    line = patch.header_lines.get("subject")
    if line is None:
        return Hit(message, patch=patch, **kw)
    return Hit(message, patch=patch, patch_line=line, quote=f"Subject: {patch.subject}", **kw)


@check("SERIES_TOO_LONG", level=WARNING, scope="series")
def series_too_long(series, ctx):
    """A series of more than 15 patches to a netdev or bpf tree.

    ## What it does
    Counts the patches of the series (the files given on one command line, cover letter left out;
    or the `n` of `i/n` in their subjects when that is larger) and reports a series of more than 15
    patches whose subject names net, net-next, bpf or bpf-next, or whose files MAINTAINERS lists
    under netdev@vger.kernel.org or bpf@vger.kernel.org. The finding is on the first patch (the cover
    letter when there is one).

    ## Why is this bad?
    Documentation/process/maintainer-netdev.rst: "Avoid sending series longer than 15 patches.
    Larger series takes longer to review as reviewers will defer looking at it until they find a
    large chunk of time. A small series can be reviewed in a short time, so Maintainers just do it.
    As a result, a sequence of smaller series gets merged quicker and with better review coverage."
    The netdev CI (NIPA) also refuses to test series over the limit.

    ## Example
        [PATCH net-next 00/18] net: convert drivers to the new queue API
        [PATCH net-next 01/18] ...
        ...
        [PATCH net-next 18/18] ...

    ## Use instead
    Two series that each stand alone, the second posted after the first is merged:

        [PATCH net-next 0/9] net: queue API conversion, part 1
        [PATCH net-next 0/9] net: queue API conversion, part 2
    """
    patches = [p for p in series if not p.is_cover_letter]
    if not patches or not any(under_house_rules(p, ctx) for p in series):
        return
    totals = [p.prefix.total for p in series if p.prefix is not None and p.prefix.total is not None]
    count = max([len(patches), *totals])
    if count <= SERIES_LIMIT:
        return
    first = next((p for p in series if p.is_cover_letter), series.patches[0])
    trees = {patch_tree(p) for p in series} - {None}
    where = f" to {', '.join(sorted(trees))}" if trees else " to netdev/bpf"
    yield subject_hit(first, f"Series of {count} patches{where}: netdev and bpf take at most "
                              f"{SERIES_LIMIT} at a time; split it into smaller series")
