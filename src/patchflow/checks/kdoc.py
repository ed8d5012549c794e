"""New kernel-doc warnings: the tree's own `scripts/kernel-doc` run on every C file a patch touches,
before and after the patch, and only the warnings the patch adds reported (NIPA's `kdoc` test).

The images come from `hunk_source` (the tree's blob or work-tree file, checked against the hunks);
a file a series changes twice is carried from one patch to the next. Without a tree, without its
scripts/kernel-doc, or without perl, the check stays silent: it judges against the tree it is given.
"""

from __future__ import annotations

import os
from collections import Counter

from ..lazy_regex import lazy
from . import WARNING, Hit, check

SCRIPT = "scripts/kernel-doc"
TIMEOUT = 120  # seconds for one kernel-doc run over a patch's files
_WARNING = lazy(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<text>(?:warning|error): .*)$")


def _run_kernel_doc(script: str, images: dict[str, list[str]]) -> list[tuple[str, int, str]]:
    """(path, line, text) of every warning kernel-doc gives on these file images."""
    import shutil
    import subprocess
    import tempfile

    from .. import processes

    if not images:
        return []
    top = tempfile.mkdtemp(prefix="patchflow-kdoc-")
    try:
        for path, lines in images.items():
            full = os.path.join(top, path)
            os.makedirs(os.path.dirname(full), exist_ok=True)
            with open(full, "w", encoding="utf-8", errors="surrogateescape") as out:
                out.write("\n".join(lines) + "\n")
        try:
            proc = processes.run(["perl", script, "-none", *sorted(images)], cwd=top, timeout=TIMEOUT)
        except (OSError, subprocess.TimeoutExpired):
            return []
        found = []
        for raw in proc.stderr.decode("utf-8", "replace").splitlines():
            match = _WARNING.match(raw.strip())
            if match and match.group("path") in images:
                found.append((match.group("path"), int(match.group("line")), match.group("text")))
        return found
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _images(patch, file, ctx, carried: dict[str, list[str]]) -> tuple[list[str], list[str]] | None:
    """(before, after) of one file for one patch of the series, or None when it cannot be known."""
    from ..hunk_source import _agrees, _apply

    if file.is_new:
        return [], [line.text for hunk in file.hunks for line in hunk.lines if line.kind == "+"]
    earlier = carried.get(file.old_path or "")
    if earlier is not None and _agrees(earlier, file, "old"):
        return earlier, _apply(earlier, file)
    return ctx.sources.images(file)


@check("KDOC_NEW_WARNING", level=WARNING, scope="series")
def kdoc_new_warning(series, ctx):
    """The patch adds a kernel-doc warning to a file it touches.

    ## What it does
    Runs the tree's own `scripts/kernel-doc -none` (perl) on every `.c` and `.h` file a patch changes,
    once on the file before the patch and once after it, and reports each warning that is new (the
    same text, ignoring line numbers, counted more often after than before). Patches of a series
    are taken in order, each on top of the ones before. Old warnings in the file are not the
    patch's and are not reported.

    ## Why is this bad?
    kernel-doc comments become the kernel's API documentation (Documentation/doc-guide/kernel-doc.rst);
    a parameter left undescribed or a comment that names the wrong function is a broken page and a
    `make htmldocs` warning. The netdev CI runs exactly this before/after comparison on every patch
    (NIPA's `kdoc` test) and fails the patch on any new warning.

    ## Example
    A new kfunc in kernel/bpf/helpers.c whose comment still describes the parameter of the function it
    was copied from; kernel-doc warns "Function parameter or struct member 'vpid' not described in
    'bpf_task_from_vpid'" and "Excess function parameter 'pid' description in 'bpf_task_from_vpid'":

    ```bad path=kernel/bpf/helpers.c tree=kdoc
    @@ -2558,4 +2558,23 @@
     	return p;
     }
    +
    +/**
    + * bpf_task_from_vpid - Find a struct task_struct from its vpid by looking it up
    + * in the pid namespace of the current task. If a task is returned, it must
    + * either be stored in a map, or released with bpf_task_release().
    + * @pid: The pid of the task being looked up.
    + */
    +__bpf_kfunc struct task_struct *bpf_task_from_vpid(s32 vpid)
    +{
    +	struct task_struct *p;
    +
    +	rcu_read_lock();
    +	p = find_task_by_vpid(vpid);
    +	if (p)
    +		p = bpf_task_acquire(p);
    +	rcu_read_unlock();
    +
    +	return p;
    +}

     /**
    ```

    ```good path=kernel/bpf/helpers.c tree=kdoc
    @@ -2558,4 +2558,23 @@
     	return p;
     }
    +
    +/**
    + * bpf_task_from_vpid - Find a struct task_struct from its vpid by looking it up
    + * in the pid namespace of the current task. If a task is returned, it must
    + * either be stored in a map, or released with bpf_task_release().
    + * @vpid: The vpid of the task being looked up.
    + */
    +__bpf_kfunc struct task_struct *bpf_task_from_vpid(s32 vpid)
    +{
    +	struct task_struct *p;
    +
    +	rcu_read_lock();
    +	p = find_task_by_vpid(vpid);
    +	if (p)
    +		p = bpf_task_acquire(p);
    +	rcu_read_unlock();
    +
    +	return p;
    +}

     /**
    ```

    ## Fix
    Run `scripts/kernel-doc -none FILE` (or `make htmldocs`) on the files you touch and describe every
    parameter and member under its own name; `patchflow check --tree LINUX` runs the comparison for you.
    """
    tree = ctx.tree
    script = os.path.join(tree.path, SCRIPT) if tree is not None else None
    if script is None or not os.path.isfile(script):
        return
    import shutil  # only with a tree: outside one, a run need not import it

    if shutil.which("perl") is None:
        return
    carried: dict[str, list[str]] = {}
    for patch in series:
        before, after, files = {}, {}, {}
        for file in patch.files:
            if file.is_binary or file.is_deleted or not file.path.endswith((".c", ".h")):
                continue
            pair = _images(patch, file, ctx, carried)
            if pair is None:
                continue
            before[file.path], after[file.path] = pair
            files[file.path] = file
        warnings_after = _run_kernel_doc(script, after)
        new = Counter((p, text) for p, _, text in warnings_after)
        if new:
            new -= Counter((p, text) for p, _, text in _run_kernel_doc(script, before))
        # of identical warnings, the ones on lines the patch added are the new ones
        added = {(path, line.new_line + above) for path, file in files.items() for line in file.added_lines()
                 for above in range(4)}
        for path, line, text in sorted(warnings_after, key=lambda w: ((w[0], w[1]) not in added, w[1])):
            if new[(path, text)] <= 0:
                continue
            new[(path, text)] -= 1
            yield _hit(patch, files[path], line, f"kernel-doc {text}")
        carried.update(after)


def _hit(patch, file, line_number: int, message: str) -> Hit:
    """On the added line kernel-doc names (it names the line after a one-line prototype, the `{`,
    so an added line up to three above counts); else on the file, with the line in the message."""
    near = [line for line in file.added_lines() if line_number - 3 <= line.new_line <= line_number]
    if near:
        return Hit.at(max(near, key=lambda line: line.new_line), file, message, patch=patch)
    return Hit(f"{file.path}:{line_number}: {message}", patch=patch, file=file.path)
