#!/usr/bin/env python3
"""Agreement of issue 13's message, tree and API types with checkpatch.pl on real list traffic.

Reads the cache `benchmarks/checkpatch_coverage.py` writes (per mail: `<commit>.patch`, the decoded
mail, and `<commit>.checkpatch`, checkpatch 6.12 --strict --show-types --terse output on it) and runs
patchflow's checks in-process on each patch, with `--tree` set to the tree checkpatch found beside
itself (its headers seed CAMELCASE). Prints, per type, checkpatch's count, patchflow's, the findings
both raise at the same (patch, line), recall and precision, and the patches patchflow refuses to
read (mangled hunks) with the checkpatch findings they hold.

UNKNOWN_COMMIT_ID is left out: the cache was made outside any git tree, where checkpatch calls every
id unknown; patchflow then looks nothing up and says so once.

    python3 benchmarks/message_types_agreement.py [--tree /work/linux/linux-source-6.12] CACHE_DIR...
"""

from __future__ import annotations

import argparse
import collections
import glob
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src"))

from patchflow.checks import Options, run  # noqa: E402
from patchflow.errors import PatchflowError  # noqa: E402
from patchflow.patch import read_series  # noqa: E402

TYPES = {
    "GIT_COMMIT_ID", "COMMIT_COMMENT_SYMBOL", "BAD_SIGN_OFF", "BAD_REPORTED_BY_LINK", "MISSING_FIXES_TAG",
    "TYPO_SPELLING", "FILE_PATH_CHANGES", "EMBEDDED_FILENAME", "SPDX_LICENSE_TAG", "STRCPY", "ENOSYS",
    "VOLATILE", "BIT_MACRO", "UNCOMMENTED_DEFINITION", "EMBEDDED_FUNCTION_NAME", "UNSPECIFIED_INT",
    "AVOID_EXTERNS", "CAMELCASE", "MEMORY_BARRIER", "FUNCTION_ARGUMENTS", "REPEATED_WORD",
}
LINELESS = {"MISSING_FIXES_TAG"}  # checkpatch --terse puts it on the mail's last line
_FINDING = re.compile(r"^(.*?):(?:(\d+):)? (?:ERROR|WARNING|CHECK):([A-Z0-9_]+): ")


def checkpatch_findings(path: str) -> collections.Counter:
    found = collections.Counter()
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            match = _FINDING.match(line)
            if match and match.group(3) in TYPES:
                type_name = match.group(3)
                found[(type_name, None if type_name in LINELESS or not match.group(2) else int(match.group(2)))] += 1
    return found


def patchflow_findings(path: str, tree: str) -> collections.Counter:
    results = run(read_series([path]), Options(strict=True, types=TYPES, tree=tree))
    return collections.Counter((f.type, None if f.type in LINELESS else f.patch_line)
                               for result in results for f in result.findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("caches", nargs="+")
    parser.add_argument("--tree", default="/work/linux/linux-source-6.12")
    parser.add_argument("--show", type=int, default=3, help="differences shown per type")
    args = parser.parse_args()
    os.chdir(tempfile.mkdtemp(prefix="patchflow-agreement-"))  # outside any git tree, as the cache was made
    stats = collections.defaultdict(lambda: [0, 0, 0])
    differences = collections.defaultdict(list)
    refused, patches = [], 0
    for cache in args.caches:
        for checked in sorted(glob.glob(os.path.join(cache, "*.checkpatch"))):
            patch = checked[:-len(".checkpatch")] + ".patch"
            theirs = checkpatch_findings(checked)
            patches += 1
            try:
                ours = patchflow_findings(patch, args.tree)
            except PatchflowError as exc:
                refused.append((os.path.basename(patch), sum(theirs.values()), str(exc).split(": ", 2)[-1]))
                ours = collections.Counter()
            for key in set(theirs) | set(ours):
                both = min(theirs[key], ours[key])
                for i, n in enumerate((theirs[key], ours[key], both)):
                    stats[key[0]][i] += n
                if theirs[key] != ours[key]:
                    differences[key[0]].append((os.path.basename(patch), key[1], theirs[key], ours[key]))
    print(f"{patches} patches; per type: checkpatch, patchflow, both at the same (patch, line)")
    for type_name in sorted(stats, key=lambda t: -stats[t][0]):
        cp, pf, both = stats[type_name]
        print(f"{type_name:24} {cp:6} {pf:6} {both:6}   recall {both / max(cp, 1):6.1%}   "
              f"precision {both / max(pf, 1):6.1%}")
        for difference in differences[type_name][:args.show]:
            print("      patch %s line %s: checkpatch %d, patchflow %d" % difference)
    cp, pf, both = (sum(s[i] for s in stats.values()) for i in range(3))
    lost = sum(n for _, n, _ in refused)
    print(f"total                    {cp:6} {pf:6} {both:6}   recall {both / max(cp, 1):6.1%}   "
          f"precision {both / max(pf, 1):6.1%}")
    print(f"on the patches patchflow reads: recall {both / max(cp - lost, 1):.1%}; {len(refused)} patches refused "
          f"(mangled hunks) hold {lost} of checkpatch's findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
