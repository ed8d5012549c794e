"""The README's table of checks is the registry's; `python3 tests/test_readme.py` regenerates it."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- checks-table:start (python3 tests/test_readme.py regenerates it) -->\n"
END = "<!-- checks-table:end -->\n"


def current_table(text: str) -> str:
    if START not in text or END not in text:
        raise AssertionError(f"README.md lacks the {START.strip()} ... {END.strip()} markers under ## Checks")
    return text.split(START, 1)[1].split(END, 1)[0]


def test_readme_checks_table_is_the_registry():
    from patchflow.commands.explain import render_markdown

    assert current_table(README.read_text()) == render_markdown(), \
        "README.md's table of checks is out of date: run python3 tests/test_readme.py"


def test_checks_table_sits_in_the_checks_section():
    text = README.read_text()
    section = text.split("\n## Checks\n", 1)[1].split("\n## ", 1)[0]
    assert START in section and END in section


def regenerate() -> None:
    """Rewrite the table between the markers from the registry (atomically)."""
    sys.path.insert(0, str(README.parent / "src"))
    from patchflow.commands.explain import render_markdown

    text = README.read_text()
    current_table(text)
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    fd, tmp = tempfile.mkstemp(dir=README.parent, prefix=".README.")
    with os.fdopen(fd, "w") as handle:
        handle.write(head + START + render_markdown() + END + tail)
    os.replace(tmp, README)
    print(f"{README}: table of checks regenerated")


if __name__ == "__main__":
    regenerate()


def readme_examples(section: str):
    """(command line, expected output lines, truncated?) of every `$ patchflow ...` in a README section."""
    text = README.read_text().split(f"\n## {section}\n", 1)[1].split("\n## ", 1)[0]
    examples = []
    for block in text.split("```")[1::2]:
        lines = block.split("\n")[1:]
        current = None
        for line in lines:
            if line.startswith("$ patchflow "):
                current = [line[2:], []]
                examples.append(current)
            elif current is not None:
                current[1].append(line)
    result = []
    for command, output in examples:
        while output and not output[-1].strip():
            output.pop()
        truncated = bool(output) and output[-1] == "..."
        result.append((command, output[:-1] if truncated else output, truncated))
    return result


def test_check_examples_in_the_readme_are_real_output():
    import shlex

    from conftest import run_patchflow

    examples = readme_examples("patchflow check")
    assert len(examples) >= 5
    for command, expected, truncated in examples:
        words = shlex.split(command)[1:]
        stdin = None
        if "<" in words:
            at = words.index("<")
            stdin = (README.parent / words[at + 1]).read_text()
            words = words[:at] + words[at + 2:]
        proc = run_patchflow(*words, cwd=README.parent, input=stdin)
        actual = proc.stdout.rstrip("\n").split("\n")
        if truncated:
            actual = actual[:len(expected)]
        assert actual == expected, command
