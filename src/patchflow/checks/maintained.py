"""Who looks after the files a patch touches: the people and lists its mail must reach, an owner
in MAINTAINERS for every file it adds, and the layout of the entries a patch adds to MAINTAINERS.

The first two read the tree's MAINTAINERS (`--tree`, or the git work tree around the current
directory) and stay silent without one. They are the netdev CI's (NIPA's) `cc_maintainers` test and the question
checkpatch asks of every new file ("does MAINTAINERS need updating?"), answered.
"""

from __future__ import annotations

import os
import re

from ..lazy_regex import lazy
from . import CHECK, WARNING, Hit, check
from ._house import HOUSE_LISTS, patch_tree

# lists nobody is expected to copy on everything (NIPA leaves LKML out for the same reason)
NOT_EXPECTED = {"linux-kernel@vger.kernel.org"}
_ADDRESS = lazy(r"[^\s<>\"',;]+@[^\s<>\"',;]+")


def _addresses(text: str) -> set[str]:
    return {address.lower().rstrip(".") for address in _ADDRESS.findall(text or "")}


def most_specific_entries(maintainers, path: str) -> list:
    """The entries of the deepest pattern matching path: those that look after the file itself,
    not the subsystems above it (NETWORKING [GENERAL] for every file under net/)."""
    ranked = maintainers.ranked_entries(path)
    if not ranked:
        return []
    best = ranked[0][0]
    return [entry for rank, entry in ranked if rank == best]


def _house_entry(maintainers, path: str) -> bool:
    return any(address.lower() in HOUSE_LISTS for entry in most_specific_entries(maintainers, path)
               for address in entry.lists)


def file_under_house_rules(patch, file, ctx) -> bool:
    """Whether netdev's or bpf's own rules govern a file: its most specific MAINTAINERS entry lists
    netdev@ or bpf@ (without MAINTAINERS: the subject names their tree). Not tools/ (user space)."""
    if file.path.startswith("tools/"):
        return False
    if ctx.maintainers is None:
        return patch_tree(patch) is not None
    return _house_entry(ctx.maintainers, file.path)


def _most_specific_addresses(maintainers, paths) -> list[str]:
    """The `M:` and `L:` addresses of each file's most specific entries, in order."""
    from ..maintainers import PENGUIN_CHIEFS

    found = []
    for path in sorted(set(paths)):
        for entry in most_specific_entries(maintainers, path):
            for value in entry.maintainers:
                found.extend(address for address in _addresses(value) if address not in PENGUIN_CHIEFS)
            found.extend(address.lower() for address in entry.lists)
    return list(dict.fromkeys(found))


@check("CC_MAINTAINERS", level=CHECK)
def cc_maintainers(patch, ctx):
    """The mail does not reach a maintainer or a list MAINTAINERS names for the files it changes.

    ## What it does
    For a mail with recipients (a `To:` or `Cc:` header), finds the maintainers (`M:`) and mailing
    lists (`L:`) of the most specific MAINTAINERS entries of each file the patch changes (the
    entries whose matching pattern is deepest, as `get_maintainer.pl` ranks them: the driver's
    entry, not NETWORKING [GENERAL] above it), and reports those that are in none of `To:`, `Cc:`
    and `From:`. linux-kernel@ is not expected. Only the files whose most specific entry lists
    netdev@ or bpf@ (not netfilter's, which has its own tree and habits), whose CI asks this; other subsystems' habits differ (a maintainer sending
    to their own list alone). A CHECK (shown with `--strict`, as CI runs it): on the archived
    netfilter-devel and io-uring lists it fires on 6% of the mails, partly because MAINTAINERS has
    moved on since the tree it is judged against, and `patchflow format --no-auto` must be able to
    address a series by hand.
    A patch file without recipients (not yet addressed) and a tree without MAINTAINERS are left
    alone.

    ## Why is this bad?
    The people who must review a patch only see what is sent to them: a patch that misses its
    driver's maintainer waits, or is applied without them. Documentation/process/submitting-patches.rst
    ("Select the recipients for your patch") asks for every maintainer and list get_maintainer.pl
    names; the netdev CI checks it on every patch (NIPA's `cc_maintainers` test) and
    Documentation/process/maintainer-netdev.rst lists its failures among the reasons a patch is
    dropped.

    ## Example
    net/core/page_pool.c has an entry of its own, PAGE POOL; copying the networking maintainers of
    the entry above it is not enough:

    ```bad tree
    Subject: [PATCH net-next] page_pool: Say in which context alloc_stat_inc() is safe
    To: netdev@vger.kernel.org
    Cc: "David S. Miller" <davem@davemloft.net>, Eric Dumazet <edumazet@google.com>,
     Jakub Kicinski <kuba@kernel.org>, Paolo Abeni <pabeni@redhat.com>

    alloc_stat_inc() is a plain increment of the pool's own counters; it is
    only safe where the pool allocates, in its NAPI context.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/net/core/page_pool.c b/net/core/page_pool.c
    index 1111111..2222222 100644
    --- a/net/core/page_pool.c
    +++ b/net/core/page_pool.c
    @@ -41,6 +41,6 @@
     #ifdef CONFIG_PAGE_POOL_STATS
     static DEFINE_PER_CPU(struct page_pool_recycle_stats, pp_system_recycle_stats);

    -/* alloc_stat_inc is intended to be used in softirq context */
    +/* alloc_stat_inc is a plain increment: use it only in the pool's NAPI context */
     #define alloc_stat_inc(pool, __stat)	(pool->alloc_stats.__stat++)
     /* recycle_stat_inc is safe to use when preemption is possible. */
    ```

    ```good tree
    Subject: [PATCH net-next] page_pool: Say in which context alloc_stat_inc() is safe
    To: netdev@vger.kernel.org
    Cc: Jesper Dangaard Brouer <hawk@kernel.org>, Ilias Apalodimas <ilias.apalodimas@linaro.org>,
     "David S. Miller" <davem@davemloft.net>, Eric Dumazet <edumazet@google.com>,
     Jakub Kicinski <kuba@kernel.org>, Paolo Abeni <pabeni@redhat.com>

    alloc_stat_inc() is a plain increment of the pool's own counters; it is
    only safe where the pool allocates, in its NAPI context.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/net/core/page_pool.c b/net/core/page_pool.c
    index 1111111..2222222 100644
    --- a/net/core/page_pool.c
    +++ b/net/core/page_pool.c
    @@ -41,6 +41,6 @@
     #ifdef CONFIG_PAGE_POOL_STATS
     static DEFINE_PER_CPU(struct page_pool_recycle_stats, pp_system_recycle_stats);

    -/* alloc_stat_inc is intended to be used in softirq context */
    +/* alloc_stat_inc is a plain increment: use it only in the pool's NAPI context */
     #define alloc_stat_inc(pool, __stat)	(pool->alloc_stats.__stat++)
     /* recycle_stat_inc is safe to use when preemption is possible. */
    ```

    ## Fix
    Address the mail to what `scripts/get_maintainer.pl` names for the patch (at least the maintainers
    and lists of the entries closest to the files); `patchflow format` fills To: and Cc: that way.
    """
    if not patch.files or not (patch.headers.get("to") or patch.headers.get("cc")):
        return
    maintainers = ctx.maintainers
    if maintainers is None:
        return
    paths = [path for file in patch.files for path in (file.old_path, file.new_path)
             if path and _house_entry(maintainers, path)]
    if not paths:
        return
    included = set()
    for header in ("to", "cc", "from", "sender"):
        included |= _addresses(patch.headers.get(header, ""))
    expected = _most_specific_addresses(maintainers, paths)
    missing = [address for address in expected if address not in included and address not in NOT_EXPECTED]
    if missing:
        line = patch.header_lines.get("cc") or patch.header_lines.get("to")
        message = (f"{len(missing)} of {len(set(expected) - NOT_EXPECTED)} maintainers and lists of the changed files "
                   f"not in To/Cc: " + ", ".join(missing))
        yield Hit.on_patch_line(patch, line, message) if line else Hit(message, patch=patch)


@check("NEW_FILE_NO_MAINTAINER", level=WARNING)
def new_file_no_maintainer(patch, ctx):
    """A new file that no MAINTAINERS entry covers.

    ## What it does
    For every file the patch adds, looks for a MAINTAINERS entry (other than THE REST, which
    matches everything) whose `F:`/`N:` patterns match it, in the tree's MAINTAINERS and in the `F:`
    lines the series itself adds to MAINTAINERS. Reports a file that has none. A file whose top
    directory the tree does not have is not a kernel file (a patch for liburing or nftables sent to
    the same list) and is left alone.

    ## Why is this bad?
    A file nobody maintains gets its patches sent to nobody in particular, and its bugs to
    linux-kernel@ alone. checkpatch asks "added, moved or deleted file(s), does MAINTAINERS need
    updating?" of every new file without answering; this answers it. The netdev CI runs
    get_maintainer.pl's self-test on MAINTAINERS changes (NIPA's `maintainers` test); reviewers ask
    for the entry when a new driver or selftest directory arrives without one
    (Documentation/process/submitting-patches.rst, "Select the recipients for your patch").

    ## Example
    (checkpatch's FILE_PATH_CHANGES, which every new file raises, is left out of this example.)

    ```bad tree --ignore=FILE_PATH_CHANGES
    Subject: [PATCH] acme: Add the ACME board management controller driver

    The driver registers the controller of ACME's server boards; the
    sensors and the watchdog follow in later patches.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/drivers/acme/acme_bmc.c b/drivers/acme/acme_bmc.c
    new file mode 100644
    index 0000000..2222222
    --- /dev/null
    +++ b/drivers/acme/acme_bmc.c
    @@ -0,0 +1,7 @@
    +// SPDX-License-Identifier: GPL-2.0
    +/* ACME board management controller */
    +
    +#include <linux/module.h>
    +
    +MODULE_DESCRIPTION("ACME board management controller");
    +MODULE_LICENSE("GPL");
    ```

    ```good tree --ignore=FILE_PATH_CHANGES
    Subject: [PATCH] acme: Add the ACME board management controller driver

    The driver registers the controller of ACME's server boards; the
    sensors and the watchdog follow in later patches.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/MAINTAINERS b/MAINTAINERS
    index 1111111..2222222 100644
    --- a/MAINTAINERS
    +++ b/MAINTAINERS
    @@ -271,6 +271,11 @@ ACER WMI LAPTOP EXTRAS
     S:	Maintained
     F:	drivers/platform/x86/acer-wmi.c

    +ACME BOARD MANAGEMENT CONTROLLER DRIVER
    +M:	Jane Doe <jane@example.org>
    +S:	Maintained
    +F:	drivers/acme/
    +
     ACPI
     M:	"Rafael J. Wysocki" <rafael@kernel.org>
     R:	Len Brown <lenb@kernel.org>
    diff --git a/drivers/acme/acme_bmc.c b/drivers/acme/acme_bmc.c
    new file mode 100644
    index 0000000..2222222
    --- /dev/null
    +++ b/drivers/acme/acme_bmc.c
    @@ -0,0 +1,7 @@
    +// SPDX-License-Identifier: GPL-2.0
    +/* ACME board management controller */
    +
    +#include <linux/module.h>
    +
    +MODULE_DESCRIPTION("ACME board management controller");
    +MODULE_LICENSE("GPL");
    ```

    ## Fix
    Add an entry for the new files to MAINTAINERS in the same series (entries are in alphabetical
    order; `M:` who looks after them, `L:` the list, `S:` the status, `F:` the files), or an `F:` line to
    the entry that should own them. `scripts/get_maintainer.pl --self-test=patterns` checks the result.
    """
    new_files = [file.path for file in patch.files if file.is_new and file.path]
    maintainers = ctx.maintainers if new_files else None
    if maintainers is None or not _series_fits_tree(ctx):
        return
    added_patterns = _series_patterns(ctx)
    for file in patch.files:
        if not file.is_new or not file.path or not _in_kernel_layout(file.path, ctx):
            continue
        owners = [entry for entry in maintainers.entries_for(file.path) if entry.title.strip().upper() != "THE REST"]
        if owners or any(pattern.matches(file.path) for pattern in added_patterns):
            continue
        yield Hit(f"{file.path}: a new file no MAINTAINERS entry covers (only THE REST): add an F: line for it",
                  patch=patch, file=file.path)


def _series_patterns(ctx) -> list:
    """The F:/N: patterns the series adds to MAINTAINERS, computed once per run."""
    return ctx.once(_patterns_added)


def _patterns_added(ctx) -> list:
    from ..maintainers import Pattern

    patterns = []
    for patch in ctx.series:
        for file in patch.files:
            if file.path != "MAINTAINERS":
                continue
            for line in file.added_lines():
                match = re.match(r"([FN]):\s*(\S+)", line.text)
                if match:
                    patterns.append(Pattern(match.group(1), match.group(2), ctx.tree.path if ctx.tree else None))
    return patterns


def _in_kernel_layout(path: str, ctx) -> bool:
    if ctx.tree is None or "/" not in path:
        return ctx.tree is not None
    top = path.split("/", 1)[0]
    known = ctx.once(_top_directories)  # a series' new files share a few top directories
    if top not in known:
        known[top] = os.path.isdir(os.path.join(ctx.tree.path, top))
    return known[top]


def _top_directories(ctx) -> dict[str, bool]:
    """The run's memo of _in_kernel_layout: {top directory of a new file: whether the tree has it}."""
    return {}


def _series_fits_tree(ctx) -> bool:
    """Whether every file the series changes (rather than adds) is in the tree."""
    return ctx.once(_fits_tree)


def _fits_tree(ctx) -> bool:
    changed = {file.old_path for patch in ctx.series for file in patch.files if not file.is_new and file.old_path}
    return all(ctx.tree.has_file(path) for path in changed)


# checkpatch's order of the fields of a MAINTAINERS entry
_FIELD_ORDER = "MRLSWQBCPTFXNK"
_FIELD = lazy(r"^([A-Z]):\s*(.*)")


def _maintainers_style_problems(text, prev):
    """checkpatch's messages for an added MAINTAINERS line `text` after the line `prev` (the line
    above it the patch shows, or None)."""
    field = _FIELD.match(text)
    if not field:
        return
    if not re.match(r"^[A-Z]:\t\S", text):
        yield "MAINTAINERS entries use one tab after TYPE:"
    above = _FIELD.match(prev) if prev is not None else None
    if above is None:
        return
    (cur, cur_value), (before, before_value) = field.groups(), above.groups()
    if cur not in _FIELD_ORDER:
        yield f"Unknown MAINTAINERS entry type: '{cur}'"
    elif before in _FIELD_ORDER and _FIELD_ORDER.index(cur) < _FIELD_ORDER.index(before):
        yield f"Misordered MAINTAINERS entry - list '{cur}:' before '{before}:'"
    elif cur == before and cur in "FX" and before_value > cur_value:
        yield "Misordered MAINTAINERS entry - list file patterns in alphabetic order"


@check("MAINTAINERS_STYLE", level=WARNING)
def maintainers_style(patch, ctx):
    """An added MAINTAINERS line is not `X:<tab>value`, or is out of the entry's field order.

    ## What it does
    In a change to MAINTAINERS, reports each added field line (`M:`, `L:`, `F:`, ...) that is not
    followed by exactly one tab, whose letter is not a known field, that comes before the field
    above it in the order `M R L S W Q B C P T F X N K`, or whose `F:`/`X:` pattern sorts before the
    pattern above it, as checkpatch does.

    ## Why is this bad?
    scripts/get_maintainer.pl and scripts/parse-maintainers.pl read the file by that layout; the
    order and the sorted patterns let a reader (and `parse-maintainers.pl`, which maintainers run
    to re-sort the file) see an entry's people, lists and files at a glance.

    ## Example
    ```bad path=MAINTAINERS
    +BPF [MAP ITERATOR STATISTICS]
    +M:	Jane Doe <jane@example.org>
    +F:	kernel/bpf/map_iter_stats.c
    +L:	bpf@vger.kernel.org
    ```

    ```good path=MAINTAINERS
    +BPF [MAP ITERATOR STATISTICS]
    +M:	Jane Doe <jane@example.org>
    +L:	bpf@vger.kernel.org
    +F:	kernel/bpf/map_iter_stats.c
    ```

    ## Fix
    One tab after the colon, and the fields in the order above (`scripts/parse-maintainers.pl`
    re-sorts a file).
    """
    for file in patch.files:
        if file.path != "MAINTAINERS":
            continue
        prev = None
        for hunk in file.hunks:
            for line in hunk.lines:
                if line.kind == "-":
                    continue
                if line.kind == "+":
                    for message in _maintainers_style_problems(line.text, prev):
                        yield Hit.at(line, file, message)
                prev = line.text
