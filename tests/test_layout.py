"""The layout rules of the brief, kept true: no module of src/patchflow over 500 lines, no function
over 60 lines of code.

A function's lines of code leave out its docstring (a check's docstring is its `explain` page, with
whole example patches), blank lines and comment lines; a module counts every line.
"""

from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "patchflow"
MODULE_LIMIT = 500
FUNCTION_LIMIT = 60


def code_lines(source: str) -> set:
    """The numbers of the lines that hold a token other than a comment, a newline or a string
    standing alone as a statement (a docstring)."""
    docstrings = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            docstrings.update(range(node.lineno, node.end_lineno + 1))
    lines = set()
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER}
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in skip:
            lines.update(n for n in range(token.start[0], token.end[0] + 1) if n not in docstrings)
    return lines


def long_functions(path: Path) -> list:
    """(name, first line, lines of code) of each function in `path` over the limit."""
    source = path.read_text()
    counted = code_lines(source)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            size = len([n for n in range(node.lineno, node.end_lineno + 1) if n in counted])
            if size > FUNCTION_LIMIT:
                found.append((node.name, node.lineno, size))
    return found


def test_code_lines_leave_out_docstrings_comments_and_blank_lines():
    source = 'def f():\n    """Doc.\n\n    More."""\n    # why\n\n    return (1,\n            2)\n'
    assert sorted(code_lines(source)) == [1, 7, 8]


def test_a_long_function_is_found(tmp_path):
    body = "".join(f"    x{n} = {n}\n" for n in range(FUNCTION_LIMIT))
    (tmp_path / "m.py").write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}")
    assert long_functions(tmp_path / "m.py") == [("long", 5, FUNCTION_LIMIT + 1)]


def test_no_module_over_500_lines():
    sizes = {str(p.relative_to(SRC)): len(p.read_text().splitlines()) for p in SRC.rglob("*.py")}
    assert {name: n for name, n in sizes.items() if n > MODULE_LIMIT} == {}


def test_no_function_over_60_lines_of_code():
    found = {str(p.relative_to(SRC)): long_functions(p) for p in SRC.rglob("*.py")}
    assert {name: hits for name, hits in found.items() if hits} == {}
