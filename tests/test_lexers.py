"""The C and Python lexers: literals, comments, directives, columns, and hostile input."""

from __future__ import annotations

import re


from patchflow.lexers import display_column, indent_column
from patchflow.lexers.c import code_tokens, directives, tokenize


def kinds(text):
    return [(t.kind, t.text) for t in tokenize(text)]


def test_parenthesis_in_literals_and_comments_is_not_punctuation():
    toks = tokenize('f("a(b\\"", \'(\', L\'x\'); /* ( */ // (\n')
    parens = [t for t in toks if t.kind == "punct" and t.text == "("]
    assert len(parens) == 1 and parens[0].column == 2
    assert [t.kind for t in toks if t.kind in ("string", "char", "comment")] == [
        "string", "char", "char", "comment", "comment"]


def test_columns_expand_tabs_to_eight():
    toks = tokenize("\tfoo(a,\n\t    b);\n")
    assert [(t.text, t.line, t.column) for t in toks[:3]] == [("foo", 1, 9), ("(", 1, 12), ("a", 1, 13)]
    b = next(t for t in toks if t.text == "b")
    assert (b.line, b.column) == (2, 13)
    assert display_column("\t  x", 3) == 11
    assert indent_column("\t\t  x") == 19
    # runs of tabs only, at a tab stop and between two (`abc` ends at column 3, its tab reaches 9)
    assert [(t.text, t.column) for t in tokenize("\t\tx\tabc\t\ty abcdefgh\tz")] == [
        ("x", 17), ("abc", 25), ("y", 41), ("abcdefgh", 43), ("z", 57)]
    assert [t.column for t in tokenize("abcdefg\tz\n       \t\tw")] == [1, 9, 17]  # a tab at column 8


def test_block_comment_spans_lines_and_keeps_line_numbers():
    toks = tokenize("/* a (\n * b\n */ int x;\n", first_line=40)
    assert toks[0].kind == "comment" and toks[0].line == 40
    assert (toks[1].text, toks[1].line, toks[1].column) == ("int", 42, 5)


def test_fragment_starting_inside_a_comment():
    toks = tokenize(" * f(\n */\nint y;", in_comment=True)
    assert toks[0].kind == "comment" and toks[0].text.endswith("*/")
    assert [t.text for t in code_tokens(toks)] == ["int", "y", ";"]


def test_preprocessor_directive_with_continuation():
    text = "#define M(a, b) \\\n\tfoo(a, \\\n\t    b)\nint z;\n  #  if !defined(X)\n"
    groups = list(directives(tokenize(text)))
    assert [(start, [t.text for t in toks][:3]) for start, toks in groups] == [
        (1, ["#", "define", "M"]), (5, ["#", "if", "!"])]
    z = next(t for t in tokenize(text) if t.text == "z")
    assert z.pp == 0 and z.line == 4


def test_hash_inside_a_line_is_not_a_directive():
    toks = tokenize("x = a # b;\n")
    assert all(t.pp == 0 for t in toks)


def test_unterminated_literals_and_comments_close_nothing():
    toks = tokenize('char *s = "open (\nint y = \'(;\n/* open (')
    assert [(t.kind, t.closed) for t in toks if not t.closed] == [("string", False), ("char", False),
                                                                    ("comment", False)]
    assert [t.text for t in toks if t.kind == "ident"] == ["char", "s", "int", "y"]


def test_operators_numbers_and_strays():
    assert kinds("a->b <<= 0x1fULL ... 1.5e+3 @") == [
        ("ident", "a"), ("punct", "->"), ("ident", "b"), ("punct", "<<="), ("number", "0x1fULL"),
        ("punct", "..."), ("number", "1.5e+3"), ("other", "@")]


def test_hostile_input_is_linear():
    cases = ["(" * 50000 + ")" * 50000, "x = f(a, \"b\") + " * 150000, "/* " + "( " * 1000000,
             '"' + "\\a(" * 600000, "\\" * 1000000]
    for text in cases:
        assert tokenize(text)


# --- the outline: the lexer's places without its tokens -------------------------------------

from patchflow.lexers.c import Outline  # noqa: E402

# each reproduces a place where a shortcut would part from the lexer
OUTLINE_CASES = [
    ("#define M(a, b) \\\n\tfoo(a, \\\n\t    b)\nint z;\n  #  if !defined(X)\n", False),
    ("x = a # b;\n## y\n/* c */ # if X /* spans\n lines */ z\n#x\\\r\ny\n", False),
    ("a \\\n# not a directive\n/* c */ \\\n#if Y\n", False),
    (" * f(\n */ #if defined(Q)\nint y;", True),
    ('s = L"open (\n\tu8\'x\', "a\\\nb(", \'(\' // c \\\n still\n\x1c\x1d(\n', False),
]


def _directive_lines(text, in_comment):
    return [(start, toks[0].column, [t.text for t in toks])
            for start, toks in directives(tokenize(text, 10, in_comment))]


def test_outline_finds_comments_literals_and_directives_where_the_lexer_does():
    for text, in_comment in OUTLINE_CASES:
        outline = Outline(text, 10, in_comment)
        tokens = tokenize(text, 10, in_comment)
        assert len(outline.masked) == len(text)
        # the characters of code tokens (and literals' prefixes, `L"`) are what the outline leaves as
        # code; the rest is masked, blank or a backslash that splices a newline
        code = {i for t in tokens if t.kind != "comment"
                for i in range(t.offset, t.offset + (len(t.text) if t.kind not in ("string", "char")
                                                     else len(t.text) - len(t.text.lstrip("uUL8"))))}
        left = {i for i, c in enumerate(outline.masked) if c not in " \t\f\v\r\n\x1c\x1d"}
        splices = {i for i in left - code
                   if text[i] == "\\" and (text[i + 1:i + 2] == "\n" or text[i + 1:i + 3] == "\r\n")}
        assert left - splices == code
        assert outline.unclosed == [t.offset + t.text.index(t.text.lstrip("uUL8")[0]) for t in tokens
                                    if t.kind in ("string", "char") and not t.closed]
        found = [(outline.line_of(start), outline.column_of(start),
                  [t.text for t in code_tokens(tokenize(text[start:end], outline.line_of(start)))])
                 for start, end in outline.directives]
        assert found == _directive_lines(text, in_comment)
        first_tokens = {}
        for tok in tokens:
            first_tokens.setdefault(tok.line, tok)
        reached = set()
        for tok in tokens:
            reached.update(range(tok.line + 1, tok.line + tok.text.count("\n") + 1))
        for index in range(len(outline.line_starts)):
            first = outline.first_token(index)
            tok = first_tokens.get(10 + index) if 10 + index not in reached else None
            assert (first is None) == (tok is None), (text, index)
            if tok is not None:
                assert (outline.line_of(first), outline.column_of(first)) == (tok.line, tok.column)


def test_outline_directives_of_a_kernel_header(kernel_tree):
    text = (kernel_tree / "include" / "linux" / "bpf.h").read_text()
    found = [(Outline(text).line_of(start)) for start, _end in Outline(text).directives]
    assert found == [start for start, _toks in directives(tokenize(text))]
    assert len(found) > 100


def test_unspliced_newline_is_the_lookbehind_search():
    # the directives' ends, found by str.find, are where a newline no backslash splices is found
    import random

    from patchflow.lexers.c import _unspliced_newline

    lookbehinds = re.compile(r"(?<!\\)(?<!\\\r)\n")
    rng = random.Random(13)
    for _ in range(3000):
        text = "".join(rng.choice("\\\r\nx#") for _ in range(rng.randrange(0, 14)))
        start = rng.randrange(0, len(text) + 1)
        end = rng.randrange(start, len(text) + 1)
        match = lookbehinds.search(text, start, end)
        assert _unspliced_newline(text, start, end) == (match.start() if match else -1), (text, start, end)


def test_outline_block_comment_body_is_the_lazy_search():
    # the possessive body of a block comment ends where `.*?` then `*/` (or the end) would
    import random

    from patchflow.lexers.c import _BLOCK_COMMENT_BODY

    lazy_body = re.compile(r"/\*(?s:.*?)(?:\*/|\Z)")
    possessive = re.compile(r"/\*" + _BLOCK_COMMENT_BODY + r"(?:\*/|\Z)")
    rng = random.Random(17)
    for _ in range(3000):
        text = "".join(rng.choice(["/", "*", "x", "\n", "/*", "*/", "**"]) for _ in range(rng.randrange(0, 16)))
        start = rng.randrange(0, len(text) + 1)
        expected, found = lazy_body.match(text, start), possessive.match(text, start)
        assert (found and found.span()) == (expected and expected.span()), (text, start)


def test_outline_line_starts_from_the_callers_lines():
    for text, in_comment in OUTLINE_CASES:
        text = text if text.endswith("\n") else text + "\n"
        lines = text.split("\n")[:-1]
        given = Outline(text, 10, in_comment, lines=lines)
        assert given.line_starts == Outline(text, 10, in_comment).line_starts
        assert [given.first_token(i) for i in range(len(lines))] == \
            [Outline(text, 10, in_comment).first_token(i) for i in range(len(lines))]


def test_outline_of_hostile_input_is_linear():
    for text in ["(" * 50000 + ")" * 50000, "/* " + "( " * 1000000, '"' + "\\a(" * 600000,
                 "\\" * 1000000, "#" * 100000, ("#if X \\\n" * 100000), "\n".join(["# x"] * 100000)]:
        outline = Outline(text)
        assert len(outline.masked) == len(text) and outline.directives is not None
        assert outline.code_before(len(text)) >= -1


# --- Python -----------------------------------------------------------------------------------

from patchflow.lexers.python import tokenize as py_tokenize  # noqa: E402


def py(text, first_line=1):
    return [(t.kind, t.text, t.line, t.column) for t in py_tokenize(text, first_line) if t.kind != "newline"]


def test_python_parenthesis_in_a_string_is_part_of_the_string():
    toks = py("print('static %s(* const %s)(' % (a,\n                                   b))\n")
    assert [t for t in toks if t[1] == "("] == [("op", "(", 1, 6), ("op", "(", 1, 34)]
    assert ("name", "b", 2, 36) in toks


def test_python_columns_follow_tab_stops_of_8():
    # `(` is at column 13 (the tab reaches column 9), `b` after a tab and five blanks at 14
    assert ("op", "(", 1, 13) in py("\tx = (a,\n\t     b)\n")
    assert ("name", "b", 2, 14) in py("\tx = (a,\n\t     b)\n")
    # the kunit case: continued with more tabs than the opening line, aligned on screen
    assert ("name", "ret", 2, 23) in py("\tprint('%s' % (name,\n\t\t      ret))\n")


def test_python_fragment_dedenting_below_its_start_is_tokenized_whole():
    toks = py("        x = f(a,\n              b)\n    y = g(1,\n          2)\nz = 3\n", first_line=800)
    assert ("name", "z", 804, 1) in toks and ("number", "2", 803, 11) in toks


def test_python_fstring_is_one_string_token():
    toks = py('x = f"a{b(1)}c(" + g(1,\n                      2)\n')
    assert ("string", 'f"a{b(1)}c("', 1, 5) in toks
    assert [t[3] for t in toks if t[1] == "("] == [21]


def test_python_unterminated_strings_and_statements():
    toks = py_tokenize("x = 'abc(\ny = f(2,\n      3)\n")
    assert [(t.kind, t.text, t.closed) for t in toks if not t.closed] == [("string", "'abc(", False)]
    assert ("number", "3", 3, 7) in [(t.kind, t.text, t.line, t.column) for t in toks]
    toks = py_tokenize('x = """abc(\ny = 2\n')
    assert toks[-1].kind == "string" and not toks[-1].closed and toks[-1].text.startswith('"""abc(')
    assert [t.text for t in py_tokenize("x = f(a,\n")] == ["x", "=", "f", "(", "a", ","]


def test_python_hostile_input_does_not_raise_and_is_linear():
    for text in ["(" * 50000 + ")" * 50000 + "\nx = 1\n", "x = f(a, 'b') + " * 100000 + "1\n",
                 "'" + "(" * 1000000, '"""' + "a(\n" * 100000, ")" * 1000 + "\n" + "  \n\tx\n  y\n"]:
        py_tokenize(text)


# --- checkpatch's masked view: the search for comments and literals against a token-by-token walk ---

from patchflow.lexers.c import COMMENT_MASK, checkpatch_masked  # noqa: E402

# every token as checkpatch's sanitizer reads it: code runs, a lone `/`, a `//` comment to its newline,
# a block comment, a literal across newlines to its quote
_WALK = re.compile(r"""[^"'/]+|/(?![/*])|(?P<line>//[^\n]*)|(?P<block>/\*(?s:.*?)(?:\*/|\Z))
    |(?P<literal>"(?:[^"\\]+|\\(?s:.))*"?|'(?:[^'\\]+|\\(?s:.))*'?)""", re.VERBOSE)


def _walked(text):
    out = []
    for match in _WALK.finditer(text):
        found = match.group()
        if match.lastgroup is None:
            out.append(found)
        elif match.lastgroup == "literal":
            quote = found[0]
            closed = len(found) > 1 and found.endswith(quote) and (len(found[1:-1]) - len(found[1:-1].rstrip("\\"))) % 2 == 0
            body = re.sub(r"\\[^\n]", "XX", found[1:-1] if closed else found[1:])
            out.append(quote + re.sub(r"[^\t\n]", "X", body) + (quote if closed else ""))
        else:
            out.append(re.sub(r"[^\t\n]", COMMENT_MASK, found) if match.lastgroup == "block"
                       else COMMENT_MASK * len(found))
    return "".join(out).split("\n")


def test_masked_view_finds_the_comments_and_literals_a_token_walk_finds():
    import random

    pieces = ["/", "*", "//", "/*", "*/", '"', "'", "\\", "\n", "\t", " ", "a", "(x)", "#", "é"]
    generator = random.Random(13)
    for _ in range(3000):
        text = "".join(generator.choice(pieces) for _ in range(generator.randrange(1, 30)))
        if "#" in text:
            continue  # `#include` and `#error` lines are masked apart (below)
        assert checkpatch_masked(text) == _walked(text), repr(text)


def test_masked_view_of_directives_and_a_hunk_that_starts_in_a_comment():
    assert checkpatch_masked('#include <linux/bpf.h>\n\t # error "no" x\nint a; # b') == [
        "#include <XXXXXXXXXXX>", '\t # error XXXXXX', "int a; # b"]
    assert checkpatch_masked("/* a */ #include <x.h>\n") == [COMMENT_MASK * 7 + " #include <XXX>", ""]
    assert checkpatch_masked(" end */ f('\\n', \"/*\");", in_comment=True) == [
        COMMENT_MASK * 7 + " f('XX', \"XX\");"]
