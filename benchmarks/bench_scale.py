#!/usr/bin/env python3
"""How `patchflow check` scales: time and peak memory on patches of 1,000 to 200,000 changed lines.

    python3 benchmarks/bench_scale.py [--sizes 1000,10000,100000,200000] [--tree PATH]

Each patch is one `git format-patch` mail whose diff changes C files under kernel/bpf/ in hunks of
real kernel code (lines of the 6.12 tree's kernel/bpf/*.c, rewritten slightly so they differ);
"changed lines" counts the '+' and '-' lines. `check` runs in a child process, as a user runs it,
with the kernel tree given (--tree) so that MAINTAINERS lookups happen too; its peak resident
memory is the child's own (wait4's ru_maxrss). Exits 1 when the growth from 10,000 to 200,000
lines exceeds 25 times the time (not linear) or the peak memory at 200,000 lines reaches 500 MB.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

TIME_GROWTH_LIMIT = 25.0  # 10k -> 200k is 20 times the lines; 25 leaves room for noise, not for n log n blow-ups
MEMORY_LIMIT_MB = 500
RUN_TIMEOUT = 600
LINES_PER_FILE = 2000  # changed lines per file: big patches touch many files


def kernel_lines(tree: Path):
    """Non-blank lines of the tree's kernel/bpf/*.c, the material of the generated hunks."""
    lines = []
    for path in sorted((tree / "kernel" / "bpf").glob("*.c")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.strip() and len(line) < 100:
                lines.append(line)
    if len(lines) < 1000:
        raise SystemExit(f"bench_scale: {tree}/kernel/bpf has too little C to sample from")
    return lines


def make_patch(changed: int, source, rng) -> str:
    """A format-patch mail whose diff has `changed` '+'/'-' lines: hunks of 3 context, 4 '-', 4 '+', 3 context."""
    out = [
        "From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001",
        "From: Ada Reviewer <ada@example.org>",
        "Date: Sun, 29 Nov 2026 12:00:00 +0000",
        f"Subject: [PATCH bpf-next] bpf: rework the map allocation paths ({changed} lines)",
        "",
        "Rework the allocation paths of the BPF maps so that every failure is",
        "reported to the caller instead of being retried.",
        "",
        "Signed-off-by: Ada Reviewer <ada@example.org>",
        "---",
    ]
    remaining, file_no = changed, 0
    while remaining > 0:
        in_file = min(remaining, LINES_PER_FILE)
        path = f"kernel/bpf/bench_{file_no:04d}.c"
        out += [f"diff --git a/{path} b/{path}", "index 1234567..89abcde 100644", f"--- a/{path}", f"+++ b/{path}"]
        old_line = 1
        while in_file > 0:
            removed = min(4, (in_file + 1) // 2)
            added = min(4, in_file - removed)
            start = rng.randrange(len(source) - 20)
            chunk = source[start:start + 6 + removed]
            context_before, old, context_after = chunk[:3], chunk[3:3 + removed], chunk[3 + removed:6 + removed]
            new = [re.sub(r"\berr\b", "ret", line).replace("map->", "bmap->") + ("" if i % 2 else " /* checked */")
                   for i, line in enumerate(old[:added])] + old[len(old[:added]):added]
            while len(new) < added:
                new.append("\treturn -ENOMEM;")
            out.append(f"@@ -{old_line},{6 + removed} +{old_line},{6 + added} @@ static int bench_{file_no}(void)")
            out += [" " + line for line in context_before] + ["-" + line for line in old]
            out += ["+" + line for line in new] + [" " + line for line in context_after]
            old_line += 6 + removed + 20
            in_file -= removed + added
            remaining -= removed + added
        file_no += 1
    out += ["-- ", "2.43.0", ""]
    return "\n".join(out)


def run_check(patch: Path, tree: Path):
    """Seconds and peak resident memory (MB) of one `patchflow check` child, and its exit status."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    started = time.monotonic()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen([sys.executable, "-m", "patchflow", "check", "--terse", "--tree", str(tree), str(patch)],
                                stdout=sink, stderr=subprocess.PIPE, cwd=tempfile.gettempdir(), env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > RUN_TIMEOUT:
                proc.kill()
                os.wait4(proc.pid, 0)
                raise SystemExit(f"bench_scale: check of {patch} ran over {RUN_TIMEOUT} s")
            time.sleep(0.02)
    seconds = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    errors = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"bench_scale: check exited {proc.returncode}: {errors.strip()}")
    return seconds, usage.ru_maxrss / 1024, proc.returncode  # ru_maxrss is in KiB on Linux


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000,200000", help="changed lines per patch")
    parser.add_argument("--tree", help="kernel tree (default: the cached 6.12 subset, built if needed)")
    args = parser.parse_args(argv)
    if args.tree:
        tree = Path(args.tree)
    else:
        from patchflow.kernel_source import build_tree

        tree = Path(build_tree())
    sizes = [int(size) for size in args.sizes.split(",")]
    source = kernel_lines(tree)
    rng = random.Random(2026)
    results = {}
    print(f"{'changed lines':>14} {'patch MB':>9} {'seconds':>8} {'peak MB':>8} {'s per 10k lines':>16}")
    with tempfile.TemporaryDirectory(prefix="patchflow-bench-") as work:
        for size in sizes:
            patch = Path(work) / f"scale-{size}.patch"
            patch.write_text(make_patch(size, source, rng), encoding="utf-8")
            seconds, peak, _ = run_check(patch, tree)
            results[size] = (seconds, peak)
            print(f"{size:>14,} {patch.stat().st_size / 1e6:>9.1f} {seconds:>8.2f} {peak:>8.0f} "
                  f"{seconds / size * 10000:>16.3f}", flush=True)
            patch.unlink()
    failed = False
    if 10000 in results and 200000 in results:
        growth = results[200000][0] / results[10000][0]
        ok = growth <= TIME_GROWTH_LIMIT
        failed |= not ok
        print(f"time growth 10,000 -> 200,000 lines: {growth:.1f}x (limit {TIME_GROWTH_LIMIT:.0f}x) "
              f"{'ok' if ok else 'FAILED'}")
    if 200000 in results:
        ok = results[200000][1] < MEMORY_LIMIT_MB
        failed |= not ok
        print(f"peak memory at 200,000 lines: {results[200000][1]:.0f} MB (limit {MEMORY_LIMIT_MB} MB) "
              f"{'ok' if ok else 'FAILED'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
