#!/usr/bin/env python3
"""Write bpf-helper-v1/v2/v3.patch, the three versions of the BPF_HELPER change to scripts/bpf_doc.py
that the README's "Alignment and #ifndef" section checks, with git commit and git format-patch on a
clone of the 6.12 tree (the change itself is tests/test_bpf_helper_nits.py's):

- v1: `#if !defined(BPF_HELPER)`, and the continuation aligned with the `(` inside the string;
- v2: `#ifndef BPF_HELPER`, the continuation left where it was before the opener grew (a context line);
- v3: the right form.

    python3 tests/patches/make_bpf_helper_patches.py
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _kernel_clone import git, kernel_clone  # noqa: E402
from test_bpf_helper_nits import BPF_DOC, MESSAGE, SLIPS, right_form  # noqa: E402

VERSIONS = {
    "v1": lambda text: SLIPS["string-paren"](SLIPS["if-not-defined"](text)),
    "v2": SLIPS["context"],
    "v3": SLIPS["right"],
}


def main() -> None:
    with kernel_clone("bpf-helper-") as repo:
        base = git(repo, "rev-parse", "HEAD").strip()
        original = (repo / BPF_DOC).read_text()
        for version, edit in VERSIONS.items():
            git(repo, "checkout", "-q", "-B", f"bpf-helper-{version}", base)
            (repo / BPF_DOC).write_text(edit(right_form(original)))
            git(repo, "commit", "-q", "-a", "-m", MESSAGE,
                "--date", "2024-11-20T10:00:00+00:00")
            prefix = "PATCH bpf-next" if version == "v1" else f"PATCH bpf-next {version}"
            out = HERE / f"bpf-helper-{version}.patch"
            out.write_text(git(repo, "format-patch", "-1", "--stdout", f"--subject-prefix={prefix}"))
            print(out)


if __name__ == "__main__":
    main()
