"""TYPO_SPELLING and REPEATED_WORD read only the lines a search of the whole file points at; these
tests show that the lines left out are those in which the per-line reading finds nothing."""

from __future__ import annotations

from types import SimpleNamespace

from patchflow.checks import spelling
from patchflow.checks._lines import AddedLines

LIST = "recieve||receive\nan union||a union\nan user||a user\nteh||the\n"


def added(*texts):
    lines = [SimpleNamespace(kind="+", text=text, patch_line=number) for number, text in enumerate(texts, 10)]
    return AddedLines(SimpleNamespace(hunks=[SimpleNamespace(lines=lines)]))


def read_lines(words, texts):
    """The lines find() reports something in, by position."""
    return [index for index, text in enumerate(texts) if words.find(text)]


def test_a_file_without_a_misspelled_word_or_phrase_has_no_line_to_read():
    words = spelling.Misspellings.parse(LIST)
    texts = ["\tint an = 1; /* an unit */", "\treturn receive(an);", "unionist user"]
    assert words.lines_to_read(added(*texts)) == []
    assert read_lines(words, texts) == []


def test_the_lines_read_hold_every_line_find_reports():
    words = spelling.Misspellings.parse(LIST)
    texts = [
        "\t/* do not RECIEVE more */",   # capitals: found as find() lowers the line
        "\tint x; /* an  union */",       # two blanks: not the phrase
        "\t/* an union of two */",        # the phrase
        "\tcaf\u00e9teh = 1;",             # a non-ASCII letter ends a word, as in _WORD
        "\t\u212aan union",               # KELVIN SIGN lowers to an ASCII k: "kan", no phrase
        "\tpr_info(\"teh\");",
        "\tsomething_else();",
    ]
    chosen = words.lines_to_read(added(*texts))
    found = read_lines(words, texts)
    assert found == [0, 2, 3, 5]
    assert set(found) <= set(chosen) and 6 not in chosen


def test_the_lines_repeated_words_reads_are_those_with_a_doubled_word():
    texts = ["\t/* the the ring */", "\tint long long x;", "\t/* The the */", "\t\u00e9the the", "\tthe\tthe", "x"]
    text = added(*texts)
    data = text.text.encode("ascii", "replace").lower()
    chosen = text.indexes(match.start() for match in spelling._MAYBE_REPEATED_LOWER.finditer(data))
    assert chosen == [index for index, line in enumerate(texts) if spelling._MAYBE_REPEATED.search(line)]
    assert chosen == [0, 1, 2, 3]


def test_the_lines_camelcase_reads_are_those_with_a_case_change():
    from patchflow.checks import declarations

    texts = ["\tint rxRing;", "\tint RX_RING;", "\treturn -EINVAL;", "\tint r\u00e9Ring;", "\t\u00c9a", "",
             "a\tB", "aB", '\tpr_info("Hello");']
    lines = [SimpleNamespace(kind="+", text=text, patch_line=number) for number, text in enumerate(texts, 10)]
    file = SimpleNamespace(hunks=[SimpleNamespace(lines=lines)], scanned=None)
    chosen = declarations._lines_with_camel(file, SimpleNamespace())
    assert [line.text for line in chosen] == [t for t in texts if declarations._CAMEL.search(t)]
    assert [line.text for line in chosen] == ["\tint rxRing;", "\tint r\u00e9Ring;", "aB", '\tpr_info("Hello");']


def _repeated_findings(path):
    from patchflow.checks import Options, run
    from patchflow.patch import Series, read_patches

    return [(f.patch_line, f.message) for result in run(Series(read_patches(str(path))), Options(strict=True))
            for f in result.findings if f.type == "REPEATED_WORD"]


def test_a_file_of_added_hunks_is_read_as_a_walk_over_its_lines_reads_it(tmp_path, kernel_tree, monkeypatch):
    # two hunks that only add lines: the second one's first line has no line above it in its hunk,
    # though the joined text puts the first hunk's last line there; blanks after a comment's word;
    # a ` * word ` line in a file that is not C
    hunks = ("@@ -1,0 +2,3 @@\n+/* keep the ring and the\n+ * the head apart */\n+/* and the\n"
             "@@ -5,0 +9,4 @@\n+ * the tail apart */\n+/* keep the   \t\n+ * the tail */\n+int the the;\n")
    patch = tmp_path / "hunks.patch"
    patch.write_text("diff --git a/net/core/x.c b/net/core/x.c\n--- a/net/core/x.c\n+++ b/net/core/x.c\n" + hunks
                     + "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,0 +2,2 @@\n+# the\n+ * the rest\n")
    lines = (kernel_tree / "kernel" / "bpf" / "verifier.c").read_text(errors="surrogateescape").split("\n")[:-1]
    whole = tmp_path / "verifier.patch"
    whole.write_text("diff --git a/kernel/bpf/x.c b/kernel/bpf/x.c\nnew file mode 100644\n--- /dev/null\n"
                     f"+++ b/kernel/bpf/x.c\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines),
                     errors="surrogateescape")
    fast = [_repeated_findings(path) for path in (patch, whole)]
    assert fast[0] == [(6, "Possible repeated word: 'the'"), (11, "Possible repeated word: 'the'"),
                       (12, "Possible repeated word: 'the'")]
    monkeypatch.setattr(spelling, "_repeated_in_added_hunks", spelling._repeated_in_hunks)
    assert [_repeated_findings(path) for path in (patch, whole)] == fast


def test_the_few_misspellings_of_a_file_are_looked_for_one_by_one_and_many_line_by_line(monkeypatch):
    words = spelling.Misspellings.parse(LIST + "".join(f"mistake{n}||fix{n}\n" for n in range(10)))
    few = ["\t/* do not RECIEVE more */", "\tint unrecieved; /* an union */", "\tint an = 1;", "x", "\t/* an user */"]
    # the lines holding `recieve` (`unrecieved` too: more lines, never fewer), `an union` and `an user`;
    # not the line that only holds `an`
    assert words.lines_to_read(added(*few)) == [0, 1, 4]
    assert read_lines(words, few) == [0, 1, 4]
    # a letter that lowers into two characters moves the offsets: every line holding a first word is read
    assert words.lines_to_read(added(*few, "\t\u0130 teh")) == [0, 1, 2, 4, 5]
    many = few + [f"mistake{n}" for n in range(10)]  # 13 misspellings: each line split and looked up
    assert words.lines_to_read(added(*many)) == [0, 1, 2, 4, *range(5, 15)]
    monkeypatch.setattr(spelling, "_FEW_TARGETS", 100)
    assert words.lines_to_read(added(*many)) == [0, 1, 4, *range(5, 15)]
    assert read_lines(words, many) == [0, 1, 4, *range(5, 15)]


def test_the_comment_lines_a_word_may_continue_to_are_those_the_per_line_reading_passes():
    # the search hands on a ` * word ` line only when the line above may end with its word; every
    # line the per-line tests (_ends_in_letter, _COMMENT_LINE_WORD, the line above ending with the
    # word) pass is among them, and a word whose last letter differs is not
    texts = ["/* keep the", " * the head */", "/* keep the ring", " * the head */", "/* keep the  \t",
             " * the head */", "/* clean the\x1c", " * the rest */", "/* Head", " * head */", "/* the",
             "\t*\tthe rest */", "/* bathe", " * the rest */", "/* x", " * xx */", "/* caf\u00e9", " * \u00e9 */",
             "/* a", " * a b */", "", " * the tail */", "/* one", " * two */", "/* end", " * end"]
    text = added(*texts)
    chosen = set(text.indexes(match.start() for match in spelling._CONTINUED_COMMENT_LINE.finditer("\n" + text.text)))
    lines = text.lines
    passed = {index for index in range(1, len(lines)) if spelling._ends_in_letter(lines[index - 1])
              and (word := spelling._COMMENT_LINE_WORD.match(lines[index].text)) is not None
              and lines[index - 1].text.rstrip().endswith(word.group(1))}
    assert passed == {1, 5, 7, 11, 13}
    assert passed <= chosen
    # `Head`/`head` and `x`/`xx` end with the same letter: left to the per-line tests; `ring`/`the` do not
    assert chosen - passed == {9, 15}
