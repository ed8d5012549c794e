#!/usr/bin/env python3
"""PARENTHESIS_ALIGNMENT and the shared C views inside one `check --strict` run, this checkout beside another revision.

Each side runs `check --strict PATCH...` in a child process (the revision's `src` first on the
path) with these functions wrapped to add up their CPU time (process clock): the check
PARENTHESIS_ALIGNMENT (its windows and outlines included), `_alignment_rules.outline_rules`
(the walk), `_source.outline` (building an outline), `_ccode._code_lines` (the CodeLine views) and
the masked view (`_source.masked_lines`, and `_source.masked_hunks` where it exists), each piece
charged once, whoever asks first. The sides take turns --runs times; medians are printed.

    python3 benchmarks/bench_views.py --base-rev main --runs 3 /work/guard/corpus_patches/*.patch
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_check_types import revision_src  # noqa: E402  (the other revision's src, taken out)
from bench_reading import _environment, comparison_arguments  # noqa: E402

# run in the child: the check with the pieces wrapped, then a JSON object of their CPU seconds
CHILD = r"""
import contextlib, io, json, sys, time
from collections import Counter
from patchflow import checks
from patchflow.checks import _ccode, _source, alignment
spent = Counter()

def timed(name, owner, attribute, listed=False):
    function = getattr(owner, attribute)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        result = function(*args, **kwargs)
        if listed:
            result = list(result)
        spent[name] += time.process_time() - start
        return result
    wrapper.__dict__.update(function.__dict__)
    setattr(owner, attribute, wrapper)

timed("masked view", _source, "masked_lines")
if hasattr(_source, "masked_hunks"):
    timed("masked view", _source, "masked_hunks")
timed("building the outlines", _source, "outline")
timed("outline_rules", alignment, "outline_rules")
timed("_code_lines", _ccode, "_code_lines")
info = checks.registry()["PARENTHESIS_ALIGNMENT"]
timed("PARENTHESIS_ALIGNMENT", info, "func", listed=True)
from patchflow.cli import main
start = time.process_time()
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main(["check", "--strict", *sys.argv[1:]])
    except SystemExit:
        pass
spent["the whole run (after start-up)"] = time.process_time() - start
print(json.dumps(spent))
"""
ROWS = ("PARENTHESIS_ALIGNMENT", "outline_rules", "building the outlines", "_code_lines", "masked view",
        "the whole run (after start-up)")


def measure(src: Path, patches) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, *patches], capture_output=True, text=True, env=_environment(src),
                          cwd=tempfile.gettempdir())
    if proc.returncode:
        raise SystemExit(f"bench_views: the run failed with {src}:\n{proc.stderr.strip()}")
    return json.loads(proc.stdout.splitlines()[-1])


def main() -> int:
    args, patches = comparison_arguments(__doc__.split("\n")[0], runs=3)
    with tempfile.TemporaryDirectory(prefix="bench-views-") as work:
        sides = {args.base_rev: revision_src(args.base_rev, work), "this checkout": ROOT / "src"}
        figures = {name: [] for name in sides}
        for _ in range(args.runs):
            for name, src in sides.items():  # in turns: both sides see the same load
                figures[name].append(measure(src, patches))
    print(f"{'CPU s, median of ' + str(args.runs):32s} {args.base_rev:>14s} {'this checkout':>14s}")
    for row in ROWS:
        base, here = (statistics.median(run.get(row, 0.0) for run in figures[name]) for name in sides)
        print(f"{row:32s} {base:14.3f} {here:14.3f}   {base / here if here else 0:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
