"""checks/_manifest.py lists what the families register (`python3 tests/test_check_manifest.py`
regenerates it): a run reads the registry from it and imports only the families it needs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "src" / "patchflow" / "checks" / "_manifest.py"
PATCH = ROOT / "tests" / "patches" / "clean-bpf-fix.patch"
HEAD = '''"""Every check's type, level, scope and family, in the order a run takes them, and the families that
declare command-line options: what `checks.registry()` reads so that a run imports only the families
it needs. Written by `python3 tests/test_check_manifest.py` from what the families register; that
test fails when the two differ."""

'''


def manifest_text() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from patchflow.checks import _OPTIONS, registered_checks

    checks = registered_checks()
    columns = [[repr(value) + "," for value in row] for row in checks]
    widths = [max(len(row[index]) for row in columns) for index in range(3)]
    rows = "".join("    (" + " ".join(cell.ljust(width) for cell, width in zip(row, widths)) + " " + row[3][:-1] + "),\n"
                   for row in columns)
    families = sorted({option.family for option in _OPTIONS.values()})
    return HEAD + f"CHECKS = (\n{rows})\n\nOPTION_FAMILIES = {tuple(families)!r}\n"


def test_the_manifest_lists_the_registered_checks():
    assert MANIFEST.read_text() == manifest_text(), \
        "checks/_manifest.py is out of date: run python3 tests/test_check_manifest.py"


def test_a_family_the_manifest_lacks_makes_the_registry_read_every_family(monkeypatch):
    import patchflow.checks as checks

    monkeypatch.setattr(checks, "_REGISTRY", None)
    on_disk = checks._family_modules() | {"a_new_family"}
    monkeypatch.setattr(checks, "_family_modules", lambda: on_disk)
    assert [(i.type, i.level, i.scope, i.family) for i in checks.registry().values()] == checks.registered_checks()


def imported_families(*arguments) -> set:
    code = ("import runpy, sys\n"
            f"sys.argv = ['patchflow', 'check', *{list(arguments)!r}]\n"
            "try:\n"
            "    runpy.run_module('patchflow', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(' '.join(sorted(name for name in sys.modules if name.startswith('patchflow.checks.')\n"
            "                      or name == 'dataclasses')))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="/")
    return set(proc.stdout.split("\n")[-2].split())


def test_a_run_imports_the_families_of_the_checks_it_wants():
    from patchflow.checks import registry

    every = {"patchflow.checks." + info.family for info in registry().values()}
    assert every <= imported_families("--strict", str(PATCH))
    default = imported_families(str(PATCH))
    # PARENTHESIS_ALIGNMENT is a CHECK: without --strict its family (and dataclasses, it alone uses) stay out
    assert "patchflow.checks.alignment" not in default and "dataclasses" not in default
    assert every - {"patchflow.checks.alignment"} <= default
    only = imported_families("--types", "LONG_LINE,TRAILING_WHITESPACE", str(PATCH))
    # and xmas, which declares the option --xmas-tree that the command line offers
    assert {name for name in only if not name.startswith("patchflow.checks._")} == {
        "patchflow.checks.whitespace", "patchflow.checks.xmas"}


def regenerate() -> None:
    MANIFEST.write_text(manifest_text())
    print(f"wrote {MANIFEST.relative_to(ROOT)}")


if __name__ == "__main__":
    regenerate()
