"""The whole `regen` job: tree, worktree, patch, generator before and after, and the four proofs."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import List, Optional

from .. import processes
from ..errors import BadInput, TreeError
from ..tree import KernelTree, TempWorktree, resolve_tree
from . import bpf_object, generate, patches, verify
from .header import parse_header

DIFF_NAME = "generated.diff"


@dataclass
class RegenResult:
    tree: KernelTree
    tree_spec: str
    base: str  # the commit id
    base_subject: str
    applied: List[patches.AppliedPatch]
    generated: List[str]  # the files kept (with --out), else their names
    changed_outputs: List[str]
    proofs: List[verify.Proof] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(proof.ok for proof in self.proofs)

    def as_json(self) -> dict:
        return {
            "tree": self.tree_spec,
            "tree_path": self.tree.path,
            "base": self.base,
            "patches": [{"path": p.path, "subject": p.subject, **({"variant": p.variant} if p.variant else {})}
                        for p in self.applied],
            "generated": self.generated,
            "changed": self.changed_outputs,
            "verify": {proof.name: proof.as_json() for proof in self.proofs},
        }


def resolve_base(tree: KernelTree, base: Optional[str]):
    """The commit id and subject of --base (default HEAD)."""
    ref = base or "HEAD"
    try:
        out = tree.git("log", "-1", "--no-walk", "--format=%H%n%s", "--end-of-options", f"{ref}^{{commit}}", "--")
    except TreeError:
        raise TreeError(f"--base {ref}: not a commit in {tree.path}")
    commit, _, subject = out.partition("\n")
    return commit.strip(), subject.strip()


def regen(tree_spec: str, base: Optional[str] = None, patch_files: Optional[List[str]] = None,
          out: Optional[str] = None, max_age: Optional[float] = None, progress: bool = False) -> RegenResult:
    if out and os.path.exists(out) and not os.path.isdir(out):
        raise BadInput(f"--out {out}: exists and is not a directory")
    tree = resolve_tree(tree_spec, max_age=max_age, progress=progress)
    commit, subject = resolve_base(tree, base)
    if patch_files:
        _refuse_unsafe_paths(patch_files, tree.path)
    # the tools are looked for first: a missing compiler is an error before any work
    bpf_object.clang()
    bpf_object.c_preprocessor()
    with tempfile.TemporaryDirectory(prefix="patchflow-regen-") as scratch, TempWorktree(tree, commit) as work, \
            ThreadPoolExecutor(max_workers=4) as pool:
        try:
            return _regen_in(work, scratch, pool, tree, tree_spec, commit, subject, patch_files, out)
        except BaseException:
            processes.kill_all()  # the compilers and generators of the worker threads, on Ctrl-C
            raise


def _refuse_unsafe_paths(patch_files: List[str], tree_path: str) -> None:
    """One line and exit 2 for a patch whose file names leave the tree, before a worktree exists."""
    from ..errors import BadInput
    from ..patch import read_patches
    from ..paths import refuse_unsafe_paths

    for path in patch_files:
        try:
            parsed = read_patches(path)
        except BadInput:
            continue  # unreadable or not a patch: apply_series says so in its own words
        refuse_unsafe_paths(parsed, tree_path)


def _regen_in(work, scratch, pool, tree, tree_spec, commit, subject, patch_files, out) -> RegenResult:
    patches.tree_has_generator(work)
    build = os.path.join(scratch, "build")
    os.makedirs(build)
    before_dir, after_dir = os.path.join(scratch, "before"), os.path.join(scratch, "after")
    # the manual pages only matter to someone who keeps the files
    outputs = tuple(generate.OUTPUTS) if out else (generate.HEADER,)
    before = generate.generate_all(work.path, before_dir, "before the patch", outputs)
    before_header = before[generate.HEADER]
    # what needs only the header before the patch runs while the patch is applied
    pp_before = pool.submit(bpf_object.preprocess, before_header, os.path.join(build, "before.i"))
    parsed_before = pool.submit(_parse, before_header)
    if patch_files:
        applied = patches.apply_series(work, list(patch_files), commit)
    else:
        applied = patches.apply_bundled(work, commit)
    after = generate.generate_all(work.path, after_dir, "after the patch", outputs)
    after_header = after[generate.HEADER]
    pp_after = pool.submit(bpf_object.preprocess, after_header, os.path.join(build, "after.i"))
    early = pool.submit(bpf_object.compile_probe, after_header, os.path.join(build, "early"), False)
    late = pool.submit(bpf_object.compile_probe, after_header, os.path.join(build, "late"), True)
    parsed_after = _parse(after_header)
    result = RegenResult(tree, tree_spec, commit, subject, applied, [], [])
    result.proofs = [
        verify.helpers(parsed_before.result(), parsed_after),
        verify.expansion(pp_before.result(), pp_after.result()),
        verify.late_binding(late.result()),
        verify.relocations(early.result(), late.result(), parsed_after),
    ]
    diff, result.changed_outputs = _diff(before, after)
    with open(os.path.join(scratch, DIFF_NAME), "w") as handle:
        handle.write(diff)
    kept = [os.path.join("before", name) for name in outputs] + \
           [os.path.join("after", name) for name in outputs] + [DIFF_NAME]
    try:
        result.generated = _keep(scratch, kept, out) if out else kept
    except OSError as exc:
        raise BadInput(f"--out {out}: {exc.strerror}: {exc.filename}")
    return result


def _parse(header: str):
    with open(header, encoding="utf-8", errors="replace") as handle:
        return parse_header(handle.read())


def _diff(before: dict, after: dict):
    parts, changed = [], []
    for name in before:
        with open(before[name], encoding="utf-8", errors="replace") as handle:
            old = handle.read().splitlines(keepends=True)
        with open(after[name], encoding="utf-8", errors="replace") as handle:
            new = handle.read().splitlines(keepends=True)
        lines = list(difflib.unified_diff(old, new, f"before/{name}", f"after/{name}"))
        if lines:
            changed.append(name)
            parts.extend(lines)
    return "".join(parts), changed


def _keep(scratch: str, names: List[str], out: str) -> List[str]:
    """Copy the generated files into `out`, each written whole or not at all."""
    kept = []
    for name in names:
        dest = os.path.join(os.path.abspath(out), name)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(dest))
        try:
            with os.fdopen(fd, "wb") as handle, open(os.path.join(scratch, name), "rb") as source:
                shutil.copyfileobj(source, handle)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        kept.append(dest)
    return kept
