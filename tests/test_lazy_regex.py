"""patchflow.lazy_regex: a pattern compiled on first use answers as re.compile's would."""

import re
import subprocess
import sys

from patchflow.lazy_regex import lazy


def test_lazy_pattern_answers_as_the_compiled_one():
    text = "Fixes: 15c14a3dca42 (\"bpf: x\")\nfixes: abc\n"
    for source, flags in ((r"^fixes:\s*([0-9a-f]+)", re.IGNORECASE | re.MULTILINE), (r"(?P<hex>[0-9a-f]{5,})", 0)):
        pattern, compiled = lazy(source, flags), re.compile(source, flags)
        assert pattern.search(text).group(1) == compiled.search(text).group(1)
        assert (pattern.match(text) is None) == (compiled.match(text) is None)
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in compiled.finditer(text)]
        assert pattern.sub("<>", text) == compiled.sub("<>", text)
        assert (pattern.pattern, pattern.flags, pattern.groupindex) == (compiled.pattern, compiled.flags,
                                                                        compiled.groupindex)


def test_a_bad_pattern_fails_on_first_use_not_at_import():
    pattern = lazy("(")
    try:
        pattern.search("x")
    except re.error:
        pass
    else:
        raise AssertionError("an unbalanced parenthesis compiled")


# run first in a fresh interpreter: counts the patterns compiled from then on, by re.compile or by
# the regex store's copy of its steps (each parses its pattern once)
COUNT_COMPILES = ("import re._parser as c, sys\n"
                  "n = [0]\n"
                  "orig = c.parse\n"
                  "def count(*a, **k):\n"
                  "    n[0] += 1\n"
                  "    return orig(*a, **k)\n"
                  "c.parse = count\n")


def test_importing_the_checks_compiles_few_patterns():
    # counted in a fresh interpreter: check's start-up time pays for every pattern compiled at import
    code = COUNT_COMPILES + ("import patchflow.checks as checks\n"
                             "checks.registered_checks()\n"  # every family imported
                             "print(n[0])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert int(out.stdout) <= 20, out.stdout
