"""What tells a fix from other changes in a commit message (for FIXES_TAG_MISSING): its summary
("Fix ...", "Avoid a NULL pointer dereference"), its description ("This patch fixes the problem",
"Fix this by ...", "Without this change ...", a bug class such as "use-after-free", "may be NULL"
or "hangs"), a crash report it quotes (`Call Trace:`, `BUG: `, `KASAN: `) and a `Reported-by:`
trailer (someone met the bug).
"""

from __future__ import annotations

import re

from ..lazy_regex import lazy

# "net: sched: fix ...", "bpf, sockmap: Fix ...", "selftests/bpf: fix ..." -> "fix ..."
_COMPONENTS = lazy(r"^(?:[^\s:,]+(?:,\s*[^\s:,]+)*:\s+)+")
_FIX_WORD = lazy(r"^(fix|fixes|fixed)\b", re.IGNORECASE)
_FIX_PHRASE = lazy(
    r"\bfix(?:es|ed)?\s+(?:a|an|the|this|that|possible|potential)\s+(?:[\w-]+\s+){0,2}?"
    r"(bug|crash|leak|panic|oops|deadlock|race|regression|use-after-free|uaf|overflow|null[- ]pointer|"
    r"problem|issue|hang|failure)",
    re.IGNORECASE)
# "Fix this by ...", "Let's fix this", "To fix this, ...", "Fix this.", "This patch fixes ..."
# "Without this change, the test fails", "otherwise the tests will not work"
_FIX_SENTENCE = lazy(r"(?:^|[.!?:]\s+)(?:(?:to|let's|let us|so)\s+)?fix\s+(?:this|it|that)?\s*(?:by\b|[.,])|"
                     r"\b(?:this|the)\s+(?:patch|commit|change)\s+fixes\b|"
                     r"\b(?:to|let's|let us)\s+fix\s+(?:this|it|that)\b|\bwithout this (?:patch|change|fix)\b|"
                     r"\botherwise\b[^.]{0,40}\b(?:will|would)\s+(?:not work|fail|crash|hang|break)", re.IGNORECASE)
# a crash report quoted in the description, or a bug class named in it
_BUG_EVIDENCE = lazy(r"\bCall Trace:|\bBUG: |\b(?:KASAN|KCSAN|UBSAN|KMSAN): |\bOops\b|general protection fault|"
                     r"kernel panic|unable to handle (?:kernel )?(?:page fault|NULL pointer)|"
                     r"\b(?:may|can|could|might) be NULL\b|\b(?:hangs?|hung|get(?:s|ting)? stuck|lockup)\b|"
                     r"\b(?:null[- ]pointer dereference|use-after-free|double[- ]free|memory leak|"
                     r"out[- ]of[- ]bounds (?:read|write|access)|uninitiali[sz]ed (?:value|variable|symbol|memory))\b",
                     re.IGNORECASE)
# one of these, lower-cased, is in every match of _BUG_EVIDENCE (tests/test_fix_signs.py holds it to that)
_BUG_EVIDENCE_WORDS = ("call trace:", "bug: ", "san: ", "oops", "general protection fault", "kernel panic",
                       "unable to handle", "hang", "hung", "stuck", "lockup", "null", "use-after-free",
                       "double", "memory leak", "bounds", "uninitiali")
# "Fix typo in ...", "fix kernel-doc of ...": a fix of text, which takes no Fixes: tag
_COSMETIC = lazy(r"\b(typos?|spelling|misspell\w*|grammar|comments?|kernel-?doc|docs?|documentation|"
                 r"whitespace|indentation|formatting|coding[ -]style|checkpatch)\b", re.IGNORECASE)
# what the summary of an untagged fix says, beyond "fix": "Avoid double IRQ free", "Prevent a NULL
# pointer dereference", "Correct ...", and the bug classes reviewers answer with "needs a Fixes: tag"
_FIX_LIKE = lazy(r"^(avoid|prevent|correct|restore)\b|\b(null[- ]pointer|use-after-free|double[- ]free|"
                 r"memory leak|deadlock|race condition|out[- ]of[- ]bounds|uninitiali[sz]ed|panic|crash)\b",
                 re.IGNORECASE)


def _summary(patch) -> str:
    return _COMPONENTS.sub("", (patch.summary or "").strip())


def _description(patch) -> list[tuple]:
    """The commit message lines above the trailers."""
    trailer_lines = {t.patch_line for t in patch.trailers}
    return [(n, text) for n, text in patch.message if n not in trailer_lines]


def fixes_only_text(patch) -> bool:
    """Whether the summary says the patch fixes text (a typo, a comment, kernel-doc)."""
    return _COSMETIC.search(_summary(patch)) is not None


def describes_fix(patch) -> bool:
    """Whether the commit message says the patch fixes a bug: its summary starts with "fix" (not of
    text), or its description says it fixes one, names a bug class or quotes a crash report."""
    summary = _summary(patch)
    if _FIX_WORD.match(summary) and not _COSMETIC.search(summary):
        return True
    body = " ".join(text.strip() for _, text in _description(patch))
    if body.isascii():  # each pattern is tried at every position: a word that every match holds rules most out
        lowered = body.lower()
        return bool("fix" in lowered and (_FIX_PHRASE.search(body) or _FIX_SENTENCE.search(body))
                    or ("without this" in lowered or "otherwise" in lowered) and _FIX_SENTENCE.search(body)
                    or any(word in lowered for word in _BUG_EVIDENCE_WORDS) and _BUG_EVIDENCE.search(body))
    return bool(_FIX_PHRASE.search(body) or _FIX_SENTENCE.search(body) or _BUG_EVIDENCE.search(body))


def sounds_like_a_fix(patch) -> bool:
    """Whether the summary names a bug class or an avoided failure, or someone reported the bug
    (`Reported-by:`), for a patch that names no tree."""
    summary = _summary(patch)
    if _COSMETIC.search(summary):
        return False
    return bool(_FIX_LIKE.search(summary)) or bool(patch.trailer_values("Reported-by"))
