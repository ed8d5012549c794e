"""Every `$ patchflow ...` example in README.md and docs/*.md is run, and its output must be what the
page shows.

How a page writes an example (a fenced block holding at least one `$ patchflow` line):

- `$ COMMAND` lines run in one bash session per block (so `cd`, `export` and files carry over from one
  command to the next), `patchflow` being this checkout's `python3 -m patchflow`; a line ending in `\\`
  continues on the next. Every line up to the next `$ ` line is the output the command must print,
  stdout and stderr together, in order.
- `...` alone on a line stands for any number of lines (a long report cut short, a Date: header), and
  `HH:MM:SS` in a line for any time of day.
- `(exit status N)` alone on a line: the command must end with status N (else any status is fine).
- The cached 6.12 tree is written `~/.cache/patchflow/linux-6.12-subset` whatever $XDG_CACHE_HOME is.
- `<!-- example: NAME -->` on the line before the block names the scene it runs in (SCENES below):
  by default the repository's top directory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCUMENTED_TREE = "~/.cache/patchflow/linux-6.12-subset"
SEPARATOR = "\x1epatchflow-example-status"
GUARD = 600  # seconds: a guard against a hang, not a time limit


class Example:
    def __init__(self, page: Path, line: int, scene: str):
        self.page, self.line, self.scene = page, line, scene
        self.commands = []  # (command, expected lines, exit status or None)

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def parse_page(page: Path):
    lines = page.read_text().split("\n")
    examples, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("```"):
            i += 1
            continue
        start, i = i, i + 1
        body = []
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        if not any(line.startswith("$ patchflow ") for line in body):
            continue
        before = next((lines[j] for j in range(start - 1, -1, -1) if lines[j].strip()), "")
        scene = re.fullmatch(r"<!-- example: ([\w-]+) -->", before.strip())
        example = Example(page, start + 1, scene.group(1) if scene else "repo")
        _parse_block(example, body)
        examples.append(example)
    return examples


def _parse_block(example: Example, body) -> None:
    current = None
    continued = False
    for line in body:
        if continued:
            current[0] += "\n" + line
            continued = line.endswith("\\")
        elif line.startswith("$ "):
            current = [line[2:], [], None]
            example.commands.append(current)
            continued = line.endswith("\\")
        elif current is not None:
            status = re.fullmatch(r"\(exit status (\d+)\)", line)
            if status:
                current[2] = int(status.group(1))
            else:
                current[1].append(line)
    for command in example.commands:
        while command[1] and not command[1][-1].strip():
            command[1].pop()


def matches(expected, actual) -> bool:
    """`...` in expected stands for any run of lines."""
    if not expected:
        return not actual
    if expected[0] == "...":
        return any(matches(expected[1:], actual[at:]) for at in range(len(actual) + 1))
    return bool(actual) and same_line(expected[0], actual[0]) and matches(expected[1:], actual[1:])


def same_line(expected: str, actual: str) -> bool:
    if "HH:MM:SS" not in expected:
        return expected == actual
    pattern = r"\d\d:\d\d:\d\d".join(re.escape(part) for part in expected.split("HH:MM:SS"))
    return re.fullmatch(pattern, actual) is not None


# --- the scenes ------------------------------------------------------------------------------------

def git(cwd, *args, env=None):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, timeout=GUARD,
                   env=dict(os.environ, **(env or {})))


def commit(repo, path, old, new, subject, body, date):
    full = repo / path
    text = full.read_text()
    assert text.count(old) == 1, (path, old)
    full.write_text(text.replace(old, new))
    dates = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    git(repo, "commit", "-q", "-s", "-a", "-m", subject, *(["-m", body] if body else []), env=dates)


def scene_repo(kernel_tree, tmp_path):
    return ROOT, {}


def scene_topic(kernel_tree, tmp_path):
    """A clone of the 6.12 tree with branch bpf-doc-banner (two commits, a description) and branch
    mixed (those and a net/core/dev.c commit with a long subject and no body); ../changes-v2.txt."""
    repo = tmp_path / "linux"
    git(tmp_path, "clone", "-q", str(kernel_tree), str(repo))
    git(repo, "config", "user.name", "Jane Developer")
    git(repo, "config", "user.email", "jane@example.org")
    git(repo, "checkout", "-q", "-b", "bpf-doc-banner")
    commit(repo, "scripts/bpf_doc.py", "/* This is auto-generated file. See bpf_doc.py for details. */",
           "/* This is an auto-generated file. See bpf_doc.py for details. */",
           "bpf_doc: add the missing article to the generated header's banner",
           "The banner bpf_doc.py writes at the top of bpf_helper_defs.h lacks an\narticle. Add it.",
           "2026-11-29T20:50:00+00:00")
    commit(repo, "tools/lib/bpf/libbpf.c", "/* as of v1.0 libbpf_set_strict_mode() is a no-op */",
           "/* as of v1.0 libbpf_set_strict_mode() is a no-op, kept for ABI */",
           "libbpf: say why libbpf_set_strict_mode() is kept",
           "The function does nothing since v1.0; it stays for binary compatibility.\nSay so.",
           "2026-11-29T20:55:00+00:00")
    git(repo, "config", "branch.bpf-doc-banner.description",
        "bpf: two comment fixes in bpf_doc and libbpf\n\n"
        "Two small fixes found while reading the generated helper definitions.\n")
    git(repo, "checkout", "-q", "-b", "mixed")
    commit(repo, "net/core/dev.c", "/* We reserved the ifindex, this can't fail */",
           "/* The ifindex is reserved already: this cannot fail */",
           "net: core: reword the comment after the ifindex reservation so that it reads better than before",
           None, "2026-11-29T21:00:00+00:00")
    git(repo, "checkout", "-q", "bpf-doc-banner")
    # ../bpf-next: the tree moved on, its tip rewrites the comment the second commit changes
    moved = tmp_path / "bpf-next"
    git(tmp_path, "clone", "-q", str(kernel_tree), str(moved))
    git(moved, "config", "user.name", "Other Developer")
    git(moved, "config", "user.email", "other@example.org")
    commit(moved, "tools/lib/bpf/libbpf.c", "/* as of v1.0 libbpf_set_strict_mode() is a no-op */",
           "/* libbpf_set_strict_mode() does nothing since v1.0 */", "libbpf: reword a comment",
           "Say it plainly.", "2026-11-28T09:00:00+00:00")
    (tmp_path / "changes-v2.txt").write_text("- reword the libbpf comment (Andrii)\n- drop the selftests change\n")
    return repo, {}


def scene_patchwork(kernel_tree, tmp_path):
    """The recorded Patchwork server of tests/patchwork_server.py (patch 2's CI finishes at the third
    poll), at the address the pages show: the commands are given the real one."""
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "patchwork_server.py"), "0",
                               "--ci-finishes-after", "3"], stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()  # the server reports its address once it listens
    assert url.startswith("http://127.0.0.1:"), url
    config = tmp_path / "gitconfig"
    config.write_text("")
    return tmp_path, {"GIT_CONFIG_GLOBAL": str(config), "PATCHFLOW_PATCHWORK_TOKEN": None,
                      "_server": server, "_url": url}


def scene_maintainer(kernel_tree, tmp_path):
    """The maintainer-side recordings (tests/patchwork_server.py --maintainer: series mboxes, checks
    that take posts with the test token), at the address docs/maintainer.md shows."""
    server = subprocess.Popen([sys.executable, str(ROOT / "tests" / "patchwork_server.py"), "0", "--maintainer"],
                              stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()  # the server reports its address once it listens
    assert url.startswith("http://127.0.0.1:"), url
    config = tmp_path / "gitconfig"
    config.write_text("")
    # in the checkout: the page also checks one of tests/patches/
    return ROOT, {"GIT_CONFIG_GLOBAL": str(config), "PATCHFLOW_PATCHWORK_TOKEN": None,
                  "XDG_STATE_HOME": str(tmp_path / "state"), "_server": server, "_url": url,
                  "_shown_url": "http://127.0.0.1:8766"}


def scene_bad_input(kernel_tree, tmp_path):
    """Broken patches made from tests/patches/long-line.patch, in an empty directory."""
    good = (ROOT / "tests" / "patches" / "long-line.patch").read_text().split("\n")
    (tmp_path / "cut.patch").write_text("\n".join(good[:30]) + "\n")
    (tmp_path / "windows.patch").write_bytes("\n".join(good).encode("utf-16"))
    (tmp_path / "notes.txt").write_text("Remember to send the v2 on Monday.\n")
    return tmp_path, {}


SCENES = {"repo": scene_repo, "topic": scene_topic, "patchwork": scene_patchwork, "maintainer": scene_maintainer,
          "bad-input": scene_bad_input}

EXAMPLES = [example for page in PAGES if page.exists() for example in parse_page(page)]


def test_the_pages_have_examples():
    assert len([e for e in EXAMPLES if e.page.name == "README.md"]) >= 5
    assert {e.scene for e in EXAMPLES} <= set(SCENES), {e.scene for e in EXAMPLES} - set(SCENES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example(example, kernel_tree, tmp_path):
    cwd, env = SCENES[example.scene](kernel_tree, tmp_path)
    server, url = env.pop("_server", None), env.pop("_url", None)
    shown = env.pop("_shown_url", "http://127.0.0.1:8765")
    try:
        run_example(example, cwd, env, kernel_tree, url, shown)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=GUARD)


def run_example(example, cwd, env, kernel_tree, url, shown="http://127.0.0.1:8765"):
    script = [f'patchflow() {{ "{sys.executable}" -m patchflow "$@"; }}']
    for command, _, _ in example.commands:
        if url:
            command = command.replace(shown, url)
        # the separator line carries the status; `(exit ...)` gives it back to `$?` for the next command
        script.append(f"{command}\n__status=$?; printf '\\n{SEPARATOR} %d\\n' $__status; (exit $__status)")
    full_env = {key: value for key, value in os.environ.items() if key != "PATCHFLOW_PATCHWORK_TOKEN"}
    full_env.update({key: value for key, value in env.items() if value is not None})
    full_env.update(PYTHONUNBUFFERED="1", COLUMNS="100", LC_ALL="C.UTF-8", NO_COLOR="1")
    proc = subprocess.run(["bash", "--norc", "--noprofile"], input="\n".join(script) + "\n", cwd=cwd,
                          env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=GUARD)
    output = proc.stdout.replace(str(kernel_tree), os.path.expanduser(DOCUMENTED_TREE)) \
        .replace(os.path.expanduser(DOCUMENTED_TREE), DOCUMENTED_TREE)
    if url:
        output = output.replace(url, shown)
    chunks = re.split(rf"\n{SEPARATOR} (\d+)\n", output)
    assert len(chunks) == 2 * len(example.commands) + 1, f"{example.id}: the session ended early:\n{output}"
    for index, (command, expected, status) in enumerate(example.commands):
        actual = chunks[2 * index].split("\n")
        while actual and not actual[-1].strip():
            actual.pop()
        code = int(chunks[2 * index + 1])
        shown = "\n".join(actual)
        assert matches(expected, actual), f"{example.id}: $ {command}\nprinted:\n{shown}"
        if status is not None:
            assert code == status, f"{example.id}: $ {command}: exit status {code}, not {status}"


def test_matches_takes_dots_for_any_lines():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"]) and matches(["a", "..."], ["a"])
    assert not matches(["a", "...", "d"], ["a", "b"]) and not matches(["a"], ["a", "b"])
    assert matches(["[HH:MM:SS] done"], ["[20:54:18] done"]) and not matches(["[HH:MM:SS] done"], ["[20:54] done"])

