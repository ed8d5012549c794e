"""patchflow.kept_parses: a tree's MAINTAINERS and a spelling.txt parse kept between runs answer as a
fresh parse does, and are used only while the file is unchanged."""

import os
import random
import re
import subprocess
import sys
from pathlib import Path

from patchflow.maintainers import Maintainers
from patchflow.maintainers_store import load
from patchflow.tree import KernelTree

PATCH = Path(__file__).parent / "patches" / "clean-bpf-fix.patch"
# paths of every rule of the pattern language (tests/test_maintainers.py), and some no entry names
RULE_PATHS = ("Makefile", "x", "net/bluetooth/a.c", "drivers/net/netkit.c", "drivers/edac/altera_edac.c",
              "arch/x86/net/bpf_jit_comp.c", "include/net/mac80211.h", "arch/arm/boot/dts/allwinner/sun8i-h3.dtsi")
SMALL = """\
BPF [CORE]
M:\tAlexei Starovoitov <ast@kernel.org>
L:\tbpf@vger.kernel.org
F:\tkernel/bpf/

NETWORKING [GENERAL]
M:\tJakub Kicinski <kuba@kernel.org>
F:\tnet/
X:\tnet/bluetooth/
N:\tnetdev
"""


def answers(maintainers, paths):
    return [([entry.title for entry in maintainers.entries_for(path)], maintainers.lists_for(path),
             maintainers.tagged_trees_for(path)) for path in paths]


def sample_paths(kernel_tree):
    listed = subprocess.run(["git", "ls-files"], cwd=kernel_tree, capture_output=True, text=True,
                            check=True, timeout=60).stdout.split()
    return random.Random(2).sample(listed, min(len(listed), 300)) + list(RULE_PATHS)


def test_a_kept_parse_answers_as_a_fresh_one(kernel_tree, monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh = Maintainers.parse((kernel_tree / "MAINTAINERS").read_text(), root=str(kernel_tree))
    first = KernelTree(str(kernel_tree)).maintainers()  # parses, and keeps the parse
    assert list((tmp_path / "patchflow" / "maintainers").glob("*.marshal"))
    kept = KernelTree(str(kernel_tree)).maintainers()
    assert kept._stored is not None  # read from the store, entries built on demand
    paths = sample_paths(kernel_tree)
    assert answers(kept, paths) == answers(fresh, paths) == answers(first, paths)
    assert [(e.title, e.line, e.ordered) for e in kept.entries] == [(e.title, e.line, e.ordered)
                                                                     for e in fresh.entries]
    recipients = kept.recipients(["kernel/bpf/syscall.c", "net/core/dev.c"], ["+\tbpf_prog_run(x);\n"])
    assert recipients == fresh.recipients(["kernel/bpf/syscall.c", "net/core/dev.c"], ["+\tbpf_prog_run(x);\n"])


def test_an_edited_maintainers_is_parsed_again(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tree = tmp_path / "tree"
    tree.mkdir()
    maintainers_file = tree / "MAINTAINERS"
    maintainers_file.write_text(SMALL)
    assert answers(load(str(tree), KernelTree(str(tree)).read_text), ["net/core/dev.c"])[0][0] == [
        "NETWORKING [GENERAL]"]
    assert load(str(tree), KernelTree(str(tree)).read_text)._stored is not None
    # the same size, another owner: a checkout of another branch
    maintainers_file.write_text(SMALL.replace("F:\tnet/\n", "F:\tnfs/\n"))
    assert len(maintainers_file.read_text()) == len(SMALL)
    edited = load(str(tree), KernelTree(str(tree)).read_text)
    assert edited._stored is None
    assert answers(edited, ["net/core/dev.c", "nfs/x.c"]) == [([], [], []), (["NETWORKING [GENERAL]"], [], [])]
    os.unlink(maintainers_file)
    assert load(str(tree), KernelTree(str(tree)).read_text) is None


def test_a_bad_store_file_is_parsed_over(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "MAINTAINERS").write_text(SMALL)
    load(str(tree), KernelTree(str(tree)).read_text)
    (store,) = (tmp_path / "cache" / "patchflow" / "maintainers").glob("*.marshal")
    for content in (b"", b"\x00\xffnot marshal", store.read_bytes()[:100], b"i\x05\x00\x00\x00"):
        store.write_bytes(content)
        got = load(str(tree), KernelTree(str(tree)).read_text)
        assert answers(got, ["kernel/bpf/core.c", "net/core/dev.c"]) == [
            (["BPF [CORE]"], ["bpf@vger.kernel.org"], []), (["NETWORKING [GENERAL]"], [], [])]


def test_check_inside_a_tree_says_the_same_with_the_store(kernel_tree, tmp_path):
    def check(cache):
        env = dict(os.environ, XDG_CACHE_HOME=str(cache))
        proc = subprocess.run([sys.executable, "-m", "patchflow", "check", "--strict", "--terse", str(PATCH)],
                              cwd=kernel_tree / "kernel", capture_output=True, text=True, timeout=120, env=env)
        return proc.returncode, proc.stdout, proc.stderr

    cold = check(tmp_path / "cache")
    warm = check(tmp_path / "cache")
    assert cold == warm and not re.search(r"Traceback|Error", cold[2])
    assert list((tmp_path / "cache" / "patchflow" / "maintainers").glob("*.marshal"))


def test_two_packed_shapes_keep_a_store_each(monkeypatch, tmp_path):
    """Two patchflow versions that pack a parse differently (an install and a checkout), run in
    turns, each read their own store rather than parsing again after the other ran."""
    from patchflow.kept_parses import kept

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    source = tmp_path / "list.txt"
    source.write_text("a\nb\n")
    parses = []

    def keep(version):
        def parse():
            parses.append(version)
            return source.read_text().split()
        return kept("words", version, str(source), parse, lambda words: [version, *words], lambda packed: packed)

    assert [keep(1), keep(2)] == [["a", "b"], ["a", "b"]]
    assert [keep(1), keep(2), keep(1)] == [[1, "a", "b"], [2, "a", "b"], [1, "a", "b"]]
    assert parses == [1, 2]


def test_only_the_last_trees_stores_are_kept(monkeypatch, tmp_path):
    from patchflow import kept_parses

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for number in range(kept_parses.KEPT + 3):
        tree = tmp_path / f"tree{number}"
        tree.mkdir()
        (tree / "MAINTAINERS").write_text(SMALL)
        load(str(tree), KernelTree(str(tree)).read_text)
    stores = list((tmp_path / "cache" / "patchflow" / "maintainers").glob("*.marshal"))
    assert len(stores) == kept_parses.KEPT
    newest = tmp_path / f"tree{kept_parses.KEPT + 2}"
    assert load(str(newest), KernelTree(str(newest)).read_text)._stored is not None


def test_no_store_when_asked(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("PATCHFLOW_NO_START_CACHE", "1")
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "MAINTAINERS").write_text(SMALL)
    for _ in range(2):
        got = load(str(tree), KernelTree(str(tree)).read_text)
        assert got._stored is None and [e.title for e in got.entries_for("kernel/bpf/core.c")] == ["BPF [CORE]"]
    assert not (tmp_path / "cache").exists()


def test_a_kept_spelling_list_is_the_parsed_one_and_follows_edits(monkeypatch, tmp_path):
    from patchflow.checks.spelling import _SHIPPED, Misspellings, _kept_list

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    text = Path(_SHIPPED).read_text()
    fresh = Misspellings.parse(text)
    for _ in range(2):  # parsed and kept, then read from the store
        got = _kept_list(_SHIPPED, lambda: text)
        assert (got.fixes, got.phrases, got.first_words) == (fresh.fixes, fresh.phrases, fresh.first_words)
        assert got.find("Teh value was recieved") == [(0, "Teh"), (14, "recieved")]
    assert list((tmp_path / "cache" / "patchflow" / "spelling").glob("*.marshal"))
    edited = tmp_path / "spelling.txt"
    edited.write_text("abandonned||abandoned\n")
    assert _kept_list(str(edited), edited.read_text).fixes == {"abandonned": "abandoned"}
    edited.write_text("recieved||received\n")  # the same size: another list
    assert _kept_list(str(edited), edited.read_text).fixes == {"recieved": "received"}
    assert _kept_list(str(tmp_path / "none.txt"), lambda: None) is None
