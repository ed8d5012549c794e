"""The patches `regen` applies: the bundled BPF_HELPER change (one variant per generator shape), or the
user's series, applied with `git am` in the throw-away worktree.

A patch that does not apply is reported in one line naming the file and the hunk that failed.
"""

from __future__ import annotations

import os
import re

from ..records import record
from ..errors import BadInput, PatchflowError, TreeError
from ..tree import NO_HOOKS, apply_mails, last_line, run_git
from .sources import PatchFile

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
# Newest shape first: a tree takes the first variant that applies.
BUNDLED = (
    ("bpf-next", "bpf-helper-bpf-next.patch"),  # bpf_doc.py prints attributes such as __bpf_fastcall
    ("6.12", "bpf-helper-6.12.patch"),  # bpf_doc.py blob c55878bddfdd, Debian's linux-source-6.12
)
# A throw-away commit still needs a committer; the user's identity may not be configured.
COMMITTER = {"GIT_COMMITTER_NAME": "patchflow regen", "GIT_COMMITTER_EMAIL": "regen@patchflow.invalid"}


class PatchDoesNotApply(PatchflowError):
    """A patch that does not apply to the chosen base."""

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


@record
class AppliedPatch:
    path: str
    subject: str
    variant: str | None = None  # the bundled variant's name, for the bundled patch


def bundled_patches() -> list[tuple[str, str]]:
    return [(variant, os.path.join(DATA, name)) for variant, name in BUNDLED]


def subject_of(path: str) -> str:
    text = _read(path)
    match = re.search(r"^Subject:[ \t]*(.*(?:\n[ \t].*)*)", text, re.M)
    if match:
        return " ".join(match.group(1).split())
    return os.path.basename(path)


def _read(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise BadInput(f"{path}: no such file")
    except IsADirectoryError:
        raise BadInput(f"{path}: is a directory, not a patch")
    except OSError as exc:
        raise BadInput(f"{path}: {exc.strerror}")


def hunk_starts(text: str) -> dict:
    """For each file a patch changes, the old start line of each of its hunks, in order."""
    starts, current = {}, None
    for line in text.splitlines():
        match = re.match(r"^diff --git a/(\S+) b/(\S+)", line)
        if match:
            current = match.group(1)
            starts.setdefault(current, [])
            continue
        match = re.match(r"^--- (?:a/)?(\S+)", line)
        if match and current is None and match.group(1) != "/dev/null":
            current = match.group(1)
            starts.setdefault(current, [])
            continue
        match = re.match(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@(.*)", line)
        if match and current is not None:
            starts[current].append((int(match.group(1)), line))
    return starts


def why_not(work, patch: PatchFile) -> str | None:
    """Why `patch` does not apply in the worktree (file and hunk), or None when it applies."""
    text = patch.text
    proc = run_git(["apply", "--check", "--verbose", "-"], cwd=work.path, timeout=120,
                   input=text.encode("utf-8", "surrogateescape"))
    if proc.returncode == 0:
        return None
    proc_err = proc.stderr.decode("utf-8", "replace")
    failed = re.search(r"^error: patch failed: (.+):(\d+)$", proc_err, re.M)
    if failed:
        name, line = failed.group(1), int(failed.group(2))
        hunks = hunk_starts(text).get(name, [])
        for number, (start, header) in enumerate(hunks, 1):
            if start == line:
                return f"{name}: hunk #{number} of {len(hunks)} ({header.split(' @@')[0]} @@) does not apply"
        return f"{name}: the hunk at line {line} does not apply"
    errors = [line[len("error: "):] for line in proc_err.splitlines() if line.startswith("error: ")]
    return errors[-1] if errors else (proc_err.strip().splitlines() or ["git apply failed"])[-1]


def bundled_patch(variant: str, path: str) -> PatchFile:
    text = _read(path)
    return PatchFile(path, path, subject_of(path), text, True)


def apply_bundled(work, base: str) -> list[AppliedPatch]:
    """Apply the bundled variant that fits the worktree's generator; the likeliest one is tried first."""
    generator = os.path.join(work.path, "scripts", "bpf_doc.py")
    with open(generator, encoding="utf-8", errors="replace") as handle:
        prints_static_apart = "print('static ', end='')" in handle.read()
    variants = bundled_patches()
    if not prints_static_apart:
        variants.reverse()
    reasons = []
    for variant, path in variants:
        try:
            return apply_series(work, [bundled_patch(variant, path)], base, variant=variant)
        except PatchDoesNotApply as exc:
            reasons.append(f"{variant} variant: {exc.reason}")
            run_git(["am", "--abort"], cwd=work.path, timeout=60)
    raise PatchDoesNotApply(f"no bundled BPF_HELPER patch applies to {base[:12]}: " + "; ".join(reasons) +
                            " (a BPF_HELPER change already on your branch: run regen without --bundled in your tree)")


def apply_series(work, series: list[PatchFile], base: str, variant: str | None = None) -> list[AppliedPatch]:
    """Apply the patches in order on the worktree's detached HEAD, one commit each."""
    applied = []
    for patch in series:
        if patch.is_mail:  # the one "git am in a throw-away worktree, hooks off" of the tree layer
            failure = apply_mails(work, [patch.text], three_way=False)
            refused = None if failure is None else failure.reason
        else:
            proc = run_git(["apply", "--index", "-"], cwd=work.path,
                           input=patch.text.encode("utf-8", "surrogateescape"))
            refused = None if proc.returncode == 0 else last_line(proc.stderr)
        if refused is not None:
            # the worktree goes away with its half-done am; only say why
            reason = why_not(work, patch) or refused
            where = "on top of the patches before it" if applied else f"to {base[:12]}"
            raise PatchDoesNotApply(f"{patch.name} does not apply {where}: {reason}", reason)
        if not patch.is_mail:
            # a plain diff: committed under its file name
            work.git(*NO_HOOKS, "-c", "user.name=patchflow regen", "-c", "user.email=regen@patchflow.invalid",
                     "commit", "--quiet", "--no-verify", "-m", f"patchflow regen: {os.path.basename(patch.path)}",
                     env=COMMITTER)
        applied.append(AppliedPatch(patch.path, patch.subject, variant))
    return applied


def tree_has_generator(work) -> None:
    for relpath in ("scripts/bpf_doc.py", "include/uapi/linux/bpf.h"):
        if not os.path.isfile(os.path.join(work.path, relpath)):
            raise TreeError(f"{work.tree.path} at {work.commit[:12]} has no {relpath}: "
                            "not a kernel tree with the BPF generator")
