"""MAINTAINERS matching, compared with what the kernel's own scripts/get_maintainer.pl prints.

get_maintainer.pl orders entries of equal rank in Perl's hash order, which changes from run to run;
the comparison therefore asks for the same addresses, each in the same rank group, and the groups
in the same order.
"""

import os
import subprocess

import pytest

from patchflow.maintainers import Maintainers, format_address

AREAS = ("kernel/bpf", "tools/lib/bpf", "net/core", "scripts/bpf_doc.py")

# Paths that exercise each rule of the pattern language on the real MAINTAINERS (created as empty
# files in a clone, since get_maintainer.pl -f wants files that exist).
RULE_PATHS = (
    "drivers/edac/altera_edac.c",  # a character class: F: drivers/edac/altera_edac.[ch]
    "arch/x86/net/bpf_jit_comp.c",  # F: arch/*/net/* with its fixed depth
    "arch/x86/net/sub/deeper.c",  # ... which it does not reach
    "net/bluetooth/af_bluetooth.c",  # X: net/bluetooth/ in NETWORKING [GENERAL]
    "include/net/mac80211.h",  # X: of a single file
    "arch/arm/boot/dts/allwinner/sun8i-h3.dtsi",  # N: sun[x456789]i
    "drivers/net/netkit.c",  # two entries, BPF [NETKIT] and NETWORKING DRIVERS
    "Makefile",  # only THE REST (F: *)
)


def get_maintainer(tree, path):
    # --no-git-fallback: without it, files no pattern names exactly also get last year's committers
    proc = subprocess.run(["perl", "scripts/get_maintainer.pl", "--no-git", "--no-git-fallback", "--no-rolestats",
                           "-f", path], cwd=tree, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [line.strip() for line in proc.stdout.splitlines() if line.strip()]


def ranks(maintainers, path):
    """Each address's rank for path: the rank of the most specific entry that names it."""
    rank = {}
    for entry in maintainers.entries_for(path):
        depth = entry.match_depth(path, maintainers.directories)
        for key, value in entry.ordered:
            if key in ("M", "R"):
                address = format_address(value)[1].lower()
            elif key == "L":
                address = value.split()[0].lower()
            else:
                continue
            rank.setdefault(address, depth)
    return rank


def address(line):
    return format_address(line)[1].lower() or line.lower()


def assert_same_as_get_maintainer(maintainers, tree, path):
    theirs = get_maintainer(tree, path)
    recipients = maintainers.recipients([path])
    ours = recipients.addresses()
    assert sorted(map(str.lower, ours)) == sorted(map(str.lower, theirs)), path
    rank = ranks(maintainers, path)
    # people first, then lists; within each, ranks never go up, in their output and in ours
    list_addresses = {lst.lower() for lst in recipients.lists}
    for sequence in (theirs, ours):
        kinds = [address(line) in list_addresses for line in sequence]
        assert kinds == sorted(kinds), (path, sequence)
        for is_list in (False, True):
            group = [rank[address(line)] for line, kind in zip(sequence, kinds) if kind == is_list]
            assert group == sorted(group, reverse=True), (path, sequence)
    assert len(ours) == len(theirs)
    for mine, their in zip(ours, theirs):
        assert rank[address(mine)] == rank[address(their)], (path, ours, theirs)


def tree_files(tree):
    out = subprocess.run(["git", "ls-files", *AREAS], cwd=tree, capture_output=True, text=True,
                         check=True).stdout
    return out.split()


def test_every_file_of_the_bpf_and_net_core_areas_matches_get_maintainer(kernel_tree):
    maintainers = Maintainers.parse((kernel_tree / "MAINTAINERS").read_text(), root=str(kernel_tree))
    files = tree_files(kernel_tree)
    assert len(files) > 150
    assert any(f.startswith("kernel/bpf/") for f in files) and "scripts/bpf_doc.py" in files
    for path in files:
        assert_same_as_get_maintainer(maintainers, kernel_tree, path)


def test_pattern_rules_match_get_maintainer(kernel_clone):
    for path in RULE_PATHS:
        full = kernel_clone / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.touch()
    maintainers = Maintainers.parse((kernel_clone / "MAINTAINERS").read_text(), root=str(kernel_clone))
    for path in RULE_PATHS:
        assert_same_as_get_maintainer(maintainers, kernel_clone, path)


@pytest.fixture(scope="module")
def real(kernel_tree):
    return Maintainers.parse((kernel_tree / "MAINTAINERS").read_text(), root=str(kernel_tree))


def titles(maintainers, path):
    return [entry.title for entry in maintainers.entries_for(path)]


def test_most_specific_entry_comes_first(real):
    assert titles(real, "tools/lib/bpf/libbpf.c")[:2] == ["BPF [LIBRARY] (libbpf)",
                                                          "BPF [GENERAL] (Safe Dynamic Programs and Tools)"]
    assert titles(real, "tools/lib/bpf/libbpf.c")[-1] == "THE REST"


def test_character_class_and_fixed_depth(real):
    assert "ARM/SOCFPGA EDAC SUPPORT" in titles(real, "drivers/edac/altera_edac.h")
    general = "BPF [GENERAL] (Safe Dynamic Programs and Tools)"
    assert general in titles(real, "arch/x86/net/bpf_jit_comp.c")
    assert general not in titles(real, "arch/x86/net/sub/deeper.c")


def test_exclusion_and_regex(real):
    assert "NETWORKING [GENERAL]" in titles(real, "net/ipv4/tcp.c")
    assert "NETWORKING [GENERAL]" not in titles(real, "net/bluetooth/af_bluetooth.c")
    assert any("Allwinner" in title for title in titles(real, "arch/arm/boot/dts/allwinner/sun8i-h3.dtsi"))


def test_recipients_split_maintainers_reviewers_lists(real):
    recipients = real.recipients(["tools/lib/bpf/libbpf.c"])
    assert recipients.maintainers[:2] == ["Andrii Nakryiko <andrii@kernel.org>", "Eduard Zingerman <eddyz87@gmail.com>"]
    assert "Alexei Starovoitov <ast@kernel.org>" in recipients.maintainers
    assert "Song Liu <song@kernel.org>" in recipients.reviewers
    assert recipients.lists == ["bpf@vger.kernel.org", "linux-kernel@vger.kernel.org"]
    assert not any("torvalds" in person for person in recipients.addresses())
    # a name with a dot is quoted, as in a mail header
    assert '"David S. Miller" <davem@davemloft.net>' in real.recipients(["net/core/dev.c"]).maintainers


def test_directory_named_without_slash(tmp_path):
    (tmp_path / "drivers" / "foo").mkdir(parents=True)
    text = "FOO DRIVER\nM:\tA Person <a@example.org>\nS:\tMaintained\nF:\tdrivers/foo\n"
    with_tree = Maintainers.parse(text, root=str(tmp_path))
    without = Maintainers.parse(text)
    assert with_tree.entries_for("drivers/foo/sub/x.c")
    assert not without.entries_for("drivers/foo/sub/x.c")
    assert os.path.isdir(tmp_path / "drivers" / "foo")


def test_keywords_are_searched_in_the_message_and_in_changed_lines_only(real):
    patch = """Subject: [PATCH net-next] net: core: reword a comment

Nothing about the fast path here.
---
 net/core/dev.c | 2 +-

diff --git a/net/core/dev.c b/net/core/dev.c
--- a/net/core/dev.c
+++ b/net/core/dev.c
@@ -1,3 +1,3 @@
 static int xdp_context_line;
-/* old */
+/* new */
"""
    assert [e.title for e in real.keyword_entries([patch])] == []
    assert [e.title for e in real.keyword_entries([patch.replace("+/* new */", "+/* new xdp */")])] == [
        "XDP (eXpress Data Path)"]
    assert [e.title for e in real.keyword_entries([patch.replace("fast path", "XDP_PASS and xdp path")])] == [
        "XDP (eXpress Data Path)"]


def test_index_gives_the_entries_of_matching_every_entry(real):
    """entries_for() matches only the entries the index names for a path (an F: pattern's literal
    start in one of its directories, an N: regex found in it): on paths made from the file's own F:,
    X: and N: patterns, the answer is the one of trying every entry, parsed or read from the store."""
    import marshal
    import random
    import re

    def rank(entry, path):  # the rule, pattern by pattern: no X: matches, the last F:/N: that matches
        if any(p.kind == "X" and p.matches(path, real.directories) for p in entry.patterns):
            return None
        return ([None] + [p.depth for p in entry.patterns if p.kind != "X" and p.matches(path, real.directories)])[-1]

    def every_entry(path):
        scored = []
        for order, entry in enumerate(real.entries):
            depth = rank(entry, path)
            assert entry.match_depth(path, real.directories) == depth, (entry.title, path)
            if depth is not None:
                scored.append((-depth, sum(1 for p in entry.patterns if p.kind != "X"), order, entry.title))
        return [item[3] for item in sorted(scored)]

    def made_from(value):
        return re.sub(r"\[([^\]]*)\]", lambda m: m.group(1)[:1] or "a", value).replace("*", "a").replace("?", "b")

    paths, named = set(), set()
    for entry in real.entries:
        for key, value in entry.ordered:
            if key in ("F", "X") and value:
                path = made_from(value) + ("sub/x.c" if value.endswith("/") else "")
                paths.update((path, path + "/y.h"))
            elif key == "N" and value:
                word = re.sub(r"[\\()|+{}$.]", "", made_from(value))
                named.update((f"drivers/misc/{word}.c", f"arch/arm64/boot/dts/{word}/board.dts", word))
    assert len(named) > 200
    sample = random.Random(1).sample(sorted(paths), 600) + sorted(named) + ["Makefile", "README", "x"]
    kept = Maintainers.stored(*marshal.loads(marshal.dumps(real.packed())), root=real.entries[0].root)
    for path in sample:
        assert titles(real, path) == every_entry(path), path
        assert titles(kept, path) == titles(real, path), path
    assert sum(1 for path in named if every_entry(path)[:1] != ["THE REST"]) > 150  # the N: paths reach their entries
