"""patchflow.records: a `@record` class behaves as the same `@dataclass` class does, for what
patchflow asks of them: construction, defaults, factories, equality, repr, hashing, slots."""

import dataclasses
from typing import List, Optional

import pytest

from patchflow.records import as_dict, field, record


def declare(decorator, field_function, **flags):
    @decorator(**flags) if flags else decorator
    class Line:
        """A line."""

        kind: str
        text: str
        number: Optional[int] = None
        tags: List[str] = field_function(default_factory=list)
        cached: Optional[dict] = field_function(default=None, repr=False, compare=False)

    return Line


def test_a_record_behaves_as_the_dataclass():
    Record, Data = declare(record, field), declare(dataclasses.dataclass, dataclasses.field)
    for args, kw in ((("+", "x"), {}), (("-", "y", 3), {"tags": ["a"]}), ((), {"kind": " ", "text": "", "cached": {}})):
        made, expected = Record(*args, **kw), Data(*args, **kw)
        assert repr(made).replace("Record", "") == repr(expected).replace("Data", "")
        assert (made.kind, made.text, made.number, made.tags, made.cached) == (
            expected.kind, expected.text, expected.number, expected.tags, expected.cached)
        assert as_dict(made) == dataclasses.asdict(expected)
    first, second = Record("+", "x"), Record("+", "x")
    assert first == second and first.tags is not second.tags  # a new list for each
    second.cached = {"x": 1}
    assert first == second  # a field left out of comparison
    second.number = 2
    assert first != second and first != ("+", "x")
    with pytest.raises(TypeError):
        hash(first)  # as a dataclass with eq and without frozen
    with pytest.raises(TypeError):
        Record("+")  # a field without a default is required
    assert Record.number is None and not hasattr(Record, "tags")  # class attributes as dataclass leaves them


def test_the_first_instance_may_be_a_wrong_call():
    """`__init__` is compiled on the class's first instance: a first call with missing or unknown
    arguments fails as the dataclass's does, and the class works afterwards."""
    Record, Data = declare(record, field), declare(dataclasses.dataclass, dataclasses.field)
    for wrong in ((("+",), {}), (("+", "x"), {"colour": 1})):
        for cls in (Record, Data):
            with pytest.raises(TypeError):
                cls(*wrong[0], **wrong[1])
    Slotted = declare(record, field, slots=True)
    with pytest.raises(TypeError):
        Slotted()
    assert Record("+", "x", 2).number == 2 and Slotted("-", "y").text == "y"
    assert Record("+", "x") == Record("+", "x")


def test_frozen_and_slots():
    Frozen = declare(record, field, frozen=True)
    assert hash(Frozen("+", "x", tags=("a",))) == hash(Frozen("+", "x", tags=("a",)))
    assert len({Frozen("+", "x", tags=()), Frozen("+", "x", tags=())}) == 1
    Slotted = declare(record, field, slots=True)
    line = Slotted("+", "x")
    assert not hasattr(line, "__dict__") and Slotted.__qualname__.endswith("Line")
    with pytest.raises(AttributeError):
        line.other = 1
    assert Slotted.__doc__ == "A line."


def test_the_records_patchflow_loads_compare_as_before():
    from patchflow.patch import DiffLine
    from patchflow.report import Finding

    assert DiffLine("+", "x", 3, None, 2) == DiffLine("+", "x", 3, None, 2, no_newline=False)
    assert not hasattr(DiffLine("+", "x", 3, None, 2), "__dict__")
    finding = Finding("LONG_LINE", "WARNING", "too long", "a.patch", patch_line=4, span=(1, 2), fix="y")
    assert finding.as_json() == {"type": "LONG_LINE", "level": "WARNING", "message": "too long", "patch": "a.patch",
                                 "patch_line": 4, "file": None, "line": None, "column": None, "fix": "y",
                                 "span": (1, 2)}


def test_a_check_run_imports_no_dataclasses(kernel_tree):
    # dataclasses (with inspect) costs a one-patch run 5 ms: no module check loads may use it,
    # neither for a clean patch nor for one whose findings carry fixes (inside the 6.12 tree too)
    import subprocess
    import sys
    from pathlib import Path

    patches = Path(__file__).parent / "patches"
    code = ("import runpy, sys\n"
            "sys.argv = ['patchflow', 'check', *sys.argv[1:]]\n"
            "try:\n"
            "    runpy.run_module('patchflow', run_name='__main__')\n"
            "except SystemExit:\n"
            "    pass\n"
            "print('\\nloaded:', sorted({'dataclasses', 'patchflow.fix'} & set(sys.modules)))\n")
    for cwd in ("/", str(kernel_tree)):
        for patch in ("clean-bpf-fix.patch", "code-indent.patch", "space-before-tab.patch", "xmas-preimage.patch"):
            proc = subprocess.run([sys.executable, "-c", code, str(patches / patch)], capture_output=True,
                                  text=True, timeout=120, cwd=cwd)
            assert proc.stdout.rstrip().endswith("loaded: []"), (cwd, patch, proc.stdout[-300:], proc.stderr[-300:])
