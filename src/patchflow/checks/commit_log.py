"""Commit-message lines git would lose: a line that starts with `#` is a comment to `git commit`."""

from __future__ import annotations

from . import WARNING, Hit, check
from .message import _commit_log


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
