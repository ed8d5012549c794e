"""Subject line checks: its length, the tree tag, and the shape of the `[PATCH ...]` prefix."""

from __future__ import annotations

import re

from . import CHECK, WARNING, Hit, check
from ._history import history_of
from ..maintainers import TAGGED_TREES
from ..profiles import BPF, NETDEV, TREE_TAGS, file_profiles, governing, governing_entries

SUMMARY_LIMIT = 75
_REVERT = re.compile(r'^Revert "(.*)"$')


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
        Subject: [PATCH bpf-next] scripts/bpf_doc.py: wrap every helper declaration in a BPF_HELPER macro so loaders can bind by name

    ## Use instead
        Subject: [PATCH bpf-next] bpf_doc: emit helper declarations through BPF_HELPER()

    and explain the loader's late binding in the commit message.
    """
    if patch.summary is None or patch.is_cover_letter:
        return
    if _REVERT.match(patch.summary):
        return  # git revert quotes the reverted subject, which must stay word for word
    length = len(patch.summary)
    if length > SUMMARY_LIMIT:
        yield Hit.on_subject(patch, f"Subject summary is {length} characters, over {SUMMARY_LIMIT}: "
                                  f"move the detail into the commit message")


@check("SUBJECT_TREE_PREFIX", level=WARNING)
def subject_tree_prefix(patch, ctx):
    """The subject lacks the tree tag (`[PATCH bpf-next]`) that the files' maintainers ask for.

    ## What it does
    Looks up the files the patch touches in the tree's MAINTAINERS. When an entry's `T:` lines name
    a tree whose maintainers route patches by subject tag (bpf, bpf-next, net, net-next), the
    subject prefix must name one of them; a backport that names a stable release instead
    (`[PATCH 6.6.y]`) is left alone, and so is a file whose most specific entry with `T:` lines
    names trees of its own (netfilter's nf/nf-next under net/). Where an entry lists
    bpf@vger.kernel.org, the bpf trees are accepted too (AF_XDP goes through either). MAINTAINERS comes from `--tree PATH` or from the git work
    tree around the current directory; without one, nothing is reported.

    ## Why is this bad?
    The bpf and netdev maintainers apply patches to two trees, the fixes tree (bpf, net) and the
    development tree (bpf-next, net-next), and their CI picks the tree from the subject. A patch
    without the tag is bounced or tested against the wrong tree
    (Documentation/process/maintainer-netdev.rst: "designate your patch to a tree").

    ## Example
        Subject: [PATCH] bpf_doc: emit helper declarations through BPF_HELPER()

    ## Use instead
        Subject: [PATCH bpf-next] bpf_doc: emit helper declarations through BPF_HELPER()
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
    if any(tree in words for tree in wanted) or patch.prefix.tree is not None:
        # a tree is designated: a sub-tree's own tag ([PATCH iwl-net], [PATCH nf-next]) or a driver
        # patch in a bpf-next series; which tree is right is TREE_SELECTION's question
        return
    if any(_STABLE_RELEASE.match(w) for w in words):
        return  # a backport names the stable release it is for ([PATCH 6.6.y]), not bpf or net
    why = "; ".join(sorted({s.why() for s in statements}))
    if all(tag.startswith(OWN) for tag in wanted):
        trees = ", ".join(tag[len(OWN):] for tag in wanted)
        yield Hit.on_subject(patch, f"Subject prefix should name the tree the patch is for: MAINTAINERS "
                                  f"names {trees} (e.g. [PATCH {wanted[-1][len(OWN):]}]; {why})")
        return
    wanted = [tag for tag in wanted if not tag.startswith(OWN)]
    suggested = "bpf-next" if any(s.profile == BPF for s in statements) else "net-next"
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
_STABLE_RELEASE = re.compile(r"^(?:stable|\d+\.\d+(?:\.y|\.\d+)?)$")
_GLUED_VERSION = re.compile(r"^patchv\d+$", re.IGNORECASE)  # PATCHv5; PATCH1/8 Patchwork reads


@check("SUBJECT_PREFIX_FORMAT", level=WARNING)
def subject_prefix_format(patch, ctx):
    """The `[PATCH ...]` prefix is not in the form `[PATCH <tree> v<N> <i>/<n>]`.

    ## What it does
    Reports a prefix written `[PATCHv2]` or `[patch]`, a version that stands before the tree name
    (`[PATCH v2 bpf-next]`), a version `v1` (version 1 carries no number), a number outside its
    total (`4/3`), and, in a series of several patches, a patch without its `i/n` number.

    ## Why is this bad?
    Patchwork and the netdev/bpf CI parse the prefix to group a series and to pick the tree; b4 and
    `git format-patch --subject-prefix` write it in this one order. Odd prefixes split a series in
    Patchwork or send it to the wrong tree.

    ## Example
        Subject: [PATCHv2 bpf-next 1/2] bpf_doc: ...
        Subject: [PATCH v2 bpf-next 1/2] bpf_doc: ...

    ## Use instead
        Subject: [PATCH bpf-next v2 1/2] bpf_doc: ...
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
_SUMMARY_PREFIX = re.compile(r"^([^\s:][^:]*?):\s")


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
    is reported at CHECK level with the prefixes used and the commits they come from. Without
    history (a tree of one commit, a shallow clone) or with fewer than 3 such commits, nothing is
    reported; a revert keeps the reverted subject and is left alone.

    ## Why is this bad?
    Documentation/process/submitting-patches.rst: "The canonical patch subject line is: Subject:
    [PATCH 001/123] subsystem: summary phrase", and maintainer-tip.rst: "The condensed patch
    description in the subject line should start with a prefix which denotes the subsystem". Which
    prefix a subsystem uses is written nowhere but in its history, and maintainers ask for it:
    `selftests/bpf:` rather than `bpf:` on a selftest, `libbpf:` on tools/lib/bpf, `bpftool:` on
    tools/bpf/bpftool. `git log --oneline -- FILE` shows it.

    ## Example
        Subject: [PATCH bpf-next] bpf: Add a test for empty map values
        (a patch to tools/testing/selftests/bpf/, whose commits say selftests/bpf:)

    ## Use instead
        Subject: [PATCH bpf-next] selftests/bpf: Add a test for empty map values
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
