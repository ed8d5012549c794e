"""The header as C statements, and a helper declaration without its parameter names.

A parameter's name is not part of a declaration's meaning: `void *bpf_kptr_xchg(void *map_value,
void *ptr)` and `(void *dst, void *ptr)` declare the same helper (bpf-next renamed it so in 2024).
Both the expansion proof and the "what changed" report compare declarations with the names left out,
and say so when that is all that differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..lexers.c import code_tokens, tokenize
from .header import C_TYPE_WORDS

IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")


def c_tokens(text: str) -> list:
    """The C tokens of `text` without its comments (each has .text and .line)."""
    return code_tokens(tokenize(text))


def statements(tokens) -> list[list]:
    """The tokens cut after each `;` outside parentheses, brackets and braces (the rest last)."""
    result, statement, depth = [], [], 0
    for token in tokens:
        statement.append(token)
        if token.text in "([{":
            depth += 1
        elif token.text in ")]}":
            depth -= 1
        elif token.text == ";" and depth == 0:
            result.append(statement)
            statement = []
    if statement:
        result.append(statement)
    return result


def _closing(tokens, start: int) -> int:
    depth = 0
    for index in range(start, len(tokens)):
        depth += {"(": 1, ")": -1}.get(tokens[index].text, 0)
        if depth == 0:
            return index
    return len(tokens) - 1


def _unnamed(parameter: list) -> list:
    if (len(parameter) >= 2 and IDENTIFIER.match(parameter[-1].text) and parameter[-1].text not in C_TYPE_WORDS
            and parameter[-2].text not in ("struct", "union", "enum")):
        return parameter[:-1]
    return parameter


def without_parameter_names(statement: list, name: str) -> list:
    """The tokens of the statement declaring helper `name`, the names of its parameters left out."""
    texts = [token.text for token in statement]
    if name not in texts:
        return statement
    start = next((i for i in range(texts.index(name), len(texts)) if texts[i] == "("), None)
    if start is None:
        return statement
    end = _closing(statement, start)
    inner, current, depth = [], [], 0
    for token in statement[start + 1:end]:
        if token.text == "," and depth == 0:
            inner += _unnamed(current) + [token]
            current = []
            continue
        depth += {"(": 1, ")": -1}.get(token.text, 0)
        current.append(token)
    inner += _unnamed(current)
    return statement[:start + 1] + inner + statement[end:]


def declared_name(statement: list, names: Iterable[str]) -> str:
    """The helper a statement declares: its first token that is a helper's name, else ''."""
    wanted = set(names)
    return next((token.text for token in statement if token.text in wanted), "")


def normalized(tokens, names: Iterable[str]) -> tuple[list, dict[str, tuple[list[str], list[str]]]]:
    """The tokens with helper parameter names left out, and each helper's statement: (as written, so)."""
    names = set(names)
    kept: list = []
    by_helper: dict[str, tuple[list[str], list[str]]] = {}
    for statement in statements(tokens):
        name = declared_name(statement, names)
        if name:
            written = [token.text for token in statement]
            statement = without_parameter_names(statement, name)
            by_helper[name] = (written, [token.text for token in statement])
        kept += statement
    return kept, by_helper


def renamed_parameters(before: dict[str, tuple[list[str], list[str]]],
                       after: dict[str, tuple[list[str], list[str]]]) -> list[str]:
    """The helpers whose declarations differ in their parameter names alone."""
    return [name for name, (written, plain) in after.items()
            if name in before and before[name][0] != written and before[name][1] == plain]
