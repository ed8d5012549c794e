"""A C lexer good enough to compare preprocessed headers token by token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List

TOKEN = re.compile(r"""
    (?P<ws>\s+)
  | (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<string>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<number>\.?\d(?:[eEpP][+-]|[\w.])*)
  | (?P<ident>[A-Za-z_]\w*)
  | (?P<punct>\.\.\.|<<=|>>=|->|\+\+|--|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^]=|\#\#|[][(){}.,;:?~!<>=+\-*/%&|^\#])
  | (?P<other>.)
""", re.S | re.X)


@dataclass(frozen=True)
class Token:
    text: str
    line: int


def tokenize(text: str) -> List[Token]:
    tokens, line = [], 1
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        value = match.group(0)
        if kind not in ("ws", "comment"):
            tokens.append(Token(value, line))
        line += value.count("\n")
    return tokens
