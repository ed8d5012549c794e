"""Whether a kernel tree is around a directory, found by looking at the file system only.

`check` asks on every run; outside a kernel tree the answer is no, and then neither git nor the
git runner (`tree`, `processes`, `subprocess`: some 2 ms of a one-patch run) is needed.
"""

from __future__ import annotations

import os


def nearest_holding(start: str, name: str) -> str | None:
    """The nearest directory at or above start that holds `name`, found without starting git."""
    path = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(path, name)):
            return path
        parent = os.path.dirname(path)
        if parent == path:
            return None
        path = parent


def maintainers_above(start: str) -> bool:
    """Whether start or a directory above it holds a MAINTAINERS file."""
    return nearest_holding(start, "MAINTAINERS") is not None
