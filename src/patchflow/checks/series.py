"""Series checks: the `i/n` numbers, the prefix shared by every patch, the cover letter, and the
series size the netdev and bpf maintainers accept.

A series is the patches given on one command line (several files, or one mbox of several mails).
"""

from __future__ import annotations

from collections import Counter

from . import WARNING, Hit, check
from ._house import is_pull_request, patch_tree
from ..profiles import governing, patch_profiles, reportable

SERIES_LIMIT = 15  # maintainer-netdev.rst: "Avoid sending series longer than 15 patches"


def _is_cover(patch) -> bool:
    """The 0/n mail, with or without a diff of its own (an interdiff to the last version)."""
    return patch.prefix is not None and patch.prefix.number == 0


def _cover_letter(series):
    return next((p for p in series if _is_cover(p)), None)


def _label(patch):
    return patch.prefix.raw if patch.prefix is not None and patch.prefix.raw else (patch.subject or patch.name)


@check("SERIES_NUMBERING", level=WARNING, scope="series")
def series_numbering(series, ctx):
    """The `i/n` numbers of a series have gaps, repeats, or totals that disagree.

    ## What it does
    Looks at the numbered patches given together (`1/3`, `2/3`, ...; the cover letter `0/3`
    included) and reports a patch whose total differs from the series' (the cover letter's, else
    the most common one), a number given twice, and the numbers missing from `1..n`. A single
    patch checked on its own is not a series: its missing siblings are not reported.

    ## Why is this bad?
    Patchwork, b4 and the bpf/netdev CI assemble a series from these numbers. A gap or a wrong total
    leaves the series incomplete in Patchwork, so CI never runs and maintainers wait for the rest;
    a repeat usually means a patch from an older version was sent along.

    ## Example
    Patch 2/3 is missing and the last patch counts to 4:

    ```bad
    Subject: [PATCH bpf-next 0/3] bpf: The example map

    A map type for the examples, and a test of it.
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 1/3] bpf: Add the example map

    Add a map type that later patches fill in.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 3/4] selftests/bpf: Test the example map

    Create, update and free an example map.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next 0/3] bpf: The example map

    A map type for the examples, and a test of it.
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 1/3] bpf: Add the example map

    Add a map type that later patches fill in.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 2/3] bpf: Free the example map

    Free the map's elements when the map goes away.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 3/3] selftests/bpf: Test the example map

    Create, update and free an example map.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Send every patch of one `git format-patch --cover-letter -n` run, and only those; after a
    patch is dropped or added, format the whole series again rather than renaming files.
    """
    numbered = series.numbered
    if len(numbered) < 2:
        return
    cover = _cover_letter(series)
    total = cover.prefix.total if cover is not None else Counter(p.prefix.total for p in numbered).most_common(1)[0][0]
    for patch in numbered:
        if patch.prefix.total != total:
            yield Hit.on_subject(patch, f"{_label(patch)}: numbered of {patch.prefix.total}, "
                                     f"but the series has {total} patches")
    seen = {}
    for patch in numbered:
        number = patch.prefix.number
        if number in seen:
            yield Hit.on_subject(patch, f"{_label(patch)}: patch {number}/{total} given twice "
                                     f"(also {seen[number].name})")
        else:
            seen[number] = patch
    missing = [n for n in range(1, total + 1) if n not in seen]
    if missing and len(missing) < total:
        listed = ", ".join(f"{n}/{total}" for n in missing)
        first = cover or numbered[0]
        yield Hit.on_subject(first, f"series of {total} patches lacks {listed}")


def _identity(patch):
    prefix = patch.prefix
    return (prefix.tree.lower() if prefix.tree else None, prefix.version or 1, prefix.rfc)


def _describe(identity):
    tree, version, rfc = identity
    words = (["RFC"] if rfc else []) + [tree or "no tree"] + [f"v{version}" if version > 1 else "no version"]
    return " ".join(words)


@check("SERIES_PREFIX_MISMATCH", level=WARNING, scope="series")
def series_prefix_mismatch(series, ctx):
    """Patches of one series name different trees, versions or RFC status in their prefix.

    ## What it does
    Compares the `[PATCH ...]` prefix of every patch given together with the cover letter's (or the
    first patch's) and reports a patch whose tree tag (`bpf-next`, `net`), version (`v2`) or RFC
    mark differs.

    ## Why is this bad?
    A series is applied to one tree, as one version. Patchwork groups mails by version and the
    bpf/netdev CI picks the tree from the prefix, so a patch with another tag or version falls out
    of its series; it also suggests patches from two runs of `git format-patch` were mixed.

    ## Example
    Patch 2/2 is left from the first version (no `v2`), sent along with the second:

    ```bad
    Subject: [PATCH bpf-next v2 0/2] bpf: The example map

    A map type for the examples, and a test of it.
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next v2 1/2] bpf: Add the example map

    Add a map type that later patches fill in.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 2/2] selftests/bpf: Test the example map

    Create, update and free an example map.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next v2 0/2] bpf: The example map

    A map type for the examples, and a test of it.
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next v2 1/2] bpf: Add the example map

    Add a map type that later patches fill in.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next v2 2/2] selftests/bpf: Test the example map

    Create, update and free an example map.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Format the whole series in one run, so that every prefix is alike:
    `git format-patch --cover-letter --subject-prefix='PATCH bpf-next' -v2 BASE..`.
    """
    patches = [p for p in series if p.prefix is not None and p.prefix.is_patch]
    if len(patches) < 2:
        return
    reference = _cover_letter(series) or patches[0]
    if reference.prefix is None or not reference.prefix.is_patch:
        reference = patches[0]
    expected = _identity(reference)
    for patch in patches:
        if patch is reference:
            continue
        found = _identity(patch)
        if found != expected:
            yield Hit.on_subject(patch, f"{_label(patch)} ({_describe(found)}) differs from "
                                     f"{_label(reference)} ({_describe(expected)}) in the same series")


@check("COVER_LETTER_MISSING", level=WARNING, scope="series")
def cover_letter_missing(series, ctx):
    """A series of several patches to a bpf tree has no cover letter (`0/n`).

    ## What it does
    Reports, on the first patch, a series of more than one patch given together without a `0/n`
    mail, where a profile of the series asks for one: its files are under bpf@vger.kernel.org
    (MAINTAINERS) or its subject names bpf or bpf-next. The 6.12 maintainer-netdev.rst asks for no
    cover letter, so a netdev series without one is left alone. A `0/n` mail that carries an
    interdiff is still the cover letter.

    ## Why is this bad?
    Documentation/bpf/bpf_devel_QA.rst: "Patch submissions with >1 patch must have a cover letter
    which includes a high level description of the series. This high level summary will then be
    placed into the merge commit by the BPF maintainers such that it is also accessible from the git
    log for future reference."

    ## Example
    ```bad
    Subject: [PATCH bpf-next 1/2] bpf: Show an example

    Show one rule of patchflow on a small change.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 2/2] bpf: Show another example

    Show another rule of patchflow on a small change.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next 0/2] bpf: Show two examples

    Two small changes that show patchflow's rules.
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 1/2] bpf: Show an example

    Show one rule of patchflow on a small change.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next 2/2] bpf: Show another example

    Show another rule of patchflow on a small change.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    `git format-patch --cover-letter`, and write the series' title and summary into it
    (`patchflow format --cover-letter FILE` fills it in).
    """
    with_diff = [p for p in series if p.files and not _is_cover(p)]
    if len(with_diff) < 2 or _cover_letter(series) is not None:
        return
    statement = governing("COVER_LETTER_MISSING", patch_profiles(with_diff, ctx))
    if not reportable(statement, ctx):
        return  # maintainer-netdev.rst (6.12) asks for none; bpf_devel_QA.rst does
    # the series' own count when its i/n numbers agree on one (some of its patches may be left out)
    totals = {p.prefix.total for p in with_diff if p.prefix is not None and p.prefix.total}
    count = totals.pop() if len(totals) == 1 else len(with_diff)
    yield Hit.on_subject(with_diff[0], f"series of {count} patches has no cover letter "
                                    f"(0/{count}): git format-patch --cover-letter ({statement.why()})")


@check("SERIES_TOO_LONG", level=WARNING, scope="series")
def series_too_long(series, ctx):
    """A series of more than 15 patches where maintainer-netdev.rst governs.

    ## What it does
    Counts the patches of the series (the files given on one command line, cover letter left out;
    or the `n` of `i/n` in their subjects when that is larger) and reports a series of more than 15
    patches whose files MAINTAINERS puts under netdev's document (netdev@vger.kernel.org, or
    maintainer-netdev.rst in `P:`), or whose subject names net or net-next. bpf_devel_QA.rst states
    no limit: a bpf-only series is left alone. A pull request posted as patches (its cover letter is
    `git request-pull`'s text) is the sub-tree's, not a contributor's series, and is left alone. The
    finding is on the first patch (the cover letter when there is one).

    ## Why is this bad?
    Documentation/process/maintainer-netdev.rst: "Avoid sending series longer than 15 patches.
    Larger series takes longer to review as reviewers will defer looking at it until they find a
    large chunk of time. A small series can be reviewed in a short time, so Maintainers just do it.
    As a result, a sequence of smaller series gets merged quicker and with better review coverage."

    ## Example
    ```bad
    Subject: [PATCH net-next 00/16] net: convert drivers to the new queue API

    Sixteen drivers move to the new queue API.
    ```

    ```good
    Subject: [PATCH net-next 00/09] net: convert drivers to the new queue API, part 1

    Nine drivers move to the new queue API.
    ```

    ## Fix
    Split the series into parts of at most 15 patches that each stand alone, and post the next
    when the one before it is merged.
    """
    patches = [p for p in series if not p.is_cover_letter]
    statement = governing("SERIES_TOO_LONG", patch_profiles(series, ctx))
    if not reportable(statement, ctx):
        return  # the limit is netdev's: bpf_devel_QA.rst states none
    totals = [p.prefix.total for p in series if p.prefix is not None and p.prefix.total is not None]
    count = max([len(patches), *totals])
    if count <= SERIES_LIMIT or is_pull_request(series):
        return
    first = next((p for p in series if p.is_cover_letter), series.patches[0])
    trees = {patch_tree(p) for p in series} - {None}
    where = f" to {', '.join(sorted(trees))}" if trees else " to netdev"
    yield Hit.on_subject(first, f"Series of {count} patches{where}: netdev takes at most "
                              f"{SERIES_LIMIT} at a time; split it into smaller series ({statement.why()})")
