"""Local variable declarations at the top of a C block, read with the C lexer (for REVERSE_XMAS_TREE).

- a block's top declaration group is the run of declarations right after its `{`; a blank line or a
  preprocessor directive splits it into groups, each ordered on its own; the first statement ends it;
- a declaration spans its lines up to its `;`, and its length is that of its first line's code
  (tabs expanded, a trailing comment left out), as reviewers count it.
"""

from __future__ import annotations

from operator import attrgetter

from ..lexers.c import ONE_LINE_KINDS, code_tokens, iter_tokens, tokenize
from ..records import field, record

# Ordering a group costs the square of its size; no function declares this many locals in one block.
MAX_GROUP = 400
# A statement longer than this is no local variable declaration a reviewer orders by eye.
MAX_DECLARATION_TOKENS = 5000

# Words that start a statement, never a declaration.
_STATEMENT_WORDS = {
    "return", "goto", "if", "else", "while", "for", "do", "switch", "case", "default", "break",
    "continue", "sizeof", "asm", "__asm__", "asm_volatile_goto",
}
# Words that may stand before a declaration's type.
_QUALIFIERS = {
    "static", "const", "volatile", "register", "extern", "auto", "inline", "__maybe_unused",
    "__always_unused", "__read_mostly", "__aligned", "__attribute__", "__free", "__cleanup",
    "__rcu", "__percpu", "__iomem", "__user", "__force", "__packed", "__unused", "__randomize_layout",
    "__cacheline_aligned", "__cacheline_aligned_in_smp", "__initdata", "__counted_by", "__nonstring",
}
_TYPE_WORDS = {
    "void", "char", "short", "int", "long", "float", "double", "signed", "unsigned", "_Bool", "bool",
    "struct", "union", "enum", "typeof", "__typeof__", "__typeof", "__auto_type",
}
_TAG_WORDS = {"struct", "union", "enum"}


def _is_macro_declaration(name: str) -> bool:
    """DECLARE_BITMAP(mask, N), DEFINE_WAIT(wait), LIST_HEAD(list): macros that declare a variable."""
    return name.startswith(("DECLARE_", "DEFINE_")) or name in ("LIST_HEAD", "LLIST_HEAD", "HLIST_HEAD")


@record
class Declaration:
    """One local declaration: its lines, width and the names it declares and uses."""

    line: int  # its first line
    last_line: int
    length: int  # display columns of its first line's code
    names: set[str] = field(default_factory=set)
    uses: set[str] = field(default_factory=set)


def starts_declaration(toks) -> bool:
    i = 0
    while i < len(toks) and toks[i].kind == "ident" and toks[i].text in _QUALIFIERS:
        i += 1
        if i < len(toks) and toks[i].text == "(":  # __attribute__((...)), __aligned(8)
            i = _skip_group(toks, i)
    if i >= len(toks) or toks[i].kind != "ident" or toks[i].text in _STATEMENT_WORDS:
        return False
    word = toks[i].text
    if word in _TYPE_WORDS:
        return True
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None:
        return False
    if _is_macro_declaration(word) and nxt.text == "(":
        return True
    if nxt.kind == "ident":  # u32 val, size_t len, netdev_features_t features
        return True
    if nxt.text == "*":  # u8 *p = ..., void **pp;  (never `a * b;`: an unused product is no statement)
        j = i + 1
        while j < len(toks) and (toks[j].text == "*" or toks[j].text in ("const", "volatile", "__rcu")):
            j += 1
        return (j + 1 < len(toks) and toks[j].kind == "ident"
                and toks[j + 1].text in ("=", ";", ",", "[", ")", "__free", "__maybe_unused"))
    return False


def _skip_group(toks, i: int) -> int:
    """The index after the bracket group that opens at toks[i]."""
    depth = 0
    while i < len(toks):
        if toks[i].text in ("(", "[", "{"):
            depth += 1
        elif toks[i].text in (")", "]", "}"):
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return i


def _declared_names(toks) -> set[str]:
    """The variables a declaration's tokens declare."""
    first = next((t for t in toks if t.kind == "ident" and t.text not in _QUALIFIERS), None)
    if first is not None and _is_macro_declaration(first.text):
        args = [t for t in toks if t.kind == "ident" and t is not first]
        return {args[0].text} if args else set()
    names: set[str] = set()
    segment: list = []
    depth = 0
    in_initializer = False
    for tok in toks:
        if tok.text in ("(", "[", "{"):
            depth += 1
        elif tok.text in (")", "]", "}"):
            depth -= 1
        if depth == 0 and tok.text in (",", ";"):
            names |= _declarator_name(segment)
            segment, in_initializer = [], False
            continue
        if depth == 0 and tok.text == "=":
            in_initializer = True
        if not in_initializer:
            segment.append(tok)
    names |= _declarator_name(segment)
    return names


def _declarator_name(segment) -> set[str]:
    texts = [t.text for t in segment]
    if "(" in texts:  # most declarators have none: the list is searched in C, not walked in Python
        for k in range(len(texts) - 2):  # (*name)(...) or (*name)[...]
            if texts[k] == "(" and texts[k + 1] == "*" and segment[k + 2].kind == "ident":
                return {texts[k + 2]}
    depth = 0
    candidates = []
    for k, tok in enumerate(segment):
        if tok.text in ("(", "["):
            depth += 1
        elif tok.text in (")", "]"):
            depth -= 1
        elif (depth == 0 and tok.kind == "ident" and tok.text not in _QUALIFIERS
              and not (k + 1 < len(segment) and segment[k + 1].text == "(")):  # __aligned(8), __free(kfree)
            candidates.append(tok.text)
    return {candidates[-1]} if candidates else set()


def _used_names(toks) -> set[str]:
    """Identifiers a declaration reads: not member names, not struct tags, not the parameter names
    of a function pointer's type (`int (*fn)(struct bpf_map *map, void *key)` reads no `map`)."""
    used = set()
    prev = None
    i = 0
    while i < len(toks):
        tok = toks[i]
        if (tok.text == "(" and i >= 4 and toks[i - 1].text == ")" and toks[i - 2].kind == "ident"
                and toks[i - 3].text == "*" and toks[i - 4].text == "("):
            i = _skip_group(toks, i)
            prev = toks[i - 1]
            continue
        if tok.kind == "ident" and not (prev is not None and (prev.text in (".", "->") or prev.text in _TAG_WORDS)):
            used.add(tok.text)
        prev = tok
        i += 1
    return used


class LazyCode:
    """The code tokens (comments left out) of some lines, lexed only as far as they are read: the
    declarations at the top of a function are a few lines, its body may be thousands."""

    def __init__(self, text: str, first_line: int):
        self._source = iter_tokens(text, first_line)
        self.tokens: list = []  # those read so far: a loop over many of them reads the list itself

    def get(self, index: int):
        """The token at index, or None past the end."""
        if index < len(self.tokens):  # most calls: the token was read already
            return self.tokens[index]
        while len(self.tokens) <= index:
            tok = next(self._source, None)
            if tok is None:
                return None
            if tok.kind != "comment":
                self.tokens.append(tok)
        return self.tokens[index]

    def slice(self, start: int, stop: int) -> list:
        self.get(stop - 1)
        return self.tokens[start:stop]


_DEPTH = {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}


def _statement_end(code: LazyCode, i: int) -> int | None:
    """The index of the `;` that ends the statement starting at code[i], None when it does not end
    (a directive, a closing brace, or the end of the known lines comes first)."""
    depth = 0
    tokens = code.tokens
    for i in range(i, i + MAX_DECLARATION_TOKENS):
        tok = tokens[i] if i < len(tokens) else code.get(i)  # the list first: most tokens are read already
        if tok is None or tok.pp:
            return None
        text = tok.text
        if text == ";":
            if depth == 0:
                return i
        elif text in _DEPTH:
            depth += _DEPTH[text]
            if depth < 0:
                return None
    return None


def _plainly_a_statement(code: LazyCode, i: int) -> bool:
    """What starts_declaration says of the statement at code[i] when its first two tokens tell it (a
    statement word, `ret =`, `foo(`): the statement that ends a block's declarations is not lexed
    twelve tokens ahead."""
    tok = code.get(i)
    if tok.kind != "ident" or tok.text in _STATEMENT_WORDS:
        return True
    nxt = code.get(i + 1)
    if nxt is None or tok.text in _QUALIFIERS or tok.text in _TYPE_WORDS or _is_macro_declaration(tok.text):
        return False
    return nxt.kind != "ident" and nxt.text != "*"


class DeclarationGroup(list):
    """Declarations in a row; after_blank: a blank line, not a directive, splits it from the one above."""

    def __init__(self, declarations=(), after_blank: bool = False):
        super().__init__(declarations)
        self.after_blank = after_blank


def top_declaration_groups(code: LazyCode, start: int, previous_end: int,
                           lines: dict[int, KnownLine]) -> list[DeclarationGroup]:
    """The groups of declarations that start at code[start], right after a function's `{` (on line
    previous_end) or at the start of a hunk inside them; a group of one line is kept (a blank line
    may split it off a block the patch grew)."""
    line_end: dict[int, int] = {}
    groups: list[DeclarationGroup] = [DeclarationGroup()]
    i = start
    while code.get(i) is not None:
        tok = code.get(i)
        if tok.pp:
            groups.append(DeclarationGroup())
            directive = tok.pp
            while code.get(i) is not None and code.get(i).pp == directive:
                i += 1
            previous_end = code.get(i - 1).line
            continue
        if tok.line > previous_end + 1:  # most declarations follow the line above: no line between
            if any(lines[n].text.strip() == "" for n in range(previous_end + 1, tok.line) if n in lines):
                groups.append(DeclarationGroup(after_blank=True))
            if any(n not in lines for n in range(previous_end + 1, tok.line)):
                break  # a gap between two hunks: what lies there is unknown
        if _plainly_a_statement(code, i):
            break
        j = _statement_end(code, i)
        # starts_declaration reads no further than the `;`: the lexer need not read past it either
        if j is None or not starts_declaration(code.slice(i, min(i + 12, j + 1))):
            break  # unfinished where the known lines end, or not a declaration after all
        toks = code.slice(i, j + 1)
        decl = Declaration(tok.line, toks[-1].line, 0, _declared_names(toks), set())
        decl.uses = _used_names(toks) - decl.names
        group = groups[-1]
        if group and group[-1].line == decl.line:  # `int a; int b;` share one line
            group[-1].names |= decl.names
            group[-1].uses |= decl.uses
        else:
            group.append(decl)
        _note_line_ends(toks, line_end)
        previous_end = toks[-1].line
        i = j + 1
    for group in groups:
        for decl in group:
            decl.length = line_end.get(decl.line, 0)
    return [group for group in groups if group]


def _note_line_ends(toks, line_end: dict[int, int]) -> None:
    """Records in line_end the last column of code the tokens reach on each line they start on."""
    for t in toks:
        # an identifier, number or punctuator holds no tab or newline: it ends len(text) columns on
        end = t.column + len(t.text) - 1 if t.kind in ONE_LINE_KINDS else t.end_column - 1
        if end > line_end.get(t.line, 0):
            line_end[t.line] = end


_KIND = attrgetter("kind")


class RemovedDeclarations:
    """The declarations each hunk of a file removes, to tell a changed declaration from a new one."""

    def __init__(self, file):
        self._file = file
        self._hunk_of: dict[int, object] | None = None  # made when first asked: most files' hunks remove nothing
        self._removed: dict[int, list[tuple]] = {}

    def _hunk(self, line):
        """The hunk of a DiffLine, among the hunks that remove a line (no other has a line to replace)."""
        if self._hunk_of is None:
            self._hunk_of = {id(diff): hunk for hunk in self._file.hunks
                             if "-" in map(_KIND, hunk.lines) for diff in hunk.lines}
        return self._hunk_of.get(id(line))

    def _of_hunk(self, hunk) -> list[tuple]:
        """(names, length, text, out of order) of each declaration the hunk removes; out of order: a
        declaration right above it in the old lines is shorter, or one right below it longer."""
        if id(hunk) not in self._removed:
            old = [line for line in hunk.lines if line.kind in (" ", "-")]
            read = [_read_declaration(line.text) for line in old]
            found = []
            for k, line in enumerate(old):
                if line.kind == "-" and read[k] is not None:
                    names, length, uses = read[k]
                    above = read[k - 1] if k > 0 else None
                    below = read[k + 1] if k + 1 < len(old) else None
                    out_of_order = ((above is not None and above[1] < length and not uses & above[0])
                                    or (below is not None and below[1] > length and not below[2] & names))
                    found.append((names, length, line.text.strip(), out_of_order))
            self._removed[id(hunk)] = found
        return self._removed[id(hunk)]

    def _replaced(self, decl: Declaration, lines: dict[int, KnownLine]) -> tuple | None:
        hunk = self._hunk(lines[decl.line].diff)
        if hunk is None:
            return None
        return next((r for r in self._of_hunk(hunk) if r[0] & decl.names), None)

    def old_length(self, decl: Declaration, lines: dict[int, KnownLine]) -> int | None:
        """The length of the line this declaration replaces (a removed line declaring the same names);
        None for a new declaration, for one the patch moved (removed and added word for word: git
        shows a line that kept its place as context), and for one that replaces a first line that
        opened a braced initializer or broke after its `=` (no length reviewers weigh)."""
        replaced = self._replaced(decl, lines)
        if replaced is None or replaced[2] == lines[decl.line].text.strip() or replaced[2].endswith(("=", "{")):
            return None
        return replaced[1]

    def stood_out_of_order(self, decl: Declaration, lines: dict[int, KnownLine]) -> bool:
        """Whether the line this declaration replaces was out of order where it stood, next to the
        old lines around it (wherever the patch put its new line)."""
        replaced = self._replaced(decl, lines)
        return replaced is not None and replaced[3]


def _read_declaration(text: str) -> tuple | None:
    """(names, length, names read) of a line that starts a declaration, or None."""
    toks = code_tokens(tokenize(text))
    if not toks or not starts_declaration(toks[:12]) or text.rstrip().endswith(("=", "{")):
        return None
    names = _declared_names(toks)
    return names, toks[-1].end_column - 1, _used_names(toks) - names
