"""The layout rules of the brief, kept true: no module of src/patchflow over 500 lines, no function
over 60 lines.

A function's lines run from its `def` to its last line, its docstring left out (a check's docstring
is its `explain` page, with two whole example patches); a module counts every line.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "patchflow"
MODULE_LIMIT = 500
FUNCTION_LIMIT = 60


def docstring_lines(source: str) -> set:
    """The numbers of the lines that hold a string standing alone as a statement (a docstring)."""
    lines = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            lines.update(range(node.lineno, node.end_lineno + 1))
    return lines


def long_functions(path: Path) -> list:
    """(name, first line, lines of code) of each function in `path` over the limit."""
    source = path.read_text()
    docstrings = docstring_lines(source)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            size = len([n for n in range(node.lineno, node.end_lineno + 1) if n not in docstrings])
            if size > FUNCTION_LIMIT:
                found.append((node.name, node.lineno, size))
    return found


def test_a_docstring_is_left_out_and_comments_and_blank_lines_count():
    source = 'def f():\n    """Doc.\n\n    More."""\n    # why\n\n    return 1\n'
    assert sorted(docstring_lines(source)) == [2, 3, 4]


def test_a_long_function_is_found(tmp_path):
    body = "".join(f"    x{n} = {n}\n" for n in range(FUNCTION_LIMIT))
    (tmp_path / "m.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}")
    assert long_functions(tmp_path / "m.py") == [("long", 5, FUNCTION_LIMIT + 1)]


def test_no_module_over_500_lines():
    sizes = {str(p.relative_to(SRC)): len(p.read_text().splitlines()) for p in SRC.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MODULE_LIMIT} == {}


def test_no_function_over_60_lines():
    found = {str(p.relative_to(SRC)): long_functions(p) for p in SRC.rglob("*.py")}
    assert {name: hits for name, hits in found.items() if hits} == {}
