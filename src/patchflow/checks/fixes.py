"""The `Fixes:` tag rules of netdev and bpf: a fix carries the tag, the tag names a real commit by
its real subject, and the fix goes to the tree that holds the bug.

The tag's format (12 hex digits, quoted subject) is BAD_FIXES_TAG's (checks/commit_log.py); these read
what the tag says and, with a kernel tree, check it against the tree's history.
"""

from __future__ import annotations

import re

from . import CHECK, ERROR, WARNING, Hit, check
from ._brackets import balanced_end
from ._fix_signs import describes_fix, fixes_only_text, sounds_like_a_fix
from ._history import history_of
from ._house import NEXT_TREES, is_fixes_tree, is_next_tree, is_pull_request, patch_tree
from ..maintainers import FIXES_TREES
from ..profiles import NETDEV, governing, patch_profiles
from ..records import record
from ..lazy_regex import lazy

# a line that names a fixed commit, as lenient as BAD_FIXES_TAG reads it: "fixes commit abc12", "Fixes abc12"
_FIXES_LINE = lazy(r"^\s*(?P<key>fixes:?)\s*(?P<word>commit\s*)?(?P<id>[0-9a-f]{4,40})(?P<rest>.*)$", re.IGNORECASE)
@record
class FixesTag:
    """A line of a commit message that names a fixed commit: the one reading of `Fixes:` lines,
    BAD_FIXES_TAG's (how it is written) and VERIFY_FIXES's and TREE_SELECTION's (what it names)."""

    commit: str  # the hex id as written, lower case
    subject: str | None  # the quoted subject, quotes removed; None when the tag has none
    patch_line: int
    key: str = "Fixes:"  # as written: "Fixes:", "fixes", ...
    commit_word: bool = False  # "Fixes: commit abc..."
    rest: str = ""  # what follows the id on the line

    @property
    def is_trailer(self) -> bool:
        """Written as a trailer: `Fixes: <id>`, then nothing or `(subject)` up to the line's end."""
        rest = self.rest.strip()
        return (self.key.lower() == "fixes:" and not self.commit_word and not self.rest[:1].isalnum()
                and self.rest[:1] != "_" and (not rest or (rest[0] == "(" and rest[-1] == ")")))

    def parenthesised(self) -> str | None:
        """The balanced `(...)` group right after the id, without its parentheses, or None."""
        rest = self.rest.lstrip()
        end = balanced_end(rest, 0) if rest.startswith("(") else None
        return rest[1:end - 1] if end is not None else None


def read_fixes_line(text: str, patch_line: int) -> FixesTag | None:
    """The FixesTag of a commit message line, or None when the line names no commit."""
    match = _FIXES_LINE.match(text)
    if not match:
        return None
    rest = match.group("rest")
    subject = None
    inner = rest.strip()
    if inner.startswith("(") and inner.endswith(")"):
        subject = inner[1:-1].strip()
        if len(subject) >= 2 and subject[0] == subject[-1] and subject[0] in "\"'":
            subject = subject[1:-1]
    return FixesTag(match.group("id").lower(), subject, patch_line, match.group("key"),
                    bool(match.group("word")), rest)


def fixes_tags(patch) -> list[FixesTag]:
    """The patch's `Fixes:` trailers whose value starts with a hex commit id."""
    tags = (read_fixes_line(f"Fixes: {trailer.value.strip()}", trailer.patch_line)
            for trailer in patch.trailer_values("Fixes"))
    return [tag for tag in tags if tag is not None and tag.is_trailer]


def _tag_hit(patch, tag: FixesTag, message: str, **kw) -> Hit:
    return Hit.on_patch_line(patch, tag.patch_line, message, **kw)


def _only_tests(patch) -> bool:
    return all(f.path.startswith("tools/testing/selftests/") for f in patch.files)


@check("FIXES_TAG_MISSING", level=WARNING)
def fixes_tag_missing(patch, ctx):
    """A fix without a `Fixes:` tag, where netdev's or bpf's document requires one.

    ## What it does
    Reports a patch whose subject names a fixes tree (net, bpf, and the sub-trees' nf, ipsec,
    wireless, iwl-net) and whose commit message has no `Fixes:` tag, unless it only adds or
    changes selftests and does not call itself a fix (the test sent along with a fix), only
    changes MAINTAINERS or Documentation/, or fixes only text ("fix all kernel-doc warnings"). In a
    pull request posted as patches (a `git request-pull` cover letter), a patch that does not call
    itself a fix is a CHECK: it may prepare the fix after it.

    A patch that names no tree but calls itself a fix is reported too where maintainer-netdev.rst
    governs its files (MAINTAINERS): its summary starts with "fix", "avoid", "prevent", "correct" or
    "restore", or names a bug class ("NULL pointer", "use-after-free", "race condition", ...); its
    description says it "fixes a bug", "a crash", "the problem", "Fix this by ...", "Without this
    change ...", names a bug ("uninitialized value", "may be NULL", "hangs") or quotes a crash
    report (`Call Trace:`, `BUG: `); or it has a `Reported-by:`. With `--strict` a net-next or
    bpf-next patch that calls itself a fix is reported at CHECK level: either it fixes a commit,
    which the tag should name, or it belongs to the fixes tree. Where checkpatch's
    MISSING_FIXES_TAG asks for the tag already (a crash report, `stable@`), this check says nothing.

    ## Why is this bad?
    Documentation/process/maintainer-netdev.rst: "for fixes the ``Fixes:`` tag is required,
    regardless of the tree". Documentation/bpf/bpf_devel_QA.rst: "fixes that go to bpf tree *must*
    have a ``Fixes:`` tag included". The stable team picks fixes for backporting by that tag.

    ## Example
    ```bad
    Subject: [PATCH net] bpf: Fix a leak of the example map

    The map is not freed on the error path.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH net] bpf: Fix a leak of the example map

    The map is not freed on the error path.

    Fixes: 0123456789ab ("bpf: Add the example map")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Add `Fixes: <12 hex digits> ("<subject>")` naming the commit that brought the bug, as
    `git log -1 --abbrev=12 --format='Fixes: %h ("%s")' COMMIT` prints it.
    """
    if patch.is_cover_letter or not patch.files or (patch.prefix is not None and patch.prefix.number == 0):
        return  # a cover letter, with or without the diff of a pull request
    if patch.trailer_values("Fixes"):
        return
    if patch.is_mail and ctx.options.reports("MISSING_FIXES_TAG") and ctx.once(_crash_sign, patch):
        return  # checkpatch's MISSING_FIXES_TAG asks for the tag already: one finding for one mistake
    tree = patch_tree(patch) or _own_tree(patch)
    if tree in FIXES_ONLY_TREES and _only_tests(patch) and not describes_fix(patch):
        return  # the test that comes with a fix ([PATCH bpf 2/2] selftests/bpf: Test ...) fixes nothing
    if tree in FIXES_ONLY_TREES and fixes_only_text(patch):
        return  # a fix of text ("fix all kernel-doc warnings") names no commit
    if tree in FIXES_ONLY_TREES and all(f.path == "MAINTAINERS" or f.path.startswith("Documentation/")
                                        for f in patch.files):
        return  # a change of who maintains what, or of the documents, fixes no commit
    if tree in FIXES_ONLY_TREES and is_pull_request(ctx.series) and not describes_fix(patch):
        # applied by the sub-tree's maintainers already, and not saying it fixes a bug: a preparation
        # for the fix after it, a cleanup that came along
        if ctx.options.strict:
            yield Hit.on_subject(patch, f"Patch for the {tree} tree (fixes only) in a pull request has no "
                                      f"Fixes: tag: if it fixes a commit, name it", level=CHECK)
    elif tree in FIXES_ONLY_TREES:
        yield Hit.on_subject(patch, f"Patch for the {tree} tree (fixes only) has no Fixes: tag: add "
                                  f"'Fixes: <12 hex digits> (\"<subject>\")' naming the commit it fixes")
    elif tree is not None and tree.endswith("next"):
        if ctx.options.strict and describes_fix(patch):
            fixes_tree = NEXT_TREES.get(tree, "its fixes tree")
            yield Hit.on_subject(patch, f"Patch for {tree} describes a fix but has no Fixes: tag: name the "
                                      f"commit it fixes, and send it to {fixes_tree} if that commit is in a "
                                      f"release", level=CHECK)
    elif (describes_fix(patch) or sounds_like_a_fix(patch)) and not _only_tests(patch):
        statement = governing("FIXES_TAG_MISSING", patch_profiles([patch], ctx))
        if statement is not None and statement.profile == NETDEV:
            yield Hit.on_subject(patch, f"Patch describes a fix but has no Fixes: tag: name the commit it "
                                      f"fixes ({statement.why()}: \"{statement.quote}\")")


# The fixes trees of netdev's sub-trees, named in subjects as net and bpf are: each takes fixes only.
FIXES_ONLY_TREES = ("net", "bpf", "nf", "iwl-net", "wireless", "ipsec")


def _own_tree(patch) -> str | None:
    """The tree a subject names when it is not net, net-next, bpf or bpf-next (nf, iwl-next, ...)."""
    if patch.prefix is None:
        return None
    return next((w.lower() for w in patch.prefix.words if w.lower() in FIXES_ONLY_TREES
                 or w.lower().endswith("-next")), None)


def _same_subject(quoted: str, actual: str) -> bool:
    return " ".join(quoted.split()) == " ".join(actual.split())


@check("VERIFY_FIXES", level=ERROR)
def verify_fixes(patch, ctx):
    """The `Fixes:` tag names a commit the tree lacks, or quotes a subject that is not that commit's.

    ## What it does
    With a kernel tree (`--tree PATH`, or the git tree around the current directory), looks up each
    `Fixes:` commit id in its history: the id must name a commit there (not an ambiguous prefix, not
    a blob, not a tag), and the quoted subject must be that commit's subject, word for word. A wrong
    subject is reported once: as BAD_FIXES_TAG (checkpatch's type, whose message gives the right
    tag), or here when BAD_FIXES_TAG is left out (`--ignore`, `--types`).

    A tree that lacks the history to answer (a shallow clone, as `--tree bpf-next` makes, a tree
    of one commit, as `--tree debian-6.12` is, or a history cut at a release: its first commit holds a
    whole kernel, as a tarball patched on has) cannot tell a wrong id from an older one: instead of
    one ERROR per id, the run says so once, at CHECK level, on the first such tag. An id it lacks is
    still an ERROR when one of its commits has the subject the tag quotes.

    ## Why is this bad?
    The tag is how the stable team and distributions find which kernels need the fix and which
    follow-up commits belong together (Documentation/bpf/bpf_devel_QA.rst: "The ``Fixes:`` tag is
    crucial in order to identify follow-up commits"). A wrong id or a paraphrased subject sends
    them to the wrong commit or to none.

    ## Example
    On the docs' small history, whose v6.12 is an annotated tag: the tag's id, copied from
    `git rev-parse v6.12`, instead of the commit's (an id the tree lacks is reported here too, and by
    checkpatch's UNKNOWN_COMMIT_ID):

    ```bad tree=history
    Subject: [PATCH net] net: Free the example socket on the error path

    The socket is not freed when example_open() fails.

    Fixes: 543c87b25a48 ("net: Add the example socket")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good tree=history
    Subject: [PATCH net] net: Free the example socket on the error path

    The socket is not freed when example_open() fails.

    Fixes: 5c052e615e07 ("net: Add the example socket")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Copy the tag from the commit itself:
    `git log -1 --abbrev=12 --format='Fixes: %h ("%s")' COMMIT`, in a tree with full history.
    """
    tags = fixes_tags(patch)
    if not tags:
        return
    history = history_of(ctx)
    if history is None:
        return
    where = history.tree.path
    # BAD_FIXES_TAG looks the commit up too and reports a wrong subject with the right tag: one
    # finding for one mistake
    subject_reported_elsewhere = ctx.options.reports("BAD_FIXES_TAG")
    for tag in tags:
        full, reason = history.resolve(tag.commit)
        if full is None:
            if reason == "ambiguous":
                message = f"Fixes: {tag.commit} is ambiguous in {where}: give 12 or more hex digits"
            elif reason == "missing" and history.why_unanswerable():
                same = history.commit_with_subject(tag.subject) if tag.subject else None
                if same is not None:  # the id's era is in the tree after all: the id is wrong
                    yield _tag_hit(patch, tag, f"Fixes: commit {tag.commit} is not in the tree at {where}, whose "
                                               f"commit {same[:12]} has the subject the tag quotes: check the id")
                    continue
                note = _unanswerable_note(patch, tag, history, ctx)
                if note is not None:
                    yield note
                continue
            elif reason == "missing":
                message = (f"Fixes: commit {tag.commit} is not in the tree at {where}: check the id "
                           f"(or update the tree)")
            else:
                message = f"Fixes: {tag.commit} is {reason} in {where}, not a commit"
            yield _tag_hit(patch, tag, message)
            continue
        if tag.subject is None or subject_reported_elsewhere:
            continue
        actual = history.subject(full)
        if not _same_subject(tag.subject, actual):
            yield _tag_hit(patch, tag, f"Fixes: subject does not match commit {full[:12]}: the tag says "
                                       f"\"{tag.subject}\", the commit is \"{actual}\"")


def _said_unanswerable(ctx) -> list:
    """Whether the run said already that the tree cannot answer (a list, filled once, via ctx.once)."""
    return []


def _unanswerable_note(patch, tag: FixesTag, history, ctx) -> Hit | None:
    """Once per run, at CHECK level: the tree lacks the history to say whether Fixes: ids exist
    (every id it lacks would otherwise be an ERROR that tells nothing)."""
    said = ctx.once(_said_unanswerable)
    if said or not ctx.options.strict:
        return None
    said.append(True)
    return _tag_hit(patch, tag, f"Fixes: ids not verified: the tree at {history.tree.path} "
                                f"{history.why_unanswerable()}; check them with a full clone (--tree PATH)",
                    level=CHECK)


@check("TREE_SELECTION", level=CHECK)
def tree_selection(patch, ctx):
    """A fix sent to `-next` for code already released, or to net/bpf for code in no release yet.

    ## What it does
    With a kernel tree that has release tags, looks up each `Fixes:` commit:
    - a net-next or bpf-next patch that fixes a commit already in a release (a `v*` tag contains
      it) probably belongs to net or bpf, where fixes for released code go;
    - a net or bpf patch whose every `Fixes:` commit is in no release yet probably belongs to
      net-next or bpf-next, where that commit still lives.
    The message names the tree and the release.

    ## Why is this bad?
    Documentation/process/maintainer-netdev.rst: "the net tree is for fixes to existing code already
    in the mainline tree from Linus, and net-next is where the new code goes for the future
    release"; Documentation/bpf/bpf_devel_QA.rst: "The bpf tree itself is for fixes only, whereas
    bpf-next for features". A fix for released code sent to -next reaches users a release late and
    misses the stable backports; a fix for -next-only code sent to net does not apply there.

    ## Example
    On the docs' small history, where 5c052e615e07 is in v6.12 and 152b29e386d6 in no release:

    ```bad tree=history
    Subject: [PATCH net-next] net: Free the example socket on the error path

    The socket is not freed when example_open() fails.

    Fixes: 5c052e615e07 ("net: Add the example socket")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```bad tree=history
    Subject: [PATCH net] net: Check the example socket before closing it

    example_close() is called on a socket that example_open() failed to
    set up.

    Fixes: 152b29e386d6 ("net: Close the example socket")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good tree=history
    Subject: [PATCH net] net: Free the example socket on the error path

    The socket is not freed when example_open() fails.

    Fixes: 5c052e615e07 ("net: Add the example socket")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good tree=history
    Subject: [PATCH net-next] net: Check the example socket before closing it

    example_close() is called on a socket that example_open() failed to
    set up.

    Fixes: 152b29e386d6 ("net: Close the example socket")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Send the patch to the tree the message names: `git format-patch --subject-prefix='PATCH net'`
    for a fix to released code, `PATCH net-next` for a fix to code only -next has (bpf and bpf-next
    alike). `git tag --list 'v*' --contains COMMIT` tells which releases hold the fixed commit.
    """
    tree = patch_tree(patch)
    if not (is_fixes_tree(tree) or is_next_tree(tree)):
        return
    tags = fixes_tags(patch)
    if not tags:
        return
    history = history_of(ctx)
    if history is None:
        return
    found = []
    for tag in tags:
        full, _ = history.resolve(tag.commit)
        if full is not None:
            found.append((tag, full, history.first_release(full)))
    if not found:
        return
    if is_next_tree(tree):
        for tag, full, release in found:
            if release is not None:
                fixes_tree = NEXT_TREES[tree]
                yield _tag_hit(patch, tag, f"Patch for {tree} fixes {full[:12]}, which is in {release} "
                                           f"already: fixes for released code go to {fixes_tree} "
                                           f"([PATCH {fixes_tree}])")
                return
    elif all(release is None for _, _, release in found):
        tag, full, _ = found[0]
        next_tree = FIXES_TREES[tree]
        yield _tag_hit(patch, tag, f"Patch for {tree} fixes {full[:12]}, which is in no release yet (no v* "
                                   f"tag contains it): it probably belongs to {next_tree} ([PATCH {next_tree}])")


_NEEDS_FIXES = lazy(r"((?:(?:BUG: K.|UB)SAN: |Call Trace:|stable@|syzkaller))")
_ANY_FIXES_TAG = lazy(r"^\s*(fixes:?)\s*(?:commit\s*)?([0-9a-f]{5,40})", re.IGNORECASE)


def _lines_above_diff(patch):
    """The commit message and the notes under `---`: what checkpatch reads before the diff."""
    yield from patch.message
    yield from patch.notes


@check("MISSING_FIXES_TAG", level=WARNING)
def missing_fixes_tag(patch, ctx):
    """A commit message that quotes a crash report, a sanitizer or syzkaller, or Cc:s stable, without a Fixes: tag.

    ## What it does
    Reads the commit message and the notes under `---` for the signs of a bug fix that checkpatch
    knows: `BUG: KASAN: `, `BUG: KCSAN: `, `UBSAN: `, `Call Trace:`, `stable@` and `syzkaller`.
    When one is there and no line starts with `Fixes: <id>`, the patch is reported (once, on its
    last line as checkpatch does, naming the last such sign), unless it is a revert (`This reverts commit ...`).

    ## Why is this bad?
    A patch that fixes a crash, or is meant for the stable trees, should say which commit brought
    the bug in: the stable team backports by the Fixes: tag, and without it they cannot tell which
    releases need the fix (Documentation/process/submitting-patches.rst, "Using Reported-by:,
    Tested-by:, Reviewed-by:, Suggested-by: and Fixes:").

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf, sockmap: Take a reference on the psock

    syzkaller found a use-after-free in sock_map_close(): take a reference
    on the psock before dropping the lock.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf, sockmap: Take a reference on the psock

    syzkaller found a use-after-free in sock_map_close(): take a reference
    on the psock before dropping the lock.

    Fixes: 0123456789ab ("bpf, sockmap: Add the example map")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Find the commit that brought the bug in (`git blame`, `git log -S`) and add
    `Fixes: <12-digit id> ("<its subject>")` above the sign-off.
    """
    if not patch.is_mail or not patch.files:
        return
    sign = ctx.once(_crash_sign, patch)
    if sign is not None:
        yield Hit.at_end(patch, f"The commit message has '{sign}', perhaps it also needs a 'Fixes:' tag?")


def _crash_sign(patch, _ctx) -> str | None:
    """The last sign of a bug fix checkpatch knows above the diff, None when there is none or a
    `Fixes:` line or a revert's line is there."""
    sign = None
    for _, text in _lines_above_diff(patch):
        if _ANY_FIXES_TAG.match(text) or text.startswith("This reverts commit"):
            return None
        found = _NEEDS_FIXES.search(text)
        if found:
            sign = found.group(1)
    return sign
