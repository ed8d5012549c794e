#!/usr/bin/env python3
"""Count the git processes and the time `patchflow check --strict --tree` spends on real mails (outside CI).

Reads the newest [PATCH mails of a public-inbox mirror (benchmarks/archive.py), checks each as its own
run against a kernel tree, and prints how many child processes were started (git: pre-images, the
tree's top, history), the findings, and the time. Give --src to measure another checkout's source
side by side (e.g. the commit before a change, from `git archive`):

    python3 benchmarks/bench_git_calls.py ARCHIVE --tree ~/.cache/patchflow/linux-6.12-subset --limit 200
    python3 benchmarks/bench_git_calls.py ARCHIVE --tree ... --limit 200 --src /tmp/old/src

Only the mails a run checks count (the git processes of a mail it refuses are left out); the numbers
of the refused mails are printed, and --skip N,N,... leaves the same mails out of the other run, so
that both count the same patches.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("archive")
    parser.add_argument("--tree", required=True)
    parser.add_argument("--limit", type=int, default=200)
    parser.add_argument("--skip", default="", help="mail numbers (as printed) to leave out, comma-separated")
    parser.add_argument("--src", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
    args = parser.parse_args()
    sys.path.insert(0, os.path.abspath(args.src))
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from archive import iter_mails

    from patchflow import processes
    from patchflow.checks import Options, registry, run
    from patchflow.errors import PatchflowError
    from patchflow.patch import read_series

    started = []
    real_run = processes.run
    processes.run = lambda cmd, *a, **k: started.append(cmd[:3]) or real_run(cmd, *a, **k)
    registry()
    findings = checked = 0
    skip = {int(number) for number in args.skip.split(",") if number}
    refused = []
    elapsed = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        for number, mail in enumerate(iter_mails(args.archive, args.limit)):
            if number in skip:
                continue
            path = os.path.join(scratch, f"{number:05d}.eml")
            with open(path, "wb") as handle:
                handle.write(mail.raw)
            begin, started_before = time.perf_counter(), len(started)
            try:
                results = run(read_series([path]), Options(strict=True, tree=args.tree))
            except PatchflowError:
                del started[started_before:]
                refused.append(number)
                continue
            elapsed += time.perf_counter() - begin
            checked += 1
            findings += sum(len(result.findings) for result in results)
    git = sum(1 for cmd in started if cmd and cmd[0] == "git")
    print(f"{args.src}: {checked} mails checked, {findings} findings, {git} git processes "
          f"({git / max(checked, 1):.2f} a mail), {elapsed:.1f} s; refused: {','.join(map(str, refused)) or 'none'}")


if __name__ == "__main__":
    main()
