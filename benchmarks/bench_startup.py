#!/usr/bin/env python3
"""Time one small patch from the shell, as b4 and editors run `patchflow check` (one process per mail),
for this checkout and for another revision side by side.

Each run is `python3 -m patchflow check PATCH` in a fresh process, its CPU time (user and system, git
included) read with getrusage; the two sources take turns, so that the load of a shared machine falls
on both alike. Three places: outside a kernel tree (a temporary directory), inside the cached 6.12
tree (MAINTAINERS read, git asked), and a first run (a new, empty $XDG_CACHE_HOME each time: nothing
kept from an earlier run). `python3 -c pass` is timed too, for scale. Issue 13's target: under 50 ms
outside a tree, 80 ms inside.

Each place is timed with two interpreters: this one (python3 as found, its site-packages' .pth files
run at every start), and a virtual environment of the same interpreter without site-packages, as a
user's venv starts. The difference matters on a machine whose site-packages hold a .pth that imports
something: one here imports certifi (with pathlib, tempfile and zipfile) at every start, some 20 ms
before any patchflow code runs, and imports re and enum before patchflow asks for them. A check
needs no installed package to read a patch file; the two interpreters' reports must be the same
bytes, or the benchmark stops.

    python3 benchmarks/bench_startup.py [--base REV[,REV...]] [--runs 20] [--patch tests/patches/clean-bpf-fix.patch]

Several revisions, comma-separated, are timed in the same turns (a round's steps side by side); the
ratio printed is the first one's best against this checkout's.
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


def cpu_ms(cmd, cwd, env) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return 1000 * ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))


def export_source(rev: str, into: Path) -> Path:
    """The src/ of another revision of this repository, written out (byte code is written beside it)."""
    archive = subprocess.run(["git", "archive", rev, "src"], cwd=ROOT, capture_output=True, check=True, timeout=120)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True, timeout=120)
    return into / "src"


def environment(src: Path, cache: str) -> dict:
    env = dict(os.environ, PYTHONPATH=str(src), XDG_CACHE_HOME=cache)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: modules from their byte code
    return env


def run_place(python: str, sources, place, cwd, patch, runs, work: Path) -> dict:
    """CPU ms per source label for `runs` turns at one place ('first run': an empty cache each time)."""
    times = {label: [] for label in sources}
    for turn in range(runs + 1):  # the first turn writes byte code and the caches: not counted
        for label, src in sources.items():
            cache = tempfile.mkdtemp(dir=work) if place == "first run" else str(work / "cache" / label)
            spent = cpu_ms([python, "-m", "patchflow", "check", str(patch)], cwd, environment(src, cache))
            if turn:
                times[label].append(spent)
    return times


def clean_interpreter(work: Path) -> str:
    """A virtual environment of this interpreter without site-packages: its python's path."""
    import venv

    venv.EnvBuilder(with_pip=False, system_site_packages=False, symlinks=True).create(work / "venv")
    return str(work / "venv" / "bin" / "python")


def same_report(pythons: dict, src: Path, patch: str, cwd: str, work: Path) -> None:
    """Stop unless every interpreter prints the same report for the patch (a module missing from the
    clean one would show here, not as a fast run)."""
    reports = {name: subprocess.run([python, "-m", "patchflow", "check", patch], cwd=cwd, capture_output=True,
                                    env=environment(src, str(work / "cache-report")), timeout=120)
               for name, python in pythons.items()}
    outputs = {(r.returncode, r.stdout, r.stderr) for r in reports.values()}
    if len(outputs) != 1:
        sys.exit("bench_startup: the interpreters' reports differ: " + "; ".join(
            f"{name}: exit {r.returncode}, {r.stderr.decode(errors='replace').strip()[-200:]}"
            for name, r in reports.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="main", help="the revisions to compare with, comma-separated (default main)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--patch", default=str(ROOT / "tests" / "patches" / "clean-bpf-fix.patch"))
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from patchflow.kernel_source import build_tree

    tree = build_tree()
    with tempfile.TemporaryDirectory(prefix="patchflow-startup-") as tmp:
        work = Path(tmp)
        bases = args.base.split(",")
        sources = {}
        for rev in bases:
            (work / "base" / rev).mkdir(parents=True)
            sources[rev] = export_source(rev, work / "base" / rev)
        sources["this checkout"] = ROOT / "src"
        pythons = {"python3 as found": sys.executable, "a venv without site-packages": clean_interpreter(work)}
        same_report(pythons, ROOT / "src", args.patch, tmp, work)
        print(f"one small patch ({Path(args.patch).name}), CPU ms, best / median of {args.runs} runs, taking turns")
        for name, python in pythons.items():
            bare = [cpu_ms([python, "-c", "pass"], tmp, dict(os.environ)) for _ in range(args.runs)]
            print(f"{name} ({python}; python -c pass: best {min(bare):.1f} ms)")
            for place, cwd in (("outside a tree", tmp), ("inside the 6.12 tree", tree), ("first run", tmp)):
                times = run_place(python, sources, place, cwd, args.patch, args.runs, work)
                row = "   ".join(f"{label} {min(v):5.1f} / {statistics.median(v):5.1f}" for label, v in times.items())
                ratio = min(times[bases[0]]) / min(times["this checkout"])
                print(f"  {place:<22} {row}   ({ratio:.2f}x)")


if __name__ == "__main__":
    main()
