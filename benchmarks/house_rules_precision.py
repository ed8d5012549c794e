"""House rules on real traffic: precision on accepted patches, recall on reviewers' requests (outside CI).

    nice python3 benchmarks/house_rules_precision.py ARCHIVE [ARCHIVE...] [--tree debian-6.12] [--show]

ARCHIVE is a public-inbox git mirror of a list with netdev or bpf traffic (e.g.
linux-mailinglist-archives/intel-wired-lan.osuosl.org.0, .../netfilter-devel.vger.kernel.org.0).
Every mail is read through archive.py's iter_mails (none is copied into this repository):

- Precision: a patch is accepted when the Patchwork bot (patchwork-bot+netdevbpf) replies "This
  series was applied to" / "This patch was applied to" to it or to its cover letter, and its summary
  lists the patch; a series is taken only whole (every i/n in the archive) and only when no reply in
  its thread asks for a house rule. `patchflow check --strict --tree TREE --format json` runs on each
  series, and every house-rule finding is listed with the judgement recorded in
  house_rules_judgements.py (real or not, and why); precision per type is printed.
- Recall: replies whose own (unquoted) lines ask for a house rule (reverse xmas tree, a tree tag, a
  Fixes: tag, a cover letter, a shorter series) are mapped to the patch they answer; patchflow runs
  on that patch (with its series) and must raise the asked-for type, at any level (checkpatch's
  MISSING_FIXES_TAG counts for a Fixes: tag). Requests outside the documents' scope for the patch's
  files, and those on a mail the archive holds mangled, are counted apart. Every request patchflow
  misses is printed with the reviewer's words, the patch's subject and the judgement recorded in
  house_rules_judgements.py: why patchflow says nothing (a shape it does not read, a remark on code
  the patch did not touch, ...).

--show prints every finding and request with its key, for judging the ones not yet judged.
"""

from __future__ import annotations

import argparse
import contextlib
import email
import email.policy
import io
import json
import os
import re
import sys
import tempfile
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "src"))

from archive import iter_mails, keep_headers  # noqa: E402
from house_rules_judgements import JUDGEMENTS, REQUEST_JUDGEMENTS  # noqa: E402

# VERIFY_FIXES's one note per run on a tree without history is true of every patch it is on
NOTE_VERDICT = ("real", "the tree has one commit: it cannot tell, and the note says so")
HOUSE_TYPES = ("REVERSE_XMAS_TREE", "SUBJECT_TREE_PREFIX", "SUBJECT_PREFIX_FORMAT", "SUMMARY_PREFIX",
               "COVER_LETTER_MISSING", "SERIES_TOO_LONG", "FIXES_TAG_MISSING", "VERIFY_FIXES", "TREE_SELECTION")
BOT = re.compile(r"This (series|patch) was applied to (\S+)")
SUMMARY_ITEM = re.compile(r"^\s*- \[([^\]]*)\] (.+?)\s*$")
NUMBERED = re.compile(r"\b(\d+)/(\d+)\]")
NUMBERED_COVER = re.compile(r"\b0+/\d+\]")
# what reviewers write when they ask for a house rule, in their own (unquoted) lines
REQUESTS = {
    "REVERSE_XMAS_TREE": re.compile(r"reverse[ -]?(xmas|x-mas|christmas|fir)|\bRCT\b|\bRXT\b|xmas[- ]tree",
                                    re.IGNORECASE),
    "FIXES_TAG_MISSING": re.compile(r"(missing|need|needs|add|please|without|lacks?|no)\b[^.\n]{0,25}\bFixes:? tag|"
                                    r"Fixes:? tag[^.\n]{0,20}\b(missing|is needed|please|required)", re.IGNORECASE),
    "COVER_LETTER_MISSING": re.compile(r"(missing|need|needs|add|please|without|lacks?|no)\b[^.\n]{0,20}"
                                       r"\bcover[- ]letter", re.IGNORECASE),
    "SUBJECT_TREE_PREFIX": re.compile(r"(designate|target|tag|mark|specify|indicate)\w*\b[^.\n]{0,40}"
                                      r"\b(net-next|net|bpf-next|bpf|tree)\b[^.\n]{0,20}(subject|prefix|tree)|"
                                      r"\[PATCH (net|net-next|bpf|bpf-next)\] (in|to) the subject", re.IGNORECASE),
    "SERIES_TOO_LONG": re.compile(r"\b15 patches\b", re.IGNORECASE),
}


def parse(raw: bytes):
    return email.message_from_bytes(raw, policy=email.policy.compat32)


def header(msg, name: str) -> str:
    value = msg.get(name)
    if value is None:
        return ""
    try:
        return str(email.header.make_header(email.header.decode_header(str(value))))
    except Exception:
        return str(value)


def ids(value: str):
    return re.findall(r"<([^>]+)>", value or "")


def body_text(msg) -> str:
    part = msg
    if msg.is_multipart():
        part = next((p for p in msg.walk() if p.get_content_type() == "text/plain"), None)
        if part is None:
            return ""
    payload = part.get_payload(decode=True) or b""
    try:
        return payload.decode(part.get_content_charset() or "utf-8", errors="replace")
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")


def own_lines(text: str) -> str:
    """A reply's own words: quoted lines and everything from the signature on left out."""
    kept = []
    for line in text.split("\n"):
        if line.startswith("-- ") and line.strip() == "--":
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept)


class Archive:
    """Patches, replies and bot notices of one mirror, linked by Message-Id."""

    def __init__(self, path: str, limit: int):
        self.patches = {}  # message-id -> (subject, raw)
        self.parent = {}  # message-id -> the message-id it answers
        self.children = defaultdict(list)
        self.applied = []  # (message-id answered, [summary items])
        self.requests = []  # (type, message-id answered, reply message-id, excerpt)
        self.style_threads = set()  # message-ids answered by a house-rule request
        for mail in iter_mails(path, limit, patches=False):
            self._add(mail)

    def _add(self, mail):
        msg = parse(mail.raw)
        mid = (ids(header(msg, "Message-ID")) or [mail.commit])[0]
        subject = " ".join(header(msg, "Subject").split())
        parents = ids(header(msg, "In-Reply-To")) or ids(header(msg, "References"))[-1:]
        if parents:
            self.parent[mid] = parents[-1]
            self.children[parents[-1]].append(mid)
        is_reply = subject.lower().startswith(("re:", "aw:"))
        if not is_reply and re.search(r"\[[^\]]*PATCH", subject, re.IGNORECASE):
            self.patches[mid] = (subject, mail.raw)
            return
        if not is_reply or not parents:
            return
        text = body_text(msg)
        sender = header(msg, "From")
        if "patchwork-bot" in sender and BOT.search(text):
            items = [m.group(2) for m in map(SUMMARY_ITEM.match, text.split("\n")) if m]
            self.applied.append((parents[-1], items))
            return
        mine = own_lines(text)
        for type_name, pattern in REQUESTS.items():
            found = pattern.search(mine)
            if found:
                start = max(0, found.start() - 120)
                excerpt = " ".join(mine[start:found.end() + 120].split())
                self.requests.append((type_name, parents[-1], mid, excerpt))
                self.style_threads.add(parents[-1])

    def series_key(self, mid: str):
        """(version, total) of a numbered patch or cover letter ([PATCH v3 2/5]: ("3", "5")), else None."""
        subject = self.patches.get(mid, ("",))[0]
        numbered = NUMBERED.search(subject)
        if numbered is None:
            return None
        prefix = subject[:numbered.end()]
        version = re.search(r"\bv(\d+)\b", prefix, re.IGNORECASE) or re.search(r"PATCHv(\d+)", prefix, re.IGNORECASE)
        return (version.group(1) if version else "1", numbered.group(2))

    def thread_top(self, mid: str) -> str:
        """The first patch of mid's thread, across versions (v3 sent in reply to v2: v2's first)."""
        seen = set()
        while mid in self.parent and mid not in seen and self.parent[mid] in self.patches:
            seen.add(mid)
            mid = self.parent[mid]
        return mid

    def thread_root(self, mid: str) -> str:
        """The first mail of mid's series: up the thread while the parent is a patch of the same
        series (a v3 sent in reply to v2 is not v2's)."""
        key = self.series_key(mid)
        seen = set()
        while (key is not None and mid in self.parent and mid not in seen and self.parent[mid] in self.patches
               and self.series_key(self.parent[mid]) == key):
            seen.add(mid)
            mid = self.parent[mid]
        return mid

    def series_of(self, mid: str):
        """The message-ids of the whole series mid belongs to (cover first), or None when some of
        its i/n are not in the archive."""
        if mid not in self.patches:
            return None
        root = self.thread_root(mid)
        key = self.series_key(root)
        if key is None:
            return [root]
        total = int(key[1])
        members = {int(NUMBERED.search(self.patches[root][0]).group(1)): root}
        pending = [root]
        while pending:  # shallow threads answer the cover letter, deep ones the patch before
            for child in self.children.get(pending.pop(), []):
                if child in self.patches and self.series_key(child) == key:
                    number = int(NUMBERED.search(self.patches[child][0]).group(1))
                    if number not in members:
                        members[number] = child
                        pending.append(child)
        if any(n not in members for n in range(1, total + 1)):
            return None
        return [members[n] for n in sorted(members)]


def summary_of(subject: str) -> str:
    return re.sub(r"^(\s*\[[^\]]*\]\s*)+", "", subject).strip()


# the tag a mailing list puts before the author's subject ([Intel-wired-lan] [PATCH ...])
LIST_TAG = re.compile(rb"^(Subject:\s*)\[Intel-wired-lan\]\s*", re.MULTILINE | re.IGNORECASE)


AUTHOR_HEADERS = ("from", "date", "subject", "message-id", "in-reply-to", "references", "mime-version",
                  "content-type", "content-transfer-encoding")


def author_mail(raw: bytes) -> bytes:
    """The mail as its author sent it, as `b4 am` hands it on: the author's headers only (the relays'
    Received: and the list's headers left out), the list's subject tag taken out."""
    head, sep, body = keep_headers(raw, AUTHOR_HEADERS).partition(b"\n\n")
    return LIST_TAG.sub(rb"\1", head, count=1) + sep + body


def run_patchflow(raws, tree: str):
    """Findings of `patchflow check --strict --tree TREE --format json` on these mails, as their
    authors sent them (the list's subject tag taken out)."""
    raws = [author_mail(raw) for raw in raws]
    from patchflow.cli import main

    with tempfile.TemporaryDirectory(prefix="house-rules-") as tmp:
        paths = []
        for n, raw in enumerate(raws):
            path = os.path.join(tmp, f"{n:04d}.patch")
            with open(path, "wb") as out:
                out.write(raw if raw.startswith(b"From ") else b"From mboxrd@z Thu Jan  1 00:00:00 1970\n" + raw)
            paths.append(path)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["check", "--strict", "--tree", tree, "--format", "json", *paths])
        if status == 2:
            return None
        findings = json.loads(out.getvalue())["findings"]
    for finding in findings:
        finding["index"] = int(os.path.basename(finding["patch"])[:4])
    return findings


def in_documents_scope(type_name: str, raw: bytes, tree: str) -> bool:
    """Whether a profile of the patch's files (MAINTAINERS of TREE) states the rule asked for."""
    from patchflow.checks import CheckContext, Options
    from patchflow.patch import Series, parse_text
    from patchflow.profiles import governing, patch_profiles

    patches = parse_text(author_mail(raw).decode("utf-8", errors="replace"))
    ctx = CheckContext(Options(tree=tree), Series(patches))
    rule = "FIXES_TAG_MISSING" if type_name == "FIXES_TAG_MISSING" else type_name
    return governing(rule, patch_profiles(patches, ctx)) is not None


def accepted_series(archive: Archive):
    """The whole series the bot reports applied, with no house-rule request in their threads."""
    done = set()
    for answered, items in archive.applied:
        members = archive.series_of(answered)
        if not members or members[0] in done:
            continue
        done.add(members[0])
        if any(m in archive.style_threads or archive.thread_top(m) in archive.style_threads for m in members):
            continue
        titles = {" ".join(item.split()) for item in items}
        patches = [m for m in members if not re.search(r"\b0+/\d+\]", archive.patches[m][0])]
        if titles and not any(summary_of(archive.patches[m][0]) in titles for m in patches):
            continue  # the summary lists other patches: not this series
        yield members


def precision(archives, tree: str, show: bool):
    per_type = defaultdict(Counter)
    patches = series_count = 0
    unjudged = []
    for archive in archives:
        for members in accepted_series(archive):
            findings = run_patchflow([archive.patches[m][1] for m in members], tree)
            if findings is None:
                continue
            series_count += 1
            patches += sum(1 for m in members if not re.search(r"\b0+/\d+\]", archive.patches[m][0]))
            for finding in findings:
                if finding["type"] not in HOUSE_TYPES:
                    continue
                mid = members[finding["index"]]
                key = (mid, finding["type"], finding["line"] or finding["patch_line"])
                verdict = JUDGEMENTS.get(key)
                if verdict is None and finding["message"].startswith("Fixes: ids not verified"):
                    verdict = NOTE_VERDICT
                level = finding["level"]
                per_type[finding["type"]][(level, verdict[0] if verdict else "unjudged")] += 1
                if verdict is None or show:
                    unjudged.append((key, level, archive.patches[mid][0], finding["message"],
                                     verdict[1] if verdict else ""))
    return patches, series_count, per_type, unjudged


def recall(archives, tree: str, show: bool):
    rows = []
    for archive in archives:
        seen = set()
        for type_name, answered, reply, excerpt in archive.requests:
            if answered not in archive.patches or (type_name, answered) in seen:
                continue
            seen.add((type_name, answered))
            verdict = REQUEST_JUDGEMENTS.get((reply, type_name))
            if verdict is not None and verdict[0] == "not-a-request":
                continue
            members = archive.series_of(answered) or [answered]
            findings = run_patchflow([archive.patches[m][1] for m in members], tree)
            if findings is None:
                continue
            if verdict is None and not in_documents_scope(type_name, archive.patches[answered][1], tree):
                verdict = ("out-of-scope", "no document governing the patch's files states the rule")
            index = members.index(answered) if answered in members else 0
            # checkpatch's MISSING_FIXES_TAG asks for the tag too (FIXES_TAG_MISSING then stays silent)
            wanted = {type_name, "MISSING_FIXES_TAG"} if type_name == "FIXES_TAG_MISSING" else {type_name}
            if type_name in ("COVER_LETTER_MISSING", "SERIES_TOO_LONG") or NUMBERED_COVER.search(
                    archive.patches[answered][0]):
                index = None  # a series rule, or a request made on the cover letter: on any of its patches
            raised = any(f["type"] in wanted and (index is None or f["index"] == index) for f in findings)
            rows.append((type_name, answered, reply, archive.patches[answered][0], excerpt, raised, verdict))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archives", nargs="+")
    parser.add_argument("--tree", default="debian-6.12")
    parser.add_argument("--limit", type=int, default=10 ** 6, help="newest mails read per archive")
    parser.add_argument("--show", action="store_true", help="print every finding and request with its key")
    args = parser.parse_args(argv)
    archives = [Archive(path, args.limit) for path in args.archives]
    patches, series_count, per_type, unjudged = precision(archives, args.tree, args.show)
    print(f"accepted: {patches} patches in {series_count} series (bot-applied, whole, no house-rule request)")
    print(f"{'type':24} {'level':8} {'real':>5} {'not':>5} {'unjudged':>9}")
    strong_real = strong_all = 0
    for type_name in sorted(per_type):
        for level in ("ERROR", "WARNING", "CHECK"):
            counts = per_type[type_name]
            real, wrong, open_ = (counts[(level, v)] for v in ("real", "not", "unjudged"))
            if real + wrong + open_:
                print(f"{type_name:24} {level:8} {real:5} {wrong:5} {open_:9}")
            if level != "CHECK":
                strong_real += real
                strong_all += real + wrong + open_
    if strong_all:
        print(f"WARNING/ERROR house-rule findings judged real: {strong_real}/{strong_all} "
              f"= {strong_real / strong_all:.0%}")
    for key, level, subject, message, reason in unjudged:
        print(f"  {key!r}: {level} {subject}\n      {message}\n      {reason}")
    rows = recall(archives, args.tree, args.show)
    in_scope = [r for r in rows if not (r[6] and r[6][0] in ("out-of-scope", "mangled"))]
    raised = sum(1 for r in in_scope if r[5])
    mangled = sum(1 for r in rows if r[6] and r[6][0] == "mangled")
    print(f"\nreviewer requests: {len(rows)} ({len(rows) - len(in_scope) - mangled} outside the documents' scope, "
          f"{mangled} on a mail the archive holds mangled)")
    by_type = Counter((r[0], r[5]) for r in in_scope)
    for type_name in sorted({r[0] for r in in_scope}):
        print(f"  {type_name:24} raised {by_type[(type_name, True)]}/{by_type[(type_name, True)] + by_type[(type_name, False)]}")
    if in_scope:
        print(f"in scope, raised: {raised}/{len(in_scope)} = {raised / len(in_scope):.0%}")
    for type_name, answered, reply, subject, excerpt, was_raised, verdict in rows:
        if args.show or not was_raised:
            why = f"{verdict[0]}: {verdict[1]}" if verdict else "NOT JUDGED: read the patch and the reply"
            print(f"  {'raised' if was_raised else 'MISSED'} {type_name} {subject}\n      reply {reply}: {excerpt[:300]}"
                  f"\n      {why}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
