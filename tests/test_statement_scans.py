"""ASSIGN_IN_IF and UNNECESSARY_PARENTHESES judge only the `if` lines whose condition one match of
the masked text (`_statement._ASSIGNING_IF`, `_UNCALLED_PARENTHESES_IF`) does not prove clean:
a proof must never hold for a condition the judge reports, read as the judge reads it (the
condition's lines joined by "\\n+", `condition_text`)."""

import random

from patchflow.checks import _statement, statements
from patchflow.checks._brackets import balanced_end

_PIECES = ["(", ")", "(", ")", "a", "f(", "&(", "!(", "~(", "*(", " ", "\t", "\n", "=", "==", "!=", "<=",
           ">=", "<", ">", "!", "<<=", "=\n", "\n=", "b->c", " && ", " || ", "x1", "\x1c"]


def _condition(text):
    """The condition the judge reads after the first `if (` of the text's first line."""
    first = text.split("\n")[0]
    found = statements._IF_CALL.search(first)
    if found is None:
        return None
    joined = "\n+".join([first[found.end() - 1:]] + text.split("\n")[1:])
    end = balanced_end(joined, 0)
    return joined[:end] if end is not None else None


def test_a_condition_proved_clean_raises_nothing():
    rng = random.Random(17)
    proved = {"assign": 0, "parens": 0}
    reported = {"assign": 0, "parens": 0}
    for _ in range(60000):
        text = "if (" + "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 16)))
        condition = _condition(text)
        if condition is None:
            continue
        assigns = statements._ASSIGNMENT.search(condition.replace("\x1c", " ")) is not None
        uncalled = statements._PAREN_NOT_CALLED.search(condition, 1, len(condition) - 1) is not None
        reported["assign"] += assigns
        reported["parens"] += uncalled
        if _statement._ASSIGNING_IF.search("\n" + text + "\n") is None:
            proved["assign"] += 1
            assert not assigns, repr(text)
        if _statement._UNCALLED_PARENTHESES_IF.search("\n" + text + "\n") is None:
            proved["parens"] += 1
            assert not uncalled and statements._double_parens(text.split("\n")[0]) is None, repr(text)
    assert min(proved.values()) > 3000 and min(reported.values()) > 300, (proved, reported)


def test_conditions_the_judges_read():
    assert _statement._ASSIGNING_IF.search("\tif (a == b && c <= d && !(e != f))\n") is None
    assert _statement._ASSIGNING_IF.search("\tif ((err = f(a)))\n")
    assert _statement._ASSIGNING_IF.search("\tif (a <\n\t    = b)\n")  # joined: "+=" assigns
    assert _statement._UNCALLED_PARENTHESES_IF.search("\tif (f(a) && !(b & c) && d[g(e)])\n") is None
    assert _statement._UNCALLED_PARENTHESES_IF.search("\tif ((a == b) && c)\n")
    assert _statement._UNCALLED_PARENTHESES_IF.search("\tif (a &&\n(b))\n")
