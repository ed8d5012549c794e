#!/usr/bin/env python3
"""PARENTHESIS_ALIGNMENT's two readings of C, side by side on real kernel files.

The check used to lex every C window into tokens (one Python object per token) and walk them
(`analyse`); it now reads an outline of the window (`lexers.c.Outline`: comments and literals
masked, directives and open literals by offset) and walks only the brackets and the lines inside a
multi-line `(` (`outline_rules`). Both are in the code: this script times each on every C file of
the directories the check benchmark's corpus is made of (tools/lib/bpf, scripts, net/core of the
cached 6.12 tree), checks that they give the same rules and the same preprocessor directives, and
prints the CPU time of each (best of --runs, interleaved) and their ratio.

    python3 benchmarks/bench_alignment.py [--tree PATH] [--dirs tools/lib/bpf scripts net/core] [--runs 5]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIRS = ("tools/lib/bpf", "scripts", "net/core")


def by_tokens(texts):
    """What the check did before: every token, the token walk, the directives from the tokens."""
    from patchflow.checks.alignment import analyse
    from patchflow.lexers.c import directives, tokenize

    found = []
    for text in texts:
        tokens = tokenize(text)
        found.append((analyse(tokens, "c"), [start for start, _toks in directives(tokens)]))
    return found


def by_outline(texts):
    """What it does now: the outline, its rules, its directives."""
    from patchflow.checks.alignment import outline_rules
    from patchflow.lexers.c import Outline

    found = []
    for text in texts:
        outline = Outline(text)
        found.append((outline_rules(outline), [outline.line_of(start) for start, _end in outline.directives]))
    return found


def cpu(function, texts):
    start = time.process_time()
    result = function(texts)
    return time.process_time() - start, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tree", help="kernel tree (default: the cached 6.12 subset, built if missing)")
    parser.add_argument("--dirs", nargs="+", default=list(DIRS))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    if args.tree:
        tree = Path(args.tree)
    else:
        from patchflow.kernel_source import build_tree

        tree = Path(build_tree())
    paths = sorted(p for d in args.dirs for p in (tree / d).rglob("*") if p.suffix in (".c", ".h") and p.is_file())
    texts = [p.read_text(errors="surrogateescape") for p in paths]
    print(f"{len(texts)} C files, {sum(t.count(chr(10)) for t in texts)} lines, from {', '.join(args.dirs)} of {tree}")
    gc.freeze()  # as `patchflow check` runs (commands/check.py)
    gc.set_threshold(50_000, 20, 100)
    token_times, outline_times = [], []
    for _ in range(args.runs):
        seconds, tokens_found = cpu(by_tokens, texts)
        token_times.append(seconds)
        del tokens_found
        seconds, outline_found = cpu(by_outline, texts)
        outline_times.append(seconds)
    tokens_found = by_tokens(texts)
    differ = [str(path) for path, a, b in zip(paths, tokens_found, outline_found) if a != b]
    rules = sum(len(found[0]) for found in outline_found)
    print(f"same rules and directives on {len(texts) - len(differ)} of {len(texts)} files ({rules} lines held)")
    for path in differ:
        print(f"  differs: {path}")
    best_tokens, best_outline = min(token_times), min(outline_times)
    print(f"tokens  (tokenize + analyse + directives): {best_tokens:.3f} s CPU (best of {args.runs})")
    print(f"outline (Outline + outline_rules + directives): {best_outline:.3f} s CPU (best of {args.runs})")
    print(f"ratio: {best_tokens / best_outline:.1f}x")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
