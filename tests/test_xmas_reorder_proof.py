"""REVERSE_XMAS_TREE proves a reordered block with the C lexer (`fix_guard`): its shortcut, which
lexes the block once and reorders its tokens, must give what lexing the reordered block gives."""

from __future__ import annotations

from itertools import permutations

from patchflow.fix_guard import same_declarations, same_declarations_reordered

_KERNEL_FILES = ("net/core/dev.c", "net/core/filter.c", "net/core/sock.c")


def _both(chunks, order):
    before = "\n".join(line for chunk in chunks for line in chunk)
    after = "\n".join(line for k in order for line in chunks[k])
    return same_declarations_reordered("a.c", chunks, order), same_declarations("a.c", before, after)


def test_the_shortcut_answers_as_lexing_the_reordered_block():
    cases = [
        [["\tint a; /* c */"], ["\tlong b;"], ['\tchar *s = "x;";']],
        [["\tint a; /* open"], ["\t*/ int q;"], ["\tlong b;"]],  # a comment across two chunks
        [["\tint a = 1 + \\"], ["\t2;"], ["\tlong b;"]],  # a backslash joins two chunks' lines
        [["\tint a = 1 + \\\r"], ["\t2;"], ["\tlong b;"]],
        [['\tchar *s = "abc;'], ["\tint b;"], ["\tlong c;"]],  # a literal left open
        [["\tint a = f(1,"], ["\t2);"], ["\tint c;"]],  # a statement across two chunks
        [["\tint a; /* x", "\t y */"], ["\tint b;"], ["\tlong c; // n"]],  # a comment of two lines
        [["\t// note"], ["\tint b;"], ["\tlong c; /* last"]],  # a comment left open on the last line
        [["\tint b;"], ["\tlong c;"], ["\tint a; // x \\"]],  # a `//` comment that a backslash continues
        [["\tint a = f(1,\n\t\t2);"], ["\tlong c;"], ["\tint d;"]],  # a "line" that holds a line end
        [["\tint a = '\\\\';"], ["\tint b = '\\''; /* c */ int d;"], ["#define X 1"]],
    ]
    for chunks in cases:
        for order in permutations(range(len(chunks))):
            mine, lexed = _both(chunks, list(order))
            assert mine == lexed, (chunks, order)
    assert _both(cases[0], [2, 0, 1]) == (None, None)
    assert _both(cases[1], [1, 0, 2])[0] is not None


def test_the_shortcut_answers_as_lexing_on_kernel_lines(kernel_tree):
    """Every run of four lines of three net/core files, cut into chunks of one, one and two lines and
    reordered: macros ending in backslashes, comments of many lines and literals among them."""
    compared = differ = 0
    for name in _KERNEL_FILES:
        lines = (kernel_tree / name).read_text(errors="surrogateescape").splitlines()
        for k in range(0, len(lines) - 4, 3):
            chunks = [[lines[k]], [lines[k + 1]], lines[k + 2:k + 4]]
            for order in ([2, 0, 1], [1, 2, 0]):
                mine, lexed = _both(chunks, order)
                assert mine == lexed, (name, k + 1, order)
                compared += 1
                differ += lexed is not None
    assert compared > 10000 and differ > 1000
