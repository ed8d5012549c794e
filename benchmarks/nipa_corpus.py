"""How often the NIPA-style checks fire on real traffic, with samples to read by hand.

    nice python3 benchmarks/nipa_corpus.py [--tree /work/linux/linux-source-6.12] [--limit N] [DIR ...]

Reads the dumped `[PATCH` mails (default: every list under /work/corpus), checks each mail alone
against the tree with only the new types (SOURCE_INLINE, HEADER_INLINE, DEPRECATED_API,
CC_MAINTAINERS, NEW_FILE_NO_MAINTAINER, SELFTEST_NOT_IN_MAKEFILE, KDOC_NEW_WARNING) and prints, per
type, how many mails it fired on and the first findings, so each can be judged against the mail.
Outside CI: it reads data outside the repository.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from patchflow.checks import Options, run  # noqa: E402
from patchflow.errors import PatchflowError  # noqa: E402
from patchflow.patch import Series, parse_bytes  # noqa: E402

KEPT = ("from", "to", "cc", "subject", "date", "message-id", "in-reply-to", "content-type",
        "content-transfer-encoding", "mime-version")


def read_mail(path: Path):
    """The mail, read by the one mail reader."""
    return parse_bytes(path.read_bytes(), str(path))

TYPES = {"SOURCE_INLINE", "HEADER_INLINE", "DEPRECATED_API", "CC_MAINTAINERS", "NEW_FILE_NO_MAINTAINER",
         "SELFTEST_NOT_IN_MAKEFILE", "KDOC_NEW_WARNING"}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("dirs", nargs="*", default=sorted(str(p) for p in Path("/work/corpus").iterdir()))
    parser.add_argument("--tree", default="/work/linux/linux-source-6.12")
    parser.add_argument("--limit", type=int, default=0, help="mails per list (0: all)")
    parser.add_argument("--samples", type=int, default=6)
    parser.add_argument("--types", default=",".join(sorted(TYPES)))
    args = parser.parse_args()
    options = Options(strict=True, types=set(args.types.split(",")), tree=args.tree)
    fired, samples, mails, unreadable = Counter(), defaultdict(list), 0, 0
    started = time.monotonic()
    for directory in args.dirs:
        files = sorted(Path(directory).glob("*.eml"))
        for path in files[: args.limit or None]:
            try:
                patches = [p for p in read_mail(path) if p.files or p.is_cover_letter]
                if not patches:
                    raise PatchflowError("no patch")
            except PatchflowError:
                unreadable += 1
                continue
            mails += 1
            seen = set()
            for result in run(Series(patches), options):
                for finding in result.findings:
                    if finding.type not in seen:
                        seen.add(finding.type)
                        fired[finding.type] += 1
                    if len(samples[finding.type]) < args.samples:
                        samples[finding.type].append(f"{path.name}: {finding.file or ''}:{finding.line or ''} "
                                                     f"{finding.message[:160]}")
    elapsed = time.monotonic() - started
    print(f"{mails} mails ({unreadable} unreadable) in {elapsed:.0f} s")
    for type_name in sorted(TYPES):
        print(f"\n{type_name}: fired on {fired[type_name]} mails")
        for line in samples[type_name]:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
