"""Reading helper declarations back out of a generated `bpf_helper_defs.h`.

Two spellings are understood, so that a header from before a BPF_HELPER change and one from after it
can be compared helper by helper:

    static __u64 (* const bpf_ktime_get_ns)(void) = (void *) 5;
    BPF_HELPER(__u64, bpf_ktime_get_ns, (void), 5);

Attributes such as `__bpf_fastcall` (any name the header defines as an `__attribute__`) are kept
apart from the return type.
"""

from __future__ import annotations

import re

from ..records import field, record
from ..lexers.c import code_tokens, tokenize

STATIC_DECL = re.compile(
    r"^static\s+(?P<ret>.+?)\(\s*\*\s*const\s+(?P<name>\w+)\s*\)\s*\((?P<args>.*)\)\s*=\s*"
    r"\(\s*void\s*\*\s*\)\s*(?P<id>\d+)$", re.S)
MACRO_CALL = re.compile(r"^BPF_HELPER\s*\((?P<body>.*)\)$", re.S)
ATTRIBUTE_MACRO = re.compile(r"^\s*#\s*define\s+(\w+)\s+__attribute__\b", re.M)


@record(frozen=True)
class HelperDecl:
    name: str
    id: int
    ret: str  # the return type, tokens joined by one space: "void *"
    args: tuple[str, ...]  # the argument types: ("void *", "const void *")
    attrs: tuple[str, ...] = ()
    line: int = 0  # in the header, 1-based

    def signature(self) -> str:
        attrs = "".join(attr + " " for attr in self.attrs)
        return f"{attrs}{self.ret} {self.name}({', '.join(self.args)}) = {self.id}"


@record
class HelperHeader:
    helpers: list[HelperDecl] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)  # (line, statement) that looked like a helper

    def by_name(self) -> dict[str, HelperDecl]:
        return {helper.name: helper for helper in self.helpers}


def _statements(text: str) -> list[tuple[int, str]]:
    """(first line, text) of each `;`-ended statement outside preprocessor directives, comments left
    out and the blanks between tokens kept as one blank."""
    statements: list[tuple[int, str]] = []
    parts: list[str] = []
    first_line, depth, end = 0, 0, None
    for tok in code_tokens(tokenize(text)):
        if tok.pp:
            continue
        if tok.text == ";" and depth == 0:
            if parts:
                statements.append((first_line, "".join(parts)))
            parts, end = [], None
            continue
        depth += (tok.text in "([") - (tok.text in ")]") if len(tok.text) == 1 else 0
        if not parts:
            first_line = tok.line
        elif end is not None and (tok.offset > end or tok.line > previous_line):
            parts.append(" ")
        parts.append(tok.text)
        end, previous_line = tok.offset + len(tok.text), tok.line + tok.text.count("\n")
    if parts:
        statements.append((first_line, "".join(parts)))
    return statements


def _split_top(text: str, sep: str = ",") -> list[str]:
    """Split at `sep` outside parentheses and brackets."""
    parts, depth, start = [], 0, 0
    for match in re.finditer(r"[()\[\]" + re.escape(sep) + "]", text):
        char = match.group(0)
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif depth == 0:
            parts.append(text[start:match.start()])
            start = match.end()
    parts.append(text[start:])
    return parts


C_TYPE_WORDS = {"void", "char", "short", "int", "long", "signed", "unsigned", "float", "double", "_Bool",
                "const", "volatile", "restrict"}


def _arg_type(arg: str) -> str:
    """The type of one parameter: its tokens without the trailing parameter name, if it has one."""
    tokens = [token.text for token in code_tokens(tokenize(arg))]
    if (len(tokens) >= 2 and re.match(r"^[A-Za-z_]\w*$", tokens[-1]) and tokens[-1] not in C_TYPE_WORDS
            and tokens[-2] not in ("struct", "union", "enum")):
        tokens = tokens[:-1]
    return " ".join(tokens)


def _split_attrs(ret: str, attributes: set) -> tuple[tuple[str, ...], str]:
    tokens = [token.text for token in code_tokens(tokenize(ret))]
    attrs = []
    while tokens and tokens[0] in attributes:
        attrs.append(tokens.pop(0))
    return tuple(attrs), " ".join(tokens)


def _args(text: str) -> tuple[str, ...]:
    inner = text.strip()
    return tuple(_arg_type(arg) for arg in _split_top(inner)) if inner else ()


def parse_header(text: str) -> HelperHeader:
    attributes = set(ATTRIBUTE_MACRO.findall(text))
    result = HelperHeader()
    for first_line, body in _statements(text):
        decl = _parse_statement(body, attributes, first_line)
        if decl is not None:
            result.helpers.append(decl)
        elif "BPF_HELPER" in body or "(* const" in body:
            result.unparsed.append((first_line, body))
    return result


def _parse_statement(body: str, attributes: set, line: int) -> HelperDecl | None:
    match = STATIC_DECL.match(body)
    if match:
        attrs, ret = _split_attrs(match.group("ret"), attributes)
        return HelperDecl(match.group("name"), int(match.group("id")), ret, _args(match.group("args")), attrs, line)
    match = MACRO_CALL.match(body)
    if match:
        parts = [part.strip() for part in _split_top(match.group("body"))]
        if len(parts) != 4 or not re.match(r"^\w+$", parts[1]) or not re.match(r"^\d+$", parts[3]):
            return None
        args = parts[2]
        if not (args.startswith("(") and args.endswith(")")):
            return None
        attrs, ret = _split_attrs(parts[0], attributes)
        return HelperDecl(parts[1], int(parts[3]), ret, _args(args[1:-1]), attrs, line)
    return None
