#!/usr/bin/env python3
"""Time the line checks' needles two ways on real kernel C: each planned scan of a file's joined
added lines (checks/_needles.py) against a test of every line alone (`in` for a plain string, else a
search), the way the checks looked for their needles before, side by side in one process, and
checks that both find the same lines.

The "added lines" are every line of the C files of tools/lib/bpf/, scripts/ and net/core/ of the
cached 6.12 tree (the new-file corpus of bench_check.py), one file diff per source file.

    python3 benchmarks/bench_needles.py [--tree PATH] [--dirs tools/lib/bpf scripts net/core] [--runs 3]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from patchflow import checks  # noqa: E402
from patchflow.checks._lines import AddedLines  # noqa: E402
from patchflow.checks._needles import Needle, literal_of  # noqa: E402
from patchflow.patch import DiffLine, FileDiff, Hunk  # noqa: E402

DIRS = ("tools/lib/bpf", "scripts", "net/core")


def file_diffs(tree: Path, dirs):
    """One new-file diff per .c/.h file of `dirs`, every line added."""
    diffs = []
    for directory in dirs:
        for path in sorted((tree / directory).rglob("*.[ch]")):
            texts = path.read_text(errors="surrogateescape").split("\n")
            lines = [DiffLine("+", text, number, None, number) for number, text in enumerate(texts, 1)]
            diffs.append(FileDiff(None, str(path.relative_to(tree)), 0,
                                  hunks=[Hunk(0, 0, 1, len(lines), "", 0, lines)]))
    return diffs


def registered_needles():
    """{needle source: the types that declare it}, C checks and line checks alike."""
    found = {}
    for info in checks.registry().values():
        wanted = getattr(info.func, "line_filter", None)
        if wanted is not None and wanted.needle is not None:
            found.setdefault(wanted.needle.source, []).append(info.type)
    return found


def line_by_line(source, lines):
    """The positions of the lines that hold `source`, as the checks found them before: `in` for a
    plain string, a search of each line for a pattern."""
    literal = literal_of(source)
    if literal is not None:
        return [index for index, line in enumerate(lines) if literal in line.text]
    search = re.compile(source).search
    return [index for index, line in enumerate(lines) if search(line.text)]


def best_of(runs, work):
    times = []
    for _ in range(runs):
        start = time.process_time()
        result = work()
        times.append(time.process_time() - start)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", help="kernel tree (default: the cached 6.12 subset, built if missing)")
    parser.add_argument("--dirs", nargs="+", default=list(DIRS))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.tree:
        tree = Path(args.tree).resolve()
    else:
        from patchflow.kernel_source import build_tree

        tree = Path(build_tree())
    added = [AddedLines(diff) for diff in file_diffs(tree, args.dirs)]
    print(f"{len(added)} files, {sum(len(a.lines) for a in added)} lines, from {', '.join(args.dirs)} of {tree}")
    print(f"{'scan':>8} {'per line':>8} {'ratio':>6}  needle (types)")
    total_scan = total_alone = 0.0
    for source, types in sorted(registered_needles().items()):
        needle = Needle(source)
        needle.indexes(max(added, key=lambda a: len(a.lines)))  # planned before it is timed, as `alone` is compiled
        scan, found = best_of(args.runs, lambda: [needle.indexes(a) for a in added])
        alone, expected = best_of(args.runs, lambda: [line_by_line(source, a.lines) for a in added])
        if found != expected:
            raise SystemExit(f"{source!r}: the scan and the search per line found different lines")
        total_scan, total_alone = total_scan + scan, total_alone + alone
        print(f"{scan:8.3f} {alone:8.3f} {alone / scan if scan else 0:5.1f}x  {source!r} ({', '.join(types)})")
    print(f"{total_scan:8.3f} {total_alone:8.3f} {total_alone / total_scan:5.1f}x  all needles, CPU seconds "
          f"(best of {args.runs}); the same lines found both ways")


if __name__ == "__main__":
    main()
