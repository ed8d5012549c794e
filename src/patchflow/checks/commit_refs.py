"""Commits a commit message names: that each exists in the tree's history (UNKNOWN_COMMIT_ID) and is
written `commit <12+ hex digits> ("<its subject>")` (GIT_COMMIT_ID).

The ids of every patch of the run are looked up together, in one `git cat-file --batch-check` and one
`git log --no-walk` (checks/_history.py), before the first patch is checked. Without a git tree the
ids cannot be looked up: that is said once, on stderr, not once per id (checkpatch, run outside a
tree, calls every id unknown).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import ERROR, WARNING, Hit, check
from ._history import history_of
from ._brackets import balanced_end
from .message import _LOG_DUMP, _commit_log
from ..lazy_regex import lazy

NO_HISTORY = ("no git history to look commit ids up in (give --tree, or run inside a kernel git tree): "
              "UNKNOWN_COMMIT_ID was not checked, GIT_COMMIT_ID checked the form of the references only")
# a shallow clone, or a snapshot of one commit: an id it lacks tells nothing
UNANSWERABLE = ("the tree {why}: commit ids it lacks were not reported (UNKNOWN_COMMIT_ID); "
                "point --tree at a full clone (or `git fetch --unshallow` there) to check them")

_UNKNOWN_REF = lazy(r"(^fixes:|\bcommit)\s+([0-9a-f]{6,40})\b", re.IGNORECASE)
_NOT_A_REFERENCE = lazy(r"^\s*(?:Link|Patchwork|http|https|BugLink|base-commit):", re.IGNORECASE)
_REVERT = lazy(r"^This reverts commit [0-9a-f]{7,40}")
_COMMIT_HEX = lazy(r"\bcommit\s+[0-9a-f]{5,}\b", re.IGNORECASE)
_COMMIT_AT_END = lazy(r"\bcommit\s*$", re.IGNORECASE)
_HEX_AT_START = lazy(r"^\s*[0-9a-f]{5,}\b", re.IGNORECASE)
_BARE_ID = lazy(r"(?:\s|^)[0-9a-f]{12,40}(?:[\s\"'(\[]|$)", re.IGNORECASE)
_BRACKETED_ID = lazy(r"[<\[][0-9a-f]{12,40}[>\]]", re.IGNORECASE)
_FIXES_ID = lazy(r"\bfixes:\s*[0-9a-f]{12,40}", re.IGNORECASE)
_COMMIT_HEX_PAREN = lazy(r"\bcommit\s+[0-9a-f]{5,}\s*(?=\()", re.IGNORECASE)
_COMMIT_ID = lazy(r"\b(c)ommit\s+([0-9a-f]{5,})\b", re.IGNORECASE)
_ANY_ID = lazy(r"\b([0-9a-f]{12,40})\b", re.IGNORECASE)
# every id the patterns above read is a run of five hex digits or more: a line without one is ruled
# out by one quick scan (the patterns themselves, starting at a word's edge, are tried at every position)
_HEX_RUN = lazy(r"[0-9a-fA-F]{5}")

PLACEHOLDER_TITLE = "commit description"


def _history(ctx):
    """The run's history with every id of every patch already looked up, or None (said once)."""
    history = history_of(ctx)
    ids = ctx.once(_look_up_ids, history)
    if history is None and ids:
        ctx.note(NO_HISTORY)
    return history


def _look_up_ids(history, ctx) -> set:
    """Every commit id the series names, each looked up once, all in one query."""
    ids = set()
    for patch in ctx.series:
        ids.update(_ids_named(patch))
    if history is not None and ids:
        history.peel_many(ids)
    return ids


def _ids_named(patch) -> Iterable[str]:
    for _, text in _commit_log(patch):
        if _HEX_RUN.search(text) is None:
            continue
        for pattern, group in ((_UNKNOWN_REF, 2), (_COMMIT_ID, 2), (_ANY_ID, 1)):
            match = pattern.search(text)
            if match:
                yield match.group(group).lower()


def commit_info(history, commit: str, given_id: str | None, given_title: str | None):
    """(id, title) as checkpatch's git_commit_info: the 12-digit id and subject of a known commit;
    what was given when there is no history or the id is ambiguous; (None, None) when it is missing."""
    if history is None or history.is_ambiguous(commit):
        return given_id, given_title
    found = history.peel(commit)
    if found is None:
        return None, None
    return found[0][:12], found[1]


@check("UNKNOWN_COMMIT_ID", level=WARNING)
def unknown_commit_id(patch, ctx):
    """A `commit <id>` or `Fixes: <id>` of the commit message names a commit the tree does not have.

    ## What it does
    Reads each line of the commit message (up to the first Signed-off-by:) that starts with
    `Fixes:` or holds the word `commit`, followed by 6 to 40 hex digits, and looks the id up in the
    history of the kernel tree (`--tree`, or the git tree around the current directory). An id that
    names no commit there is reported. All ids of a run are looked up in one git query. Without a
    git tree nothing is reported and a note on stderr says so once; in a shallow clone, which lacks
    the older history, a tree of one commit (a release tarball put into git, as `--tree
    debian-6.12` is) or a history that starts at a release, an id it lacks is not reported either,
    and a note says why, once. checkpatch run outside a git tree
    reports every id it reads as unknown; that is an artefact of having no history.

    ## Why is this bad?
    The id was mistyped, or names a commit of a private branch that was rebased before it was sent:
    a reader, and the stable team's scripts that follow `Fixes:` tags, cannot find what is meant.

    ## Example
    ```bad tree=history
    Subject: [PATCH bpf-next] bpf: Stop the map walk early

    Since commit 0badc0ffee12 ("bpf: Add the map iterator") the walk can
    stop early; return as soon as the callback asks for it.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good tree=history
    Subject: [PATCH bpf-next] bpf: Stop the map walk early

    Since the map iterator was added, the walk can stop early; return as
    soon as the callback asks for it.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Copy the id from `git log` of the tree the patch is for (`git log --oneline --grep=...`), or
    fetch the branch that holds the commit. Without a tree, point `--tree` at one.
    """
    if not patch.is_mail:
        return
    history = _history(ctx)
    if history is None:
        return
    for patch_line, text in _commit_log(patch):
        match = _UNKNOWN_REF.search(text)
        if not match or commit_info(history, match.group(2).lower(), "", "")[0] is not None:
            continue
        unanswerable = history.why_unanswerable()  # an id the history has is known, whatever it lacks
        if unanswerable:
            ctx.note(UNANSWERABLE.format(why=unanswerable))
            continue
        yield Hit.on_patch_line(patch, patch_line,
                                f"Unknown commit id '{match.group(2)}', maybe rebased or not pulled?")


def _names_a_commit(text: str, next_text: str | None) -> bool:
    """Whether a line of the log refers to a commit by id, as checkpatch decides it."""
    if _HEX_RUN.search(text) is None and text.isascii() and "commit" not in text.lower():
        return False  # no id, and no `commit` whose id is on the next line (IGNORECASE reads `ı` as `i`)
    if _NOT_A_REFERENCE.match(text) or _REVERT.match(text):
        return False
    if _COMMIT_HEX.search(text):
        return True
    if next_text is not None and _COMMIT_AT_END.search(text) and _HEX_AT_START.match(next_text):
        return True
    return bool(_BARE_ID.search(text) and not _BRACKETED_ID.search(text) and not _FIXES_ID.search(text))


def _description(text: str, following: list[str]) -> tuple[str, str, bool, bool]:
    """(the reference's text, joined with up to two following lines until its `(...)` is found,
    the description, whether it has parentheses, whether it is quoted)."""
    joined = text
    for extra in [None] + following[:2]:
        if extra is not None:
            joined += " " + extra.strip()
        match = _COMMIT_HEX_PAREN.search(joined)
        if match:
            end = balanced_end(joined, match.end())
            if end is not None:
                title = joined[match.end() + 1:end - 1]
                if len(title) >= 2 and title.startswith('"') and title.endswith('"'):
                    return joined, title[1:-1], True, True
                return joined, title, True, False
    return joined, PLACEHOLDER_TITLE, False, False


def _reference_problem(history, text: str, following: list[str]) -> str | None:
    """The suggestion for a misformed commit reference on a line, or None when it is fine or unknown."""
    joined, title, has_quotes = text, PLACEHOLDER_TITLE, False
    if _COMMIT_HEX.search(text) or _COMMIT_AT_END.search(text):
        joined, title, _, has_quotes = _description(text, following)
    match = _COMMIT_ID.search(joined)
    short, long_id, space, case = True, False, True, True
    init = "c"
    if match:
        init, commit = match.group(1), match.group(2).lower()
        short = not re.search(r"\bcommit\s+[0-9a-f]{12,40}", joined, re.IGNORECASE)
        long_id = bool(re.search(r"\bcommit\s+[0-9a-f]{41,}", joined, re.IGNORECASE))
        space = not re.search(r"\bcommit [0-9a-f]", joined, re.IGNORECASE)
        case = not re.search(r"\b[Cc]ommit\s+[0-9a-f]{5,40}[^A-F]", joined)
    else:
        found = _ANY_ID.search(joined)
        if found is None:
            return None
        commit = found.group(1).lower()
    # checkpatch shows a placeholder id when it cannot look the commit up; the id as written says more
    cid, ctitle = commit_info(history, commit, commit[:12], title)
    if cid is None or not (short or long_id or space or case or title != ctitle or not has_quotes):
        return None
    return f"Please use git commit description style 'commit <12+ chars of sha1> (\"<title line>\")' - " \
           f"ie: '{init}ommit {cid} (\"{ctitle}\")'"


@check("GIT_COMMIT_ID", level=ERROR)
def git_commit_id(patch, ctx):
    """A commit named in the commit message not as `commit <12+ hex digits> ("<its subject>")`.

    ## What it does
    Finds the lines of the commit message (up to the first Signed-off-by:, outside pasted kernel
    logs, Link: lines and `This reverts commit`) that name a commit: `commit <5+ hex digits>`, or
    a bare id of 12 to 40 hex digits. A reference is reported when the id is shorter than 12
    digits or longer than 40, when `commit` and the id are not separated by one space, when the
    id is upper case, or when the subject does not follow in `("...")` (on the same line or the
    next two). With a kernel git tree (`--tree`, or the one around the current directory) the
    subject must be the commit's own and the suggestion shows it; a commit the tree lacks is left
    to UNKNOWN_COMMIT_ID. Without a tree, only the form is checked.

    ## Why is this bad?
    Documentation/process/submitting-patches.rst asks for at least 12 characters of the id and the
    one-line summary, so that the reference survives a growing history (short ids become ambiguous)
    and a reader knows what is meant without looking it up. `git log -1 --pretty='%h ("%s")'`
    with `core.abbrev=12` writes it.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Hold the map lock while resizing

    The lock was dropped in commit 8d9a3f1c (bpf: drop the lock) and the
    resize can race with an update; take it again.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Hold the map lock while resizing

    The lock was dropped in commit 8d9a3f1c5e2b ("bpf: Drop the map lock")
    and the resize can race with an update; take it again.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Write `commit <first 12 characters of the id> ("<its subject>")`;
    `git log -1 --abbrev=12 --format='commit %h ("%s")' ID` prints it.
    """
    if not patch.is_mail:
        return
    history = _history(ctx)
    log = list(_commit_log(patch))
    in_log_dump = False
    last_reported = None  # a `commit` at the end of a line whose id is on the next one: one report
    for patch_line, text in log:
        if not in_log_dump and any(p.match(text) for p in _LOG_DUMP):
            in_log_dump = True
        following = _following_lines(patch, patch_line)
        if not in_log_dump and _names_a_commit(text, following[0] if following else None):
            problem = _reference_problem(history, text, following)
            if problem is not None and last_reported != patch_line - 1:
                yield Hit.on_patch_line(patch, patch_line, problem)
            if _COMMIT_AT_END.search(text):
                last_reported = patch_line
        if in_log_dump and not text.strip():
            in_log_dump = False


def _following_lines(patch, patch_line: int) -> list[str]:
    """The (up to two) lines of the mail after a line, whatever part of the mail they are in."""
    start = patch_line + 1 - patch.first_line
    return patch.lines[start:start + 2]
