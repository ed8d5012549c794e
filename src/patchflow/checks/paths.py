"""File name checks: names that would make applying the patch write outside the kernel tree."""

from __future__ import annotations

from . import ERROR, Hit, check


@check("PATH_OUTSIDE_TREE", level=ERROR)
def path_outside_tree(patch, ctx):
    """A file name of the patch leaves the tree: `../`, an absolute path, `.git/`, or a symbolic link.

    ## What it does
    Reads every file name of the diff (`diff --git`, `---`/`+++`, `rename from`/`to`, `copy`) and
    reports one that is absolute, has a `..` component, lies in the repository's `.git` directory,
    or passes through a symbolic link pointing outside the tree: one the patch itself creates
    (mode 120000), or, when a tree is known (`--tree`, or the git work tree around the current
    directory), one already in it. A symbolic link the patch creates with a target outside the
    tree is reported too.

    ## Why is this bad?
    Applying such a patch writes, renames or deletes files outside the kernel tree (a `.bashrc`, a
    git hook that runs on the next commit). `git apply` refuses most of these names, `patch -p1`
    does not; no real kernel change needs one, so a patch that has one was mangled or is hostile.
    `patchflow regen` and `format` refuse to apply it.

    ## Example
    ```bad path=../../.bashrc
     export EDITOR=vi
    +alias ls='ls -l'
    ```

    ```good path=tools/bpf/bpftool/bash-completion/bpftool
     # bpftool(8) bash completion
    +# shellcheck shell=bash
    ```

    ## Fix
    Regenerate the patch from the kernel tree (`git format-patch`), so that every name is relative to
    the top of the tree and inside it; do not apply a patch that has such a name.
    """
    if not patch.files:
        return
    from ..paths import path_problems

    tree = ctx.tree
    for problem in path_problems(patch.files, tree.path if tree is not None else None, ctx.once(_tree_modes)):
        line = problem.patch_line
        yield Hit(f"File name leaves the kernel tree: {problem}", patch=patch, patch_line=line,
                  file=problem.path, quote=patch.line_text(line) if _in_patch(patch, line) else None)


def _tree_modes(ctx) -> dict:
    """The run's memo of the tree's names path_problems looked at (the tree does not change while
    `check` reads it)."""
    return {}


def _in_patch(patch, line) -> bool:
    return line is not None and patch.first_line <= line < patch.first_line + len(patch.lines)
