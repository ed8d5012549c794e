"""Commit message checks: a description, its width and the sign-offs."""

from __future__ import annotations

import re
from functools import lru_cache

from .. import mail
from ..patch import KNOWN_TRAILERS
from . import CHECK, ERROR, WARNING, Hit, check
from ._brackets import balanced_end
from ..lazy_regex import lazy

LOG_WIDTH = 75

_SIGN_OFF = lazy(r"^\s*signed-off-by:\s*(.*)", re.IGNORECASE)
_TAG = lazy(r"^\s*([A-Za-z][A-Za-z0-9-]*):(?:\s|$)")
# pseudo-headers `git am` reads at the top of a body
_PSEUDO_HEADERS = {"from", "subject", "date"}

# Lines exempt from the 75-column limit (Documentation/process/submitting-patches.rst): tags, which
# tools parse whole, links, lines that name a file, diffstat lines, and quoted logs.
_LONG_LINE_EXEMPT = (
    lazy(r"^\s*[a-zA-Z0-9_/.]+\s+\|\s+\d+"),  # a diffstat line
    lazy(r"^\s*(?:[\w.+-]*/)+[\w.+-]+:"),  # path/to/file: ...
    lazy(r"^\s*(?:Fixes:|Link:|Closes:|Signed-off-by:|Co-developed-by:|Acked-by:|Tested-by:|"
               r"Reviewed-by:|Reported-by:|Suggested-by:|Assisted-by:|To:|Cc:)", re.IGNORECASE),
)
# the first line of a pasted kernel log, after which long lines are kept as they are until a blank line
_LOG_DUMP = (
    lazy(r"^\s*(?:WARNING:|BUG:)"),
    lazy(r"^\s*\[\s*\d+\.\d{6}\s*\]"),  # a printk timestamp
    lazy(r"^\s*\[<[0-9a-fA-F]{8,}>\]"),
    lazy(r"^(?:\s+\w+:\s+[0-9a-fA-F]+){3}"),  # register dumps
    lazy(r"^\s*#\d+\s*\[[0-9a-fA-F]+\]\s*\w+ at [0-9a-fA-F]+"),  # crash(8) back traces
)

# "Jane Doe (3):", the first line of the shortlog under a cover letter's blurb
_SHORTLOG_HEADER = lazy(r"^\S.* \(\d+\):$")


def _commit_log(patch):
    """[(patch line, text)] of the lines checkpatch calls the commit log: from the body's start to
    the first sign-off. In a cover letter, the shortlog and diffstat git writes under the blurb are
    not prose. Found once per patch: some ten checks ask in turn (the last patch's list is kept, and
    with it the patch, so the identity test cannot meet another patch at the same address; the
    message's length is compared too, for a patch whose message was read again)."""
    if _LAST_LOG[0] is not patch or _LAST_LOG[1] != len(patch.message):
        found = []
        for patch_line, text in patch.message:
            if _SIGN_OFF.match(text) or (patch.is_cover_letter and _SHORTLOG_HEADER.match(text)):
                break
            found.append((patch_line, text))
        _LAST_LOG[:] = [patch, len(patch.message), found]
    return _LAST_LOG[2]


_LAST_LOG = [None, 0, []]  # (patch, its message's length, its commit log): a patch's checks run in turn


def _is_tag(text):
    """A trailer (Fixes:, Link:, Cc:, any -by:) or an in-body pseudo-header, which describe nothing."""
    match = _TAG.match(text)
    if not match:
        return False
    key = match.group(1).lower()
    return key in KNOWN_TRAILERS or key.endswith("-by") or key in _PSEUDO_HEADERS


def _has_diff(patch):
    return bool(patch.files)


def _after_commit_log(patch):
    """Where checkpatch reports a missing description: the first line after what it reads as the
    commit log, which ends after the first sign-off or the `---` line, or at the diff's first line."""
    ends = [line + 1 for line, _ in _sign_offs(patch)][:1]
    if patch.separator_line is not None:
        ends.append(patch.separator_line + 1)
    first = patch.files[0].patch_line
    ends.append(first + 1 if patch.line_text(first).startswith("--- ") else first)  # a diff without `diff --git`
    return min(ends)


@check("COMMIT_MESSAGE", level=WARNING)
def commit_message(patch, ctx):
    """The commit message has no description: only the subject and tags.

    ## What it does
    Looks at the commit message between the subject and the `---` line and reports it when it holds
    nothing but trailers (Signed-off-by:, Fixes:, Reviewed-by:, ...) and pseudo-headers such as an
    in-body `From:`.

    ## Why is this bad?
    The subject says what changed; the body says why, and maintainers judge a patch by the why.
    Documentation/process/submitting-patches.rst: "Describe your changes". A patch without one is
    sent back unread. checkpatch counts a Fixes: or Reviewed-by: line as a description; patchflow
    does not, since neither explains anything.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Use kvmemdup_bpfptr() in map_update_elem

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Use kvmemdup_bpfptr() in map_update_elem

    The value buffer is copied with kvmalloc() and copy_from_bpfptr() by
    hand; kvmemdup_bpfptr() does both and frees on failure.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Say why the change is needed and what it does, in a paragraph or two above the tags
    (`git commit --amend`).
    """
    if not patch.is_mail or not _has_diff(patch):
        return
    if any(text.strip() and not _is_tag(text) for _, text in _commit_log(patch)):
        return
    yield Hit("Missing commit description - Add an appropriate one", patch=patch,
              patch_line=_after_commit_log(patch), shows_line=False)


@check("COMMIT_LOG_LONG_LINE", level=WARNING)
def commit_log_long_line(patch, ctx):
    """A line of the commit message is wider than 75 columns.

    ## What it does
    Reports the first line of the commit message (before the first Signed-off-by:) that is longer
    than 75 characters, as checkpatch does. Exempt, as in checkpatch: tags (Fixes:, Link:,
    Closes:, Cc:, and the -by: tags), lines that start with a file name and a colon, diffstat lines,
    and pasted kernel logs (from a `WARNING:`/`BUG:` line, a printk timestamp or a register dump to
    the next blank line). Length is counted in characters, not bytes. In a cover letter, the blurb
    is checked (netdev and bpf keep it as the message of the series' merge commit) but not the
    shortlog git writes under it, nor a line with a link (`- Link to v1: https://lore...`).

    ## Why is this bad?
    `git log` indents the message by four columns; lines over 75 wrap in an 80-column terminal and
    in the mail clients maintainers read patches in. Usually the line is an unwrapped paragraph.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Accept partially initialised stack slots

    The verifier rejected programs that passed a pointer to a stack slot that was partially initialised, which broke loaders.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Accept partially initialised stack slots

    The verifier rejected programs that passed a pointer to a stack slot
    that was partially initialised, which broke loaders.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Wrap the paragraph at 72-75 columns (`git commit --amend`; in vim `gq`, in Emacs `M-q`). Keep
    tags, links and quoted logs as they are: they are exempt.
    """
    if not patch.is_mail or not (_has_diff(patch) or patch.is_cover_letter):
        return
    # a cover letter's blurb is prose too (netdev and bpf merge a series with it as the merge commit's
    # message), but its changelog's links to earlier versions cannot be wrapped; _commit_log stops
    # before the shortlog
    links_exempt = patch.is_cover_letter
    in_log_dump = False
    for patch_line, text in _commit_log(patch):
        if not in_log_dump and any(p.match(text) for p in _LOG_DUMP):
            in_log_dump = True
        if (len(text) > LOG_WIDTH and not in_log_dump and not any(p.match(text) for p in _LONG_LINE_EXEMPT)
                and not (links_exempt and "://" in text)):
            yield Hit.on_patch_line(patch, patch_line,
                                    "Prefer a maximum 75 chars per line (possible unwrapped commit description?)")
            return
        if in_log_dump and not text.strip():
            in_log_dump = False


def _sign_offs(patch):
    for patch_line, text in patch.message:
        match = _SIGN_OFF.match(text)
        if match:
            yield patch_line, match.group(1)


@check("MISSING_SIGN_OFF", level=ERROR)
def missing_sign_off(patch, ctx):
    """The commit message has no Signed-off-by: line.

    ## What it does
    Reports a patch whose commit message has no `Signed-off-by:` trailer.

    ## Why is this bad?
    The sign-off is the author's statement of the Developer's Certificate of Origin
    (Documentation/process/submitting-patches.rst, "Sign your work"). Maintainers cannot apply a
    patch without it, whatever its content.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Check the key size in map_lookup_elem

    Add the missing bounds check on the user's key size.
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Check the key size in map_lookup_elem

    Add the missing bounds check on the user's key size.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    `git commit --amend -s` adds it to the last commit; `git commit -s` and `git format-patch -s` add
    it as you go.
    """
    if not patch.is_mail or not _has_diff(patch):
        return
    if next(_sign_offs(patch), None) is None:
        yield Hit.at_end(patch, "Missing Signed-off-by: line(s)")


# --- e-mail addresses, compared the way checkpatch compares them --------------------------------

_MUST_QUOTE = lazy(r"[^\w \-]", re.ASCII)


def _strip_parens_comments(name):
    """Remove balanced parenthesised comments from a name; return (name, comments)."""
    comments = ""
    while True:
        start = name.find("(")
        if start < 0:
            return name, comments
        end = balanced_end(name, start)
        if end is None:
            return name, comments
        comments += name[start:end].strip()
        name = name[:start].rstrip() + " " + name[end:].lstrip()


# the parts of an address as checkpatch's format_email reads them
_NAMED_ADDRESS = lazy(r"^(.*)<(\S+@\S+)>(.*)$")
_BRACKETED_ADDRESS = lazy(r"^\s*<(\S+@\S+)>(.*)$")
_BARE_ADDRESS = lazy(r"(\S+@\S+)(.*)$")
_OUTER_QUOTES = lazy(r'^"|"$')
_ANGLED = lazy(r"^<[^>]+>$")
_QUOTED = lazy(r'"(.+)"')
_EDGE_QUOTES_SPACES = lazy(r'^[ "]+|[ "]+$')
_ANGLES = lazy(r"^<|>$")
_UNESCAPED_QUOTE = lazy(r'(?<!\\)"')
_TRAILING_PUNCTUATION = lazy(r'[.,"]+$')
_SUBADDRESS = lazy(r"^(\S+)\+\S+(@.*)$")  # user+tag@host


@lru_cache(maxsize=1024)  # the same few addresses (From:, each sign-off) are asked by several checks
def parse_address(text):
    """(name, name comment, address, trailing comment) of `Name (comment) <addr> # comment`."""
    # RFC 5322 caps a line at 998 characters; the patterns below backtrack quadratically on a longer
    # one (a 100 KB From: took a minute), so nothing past that is read
    text = text[:998]
    name = address = comment = ""
    match = _NAMED_ADDRESS.match(text)
    if match:
        name, address, comment = match.groups()
    else:
        match = _BRACKETED_ADDRESS.match(text)
        if match:
            address, comment = match.groups()
        else:
            match = _BARE_ADDRESS.search(text)
            if match:
                address, comment = match.groups()
                name = text[:match.start()].strip()
                name = _OUTER_QUOTES.sub("", name)
                if name and not _ANGLED.match(address):
                    name = address = comment = ""
    quoted = ""
    match = _QUOTED.search(name)
    if match:
        quoted = match.group(1)
        name = name[:match.start()] + name[match.end():]
    name, name_comment = _strip_parens_comments(name)
    name = _EDGE_QUOTES_SPACES.sub("", name)
    name = f"{quoted} {name}".strip()
    address = _ANGLES.sub("", address.strip())
    comment = comment.strip()
    if _MUST_QUOTE.search(name):
        name = '"' + _UNESCAPED_QUOTE.sub(r'\\"', name) + '"'
    return name, name_comment, address, comment


@lru_cache(maxsize=1024)
def format_address(name, name_comment, address, comment):
    name = _EDGE_QUOTES_SPACES.sub("", name)
    address = _TRAILING_PUNCTUATION.sub("", address.strip())
    if _MUST_QUOTE.search(name):
        name = '"' + _UNESCAPED_QUOTE.sub(r'\\"', name) + '"'
    name_comment = (" " + name_comment.strip()) if name_comment.strip() else ""
    comment = (" " + comment.strip()) if comment.strip() else ""
    return (f"{name}{name_comment} <{address}>" if name else address) + comment


_FROM_LINE = lazy(r"^From:\s*(.*)")


def _author(patch):
    """The author the sign-offs are compared with: the in-body From: line when there is one (git am
    uses it), else the mail's; but, as checkpatch reads it, a later `From:` line of the message or
    the notes wins (a stable review mail quotes the original author's under its own blurb)."""
    author = patch.author  # decoded as `git am` reads it (patch.py)
    for _, text in [*patch.message, *patch.notes]:
        later = _FROM_LINE.match(text)
        if later:
            author = mail.decode_header(later.group(1), "from")
    if not author:
        return None
    return format_address(*parse_address(author.replace('"', "")))


def _author_sign_off(patch):
    """How the sign-offs match the author: (level, the closest sign-off's value and line).

    level: "same", "comments", "name", "address", "subaddress", or None when no sign-off is the author's.
    """
    author = _author(patch)
    if author is None:
        return "same", None, None
    a_name, a_comment, a_address, a_tail = parse_address(author)
    result = (None, None, None)
    for patch_line, value in _sign_offs(patch):
        s_name, s_comment, s_address, s_tail = parse_address(value)
        if (s_name, s_comment, s_address, s_tail) == (a_name, a_comment, a_address, a_tail):
            return "same", value, patch_line
        if s_address.lower() == a_address.lower() and s_name == a_name:
            result = ("comments", value, patch_line)
        elif s_address.lower() == a_address.lower():
            result = ("name", value, patch_line)
        elif s_name == a_name:
            plain = [_SUBADDRESS.sub(r"\1\2", a) for a in (s_address, a_address)]
            result = ("subaddress" if plain[0] == plain[1] else "address", value, patch_line)
    return result


@check("FROM_SIGN_OFF_MISMATCH", level=WARNING)
def from_sign_off_mismatch(patch, ctx):
    """The author's Signed-off-by: differs from the From: line in name, address or comment.

    ## What it does
    Finds the sign-off that belongs to the patch's author (the mail's `From:`, or the in-body
    `From:` line that `git am` uses) and reports when its name, address or sub-address
    (`jane+bpf@`) differs. A difference only in comments (`Jane Doe (Acme)`) is a CHECK, reported
    with `--strict`.

    ## Why is this bad?
    The author's sign-off must be the author's own; tools that credit authors (git shortlog,
    Patchwork, the maintainers' scripts that add `Link:` tags) match it against the From: line,
    and maintainers ask for a resend when the two disagree, usually because the mail was sent from
    another address or `user.name` differs between machines.

    ## Example
    ```bad
    From: Jane Doe <jane@example.org>
    Subject: [PATCH bpf-next] bpf: Check the key size in map_lookup_elem

    Add the missing bounds check on the user's key size.

    Signed-off-by: Jane Doe <jane.doe@work.example.com>
    ```

    ```good
    From: Jane Doe <jane@example.org>
    Subject: [PATCH bpf-next] bpf: Check the key size in map_lookup_elem

    Add the missing bounds check on the user's key size.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Sign off with the address you send from (`git config user.email`), or, when sending for another
    address, start the body with an in-body `From: Jane Doe <jane.doe@work.example.com>` line
    (`git format-patch --from` writes it).
    """
    if not patch.is_mail or not _has_diff(patch):
        return
    level, value, _ = _author_sign_off(patch)
    if level in (None, "same"):
        return
    if level == "comments" and not ctx.options.strict:
        return
    message = (f"From:/Signed-off-by: email {level} mismatch: "
               f"'From: {_author(patch)}' != 'Signed-off-by: {value}'")
    yield Hit.at_end(patch, message, level=CHECK if level == "comments" else None)


@check("NO_AUTHOR_SIGN_OFF", level=ERROR)
def no_author_sign_off(patch, ctx):
    """The patch has sign-offs, but none by its author.

    ## What it does
    Reports a patch whose `Signed-off-by:` lines all name people other than the author (the mail's
    `From:`, or the in-body `From:` line), and none matches the author's name or address.

    ## Why is this bad?
    Every author certifies the Developer's Certificate of Origin with their own sign-off. A patch
    signed off only by the person who forwards it is either missing the author's sign-off or has the
    wrong author; maintainers will not apply it until that is fixed.

    ## Example
    ```bad
    From: Jane Doe <jane@example.org>
    Subject: [PATCH bpf-next] bpf: Check the key size in map_lookup_elem

    Add the missing bounds check on the user's key size.

    Signed-off-by: John Roe <john@example.org>
    ```

    ```good
    From: Jane Doe <jane@example.org>
    Subject: [PATCH bpf-next] bpf: Check the key size in map_lookup_elem

    Add the missing bounds check on the user's key size.

    Signed-off-by: Jane Doe <jane@example.org>
    Signed-off-by: John Roe <john@example.org>
    ```

    ## Fix
    Ask the author for their sign-off and add it above yours; if you are the author, fix the From:
    (`git commit --amend --reset-author`).
    """
    if not patch.is_mail or not _has_diff(patch) or next(_sign_offs(patch), None) is None:
        return
    level, _, _ = _author_sign_off(patch)
    if level is None:
        yield Hit.at_end(patch, f"Missing Signed-off-by: line by nominal patch author '{_author(patch)}'")
