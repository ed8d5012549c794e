"""A usage error shows the usage of the command it was made in, and names the command, option or
check type the user probably meant."""

from conftest import patch_path, run_patchflow


def last_line(proc):
    return proc.stderr.rstrip("\n").split("\n")[-1]


def test_a_misspelt_option_shows_the_commands_usage_and_the_option_meant():
    proc = run_patchflow("check", "--stirct", patch_path("long-line.patch"))
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("usage: patchflow check [-h] [-g] [-f] [--strict]")
    assert last_line(proc) == "patchflow check: error: unrecognized arguments: --stirct (did you mean --strict?)"


def test_an_option_of_another_command_gets_its_usage_without_a_guess():
    proc = run_patchflow("explain", "--watch", "LONG_LINE")
    assert proc.returncode == 2
    assert proc.stderr.startswith("usage: patchflow explain")
    assert last_line(proc) == "patchflow explain: error: unrecognized arguments: --watch"


def test_a_misspelt_command_names_the_command_meant():
    proc = run_patchflow("chek", patch_path("long-line.patch"))
    assert proc.returncode == 2
    assert last_line(proc) == ("patchflow: error: unknown command 'chek' (did you mean check?); "
                               "the commands are check, explain, fix, regen, format, status")


def test_an_unknown_command_far_from_any_lists_them():
    proc = run_patchflow("frobnicate")
    assert last_line(proc) == ("patchflow: error: unknown command 'frobnicate'; "
                               "the commands are check, explain, fix, regen, format, status")


def test_a_misspelt_type_names_the_type_meant(run_cli):
    status, out, err = run_cli("check", "--ignore", "LONG_LIN,trailing_whitespac", patch_path("long-line.patch"))
    assert status == 2 and out == ""
    assert err.splitlines() == ["patchflow: --ignore: unknown type LONG_LIN, TRAILING_WHITESPAC: did you mean "
                                "LONG_LINE, TRAILING_WHITESPACE? (patchflow explain lists them)"]


def test_quiet_is_taken_before_and_after_the_command():
    for args in (["-q", "check"], ["check", "-q"]):
        proc = run_patchflow(*args, "--terse", "--types", "LONG_LINE,LONG_LINE_COMMENT,LONG_LINE_STRING",
                             patch_path("long-line.patch"))
        assert proc.returncode == 1 and proc.stderr == ""
        assert proc.stdout.endswith("total: 0 errors, 5 warnings, 0 checks, 24 lines checked\n")
