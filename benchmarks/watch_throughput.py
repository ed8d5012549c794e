#!/usr/bin/env python3
"""How many series an hour one `patchflow check --patchwork` process takes, on real series.

    nice python3 benchmarks/watch_throughput.py [--list DIR] [--series 60] [--tree PATH] [--post-checks]

Builds series from the dumped `[PATCH` mails of a list (default /work/corpus/netfilter-devel...):
a cover letter `0/N` with the patches that answer it, or a single patch. Serves them as Patchwork
3.2.1 does (shapes taken from the maint-* recordings: the series list, each series' JSON, the cover
letter's mbox and `/series/N/mbox/` with Patchwork's own headers) from the test server of
tests/patchwork_server.py, and times one real `patchflow check --patchwork --once --backlog N`
process over all of them: fetching, reading, every check against the full kernel tree
(/work/linux/linux-source-6.12, MAINTAINERS and kernel-doc included), and with --post-checks
posting the checks. Side by side, the real alternative: `scripts/checkpatch.pl` run once per
series on the same mboxes, as NIPA's checkpatch test runs it (one of its ten patch tests).

Prints series/hour for both and the ratio. The bpf and netdev lists get about 300 patches a day,
some 100 series: the figure says how far one process is from keeping up. Outside CI.
"""

from __future__ import annotations

import argparse
import copy
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from archive import keep_headers  # noqa: E402
from patchwork_server import (MAINT_TOKEN, RECORDED_HOST, RecordedPatchwork, ServerThread,  # noqa: E402
                              load)

KEPT = ("from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "references", "content-type",
        "content-transfer-encoding", "mime-version")
NUMBERED = re.compile(rb"^Subject:.*\[[^\]]*?\b(\d+)/(\d+)\]", re.M | re.I)


def patchwork_mail(raw: bytes, patch_id: int) -> bytes:
    """A mail as Patchwork's mbox view writes it: its own `From patchwork` line and the headers a
    patch needs (Patchwork drops the transport headers the archive kept)."""
    head, _, body = keep_headers(raw, KEPT).partition(b"\n\n")
    return (b"From patchwork Mon Jan  1 00:00:00 2024\nX-Patchwork-Id: %d\n" % patch_id + head
            + b"\n\n" + body.rstrip(b"\n") + b"\n\n")


def header(raw: bytes, name: bytes) -> str:
    match = re.search(rb"^" + name + rb":[ \t]*(.*(?:\n[ \t].*)*)", raw.partition(b"\n\n")[0], re.M | re.I)
    return match.group(1).decode("utf-8", "replace").split()[0].strip("<>") if match else ""


def build_series(list_dir: Path, wanted: int):
    """[(cover mail or None, [patch mails])] from the newest mails of a list, complete series only."""
    mails = [path.read_bytes() for path in sorted(list_dir.glob("*.eml"))]
    covers, answers = {}, {}
    singles = []
    for raw in mails:
        if raw.partition(b"\n\n")[0].count(b"\nSubject: Re:"):
            continue
        numbered = NUMBERED.search(raw.partition(b"\n\n")[0])
        if numbered is None:
            singles.append(raw)
        elif numbered.group(1) == b"0":
            covers[header(raw, b"Message-Id")] = (raw, int(numbered.group(2)))
        else:
            answers.setdefault(header(raw, b"In-Reply-To"), []).append((int(numbered.group(1)), raw))
    found = []
    for msgid, (cover, total) in covers.items():
        patches = sorted(answers.get(msgid, []), key=lambda item: item[0])
        if [n for n, _ in patches] == list(range(1, total + 1)):
            found.append((cover, [raw for _, raw in patches]))
    found += [(None, [raw]) for raw in singles]
    return found[:wanted]


def serve(series_list):
    """The series as a Patchwork project: the routes `check --patchwork --once` asks for."""
    app = RecordedPatchwork()
    app.route("GET", "/api/", load("index"))
    app.route("GET", "/api/1.3/", load("index-1.3"))
    item_template = load("maint-series-list").json()[0]
    series_template = load("maint-series-1")
    listed, patch_id = [], 1
    for number, (cover, patches) in enumerate(series_list, start=1):
        detail = copy.deepcopy(series_template.json())
        detail.update(id=number, mbox=f"{RECORDED_HOST}/series/{number}/mbox/", received_all=True,
                      total=len(patches), received_total=len(patches))
        detail["patches"] = []
        mbox = b""
        for raw in patches:
            detail["patches"].append({"id": patch_id, "msgid": f"<{header(raw, b'Message-Id')}>"})
            mbox += patchwork_mail(raw, patch_id)
            patch_id += 1
        if cover is not None:
            detail["cover_letter"] = {"id": number, "mbox": f"{RECORDED_HOST}/cover/{number}/mbox/"}
            app.route("GET", f"/cover/{number}/mbox/", load("maint-cover-1-mbox").with_body(patchwork_mail(cover, 0)))
        else:
            detail["cover_letter"] = None
        app.route("GET", f"/api/1.3/series/{number}/", series_template.with_json(detail))
        app.route("GET", f"/series/{number}/mbox/", load("maint-series-1-mbox").with_body(mbox))
        item = copy.deepcopy(item_template)
        item.update(id=number, received_all=True)
        listed.insert(0, item)
    app.route("GET", "/api/1.3/series/?project=netdevbpf&order=-id&per_page=100",
              load("maint-series-list").with_json(listed))
    for pid in range(1, patch_id):
        app.route("GET", f"/api/1.3/patches/{pid}/checks/", load("maint-patch-3-checks").with_json([]))
        app.route("POST", f"/api/1.3/patches/{pid}/checks/", load("maint-post-check"))
    return app


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--list", default="/work/corpus/netfilter-devel.vger.kernel.org")
    parser.add_argument("--series", type=int, default=60)
    parser.add_argument("--tree", default="/work/linux/linux-source-6.12")
    parser.add_argument("--post-checks", action="store_true")
    args = parser.parse_args()
    series_list = build_series(Path(args.list), args.series)
    patches = sum(len(p) for _, p in series_list)
    print(f"{len(series_list)} series ({patches} patches) from {args.list}")
    app = serve(series_list)
    with ServerThread(app) as server, tempfile.TemporaryDirectory() as state:
        env = dict(os.environ, XDG_STATE_HOME=state, PATCHFLOW_PATCHWORK_TOKEN=MAINT_TOKEN,
                   PYTHONPATH=str(ROOT / "src"))
        command = [sys.executable, "-m", "patchflow", "check", "--url", server.url, "--project", "netdevbpf",
                   "--patchwork", "--once", "--backlog", str(len(series_list)), "--tree", args.tree, "--terse"]
        if args.post_checks:
            command.append("--post-checks")
        started = time.monotonic()
        proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
        ours = time.monotonic() - started
        checked = sum(1 for line in proc.stdout.splitlines() if re.match(r"series \d+: (checked|not checked)", line))
        if proc.returncode != 0 or checked != len(series_list):
            print(proc.stdout[-2000:], proc.stderr[-2000:])
            raise SystemExit(f"patchflow checked {checked} of {len(series_list)} series (exit {proc.returncode})")
        posted = sum(1 for r in app.received if r.method == "POST")
        with tempfile.TemporaryDirectory() as work:
            started = time.monotonic()
            for number, (_, mails) in enumerate(series_list, start=1):
                path = Path(work) / f"{number}.mbox"
                path.write_bytes(b"".join(patchwork_mail(raw, 0) for raw in mails))
                subprocess.run(["perl", f"{args.tree}/scripts/checkpatch.pl", "--no-tree", "--mailback", str(path)],
                               capture_output=True, timeout=600)
            theirs = time.monotonic() - started
    print(f"patchflow check --patchwork --once: {ours:.1f} s, {3600 * len(series_list) / ours:,.0f} series/hour "
          f"({3600 * patches / ours:,.0f} patches/hour; {posted} checks posted)")
    print(f"checkpatch.pl once per series:     {theirs:.1f} s, {3600 * len(series_list) / theirs:,.0f} series/hour")
    print(f"ratio: patchflow (all its checks, fetching and posting) runs at {theirs / ours:.2f}x checkpatch's speed")
    print("need: the bpf and netdev lists' ~300 patches a day are ~12.5 patches/hour")
    return 0


if __name__ == "__main__":
    sys.exit(main())
