"""The subsystem profile layer: which documents govern a file (read from the 6.12 MAINTAINERS), the
level each house rule takes from them, and what `patchflow explain` says of them."""

from __future__ import annotations

import re

import pytest

from conftest import patch_path

from patchflow.checks import CheckContext, Options
from patchflow.patch import Series
from patchflow.profiles import BPF, HOUSE_RULES, KVM_X86, NETDEV, PROFILES, TIP, file_profiles, governing


@pytest.fixture(autouse=True)
def outside_any_tree(tmp_path, monkeypatch):
    """Run from a directory that is no kernel tree, so only --tree gives one."""
    monkeypatch.chdir(tmp_path)


def profiles_of(kernel_tree, path):
    return set(file_profiles(path, CheckContext(Options(tree=str(kernel_tree)), Series([]))))


@pytest.mark.parametrize("path,expected", [
    ("net/core/sock.c", {NETDEV}),  # NETWORKING [GENERAL]: L: netdev@, P: maintainer-netdev.rst
    ("drivers/net/ethernet/intel/ice/ice_main.c", {NETDEV}),  # NETWORKING DRIVERS
    ("net/mptcp/protocol.c", {NETDEV}),  # its T: trees are on GitHub; L: netdev@ all the same
    ("kernel/bpf/syscall.c", {BPF}),  # bpf@ only
    ("tools/testing/selftests/bpf/test_maps.c", {BPF}),
    ("net/core/filter.c", {NETDEV, BPF}),
    ("arch/x86/kvm/x86.c", {KVM_X86, TIP}),  # P: maintainer-kvm-x86.rst, and X86 ARCHITECTURE's T: tip
    ("kernel/sched/core.c", {TIP}),  # SCHEDULER: T: .../tip/tip.git sched/core
    ("fs/open.c", set()),
])
def test_profiles_come_from_maintainers(kernel_tree, path, expected):
    assert profiles_of(kernel_tree, path) == expected


def test_a_required_rule_outranks_a_preference_and_a_habit():
    assert governing("REVERSE_XMAS_TREE", {NETDEV, BPF}).level == "WARNING"
    assert governing("REVERSE_XMAS_TREE", {BPF}).habit
    assert governing("REVERSE_XMAS_TREE", {KVM_X86, TIP}).profile == KVM_X86
    assert governing("REVERSE_XMAS_TREE", set()) is None
    assert governing("SERIES_TOO_LONG", {BPF}) is None  # the limit of 15 is netdev's
    assert governing("COVER_LETTER_MISSING", {NETDEV}) is None  # 6.12's netdev document asks for none


@pytest.mark.parametrize("rule", sorted(HOUSE_RULES))
def test_every_statement_is_the_documents_own_sentence(rule, kernel_tree):
    """The quoted sentence is in the 6.12 document, word for word (the tree's Documentation/)."""
    from pathlib import Path

    root = Path(kernel_tree)
    for statement in HOUSE_RULES[rule]:
        if statement.habit:
            continue
        path = root / statement.document
        if not path.exists():
            pytest.skip(f"{statement.document} is not in the cached tree")
        text = " ".join(path.read_text().split())
        assert " ".join(statement.quote.split()) in text, (rule, statement.document)


@pytest.mark.parametrize("rule", sorted(HOUSE_RULES) + ["SUMMARY_PREFIX"])
def test_explain_names_the_documents_and_quotes_them(run_cli, rule):
    """`patchflow explain` names each document that states the rule and quotes its sentence, the
    one the profile layer holds (and test_every_statement_is_the_documents_own_sentence finds)."""
    status, out, _ = run_cli("explain", rule)
    assert status == 0
    text = " ".join(out.split())
    for statement in HOUSE_RULES.get(rule, ()):
        if not statement.habit:
            assert statement.document in out, (rule, statement.document)
            assert " ".join(statement.quote.split()) in text, (rule, statement.quote)
    if rule == "SUMMARY_PREFIX":
        assert "Documentation/process/submitting-patches.rst" in out


def terse(run_cli, *args):
    status, out, err = run_cli("check", "--terse", *args)
    # the only thing said on stderr: that the test suite's 6.12 subset, one commit, has no history
    # to look the Fixes: ids up in
    assert err == "" or (err.count("\n") == 1 and err.startswith(
        "patchflow: note: the tree holds one commit and no history: commit ids it lacks were not reported")), err
    return status, [line.split(": ", 1)[1] for line in out.splitlines() if re.search(r":\d+: [A-Z]+:", line)]


def test_bpf_only_file_is_a_check_saying_it_is_a_habit(run_cli, kernel_tree):
    case = patch_path("xmas-bpf-habit.patch")
    assert terse(run_cli, "--tree", kernel_tree, case) == (0, [])  # a CHECK: only with --strict
    _, found = terse(run_cli, "--strict", "--tree", kernel_tree, "--types", "REVERSE_XMAS_TREE", case)
    assert found == ["CHECK:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (33 columns) should come before "
                     "line 1602 'int ufd = attr->map_fd;' (31 columns) (bpf reviewers' habit; bpf_devel_QA.rst "
                     "does not state it)"]


def test_kvm_x86_prefers_the_order(run_cli, kernel_tree):
    _, found = terse(run_cli, "--strict", "--tree", kernel_tree, "--types", "REVERSE_XMAS_TREE",
                     patch_path("xmas-kvm-preferred.patch"))
    assert found == ["CHECK:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (44 columns) should come before "
                     "line 11402 'int r;' (14 columns) (preferred by maintainer-kvm-x86.rst)"]


def test_no_document_no_finding_unless_asked(run_cli, kernel_tree):
    case = patch_path("xmas-no-profile.patch")
    assert terse(run_cli, "--strict", "--tree", kernel_tree, "--types", "REVERSE_XMAS_TREE", case) == (0, [])
    status, found = terse(run_cli, "--strict", "--tree", kernel_tree, "--types", "REVERSE_XMAS_TREE",
                          "--xmas-tree", "always", case)
    assert status == 1 and found == [
        "WARNING:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (30 columns) should come before line 41 "
        "'int ret;' (16 columns)"]


def test_netdev_file_is_a_warning(run_cli):
    _, found = terse(run_cli, "--types", "REVERSE_XMAS_TREE", patch_path("xmas-moved.patch"))
    assert found == ["WARNING:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (16 columns) should come after "
                     "line 2925 'long timeo;' (19 columns), the last of the block"]


def test_tree_tags_by_profile(run_cli, kernel_tree):
    _, found = terse(run_cli, "--tree", kernel_tree, patch_path("subject-tree-prefix-mptcp.patch"))
    assert found == ["WARNING:SUBJECT_TREE_PREFIX: Subject prefix should name the tree: one of net, net-next "
                     "(e.g. [PATCH net-next]; required by maintainer-netdev.rst)"]
    _, found = terse(run_cli, "--tree", kernel_tree, patch_path("subject-tree-prefix-netfilter.patch"))
    assert found == ["WARNING:SUBJECT_TREE_PREFIX: Subject prefix should name the tree the patch is for: "
                     "MAINTAINERS names nf, nf-next (e.g. [PATCH nf-next]; required by maintainer-netdev.rst)"]
    text = open(patch_path("subject-tree-prefix-netfilter.patch")).read()
    for tag in ("nf-next", "nf", "net"):
        tagged = patch_path("subject-tree-prefix-netfilter.patch").replace(".patch", f"-{tag}.tmp")
        with open(tagged, "w") as out:
            out.write(text.replace("[PATCH]", f"[PATCH {tag}]"))
        try:
            status, found = terse(run_cli, "--tree", kernel_tree, "--types", "SUBJECT_TREE_PREFIX", tagged)
        finally:
            import os

            os.unlink(tagged)
        assert found == [], tag
    assert terse(run_cli, "--tree", kernel_tree, "--types", "SUBJECT_TREE_PREFIX",
                 patch_path("subject-tree-prefix-bpf-net-next.patch")) == (0, [])
    intel = open(patch_path("subject-tree-prefix-netfilter.patch")).read().replace(
        "net/netfilter/", "drivers/net/ethernet/intel/igc/").replace("[PATCH]", "[PATCH -net]")
    dashed = patch_path("subject-tree-prefix-netfilter.patch").replace(".patch", "-dashed.tmp")
    with open(dashed, "w") as out:
        out.write(intel)
    try:
        assert terse(run_cli, "--tree", kernel_tree, "--types", "SUBJECT_TREE_PREFIX", dashed) == (0, [])
    finally:
        import os

        os.unlink(dashed)


def test_tip_prefers_the_order(run_cli, kernel_tree):
    case = patch_path("xmas-tip-preferred.patch")
    assert terse(run_cli, "--tree", kernel_tree, case) == (0, [])  # a CHECK: only with --strict
    _, found = terse(run_cli, "--strict", "--tree", kernel_tree, "--types", "REVERSE_XMAS_TREE", case)
    assert found == ["CHECK:REVERSE_XMAS_TREE: Reverse xmas tree: this declaration (39 columns) should come before "
                     "line 5601 'int cpu = smp_processor_id();' (37 columns) (preferred by maintainer-tip.rst)"]


def test_comma_separated_prefix_names_the_tree(run_cli, kernel_tree, tmp_path):
    """`[PATCH bpf,v2,1/2]` names bpf: the words are split at commas as at blanks; `[PATCH -net]`
    names net, as older mails wrote it."""
    text = open(patch_path("subject-tree-prefix.patch")).read()
    for prefix in ("[PATCH bpf,v2,1/2]", "[PATCH bpf-next,v3]", "[PATCH v2,net-next]", "[PATCH -net]"):
        case = write(tmp_path, "tagged.patch", text.replace("[PATCH]", prefix))
        assert terse(run_cli, "--tree", kernel_tree, "--types", "SUBJECT_TREE_PREFIX", case) == (0, []), prefix


def test_series_limit_is_netdev_s_not_bpf_s(run_cli, kernel_clone, tmp_path):
    """16 patches to kernel/bpf/ (bpf@ only): bpf_devel_QA.rst states no limit; to net/ the same
    series breaks maintainer-netdev.rst's 15."""
    from test_netdev import series

    patches = series(kernel_clone, tmp_path / "bpf", 16, "PATCH bpf-next", path="kernel/bpf/syscall.c")
    assert terse(run_cli, "--tree", kernel_clone, "--types", "SERIES_TOO_LONG", *patches) == (0, [])
    patches = series(kernel_clone, tmp_path / "net", 16, "PATCH net-next")
    status, found = terse(run_cli, "--tree", kernel_clone, "--types", "SERIES_TOO_LONG", *patches)
    assert status == 1 and [f.split(":", 2)[1] for f in found] == ["SERIES_TOO_LONG"]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_prefix_format_reports_only_what_breaks_parsing(run_cli, tmp_path):
    text = open(patch_path("subject-prefix-version-first.patch")).read()
    for prefix in ("[PATCH v2 bpf-next]", "[PATCH v1 bpf-next]", "[PATCH bpf-next v1]", "[PATCH bpf,v2]"):
        case = write(tmp_path, "ok.patch", text.replace("[PATCH v2 bpf-next]", prefix))
        assert terse(run_cli, "--types", "SUBJECT_PREFIX_FORMAT", case) == (0, []), prefix
    case = write(tmp_path, "glued.patch", text.replace("[PATCH v2 bpf-next]", "[PATCHv5 bpf-next]"))
    _, found = terse(run_cli, "--types", "SUBJECT_PREFIX_FORMAT", case)
    assert found == ["WARNING:SUBJECT_PREFIX_FORMAT: Subject prefix [PATCHv5 bpf-next]: Patchwork reads PATCHv5 as "
                     "version 1 (it takes only a separate v<N>): write [PATCH v5]"]


def test_cover_letter_is_bpf_s_rule_not_netdev_s(run_cli, tmp_path):
    bpf = open(patch_path("series-no-cover-letter.mbox")).read()
    status, found = terse(run_cli, "--types", "COVER_LETTER_MISSING", write(tmp_path, "bpf.mbox", bpf))
    assert found == ["WARNING:COVER_LETTER_MISSING: series of 3 patches has no cover letter (0/3): git format-patch "
                     "--cover-letter (required by bpf_devel_QA.rst)"]
    netdev = bpf.replace("[PATCH bpf-next ", "[PATCH net-next ")
    assert terse(run_cli, "--types", "COVER_LETTER_MISSING", write(tmp_path, "net.mbox", netdev)) == (0, [])


def test_verify_fixes_says_once_that_a_tree_of_one_commit_cannot_answer(run_cli, kernel_tree):
    cases = [patch_path("fixes-net-tagged.patch"), patch_path("clean-bpf-fix.patch")]
    status, found = terse(run_cli, "--strict", "--tree", kernel_tree, "--types", "VERIFY_FIXES", *cases)
    assert found == [f"CHECK:VERIFY_FIXES: Fixes: ids not verified: the tree at {kernel_tree} holds one commit and "
                     "no history; check them with a full clone (--tree PATH)"]
    assert terse(run_cli, "--tree", kernel_tree, "--types", "VERIFY_FIXES", *cases) == (0, [])


def test_summary_prefix_names_what_the_history_uses(run_cli, kernel_tree):
    from patch_cases import prefix_history

    repo = prefix_history()
    _, found = terse(run_cli, "--strict", "--tree", repo, "--types", "SUMMARY_PREFIX", patch_path("summary-prefix.patch"))
    assert len(found) == 1
    assert found[0].startswith("CHECK:SUMMARY_PREFIX: Summary prefix 'bpf:' is none of those of the last 3 commits to "
                               "these files: selftests/bpf: (3); e.g. ")
    assert found[0].endswith('("selftests/bpf: Test array maps")')
    # no history to learn from: nothing
    assert terse(run_cli, "--strict", "--tree", kernel_tree, "--types", "SUMMARY_PREFIX",
                 patch_path("summary-prefix.patch")) == (0, [])


def test_profiles_document_paths_exist_in_the_source():
    for profile in PROFILES.values():
        assert profile.document.startswith("Documentation/") and profile.document.endswith(".rst")


def test_one_finding_for_a_fix_without_fixes_tag_unless_checkpatchs_is_ignored(run_cli, tmp_path):
    """A net fix whose message quotes a crash: checkpatch's MISSING_FIXES_TAG asks for the tag, so
    the house rule FIXES_TAG_MISSING stays quiet; with checkpatch's type ignored, the house rule asks."""
    with open(patch_path("fixes-net-missing.patch")) as original:
        text = original.read()
    crashed = tmp_path / "crash.patch"
    crashed.write_text(text.replace("Zero it at its declaration.\n",
                                    "Zero it at its declaration.\n\nCall Trace:\n  sock_gettstamp+0x1c/0x90\n"))

    def types(*extra):
        _, out, _ = run_cli("check", "--terse", *extra, crashed)
        return set(re.findall(r":([A-Z_]+): ", out)) & {"MISSING_FIXES_TAG", "FIXES_TAG_MISSING"}

    assert types() == {"MISSING_FIXES_TAG"}
    assert types("--ignore", "MISSING_FIXES_TAG") == {"FIXES_TAG_MISSING"}
