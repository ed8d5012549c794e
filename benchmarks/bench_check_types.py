#!/usr/bin/env python3
"""What chosen check types cost in a `patchflow check --strict` run, this checkout beside another revision.

Each side runs in a child process (`python3 -m patchflow`, the revision's `src` first on the path)
that times every registered check function with the thread's CPU clock, over the whole run: the
types' own work, and what they compute first for others (a check that is the first to ask for a
file's masked lines pays for them). The sides take turns, --runs times; the script prints each
type's best time on both sides, their sum and the ratio, and the run's total CPU time.

    python3 benchmarks/bench_check_types.py --base-rev main --types SPACING,BRACES PATCH...

With --without-code-lines the C checks' shared per-file CodeLines (`_ccode.lines_of`) are built
before each chosen type runs, untimed, so that no type is charged for them.

The other revision's `src` is taken out with `git archive` into a temporary directory, removed at
the end (also on Ctrl-C).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# run in the child: wrap every check function with the thread's CPU clock, then run `check`
CHILD = r"""
import collections, contextlib, io, json, os, sys, time
from patchflow import checks
PREBUILT = set(filter(None, os.environ.get("BENCH_PREBUILT_TYPES", "").split(",")))
from patchflow.cli import main
spent = collections.Counter()
clock = time.thread_time
def timed(info):
    func = info.func
    def line(*args):
        start = clock(); result = func(*args); spent[info.type] += clock() - start; return result
    def whole(*args):
        if PREBUILT and info.type in PREBUILT:  # the C checks' shared CodeLines, built untimed: no type pays
            from patchflow.checks import _ccode
            for file in (file for file in args[0].files if not file.is_binary and _ccode.is_c(file.path)):
                _ccode.lines_of(file, args[1])
        start = clock(); result = list(func(*args) or ()); spent[info.type] += clock() - start; return result
    # a "line" check's filter rides on its function: the timed one must carry it, or it is shown every line
    line.line_filter = getattr(func, "line_filter", None)
    return line if info.scope == "line" else whole
for info in checks.registry().values():
    info.func = timed(info)
start = clock()
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["check", "--strict", *sys.argv[1:]])
    except SystemExit:
        pass
print(json.dumps({"total": clock() - start, "types": spent}))
"""


def one_run(src: Path, patches, prebuilt=()) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), BENCH_PREBUILT_TYPES=",".join(prebuilt))
    proc = subprocess.run([sys.executable, "-c", CHILD, *patches], capture_output=True, text=True, env=env,
                          check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def revision_src(rev: str, work: str) -> Path:
    """The `src` of revision `rev`, taken out with `git archive` into the directory `work`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "src"], capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", work], input=archive, check=True)
    return Path(work) / "src"


def best(runs, key):
    return min(key(run) for run in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-rev", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("--types", required=True, help="comma-separated check types")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--without-code-lines", action="store_true",
                        help="build the C checks' shared CodeLines of a file before each chosen type, untimed")
    parser.add_argument("patches", nargs="+")
    args = parser.parse_args()
    types = args.types.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-types-") as work:
        sides = {args.base_rev: revision_src(args.base_rev, work), "this checkout": ROOT / "src"}
        runs = {name: [] for name in sides}
        for _ in range(args.runs):
            for name, src in sides.items():  # in turns: both sides see the same load
                runs[name].append(one_run(src, args.patches, types if args.without_code_lines else ()))
    base, here = runs[args.base_rev], runs["this checkout"]
    print(f"{'type':28s} {args.base_rev:>12s} {'this checkout':>14s}  (CPU s, best of {args.runs})")
    for name in types:
        print(f"{name:28s} {best(base, lambda r: r['types'].get(name, 0)):12.3f} "
              f"{best(here, lambda r: r['types'].get(name, 0)):14.3f}")
    before = best(base, lambda r: sum(r["types"].get(name, 0) for name in types))
    after = best(here, lambda r: sum(r["types"].get(name, 0) for name in types))
    print(f"{'the types together':28s} {before:12.3f} {after:14.3f}   {before / after:.2f}x")
    print(f"{'the whole run':28s} {best(base, lambda r: r['total']):12.3f} {best(here, lambda r: r['total']):14.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
