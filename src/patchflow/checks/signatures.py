"""Signature tags (Signed-off-by:, Reviewed-by:, Reported-by:, ...): spelled and written as the kernel's
tools read them, each once, and a Reported-by: followed by the Closes: link to the report.

The lines are those of the mail below its headers and above the diff: the commit message and the
notes under `---`, as checkpatch reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import ERROR, WARNING, Hit, check
from .message import _author, format_address, parse_address
from ..lazy_regex import lazy

_STANDARD = ("Signed-off-by:", "Co-developed-by:", "Acked-by:", "Tested-by:", "Reviewed-by:", "Reported-by:",
             "Suggested-by:")
_SIGNATURE_TAGS = _STANDARD + ("Assisted-by:", "To:", "Cc:")
_KNOWN = {tag.lower() for tag in _SIGNATURE_TAGS}
_SIGNATURE_LINE = lazy(r"^(\s*)([a-z0-9_-]+by:|" + "|".join(re.escape(t) for t in _SIGNATURE_TAGS) + r")(\s*)(.*)",
                       re.IGNORECASE)
_REPORTED_BY = lazy(r"^reported(?:|-and-tested)-by:$", re.IGNORECASE)
_STABLE = lazy(r"^.*stable@(?:vger\.)?kernel\.org", re.IGNORECASE)
_COMMENT = lazy(r"\([^()]*\)")  # a comment in an address
_NAME_COMMENT = lazy(r"\([^)]+\)")
_BLANK = lazy(r"\s")


def _lines_below_headers(patch) -> Iterator[tuple[int, str]]:
    yield from patch.message
    yield from patch.notes


def _edit_distance(a: str, b: str) -> int:
    """Levenshtein distance of two tags, ignoring case and dashes (as checkpatch compares them)."""
    a, b = a.lower().replace("-", ""), b.lower().replace("-", "")
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(previous[j - 1] if ca == cb else 1 + min(current[j - 1], previous[j], previous[j - 1]))
        previous = current
    return previous[-1]


def _tag_form_problems(tag: str, space_before: str, space_after: str) -> Iterator[str]:
    proper = tag[:1].upper() + tag[1:].lower()
    # a tag that holds a standard one is standard (Reported-and-tested-by:), as checkpatch finds it
    if not any(known in tag.lower() for known in _KNOWN):
        close = next((s for s in _STANDARD if _edit_distance(tag, s) <= 2), None)
        yield (f"Non-standard signature: '{tag}' - perhaps '{close}'?" if close
               else f"Non-standard signature: {tag}")
    if space_before:
        yield f"Do not use whitespace before {proper}"
    if tag.lower().endswith("-by:") and tag != proper:
        yield f"'{proper}' is the preferred signature form"
    if space_after != " ":
        yield f"Use a single space after {proper}"


def _address_problems(email: str) -> Iterator[tuple[str, str]]:
    """(level, message) for the address of a signature."""
    name, name_comment, address, comment = parse_address(email)
    suggested = format_address(name, name_comment, address, comment)
    if not suggested:
        yield ERROR, f"Unrecognized email address: '{email}'"
        return
    if parse_address(email) != parse_address(suggested):
        yield WARNING, f"email address '{email}' might be better as '{suggested}'"
    if _COMMENT.search(address):
        yield WARNING, f"address part of email should not have comments: '{address}'"
    if len(_NAME_COMMENT.findall(name_comment)) > 1:
        yield WARNING, f"Use a single name comment in email: '{email}'"
    if not _STABLE.match(email) and comment and not re.match(r"^(?:#.+|\(.+\))$", comment):
        text = re.sub(r"^\[(.*)\]$", r"\1", comment)
        text = re.sub(r"^/\*(.*)\*/$", r"\1", text).strip()
        text = re.sub(r"^\W$", "", text)
        better = format_address(name, name_comment, address, f"({text})" if text else "")
        yield WARNING, f"Unexpected content after email: '{email}', should be: '{better}'"


def _co_developed_problems(patch, email: str, next_line: str | None) -> Iterator[str]:
    if email == _author(patch):
        yield f"Co-developed-by: should not be used to attribute nominal patch author '{_author(patch)}'"
    match = re.match(r"^signed-off-by:\s*(.*)", next_line or "", re.IGNORECASE)
    if match is None:
        yield "Co-developed-by: must be immediately followed by Signed-off-by:"
    elif match.group(1) != email:
        yield "Co-developed-by and Signed-off-by: name/email do not match"


def _next_line(patch, patch_line: int) -> str | None:
    index = patch_line + 1 - patch.first_line
    return patch.lines[index] if index < len(patch.lines) else None


@check("BAD_SIGN_OFF", level=WARNING)
def bad_sign_off(patch, ctx):
    """A signature tag (Signed-off-by:, Reviewed-by:, Cc:, ...) misspelled, misformed or repeated.

    ## What it does
    Reads every `Xxx-by:`, `To:` and `Cc:` line below the mail's headers (the commit message and
    the notes under `---`) and reports, as checkpatch does: a tag that is not one of the
    standard ones (suggesting the one within two edits), whitespace before the tag, a tag not
    written `Xxx-by:` (first letter only in capitals), anything but one space after it, an
    address that cannot be read (an ERROR) or is better written otherwise, comments in the address
    part, more than one name comment, text after the address other than `# comment` or
    `(comment)`, a signature given twice, and a `Co-developed-by:` that names the author or is
    not followed at once by the same person's `Signed-off-by:`.

    ## Why is this bad?
    Tools read these lines: b4 and the maintainers' scripts collect and credit them, `git
    interpret-trailers` parses them, and the DCO is only given by a `Signed-off-by:` written as
    Documentation/process/submitting-patches.rst shows. A misspelled tag credits nobody.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Use kvmemdup_bpfptr() in map_update_elem

    The value buffer is copied by hand; kvmemdup_bpfptr() does both steps.

    Reviewed-By:  John Roe <john@example.org>
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Use kvmemdup_bpfptr() in map_update_elem

    The value buffer is copied by hand; kvmemdup_bpfptr() does both steps.

    Reviewed-by: John Roe <john@example.org>
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Write each tag as Documentation/process/submitting-patches.rst shows it: `Reviewed-by: Name
    <address>`, one space after the colon, once; let `git commit -s` and b4 add them.
    """
    if not patch.is_mail:
        return
    seen = set()
    for patch_line, text in _lines_below_headers(patch):
        match = _SIGNATURE_LINE.match(text) if ":" in text else None
        if match is None:
            continue
        space_before, tag, space_after, email = match.groups()
        for message in _tag_form_problems(tag, space_before, space_after):
            yield Hit.on_patch_line(patch, patch_line, message)
        if tag.lower() == "assisted-by:":
            if not re.match(r"^\S+:\S+", email):
                yield Hit.on_patch_line(patch, patch_line,
                                        "Assisted-by expects 'AGENT_NAME:MODEL_VERSION [TOOL1] [TOOL2]' format")
            continue
        for level, message in _address_problems(email):
            yield Hit.on_patch_line(patch, patch_line, message, level=level)
        key = _BLANK.sub("", text).lower()
        if key in seen:
            yield Hit.on_patch_line(patch, patch_line, "Duplicate signature")
        seen.add(key)
        if tag.lower() == "co-developed-by:":
            for message in _co_developed_problems(patch, email, _next_line(patch, patch_line)):
                yield Hit.on_patch_line(patch, patch_line, message)


@check("BAD_REPORTED_BY_LINK", level=WARNING)
def bad_reported_by_link(patch, ctx):
    """A `Reported-by:` not followed at once by a `Closes:` link to the report.

    ## What it does
    Reports each `Reported-by:` (or `Reported-and-tested-by:`) line of the commit message whose
    next line is not a `Closes:` tag.

    ## Why is this bad?
    Documentation/process/submitting-patches.rst: a Reported-by: "should be immediately followed
    by Closes: with a URL to the report", so that the report can be found and the bug trackers
    (and the kernel regression bot) close it when the fix lands.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Check the value size before copying

    A zero value size made the copy return ZERO_SIZE_PTR; refuse it.

    Reported-by: John Roe <john@example.org>
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next] bpf: Check the value size before copying

    A zero value size made the copy return ZERO_SIZE_PTR; refuse it.

    Reported-by: John Roe <john@example.org>
    Closes: https://lore.kernel.org/all/20241120100000.1234-1-john@example.org/
    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Put `Closes: <link to the report>` on the line after the Reported-by: (b4 and lore give the
    link of the mail).
    """
    if not patch.is_mail:
        return
    for patch_line, text in _lines_below_headers(patch):
        match = _SIGNATURE_LINE.match(text) if "-by:" in text.lower() else None
        if match is None or not _REPORTED_BY.match(match.group(2)):
            continue
        following = _next_line(patch, patch_line)
        if following is None or not re.match(r"^closes:\s*", following, re.IGNORECASE):
            yield Hit.on_patch_line(patch, patch_line,
                                    "Reported-by: should be immediately followed by Closes: with a URL to the report")
