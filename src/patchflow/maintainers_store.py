"""A kernel tree's parsed MAINTAINERS, kept between runs (`kept_parses`).

Why: inside a kernel tree every `check` matches the changed files against MAINTAINERS, and parsing
its 25,000 lines into some 3,000 entries, then indexing them by directory, took 13 ms of a one-patch
run's 85; reading the kept parse takes 2 ms, and an entry is built only when a lookup reaches it.
"""

from __future__ import annotations

import os

from .kept_parses import kept
from .maintainers import Maintainers

FORMAT = 3  # the packed entries' shape (Maintainers.packed); 3: the index by directories (_built_index)


def load(root: str, read_text) -> Maintainers | None:
    """The tree's parsed MAINTAINERS (None when it has none): kept from an earlier run when the file
    has not changed since, else parsed from `read_text("MAINTAINERS")` and kept for the next run."""
    def parse() -> Maintainers | None:
        text = read_text("MAINTAINERS")
        return Maintainers.parse(text, root=root) if text is not None else None

    return kept("maintainers", FORMAT, os.path.join(root, "MAINTAINERS"), parse, Maintainers.packed,
                lambda packed: Maintainers.stored(*packed, root=root))
