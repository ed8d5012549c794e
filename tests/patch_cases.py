"""The cases under tests/patches/: each patch or mbox NAME has NAME.expected beside it.

NAME.expected lists the findings `patchflow check --strict` must report, one `TYPE LINE` per line,
where LINE is the line in the patch file (checkpatch's #N) or `-` for a finding on no line. Lines
starting with `#` are comments; `# args: ...` gives extra options (`{kernel_tree}` stands for the
cached 6.12 tree).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import List, Optional, Tuple

PATCHES = Path(__file__).parent / "patches"
SUFFIXES = (".patch", ".mbox")


def case_files() -> List[Path]:
    return sorted(p for p in PATCHES.iterdir() if p.suffix in SUFFIXES)


def expected_path(case: Path) -> Path:
    return case.with_name(case.name + ".expected")


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
                args += [a.replace("{kernel_tree}", str(kernel_tree)) for a in shlex.split(line[len("# args:"):])]
            continue
        type_name, where = line.split()
        findings.append((type_name, None if where == "-" else int(where)))
    return args, findings
