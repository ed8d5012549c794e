"""Cover letter checks: the placeholders `git format-patch --cover-letter` leaves for the author."""

from __future__ import annotations

from . import ERROR, Hit, check

PLACEHOLDERS = ("*** SUBJECT HERE ***", "*** BLURB HERE ***")


@check("COVER_LETTER_PLACEHOLDER", level=ERROR)
def cover_letter_placeholder(patch, ctx):
    """A cover letter still has git's `*** SUBJECT HERE ***` or `*** BLURB HERE ***` placeholder.

    ## What it does
    Looks for the two placeholders `git format-patch --cover-letter` writes when it has no text for
    the cover letter, in the subject and in the body of every mail.

    ## Why is this bad?
    The cover letter's subject becomes the title of the series in Patchwork and, for a series the
    bpf and netdev maintainers merge, the title of the merge commit; its body becomes the merge
    commit's message. A series sent with the placeholders is unreadable in both, and reviewers ask
    for a resend.

    ## Example
    ```bad
    Subject: [PATCH bpf-next v2 0/2] *** SUBJECT HERE ***

    *** BLURB HERE ***
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next v2 1/2] bpf_doc: Emit helper declarations through BPF_HELPER()

    Loaders that bind helpers by name need each declaration in a form
    they can find: wrap every one in a BPF_HELPER() macro.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next v2 2/2] bpf: Regenerate the helper declarations

    Regenerate bpf_helper_defs.h with the BPF_HELPER() declarations.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ```good
    Subject: [PATCH bpf-next v2 0/2] bpf_doc: Emit helper declarations through BPF_HELPER()

    Loaders that bind helpers by name need each helper's declaration in a
    form they can find. Patch 1 makes bpf_doc.py wrap every declaration
    in a BPF_HELPER() macro, patch 2 regenerates the header with it.
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next v2 1/2] bpf_doc: Emit helper declarations through BPF_HELPER()

    Loaders that bind helpers by name need each declaration in a form
    they can find: wrap every one in a BPF_HELPER() macro.

    Signed-off-by: Jane Doe <jane@example.org>
    From 0000000000000000000000000000000000000000 Mon Sep 17 00:00:00 2001
    Subject: [PATCH bpf-next v2 2/2] bpf: Regenerate the helper declarations

    Regenerate bpf_helper_defs.h with the BPF_HELPER() declarations.

    Signed-off-by: Jane Doe <jane@example.org>
    ```

    ## Fix
    Write the series' title over `*** SUBJECT HERE ***` and what the series does and why over
    `*** BLURB HERE ***` before sending. `git config branch.<name>.description` (read by
    `git format-patch --cover-from-description`) or `patchflow format --cover-letter FILE` fill
    them in.
    """
    if patch.subject and PLACEHOLDERS[0] in patch.subject:
        yield Hit.on_subject(patch, "Cover letter subject is git's placeholder: write the series' title")
    for patch_line, text in patch.message:
        if any(placeholder in text for placeholder in PLACEHOLDERS):
            yield Hit.on_patch_line(patch, patch_line, "Cover letter body is git's placeholder: "
                                                       "say what the series does and why")
