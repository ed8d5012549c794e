"""What `regen` compares: the branch against its base, patch files on a base, or the bundled change.

- branch (the default on the user's own tree): HEAD against --base, or the merge-base with the
  branch's upstream, or HEAD~1 when the branch has no upstream;
- patches (--patch FILE|DIR...): the patches applied on --base (default HEAD); a directory stands
  for its patch files in name order; cover letters (mails with no diff, numbered 0/N) are skipped;
- bundled (--bundled, and the default when the branch has no commit of its own, as on a fresh clone
  or patchflow's cached trees): the bundled BPF_HELPER change applied on --base (default HEAD).
"""

from __future__ import annotations

import os

from ..records import field, record
from ..errors import BadInput, TreeError
from ..tree import KernelTree

PATCH_SUFFIXES = (".patch", ".diff", ".eml", ".mbox", ".mbx")
# the generator and its input: a branch's uncommitted changes to these are worth a note
GENERATOR_FILES = ("scripts/bpf_doc.py", "include/uapi/linux/bpf.h")


@record
class PatchFile:
    """One patch to apply: a file, or one message of an mbox."""

    path: str  # as the user gave it (absolute)
    name: str  # the path, or path#N for the N-th message of an mbox
    subject: str
    text: str
    is_mail: bool


@record
class Plan:
    mode: str  # "branch", "patches" or "bundled"
    base: str  # commit id of the before side
    base_subject: str
    base_why: str  # how the base was chosen, for the report
    head: str | None = None  # branch mode: the after side
    head_name: str = ""  # the branch name, or "HEAD" when detached
    commits: list[tuple[str, str]] = field(default_factory=list)  # branch mode: (id, subject), oldest first
    patches: list[PatchFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name, why)
    notes: list[str] = field(default_factory=list)


def resolve_commit(tree: KernelTree, ref: str, what: str) -> tuple[str, str]:
    """The commit id and subject of `ref`, or a TreeError naming `what` (the option that gave it)."""
    try:
        out = tree.git("log", "-1", "--no-walk", "--format=%H%n%s", "--end-of-options", f"{ref}^{{commit}}", "--")
    except TreeError:
        raise TreeError(f"{what}: not a commit in {tree.path}")
    commit, _, subject = out.partition("\n")
    return commit.strip(), subject.strip()


class NothingOnBranch(TreeError):
    """The branch has no commit of its own: HEAD is its upstream's tip, or HEAD has no parent."""


def make_plan(tree: KernelTree, base: str | None, patch_args: list[str] | None, bundled: bool) -> Plan:
    if patch_args:
        plan = _on_base(tree, base, "patches")
        plan.patches, plan.skipped = read_patch_args(patch_args)
        return plan
    if bundled:
        return _on_base(tree, base, "bundled")
    try:
        return branch_plan(tree, base)
    except NothingOnBranch as exc:
        # a fresh clone, patchflow's own cached trees: no work of the user's to compare
        plan = _on_base(tree, None, "bundled")
        plan.notes.append(f"no branch commits to compare ({exc}): the bundled BPF_HELPER change is proven "
                          "instead; --base REV or --patch FILE for another change")
        return plan


def _on_base(tree: KernelTree, base: str | None, mode: str) -> Plan:
    commit, subject = resolve_commit(tree, base or "HEAD", f"--base {base}" if base else "HEAD")
    return Plan(mode, commit, subject, f"--base {base}" if base else "the tree's HEAD")


def _upstream(tree: KernelTree) -> str:
    """The branch's upstream (@{upstream}), else the remote's default branch (origin/HEAD), else ''."""
    upstream = tree.git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False).strip()
    if upstream:
        return upstream
    remote_head = tree.git("symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False).strip()
    return remote_head


def _default_base(tree: KernelTree, head: str, branch: str) -> tuple[str, str, str]:
    """The merge-base with the upstream (the branch's, else origin's default branch), else HEAD~1:
    (commit, subject, how it was chosen)."""
    upstream = _upstream(tree)
    if upstream:
        merge_base = tree.git("merge-base", "HEAD", upstream, "--", check=False).strip()
        if not merge_base:
            raise TreeError(f"{branch} and its upstream {upstream} have no common commit; give --base REV")
        if merge_base == head:
            raise NothingOnBranch(f"{branch} has no commit of its own on top of {upstream}")
        commit, subject = resolve_commit(tree, merge_base, "merge-base")
        return commit, subject, f"the merge-base with {upstream}"
    parent = tree.git("rev-parse", "--verify", "--quiet", "HEAD~1^{commit}", check=False).strip()
    if not parent:
        raise NothingOnBranch(f"{branch} has no upstream branch and HEAD no parent commit")
    commit, subject = resolve_commit(tree, parent, "HEAD~1")
    return commit, subject, f"HEAD~1 ({branch} has no upstream branch)"


def branch_plan(tree: KernelTree, base: str | None) -> Plan:
    """HEAD against its base: --base, else the merge-base with the upstream branch, else HEAD~1."""
    head, head_subject = resolve_commit(tree, "HEAD", "HEAD")
    branch = tree.git("rev-parse", "--abbrev-ref", "HEAD", check=False).strip() or "HEAD"
    if base:
        commit, subject = resolve_commit(tree, base, f"--base {base}")
        why = f"--base {base}"
        if commit == head:
            raise TreeError(f"--base {base}: nothing to compare, it is HEAD; give an older commit, "
                            "--patch FILE or --bundled")
    else:
        commit, subject, why = _default_base(tree, head, branch)
    log = tree.git("log", "--reverse", "--format=%H %s", f"{commit}..{head}", "--").splitlines()
    plan = Plan("branch", commit, subject, why, head=head, head_name=branch,
                commits=[tuple(line.split(" ", 1)) if " " in line else (line, "") for line in log])
    if not plan.commits:
        plan.commits = [(head, head_subject)]  # HEAD behind --base: still the two commits compared
    dirty = tree.git("status", "--porcelain", "--untracked-files=no", "--", *GENERATOR_FILES, check=False)
    changed = [line[3:] for line in dirty.splitlines() if len(line) > 3]
    if changed:
        plan.notes.append(f"uncommitted changes to {', '.join(changed)} are not compared: commit them first")
    return plan


def _expand(arg: str) -> list[str]:
    """A directory stands for its patch files, in name order."""
    if not os.path.isdir(arg):
        return [arg]
    names = sorted(name for name in os.listdir(arg)
                   if name.endswith(PATCH_SUFFIXES) and os.path.isfile(os.path.join(arg, name)))
    if not names:
        raise BadInput(f"{arg}: a directory with no patch files in it ({', '.join(PATCH_SUFFIXES)})")
    return [os.path.join(arg, name) for name in names]


def read_patch_args(args: list[str]) -> tuple[list[PatchFile], list[tuple[str, str]]]:
    """The patches to apply, in order, and the messages skipped (cover letters) with the reason."""
    from ..patch import read_patches

    patches, skipped = [], []
    for path in [p for arg in args for p in _expand(arg)]:
        messages = read_patches(path)
        for message in messages:
            if not message.files:
                if message.is_cover_letter:
                    skipped.append((message.name, "a cover letter (no diff)"))
                    continue
                raise BadInput(f"{message.name}: not a patch (no diff in it)")
            patches.append(_patch_file(path, message, single=len(messages) == 1))
    if not patches:
        raise BadInput(f"{args[0]}: no patch to apply (only cover letters)")
    return patches, skipped


def _patch_file(path: str, message, single: bool) -> PatchFile:
    raw = None
    if single and path != "-":
        with open(path, "rb") as handle:  # the bytes as written: git am reads them, not our decoding
            data = handle.read()
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            raw = None  # UTF-16 and the like: the mail reader's decoding is what git am can read
    if raw is not None:
        text = raw
    else:
        text = "\n".join(message.lines) + "\n"
        if message.is_mail and not text.startswith("From "):
            text = "From patchflow Mon Sep 17 00:00:00 2001\n" + text
    subject = message.subject if message.is_mail and message.subject else os.path.basename(path)
    return PatchFile(os.path.abspath(path), message.name, subject, text, message.is_mail)
