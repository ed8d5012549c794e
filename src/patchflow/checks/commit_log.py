"""Commit-message lines read one by one: a line git would lose (a `#` comment to `git commit`), the
form of a Fixes: tag, and links to mail archives other than lore."""

from __future__ import annotations

import re

from . import WARNING, Hit, check
from .message import _commit_log
from ..lazy_regex import lazy

# a line checkpatch reads as a Fixes: tag, however written ("fixes commit abc12", "Fixes abc12 (...)")
_FIXES_ANY = lazy(r"^\s*(fixes:?)\s*(?:commit\s*)?([0-9a-f]{5,40})", re.IGNORECASE)
# checkpatch's spacing: no indent, one space before the id and one before its (title)
_FIXES_WELL_FORMED = lazy(r"^fixes:? [0-9a-f]{5,40} \(", re.IGNORECASE)
_TWELVE_LOWER_HEX = lazy(r"^[0-9a-f]{12}$")


@check("COMMIT_COMMENT_SYMBOL", level=WARNING)
def commit_comment_symbol(patch, ctx):
    """A line of the commit message starts with `#`, which git drops as a comment.

    ## What it does
    Reports each line of the commit message (up to the first Signed-off-by:) whose first
    character is `#`.

    ## Why is this bad?
    `git commit` and `git rebase` strip lines that start with `#` from a message they let you edit,
    so an `#include <linux/bpf.h>` or a `#define` quoted at the margin vanishes when the maintainer
    rewords the commit. Indent the line.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Accept BPF_F_LOCK in the lookup

    The lookup now takes the flag:
    #define BPF_F_LOCK is honoured as in the update.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Accept BPF_F_LOCK in the lookup

    The lookup now takes the flag:
      #define BPF_F_LOCK is honoured as in the update.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Indent the line (two spaces), or reword it so that it does not start with `#`.
    """
    if not patch.is_mail:
        return
    for patch_line, text in _commit_log(patch):
        if text.startswith("#"):
            yield Hit.on_patch_line(patch, patch_line, "Commit log lines starting with '#' are dropped by git as comments")


def _known_commit(ctx, commit_id):
    """(12-digit id, subject) of a commit of the kernel tree (--tree, or the one around the current
    directory), or None without a tree or when the tree lacks it."""
    history = ctx.history
    found = history.peel(commit_id) if history is not None else None
    return (found[0][:12], found[1]) if found else None


def _fixes_title(rest):
    """(title, quoted) of what follows a Fixes: id: the balanced `(...)` group, its quotes removed;
    ("commit title", False) without one, as checkpatch names it."""
    from .fixes import balanced_end

    rest = rest.lstrip()
    end = balanced_end(rest, 0) if rest.startswith("(") else None
    if end is None:
        return "commit title", False
    title = rest[1:end - 1]
    if len(title) >= 2 and title.startswith('"') and title.endswith('"'):
        return title[1:-1], True
    return title, False


def _bad_fixes_hits(patch, ctx):
    """BAD_FIXES_TAG's findings: each Fixes: line above the diff that is not exactly `Fixes: <12 hex
    digits> ("<title>")`, or (with a tree) names a commit by another title."""
    if not patch.is_mail:
        return
    for patch_line, text in [*patch.message, *patch.notes]:
        match = _FIXES_ANY.match(text)
        if match is None:
            continue
        key, commit = match.group(1), match.group(2)
        title, quoted = _fixes_title(text[match.end():])
        known = _known_commit(ctx, commit.lower())
        well_formed = (key == "Fixes:" and _FIXES_WELL_FORMED.match(text) and quoted
                       and _TWELVE_LOWER_HEX.match(commit))
        if well_formed and (known is None or known[1] == title):
            continue
        shown, shown_title = known if known is not None else (commit[:12].lower(), title)
        yield Hit.on_patch_line(
            patch, patch_line,
            "Please use correct Fixes: style 'Fixes: <12 chars of sha1> (\"<title line>\")' - "
            f"ie: 'Fixes: {shown} (\"{shown_title}\")'")


@check("BAD_FIXES_TAG", level=WARNING)
def bad_fixes_tag(patch, ctx):
    """A Fixes: tag not written `Fixes: <12 hex digits of the commit> ("<its subject>")`.

    ## What it does
    Reads every line above the diff that starts with `Fixes` (any case, with or without the colon
    or a `commit` word) followed by at least 5 hex digits, and reports it unless it is exactly
    `Fixes: `, 12 lower-case hex digits (no more, no fewer), one space, and the fixed commit's
    subject in `("...")`, as checkpatch does. With a kernel tree (`--tree`, or the git tree around
    the current directory) the commit is looked up: a subject that is not the commit's is reported,
    and the suggestion shows the real id and subject; without one it shows the first 12 digits
    written (checkpatch shows a placeholder, `0123456789ab`).

    ## Why is this bad?
    The stable team's scripts and the maintainers' tools parse Fixes: tags to find which releases
    need a fix (Documentation/process/submitting-patches.rst). A short id becomes ambiguous as the
    history grows, and without the quoted subject a reader cannot tell which change is meant after a
    rebase. `git config core.abbrev 12` and `--pretty='Fixes: %h ("%s")'` write it right.

    ## Example
    ```bad
    Subject: [PATCH bpf] bpf: Fix the key size check in map_lookup_elem

    The bounds check compared the key size against the value size.

    Fixes: 54a4f02 (bpf: Add map_lookup_elem)
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf] bpf: Fix the key size check in map_lookup_elem

    The bounds check compared the key size against the value size.

    Fixes: 54a4f0239f2e ("bpf: Add map_lookup_elem")
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    `git log -1 --abbrev=12 --format='Fixes: %h ("%s")' COMMIT` prints the tag;
    `git config core.abbrev 12` makes 12 digits the default.
    """
    return _bad_fixes_hits(patch, ctx)


# checkpatch's $obsolete_archives: list archives that lore.kernel.org replaces
_OBSOLETE_ARCHIVE = lazy(r"http.*\b(?:freedesktop\.org/archives/dri-devel|lists\.infradead\.org|lkml\.org|"
                         r"mail-archive\.com|mailman\.alsa-project\.org/pipermail|marc\.info|"
                         r"ozlabs\.org/pipermail|spinics\.net)", re.IGNORECASE)


def _lines_naming_http(lines):
    """The positions of the lines that hold `http` in any case, as _OBSOLETE_ARCHIVE needs (no other
    character folds to h, t or p), found by one search of the lowered text: a case-insensitive
    search of each line costs 20 ms on the corpus. A text that is not ASCII may change length when
    lowered: every line is searched then."""
    text = "\n".join(lines)
    if not text.isascii() or text.count("\n") != max(len(lines) - 1, 0):
        return range(len(lines))
    lowered, found, line, counted = text.lower(), [], 0, 0
    at = lowered.find("http")
    while at >= 0:
        line += lowered.count("\n", counted, at)
        counted = at
        if not found or found[-1] != line:
            found.append(line)
        at = lowered.find("http", at + 4)
    return found


@check("PREFER_LORE_ARCHIVE", level=WARNING)
def prefer_lore_archive(patch, ctx):
    """A link to a mailing-list archive other than lore.kernel.org.

    ## What it does
    Reports each line of the patch (message, notes or diff) with an http link to an archive that
    lore.kernel.org replaces: lkml.org, marc.info, spinics.net, mail-archive.com,
    lists.infradead.org, and the pipermail archives of ozlabs, alsa-project and dri-devel, as
    checkpatch does.

    ## Why is this bad?
    Those archives come and go, and their links name a page, not a message: lore's
    `https://lore.kernel.org/r/<Message-ID>` finds the same mail in every mirror and keeps the
    thread around it, and b4 and the maintainers' scripts read it.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Reject map updates with an empty value

    Reject the update with -EINVAL before copying, as discussed in
    https://lkml.org/lkml/2024/11/20/123

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Reject map updates with an empty value

    Reject the update with -EINVAL before copying, as discussed in
    https://lore.kernel.org/r/20241120101100.12345-1-jane@example.org

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Find the mail on https://lore.kernel.org/ (search by subject or Message-ID) and link
    `https://lore.kernel.org/r/<Message-ID>` instead.
    """
    for index in _lines_naming_http(patch.lines):
        text = patch.lines[index]
        if _OBSOLETE_ARCHIVE.search(text):
            yield Hit.on_patch_line(patch, patch.first_line + index,
                                    "Use lore.kernel.org archive links when possible - see "
                                    "https://lore.kernel.org/lists.html")
