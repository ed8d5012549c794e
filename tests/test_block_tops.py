"""REVERSE_XMAS_TREE skips a block whose top declarations its text shows in order
(`_block_tops.opens_in_order`) before lexing it: the skip must hide no finding."""

from __future__ import annotations

from patchflow.checks import _block_tops, xmas
from patchflow.checks.xmas import KnownLine
from test_layout_scans import _new_file_patch

_KERNEL_FILES = ("net/core/sock.c", "net/core/dev.c", "net/core/filter.c", "net/core/skbuff.c")


def _window(*texts):
    return [KnownLine(number, text, None) for number, text in enumerate(texts, 1)]


def test_plain_declarations_longest_first_then_a_statement_are_in_order():
    assert _block_tops.opens_in_order(_window("{", "\tstruct sk_buff *skb;", "\tint err;", "", "\terr = 0;"))
    # across a blank line the order still holds: reviewers read the lines as one block
    assert _block_tops.opens_in_order(_window("{", "\tstruct sk_buff *skb;", "", "\tint err;", "\treturn 0;"))
    # a block that opens with a statement has no top declarations to order
    assert _block_tops.opens_in_order(_window("if (err) {", "\treturn err;"))
    assert _block_tops.opens_in_order(_window("{", "", "\terr = 0;"))


def test_what_the_text_cannot_prove_is_left_to_the_lexer():
    for window in (
            _window("{", "\tint err;", "\tstruct sk_buff *skb;", "\treturn 0;"),  # out of order
            _window("{", "\tint err;", "", "\tstruct sk_buff *skb;", "\treturn 0;"),  # out of order across a blank
            _window("{", "\tunsigned long total = a +", "\t\tb;", "\tint x;", "\treturn 0;"),  # two lines
            _window("{", "\tint err; /* why */", "\treturn 0;"),  # a comment
            _window("{", "\tchar *s = \"a;\";", "\treturn 0;"),  # a literal
            _window("{", "\tint a = b / c;", "\treturn 0;"),  # a division, read as a comment's start
            _window("{", "\tint err;", "\tint ret;"),  # no statement: the block goes on past the window
            _window("if (x) { /* c */", "\tint err;", "\treturn 0;"),  # the `{` line holds a comment
            _window("{", "#ifdef CONFIG_X", "\tint err;", "#endif", "\treturn 0;")):  # a directive
        assert not _block_tops.opens_in_order(window), [line.text for line in window]


def _swapped_tops(lines):
    """The lines with the first two lines of each function body swapped where both are one-line
    declarations: some blocks fall out of order, some stay in order (equal or swapped lengths)."""
    lines = list(lines)
    for k in range(len(lines) - 2):
        if lines[k] == "{" and all(_block_tops._ONE_PLAIN_LINE.match(lines[k + j]) for j in (1, 2)):
            lines[k + 1], lines[k + 2] = lines[k + 2], lines[k + 1]
    return lines


def test_blocks_skipped_as_in_order_hide_no_finding(tmp_path, kernel_tree, run_cli, monkeypatch):
    patches = []
    for name in _KERNEL_FILES:
        lines = (kernel_tree / name).read_text(errors="surrogateescape").splitlines()
        patches += [_new_file_patch(tmp_path, name, lines),
                    _new_file_patch(tmp_path, "swapped/" + name, _swapped_tops(lines))]
    args = ("check", "--terse", "--types", "REVERSE_XMAS_TREE", "--xmas-tree", "always", *patches)
    skipped = []
    real = _block_tops.opens_in_order

    def counted(*window):
        answer = real(*window)
        skipped.append(answer)
        return answer

    monkeypatch.setattr(xmas, "opens_in_order", counted)
    _, with_skip, _ = run_cli(*args)
    monkeypatch.setattr(xmas, "opens_in_order", lambda *window: False)
    _, lexed, _ = run_cli(*args)
    assert with_skip == lexed
    assert with_skip.count("REVERSE_XMAS_TREE") > 50  # the swapped blocks are found out of order
    assert skipped.count(True) > 500  # and most blocks in order were skipped


def _windows_line_by_line(segment):
    """_function_windows as its docstring defines it, one line at a time: what its search of the
    joined lines must find."""
    texts = [line.text.rstrip() for line in segment.lines]
    closers = [k for k, text in enumerate(texts) if text.startswith("}")]
    openers = [k for k, text in enumerate(texts) if text == "{"]
    found = []
    for first in openers:
        last = min([k for k in closers if k >= first] + [len(texts) - 1] + [k - 1 for k in openers if k > first])
        found.append((first, first, last))
    return found + [(k, k, min(k + xmas.NESTED_WINDOW, len(texts) - 1)) for k, text in enumerate(texts)
                    if text.endswith("{") and xmas._BLOCK_OPENER.match(text)]


def test_blocks_found_by_searching_the_joined_lines_are_those_of_each_line(kernel_tree):
    edges = ["}", "{", "\tif (x) { \r", "{\t", "\tfor (;;) {\f", " } else {", "\t} else { /* c */", "{}", "} ", "",
             "\twhile (x)\u00a0{\u2003", "\tlist_for_each_entry(p, &l, node) {", "{ {", "\tdo {\x1c", "}"]
    for lines in [edges, edges[1:]] + [(kernel_tree / name).read_text(errors="surrogateescape").splitlines()
                                       for name in _KERNEL_FILES]:
        segment = xmas.Segment([KnownLine(number, text, None) for number, text in enumerate(lines, 1)], True)
        found = list(xmas._function_windows(segment, _block_tops.JoinedLines(segment.lines)))
        assert found == _windows_line_by_line(segment)
        assert len(found) > 5
