#!/usr/bin/env python3
"""How long hostile input takes: the figures the tests used to assert, measured here instead.

    python3 benchmarks/bench_hostile.py [--tree PATH] [--runs 3]

The tests (tests/test_hostile.py, tests/test_lexers.py, tests/test_alignment.py, tests/test_fuzz.py)
check what hostile input gives, never how long it takes. This script times the same kinds of input:
each patch is checked by `patchflow check` and by the 6.12 tree's `scripts/checkpatch.pl --no-tree`,
both as child processes, side by side (best of --runs), and the C and Python lexers are timed on the
pathological texts of tests/test_lexers.py. A run that takes more than LIMIT seconds is a hang, and
the script exits 1.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

LIMIT = 60.0  # seconds: beyond this a run counts as a hang
HEADER = ("From 0123456789abcdef0123456789abcdef01234567 Mon Sep 17 00:00:00 2001\n"
          "From: Jane Doe <jane@example.org>\nDate: Mon, 18 Nov 2024 10:00:00 +0000\n"
          "Subject: [PATCH bpf-next] bpf: {subject}\n\nSay what the change does.\n\n"
          "Signed-off-by: Jane Doe <jane@example.org>\n---\n")


def new_file_patch(path: str, body_lines, subject="hostile input") -> str:
    added = "".join("+" + line + "\n" for line in body_lines)
    return (HEADER.format(subject=subject) + f"diff --git a/{path} b/{path}\nnew file mode 100644\n"
            f"index 0000000..1111111\n--- /dev/null\n+++ b/{path}\n@@ -0,0 +1,{len(body_lines)} @@\n{added}"
            "-- \n2.39.5\n")


def cases():
    """(name, text) of each hostile patch."""
    rng = random.Random(14)
    yield "2 MB line in a C file", new_file_patch("kernel/bpf/x.c", ["\tfoo(a,", "\t    " + "y" * 2_000_000 + ");"])
    yield "50,000 nested parentheses (C)", new_file_patch("kernel/bpf/x.c", ["\tfoo(" + "(" * 50_000, "\t b);"])
    yield "50,000 lines of nested parentheses (Python)", new_file_patch(
        "scripts/x.py", ["f("] * 50_000 + ["1" + ")" * 50_000])
    yield "64 KiB of random bytes", bytes(rng.randrange(256) for _ in range(65536)).decode("latin-1")
    mails = [new_file_patch(f"kernel/bpf/f{i}.c", ["int x;"], subject=f"mail {i}") for i in range(1000)]
    yield "an mbox of 1,000 mails", "".join(mails)


def best(command, path: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.monotonic()
        try:
            subprocess.run([*command, path], capture_output=True, timeout=LIMIT)
        except subprocess.TimeoutExpired:
            return float("inf")
        times.append(time.monotonic() - started)
    return min(times)


def time_lexers() -> list:
    from patchflow.checks.alignment import outline_rules
    from patchflow.lexers.c import Outline, tokenize
    from patchflow.lexers.python import tokenize as py_tokenize

    def aligned(text):  # what PARENTHESIS_ALIGNMENT reads C with: the outline and its rules
        return outline_rules(Outline(text))

    texts = [("C: 50,000 ( then )", tokenize, "(" * 50000 + ")" * 50000),
             ("C: an unterminated comment of 1,000,000 (", tokenize, "/* " + "( " * 1000000),
             ("C: 1,000,000 backslashes", tokenize, "\\" * 1000000),
             ("C outline and alignment: 50,000 ( then )", aligned, "(" * 50000 + ")" * 50000),
             ("C outline and alignment: 20,000 comment lines in a call", aligned,
              "\tfoo(a,\n" + "\t/* c */ \\\n" * 20000 + "\t    b);\n"),
             ("C outline and alignment: 1,000,000 backslashes", aligned, "\\" * 1000000),
             ("Python: a string of 1,000,000 (", py_tokenize, "'" + "(" * 1000000),
             ("Python: 100,000 lines in an open triple-quoted string", py_tokenize, '"""' + "a(\n" * 100000)]
    rows = []
    for name, lexer, text in texts:
        started = time.monotonic()
        lexer(text)
        rows.append((name, time.monotonic() - started))
    return rows


def main() -> int:
    from patchflow.kernel_source import build_tree

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", help="a 6.12 kernel tree for checkpatch.pl (default: the cached subset)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    tree = Path(args.tree or build_tree())
    patchflow = [sys.executable, "-m", "patchflow", "check"]
    checkpatch = ["perl", str(tree / "scripts" / "checkpatch.pl"), "--no-tree", "--strict"]
    env_path = os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")]))
    os.environ["PYTHONPATH"] = env_path
    hung = False
    print(f"{'input':<46} {'patchflow':>10} {'checkpatch.pl':>14} {'ratio':>7}")
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as scratch:
        for name, text in cases():
            path = os.path.join(scratch, "case.patch")
            with open(path, "w", encoding="latin-1" if "random" in name else "utf-8") as handle:
                handle.write(text)
            ours, theirs = best(patchflow, path, args.runs), best(checkpatch, path, args.runs)
            hung |= ours == float("inf")
            if theirs == float("inf"):
                ratio, shown = f">{LIMIT / ours:.0f}x", f">{LIMIT:.0f}s"
            else:
                ratio, shown = f"{theirs / ours:.1f}x", f"{theirs:.2f}s"
            print(f"{name:<46} {ours:>9.2f}s {shown:>14} {ratio:>7}")
    print()
    for name, seconds in time_lexers():
        print(f"{name:<60} {seconds:>6.2f}s")
        hung |= seconds > LIMIT
    print(f"\n(ratio: checkpatch.pl's time over patchflow's; over {LIMIT:.0f} s counts as a hang)")
    return 1 if hung else 0


if __name__ == "__main__":
    sys.exit(main())
