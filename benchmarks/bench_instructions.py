#!/usr/bin/env python3
"""Instructions that `check --strict PATCH...` executes, this checkout beside another revision.

On a shared machine the CPU time of one run moves by a tenth of a second with the other load; the
count of instructions (valgrind's callgrind, `I refs`) moves by a few in ten thousand, so a change
of one per cent shows. Each side runs once under callgrind (the revision's `src` first on the path,
hash seed fixed, its bytecode compiled by a run before); the counts and their ratio are printed.
Needs valgrind; callgrind runs some 50 times slower, so pass a part of the corpus:

    python3 benchmarks/bench_instructions.py --base-rev ddc61ab $(ls /work/guard/corpus_patches/*.patch | head -40)
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from bench_check_types import revision_src  # noqa: E402  (the other revision's src, taken out)
from bench_reading import _environment  # noqa: E402

_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def instructions(src: Path, patches) -> int:
    env = dict(_environment(src), PYTHONHASHSEED="0")
    command = [sys.executable, "-m", "patchflow", "check", "--strict", *patches]
    subprocess.run(command, capture_output=True, env=env, cwd=tempfile.gettempdir())  # compiles the bytecode
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                          capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    found = _REFS.search(proc.stderr)
    if found is None:
        raise SystemExit(f"bench_instructions: no count from callgrind with {src}:\n{proc.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-rev", default="main", help="the revision to compare with (default: main)")
    parser.add_argument("patches", nargs="+")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        print("bench_instructions: valgrind is not installed", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="bench-instructions-") as work:
        base = instructions(revision_src(args.base_rev, work), args.patches)
        this = instructions(ROOT / "src", args.patches)
    print(f"{args.base_rev}: {base / 1e6:,.0f}M instructions")
    print(f"this checkout: {this / 1e6:,.0f}M instructions ({this / base:.3f}x, {(this - base) / 1e6:+,.0f}M)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
