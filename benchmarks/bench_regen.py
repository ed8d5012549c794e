#!/usr/bin/env python3
"""Time `patchflow regen` against the sum of its parts run by hand on the same tree.

The parts, each timed as one command: git worktree add, the generator before the patch, git am,
the generator after it, clang early-bound, clang late-bound (and git worktree remove, reported
apart). regen does more than these (three generator outputs each time, cc -E of both headers, the
proofs, Python's start-up); the target is that it takes at most 1.5 times the parts' sum.

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


def parts_by_hand(tree: str, patch: str) -> dict:
    scratch = tempfile.mkdtemp(prefix="bench-regen-")
    work = os.path.join(scratch, "wt")
    times = {"worktree add": timed(["git", "worktree", "add", "-q", "--detach", work, "HEAD"], tree)}
    generator = [sys.executable, "scripts/bpf_doc.py", "--header", "--filename", "include/uapi/linux/bpf.h"]
    with open(os.path.join(scratch, "before.h"), "wb") as out:
        times["generator before"] = timed(generator, work, stdout=out)
    with open(patch, "rb") as handle:
        times["git am"] = timed(["git", "am", "-q"], work, input=handle.read())
    with open(os.path.join(scratch, "bpf_helper_defs.h"), "wb") as out:
        times["generator after"] = timed(generator, work, stdout=out)
    for name, prelude in (("early", ""), ("late", LATE_BINDING_MACRO + "\n")):
        source = os.path.join(scratch, f"{name}.c")
        with open(source, "w") as handle:
            handle.write(prelude + PROBE_BODY)
        times[f"clang {name}"] = timed(["clang", "-target", "bpf", "-O2", "-c", source, "-o",
                                        os.path.join(scratch, f"{name}.o")], scratch)
    removal = timed(["git", "worktree", "remove", "--force", work], tree)
    subprocess.run(["rm", "-rf", scratch], check=True, timeout=60)
    return times, removal


def regen_once(tree: str) -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "patchflow", "regen", "--tree", tree], capture_output=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")))
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"patchflow regen failed: {proc.stderr.decode().strip()}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", help="a kernel git work tree (default: the cached 6.12 subset tree)")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tree = os.path.abspath(args.tree or build_tree())
    patch = dict(bundled_patches())["6.12"]
    regen_once(tree)  # warm the page cache for both sides
    parts_by_hand(tree, patch)
    regen_times, sums, removals, each = [], [], [], {}
    for _ in range(args.runs):
        times, removal = parts_by_hand(tree, patch)
        sums.append(sum(times.values()))
        removals.append(removal)
        for key, value in times.items():
            each.setdefault(key, []).append(value)
        regen_times.append(regen_once(tree))
    regen_median, parts_median = statistics.median(regen_times), statistics.median(sums)
    print(f"tree: {tree}, {args.runs} runs, medians")
    for key, values in each.items():
        print(f"  {key:<17} {statistics.median(values) * 1000:7.0f} ms")
    print(f"  {'sum of parts':<17} {parts_median * 1000:7.0f} ms   (+ worktree remove "
          f"{statistics.median(removals) * 1000:.0f} ms, not counted)")
    print(f"  {'patchflow regen':<17} {regen_median * 1000:7.0f} ms")
    ratio = regen_median / parts_median
    print(f"ratio: {ratio:.2f} (target <= {TARGET})")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
