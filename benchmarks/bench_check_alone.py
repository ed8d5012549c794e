#!/usr/bin/env python3
"""What chosen check types cost on their own, this checkout beside another revision.

`bench_check_types.py` times each type inside one run, where the first type to ask for a file's
shared views (its CodeLines, masked text, joined added lines) pays for them, so a type's figure
moves when another type starts asking first. Here each side runs `patchflow check --strict` once in
a child process (which builds every view), keeps the arguments each chosen type was called with,
then calls each type's function again over them, --repeat times, with the thread's CPU clock: the
best of those is the type's own work over views already built. The sides take turns, --runs times.

    python3 benchmarks/bench_check_alone.py --base-rev main --types BRACES,SUSPECT_CODE_INDENT PATCH...
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_check_types import ROOT, revision_src  # noqa: E402  (the same revision export)

# run in the child: record each chosen type's calls during one run, then time them again alone
CHILD = r"""
import collections, contextlib, io, json, sys, time
from patchflow import checks
from patchflow.cli import main
types, repeat = sys.argv[1].split(","), int(sys.argv[2])
calls, funcs = collections.defaultdict(list), {}
def recorded(info):
    func = funcs[info.type] = info.func
    def record(*args):
        calls[info.type].append(args)
        return func(*args)
    record.__dict__.update(func.__dict__)  # a line check's filter rides on its function
    return record
for info in checks.registry().values():
    if info.type in types:
        info.func = recorded(info)
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["check", "--strict", *sys.argv[3:]])
    except SystemExit:
        pass
best = {}
for name in types:
    for _ in range(repeat):
        start = time.thread_time()
        for args in calls[name]:
            result = funcs[name](*args)
            if result is not None and not isinstance(result, str):
                list(result)  # a patch check is a generator: run it
        spent = time.thread_time() - start
        best[name] = min(best.get(name, spent), spent)
print(json.dumps(best))
"""


def one_run(src: Path, types, repeat: int, patches) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    proc = subprocess.run([sys.executable, "-c", CHILD, ",".join(types), str(repeat), *patches],
                          capture_output=True, text=True, env=env, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-rev", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("--types", required=True, help="comma-separated check types")
    parser.add_argument("--runs", type=int, default=3, help="child runs per side, in turns")
    parser.add_argument("--repeat", type=int, default=5, help="timed calls of each type per child run")
    parser.add_argument("patches", nargs="+")
    args = parser.parse_args()
    types = args.types.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-alone-") as work:
        sides = {args.base_rev: revision_src(args.base_rev, work), "this checkout": ROOT / "src"}
        best = {name: {} for name in sides}
        for _ in range(args.runs):
            for name, src in sides.items():  # in turns: both sides see the same load
                for kind, spent in one_run(src, types, args.repeat, args.patches).items():
                    best[name][kind] = min(best[name].get(kind, spent), spent)
    base, here = best[args.base_rev], best["this checkout"]
    print(f"{'type':28s} {args.base_rev:>12s} {'this checkout':>14s}  (CPU ms, best)")
    for name in types:
        print(f"{name:28s} {base[name] * 1000:12.1f} {here[name] * 1000:14.1f}")
    before, after = sum(base.values()), sum(here.values())
    print(f"{'the types together':28s} {before * 1000:12.1f} {after * 1000:14.1f}   {before / after:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
