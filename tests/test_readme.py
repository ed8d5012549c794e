"""The table of checks in docs/check.md is the registry's (`python3 tests/test_readme.py` regenerates
it), and the README stays a page a newcomer reads: at most about 250 lines, every docs/ page it links
to present (the examples themselves are run by tests/test_doc_examples.py)."""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CHECKS_PAGE = ROOT / "docs" / "check.md"
START = "<!-- checks-table:start (python3 tests/test_readme.py regenerates it) -->\n"
END = "<!-- checks-table:end -->\n"


def current_table(text: str) -> str:
    if START not in text or END not in text:
        raise AssertionError(f"docs/check.md lacks the {START.strip()} ... {END.strip()} markers under ## Checks")
    return text.split(START, 1)[1].split(END, 1)[0]


def test_the_checks_table_is_the_registry():
    from patchflow.commands.explain import render_markdown

    assert current_table(CHECKS_PAGE.read_text()) == render_markdown(), \
        "docs/check.md's table of checks is out of date: run python3 tests/test_readme.py"


def test_the_checks_table_sits_in_the_checks_section():
    text = CHECKS_PAGE.read_text()
    section = text.split("\n## Checks\n", 1)[1].split("\n## ", 1)[0]
    assert START in section and END in section


def test_the_readme_is_short():
    assert len(README.read_text().splitlines()) <= 250


def test_the_readme_names_no_cache_path_in_a_command():
    """Commands name trees (`--tree debian-6.12`), never the cache, which moves with $XDG_CACHE_HOME."""
    for page in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        commands = [line for line in page.read_text().splitlines() if line.startswith("$ patchflow ")]
        assert not [line for line in commands if ".cache/patchflow" in line], page


def test_the_links_of_my_pages_lead_somewhere():
    """Links from the README and the pages of this branch to files of the repository exist (other
    pages of docs/ are written elsewhere and linked here before they land)."""
    elsewhere = {"house-rules.md", "checkpatch.md", "input.md", "fix.md", "regen.md", "maintainer.md", "design.md"}
    for page in [README, *(ROOT / "docs" / name for name in ("check.md", "format.md", "status.md",
                                                            "robustness.md", "performance.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)\)", page.read_text()):
            path = (page.parent / target).resolve()
            assert path.exists() or path.name in elsewhere, f"{page.name} links to {target}, which is missing"


def regenerate() -> None:
    """Rewrite the table between the markers from the registry (atomically)."""
    sys.path.insert(0, str(ROOT / "src"))
    from patchflow.commands.explain import render_markdown

    text = CHECKS_PAGE.read_text()
    current_table(text)
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    fd, tmp = tempfile.mkstemp(dir=CHECKS_PAGE.parent, prefix=".check.md.")
    with os.fdopen(fd, "w") as handle:
        handle.write(head + START + render_markdown() + END + tail)
    os.replace(tmp, CHECKS_PAGE)
    print(f"{CHECKS_PAGE}: table of checks regenerated")


if __name__ == "__main__":
    regenerate()
