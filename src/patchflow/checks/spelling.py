"""Misspelled words in the subject, the commit message and the added lines, from the kernel's own list
(scripts/spelling.txt of the --tree, or the copy of Linux 6.12's shipped in patchflow/data/).
"""

from __future__ import annotations

import os
import re
from itertools import accumulate

from . import CHECK, WARNING, Hit, check
from ._lines import AddedLines, added_lines
from .message import _commit_log
from ..lazy_regex import lazy

# a word as checkpatch delimits a misspelling: letters, digits, '_', '-', "'" and '`' (ASCII only:
# checkpatch reads bytes, so a UTF-8 letter ends a word)
_WORD = lazy(r"[\w\-'`]+", re.ASCII)
_SHIPPED = os.path.join(os.path.dirname(os.path.dirname(__file__)), "data", "spelling.txt")


class Misspellings:
    """scripts/spelling.txt: `mistake||correction` per line; most mistakes are one word, a few are
    phrases ("an union") or hold an apostrophe ("arne't")."""

    def __init__(self, fixes: dict[str, str], phrases: dict[str, list[str]]):
        self.fixes = fixes  # mistake -> correction
        self.phrases = phrases  # first word -> the phrases that start with it, sorted
        self.first_words = set(fixes) | set(phrases)  # a word that may start a misspelling
        # the same in bytes, for a file of ASCII text (a word not ASCII is never one of a file's words)
        self.first_ascii_words = {word.encode() for word in self.first_words if word.isascii()}

    @classmethod
    def parse(cls, text: str) -> "Misspellings":
        fixes: dict[str, str] = {}
        phrases: dict[str, list[str]] = {}
        fullmatch_word = _WORD.fullmatch
        for line in text.splitlines():
            if "||" not in line or line.lstrip().startswith("#"):
                continue
            mistake, fix = line.split("||", 1)
            mistake = mistake.lower()
            fixes[mistake] = fix
            if fullmatch_word(mistake) is None:  # not one word: a phrase, or a word with a blank
                words = _WORD.findall(mistake)
                phrases.setdefault(words[0] if words else mistake, []).append(mistake)
        for started in phrases.values():
            started.sort()
        return cls(fixes, phrases)

    def lines_to_read(self, added: "AddedLines", lowered: bytes | None = None) -> list[int]:
        """The positions of the lines of `added` in which find() may find something. The file's words
        are taken apart at once (its text lowered as find() lowers a line, every character not a
        word's, non-ASCII too as for _WORD, made a blank, then split at the blanks): most files hold
        no misspelled word and no misspelled phrase, and then no line is read. `lowered` is
        _lowered_ascii()'s bytes of the file, when another check made them."""
        if added.text.isascii():
            # ASCII text lowers the same as str and as bytes: its words are split as bytes (a fifth
            # faster than as str), from the lowered bytes REPEATED_WORD searches too
            lowered = _lowered_ascii(added) if lowered is None else lowered
            ascii_data = lowered.translate(_WORD_BYTES)
            split = ascii_data.split()
            if self.first_ascii_words.isdisjoint(split):
                return []  # most files: no word starts a misspelling (and no set of their words is built)
            started = {word.decode() for word in self.first_ascii_words.intersection(split)}
            lower, data = lowered.decode("ascii"), ascii_data.decode("ascii")
        else:
            lower = added.text.lower()
            # (decoded again: the words compare with the list's as they are)
            data = lower.encode("ascii", "replace").translate(_WORD_BYTES).decode("ascii")
            split = data.split()
            if self.first_words.isdisjoint(split):
                return []
            started = self.first_words.intersection(split)  # (the few words that matter, not a set of all)
        # what find() may find in a line: a listed word the file holds, a phrase the file holds
        targets = started.intersection(self.fixes)
        targets.update(phrase for first in started.intersection(self.phrases) for phrase in self.phrases[first]
                       if phrase in lower)
        if not targets:
            return []
        if len(targets) > _FEW_TARGETS or len(lower) != len(added.text):
            return [index for index, line in enumerate(data.split("\n")) if not self.first_words.isdisjoint(line.split())]
        # a few: the lines holding them, found by `str.find` (splitting every line took 7 ms a file)
        return added.lines_holding_any(lower, targets)

    def find(self, text: str) -> list[tuple[int, str]]:
        """(column, misspelling) in the text, as checkpatch's global match finds them: after a
        match, the character that ended it is used up, so a word right after it is not tried."""
        lower = text.lower()
        if self.first_words.isdisjoint(_WORD.findall(lower)):
            return []  # most lines: one C-level pass over the words, no loop in Python
        found = []
        next_start = 0
        for word in _WORD.finditer(lower):
            start = word.start()
            if start < next_start:
                continue
            mistake = self._at(lower, start, word.group())
            if mistake is not None:
                found.append((start, text[start:start + len(mistake)]))
                next_start = start + len(mistake) + 2
        return found

    def _at(self, lower: str, start: int, word: str) -> str | None:
        candidates = [word] if word in self.fixes else []
        for phrase in self.phrases.get(word, ()):
            end = start + len(phrase)
            if lower.startswith(phrase, start) and (end == len(lower) or _WORD.match(lower[end]) is None):
                candidates.append(phrase)
        return min(candidates) if candidates else None

    def suggestion(self, typo: str) -> str:
        fix = self.fixes[typo.lower()]
        if typo.isupper() and re.fullmatch(r"[A-Z]+", typo):
            return fix.upper()
        if typo[:1].isupper():
            return fix[:1].upper() + fix[1:]
        return fix


_FEW_TARGETS = 8  # misspellings a file holds, looked for one by one; more (a list of them) read each line


# bytes.translate table: a character of a word (_WORD's) and the newline stay, every other becomes a blank
_WORD_BYTES = bytes(byte if chr(byte).isascii() and (chr(byte).isalnum() or chr(byte) in "_-'`\n") else 32
                    for byte in range(256))


_SHIPPED_LIST: list[Misspellings] = []


def misspellings(ctx) -> Misspellings:
    """The tree's list when the tree has one, else the shipped copy; read once per run."""
    return ctx.once(_read_misspellings)


def _read_misspellings(ctx) -> Misspellings:
    if ctx.tree is not None:
        found = _kept_list(os.path.join(ctx.tree.path, "scripts", "spelling.txt"),
                           lambda: ctx.tree.read_text("scripts/spelling.txt"))
        if found is not None:
            return found
    if not _SHIPPED_LIST:
        def shipped_text():
            with open(_SHIPPED, encoding="utf-8") as handle:
                return handle.read()

        _SHIPPED_LIST.append(_kept_list(_SHIPPED, shipped_text))
    return _SHIPPED_LIST[0]


def _kept_list(path: str, read_text) -> Misspellings | None:
    """The list parsed from `read_text()`, kept between runs while the file is unchanged (parsing its
    1,720 lines took 2 ms of every run); None when the file cannot be read."""
    from ..kept_parses import kept

    def parse() -> Misspellings | None:
        text = read_text()
        return Misspellings.parse(text) if text is not None else None

    return kept("spelling", 1, path, parse, lambda found: (found.fixes, found.phrases),
                lambda packed: Misspellings(*packed))


def _subject_line(patch):
    patch_line = patch.header_lines.get("subject")
    return [] if patch_line is None else [(patch_line, patch.line_text(patch_line))]


@check("TYPO_SPELLING", level=WARNING)
def typo_spelling(patch, ctx):
    """A word of the subject, the commit message or an added line is in the kernel's list of misspellings.

    ## What it does
    Looks up every word of the Subject: line, of the commit message (up to the first
    Signed-off-by:) and of every added line (code, comments and strings alike) in
    scripts/spelling.txt: the tree's (`--tree`, or the git tree around the current directory),
    else the copy of Linux 6.12's that patchflow ships. Words are matched whole, ignoring case,
    and the suggestion keeps the word's capitals. With `-f` (a whole file) it is a CHECK.

    ## Why is this bad?
    Misspellings in messages, comments and strings end up in `git log`, in kernel logs users
    search for, and in grep results that miss them; every one found later costs a patch and a
    maintainer's time of its own.

    ## Example
    ```bad
    +	/* the ring is full: do not recieve more */
    ```

    ```good
    +	/* the ring is full: do not receive more */
    ```

    ## Fix
    Use the spelling the message suggests; `codespell` finds more than the kernel's list.
    """
    words = misspellings(ctx)
    level = CHECK if ctx.options.whole_file else None
    lines = _subject_line(patch) + list(_commit_log(patch)) if patch.is_mail else []
    for patch_line, text in lines:
        for _, typo in words.find(text):
            yield Hit.on_patch_line(patch, patch_line, _message(words, typo), level=level)
    for file in patch.files:
        if file.is_binary:
            continue
        added = added_lines(file, ctx)
        lowered = ctx.once(_lowered_ascii, added) if added.joined else None
        for index in words.lines_to_read(added, lowered) if added.joined else range(len(added.lines)):
            line = added.lines[index]
            for _, typo in words.find(line.text):
                hit = Hit.at(line, file, _message(words, typo), level=level)
                hit.patch = patch
                yield hit


def _message(words: Misspellings, typo: str) -> str:
    return f"'{typo}' may be misspelled - perhaps '{words.suggestion(typo)}'?"


_WORD_PAIR = lazy(r"\b([A-Z]?[a-z]{2,})\b (?=(\b[A-Z]?[a-z]{2,}\b))", re.ASCII)
_LAST_WORD = lazy(r"\b([A-Z]?[a-z]{2,})\b\s*$", re.ASCII)
_FILE_MODES = lazy(r"[bcCdDlMnpPs?-][rwxsStT-]{9}")  # `ls -l` output: '-rw-r--r-- 1 root root'
_HEX_WORD = lazy(r"\b[0-9a-f]{2,}\b", re.IGNORECASE)
_HEX_WORDS_ALLOWED = {"add", "added", "bad", "be"}
_AGGREGATE = lazy(r"struct|union|enum")


_MAYBE_REPEATED = lazy(r"\b([a-z]{2,}) \1\b", re.ASCII | re.IGNORECASE)  # rules most lines out at once
# the same over ASCII bytes, letters lowered; possessive: a shorter word is followed by a letter, not a blank
_MAYBE_REPEATED_LOWER = lazy(rb"\b([a-z]{2,}+) \1\b")
_COMMENT_LINE_WORD = lazy(r"^\s*\*\s*([A-Za-z]{2,}) ")


def repeated_words(text: str):
    """The words of a line written twice in a row ("the the"), as checkpatch finds them."""
    if _MAYBE_REPEATED.search(text) is None or _FILE_MODES.search(text):
        return
    pos = 0
    while True:
        match = _WORD_PAIR.search(text, pos)
        if match is None:
            return
        first, second = match.group(1), match.group(2)
        pos = match.end()
        if _AGGREGATE.search(first):
            pos += len(first) + len(second) + 1  # past `struct sock sock` (and, as checkpatch, a bit further)
            continue
        before = text[match.start() - 1] if match.start() > 0 else ""
        end = match.end() + len(second)
        after = text[end] if end < len(text) else ""
        if first.lower() != second.lower() or first == "long" or (before and not before.isspace()) or \
                after not in ("", " ", "\t", ".", ",", ";", "?", "!"):
            continue
        if _HEX_WORD.search(first) and first.lower() not in _HEX_WORDS_ALLOWED:
            continue
        yield first


_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _ends_in_letter(previous) -> bool:
    """What _comment_continues_word needs first, tested before the call: the line above ends with
    the word (ASCII letters). On the corpus 6,400 of the 30,000 comment lines pass."""
    return previous is not None and previous.text.rstrip()[-1:] in _ASCII_LETTERS


def _comment_continues_word(file, previous, line, ctx) -> str | None:
    """The word that ends a comment line and starts the ` * ` line after it, or None."""
    if previous is None or not file.path.endswith((".c", ".h")):
        return None
    first = _COMMENT_LINE_WORD.match(line.text)
    if first is None or not previous.text.rstrip().endswith(first.group(1)):
        return None
    from ..lexers.c import COMMENT_MASK as COMMENT
    from .apis import masked_lines

    masked = masked_lines(file, ctx).get(previous.patch_line, "")
    last = _LAST_WORD.search(previous.text)
    if not masked.rstrip(" \t").endswith(COMMENT) or last is None:  # (str.rstrip() takes \x1c for a blank)
        return None
    return last.group(1) if re.match(r"^\s*\*\s*" + re.escape(last.group(1)) + " ", line.text) else None


@check("REPEATED_WORD", level=WARNING)
def repeated_word(patch, ctx):
    """A word written twice in a row in the commit message or an added line.

    ## What it does
    Reports a word of two or more letters followed by a space and the same word again ("the the",
    "is is"), in the commit message (up to the first Signed-off-by:) and on added lines, and, in C
    files, a comment line that ends with the word the next ` * ` line starts with. As checkpatch,
    it lets `long long`, `struct sock sock`, hex bytes and `ls -l` listings pass.

    ## Why is this bad?
    A doubled word is a slip the author's eye skips; readers of the log and of the comment trip on
    it, and a later patch has to fix it.

    ## Example
    ```bad
    +	/* the the ring is full */
    ```

    ```good
    +	/* the ring is full */
    ```

    ## Fix
    Delete the second word.
    """
    if patch.is_mail:
        for patch_line, text in _commit_log(patch):
            for word in repeated_words(text):
                yield Hit.on_patch_line(patch, patch_line, f"Possible repeated word: '{word}'")
    for file in patch.files:
        if file.is_binary:
            continue
        added = added_lines(file, ctx)
        if added.joined and len(added.lines) == sum(len(hunk.lines) for hunk in file.hunks):
            found = _repeated_in_added_hunks(file, added, ctx)  # every line of the diff is added
        else:
            found = _repeated_in_hunks(file, added, ctx)
        for line, word in found:
            yield Hit.at(line, file, f"Possible repeated word: '{word}'", patch=patch)


def _lowered_ascii(added, ctx=None) -> bytes:
    """The file's added text in bytes, ASCII letters lowered and every other character a '?': what
    REPEATED_WORD searches, and TYPO_SPELLING splits when the text is ASCII (made once per file)."""
    return added.text.encode("ascii", "replace").lower()


def _maybe_repeated(added, ctx) -> list[int]:
    """The positions of the lines the first test of repeated_words() passes, found by one search of
    the file's text (in bytes, ASCII letters lowered: the same matches as _MAYBE_REPEATED's, found a
    third faster)."""
    data = ctx.once(_lowered_ascii, added)
    return added.indexes(match.start() for match in _MAYBE_REPEATED_LOWER.finditer(data))


def _repeated_in_hunks(file, added, ctx):
    """[(line, repeated word)] of a file's added lines, each line read with the line above it."""
    maybe = {added.lines[index].patch_line for index in _maybe_repeated(added, ctx)} if added.joined else None
    found = []
    for hunk in file.hunks:
        previous = None
        for line in hunk.lines:
            if line.kind == "+":
                if maybe is None or line.patch_line in maybe:
                    found.extend((line, word) for word in repeated_words(line.text))
                word = _comment_continues_word(file, previous, line, ctx) \
                    if "*" in line.text and _ends_in_letter(previous) else None
                if word is not None:
                    found.append((line, word))
            if line.kind != "-":
                previous = line
    return found


# a ` * word ` line below a line that may end with that word (the line above and `_COMMENT_LINE_WORD`
# read again by _comment_continues_word), in a file's joined added lines: the line above ends with the
# word's last letter, or with blanks (the word's last letter, looked at here, rules out 9 lines in 10)
_CONTINUED_COMMENT_LINE = lazy(r"\n(?:(?<=([A-Za-z])\n)[^\S\n]*\*[^\S\n]*[A-Za-z]+\1 "
                               r"|(?<=[^\S\n]\n)[^\S\n]*\*[^\S\n]*[A-Za-z]{2,} )")


def _repeated_in_added_hunks(file, added, ctx):
    """_repeated_in_hunks for a file whose diff lines are all added: the line above a line is the
    added line before it, but for a hunk's first line, so the comment lines a word may continue to
    are found by one search of the joined text instead of a walk over every line (30,000 comment
    lines of the corpus were each asked about the line above)."""
    lines = added.lines
    found = [(index, 0, word) for index in _maybe_repeated(added, ctx) for word in repeated_words(lines[index].text)]
    if file.path.endswith((".c", ".h")):
        hunk_starts = set(accumulate((len(hunk.lines) for hunk in file.hunks[:-1]), initial=0))
        for index in added.indexes(match.start() for match in _CONTINUED_COMMENT_LINE.finditer("\n" + added.text)):
            if index not in hunk_starts and _ends_in_letter(lines[index - 1]):
                word = _comment_continues_word(file, lines[index - 1], lines[index], ctx)
                if word is not None:
                    found.append((index, 1, word))
    return [(lines[index], word) for index, _, word in sorted(found)]
