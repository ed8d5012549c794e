#!/usr/bin/env python3
"""How much of checkpatch.pl --strict patchflow reproduces on real list traffic (outside CI).

    python3 benchmarks/checkpatch_coverage.py ARCHIVE [--limit 1500] [--cache DIR] [--checkpatch PATH]
                                              [--types T1,T2] [--misses TYPE] [--extras TYPE]

ARCHIVE is a public-inbox git mirror of a kernel list (each commit holds one raw mail in `m`), read
through benchmarks/archive.py. The newest `--limit` [PATCH mails that carry a diff become the corpus.

How the mails reach both tools: each mail is decoded as `git am` would apply it (quoted-printable
or base64 bodies decoded, the text/plain part of a multipart mail, RFC 2047 headers decoded) and
written with its From, Date and Subject headers as a `git format-patch` file, so that checkpatch
(which reads a quoted-printable body raw and calls it CORRUPTED_PATCH) and patchflow see the same
text and the same line numbers. The decoded copies and checkpatch's `--terse --show-types` output
live in the cache directory (default /work/cpcache/<archive name>/), one pair of files per mail
commit: checkpatch takes about half a second a patch, so it runs only for mails not cached yet.

Both tools run outside any git tree (cwd: a temporary directory), so neither reads history;
checkpatch then reports every commit id as UNKNOWN_COMMIT_ID, an artefact of having no history
(patchflow says once that it did not look the ids up): the totals are printed with and without it,
and without all tree-dependent types (TREE_TYPES). Both read the same kernel files: checkpatch
those of the tree it lives in (MAINTAINERS, include/ for CAMELCASE, scripts/spelling.txt,
LICENSES/), patchflow the same tree through `--tree`. The last total also leaves out patchflow's
findings of NAMED_DIFFERENCES that checkpatch lacks, the deliberate differences.

Printed per checkpatch type (by checkpatch's count): checkpatch's findings, patchflow's findings of
that type, the findings both raise at the same (patch, line), recall (share of checkpatch's
reproduced) and precision (share of patchflow's also raised by checkpatch). A finding is
(patch, line, type); checkpatch's findings without a line (MISSING_SIGN_OFF) compare without one.
`--misses TYPE` / `--extras TYPE` print the (patch, line) of each finding only checkpatch / only
patchflow raised, with the line, to study one type.
"""

from __future__ import annotations

import argparse
import email
import email.header
import email.policy
import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from archive import iter_mails  # noqa: E402

CHECKPATCH = "/work/linux/linux-source-6.12/scripts/checkpatch.pl"
# types whose findings depend on a git tree or its files: outside a tree they are artefacts
TREE_TYPES = {"UNKNOWN_COMMIT_ID", "GIT_COMMIT_ID", "FILE_PATH_CHANGES", "SPDX_LICENSE_TAG",
              "MISSING_FIXES_TAG"}
TREE_ARTEFACTS = {"UNKNOWN_COMMIT_ID"}
# where patchflow deliberately reports more than checkpatch (docs/checkpatch.md, "Named differences"):
# the summary prints precision with and without these types' patchflow-only findings
NAMED_DIFFERENCES = {
    "PARENTHESIS_ALIGNMENT": "also the misaligned arguments further down a call",
    "COMMIT_MESSAGE": "a message of tags only (Fixes:, Reported-by:) has no description",
    "MISSING_SIGN_OFF": "git am cuts the message at a diff quoted in it, and the sign-off below with it",
}
BATCH = 40  # patches per checkpatch process: one process per patch would time perl's start-up
_TERSE = re.compile(r"^(.+?):(?:(\d+):)? (?:ERROR|WARNING|CHECK):([A-Z0-9_]+): ")
_DIFF = re.compile(rb"^(?:diff --git |--- \S|\+\+\+ \S)", re.MULTILINE)


def _header(value) -> str:
    text = str(email.header.make_header(email.header.decode_header(str(value or ""))))
    return " ".join(text.split())


def decoded_patch(raw: bytes):
    """The mail as `git am` reads it: a format-patch file (bytes), or None when it has no diff."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    part = msg
    if msg.is_multipart():
        part = next((p for p in msg.walk() if p.get_content_type() == "text/plain"), None)
        if part is None:
            return None
    body = part.get_payload(decode=True) or b""
    if not _DIFF.search(body):
        return None
    try:
        head = (f"From: {_header(msg['From'])}\nDate: {_header(msg['Date'])}\n"
                f"Subject: {_header(msg['Subject'])}\n\n")
    except (UnicodeError, LookupError, email.errors.HeaderParseError):
        return None
    return head.encode("utf-8", errors="replace") + body.replace(b"\r\n", b"\n")


def build_corpus(archive: str, limit: int, cache: Path):
    """The corpus' patch files in the cache (writing the ones not there yet), newest first."""
    cache.mkdir(parents=True, exist_ok=True)
    paths = []
    for mail in iter_mails(archive, limit * 2):
        path = cache / f"{mail.commit}.patch"
        if not path.exists():
            data = decoded_patch(mail.raw)
            if data is None:
                (cache / f"{mail.commit}.nodiff").touch()
                continue
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        elif (cache / f"{mail.commit}.nodiff").exists():
            continue
        paths.append(path)
        if len(paths) >= limit:
            break
    return paths


def _run_checkpatch(checkpatch: str, batch, run_dir: str):
    proc = subprocess.run(["perl", checkpatch, "--strict", "--show-types", "--terse", *map(str, batch)],
                          cwd=run_dir, capture_output=True, text=True, errors="replace", timeout=3600)
    by_file = {str(p): [] for p in batch}
    for line in proc.stdout.splitlines():
        match = _TERSE.match(line)
        if match and match.group(1) in by_file:
            by_file[match.group(1)].append(line)
    for path in batch:
        out = Path(str(path)[: -len(".patch")] + ".checkpatch")
        tmp = out.with_suffix(".tmp2")
        tmp.write_text("".join(f"{line}\n" for line in by_file[str(path)]))
        os.replace(tmp, out)


def checkpatch_findings(paths, checkpatch: str, jobs: int):
    """{(patch, line, type)} of checkpatch on every patch, from the cache or a fresh run."""
    missing = [p for p in paths if not p.with_suffix(".checkpatch").exists()]
    if missing:
        print(f"running checkpatch on {len(missing)} patches not cached yet ...", file=sys.stderr)
        with tempfile.TemporaryDirectory(prefix="cpcov-") as run_dir, ThreadPoolExecutor(jobs) as pool:
            batches = [missing[i:i + BATCH] for i in range(0, len(missing), BATCH)]
            list(pool.map(lambda b: _run_checkpatch(checkpatch, b, run_dir), batches))
    found = set()
    for path in paths:
        for line in path.with_suffix(".checkpatch").read_text().splitlines():
            match = _TERSE.match(line)
            if match:
                found.add((str(path), int(match.group(2)) if match.group(2) else None, match.group(3)))
    return found


def checkpatch_tree(checkpatch: str):
    """The kernel tree checkpatch reads (the one it lives in: MAINTAINERS, include/ for CAMELCASE,
    scripts/spelling.txt, LICENSES/), or None."""
    root = Path(checkpatch).resolve().parent.parent
    return str(root) if (root / "MAINTAINERS").is_file() else None


def _patchflow_json(paths, env, run_dir, tree=None):
    tree_args = ["--tree", tree] if tree else []
    proc = subprocess.run([sys.executable, "-m", "patchflow", "check", "--strict", "--format", "json", *tree_args,
                           *map(str, paths)], cwd=run_dir, capture_output=True, text=True, env=env, timeout=3600)
    if proc.returncode not in (0, 1):
        return None, proc.stderr
    return {(f["patch"], f.get("patch_line"), f["type"]) for f in json.loads(proc.stdout)["findings"]}, ""


def patchflow_findings(paths, tree=None):
    """{(patch, line, type)} of `patchflow check --strict [--tree TREE]`, one process per 200 patches (a
    chunk with a patch patchflow refuses as bad input runs again one patch a process, without that one)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                                      os.environ.get("PYTHONPATH")])))
    found = set()
    refused = []
    with tempfile.TemporaryDirectory(prefix="pfcov-") as run_dir:
        for start in range(0, len(paths), 200):
            chunk = paths[start:start + 200]
            result, _ = _patchflow_json(chunk, env, run_dir, tree)
            if result is None:
                for path in chunk:
                    one, error = _patchflow_json([path], env, run_dir, tree)
                    if one is None:
                        refused.append((str(path), error.strip().splitlines()[-1] if error.strip() else ""))
                    else:
                        found |= one
            else:
                found |= result
    for _, error in refused:
        print(f"refused by patchflow: {error}", file=sys.stderr)
    return found, {path for path, _ in refused}


def _by_type(findings):
    return Counter(t for _, _, t in findings)


def compare(theirs, ours):
    """Per type: (checkpatch's count, patchflow's count, both at the same (patch, line))."""
    lineless = {t for _, n, t in theirs if n is None}
    ours = {(p, None if t in lineless else n, t) for p, n, t in ours}
    common = theirs & ours
    cp, pf, both = _by_type(theirs), _by_type(ours), _by_type(common)
    return {t: (cp[t], pf[t], both[t]) for t in set(cp) | set(pf)}, ours


def _share(part, whole):
    return f"{100.0 * part / whole:5.1f}%" if whole else "    -"


def checkpatch_types(checkpatch: str):
    """Every type name checkpatch.pl can report: the upper-case string literals of the script (its
    ERROR/WARN/CHK calls name most; LONG_LINE and a few others are chosen into a variable first)."""
    text = Path(checkpatch).read_text(errors="replace")
    return set(re.findall(r'"([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{4,})"', text))


def print_table(rows, known, theirs_types):
    print(f"{'type':28} {'checkpatch':>10} {'patchflow':>9} {'both':>6} {'recall':>7} {'precision':>9}")
    order = sorted(rows, key=lambda t: (-rows[t][0], -rows[t][1], t))
    for t in order:
        cp, pf, both = rows[t]
        mark = "" if t in known else "  (not in patchflow)"
        if t not in theirs_types:
            mark = "  (patchflow's own type)"
        print(f"{t:28} {cp:10} {pf:9} {both:6} {_share(both, cp):>7} {_share(both, pf):>9}{mark}")
    for label, skip in (("all types", set()), ("without tree artefacts (" + ", ".join(sorted(TREE_ARTEFACTS)) + ")",
                                                TREE_ARTEFACTS),
                        ("without tree-dependent types (" + ", ".join(sorted(TREE_TYPES)) + ")", TREE_TYPES)):
        cp = sum(r[0] for t, r in rows.items() if t not in skip)
        both = sum(r[2] for t, r in rows.items() if t not in skip)
        pf = sum(r[1] for t, r in rows.items() if t not in skip and t in theirs_types)
        print(f"{label}: checkpatch {cp}, reproduced {both} ({_share(both, cp).strip()}); patchflow's findings "
              f"of checkpatch's types {pf}, also raised by checkpatch {_share(both, pf).strip()}")
    # the named differences are findings patchflow adds on purpose: counted apart from its precision
    cp = sum(r[0] for t, r in rows.items() if t not in TREE_ARTEFACTS)
    both = sum(r[2] for t, r in rows.items() if t not in TREE_ARTEFACTS)
    pf = sum(r[2] if t in NAMED_DIFFERENCES else r[1] for t, r in rows.items()
             if t not in TREE_ARTEFACTS and t in theirs_types)
    named = sum(r[1] - r[2] for t, r in rows.items() if t in NAMED_DIFFERENCES)
    print(f"without tree artefacts and named differences ({', '.join(sorted(NAMED_DIFFERENCES))}: {named} "
          f"findings): checkpatch {cp}, reproduced {both} ({_share(both, cp).strip()}); patchflow's findings of "
          f"checkpatch's types {pf}, also raised by checkpatch {_share(both, pf).strip()}")


def print_examples(label, findings, type_name):
    for patch, line, t in sorted(f for f in findings if f[2] == type_name):
        text = ""
        if line:
            lines = Path(patch).read_text(errors="replace").split("\n")
            text = lines[line - 1] if line <= len(lines) else ""
        print(f"{label} {Path(patch).name}:{line}: {text}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("archive")
    parser.add_argument("--limit", type=int, default=1500, help="patches in the corpus (default 1500)")
    parser.add_argument("--cache", help="cache directory (default /work/cpcache/<archive name>)")
    parser.add_argument("--checkpatch", default=CHECKPATCH)
    parser.add_argument("--jobs", type=int, default=2, help="checkpatch processes at once")
    parser.add_argument("--types", help="only these types (comma-separated) in the table")
    parser.add_argument("--misses", metavar="TYPE", help="list checkpatch's findings of TYPE (or T1,T2) patchflow lacks")
    parser.add_argument("--extras", metavar="TYPE", help="list patchflow's findings of TYPE (or T1,T2) checkpatch lacks")
    args = parser.parse_args(argv)
    name = Path(args.archive.rstrip("/")).name
    if name == "repo":
        name = Path(args.archive.rstrip("/")).parent.name
    cache = Path(args.cache or f"/work/cpcache/{name}")
    paths = build_corpus(args.archive, args.limit, cache)
    theirs = checkpatch_findings(paths, args.checkpatch, args.jobs)
    ours, refused = patchflow_findings(paths, checkpatch_tree(args.checkpatch))
    # a patch patchflow refuses as bad input (hunk counts that lie) is left out on both sides
    theirs = {f for f in theirs if f[0] not in refused}
    sys.path.insert(0, str(ROOT / "src"))
    from patchflow.checks import registry

    rows, ours = compare(theirs, ours)
    if args.types:
        wanted = {t.strip().upper() for t in args.types.split(",")}
        rows = {t: r for t, r in rows.items() if t in wanted}
    print(f"corpus: {len(paths)} patches of {args.archive} (cache {cache}); {len(refused)} refused by "
          f"patchflow as bad input (hunk counts that lie), left out")
    print_table(rows, set(registry()), checkpatch_types(args.checkpatch))
    for type_name in filter(None, (args.misses or "").upper().split(",")):
        print_examples("only checkpatch", theirs - ours, type_name.strip())
    for type_name in filter(None, (args.extras or "").upper().split(",")):
        print_examples("only patchflow", ours - theirs, type_name.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
