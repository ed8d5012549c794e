"""Subject line checks: its length, the tree tag, and the shape of the `[PATCH ...]` prefix."""

from __future__ import annotations

import re

from . import CHECK, WARNING, Hit, check
from ._history import history_of
from ..lazy_regex import lazy
from ..maintainers import TAGGED_TREES
from ..profiles import BPF, NETDEV, TREE_TAGS, file_profiles, governing, governing_entries

SUMMARY_LIMIT = 75
_REVERT = lazy(r'^Revert "(.*)"$')


@check("SUBJECT_TOO_LONG", level=WARNING)
def subject_too_long(patch, ctx):
    """The subject's summary (after the `[PATCH ...]` prefix) is longer than 75 characters.

    ## What it does
    Counts the characters of the summary, the part of the subject after the bracketed prefix, and
    reports it when it is over 75. A revert (`Revert "<subject>"`, as `git revert` writes it) is
    left alone: it quotes the reverted subject, which it must keep word for word.

    ## Why is this bad?
    The summary becomes the commit's one-line title in `git log --oneline`, in shortlogs and in
    `Fixes:` tags. Maintainers ask for it to be short and to move detail into the body; the
    BPF_HELPER patch to `scripts/bpf_doc.py` was sent back for exactly this.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] scripts/bpf_doc.py: wrap every helper declaration in a BPF_HELPER macro so loaders can bind by name

    Loaders that bind helpers by name need each declaration in a form
    they can find.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf_doc: emit helper declarations through BPF_HELPER()

    Loaders that bind helpers by name need each declaration in a form
    they can find: wrap every one in a BPF_HELPER() macro.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Keep the summary to what changed, in 75 characters or fewer, and move the detail (here: the
    loader's late binding) into the commit message.
    """
    if patch.summary is None or patch.is_cover_letter:
        return
    if _REVERT.match(patch.summary):
        return  # git revert quotes the reverted subject, which must stay word for word
    length = len(patch.summary)
    if length > SUMMARY_LIMIT:
        yield Hit.on_subject(patch, f"Subject summary is {length} characters, over {SUMMARY_LIMIT}: "
                                  f"move the detail into the commit message")


_SERIES_NAMES = lazy(r"; the rest of the series names ([a-z][a-z0-9._-]*)\)$")
# the PATCH (or RFC PATCH) word of the first bracket of a plain, one-line Subject: header
_PATCH_WORD_AT = lazy(r"^(Subject: \[(?:[^\]=]*[\s,])?)(PATCH)(v([0-9]+))?(?=[\s,\]])", re.IGNORECASE)


def _fix_tree_prefix(text, finding, path):
    """The tree the rest of the series names, after PATCH (as `--subject-prefix='PATCH net-next'`
    writes it); None where no other patch of the series says which tree (net or net-next is the
    author's call)."""
    named = _SERIES_NAMES.search(finding.message)
    match = _PATCH_WORD_AT.match(text)
    if path or named is None or match is None or match.group(3) or "=?" in text:
        return None
    return text[:match.end(2)] + " " + named.group(1) + text[match.end(2):]


def _fix_glued_version(text, finding, path):
    """`[PATCHv5 ...]` written `[PATCH v5 ...]`, the one prefix problem with a certain fix."""
    match = _PATCH_WORD_AT.match(text)
    if path or match is None or match.group(3) is None or "=?" in text or "PATCHV" not in finding.message.upper():
        return None
    return text[:match.end(2)] + " v" + match.group(4) + text[match.end(3):]


def _series_tree(patch, ctx, wanted):
    """The one wanted tree the series' other patches (the cover letter included) name, or None."""
    named = {tree for tree, naming in ctx.once(_patches_naming).items() if any(other is not patch for other in naming)}
    named &= {tag[len(OWN):] if tag.startswith(OWN) else tag for tag in wanted}
    return named.pop() if len(named) == 1 else None


def _patches_naming(ctx) -> dict[str, list]:
    """{tree: the series' patches whose prefix names it}, once per run: each patch asks which trees
    the others name, and reading the whole series each time made a 123-patch series cost 10 ms."""
    naming: dict[str, list] = {}
    for other in ctx.series:
        if other.prefix is not None and other.prefix.tree is not None:
            naming.setdefault(other.prefix.tree.lower(), []).append(other)
    return naming


@check("SUBJECT_TREE_PREFIX", level=WARNING, fix=_fix_tree_prefix)
def subject_tree_prefix(patch, ctx):
    """The subject names no tree, where the files' maintainers ask for one (`[PATCH net-next]`).

    ## What it does
    Looks up the patch's files in the tree's MAINTAINERS (`--tree`, or the git tree around the
    current directory; without one, nothing is reported). For files governed by
    maintainer-netdev.rst (an entry lists netdev@vger.kernel.org or names the document in `P:`) or
    by bpf_devel_QA.rst (an entry lists bpf@vger.kernel.org), the `[PATCH ...]` prefix must name a
    tree. The message suggests net or net-next for netdev files, bpf or bpf-next for bpf files (and
    net or net-next, which bpf_devel_QA.rst accepts); where the file's most specific entry with
    kernel.org trees has trees of its own (netfilter's nf and nf-next, Intel's net-queue and
    next-queue), it names those. An entry whose trees live elsewhere (MPTCP's on GitHub) still
    follows netdev's tags. Any tree named is accepted ([PATCH iwl-net], a driver patch in a bpf-next
    series): which tree is right is TREE_SELECTION's question. A backport naming a stable release
    (`[PATCH 6.6.y]`) is left alone.

    ## Why is this bad?
    Documentation/process/maintainer-netdev.rst: "designate your patch to a tree - ``[PATCH net]``
    or ``[PATCH net-next]``". Documentation/bpf/bpf_devel_QA.rst: for bpf fixes and features "the
    subject must look like" `[PATCH bpf]` / `[PATCH bpf-next]`, and "it is not a problem either if
    the subject line says net or net-next as target". Patchwork and the CI pick the tree from the
    subject; a patch without one is tested against the wrong tree or bounced.

    ## Example
    ```bad tree
    Subject: [PATCH] bpf: Drop a stale comment

    The comment names a helper that was removed.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good tree
    Subject: [PATCH bpf-next] bpf: Drop a stale comment

    The comment names a helper that was removed.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    `git format-patch --subject-prefix='PATCH net-next'` (or net, bpf, bpf-next, or the sub-tree's
    own tag such as nf-next or iwl-net). In an mbox whose other patches name the tree, `patchflow
    fix` adds it.
    """
    if patch.prefix is None or not patch.files or ctx.maintainers is None:
        return
    wanted, statements = [], []
    for file in patch.files:
        tags, statement = _tree_tags(file.path, ctx)
        wanted += [tag for tag in tags if tag not in wanted]
        statements += [statement] if statement is not None else []
    if not wanted:
        return
    words = [w.lower() for w in patch.prefix.words]
    # [PATCH -net]: net, as older mails wrote it
    dashed = any(w.startswith("-") and w[1:2].isalpha() for w in words)
    if any(tree in words for tree in wanted) or patch.prefix.tree is not None or dashed:
        # a tree is designated: a sub-tree's own tag ([PATCH iwl-net], [PATCH nf-next]) or a driver
        # patch in a bpf-next series; which tree is right is TREE_SELECTION's question
        return
    if any(_STABLE_RELEASE.match(w) for w in words):
        return  # a backport names the stable release it is for ([PATCH 6.6.y]), not bpf or net
    why = "; ".join(sorted({s.why() for s in statements}))
    series_tree = _series_tree(patch, ctx, wanted)
    why += f"; the rest of the series names {series_tree}" if series_tree else ""
    if all(tag.startswith(OWN) for tag in wanted):
        trees = ", ".join(tag[len(OWN):] for tag in wanted)
        yield Hit.on_subject(patch, f"Subject prefix should name the tree the patch is for: MAINTAINERS "
                                  f"names {trees} (e.g. [PATCH {series_tree or wanted[-1][len(OWN):]}]; {why})")
        return
    wanted = [tag for tag in wanted if not tag.startswith(OWN)]
    suggested = series_tree or ("bpf-next" if any(s.profile == BPF for s in statements) else "net-next")
    yield Hit.on_subject(patch, f"Subject prefix should name the tree: one of {', '.join(wanted)} "
                              f"(e.g. [PATCH {suggested}]; {why})")


OWN = "own:"  # marks the trees of a file's own entry (nf, nf-next), whose subject tags vary


def _tree_tags(path: str, ctx):
    """(the tree tags a patch to path may carry, the statement that asks for one), or ([], None).

    Where the file's most specific entry with kernel.org trees (`T:`) names trees of its own
    (netfilter's nf and nf-next, wireless-next, Intel's net-queue and next-queue), those, marked OWN:
    their maintainers' subject tags differ from the trees' names (iwl-net for net-queue), so any tree
    named in the prefix is taken. An entry whose trees live elsewhere (MPTCP's on GitHub) still
    follows netdev's tags.
    """
    own = next((entry for entry in governing_entries(ctx.maintainers, path) if entry.kernel_org_trees), None)
    statement = governing("SUBJECT_TREE_PREFIX", file_profiles(path, ctx))
    if statement is None:
        return [], None
    if own is not None and not set(own.kernel_org_trees) & set(TAGGED_TREES):
        return [OWN + tree for tree in own.kernel_org_trees], statement
    profiles = file_profiles(path, ctx)
    tags = [tag for profile in (BPF, NETDEV) if profile in profiles for tag in TREE_TAGS[profile]]
    return list(dict.fromkeys(tags)), statement


# [PATCH 6.6.y], [PATCH 6.1], [PATCH 5.15.170], [PATCH stable]: a backport for a stable tree
_STABLE_RELEASE = lazy(r"^(?:stable|\d+\.\d+(?:\.y|\.\d+)?)$")
_GLUED_VERSION = lazy(r"^patchv\d+$", re.IGNORECASE)  # PATCHv5; PATCH1/8 Patchwork reads


@check("SUBJECT_PREFIX_FORMAT", level=WARNING, fix=_fix_glued_version)
def subject_prefix_format(patch, ctx):
    """The `[PATCH ...]` prefix is one that Patchwork or b4 would misread.

    ## What it does
    Reports only what breaks the parsing of the version, the numbering or the series:
    - `PATCHv5` glued together: Patchwork takes a version only from a separate `v<N>` word, and
      files the patch as version 1;
    - a number outside its total (`4/3`, `1/0`): Patchwork and b4 wait for patches that cannot come;
    - in a series of several patches, a patch without its `i/n`: each is taken for a series of its
      own.
    Forms both tools read are left alone: the version before the tree (`[PATCH v2 bpf-next]`), `v1`,
    lower-case `patch`, words split by commas (`[PATCH bpf,v2,1/2]`).

    ## Why is this bad?
    Patchwork (patchwork/parser.py: parse_version, parse_series_marker) and b4 group a series and
    its versions by these words; the netdev and bpf CI test what Patchwork assembled. A misread
    prefix splits the series, or files v5 as a new v1.

    ## Example
    ```bad
    Subject: [PATCHv2 bpf-next] bpf: Show an example

    Show one rule of patchflow on a small change.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next v2] bpf: Show an example

    Show one rule of patchflow on a small change.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    `git format-patch -v2 --subject-prefix='PATCH bpf-next'` writes `[PATCH bpf-next v2 1/3]`;
    `patchflow fix` rewrites a glued `[PATCHv2]` in a patch file.
    """
    prefix = patch.prefix
    if prefix is None or not prefix.words:
        return
    problems = []
    glued = next((w for w in prefix.words if _GLUED_VERSION.match(w)), None)
    if glued is not None:
        problems.append(f"Patchwork reads {glued} as version 1 (it takes only a separate v<N>): "
                        f"write [PATCH v{glued[6:]}]")
    if prefix.total is not None and (prefix.number > prefix.total or prefix.total == 0):
        problems.append(f"{prefix.number}/{prefix.total} is outside its total: Patchwork and b4 wait for "
                        f"patches that cannot come")
    if prefix.total is None and patch.files:
        others = [p for p in ctx.series if p is not patch and p.files and p.source == patch.source] or \
                 [p for p in ctx.series if p is not patch and p.files]
        if others:
            problems.append("without i/n numbers Patchwork and b4 take each patch for a series of its own: "
                            "number them (git format-patch -n)")
    if problems:
        yield Hit.on_subject(patch, "Subject prefix " + prefix.raw + ": " + "; ".join(problems))


LEARNED_COMMITS = 20  # the last commits to the touched files that the summary prefix is learned from
MIN_LEARNED = 3  # fewer commits than this teach no habit
_SUMMARY_PREFIX = lazy(r"^([^\s:][^:]*?):\s")


def _component(summary: str):
    """The component prefix of a summary, `selftests/bpf` of "selftests/bpf: Add ...", or None."""
    found = _SUMMARY_PREFIX.match(summary or "")
    if found is None or len(found.group(1)) > 40 or found.group(1).startswith(("Revert", "Merge")):
        return None
    return found.group(1).strip()


def _words(component: str) -> set:
    """The names in a component prefix: "bpf, sockmap" and "net/sched" are two each."""
    return {word for word in re.split(r"[,\s]+", component.lower()) if word}


@check("SUMMARY_PREFIX", level=CHECK)
def summary_prefix(patch, ctx):
    """The summary's component prefix is none of those the files' recent commits use.

    ## What it does
    With a kernel tree that has history (`--tree PATH`), reads the subjects of the last 20 commits
    that touched the patch's files (`git log -20 --no-merges -- FILES`) and takes the part of each
    before its first `: ` (`selftests/bpf`, `libbpf`, `bpftool`, `net/sched`, `ice`). When the
    patch's own prefix names none of them (`bpf:` where the files' commits say `selftests/bpf:`), it
    is reported at CHECK level with the prefixes used and a commit they come from. Without history
    (a tree of one commit, a shallow clone) or with fewer than 3 such commits, nothing is reported.

    ## Why is this bad?
    Documentation/process/submitting-patches.rst: "The canonical patch subject line is: Subject:
    [PATCH 001/123] subsystem: summary phrase"; Documentation/process/maintainer-tip.rst: "The
    condensed patch description in the subject line should start with a prefix which denotes the
    subsystem". Which prefix a subsystem uses is written nowhere but in its history, and
    maintainers ask for it: `selftests/bpf:` rather than `bpf:` on a selftest, `libbpf:` on
    tools/lib/bpf, `bpftool:` on tools/bpf/bpftool.

    ## Example
    On a tree whose last three commits to tools/testing/selftests/bpf/test_maps.c all say
    `selftests/bpf:` (the docs' small history), a patch to that file titled `bpf:`:

    ```bad tree=history
    Subject: [PATCH bpf-next] bpf: Test maps with empty values

    Check that a map accepts an update with an empty value.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/tools/testing/selftests/bpf/test_maps.c b/tools/testing/selftests/bpf/test_maps.c
    index 1111111..2222222 100644
    --- a/tools/testing/selftests/bpf/test_maps.c
    +++ b/tools/testing/selftests/bpf/test_maps.c
    @@ -1 +1,2 @@
     /* step 2 */
    +/* checks of empty map values */
    ```

    ```good tree=history
    Subject: [PATCH bpf-next] selftests/bpf: Test maps with empty values

    Check that a map accepts an update with an empty value.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/tools/testing/selftests/bpf/test_maps.c b/tools/testing/selftests/bpf/test_maps.c
    index 1111111..2222222 100644
    --- a/tools/testing/selftests/bpf/test_maps.c
    +++ b/tools/testing/selftests/bpf/test_maps.c
    @@ -1 +1,2 @@
     /* step 2 */
    +/* checks of empty map values */
    ```

    ## Fix
    Use the prefix `git log --oneline -- FILE` shows for the file: `selftests/bpf: Add ...`.
    """
    own = _component(patch.summary)
    if own is None or patch.is_cover_letter or not patch.files:
        return
    history = history_of(ctx)
    if history is None or history.why_unanswerable():
        return  # no history, no habit to learn
    paths = [file.path for file in patch.files]
    learned = [(commit, subject, _component(subject)) for commit, subject in
               history.recent_subjects(paths, LEARNED_COMMITS)]
    learned = [(commit, subject, component) for commit, subject, component in learned if component]
    if len(learned) < MIN_LEARNED:
        return
    mine = _words(own)
    if any(own.lower() == component.lower() or mine & _words(component) for _, _, component in learned):
        return
    counts = {}
    for _, _, component in learned:
        counts[component] = counts.get(component, 0) + 1
    used = ", ".join(f"{component}: ({n})" for component, n in sorted(counts.items(), key=lambda kv: -kv[1])[:4])
    commit, subject, _ = learned[0]
    yield Hit.on_subject(patch, f"Summary prefix '{own}:' is none of those of the last {len(learned)} commits to "
                              f"these files: {used}; e.g. {commit} (\"{subject}\")")
