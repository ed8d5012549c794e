"""BRACES leaves out the `if` lines whose chain one match of the masked text proves to have one arm
(`braces._ONE_ARM`): that proof must never hold for a chain the chain reader reads as several arms,
nor for one it reads only part of (the window it is shown ends inside the chain)."""

import random
import re

from patchflow.checks import braces

_PROVED_ONE_ARM = re.compile(r"\n[ \t\x1c]*+if" + braces._WORD_END + r"(?=" + braces._ONE_ARM + ")")
_PIECES = ["if", "else", "(", ")", "[", "]", "{", "}", ";", "#", "\n", "\n#", "\t", " ", "\x1c", "a",
           "x = 1;", "f(a);", "\nif (a) ", "\n\tif (a[0]) {", "\n\tif ((a) && b)\n", "} else {", "else if (b)",
           "\nelse", "elsewhere", "if_x"]


def _proved_lines(text):
    """The offsets of the lines the proof holds for, in "\\n" + text."""
    framed = "\n" + text
    return [match.start() for match in _PROVED_ONE_ARM.finditer(framed)]


def test_a_proved_if_has_one_arm_in_every_window():
    rng = random.Random(11)
    proved = several = 0
    for _ in range(60000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 18)))
        for start in _proved_lines(text):
            rest = text[start:]
            proved += 1
            for end in {len(rest), rng.randint(0, len(rest))}:  # the whole text, and a window cut short
                assert braces._if_chain_arms(rest[:end]) is None, (repr(text), start, end)
        for start in [0] + [index + 1 for index, char in enumerate(text) if char == "\n"]:
            several += braces._if_chain_arms(text[start:]) is not None
    assert proved > 8000 and several > 800  # the generated chains have both shapes


def test_the_proof_leaves_chains_of_several_arms_and_deep_nests_to_the_judge():
    one_arm = "\tif (a) {\n\t\tf(a);\n\t\tg(a);\n\t}\n\treturn 0;\n"
    assert _proved_lines(one_arm) == [0]
    assert _proved_lines("\tif (a)\n\t\tf(a);\n\telse\n\t\tg(a);\n") == []
    assert _proved_lines("\tif (a) {\n\t\tf(a);\n\t} else {\n\t\tg(a);\n\t}\n") == []
    deep = "\tif (a) " + "{" * 7 + "f(a);" + "}" * 7 + "\n"
    assert _proved_lines(deep) == []  # nested deeper than the pattern reads
    assert _proved_lines("\tif (a)\n#ifdef X\n\t\tf(a);\n#endif\n") == []  # a directive inside the arm
