#!/usr/bin/env python3
"""Time `patchflow regen` against the sum of its parts run by hand on the same tree.

Two jobs, each against the commands a user would type for it, each timed as one command:

- bundled (`regen --tree T --bundled`): git worktree add, the generator's three outputs (--header,
  helpers, syscall) before the patch, git am, the three after it, clang early-bound and late-bound;
- branch (`regen` in a clone on a branch with a banner change to bpf_doc.py): a worktree for the base
  and one for the branch, the three outputs in each (late binding does not apply: no clang).

git worktree remove is reported apart. regen does more than these (cc -E of both headers, the proofs,
what changed in each file, Python's start-up); the target is at most 1.5 times the parts' sum.

Usage: python3 benchmarks/bench_regen.py [--tree PATH] [--runs N]   (default: the cached 6.12 tree)
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

from patchflow.kernel_source import build_tree  # noqa: E402
from patchflow.regen.bpf_object import LATE_BINDING_MACRO, PROBE_BODY  # noqa: E402
from patchflow.regen.patches import bundled_patches  # noqa: E402

TARGET = 1.5
COMMITTER = {"GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@patchflow.invalid"}


def timed(args, cwd, stdout=None, input=None):
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, check=True, stdout=stdout or subprocess.DEVNULL, input=input, timeout=300,
                   env=dict(os.environ, **COMMITTER))
    return time.perf_counter() - start


def generate_three(work, dest, times, stage):
    for name, args in (("header", ["--header"]), ("helpers", ["helpers"]), ("syscall", ["syscall"])):
        with open(os.path.join(dest, f"{stage}-{name}"), "wb") as out:
            times[f"{name} {stage}"] = timed([sys.executable, "scripts/bpf_doc.py", *args, "--filename",
                                             "include/uapi/linux/bpf.h"], work, stdout=out)


def parts_bundled(tree: str, patch: str):
    scratch = tempfile.mkdtemp(prefix="bench-regen-")
    work = os.path.join(scratch, "wt")
    times = {"worktree add": timed(["git", "worktree", "add", "-q", "--detach", work, "HEAD"], tree)}
    generate_three(work, scratch, times, "before")
    with open(patch, "rb") as handle:
        times["git am"] = timed(["git", "am", "-q"], work, input=handle.read())
    generate_three(work, scratch, times, "after")
    with open(os.path.join(scratch, "bpf_helper_defs.h"), "wb") as out, \
            open(os.path.join(scratch, "after-header"), "rb") as header:
        out.write(header.read())
    for name, prelude in (("early", ""), ("late", LATE_BINDING_MACRO + "\n")):
        source = os.path.join(scratch, f"{name}.c")
        with open(source, "w") as handle:
            handle.write(prelude + PROBE_BODY)
        times[f"clang {name}"] = timed(["clang", "-target", "bpf", "-O2", "-c", source, "-o",
                                        os.path.join(scratch, f"{name}.o")], scratch)
    removal = timed(["git", "worktree", "remove", "--force", work], tree)
    subprocess.run(["rm", "-rf", scratch], check=True, timeout=60)
    return times, removal


def parts_branch(clone: str, base: str):
    scratch = tempfile.mkdtemp(prefix="bench-regen-")
    times = {}
    for stage, commit in (("before", base), ("after", "HEAD")):
        work = os.path.join(scratch, stage)
        times[f"worktree {stage}"] = timed(["git", "worktree", "add", "-q", "--detach", work, commit], clone)
        generate_three(work, scratch, times, stage)
    removal = sum(timed(["git", "worktree", "remove", "--force", os.path.join(scratch, stage)], clone)
                  for stage in ("before", "after"))
    subprocess.run(["rm", "-rf", scratch], check=True, timeout=60)
    return times, removal


def banner_branch(tree: str, scratch: str) -> str:
    """A clone of the tree on a branch that rewords the header's banner in bpf_doc.py."""
    clone = os.path.join(scratch, "linux")
    subprocess.run(["git", "clone", "-q", "--shared", tree, clone], check=True, timeout=300)
    subprocess.run(["git", "switch", "-q", "-c", "banner", "--track", "origin/HEAD"], cwd=clone, check=True,
                   timeout=60)
    path = os.path.join(clone, "scripts", "bpf_doc.py")
    with open(path) as handle:
        text = handle.read().replace("/* This is auto-generated file.", "/* This is an auto-generated file.")
    with open(path, "w") as handle:
        handle.write(text)
    subprocess.run(["git", "commit", "-q", "-a", "-m", "bpf_doc: the banner's article"], cwd=clone, check=True,
                   timeout=60, env=dict(os.environ, **COMMITTER, GIT_AUTHOR_NAME="bench",
                                        GIT_AUTHOR_EMAIL="bench@patchflow.invalid"))
    return clone


def regen_once(args, cwd) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "patchflow", "regen", *args], capture_output=True, cwd=cwd,
                          timeout=300, env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")))
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"patchflow regen failed: {proc.stderr.decode().strip()}")
    return elapsed


def measure(name, runs, by_hand, regen_args, cwd) -> float:
    regen_once(regen_args, cwd)  # warm the page cache for both sides
    by_hand()
    regen_times, sums, removals, each = [], [], [], {}
    for _ in range(runs):
        times, removal = by_hand()
        sums.append(sum(times.values()))
        removals.append(removal)
        for key, value in times.items():
            each.setdefault(key, []).append(value)
        regen_times.append(regen_once(regen_args, cwd))
    regen_median, parts_median = statistics.median(regen_times), statistics.median(sums)
    print(f"{name}: {runs} runs, medians")
    for key, values in each.items():
        print(f"  {key:<17} {statistics.median(values) * 1000:7.0f} ms")
    print(f"  {'sum of parts':<17} {parts_median * 1000:7.0f} ms   (+ worktree remove "
          f"{statistics.median(removals) * 1000:.0f} ms, not counted)")
    print(f"  {'patchflow regen':<17} {regen_median * 1000:7.0f} ms")
    ratio = regen_median / parts_median
    print(f"  ratio: {ratio:.2f} (target <= {TARGET})")
    return ratio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", help="a kernel git work tree (default: the cached 6.12 subset tree)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tree = os.path.abspath(args.tree or build_tree())
    patch = dict(bundled_patches())["6.12"]
    print(f"tree: {tree}")
    ratios = [measure("bundled (regen --bundled)", args.runs, lambda: parts_bundled(tree, patch),
                      ["--tree", tree, "--bundled"], None)]
    with tempfile.TemporaryDirectory(prefix="bench-regen-branch-") as scratch:
        clone = banner_branch(tree, scratch)
        base = subprocess.run(["git", "merge-base", "HEAD", "origin/HEAD"], cwd=clone, capture_output=True,
                              text=True, check=True, timeout=60).stdout.strip()
        ratios.append(measure("branch (regen in a clone, a banner change)", args.runs,
                              lambda: parts_branch(clone, base), [], clone))
    return 0 if max(ratios) <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
