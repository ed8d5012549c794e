#!/usr/bin/env python3
"""Check the bpf-next generator shape against the headers libbpf carries from each sync.

libbpf (github.com/libbpf/libbpf) holds `include/uapi/linux/bpf.h` and `src/bpf_helper_defs.h` as
bpf-next's `scripts/bpf_doc.py --header` generated them at each sync. This script takes the
generator of the bpf-next test fixture (6.12's bpf_doc.py plus tests/patches/regen-bpf-next-shape.patch)
and, for the newest syncs:

1. runs it on each sync's bpf.h and compares the output with that sync's bpf_helper_defs.h: identical,
   or how many leading lines agree and where it stops;
2. does the same with the shape plus one later upstream bpf_doc.py change, "bpf_doc: Support 1st
   const parameter of bpf_d_path()" (Oct 2025), whose only effect on the header is the known type
   'const struct path';
3. on the newest sync each generator reproduces whole, commits that sync's bpf.h on the generator and
   runs `patchflow regen --bundled` there: the bundled bpf-next variant must apply, every proof
   pass, and regen's own header before the patch equal libbpf's file byte for byte.

With --make-fixture DIR it writes the small CI fixture (tests/fixtures/libbpf-sync/) from the newest
sync the shape reproduces whole: that sync's bpf.h cut down to its first helpers and syscall commands,
and the matching first lines of its bpf_helper_defs.h.

With --history it also runs `patchflow regen` on real bpf.h changes: each sync's bpf.h committed on
the previous sync's (on the generator that reproduces both whole), compared with `--base` the one
before: accepted upstream changes, and what regen says of each.

Usage: python3 benchmarks/libbpf_sync.py [--libbpf GITDIR] [--tree PATH] [--syncs N] [--history]
                                         [--make-fixture DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

from patchflow.kernel_source import build_tree  # noqa: E402

LIBBPF = "/work/.mirror/libbpf+libbpf/repo"
SHAPE_PATCH = os.path.join(ROOT, "tests", "patches", "regen-bpf-next-shape.patch")
UAPI, HEADER = "include/uapi/linux/bpf.h", "src/bpf_helper_defs.h"
IDENTITY = {"GIT_AUTHOR_NAME": "libbpf_sync", "GIT_AUTHOR_EMAIL": "libbpf-sync@patchflow.invalid",
            "GIT_COMMITTER_NAME": "libbpf_sync", "GIT_COMMITTER_EMAIL": "libbpf-sync@patchflow.invalid"}
CONST_PATH_SUBJECT = "bpf_doc: Support 1st const parameter of bpf_d_path()"
FIXTURE_HELPERS = 8  # ids 1-8: the probe regen compiles calls helpers 5-8
FIXTURE_COMMANDS = 2


def git(args, cwd, input=None):
    proc = subprocess.run(["git", *args], cwd=cwd, input=input, capture_output=True, timeout=600,
                          env=dict(os.environ, **IDENTITY))
    if proc.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed in {cwd}: {proc.stderr.decode().strip()}")
    return proc.stdout


def show(repo, commit, path) -> bytes:
    return git(["show", f"{commit}:{path}"], repo)


def syncs(repo, count):
    """The newest `count` libbpf commits that changed the generated header: [(id, date)]."""
    out = git(["log", f"-{count}", "--format=%H %ad", "--date=short", "--", HEADER], repo).decode()
    return [tuple(line.split()) for line in out.splitlines()]


def add_const_path(generator: str) -> str:
    """The later upstream change as far as the header sees it: 'const struct path' a known type."""
    start = generator.index("known_types = {")
    anchor = generator.index("            'struct path',\n", start) + len("            'struct path',\n")
    return generator[:anchor] + "            'const struct path',\n" + generator[anchor:]


def generate(generator: str, uapi: bytes, scratch: str):
    """(exit status, stdout, last stderr line) of the generator on this bpf.h."""
    gen, header = os.path.join(scratch, "bpf_doc.py"), os.path.join(scratch, "bpf.h")
    with open(gen, "w") as handle:
        handle.write(generator)
    with open(header, "wb") as handle:
        handle.write(uapi)
    proc = subprocess.run([sys.executable, gen, "--header", "--filename", header], capture_output=True,
                          timeout=120)
    errors = [line for line in proc.stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    return proc.returncode, proc.stdout, errors[-1].strip() if errors else ""


def compare(got: bytes, want: bytes, status: int, error: str) -> str:
    if status == 0 and got == want:
        return f"identical ({len(want.splitlines())} lines)"
    got_lines, want_lines = got.splitlines(), want.splitlines()
    same = next((i for i, (a, b) in enumerate(zip(got_lines, want_lines)) if a != b), min(len(got_lines),
                                                                                        len(want_lines)))
    stop = error if status else f"line {same + 1} differs"
    return f"first {same} of {len(want_lines)} lines, then: {stop}"


def make_shape_tree(tree: str, scratch: str) -> str:
    clone = os.path.join(scratch, "linux")
    git(["clone", "-q", "--shared", tree, clone], scratch)
    git(["am", "-q", SHAPE_PATCH], clone)
    git(["tag", "shape"], clone)
    path = os.path.join(clone, "scripts", "bpf_doc.py")
    with open(path) as handle:
        text = add_const_path(handle.read())
    with open(path, "w") as handle:
        handle.write(text)
    git(["commit", "-q", "-a", "-m", f"{CONST_PATH_SUBJECT} (its known-type line)"], clone)
    git(["tag", "shape+const-path"], clone)
    return clone


def regen_on_sync(clone: str, generator_tag: str, repo: str, sync: str, scratch: str) -> dict:
    """Commit the sync's bpf.h on the generator and run `patchflow regen --bundled` there."""
    git(["checkout", "-q", "--detach", generator_tag], clone)
    with open(os.path.join(clone, UAPI), "wb") as handle:
        handle.write(show(repo, sync, UAPI))
    git(["commit", "-q", "-a", "-m", f"bpf: include/uapi/linux/bpf.h of libbpf {sync[:12]}"], clone)
    out = tempfile.mkdtemp(prefix="regen-", dir=scratch)
    proc = subprocess.run([sys.executable, "-m", "patchflow", "regen", "--tree", clone, "--bundled", "--format",
                           "json", "--out", out], capture_output=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")))
    if proc.returncode == 2:
        return {"status": 2, "error": proc.stderr.decode().strip()}
    report = json.loads(proc.stdout)
    with open(os.path.join(out, "before", "bpf_helper_defs.h"), "rb") as handle:
        before = handle.read()
    return {"status": proc.returncode, "variant": report["patches"][0].get("variant"),
            "proofs": {name: proof["state"] for name, proof in report["proofs"].items()},
            "before_equals_libbpf": before == show(repo, sync, HEADER)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--libbpf", default=LIBBPF, help="a clone (bare is fine) of github.com/libbpf/libbpf")
    parser.add_argument("--tree", help="a kernel git tree at 6.12 (default: the cached 6.12 subset tree)")
    parser.add_argument("--syncs", type=int, default=12, help="how many of the newest syncs to compare")
    parser.add_argument("--make-fixture", metavar="DIR", help="write the CI fixture into DIR")
    parser.add_argument("--history", action="store_true",
                        help="also run `patchflow regen` on each sync's bpf.h change, as a branch commit on the one "
                             "before (the syncs the generator reproduces whole)")
    args = parser.parse_args()
    tree = os.path.abspath(args.tree or build_tree())
    with tempfile.TemporaryDirectory(prefix="libbpf-sync-") as scratch:
        clone = make_shape_tree(tree, scratch)
        generators = {tag: show(clone, tag, "scripts/bpf_doc.py").decode() for tag in ("shape", "shape+const-path")}
        newest_whole, reproduced = {}, {}
        print(f"libbpf {args.libbpf}: the {args.syncs} newest syncs of {HEADER}")
        for sync, date in syncs(args.libbpf, args.syncs):
            uapi, want = show(args.libbpf, sync, UAPI), show(args.libbpf, sync, HEADER)
            results = {}
            for tag, generator in generators.items():
                status, got, error = generate(generator, uapi, scratch)
                results[tag] = compare(got, want, status, error)
                if results[tag].startswith("identical"):
                    newest_whole.setdefault(tag, (sync, date))
                    reproduced.setdefault(tag, set()).add(sync)
            print(f"  {sync[:12]} {date}  shape: {results['shape']}")
            if results["shape+const-path"] != results["shape"]:
                print(f"  {'':<23}shape+const-path: {results['shape+const-path']}")
        for tag, (sync, date) in newest_whole.items():
            print(f"newest sync {tag} reproduces whole: {sync[:12]} ({date})")
            print(f"  patchflow regen --bundled on it: {regen_on_sync(clone, tag, args.libbpf, sync, scratch)}")
        if args.history:
            history(clone, args.libbpf, [(sync, date) for sync, date in syncs(args.libbpf, args.syncs)
                                         if sync in reproduced["shape+const-path"]])
        if args.make_fixture:
            sync, date = newest_whole["shape"]
            write_fixture(args.make_fixture, args.libbpf, sync, date, generators["shape"], scratch)
    return 0


def history(clone: str, repo: str, pairs_from) -> None:
    """Each sync's bpf.h committed on the previous one's, and `patchflow regen --base` the previous."""
    ordered = list(reversed(pairs_from))  # oldest first
    if len(ordered) < 2:
        return
    git(["checkout", "-q", "--detach", "shape+const-path"], clone)
    print("real bpf.h changes: each sync's bpf.h as a commit on the one before, on the shape+const-path generator")
    for index, (sync, date) in enumerate(ordered):
        base = git(["rev-parse", "HEAD"], clone).decode().strip()
        with open(os.path.join(clone, UAPI), "wb") as handle:
            handle.write(show(repo, sync, UAPI))
        git(["commit", "-q", "-a", "--allow-empty", "-m", f"bpf.h of libbpf {sync[:12]} ({date})"], clone)
        if index == 0:
            continue
        proc = subprocess.run([sys.executable, "-m", "patchflow", "regen", "--tree", clone, "--base", base,
                               "--format", "json"], capture_output=True, timeout=600,
                              env=dict(os.environ, PYTHONPATH=os.path.join(ROOT, "src")))
        if proc.returncode == 2:
            print(f"  {ordered[index - 1][1]} -> {date}: error: {proc.stderr.decode().strip()}")
            continue
        report = json.loads(proc.stdout)
        print(f"  {ordered[index - 1][1]} -> {date}: exit {proc.returncode}")
        for name, change in report["changed"].items():
            print(f"      {name:<18} {change['summary'][:150]}")
        for name, proof in report["proofs"].items():
            if proof["state"] != "not applicable":
                print(f"      {name:<13} {proof['state']:<5} {proof['reason'][:150]}")


def cut_uapi(text: str, helpers: int, commands: int, origin: str) -> str:
    """bpf.h cut to what bpf_doc.py reads: its first syscall commands and helpers, nothing else."""
    lines = text.splitlines(keepends=True)
    out = lines[:lines.index("#ifndef __LINUX_BPF_H__\n")]
    out.append(f"/* {origin} */\n")
    doc = lines.index(" * DOC: eBPF Syscall Commands\n")
    heads = [i for i in range(doc, len(lines)) if re.match(r"^ \* BPF_\w+$", lines[i])]
    out += ["/**\n"] + lines[doc:heads[commands]] + [" */\n"]
    enum = lines.index("enum bpf_cmd {\n")
    out += lines[enum:enum + 1 + commands] + ["};\n\n"]
    start = lines.index(" * Start of BPF helper function descriptions:\n")
    protos = [i for i in range(start + 2, len(lines)) if re.match(r"^ \* [^\t ].*\)$", lines[i])]
    out += ["/*\n"] + lines[start:protos[helpers]] + [" */\n"]
    mapper = lines.index("#define ___BPF_FUNC_MAPPER(FN, ctx...)\t\t\t\\\n")
    out += lines[mapper:mapper + 2 + helpers] + ["\t/* the list goes on in the real file */\n"]
    return "".join(out)


def write_fixture(dest: str, repo: str, sync: str, date: str, generator: str, scratch: str) -> None:
    origin = (f"Derived by benchmarks/libbpf_sync.py from include/uapi/linux/bpf.h of libbpf commit {sync[:12]} "
              f"({date} sync): the first {FIXTURE_COMMANDS} syscall commands and {FIXTURE_HELPERS} helpers only")
    uapi = cut_uapi(show(repo, sync, UAPI).decode(), FIXTURE_HELPERS, FIXTURE_COMMANDS, origin)
    want = show(repo, sync, HEADER).decode()
    end = want.index(f"= (void *) {FIXTURE_HELPERS};\n") + len(f"= (void *) {FIXTURE_HELPERS};\n")
    # the real file ends the same way after its last helper (a blank line, then the generator's footer)
    header = want[:end] + want[want.rindex(";\n") + 2:]
    status, got, error = generate(generator, uapi.encode(), scratch)
    if status != 0 or got.decode() != header:
        sys.exit("the cut bpf.h does not give the first lines of the header: "
                 + compare(got, header.encode(), status, error))
    os.makedirs(dest, exist_ok=True)
    for name, text in (("bpf.h", uapi), ("bpf_helper_defs.h", header)):
        with open(os.path.join(dest, name), "w") as handle:
            handle.write(text)
    print(f"fixture: {dest}/bpf.h ({uapi.count(chr(10))} lines), bpf_helper_defs.h ({header.count(chr(10))} lines, "
          f"the first lines of libbpf {sync[:12]}'s {HEADER})")


if __name__ == "__main__":
    sys.exit(main())
