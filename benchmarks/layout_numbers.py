#!/usr/bin/env python3
"""Size figures of a checkout's `src/patchflow` (outside CI), for comparing two versions side by side:

    python3 benchmarks/layout_numbers.py src/patchflow /tmp/first/src/patchflow

Per tree: modules (.py files), lines (all, and code lines: lines holding a token other than a
comment, a docstring or a blank), functions (and methods) longer than 40 and 60 lines counted from
`def` (decorators left out) to their last line, with and without their docstring, and modules longer than 500 lines.
"""

from __future__ import annotations

import ast
import io
import os
import sys
import tokenize


def _docstring_lines(tree: ast.AST) -> set:
    lines = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                lines.update(range(first.lineno, first.end_lineno + 1))
    return lines


def _code_lines(source: str, docstrings: set) -> int:
    lines = set()
    skip = (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
            tokenize.ENDMARKER)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type in skip:
            continue
        for line in range(tok.start[0], tok.end[0] + 1):
            if line not in docstrings:
                lines.add(line)
    return len(lines)


def figures(root: str) -> dict:
    result = {"modules": 0, "lines": 0, "code lines": 0, "functions > 40 lines": 0,
              "functions > 60 lines": 0, "functions > 40 lines, docstring left out": 0,
              "functions > 60 lines, docstring left out": 0, "modules > 500 lines": 0}
    for folder, _dirs, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                source = handle.read()
            tree = ast.parse(source)
            docstrings = _docstring_lines(tree)
            total = source.count("\n")
            result["modules"] += 1
            result["lines"] += total
            result["code lines"] += _code_lines(source, docstrings)
            result["modules > 500 lines"] += total > 500
            for node in ast.walk(tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    length = node.end_lineno - node.lineno + 1
                    result["functions > 40 lines"] += length > 40
                    result["functions > 60 lines"] += length > 60
                    span = range(node.lineno, node.end_lineno + 1)
                    length -= sum(1 for line in span if line in docstrings)
                    result["functions > 40 lines, docstring left out"] += length > 40
                    result["functions > 60 lines, docstring left out"] += length > 60
    return result


def main() -> None:
    roots = sys.argv[1:] or ["src/patchflow"]
    table = [figures(root) for root in roots]
    print("| figure | " + " | ".join(roots) + " |")
    print("| --- |" + " --- |" * len(roots))
    for key in table[0]:
        print(f"| {key} | " + " | ".join(str(row[key]) for row in table) + " |")


if __name__ == "__main__":
    main()
