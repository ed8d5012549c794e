"""Continuation lines aligned with their open parenthesis, in C and in Python, found with real lexers."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator

from ..records import record
from . import CHECK, Hit, check
from ._alignment_rules import Alignment, analyse, outline_rules
from ._source import language_of, lex, outline
from ..lazy_regex import lazy

__all__ = ["Alignment", "analyse", "outline_rules", "file_alignment", "parenthesis_alignment"]


@record
class FileAlignment:
    """A changed file's alignment rules in the post-image, and, computed when needed, the pre-image."""

    post: dict[int, Alignment]
    pre_windows: list
    post_windows: list
    language: str
    _pre: dict[int, Alignment] | None = None

    def post_text(self, number: int) -> str | None:
        """The text of a post-image line that some window holds."""
        for window in self.post_windows:
            if window.first_line <= number <= window.last_line:
                return window.lines[number - window.first_line]
        return None

    def pre_text(self, number: int) -> str | None:
        """The text of a pre-image line that some window holds."""
        for window in self.pre_windows:
            if window.first_line <= number <= window.last_line:
                return window.lines[number - window.first_line]
        return None

    @property
    def pre(self) -> dict[int, Alignment]:
        if self._pre is None:
            self._pre = {}
            for window in self.pre_windows:
                if self.language == "c":
                    self._pre.update(outline_rules(outline(window)))
                else:
                    self._pre.update(analyse(lex(window, self.language), self.language))
        return self._pre


def file_alignment(patch, file, ctx, language: str) -> FileAlignment:
    """The alignment rules of the lines around one file's hunks."""
    post: dict[int, Alignment] = {}
    pre_windows, post_windows = [], []
    if language == "c":  # C from outlines (offsets); Python from tokens
        for pre_window, post_window, post_outline in ctx.sources.outlines(file):
            post.update(outline_rules(post_outline))
            pre_windows.append(pre_window)
            post_windows.append(post_window)
    else:
        for pre_window, post_window, post_tokens in ctx.sources.lexed_windows(file):
            post.update(analyse(post_tokens, language))
            pre_windows.append(pre_window)
            post_windows.append(post_window)
    return FileAlignment(post, pre_windows, post_windows, language)


def _message(rule: Alignment) -> str:
    return f"Alignment should match open parenthesis at column {rule.needed} (found {rule.found})"


def file_hits(patch, file, ctx) -> Iterator[Hit]:
    language = language_of(file.path)
    if language is None or file.is_binary or file.is_deleted or not file.hunks:
        return
    rules = file_alignment(patch, file, ctx, language)
    if not rules.post:
        return
    added = None  # the new line numbers of the added lines, when a context line asks
    for line, line_above, rule in _ruled_lines(file, rules.post):
        if not rule.misaligned:
            if line.kind == "+" and language == "c":
                advice = _tab_advice(line.text, rules, rule)
                if advice:
                    yield Hit.at(line, file, f"{_message(rule)}: {advice}", column=rule.needed)
            continue
        if line.kind == "+":
            yield Hit.at(line, file, _message(rule), column=rule.needed)
            continue
        if added is None:
            added = {diff_line.new_line for hunk in file.hunks for diff_line in hunk.lines if diff_line.kind == "+"}
        if rule.opener_line in added and not _misaligned_before(rules, line, rule):
            yield Hit.at(line, file, f"{_message(rule)}: this unchanged line follows the parenthesis "
                                     f"that the patch moved on line {rule.opener_line}", column=rule.needed)
        elif (line_above is not None and line_above.kind == "+" and line_above.new_line == rule.opener_line
              and _CALL_OPENER.match(line_above.text)):
            # misaligned before, but right under the line the patch rewrote: realign it with it
            yield Hit.at(line, file, f"{_message(rule)}: this unchanged line continues line "
                                     f"{rule.opener_line}, which the patch changed", column=rule.needed)


def _ruled_lines(file, post: dict[int, Alignment]) -> Iterator[tuple]:
    """(DiffLine, the hunk's shown line above it or None, its Alignment) of each added or context line
    that a rule holds, in the patch's order. Found by number, not by a walk over every line: a hunk's
    added and context lines are numbered one after the other from its first."""
    numbers = sorted(post)
    for hunk in file.hunks:
        # a hunk that only adds (a new file's) shows all its lines: its counts were checked on reading
        shown = hunk.lines if hunk.old_count == 0 else [line for line in hunk.lines if line.kind != "-"]
        if not shown:
            continue
        first = shown[0].new_line
        for number in numbers[bisect_left(numbers, first):bisect_left(numbers, first + len(shown))]:
            position = number - first
            yield shown[position], shown[position - 1] if position else None, post[number]


# an added line checkpatch reads the next line's alignment under, though that line is unchanged: a
# call (or `x = f(`, `if (`, a declaration) that starts the line and goes on after a `,`, `&&` or `||`
# (a declaration's type words may come first: `static int f(`; `return f(` and `x += f(` are not taken)
_CALL_OPENER = lazy(r"^(?!\s*return\b)\s*(?:if\s*|(?:\*\s*)*[\w.\[\]]+(?:->[\w.\[\]]+)*\s*=\s*\w+\s*|"
                    r"[\w\s*]*?\w+\s*)\(.*(?:,|&&|\|\|)\s*$")


def _tab_advice(text: str, rules: FileAlignment, rule: Alignment) -> str | None:
    """For a C line at the right column: what is wrong with the blanks that take it there, if anything.

    Kernel style reaches the column with as many tabs as fit, then fewer than 8 spaces; checkpatch
    also lets the opening line's own tabs be followed by spaces only. Anything else (`\t\t\t` and 10
    spaces) is reported as checkpatch reports it, under this type.
    """
    indent = text[:len(text) - len(text.lstrip(" \t"))]
    if rule.found != rule.needed or indent == "":
        return None
    width = rule.needed - 1
    tabs_then_spaces = "\t" * (width // 8) + " " * (width % 8)
    if indent == tabs_then_spaces:
        return None
    opener_text = rules.post_text(rule.opener_line)  # read only here: most lines are reached as above
    if opener_text is not None:
        opener_tabs = opener_text[:len(opener_text) - len(opener_text.lstrip("\t"))]
        if indent.startswith(opener_tabs) and indent[len(opener_tabs):].strip(" ") == "":
            return None
    return (f"indented with {_blanks(indent)}, reach it with {_blanks(tabs_then_spaces)}")


def _blanks(indent: str) -> str:
    tabs, spaces = indent.count("\t"), indent.count(" ")
    if indent != "\t" * tabs + " " * spaces:
        return "tabs and spaces mixed"
    parts = [f"{tabs} tab{'s' if tabs != 1 else ''}" if tabs else "",
             f"{spaces} space{'s' if spaces != 1 else ''}" if spaces else ""]
    return " and ".join(p for p in parts if p)


def _misaligned_before(rules: FileAlignment, line, rule: Alignment) -> bool:
    """Whether a context line was already misaligned before the patch, so that the patch, although
    it moved the parenthesis, did not make it wrong: misaligned the same way, or indented by tabs
    alone, the style of continuation lines never meant to line up with their parenthesis (a call
    renamed tree-wide whose arguments go on a few tabs in)."""
    before = rules.pre.get(line.old_line)
    if before is None or not before.misaligned:
        return False
    if rules.pre_text(line.old_line) != line.text:
        return False  # the tree's file is not the one the patch was made on: its lines tell nothing
    if before.needed == rule.needed and before.found == rule.found:
        return True
    indent = line.text[:len(line.text) - len(line.text.lstrip(" \t"))]
    return indent != "" and indent.strip("\t") == ""


def _fix_alignment(text, finding, path):
    """The line's blanks replaced by those that reach the parenthesis' column (tabs of 8 in both
    languages): C takes tabs then fewer than 8 spaces (kernel style), Python spaces, or tabs then
    spaces where tabs indent the line already (kunit's scripts)."""
    from ..fix import indent_to, leading_blanks

    if finding.column is None:
        return None
    blanks = leading_blanks(text)
    tabs = language_of(path) == "c" or "\t" in blanks
    return indent_to(finding.column, tabs=tabs) + text[len(blanks):]


@check("PARENTHESIS_ALIGNMENT", level=CHECK, scope="patch", fix=_fix_alignment)
def parenthesis_alignment(patch, ctx):
    """A continuation line inside an open parenthesis does not start one column past it.

    ## What it does
    Reads the C and Python files the patch changes as their lexers split them (only the lines around
    its hunks; C from an outline of its brackets, comments, literals and directives) and, for each
    line that continues a call or a condition, finds the innermost parenthesis still open at its
    start. When that parenthesis has code after it on its own line and the line before ends with `,`,
    `&&` or `||` (Python: `,`, `and`, `or`), the line must start one column past the parenthesis: C
    and Python count tabs as 8 columns. A line that starts with the closing
    parenthesis may also stand at the indentation of the opening line. A C line at the right column
    but not reached with tabs, then fewer than 8 spaces, is reported too, as checkpatch does.

    A parenthesis inside a string, a character literal or a comment opens nothing. Added lines are
    checked, and unchanged lines whose parenthesis the patch moved; a misalignment the patch did not
    cause is not reported. The lines above a hunk come from the tree (`--tree`, or the git tree
    around the current directory: the blob on the diff's `index` line, or the work-tree file when it
    agrees), else from the hunk's context. In JSON, `column` is where the line should start.

    ## Why is this bad?
    Kernel style (Documentation/process/coding-style.rst, checkpatch --strict) aligns the arguments
    of a broken call with the open parenthesis, so that the eye finds where each belongs. The
    BPF_HELPER patch to `scripts/bpf_doc.py` went four rounds on the bpf list over nits checkpatch
    cannot see, among them a continuation aligned with a `(` inside a printed string.

    ## Example
    ```bad
     {
    +	return bpf_map_update_value(map, f.file, key, value,
    +		attr->flags);
     }
    ```

    ```good
     {
    +	return bpf_map_update_value(map, f.file, key, value,
    +				    attr->flags);
     }
    ```

    In Python (columns are characters), bpf_doc.py's BPF_HELPER patch aligned with a `(` in a string:
    "Alignment should match open parenthesis at column 44 (found 27)".

    ```bad path=scripts/bpf_doc.py
     def print_one(self, proto):
    +        print('BPF_HELPER(%s %s, %s, (' % (self.map_type(proto['ret_type']),
    +                          proto['ret_star'], proto['name']), end='')
    ```

    ```good path=scripts/bpf_doc.py
     def print_one(self, proto):
    +        print('BPF_HELPER(%s %s, %s, (' % (self.map_type(proto['ret_type']),
    +                                           proto['ret_star'], proto['name']), end='')
    ```

    ## Fix
    Start the continuation one column past the open parenthesis: in C with tabs, then fewer than 8
    spaces (vim's `cino=(0`, Emacs's `linux` style do it); in Python with spaces.
    """
    for file in patch.files:
        yield from file_hits(patch, file, ctx)
