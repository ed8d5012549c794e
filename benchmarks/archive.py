"""Read raw mails out of a public-inbox git mirror of a kernel list (outside CI).

Each commit of a mirror such as linux-mailinglist-archives/netfilter-devel.vger.kernel.org.0 holds
one raw mail in the file ``m``; the commit's subject is the mail's Subject.  The benchmark scripts
read their corpora through :func:`iter_mails` so that no mail is ever copied into this repository.

    python3 benchmarks/archive.py ARCHIVE --limit 2000 --patches --out DIR   # dump for inspection
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from typing import Iterator, NamedTuple

# a list may tag its subjects first: "[Intel-wired-lan] [PATCH iwl-next] ..."
PATCH_SUBJECT = re.compile(r"^\s*(?:\[[^\]]*\]\s*)?\[[^\]]*PATCH", re.IGNORECASE)


class Mail(NamedTuple):
    commit: str
    subject: str
    raw: bytes


def _git_dir(archive: str) -> str:
    for candidate in (os.path.join(archive, "repo"), archive):
        if os.path.isdir(os.path.join(candidate, "objects")) or os.path.isdir(
                os.path.join(candidate, ".git")):
            return candidate
    raise SystemExit(f"archive.py: {archive}: not a git mirror")


def iter_mails(archive: str, limit: int, patches: bool = True,
               replies: bool = False) -> Iterator[Mail]:
    """The newest ``limit`` mails (with a [PATCH subject when ``patches``), newest first.

    ``replies`` keeps 'Re:' mails among them (threads); otherwise only the patches themselves.
    """
    git_dir = _git_dir(archive)
    log = subprocess.run(["git", "--git-dir", git_dir, "log", "--format=%H %s"],
                         capture_output=True, text=True, errors="replace", check=True).stdout
    chosen = []
    for line in log.splitlines():
        commit, _, subject = line.partition(" ")
        if patches:
            if not PATCH_SUBJECT.match(subject):
                continue
            if not replies and subject.lower().startswith("re:"):
                continue
        chosen.append((commit, subject))
        if len(chosen) >= limit:
            break
    batch = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        for commit, subject in chosen:
            batch.stdin.write(f"{commit}:m\n".encode())
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                continue
            raw = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)
            yield Mail(commit, subject, raw)
    finally:
        batch.stdin.close()
        batch.wait()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive")
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--all", action="store_true", help="every mail, not only [PATCH subjects")
    parser.add_argument("--replies", action="store_true", help="keep Re: mails")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    count = 0
    for count, mail in enumerate(iter_mails(args.archive, args.limit, not args.all, args.replies), 1):
        with open(os.path.join(args.out, f"{count:05d}-{mail.commit[:12]}.eml"), "wb") as out:
            out.write(mail.raw)
    print(f"{count} mails written to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())


def keep_headers(raw: bytes, names) -> bytes:
    """The mail with only the headers named (lower case), their folded lines included, and its body:
    what a patch needs once the relays' and the list's headers are gone (as Patchwork's mbox view and
    `b4 am` hand a mail on)."""
    head, sep, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    kept, keep = [], False
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if keep:
                kept.append(line)
            continue
        keep = line.split(b":", 1)[0].strip().lower().decode("ascii", "replace") in names
        if keep:
            kept.append(line)
    return b"\n".join(kept) + (sep or b"\n\n") + body
