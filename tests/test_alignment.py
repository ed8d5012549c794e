"""PARENTHESIS_ALIGNMENT: the test patches (one case each), the tree's pre-image, and hostile input."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import patch_path

from patchflow.checks import CheckContext, Options
from patchflow.checks.alignment import analyse, outline_rules
from patchflow.lexers.c import Outline, tokenize as c_tokenize
from patchflow.lexers.python import tokenize as py_tokenize
from patchflow.patch import Series, parse_text


@pytest.fixture(autouse=True)
def outside_any_tree(tmp_path, monkeypatch):
    # without --tree, check reads the git tree around the current directory: make it none
    monkeypatch.chdir(tmp_path)


def findings(run_cli, *args, types="PARENTHESIS_ALIGNMENT"):
    status, out, err = run_cli("check", "--strict", "--format", "json", "--types", types, *args)
    assert err == ""
    found = json.loads(out)["findings"]
    assert status == (1 if found else 0)
    return [(f["type"], f["file"], f["line"], f["column"], f["message"]) for f in found]


def message(needed, found):
    return f"Alignment should match open parenthesis at column {needed} (found {found})"


C = "kernel/bpf/align_demo.c"
PY = "scripts/align_demo.py"

# patch -> [(line in the changed file, column it should start at, column it starts at)]
CASES = {
    "alignment-c-aligned": (C, []),
    "alignment-c-misaligned": (C, [(17, 18, 20)]),
    # tabs count 8: `\t\tdemo_sum(` starts at 17, not 3; `\t\t       ` (2 tabs, 7 blanks) is 24
    "alignment-c-tabs": (C, [(20, 13, 17), (23, 24, 33)]),
    # aligned with the `(` inside "demo_call(%d, %d": reported; aligned with pr_info's: silent
    "alignment-c-string-paren": (C, [(20, 17, 28)]),
    # `/* (the left operand */`: aligned with the comment's `(` is wrong, with demo_sum's right
    "alignment-c-comment-paren": (C, [(17, 24, 35)]),
    # the inner call's continuation at 36, under neither parenthesis; the outer one aligned
    "alignment-c-nested": (C, [(18, 40, 36)]),
    "alignment-c-macro": (C, [(10, 18, 25)]),
    # the patch changed another line of demo_old, whose `x);` was misaligned before: not its doing
    "alignment-c-untouched": (C, []),
    # the opening line changed, its parenthesis did not move: `x);` was misaligned before, and still is
    "alignment-c-opener-tail": (C, []),
    "alignment-py-aligned": (PY, []),
    "alignment-py-misaligned": (PY, [(13, 36, 28)]),
    "alignment-py-string-paren": (PY, [(13, 37, 23)]),
    # tabs are 8 columns in Python too: `\t` + 14 blanks is column 23, one past `(` at 22
    "alignment-py-tabs": (PY, []),
    # continued with two tabs and six blanks under a one-tab line: column 23, aligned on screen
    # (counted in characters it was "found 9": the kunit scripts' false findings)
    "alignment-py-tabs-deeper": (PY, []),
    # the closing parenthesis may stand at the indentation of its opening line
    "alignment-py-closing": (PY, []),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_alignment_cases(run_cli, name):
    path, expected = CASES[name]
    assert findings(run_cli, patch_path(f"{name}.patch")) == [
        ("PARENTHESIS_ALIGNMENT", path, line, needed, message(needed, found)) for line, needed, found in expected]


@pytest.mark.parametrize("name, path, line, needed, found, opener", [
    ("alignment-c-context", C, 15, 28, 24, 14),
    ("alignment-py-context", PY, 9, 37, 40, 8),
])
def test_context_line_made_wrong_by_a_changed_opener(run_cli, name, path, line, needed, found, opener):
    assert findings(run_cli, patch_path(f"{name}.patch")) == [
        ("PARENTHESIS_ALIGNMENT", path, line, needed,
         f"{message(needed, found)}: this unchanged line follows the parenthesis that the patch moved on line {opener}")]


def test_text_output_quotes_the_line_and_is_a_check(run_cli):
    status, out, _ = run_cli("check", "--strict", patch_path("alignment-c-misaligned.patch"))
    assert status == 1
    lines = out.splitlines()
    at = lines.index("CHECK:PARENTHESIS_ALIGNMENT: Alignment should match open parenthesis at column 18 (found 20)")
    assert lines[at:at + 3] == [
        "CHECK:PARENTHESIS_ALIGNMENT: Alignment should match open parenthesis at column 18 (found 20)",
        f"#22: FILE: {C}:17:",
        "+\t\t   second, ret);",
    ]
    # CHECK level: only with --strict, as checkpatch
    status, out, _ = run_cli("check", patch_path("alignment-c-misaligned.patch"))
    assert "PARENTHESIS_ALIGNMENT" not in out and status == 0


# --- the lines above a hunk, from the tree -----------------------------------------------------

SEQ_PRINTF = "kernel/bpf/syscall.c"


@pytest.fixture
def misaligned_far_below_opener(kernel_clone, tmp_path):
    """A patch to a real file whose changed line is 12 lines below its `seq_printf(`, out of the hunk."""
    path = kernel_clone / SEQ_PRINTF
    lines = path.read_text().split("\n")
    opener = lines.index("\tseq_printf(m,")
    number = lines.index("\t\t   map->value_size,", opener) + 1
    assert number - (opener + 1) == 12
    lines[number - 1] = "\t\t  map->value_size,"
    path.write_text("\n".join(lines))
    subprocess.run(["git", "-C", str(kernel_clone), "commit", "-qam", "bpf: misalign a seq_printf argument"],
                   check=True)
    out = tmp_path / "far.patch"
    out.write_text(subprocess.run(["git", "-C", str(kernel_clone), "format-patch", "-1", "--stdout"],
                                  check=True, capture_output=True, text=True).stdout)
    return out, number


def test_opener_above_the_hunk_is_read_from_the_tree(run_cli, kernel_clone, misaligned_far_below_opener):
    patch, number = misaligned_far_below_opener
    # the hunk's three lines of context do not reach `seq_printf(m,`: nothing is sure, nothing said
    assert findings(run_cli, patch) == []
    # the blob on the `index` line has it
    assert findings(run_cli, "--tree", kernel_clone, patch) == [
        ("PARENTHESIS_ALIGNMENT", SEQ_PRINTF, number, 20, message(20, 19))]


def test_opener_above_the_hunk_from_a_work_tree_with_the_patch_applied(run_cli, tmp_path,
                                                                         misaligned_far_below_opener, kernel_clone):
    patch, number = misaligned_far_below_opener
    # a plain directory (no git objects) holding the file as the patch left it
    plain = tmp_path / "plain"
    (plain / "kernel/bpf").mkdir(parents=True)
    (plain / SEQ_PRINTF).write_text((kernel_clone / SEQ_PRINTF).read_text())
    assert findings(run_cli, "--tree", plain, patch) == [
        ("PARENTHESIS_ALIGNMENT", SEQ_PRINTF, number, 20, message(20, 19))]
    # a file that agrees with neither side of the hunks is not used
    (plain / SEQ_PRINTF).write_text("int unrelated;\n")
    assert findings(run_cli, "--tree", plain, patch) == []


# --- the rule itself, on lexed text ----------------------------------------------------------

def rules(text, language="c"):
    tokens = c_tokenize(text) if language == "c" else py_tokenize(text)
    found = analyse(tokens, language)
    if language == "c":  # C is checked from the outline: the same rules as from the tokens
        assert outline_rules(Outline(text)) == found
    return {line: (r.needed, r.found) for line, r in found.items()}


def test_rule_skips_hanging_indents_other_operators_and_comments():
    assert rules("\tfoo(\n\t\tbar,\n\t\tbaz);\n") == {}  # nothing after `(`: hanging, free
    assert rules("\tfoo(a ?\n\t\tb : c);\n") == {}  # after `?` authors indent as they like
    assert rules("\tfoo(a, /* x\n\t   y */ b);\n") == {}  # the line starts inside a comment
    assert rules("\tfoo(a, \"x\\\n(y\", b,\n\t    c);\n") == {3: (13, 13)}  # a spliced string


def test_rule_in_macros_and_directives():
    # a directive line inside a call is not held to the call's parenthesis
    assert rules("\tfoo(a,\n#ifdef X\n\t    b,\n#endif\n\t   c);\n") == {3: (13, 13), 5: (13, 12)}
    # a macro's body is checked within the macro; parentheses it leaves open are forgotten after it
    assert rules("#define M(a) \\\n\tbar((a), \\\n\t  (a))\n\tfoo(x,\n\t    y);\n") == {3: (13, 11), 5: (13, 13)}
    assert rules("#define OPEN foo(a, \\\n\t\tb\nint x,\n\ty;\n") == {2: (18, 17)}


def test_rule_python_closing_bracket_and_joiners():
    assert rules("x = f(a,\n      b,\n)\n", "python") == {2: (7, 7), 3: (7, 1)}
    assert rules("if (a and\n        b):\n    pass\n", "python") == {2: (5, 9)}


# where reading offsets could part from reading tokens: what a line starts with, what the code before
# it is once directives are left out, literals left open, and the brackets of a directive
OUTLINE_EDGES = [
    "\tfoo(a,\n\t/* c */ b,\n\t    c);\n",  # a line that starts with a comment is held by it
    "\tfoo(a, // c\n\t    b &&&\n\t    c ||\n\t\t d);\n",  # `&&&` is `&&` `&`: no joiner
    "\tfoo(a,\n#if X\n\t  b,\n#else\n\t c,\n#endif\n\t    d);\n",  # the directives' code is not before
    "\tfoo(a,\nL\"open (\n\t    b);\n\tbar(x,\n\t    u8'(',\n\t  y);\n",  # `L"` starts its line
    "#define M(a, b) foo((a), \\\n\t\t\t b) + bar(\\\n#x\n\tbaz(a,\n\t    b)\n",
    "\tfoo(a, \\\n\t    b,\r\n\t  c) /* ( */ (\n\t\x1c, x,\n\t\t)\n",
    # groups that open and close on one line are skipped by the walk: nested deeper than it skips,
    # brackets of another kind closing them (`[(a])` closes the `(` too), a closer with no opener
    "\tf(((((((a))))))), g(b[c(d{e}f)g], ((((h)))),\n\t    x[(a]), y,\n\t  c) ] }, k(z,\n\t    w);\n",
    "\tfoo(a, \"(\", b(')'),\n\t    c(\"x\\\")\"), d,\n\t    e);\n",
    " * end of a comment (x,\n */ foo(y,\n\t    z);\n",
]


def test_outline_rules_are_the_token_rules():
    for text in OUTLINE_EDGES:
        assert outline_rules(Outline(text)) == analyse(c_tokenize(text), "c"), text
    text = OUTLINE_EDGES[-1]
    assert outline_rules(Outline(text, 7, in_comment=True)) == analyse(c_tokenize(text, 7, True), "c") != {}


def test_outline_rules_on_real_files(kernel_tree):
    held = 0
    for path in sorted((kernel_tree / "kernel" / "bpf").glob("*.c"))[:25]:
        text = path.read_text(errors="surrogateescape")
        found = outline_rules(Outline(text))
        assert found == analyse(c_tokenize(text), "c"), path
        held += len(found)
    assert held > 1000


DEEP = 50000


@pytest.mark.parametrize("language, text, expected", [
    # sure: the line is far from its parenthesis at column 100000 (needs 100001) (checked in linear time)
    ("c", "f(" * DEEP + "a,\n  b" + ")" * DEEP + ";\n", [{2: (2 * DEEP + 1, 3)}]),
    ("c", "\tfoo(a,\n" + "x" * 2_000_000 + ",\n\t    b);\n", [{2: (13, 1), 3: (13, 13)}]),
    # a string left open: what was open before it is no longer known, nothing is claimed
    ("c", "\tfoo(a, \"unterminated (,\n\t    b);\n/* open (\n", [{}]),
    ("c", ")))}}}]]\n\tfoo(a,\n\t    b);\n", [{3: (13, 13)}]),
    # 20,000 comment lines inside a call, each held by its comment: the code before each is read once
    ("c", "\tfoo(a,\n" + "\t/* c */ \\\n" * 20000 + "\t    b);\n",
     [{line: (13, 9) for line in range(2, 20002)} | {20002: (13, 13)}]),
    # a long line before the parenthesis, read once for the 20,000 lines it holds
    ("c", "x" * 200000 + "foo(a,\n" + "\t b,\n" * 20000, [{line: (200005, 10) for line in range(2, 20002)}]),
    # Python 3.12 on stops tokenizing at 200 nested brackets: then nothing is claimed
    ("python", "f(" * DEEP + "a,\n  b" + ")" * DEEP + "\n", [{2: (2 * DEEP + 1, 3)}, {}]),
    ("python", "foo(a,\n" + "x" * 2_000_000 + ",\n    b)\n", [{2: (5, 1), 3: (5, 5)}]),
    ("python", "foo(a, 'unterminated (,\n    b)\n\'\'\'open (\n", [{}]),
], ids=["c-deep", "c-2MB-line", "c-unterminated", "c-unbalanced", "c-comment-lines", "c-long-opener-line", "py-deep",
        "py-2MB-line", "py-unterminated"])
def test_hostile_input_is_fast_and_claims_nothing_unsure(language, text, expected):
    result = rules(text, language)
    assert result in expected


def test_hostile_patch_through_the_command(run_cli, tmp_path):
    body = "+\tfoo(a, \"open (,\n+\t b,\n+\t" + "(" * 50000 + "\n+" + "y" * 2_000_000 + ",\n+\t c);\n"
    count = body.count("\n")
    text = (f"diff --git a/{C} b/{C}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n"
            f"+++ b/{C}\n@@ -0,0 +1,{count} @@\n{body}")
    patch = tmp_path / "hostile.patch"
    patch.write_text(text)
    status, out, err = run_cli("check", "--strict", "--types", "PARENTHESIS_ALIGNMENT", patch)
    assert err == "" and status in (0, 1)


def test_each_c_file_is_outlined_once_per_run_and_never_lexed(monkeypatch):
    import patchflow.checks._source as source

    outlined, lexed = [], []
    real_outline, real_lex = source.outline, source.lex
    monkeypatch.setattr(source, "outline", lambda window: outlined.append(window) or real_outline(window))
    monkeypatch.setattr(source, "lex", lambda window, language: lexed.append(window) or real_lex(window, language))
    text = open(patch_path("alignment-c-tabs.patch")).read()
    series = Series(parse_text(text, "tabs.patch"))
    ctx = CheckContext(Options(strict=True), series)
    from patchflow.checks.alignment import parenthesis_alignment
    from patchflow.checks.preprocessor import preprocessor_hits

    first = list(parenthesis_alignment(series.patches[0], ctx))
    assert len(first) == 2 and len(outlined) == 1
    assert list(parenthesis_alignment(series.patches[0], ctx)) == first
    ctx.once(preprocessor_hits, series.patches[0])
    assert len(outlined) == 1 and lexed == []
    # a family that reads tokens lexes the window once, whoever asks first
    file = series.patches[0].files[0]
    assert ctx.sources.lexed_windows(file)[0][2] == ctx.sources.lexed_windows(file)[0][2] != []
    assert len(lexed) == 1


def test_tab_composition_is_reported_like_checkpatch(run_cli, tmp_path):
    # at column 35 both ways; kernel style (and checkpatch) wants 4 tabs and 2 spaces
    body = ("+static int stack_slot_obj_get_spi(struct bpf_verifier_env *env, struct bpf_reg_state *reg,\n"
            "+\t\t\t          const char *kind, int slots);\n"
            "+static int stack_slot_obj_put_spi(struct bpf_verifier_env *env, struct bpf_reg_state *reg,\n"
            "+\t\t\t\t  const char *kind, int slots);\n")
    patch = tmp_path / "tabs.patch"
    patch.write_text(f"diff --git a/{C} b/{C}\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n"
                     f"+++ b/{C}\n@@ -0,0 +1,4 @@\n{body}")
    assert findings(run_cli, patch) == [
        ("PARENTHESIS_ALIGNMENT", C, 2, 35, message(35, 35) + ": indented with 3 tabs and 10 spaces, "
                                                            "reach it with 4 tabs and 2 spaces")]


def test_explain(run_cli):
    status, out, _ = run_cli("explain", "PARENTHESIS_ALIGNMENT")
    assert status == 0
    assert out.startswith("PARENTHESIS_ALIGNMENT (CHECK (reported with --strict); src/patchflow/checks/alignment.py)")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Fix"):
        assert f"\n{section}\n" in out
    assert "BPF_HELPER(%s %s, %s, (" in out
    assert '"Alignment should match open parenthesis at column 44 (found 27)"' in out


HUNK_IN_DOCSTRING = '''\
diff --git a/scripts/align_demo.py b/scripts/align_demo.py
index 1111111..2222222 100644
--- a/scripts/align_demo.py
+++ b/scripts/align_demo.py
@@ -10,4 +10,6 @@ def emit(name, ret, args):
     Print the declaration, as foo(name,
                                   args) would.
+    Then call bar(name,
+                    args), once.
     """
     print(name)
'''

HUNK_IN_COMMENT = '''\
diff --git a/kernel/bpf/align_demo.c b/kernel/bpf/align_demo.c
index 1111111..2222222 100644
--- a/kernel/bpf/align_demo.c
+++ b/kernel/bpf/align_demo.c
@@ -10,4 +10,6 @@ static int demo_call(int first, int second)
  * The sum is taken as demo_sum(first,
  *                              second), then
+ * logged with pr_debug(first,
+ *        second) once.
  */
 static int demo_old(int x)
'''


@pytest.mark.parametrize("text", [HUNK_IN_DOCSTRING, HUNK_IN_COMMENT])
def test_hunk_that_starts_inside_a_docstring_or_comment_claims_nothing(run_cli, tmp_path, text):
    patch = tmp_path / "fragment.patch"
    patch.write_text(text)
    assert findings(run_cli, patch) == []
