"""Every patch under tests/patches/ gives exactly the findings its NAME.expected lists."""

import json

import pytest

from patch_cases import case_files, read_expected

CASES = case_files()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_findings_match_expected(case, kernel_tree, run_cli, monkeypatch, tmp_path):
    # outside any git tree, so that only `# args: --tree` brings in a MAINTAINERS file
    monkeypatch.chdir(tmp_path)
    args, expected = read_expected(case, kernel_tree)
    status, out, err = run_cli("check", "--strict", "--format", "json", *args, case)
    # nothing on stderr but the run's notes (e.g. that commit ids were not looked up without a tree)
    assert all(line.startswith("patchflow: note: ") for line in err.splitlines()), err
    found = [(f["type"], f["patch_line"]) for f in json.loads(out)["findings"]]
    assert sorted(found, key=str) == sorted(expected, key=str)
    assert status == (1 if expected else 0)


def test_every_check_type_has_a_case_that_triggers_it():
    from patchflow.checks import registry

    triggered = {type_name for case in CASES for type_name, _ in read_expected(case)[1]}
    assert sorted(set(registry()) - triggered) == []


def test_a_clean_case_exists_for_patches_and_series():
    clean = {case.name for case in CASES if not read_expected(case)[1]}
    assert "clean-bpf-fix.patch" in clean and "series-good.mbox" in clean
