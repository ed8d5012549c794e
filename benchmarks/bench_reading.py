#!/usr/bin/env python3
"""What reading the patches and a whole `check --strict` process cost, this checkout beside another revision.

Two figures per side, each side in child processes (the revision's `src` first on the path), the
sides taking turns --runs times:

- reading: the CPU time (process clock) of parsing every PATCH into the patch model, as `check`
  reads them (mail, mbox, diff), best of 3 inside the child;
- the whole run: the CPU time (user and system, from the kernel's accounting of the child) of
  `python3 -m patchflow check --strict PATCH...`, start-up and exit included, as a user runs it.

    python3 benchmarks/bench_reading.py --base-rev main --runs 5 /work/guard/corpus_patches/*.patch

The other revision's `src` is taken out with `git archive` into a temporary directory, removed at
the end (also on Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_check_types import revision_src  # noqa: E402  (the other revision's src, taken out)

# run in the child: read every patch three times, print the best CPU time
READ = r"""
import sys, time
from patchflow.errors import BadInput
from patchflow.patch import read_patches
best = None
for _ in range(3):
    start = time.process_time()
    for path in sys.argv[1:]:
        try:
            read_patches(path)
        except BadInput:  # a mail that is no patch: `check` says so in one line and goes on
            pass
    spent = time.process_time() - start
    best = spent if best is None else min(best, spent)
print(best)
"""


def _environment(src: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # without bytecode every start-up compiles again
    return env


def reading(src: Path, patches) -> float:
    proc = subprocess.run([sys.executable, "-c", READ, *patches], capture_output=True, text=True,
                          env=_environment(src))
    if proc.returncode:
        raise SystemExit(f"bench_reading: reading failed with {src}:\n{proc.stderr.strip()}")
    return float(proc.stdout.split()[-1])


def whole_run(src: Path, patches) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-m", "patchflow", "check", "--strict", *patches], env=_environment(src),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def comparison_arguments(description: str, runs: int):
    """The command line of a benchmark that sets this checkout beside --base-rev on PATCH...: the
    arguments, and the patches' absolute paths (the children run in another directory)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--base-rev", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("patches", nargs="+")
    args = parser.parse_args()
    return args, [os.path.abspath(path) for path in args.patches]


def main() -> int:
    args, patches = comparison_arguments(__doc__.split("\n")[0], runs=5)
    with tempfile.TemporaryDirectory(prefix="bench-reading-") as work:
        sides = {args.base_rev: revision_src(args.base_rev, work), "this checkout": ROOT / "src"}
        read = {name: [] for name in sides}
        run = {name: [] for name in sides}
        for _ in range(args.runs):
            for name, src in sides.items():  # in turns: both sides see the same load
                read[name].append(reading(src, patches))
                run[name].append(whole_run(src, patches))
    print(f"{'CPU s':34s} {args.base_rev:>16s} {'this checkout':>16s}   (best / median of {args.runs})")
    for label, figures in (("reading the patches", read), ("check --strict, the whole process", run)):
        base, here = figures[args.base_rev], figures["this checkout"]
        print(f"{label:34s} {min(base):7.3f} / {statistics.median(base):6.3f} "
              f"{min(here):7.3f} / {statistics.median(here):6.3f}   {min(base) / min(here):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
