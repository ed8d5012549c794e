"""How much of real traffic `patchflow fix` fixes, and whether a fix ever adds a finding (outside CI).

    python3 benchmarks/fix_corpus.py ARCHIVE [--limit 2000]

ARCHIVE is a public-inbox git mirror of a kernel list (each commit holds one raw mail in `m`), read
with benchmarks/archive.py. For every `[PATCH` mail: the fixable findings `patchflow check --strict`
raises, then the patch as `patchflow fix FILE.patch` writes it, checked again. Prints, per type,
the findings raised, fixed, left (with the reasons), and any finding the fixed patch has that the
original did not (the goal: none). Mails that are not patches are counted and skipped.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from archive import iter_mails  # noqa: E402
from patchflow.checks import Options  # noqa: E402
from patchflow.checks import run as run_checks  # noqa: E402
from patchflow.errors import PatchflowError  # noqa: E402
from patchflow.fix import fix_patch_text  # noqa: E402
from patchflow.patch import Series, parse_text  # noqa: E402


def findings_of(text: str, source: str):
    series = Series(parse_text(text, source))
    return [f for result in run_checks(series, Options(strict=True)) for f in result.findings]


def as_patch_file(raw: bytes, scratch: str):
    """The mail decoded by `git mailinfo` and laid out as `git format-patch` writes it, or None."""
    msg, patch = os.path.join(scratch, "msg"), os.path.join(scratch, "patch")
    proc = subprocess.run(["git", "mailinfo", "-k", "-u", msg, patch], input=raw, capture_output=True)
    if proc.returncode != 0:
        return None
    info = dict(line.split(": ", 1) for line in proc.stdout.decode("utf-8", "replace").splitlines() if ": " in line)
    with open(msg, encoding="utf-8", errors="surrogateescape") as handle:
        message = handle.read()
    with open(patch, encoding="utf-8", errors="surrogateescape") as handle:
        diff = handle.read()
    if not diff.strip():
        return None
    return (f"From: {info.get('Author', '')} <{info.get('Email', '')}>\nDate: {info.get('Date', '')}\n"
            f"Subject: {info.get('Subject', '')}\n\n{message}---\n{diff}")


def measure(archive: str, limit: int, raw_mails: bool = False):
    raised, fixed, left, new = (collections.Counter() for _ in range(4))
    reasons = collections.Counter()
    skipped = 0
    examples = []
    scratch = tempfile.mkdtemp(prefix="fix-corpus-")
    for mail in iter_mails(archive, limit):
        text = mail.raw.decode("utf-8", errors="surrogateescape") if raw_mails else as_patch_file(mail.raw, scratch)
        if text is None:
            skipped += 1
            continue
        try:
            before = findings_of(text, mail.commit[:12])
            fixed_text, report = fix_patch_text(text, mail.commit[:12], Options(strict=True))
            after = findings_of(fixed_text, mail.commit[:12])
        except PatchflowError:
            skipped += 1
            continue
        for fix in report.fixed:
            fixed[fix.finding.type] += 1
        for finding, why in report.left:
            left[finding.type] += 1
            reasons[(finding.type, why.split(" (")[0][:80])] += 1
        for finding in before:
            if finding.fix is not None or finding.type in fixed or finding.type in left:
                raised[finding.type] += 1
        old = collections.Counter((f.type, f.message) for f in before)
        for finding in after:
            key = (finding.type, finding.message)
            if old[key] > 0:
                old[key] -= 1
            else:
                new[finding.type] += 1
                if len(examples) < 10:
                    examples.append((mail.commit[:12], finding.type, finding.patch_line, finding.message))
    return raised, fixed, left, new, reasons, skipped, examples


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("archive")
    parser.add_argument("--limit", type=int, default=2000)
    parser.add_argument("--raw", action="store_true", help="check the mails as they arrived, not decoded")
    args = parser.parse_args(argv)
    raised, fixed, left, new, reasons, skipped, examples = measure(args.archive, args.limit, args.raw)
    print(f"{'type':<24} {'raised':>7} {'fixed':>7} {'left':>7} {'new':>5}")
    for name in sorted(set(raised) | set(fixed) | set(left) | set(new)):
        print(f"{name:<24} {raised[name]:>7} {fixed[name]:>7} {left[name]:>7} {new[name]:>5}")
    total_fixed, total_left = sum(fixed.values()), sum(left.values())
    share = total_fixed / (total_fixed + total_left) if total_fixed + total_left else 0.0
    print(f"\nfixed {total_fixed} of {total_fixed + total_left} fixable findings ({share:.1%}); "
          f"new findings after fixing: {sum(new.values())}; mails not read as patches: {skipped}")
    for (name, why), count in reasons.most_common(10):
        print(f"  left {count:>4} {name}: {why}")
    for example in examples:
        print("  new:", *example)
    return 0


if __name__ == "__main__":
    sys.exit(main())
