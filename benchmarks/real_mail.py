"""Does patchflow read real list mail as `git am` does? (outside CI)

    python3 benchmarks/real_mail.py ARCHIVE [--limit 2000] [--show 20]

ARCHIVE is a public-inbox git mirror of a kernel list (each commit holds one raw mail in `m`, read
with benchmarks/archive.py). For each of the newest LIMIT mails with a `[PATCH` subject (no replies),
the oracle is `git mailinfo -k --scissors` (the parser `git am` uses) and `git apply --numstat` on
the patch it splits off; patchflow reads the same bytes with `patch.parse_bytes` and runs its checks.
Compared per mail: the subject, the author (name and address), the commit message, the patch text
and the files with their added and deleted line counts. Printed: agreement, every disagreement (up
to --show), tracebacks, exit-2 refusals of mails git accepts, and the time of each side.
"""

from __future__ import annotations

import argparse
import email.utils
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))
sys.path.insert(0, HERE)

from archive import iter_mails  # noqa: E402
from patchflow.errors import BadInput  # noqa: E402
from patchflow.patch import Series, parse_bytes  # noqa: E402


# a [PATCH subject, after the tags some lists add ([Intel-wired-lan] [PATCH ...]); no replies
PATCH_SUBJECT = re.compile(r"^\s*(\[[^\]]*\]\s*)*\[[^\]]*PATCH", re.IGNORECASE)


def oracle(raw: bytes, scratch: str):
    """git's reading: {subject, name, email, message, patch, numstat} or None when mailinfo refuses."""
    msg, patch = os.path.join(scratch, "msg"), os.path.join(scratch, "patch")
    proc = subprocess.run(["git", "mailinfo", "-k", "--scissors", msg, patch], input=raw, capture_output=True)
    if proc.returncode != 0:
        return None
    info = {}
    for line in proc.stdout.decode("utf-8", "surrogateescape").split("\n"):
        key, sep, value = line.partition(": ")
        if sep:
            info[key] = value
    with open(msg, "rb") as handle:
        message = handle.read().decode("utf-8", "surrogateescape")
    with open(patch, "rb") as handle:
        patch_text = handle.read().decode("utf-8", "surrogateescape")
    numstat = None
    if patch_text.strip():
        apply = subprocess.run(["git", "apply", "--numstat", patch], capture_output=True, cwd=scratch)
        if apply.returncode == 0:
            numstat = sorted(tuple(line.split("\t", 2)) for line in
                             apply.stdout.decode("utf-8", "surrogateescape").splitlines())
    return {"subject": info.get("Subject", ""), "name": info.get("Author", ""), "email": info.get("Email", ""),
            "message": message, "patch": patch_text, "numstat": numstat}


def ours(patch) -> dict:
    """patchflow's reading of one mail, in the oracle's terms."""
    name, address = email.utils.parseaddr(patch.author or "")
    name = name or address  # git mailinfo shows the address as the name when the mail gives none
    start = patch.patch_start
    patch_text = "" if start is None else "".join(
        line + "\n" for line in patch.lines[start - patch.first_line:])
    numstat = []
    for file in patch.files:
        if file.is_binary:
            numstat.append(("-", "-", file.path))
            continue
        added = sum(1 for hunk in file.hunks for line in hunk.lines if line.kind == "+")
        deleted = sum(1 for hunk in file.hunks for line in hunk.lines if line.kind == "-")
        numstat.append((str(added), str(deleted), file.path))
    return {"subject": patch.subject or "", "name": name, "email": address,
            "message": "".join(text + "\n" for _, text in patch.message), "patch": patch_text,
            "numstat": sorted(numstat)}


def _same_path(ours_path: str, git_path: str) -> bool:
    """`git apply --numstat` names a renamed file by its new path, or `dir/{old => new}`."""
    if "=>" not in git_path:
        return ours_path == git_path
    head, _, rest = git_path.partition("{")
    middle, _, tail = rest.partition("}")
    new = middle.split("=>")[-1].strip()
    return ours_path == (head + new + tail).replace("//", "/")


def differences(mine: dict, git: dict):
    """The fields where the two readings differ."""
    found = []
    for key in ("subject", "name", "email"):
        if mine[key] != git[key].strip() and mine[key].strip() != git[key].strip():
            found.append(key)
    if mine["message"].strip("\n") != git["message"].strip("\n"):
        found.append("message")
    if mine["patch"].rstrip("\n") != git["patch"].rstrip("\n"):
        found.append("patch")
    if git["numstat"] is not None:
        pairs = list(zip(mine["numstat"], git["numstat"]))
        if len(mine["numstat"]) != len(git["numstat"]) or any(
                a[:2] != b[:2] or not _same_path(a[2], b[2]) for a, b in pairs):
            found.append("numstat")
    return found


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive")
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--show", type=int, default=20, help="disagreements to print in full")
    parser.add_argument("--no-checks", action="store_true", help="only read the mails, do not run the checks")
    args = parser.parse_args(argv)
    tally = Tally(args.show)
    with tempfile.TemporaryDirectory(prefix="real-mail-") as scratch:
        for mail in iter_mails(args.archive, 10 ** 9, patches=False):
            if not PATCH_SUBJECT.match(mail.subject):
                continue
            if tally.counts["mails"] >= args.limit:
                break
            tally.measure(mail, scratch, not args.no_checks)
    tally.report(args.archive, not args.no_checks)
    return 0


class Tally:
    """The counts, the disagreements by field and the time of each side, mail after mail."""

    def __init__(self, show: int):
        self.counts, self.fields = Counter(), Counter()
        self.seconds = Counter()
        self.show = show

    def measure(self, mail, scratch: str, checks: bool) -> None:
        self.counts["mails"] += 1
        started = time.perf_counter()
        git = oracle(mail.raw, scratch)
        self.seconds["git"] += time.perf_counter() - started
        started = time.perf_counter()
        try:
            patches = parse_bytes(mail.raw, "mail")
        except BadInput as exc:
            self.seconds["ours"] += time.perf_counter() - started
            accepted = git is not None and git["numstat"] is not None
            self.counts["exit 2 on a mail git applies" if accepted else "exit 2, git refuses too"] += 1
            verdict = "git applies it" if accepted else "git refuses it too"
            print(f"{mail.commit[:12]} exit 2 ({verdict}): {exc}  [{mail.subject[:70]}]")
            return
        except Exception:  # a traceback is what this measures: print it, go on
            self.counts["tracebacks"] += 1
            print(f"{mail.commit[:12]} TRACEBACK reading it:\n{traceback.format_exc()}")
            return
        self.seconds["ours"] += time.perf_counter() - started
        if checks:
            self._run_checks(mail, patches)
        if git is None:
            self.counts["git mailinfo refuses"] += 1
            print(f"{mail.commit[:12]} git mailinfo refuses it, patchflow reads it  [{mail.subject[:70]}]")
            return
        found = differences(ours(patches[0]), git)
        self.counts["compared"] += 1
        self.counts["agree"] += not found
        self.fields.update(found)
        if found and self.show > 0:
            self.show -= 1
            _show(mail, found, ours(patches[0]), git)

    def _run_checks(self, mail, patches) -> None:
        from patchflow.checks import Options
        from patchflow.checks import run as run_checks

        started = time.perf_counter()
        try:
            run_checks(Series(patches), Options())
        except Exception:
            self.counts["tracebacks"] += 1
            print(f"{mail.commit[:12]} TRACEBACK in the checks:\n{traceback.format_exc()}")
        self.seconds["checks"] += time.perf_counter() - started

    def report(self, archive: str, checks: bool) -> None:
        counts, seconds = self.counts, self.seconds
        print(f"\n{archive}: {counts['mails']} [PATCH mails")
        print(f"  agree with git mailinfo + git apply --numstat: {counts['agree']}/{counts['compared']} "
              f"({100.0 * counts['agree'] / (counts['compared'] or 1):.2f}%)")
        for key in ("tracebacks", "exit 2 on a mail git applies", "exit 2, git refuses too", "git mailinfo refuses"):
            print(f"  {key}: {counts[key]}")
        if self.fields:
            print("  disagreements by field: " + ", ".join(f"{k} {v}" for k, v in self.fields.most_common()))
        print(f"  time: patchflow reads them in {seconds['ours']:.1f} s, git mailinfo + git apply --numstat "
              f"(one process each per mail) in {seconds['git']:.1f} s: "
              f"ratio {seconds['ours'] / (seconds['git'] or 1):.2f}")
        if checks:
            print(f"  patchflow's checks (no tree) took {seconds['checks']:.1f} s more")


def _show(mail, found, mine, git) -> None:
    print(f"{mail.commit[:12]} differs in {', '.join(found)}  [{mail.subject[:70]}]")
    for key in found:
        a, b = mine[key], git[key]
        if isinstance(a, str) and "\n" in a + b:
            al, bl = a.split("\n"), b.split("\n")
            k = next((i for i, (x, y) in enumerate(zip(al, bl)) if x != y), min(len(al), len(bl)))
            a, b = al[k:k + 2], bl[k:k + 2]
            print(f"    {key} line {k + 1}: patchflow {a!r}\n    {' ' * len(key)}          git {b!r}")
        else:
            print(f"    {key}: patchflow {a!r}\n    {' ' * len(key)} git       {b!r}")


if __name__ == "__main__":
    sys.exit(main())
