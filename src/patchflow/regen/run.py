"""The whole `regen` job: tree, what to compare, the generator on both sides, what changed, the proofs."""

from __future__ import annotations

import difflib
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

from ..records import field, record
from .. import processes
from ..errors import BadInput, TreeError
from ..progress import showing, step
from ..tree import KernelTree, TempWorktree, git_toplevel, resolve_tree
from . import bpf_object, changes, generate, patches, verify
from .header import parse_header
from .sources import Plan, make_plan

DIFF_NAME = "generated.diff"


@record
class RegenResult:
    tree: KernelTree
    tree_spec: str
    plan: Plan
    applied: list[patches.AppliedPatch] = field(default_factory=list)
    generated: list[str] = field(default_factory=list)  # the files kept (with --out), else their names
    changes: list[changes.OutputChange] = field(default_factory=list)
    proofs: list[verify.Proof] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(proof.state != verify.FAIL for proof in self.proofs)

    def as_json(self) -> dict:
        plan = self.plan
        return {
            "tree": self.tree_spec,
            "tree_path": self.tree.path,
            "mode": plan.mode,
            "base": plan.base,
            "base_subject": plan.base_subject,
            "base_chosen": plan.base_why,
            **({"head": plan.head, "branch": plan.head_name,
                "commits": [{"id": c, "subject": s} for c, s in plan.commits]} if plan.mode == "branch" else {}),
            "patches": [{"path": p.path, "subject": p.subject, **({"variant": p.variant} if p.variant else {})}
                        for p in self.applied],
            "skipped": [{"name": name, "reason": why} for name, why in plan.skipped],
            "notes": plan.notes,
            "generated": self.generated,
            "changed": {change.name: change.as_json() for change in self.changes},
            "proofs": {proof.name: proof.as_json() for proof in self.proofs},
            "ok": self.ok,
        }


def find_tree(spec: str | None, max_age: float | None) -> tuple[KernelTree, str]:
    """--tree, or the git work tree around the current directory."""
    if spec:
        # a clone or a tree build shows its own progress (the tree layer's)
        return resolve_tree(spec, max_age=max_age, progress=showing()), spec
    top = git_toplevel(os.getcwd())
    if top is None:
        raise TreeError(f"{os.getcwd()} is not in a git work tree: run regen in your kernel tree or give --tree")
    return KernelTree(top), top


def regen(tree_spec: str | None, base: str | None = None, patch_files: list[str] | None = None,
          out: str | None = None, max_age: float | None = None, bundled: bool = False) -> RegenResult:
    if out and os.path.exists(out) and not os.path.isdir(out):
        raise BadInput(f"--out {out}: exists and is not a directory")
    tree, spec = find_tree(tree_spec, max_age)
    plan = make_plan(tree, base, patch_files, bundled)
    if plan.patches:
        _refuse_unsafe_paths(plan, tree.path)
    # the tools are looked for first: a missing compiler is an error before any work
    bpf_object.clang()
    bpf_object.c_preprocessor()
    result = RegenResult(tree, spec, plan)
    with tempfile.TemporaryDirectory(prefix="patchflow-regen-") as scratch, \
            ThreadPoolExecutor(max_workers=4) as pool:
        try:
            texts = _generate_both(result, scratch, pool)
            _prove(result, texts, scratch, pool)
            _write_diff_and_keep(result, texts, scratch, out)
        except BaseException as exc:
            # the compilers and generators of the worker threads: on Ctrl-C none may start after this
            (processes.stop_all if isinstance(exc, KeyboardInterrupt) else processes.kill_all)()
            raise
    return result


def _refuse_unsafe_paths(plan: Plan, tree_path: str) -> None:
    """One line and exit 2 for a patch whose file names leave the tree, before a worktree exists."""
    from ..patch import parse_text
    from ..paths import refuse_unsafe_paths

    for patch in plan.patches:
        refuse_unsafe_paths(parse_text(patch.text, patch.name), tree_path)


def _worktree(stack: ExitStack, tree: KernelTree, commit: str, what: str) -> TempWorktree:
    with step(f"checking out {what} ({commit[:12]}) in a temporary worktree"):
        work = stack.enter_context(TempWorktree(tree, commit))
    patches.tree_has_generator(work)
    return work


def _generate(work_path: str, dest: str, stage: str, strict: bool):
    with step(f"running scripts/bpf_doc.py {stage}"):
        return generate.generate_all(work_path, dest, stage, strict=strict)


def _generate_both(result: RegenResult, scratch: str, pool) -> dict[str, tuple[dict, dict]]:
    """Generate before and after the change, each in a temporary worktree: {side: (paths, errors)}."""
    plan, tree = result.plan, result.tree
    before_dir, after_dir = os.path.join(scratch, "before"), os.path.join(scratch, "after")
    with ExitStack() as stack:
        base = _worktree(stack, tree, plan.base, "the base")
        if plan.mode == "branch":
            # the base generates while the branch is checked out beside it (no progress line from
            # the worker thread: one step at a time owns the terminal line)
            before = pool.submit(generate.generate_all, base.path, before_dir, "at the base", strict=True)
            head = _worktree(stack, tree, plan.head, plan.head_name)
            with step(f"running scripts/bpf_doc.py at the base and on {plan.head_name}"):
                after = generate.generate_all(head.path, after_dir, f"on {plan.head_name}", strict=False)
                return {"before": before.result(), "after": after}
        before = _generate(base.path, before_dir, "before the change", True)
        with step(f"applying {len(plan.patches) or 'the bundled'} patch{'es' if len(plan.patches) > 1 else ''}"):
            if plan.mode == "patches":
                result.applied = patches.apply_series(base, plan.patches, plan.base)
            else:
                result.applied = patches.apply_bundled(base, plan.base)
        return {"before": before, "after": _generate(base.path, after_dir, "after the change", False)}


def _read(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()


def _prove(result: RegenResult, generated, scratch: str, pool) -> None:
    (before_paths, _), (after_paths, errors) = generated["before"], generated["after"]
    before = {name: _read(path) for name, path in before_paths.items()}
    after = {name: _read(path) for name, path in after_paths.items()}
    generated["texts"] = (before, after)
    header = generate.HEADER
    result.proofs = [verify.generator(errors, list(before))]
    parsed_before = parse_header(before[header])
    if header not in after:
        result.changes = changes.describe_all(before, after, errors, header, None)
        reason = "the generator made no header after the change"
        result.proofs += [verify.not_applicable(name, reason) for name in verify.PROOFS[1:]]
        return
    parsed_after = parse_header(after[header])
    result.changes = changes.describe_all(before, after, errors, header, (parsed_before, parsed_after))
    added = [helper.name for helper in changes.helper_diff(parsed_before, parsed_after).added]
    build = os.path.join(scratch, "build")
    os.makedirs(build)
    why_not = verify.overridable(after[header])
    with step("cc -E on both headers" + (", clang on the probe programs" if why_not is None else "")):
        pp_before = pool.submit(bpf_object.preprocess, before_paths[header], os.path.join(build, "before.i"))
        pp_after = pool.submit(bpf_object.preprocess, after_paths[header], os.path.join(build, "after.i"))
        if why_not is None:
            early = pool.submit(bpf_object.compile_probe, after_paths[header], os.path.join(build, "early"), False)
            late = pool.submit(bpf_object.compile_probe, after_paths[header], os.path.join(build, "late"), True)
        result.proofs.append(verify.helpers(parsed_before, parsed_after))
        names = {helper.name for helper in parsed_before.helpers + parsed_after.helpers}
        result.proofs.append(verify.expansion(pp_before.result(), pp_after.result(), added, names))
        if why_not is not None:
            result.proofs += [verify.not_applicable(name, why_not) for name in ("late_binding", "relocations")]
        else:
            result.proofs.append(verify.late_binding(late.result()))
            result.proofs.append(verify.relocations(early.result(), late.result(), parsed_after))


def _write_diff_and_keep(result: RegenResult, generated, scratch: str, out: str | None) -> None:
    before, after = generated["texts"]
    with open(os.path.join(scratch, DIFF_NAME), "w") as handle:
        handle.write(_diff(before, after))
    kept = [os.path.join("before", name) for name in before] + \
           [os.path.join("after", name) for name in after] + [DIFF_NAME]
    try:
        result.generated = _keep(scratch, kept, out) if out else kept
    except OSError as exc:
        raise BadInput(f"--out {out}: {exc.strerror}: {exc.filename}")


def _diff(before: dict[str, str], after: dict[str, str]) -> str:
    """The unified diff of each output generated on both sides ({name: text})."""
    parts = []
    for name in before:
        if name in after:
            parts.extend(difflib.unified_diff(before[name].splitlines(keepends=True),
                                              after[name].splitlines(keepends=True), f"before/{name}",
                                              f"after/{name}"))
    return "".join(parts)


def _keep(scratch: str, names: list[str], out: str) -> list[str]:
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
