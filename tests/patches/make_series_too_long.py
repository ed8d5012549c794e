#!/usr/bin/env python3
"""Write series-too-long.mbox: a bpf-next series of 16 patches and its cover letter, made with git
commit and git format-patch on a clone of the 6.12 tree. Each patch turns one
`p = alloc(sizeof(struct x))` of kernel/bpf/ or tools/lib/bpf/ into `sizeof(*p)`, the split a
newcomer sends and the bpf maintainers send back (at most 15 patches per series; squash per file).

    python3 tests/patches/make_series_too_long.py
"""

from __future__ import annotations

import re
import tempfile
import textwrap
from pathlib import Path

from _kernel_clone import git, kernel_clone

HERE = Path(__file__).resolve().parent

SITE = re.compile(r"^(\s*)([a-z_]+(?:->[a-z_]+)?) = ([a-z_]*alloc[a-z_]*\((?:[a-z_0-9]+, )?)sizeof\(struct [a-z_0-9]+\)")
DEFINITION = re.compile(r"^[A-Za-z].*?\b(\w+)\((?!.*;\s*$)")
BLURB = """\
Allocations in the BPF core and in libbpf name the allocated type twice:
once in the pointer's declaration and once in sizeof(struct ...). Use
sizeof(*p) instead, as Documentation/process/coding-style.rst asks, so
that the size follows the pointer's type if it ever changes.
"""


def main() -> None:
    with kernel_clone("series-too-long-") as repo:
        sites = []
        for name in git(repo, "ls-files", "kernel/bpf/*.c", "tools/lib/bpf/*.c").split():
            for number, line in enumerate((repo / name).read_text().split("\n"), 1):
                if SITE.match(line):
                    sites.append((name, number))
        assert len(sites) == 16, sites
        for name, number in sites:
            path = repo / name
            lines = path.read_text().split("\n")
            match = SITE.match(lines[number - 1])
            pointer = match.group(2)
            lines[number - 1] = SITE.sub(lambda m: f"{m.group(1)}{m.group(2)} = {m.group(3)}sizeof(*{pointer})",
                                         lines[number - 1])
            path.write_text("\n".join(lines))
            # the enclosing function: the nearest definition above, which kernel style starts in column 0
            function = next(m.group(1) for m in map(DEFINITION.match, reversed(lines[:number - 1])) if m)
            component = "libbpf" if name.startswith("tools/") else "bpf"
            git(repo, "commit", "-q", "-a", "--date", "2024-11-20T10:00:00+00:00", "-F", "-", stdin=(
                f"{component}: Use sizeof(*{pointer.split('->')[-1]}) in {function}()\n\n"
                + textwrap.fill(f"{function}() allocates {pointer} with the size of its type spelled "
                                f"out. Use sizeof(*{pointer}), which follows the pointer's type.", 72)
                + "\n\n"
                "Signed-off-by: Test Author <author@example.org>\n"))
        with tempfile.TemporaryDirectory() as out:
            git(repo, "format-patch", "-q", "-16", "--cover-letter", "--subject-prefix=PATCH bpf-next",
                "-o", out)
            mails = sorted(Path(out).glob("*.patch"))
            cover = mails[0].read_text()
            cover = cover.replace("*** SUBJECT HERE ***", "bpf, libbpf: Use sizeof(*p) in allocations")
            cover = cover.replace("*** BLURB HERE ***\n", BLURB)
            text = cover + "".join("\n" + mail.read_text() for mail in mails[1:])
        (HERE / "series-too-long.mbox").write_text(text)
        print(HERE / "series-too-long.mbox")


if __name__ == "__main__":
    main()
