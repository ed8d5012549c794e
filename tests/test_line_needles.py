"""checks/_lines.py: a needle scanned over a file's added lines joined by "\\n" finds the lines a
search of each line alone finds, and the line checks' filters hide no finding."""

import random
import re

import pytest

from patch_cases import case_files

from patchflow import checks
from patchflow.checks import _lines, _needles
from patchflow.checks import Options
from patchflow.checks._lines import AddedLines
from patchflow.checks._needles import Needle, joinable
from patchflow.patch import DiffLine, FileDiff, Hunk, Series, read_patches


def _file_of(texts, no_newline_at=None):
    lines = [DiffLine("+", text, number, None, number, no_newline=number == no_newline_at)
             for number, text in enumerate(texts, 1)]
    return FileDiff(None, "net/core/x.c", 0, hunks=[Hunk(0, 0, 1, len(lines), "", 0, lines)])


def _registered_filters():
    return {info.type: info.func.line_filter for info in checks.registry().values()
            if getattr(info.func, "line_filter", None) is not None}


def _real_lines(kernel_tree):
    """The added lines of every test case, and every line of the tree's kernel/bpf/*.c."""
    texts = []
    for case in case_files():
        for patch in read_patches(str(case)):
            texts.extend(line.text for file in patch.files for line in file.added_lines())
    for source in sorted((kernel_tree / "kernel" / "bpf").glob("*.c")):
        texts.extend(source.read_text(errors="surrogateescape").split("\n"))
    return texts


_PIECES = ["if", "else", "{", "}", " ", "  ", "\t", "\t ", "static", "=", "==", "0", "NULL", "false", "TRUE",
           "#define", "define", "(", ")", "()", "[", "]", "/", "/*", "*/", "*", "\"", "&&", "||", ";", ";;", ":",
           "\r", "typedef", "NR_CPUS", "udelay", "kzalloc", "int32_t", "BUG", "ENOTSUPP", "fall through", "Thr",
           "extern", "strcpy", "volatile", "x", "ret", "_", "é", "\x0b", "\x0c", "\\", "<", ">", "!=", "do",
           "|", "]", "&&", "kzalloc", "int8_t", "ſ", "\u212a"]


def _generated_lines(count, seed):
    rng = random.Random(seed)
    return ["".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 6))) for _ in range(count)]


def _per_line(source, texts):
    pattern = re.compile(source)
    return [index for index, text in enumerate(texts) if pattern.search(text)]


def test_every_registered_needle_finds_the_lines_a_search_of_each_line_finds(kernel_tree):
    filters = _registered_filters()
    needles = {wanted.needle.source for wanted in filters.values() if wanted.needle is not None}
    # the C checks' needles and the line checks' are all here (39 when written; fewer since the
    # statement, brace, layout, spacing and several long-tail checks find their lines by scans of the
    # joined text, compared with judging every line in tests/test_line_scans.py,
    # tests/test_spacing_scans.py, tests/test_layout_scans.py and tests/test_check_prefilters.py;
    # 23 after the sixth speed round)
    assert len(needles) >= 20
    real_lines = _real_lines(kernel_tree)
    assert len(real_lines) > 50000
    # large files are scanned joined, small ones (fewer than SCAN_FROM_LINES lines) line by line
    for texts in (real_lines, _generated_lines(20000, seed=13), ["", "", " "], ["x"], []):
        added = AddedLines(_file_of(texts))
        for source in sorted(needles):
            assert Needle(source).indexes(added) == _per_line(source, texts), source


# needles of every shape _needles plans a scan for: alternations (with `|` inside classes, groups and
# escapes, which do not split), strings every match holds (cased or not, inside groups and
# repetitions), `^` at the start, and the rest
_SHAPES = [r"[|]x|y", r"a\|b|else", r"(if|do)\s*\(|;$", r"[]|]|NULL", r"[^]|]\*|\bdo\b", r"(?i)TRUE|fall",
           r"(?i)\b(?:true|false)\b", r"(?i)ſtatic|K", r"(?i)static\b", r"(?i:static)\s", r"^\s*(?:&&|\|\|)",
           r"^ |=\s*0",
           r"^[ \t].*:", r"(?:kz)+alloc", r"int_?(?:8|16|32|64)_t", r"x{0}static", r"(?:if){0}else", r"é|\r$",
           r"\bstatic\s.*=\s*(?:0|NULL|false)", r"\s$", r"[^;]$", r"^$", r"", r"a|", r"(?s)do.if",
           # searched backwards: no literal at the start, one at the end
           r"\b(?:[A-Z_][A-Z0-9_]*|\d\w*)\s*(?:[<>=!]=|<|>)", r"\w+\s*=", r"\b\w+\($", r"\d+?\s{0,2}[<>]",
           r"\b[a-z]{2,3}\b\s*\(\s*\)", r"\W\w*_t\b\*", r"\b(e)?x+[^\sa-c\]-]\*", r"\w\*\s*\/|\d;",
           # scanned from their first literal on, the lines found asked the needle
           r"\w+=\w", r"^\s*\}.*;", r"^\t+\}.*,", r"^\s*#\s*define\s+\w", r"\d{1,2}ab\d", r"x{0}static\d",
           r"\w\*\s*/\w", r"[a-z]\(\s*\)\s*$", r"^[A-Za-z_].*=\s*(?:0|NULL|false)",
           # scanned once per first character
           r"[<>]\s*\w+;", r"(?:==|!=|<)\s*[A-Z]\w*\b", r"\b[A-Z]+\s*(?:[<>]|==)", r"\w\s*[-+]=\s*1\b",
           # small classes spelled out among the strings every match holds
           r"[=!]=", r"(?i)[ks]tatic", r"[mz]alloc|x[ab]", r"a[bc]+d", r"[^=]=\s*0", r"[\u017f]tatic",
           # strings that hold one another: only the held one is looked for
           r"\b(?:__always_inline|__inline__|__inline|inline)\b", r"(?i)(?:KZALLOC|kz|Kzalloc)\(", r"(?:static|stat)ic"]


def test_needles_of_every_shape_find_the_lines_a_search_of_each_line_finds(kernel_tree):
    lines = _real_lines(kernel_tree) + _generated_lines(20000, seed=7) + ["ſtatic", "STATIC", "\u212a", "k"]
    added = AddedLines(_file_of(lines))
    for source in _SHAPES:
        assert Needle(source).indexes(added) == _per_line(source, lines), source
    ascii_lines = [text for text in lines if text.isascii()]
    added = AddedLines(_file_of(ascii_lines))
    for source in _SHAPES:
        assert Needle(source).indexes(added) == _per_line(source, ascii_lines), source


def test_a_joined_search_never_runs_from_one_line_into_the_next():
    # on a line, which holds no "\n", `[^\S\n]` is `\s`; what could still match a "\n" is searched
    # line by line (from each of 20,000 blank lines, `^\s*$` would run to the end of the run)
    assert _needles._kept_in_line(r"^\s*$") == r"^[^\S\n]*$"
    assert _needles._kept_in_line(r"\(\s*\)|\\s") == r"\([^\S\n]*\)|\\s"
    for source in (r"[\s;]x", r"a[^;]", r"(?s)a.b", r"a\Wb", r"x\n", r"[\x00-\x7f]"):
        assert _needles._kept_in_line(source) is None, source
    blank = AddedLines(_file_of([""] * 20000))
    assert Needle(r"[{}]|else|\bif\b|^\s*$").indexes(blank) == list(range(20000))


def test_a_needle_that_could_see_past_a_line_is_searched_line_by_line(monkeypatch):
    monkeypatch.setattr(_needles, "SCAN_FROM_LINES", 0)  # scanned as a large file's lines are
    texts = ["a", "", "b"]
    added = AddedLines(_file_of(texts))
    # joined by "\n" these would answer differently: a "\n" follows the `a`, and sits on both sides
    # of the empty line, where \B matches (it never matches in an empty string)
    for source in (r"a(?!\s)", r"^\B$", r"\Ab", r"a\Z", r"(?<=\s)b", r"(a)\1?$"):
        assert not joinable(source)
        assert Needle(source).indexes(added) == _per_line(source, texts), source
    assert re.compile(r"^\B$", re.MULTILINE).search("a\n\nb")  # what a joined search would find


def test_a_line_is_not_found_by_a_match_that_would_need_the_next_line(monkeypatch):
    monkeypatch.setattr(_needles, "SCAN_FROM_LINES", 0)  # scanned as a large file's lines are
    texts = ["static x", "= 0;", "if", "static y = 0"]
    needle = Needle(r"\bstatic\s.*=\s*(?:0|NULL|false)")
    assert joinable(needle.source)
    assert needle.indexes(AddedLines(_file_of(texts))) == [3]
    assert Needle(r"^\s*$").indexes(AddedLines(_file_of(["x", "", "\t", "y"]))) == [1, 2]
    assert Needle(r"\(\s*\)").indexes(AddedLines(_file_of(["f(", ")", "g( )"]))) == [2]


def test_a_line_that_holds_a_newline_is_not_joined(monkeypatch):
    monkeypatch.setattr(_needles, "SCAN_FROM_LINES", 0)  # scanned as a large file's lines are
    texts = ["a\nb", "b"]
    added = AddedLines(_file_of(texts))
    assert not added.joined
    assert Needle("^b").indexes(added) == [1]
    assert Needle("b").indexes(added) == [0, 1]
    assert _lines.lines_holding("b", added) == [0, 1]


@pytest.mark.parametrize("case", case_files(), ids=lambda case: case.name)
def test_the_line_checks_filters_hide_no_finding(case, monkeypatch):
    options = Options(strict=True)
    filtered = checks.run(Series(read_patches(str(case))), options)
    for info in checks.registry().values():
        if info.scope == "line" and getattr(info.func, "line_filter", None) is not None:
            monkeypatch.delattr(info.func, "line_filter")
    assert checks.run(Series(read_patches(str(case))), options) == filtered


def test_checks_that_share_a_needle_scan_each_file_once(monkeypatch):
    scans = []
    original = Needle._scanned
    monkeypatch.setattr(Needle, "_scanned", lambda self, added: scans.append(self.source) or original(self, added))
    added = AddedLines(_file_of(["#define A 1", "int x;", "#define B 2"]))
    assert Needle("define").indexes(added) == [0, 2]
    assert Needle("define").indexes(added) == [0, 2]  # a second check's needle, the same pattern
    assert Needle("int").indexes(added) == [1]
    assert scans == ["define", "int"]
    assert Needle("define").indexes(AddedLines(_file_of(["x"]))) == []  # another file: scanned again
    assert scans == ["define", "int", "define"]


def test_a_small_class_is_spelled_out_in_the_strings_a_needle_holds():
    def required(source):
        return _needles._required(list(_needles._sre_parse.parse(source)))

    assert required(r"[=!]=") == ["==", "!="]
    assert required(r"x[mz]alloc") == ["xmalloc", "xzalloc"]
    assert required(r"[^ab]cd") == ["cd"] and required(r"[a-z]cd") == ["cd"]  # not a few characters


def test_a_needle_without_a_leading_literal_is_searched_backwards(monkeypatch):
    # `\b...` is tried at every position; reversed, the needle starts with the operator, which the
    # engine jumps to: the same lines, found from the end of the text
    monkeypatch.setattr(_needles, "SCAN_FROM_LINES", 0)  # scanned as a large file's lines are
    needle = r"\b(?:[A-Z_][A-Z0-9_]*|\d\w*)\s*(?:[<>=!]=|<|>)"
    backwards = _needles._reversed(_needles._kept_in_line(needle))
    assert backwards is not None and re.compile(backwards).search("== MAX")
    texts = ["if (x == MAX)", "if (MAX\t== x)", "a->b", "", "1 <", "x", "3>", "0 < x"]
    assert Needle(needle).indexes(AddedLines(_file_of(texts))) == [1, 4, 6, 7]
    # what starts with a literal, and what does not reverse, is searched forwards
    for source in (r"==\s*\w", r"\bfoo\b", r"\w+(?=x)", r"\w++=", r"(?>\w+)=", r"(?i)\w+=", r"(\w)\1="):
        assert _needles._reversed(source) is None, source


def test_a_c_check_may_name_the_lines_its_judge_is_shown():
    # `lines=`: what rules lines out is found once per file, and the judge sees only the lines named
    from patchflow.checks._ccode import is_c, on_added_lines

    asked, seen = [], []

    def with_brace(file, added, ctx):
        asked.append(file.path)
        return [index for index, text in enumerate(added.text.split("\n")) if "{" in text]

    @on_added_lines(is_c, lines=with_brace)
    def judge(line, file, ctx):
        seen.append(line.text)
        return "brace" if line.text.endswith("{") else None

    texts = ["int f(void)", "{", "\treturn 0;", "}", "struct s { int x; };"]
    patch = read_patches(str(next(case for case in case_files() if case.name == "clean-bpf-fix.patch")))[0]
    patch.files = [_file_of(texts)]
    hits = list(judge(patch, checks.CheckContext(Options(), Series([patch]))))
    assert asked == ["net/core/x.c"]
    assert seen == ["{", "struct s { int x; };"]
    assert [hit.line for hit in hits] == [2]


def test_a_needle_is_scanned_from_its_first_literal_behind_a_start_not_jumped_to():
    # `^\s*` tries every line's indentation, `\w` every position: the scan looks for the literal and
    # asks the needle of the lines found; a literal inside a group, under a repetition or in a
    # repetition's bounds is not every match's
    assert _needles._from_literal(r"^[^\S\n]*\}.*;") == r"\}.*;"
    assert _needles._from_literal(r"\w+=\w") == r"=\w"
    assert _needles._from_literal(r"x{0}static") == "static"
    assert _needles._from_literal(r"\w(?:ab)c") == "c" and _needles._from_literal(r"\w+x*y") == "y"
    assert _needles._from_literal(r"\wa|b") is None and _needles._from_literal(r"\d{1,2}") is None
    assert _needles._from_literal(r"==x") is None and _needles._from_literal(r"(?i)\wab") is None
    assert _needles._from_literal(r"\w[ab]") is None  # a class is no literal


def test_a_needle_that_starts_with_a_few_characters_is_scanned_once_per_character():
    # the engine finds a literal by a tight loop, a class by a call per character of the text
    assert _needles._per_first_character(r"[ab]c|d") == ["a(?:c)", "b(?:c)", "d(?:)"]
    assert _needles._per_first_character(r"(?:=[<>]|<)\s*\b") == [r"=(?:[<>])(?:[\s]){0,}\b", r"<(?:)(?:[\s]){0,}\b"]
    for source in (r"[a-c]x", r"x[ab]", r"[abcde]x", r"[^a]x", r"(?i)[ab]x", r"\w|=", r"(?=a)[ab]", r"a|"):
        assert _needles._per_first_character(source) == [source], source


def test_a_branch_that_another_check_searches_alone_is_scanned_once(monkeypatch):
    monkeypatch.setattr(_needles, "SCAN_FROM_LINES", 0)  # scanned as a large file's lines are
    finds = []
    original = _needles.literal_indexes
    monkeypatch.setattr(_needles, "literal_indexes", lambda literal, *rest: finds.append(literal) or original(literal, *rest))
    added = AddedLines(_file_of(["a \tb", "        c", "d"]))
    alone, either = Needle(" \t"), Needle(" \t|        ")
    assert either.indexes(added) == [0, 1]
    assert alone.indexes(added) == [0]
    assert sorted(finds) == [" \t", "        "]
