from conftest import run_patchflow


def test_help_lists_the_commands():
    proc = run_patchflow("--help")
    assert proc.returncode == 0
    assert "check" in proc.stdout and "explain" in proc.stdout


def test_missing_file_is_one_line_and_exit_2(tmp_path):
    proc = run_patchflow("check", tmp_path / "nope.patch")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [f"patchflow: {tmp_path / 'nope.patch'}: no such file"]
    assert "Traceback" not in proc.stderr
