"""Subject line checks: its length, the tree tag, and the shape of the `[PATCH ...]` prefix."""

from __future__ import annotations

import re

from . import WARNING, Hit, check

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
    if patch.prefix is None or not patch.files:
        return
    maintainers = ctx.maintainers
    if maintainers is None:
        return
    wanted = []
    for file in patch.files:
        for tree in _routing_trees(maintainers, file.path):
            if tree not in wanted:
                wanted.append(tree)
    if not wanted:
        return
    words = [w.lower() for w in patch.prefix.words]
    if any(tree in words for tree in wanted):
        return
    if any(_STABLE_RELEASE.match(w) for w in words):
        return  # a backport names the stable release it is for ([PATCH 6.6.y]), not bpf or net
    yield Hit.on_subject(patch, f"Subject prefix should name the tree: one of {', '.join(wanted)} "
                              f"(e.g. [PATCH {wanted[-1]}]), from MAINTAINERS T: lines")


def _routing_trees(maintainers, path: str) -> list:
    """The tag-routed trees (bpf, net, ...) a patch to path may name: none when the file's most
    specific entry with `T:` lines has trees of its own (netfilter's nf and nf-next, the NFS or CAN
    trees), which pick their patches by other tags; the bpf trees too when an entry lists the bpf
    list (AF_XDP, whose own entry names no tree, goes through bpf-next as well as net-next), when
    the file is routed by tag at all."""
    from ..maintainers import TAGGED_TREES

    entries = maintainers.entries_for(path)
    first_with_trees = next((e for e in entries if e.trees and e.title != "THE REST"), None)
    if first_with_trees is not None and not set(first_with_trees.trees) & set(TAGGED_TREES):
        return []
    trees = maintainers.tagged_trees_for(path)
    if trees and any(address == "bpf@vger.kernel.org" for e in entries for address in e.lists):
        trees += [t for t in ("bpf", "bpf-next") if t not in trees]
    return trees


# [PATCH 6.6.y], [PATCH 6.1], [PATCH 5.15.170], [PATCH stable]: a backport for a stable tree
_STABLE_RELEASE = re.compile(r"^(?:stable|\d+\.\d+(?:\.y|\.\d+)?)$")
_GLUED = re.compile(r"^patch(v\d+|\d+/\d+)$", re.IGNORECASE)


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
    words = prefix.words
    problems = []
    if any(_GLUED.match(w) for w in words):
        problems.append("write PATCH and the version apart ([PATCH v2], not [PATCHv2])")
    if any(w.lower() == "patch" and w != "PATCH" for w in words):
        problems.append("write PATCH in capitals")
    lowered = [w.lower() for w in words]
    version_at = next((i for i, w in enumerate(lowered) if re.fullmatch(r"v\d+", w)), None)
    tree_at = lowered.index(prefix.tree.lower()) if prefix.tree else None
    if version_at is not None and tree_at is not None and version_at < tree_at:
        problems.append(f"put the tree before the version ([PATCH {prefix.tree} v{prefix.version}])")
    if prefix.version == 1:
        problems.append("leave out v1: the first version has no number")
    if prefix.total is not None and (prefix.number > prefix.total or prefix.total == 0):
        problems.append(f"{prefix.number}/{prefix.total} is outside its total")
    if prefix.total is None and patch.files:
        others = [p for p in ctx.series if p is not patch and p.files and p.source == patch.source] or \
                 [p for p in ctx.series if p is not patch and p.files]
        if others:
            problems.append("number the patches of a series (i/n)")
    if problems:
        yield Hit.on_subject(patch, "Subject prefix " + prefix.raw + ": " + "; ".join(problems))
