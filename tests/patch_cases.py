"""The cases under tests/patches/: each patch or mbox NAME has NAME.expected beside it.

NAME.expected lists the findings `patchflow check --strict` must report, one `TYPE LINE` per line,
where LINE is the line in the patch file (checkpatch's #N) or `-` for a finding on no line. Lines
starting with `#` are comments; `# args: ...` gives extra options (`{kernel_tree}` stands for the
cached 6.12 tree, `{kdoc_tree}` for the same with scripts/kernel-doc, `{release_history}` for the
small repository of `release_history()`, `{prefix_history}` for that of `prefix_history()`).
"""

from __future__ import annotations

import atexit
import os
import shlex
import shutil
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import List, Optional, Tuple

PATCHES = Path(__file__).parent / "patches"
SUFFIXES = (".patch", ".mbox")


def case_files() -> List[Path]:
    return sorted(p for p in PATCHES.iterdir() if p.suffix in SUFFIXES)


def expected_path(case: Path) -> Path:
    return case.with_name(case.name + ".expected")


# The fixed names, dates and empty configuration of the small histories below: git ids hash content,
# names and dates only, so their ids are the same on every machine (the cached 6.12 tree's id is not:
# it changes with Debian's linux-source package), and tests and docs may quote them.
_FIXED_GIT = dict(GIT_AUTHOR_NAME="Ada Lovelace", GIT_AUTHOR_EMAIL="ada@example.org",
                  GIT_AUTHOR_DATE="2024-09-01T12:00:00+00:00", GIT_COMMITTER_NAME="Ada Lovelace",
                  GIT_COMMITTER_EMAIL="ada@example.org", GIT_COMMITTER_DATE="2024-09-01T12:00:00+00:00",
                  GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")


def fixed_history(name: str, commits, tag_after: int = 0, tag: Tuple[str, ...] = ()) -> Path:
    """A repository made of `commits` ((path, content, subject), oldest first), removed at exit;
    `git tag TAG...` runs after commit number `tag_after` when `tag` is given."""
    repo = Path(tempfile.mkdtemp(prefix=f"patchflow-{name}-"))
    atexit.register(shutil.rmtree, repo, True)
    env = dict(os.environ, **_FIXED_GIT)

    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True,
                              timeout=60).stdout

    git("init", "-q")
    for n, (path, content, subject) in enumerate(commits):
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        (repo / path).write_text(content)
        git("add", "-A")
        git("commit", "-q", "-m", subject)
        if tag and n == tag_after:
            git("tag", *tag)
    return repo


# The commit of release_history()
RELEASED_COMMIT = "661541cfa6fd1522b1c38aa62bbc629bde807310"
RELEASED_SUBJECT = "net: sock: add the timestamp ioctls"


@lru_cache(maxsize=None)
def release_history() -> Path:
    """A git repository of two commits, RELEASED_SUBJECT tagged v6.12 and one after it: a history in
    which a `Fixes:` tag names a released commit by a fixed id (TREE_SELECTION's cases). The second
    makes it a history: in a tree of one commit an id it lacks is not called unknown."""
    declaration = "int sock_gettstamp(struct socket *sock, void __user *userstamp,\n\t\t   bool timeval, bool time32);\n"
    repo = fixed_history("release-history", [
        ("net/core/sock.c", declaration, RELEASED_SUBJECT),
        ("net/core/sock.c", "/* the SIOCGSTAMP ioctls */\n" + declaration, "net: sock: say what sock_gettstamp() serves"),
    ], tag=("v6.12",))
    head = subprocess.run(["git", "rev-parse", "v6.12^{commit}"], cwd=repo, check=True, capture_output=True,
                          text=True, timeout=60).stdout.strip()
    assert head == RELEASED_COMMIT, f"release_history() made {head}, not {RELEASED_COMMIT}"
    return repo


def kdoc_tree() -> str:
    """The cached 6.12 subset plus the tree's own scripts/kernel-doc, which KDOC_NEW_WARNING runs
    (built once from the same Debian tarball, beside the subset)."""
    from patchflow.kernel_source import SUBSET, build_tree, cache_dir

    return build_tree(os.path.join(cache_dir(), "linux-6.12-kdoc"), paths=SUBSET + ("scripts/kernel-doc",))


@lru_cache(maxsize=None)
def prefix_history() -> Path:
    """A git repository whose three commits touch tools/testing/selftests/bpf/test_maps.c, each
    titled `selftests/bpf: ...`: the history SUMMARY_PREFIX learns a file's prefix from."""
    titles = ("selftests/bpf: Add test_maps", "selftests/bpf: Test hash maps", "selftests/bpf: Test array maps")
    return fixed_history("prefix-history", [
        ("tools/testing/selftests/bpf/test_maps.c", "".join(f"/* step {k} */\n" for k in range(n + 1)), title)
        for n, title in enumerate(titles)])


@lru_cache(maxsize=None)
def cut_history() -> Path:
    """A history cut at a release, as a release's tarball put into git and patched on is: its first
    commit holds a kernel tree (MAINTAINERS at its top; the kernel's own first commit is not in it),
    then one commit follows. The commits from before the cut are not in it (VERIFY_FIXES)."""
    return fixed_history("cut-history", [
        ("MAINTAINERS", "NETWORKING [GENERAL]\nL:\tnetdev@vger.kernel.org\nF:\tnet/\n", "Linux 6.12"),
        ("net/core/sock.c", "int sock_gettstamp(void);\n", CUT_HISTORY_SUBJECT)])


CUT_HISTORY_SUBJECT = "net: sock: keep the size of the send buffer"


# (path, content, subject) of doc_history()'s commits, oldest first; the first is tagged v6.12
DOC_COMMITS = (
    ("net/core/example.c", "int example_open(void);\n", "net: Add the example socket"),
    ("tools/testing/selftests/bpf/test_maps.c", "/* step 0 */\n", "selftests/bpf: Add test_maps"),
    ("tools/testing/selftests/bpf/test_maps.c", "/* step 1 */\n", "selftests/bpf: Test hash maps"),
    ("tools/testing/selftests/bpf/test_maps.c", "/* step 2 */\n", "selftests/bpf: Test array maps"),
    ("net/core/example.c", "int example_open(void);\nint example_close(void);\n", "net: Close the example socket"),
)


@lru_cache(maxsize=None)
def doc_history() -> Path:
    """The small repository check docs' examples name with `tree=history` (checks/_doc.py TREE_HISTORY):
    DOC_COMMITS, the first released (annotated tag v6.12), the others in no release. Fixed names,
    dates and an empty git configuration make its ids the same on every machine, so a doc quotes them."""
    return fixed_history("doc-history", DOC_COMMITS, tag_after=0, tag=("-a", "-m", "Linux 6.12", "v6.12"))


def read_expected(case: Path, kernel_tree: Optional[Path] = None) -> Tuple[List[str], List[Tuple[str, Optional[int]]]]:
    """(extra command-line arguments, [(type, patch line or None)]) of a case."""
    path = expected_path(case)
    if not path.exists():
        raise AssertionError(f"{case.name} has no {path.name}: every test patch lists its expected findings")
    args: List[str] = []
    findings = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("# args:"):
                for arg in shlex.split(line[len("# args:"):]):
                    if "{release_history}" in arg:
                        arg = arg.replace("{release_history}", str(release_history()))
                    if "{kdoc_tree}" in arg:
                        arg = arg.replace("{kdoc_tree}", kdoc_tree())
                    if "{prefix_history}" in arg:
                        arg = arg.replace("{prefix_history}", str(prefix_history()))
                    args.append(arg.replace("{kernel_tree}", str(kernel_tree)))
            continue
        type_name, where = line.split()
        findings.append((type_name, None if where == "-" else int(where)))
    return args, findings
