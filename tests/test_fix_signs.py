"""The words FIXES_TAG_MISSING's description patterns are prefiltered by are in every match.

`describes_fix` searches a description for a pattern only when one of the pattern's words is in it
(lower-cased): each pattern is tried at every position of the text otherwise. Here every string the
patterns can match, up to the choice of characters in large classes, is spelled out from the
patterns' parse, and each must hold one of the words: a branch added to a pattern without its word
fails this test.
"""

from __future__ import annotations

import itertools

import pytest

from patchflow.checks import _fix_signs

try:
    from re import _constants as sre, _parser as sre_parse
except ImportError:  # pragma: no cover - Python before 3.11
    import sre_constants as sre  # type: ignore
    import sre_parse  # type: ignore


def spellings(items):
    """Every string the parsed pattern `items` matches, taking each branch and each member of a
    small class, a repeat at its least count and one more, one member of a large class, and a
    blank at a word's edge."""
    out = [""]
    for op, arg in items:
        if op == sre.LITERAL:
            options = [chr(arg)]
        elif op == sre.IN:
            members = [_member(o, a) for o, a in arg]
            options = ["x"] if arg[0][0] == sre.NEGATE else members if len(members) <= 3 else members[:1]
        elif op == sre.BRANCH:
            options = [s for branch in arg[1] for s in spellings(branch)]
        elif op == sre.SUBPATTERN:
            options = spellings(arg[-1])
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            low, _, inner = arg
            once = spellings(inner)
            options = ["".join(p) for count in (low, low + 1) for p in itertools.product(once, repeat=count)]
        elif op == sre.AT:
            options = [" " if arg == sre.AT_BOUNDARY else ""]  # a word's edge: a blank there is one
        elif op == sre.NOT_LITERAL:
            options = ["x"]
        else:
            raise AssertionError(f"no spelling for {op}")
        out = [a + b for a, b in itertools.product(out, options)][:20000]
    return out


_CATEGORY = {sre.CATEGORY_SPACE: " ", sre.CATEGORY_WORD: "w", sre.CATEGORY_DIGIT: "1"}


def _member(op, arg) -> str:
    """One character a member of a class matches."""
    if op == sre.LITERAL:
        return chr(arg)
    if op == sre.RANGE:
        return chr(arg[0])
    return _CATEGORY[arg]


CASES = [(_fix_signs._BUG_EVIDENCE, _fix_signs._BUG_EVIDENCE_WORDS),
         (_fix_signs._FIX_PHRASE, ("fix",)),
         (_fix_signs._FIX_SENTENCE, ("fix", "without this", "otherwise"))]


@pytest.mark.parametrize("pattern, words", CASES, ids=["bug-evidence", "fix-phrase", "fix-sentence"])
def test_every_match_holds_a_prefilter_word(pattern, words):
    parsed = sre_parse.parse(pattern.pattern, pattern.flags)
    samples = spellings(list(parsed))
    assert len(samples) > 10
    for sample in samples:
        assert pattern.search(sample), sample  # the spelling is right: the pattern finds it
        assert any(word in sample.lower() for word in words), sample


def test_describes_fix_reads_the_same_with_and_without_the_prefilter():
    class Patch:
        summary = "net: example: tidy the queue setup"
        trailers = []

        def __init__(self, text):
            self.message = [(n, line) for n, line in enumerate(text.splitlines())]

    texts = ["The queue may be NULL here when the device is gone.",
             "Without this change, the test fails.", "Clean up the setup. No functional change.",
             "Call Trace:\n  dump_stack+0x10/0x20", "The reader hangs forever.",
             "The reader HANGS forever.", "Ünïcode text: the buffer may be NULL."]
    for text in texts:
        body = " ".join(line.strip() for line in text.splitlines())
        plain = bool(_fix_signs._FIX_PHRASE.search(body) or _fix_signs._FIX_SENTENCE.search(body)
                     or _fix_signs._BUG_EVIDENCE.search(body))
        assert _fix_signs.describes_fix(Patch(text)) == plain, text
    assert [_fix_signs.describes_fix(Patch(t)) for t in texts] == [True, True, False, True, True, True, True]
