"""The cheap tests some C checks make before their real rules (a whole file ruled out by one search of
its joined added lines, a line let go from its text before its masked code is read) hide no finding: with each of them turned off, `check` finds the same on every test
case and on patches adding kernel/bpf files of the 6.12 tree."""

import json
import re

import pytest

from patch_cases import case_files

from patchflow import checks
from patchflow.checks import Options, _prototype_heads, apis, declarations, macros, spelling, statements, strings
from patchflow.patch import Series, read_patches

_KERNEL_FILES = ("core.c", "syscall.c", "btf.c", "hashtab.c", "ringbuf.c", "bpf_struct_ops.c", "helpers.c")


def _new_file_patch(tmp_path, kernel_tree, name):
    lines = (kernel_tree / "kernel" / "bpf" / name).read_text(errors="surrogateescape").split("\n")[:-1]
    text = (f"diff --git a/kernel/bpf/x_{name} b/kernel/bpf/x_{name}\nnew file mode 100644\n"
            f"--- /dev/null\n+++ b/kernel/bpf/x_{name}\n@@ -0,0 +1,{len(lines)} @@\n"
            + "".join(f"+{line}\n" for line in lines))
    path = tmp_path / f"{name}.patch"
    path.write_text(text, errors="surrogateescape")
    return path


def _assert_found_as_each_line_shows(tmp_path, kernel_tree, kernel_file, found, shown):
    """Over every test patch and a new-file patch of kernel/bpf/`kernel_file`: `found(file, added)`
    is the positions of the added lines whose text `shown` is true of (a search of the joined text
    held to a test of each line)."""
    from patchflow.checks._lines import AddedLines

    for path in (*case_files(), _new_file_patch(tmp_path, kernel_tree, kernel_file)):
        for file in (file for patch in read_patches(str(path)) for file in patch.files):
            added = AddedLines(file)
            assert found(file, added) == [index for index, line in enumerate(added.lines) if shown(line.text)]


def _comment_patch(tmp_path):
    """A comment whose next line starts with the word the line above ends with (REPEATED_WORD), and
    a prototype read through a comment (AVOID_EXTERNS: the comment masked reads as a blank)."""
    path = tmp_path / "comment.patch"
    path.write_text("diff --git a/net/core/x.c b/net/core/x.c\n--- a/net/core/x.c\n+++ b/net/core/x.c\n"
                    "@@ -1,1 +1,5 @@\n int x;\n+/* keep the ring and the\n+ * the head apart\n+ */\n"
                    "+int/* the ring's */x_head(void);\n")
    return path


def _inputs(tmp_path, kernel_tree):
    return [*case_files(), _comment_patch(tmp_path),
            *(_new_file_patch(tmp_path, kernel_tree, name) for name in _KERNEL_FILES)]


def _findings(path):
    return [finding for result in checks.run(Series(read_patches(str(path))), Options(strict=True))
            for finding in result.findings]


def test_the_prefilters_hide_no_finding(tmp_path, kernel_tree, monkeypatch):
    inputs = _inputs(tmp_path, kernel_tree)
    with_prefilters = [_findings(path) for path in inputs]
    for wanted in ("UNNECESSARY_PARENTHESES", "REPEATED_WORD", "EMBEDDED_FUNCTION_NAME", "MEMORY_BARRIER",
                   "UNCOMMENTED_DEFINITION", "AVOID_EXTERNS", "SPLIT_STRING"):
        assert any(f.type == wanted for found in with_prefilters for f in found)
    for module, name in ((apis, "_may_hold_string"), (apis, "_may_name_lock"), (apis, "_may_name_barrier"),
                         (statements, "_may_hold_parentheses_finding"), (spelling, "_ends_in_letter"),
                         (strings, "_may_start_with_string")):
        monkeypatch.setattr(module, name, lambda text: True)
    # AVOID_EXTERNS in a .c file shown every line that may start a prototype, whatever its text
    monkeypatch.setattr(declarations, "_may_be_prototypes", lambda added, ctx: [
        index for index, line in enumerate(added.lines) if _prototype_heads.is_head(line.text)])
    assert [_findings(path) for path in inputs] == with_prefilters


def test_a_prefilter_that_hides_a_finding_is_caught(tmp_path, kernel_tree, monkeypatch):
    # the comparison above can fail: a string test that misses `*(` hides findings on these inputs
    inputs = _inputs(tmp_path, kernel_tree)
    before = [_findings(path) for path in inputs]
    monkeypatch.setattr(statements, "_may_hold_parentheses_finding", lambda text: "if" in text)
    assert [_findings(path) for path in inputs] != before


def test_a_prototype_read_through_a_comment_is_shown_to_avoid_externs(tmp_path, monkeypatch):
    path = _comment_patch(tmp_path)
    assert "AVOID_EXTERNS" in [f.type for f in _findings(path)]
    # the text alone does not match the prototype: only the `*/` test lets the line through
    monkeypatch.setattr(declarations, "_may_be_prototypes",
                        lambda added, ctx: _prototype_heads.heads_matching(added, ctx, _prototype_heads.C_PROTOTYPE))
    assert "AVOID_EXTERNS" not in [f.type for f in _findings(path)]


@pytest.mark.parametrize("line, reported", [
    ("\tif (0xffu == ret)", True),
    ("\tif (10 < count)", True),
    ("\tif (MAX_RETRIES <= tries)", True),
    ("\tif (ret == 0xffu)", False),
])
def test_constant_comparison_reads_a_number_with_a_suffix(tmp_path, line, reported):
    path = tmp_path / "x.patch"
    path.write_text("diff --git a/net/core/x.c b/net/core/x.c\n--- a/net/core/x.c\n+++ b/net/core/x.c\n"
                    f"@@ -1,2 +1,3 @@\n int f(int ret, int count, int tries)\n+{line}\n {{\n")
    found = [f for f in _findings(path) if f.type == "CONSTANT_COMPARISON"]
    assert bool(found) == reported


@pytest.mark.parametrize("lines", [
    ["a", "see HTTPS://lkml.org/x and http://b", "", "hTtP", "x http", "http", "htt", "p"],
    ["", ""], [], ["héhttp", "http"], ["ok", "a\nhttp"], ["nothing here"],
])
def test_the_lines_naming_http_are_those_a_search_of_each_line_finds(lines):
    from patchflow.checks import commit_log

    found = list(commit_log._lines_naming_http(lines))
    wanted = [index for index, line in enumerate(lines) if re.search("(?i)http", line)]
    if all(line.isascii() and "\n" not in line for line in lines):
        assert found == wanted
    else:  # every line is searched
        assert found == list(range(len(lines)))


def test_commit_reference_prefilter_hides_no_reference(monkeypatch):
    """GIT_COMMIT_ID and UNKNOWN_COMMIT_ID read only log lines with a run of five hex digits (or, for a
    reference whose id is on the next line, the word `commit`): with that test turned off, the same
    lines name the same commits."""
    from patchflow.checks import commit_refs

    lines = ["This fixes commit 1234567890ab (\"bpf: Add the map\").", "As in commit", "0123456789abcdef",
             "Fixes: 0123456789ab (\"net: Add it\")", "See [0123456789ab] and deadbeef1234cafe", "COMMIT 12345",
             "The commıt 1234567 (dotless i reads as i)", "A plain line of text about a face.", "commit   ",
             "http://example.org/commit/0123456789ab", "This reverts commit 0123456789abcdef."]
    pairs = list(zip(lines, lines[1:] + [None]))

    class Patch:
        pass

    def read(patch):
        return ([commit_refs._names_a_commit(text, following) for text, following in pairs],
                sorted(commit_refs._ids_named(patch)))

    monkeypatch.setattr(commit_refs, "_commit_log", lambda patch: list(enumerate(lines)))
    found = read(Patch())
    monkeypatch.setattr(commit_refs, "_HEX_RUN", re.compile(""))
    assert read(Patch()) == found
    assert sum(found[0]) >= 5 and len(found[1]) >= 4


def _in_comment_walking_down(patch, first, below):
    """checkpatch's reading, from the hunk's first line down: the definition _in_comment_above keeps."""
    in_comment = last = False
    for n in range(first, below):
        text = patch.lines[n - patch.first_line]
        if (n == first and re.match(r"^.\s*\*", text)) or "/*" in text:
            in_comment = True
        last = in_comment
        if "*/" in text:
            in_comment = False
    return last


def test_the_comment_above_a_line_is_read_upwards_as_checkpatch_reads_it_downwards(tmp_path, kernel_tree):
    odd = tmp_path / "odd.patch"
    odd.write_text("diff --git a/net/core/x.c b/net/core/x.c\n--- a/net/core/x.c\n+++ b/net/core/x.c\n"
                   "@@ -1,5 +1,7 @@\n  * the middle of a comment\n+\tsmp_wmb();\n  */ int x; /* a\n-\tb */\n"
                   "+\tsmp_rmb(); /* c */ /* d\n+\tsmp_mb();\n \n-*/\n+x */\n")
    paths = [odd, *(_new_file_patch(tmp_path, kernel_tree, name) for name in ("core.c", "ringbuf.c"))]
    asked = 0
    for path in paths:
        for patch in read_patches(str(path)):
            for file in patch.files:
                for hunk in file.hunks:
                    first = hunk.patch_line + 1
                    for below in range(first, hunk.lines[-1].patch_line + 2):
                        assert apis._in_comment_above(patch, first, below) == \
                            _in_comment_walking_down(patch, first, below), (path.name, below)
                        asked += 1
    assert asked > 3_000


def _marker_patch(tmp_path):
    """Hunks with `\\ No newline` markers inside, SPDX on removed, context and added lines."""
    path = tmp_path / "markers.patch"
    path.write_text("diff --git a/x.h b/x.h\n--- a/x.h\n+++ b/x.h\n@@ -1,3 +1,3 @@\n"
                    "-// SPDX-License-Identifier: GPL-2.0\n+/* SPDX-License-Identifier: GPL-2.0 */\n int a;\n"
                    "-int b;\n\\ No newline at end of file\n+int b; /* SPDX SPDX */\n\\ No newline at end of file\n"
                    "diff --git a/y.c b/y.c\nnew file mode 100755\n--- /dev/null\n+++ b/y.c\n@@ -0,0 +1,3 @@\n"
                    "+#!/bin/sh\n+// SPDX-License-Identifier: GPL-2.0\n+x // SPDX\n"
                    "diff --git a/z.c b/z.c\n--- a/z.c\n+++ b/z.c\n@@ -7,2 +7,2 @@\n a\n-b\n+c // SPDX\n")
    return path


def test_the_lines_the_file_checks_read_are_those_a_walk_over_every_line_finds(tmp_path):
    from patchflow.checks import files

    for path in [*case_files(), _marker_patch(tmp_path)]:
        for patch in read_patches(str(path)):
            hunk_lines = {line.patch_line for file in patch.files for hunk in file.hunks for line in hunk.lines}
            assert list(files._lines_outside_hunks(patch)) == \
                [n for n in range(patch.first_line, patch.first_line + len(patch.lines)) if n not in hunk_lines]
            for hunk in (hunk for file in patch.files for hunk in file.hunks):
                assert files._license_lines(patch, hunk) == [
                    line for line in hunk.lines if line.kind != "-" and (line.new_line <= 2 or "SPDX" in line.text)]


def test_every_name_of_checkpatchs_deprecated_list_is_found_by_the_needle_deprecated_api_searches():
    """A call of each name, in a file long enough for the needle's planned scan (not a search of
    each line), is on a line the needle finds; a name in a comment or not called is found where the
    pattern matches the text, as a search of each line finds it."""
    from test_line_needles import _file_of
    from patchflow.checks import deprecated
    from patchflow.checks._lines import AddedLines
    from patchflow.checks._needles import SCAN_FROM_LINES, Needle

    texts = []
    for name in deprecated.CHECKPATCH_DEPRECATED:
        texts += [f"\tp = {name}(page);", f"\t/* {name}() */", f"\tq = {name};", f"\tx_{name}(p);", "\tx = 1;"]
    texts *= SCAN_FROM_LINES // len(texts) + 2
    added = AddedLines(_file_of(texts))
    needle = Needle(deprecated._CHECKPATCH_NEEDLE_SOURCE)  # planned on its first file of SCAN_FROM_LINES lines
    pattern = re.compile(deprecated._CHECKPATCH_NAMES)
    assert needle.indexes(added) == [index for index, text in enumerate(texts) if pattern.search(text)]
    # the needle's pattern holds every name's call, and a call of no other name of the list's kind
    # but the look-alikes the list's own pattern turns away line by line
    assert all(re.fullmatch(deprecated._CHECKPATCH_NEEDLE_SOURCE, f"{name}(") for name in deprecated.CHECKPATCH_DEPRECATED)
    assert {text for index in needle.indexes(added) for text in [texts[index]]} >= {
        f"\tp = {name}(page);" for name in deprecated.CHECKPATCH_DEPRECATED}


def _function_after(code, above, masked, function):
    """The function after an added line of code, every rule asked (`above`: the line above in the hunk)."""
    end = code.rstrip()
    if end == "}":
        return None
    if end == "{":
        if above is None or above.kind != "+":
            return function
        prototype = apis._PROTOTYPE_LINE.match(masked.get(above.patch_line, above.text))
        return prototype.group(1) if prototype else function
    start = apis._DEFINITION_START.match(code) if "(" in code and not end.endswith(";") else None
    named = start.group(1) if start else None
    return function if named in (None, "if", "while", "for", "switch", "return", "sizeof") else named


def _functions_walking_hunks(file, masked):
    """EMBEDDED_FUNCTION_NAME's walk with every rule asked of every line: the definition that
    _strings_in_functions, which reads only the margin lines and the strings its searches find, keeps."""
    found = []
    for hunk in file.hunks:
        kept = [line for line in hunk.lines if line.kind != "-"]
        match = apis._HUNK_FUNCTION.search(hunk.section)
        function = match.group(1) if match else None
        for above, line in zip([None, *kept], kept):
            code = masked.get(line.patch_line, line.text)
            if line.kind == "+":
                function = _function_after(code, above, masked, function)
                found.extend([(line, code, function)] if '"' in code else [])
    return found


def _hunks_patch(tmp_path, kernel_tree, name, directory="kernel/bpf"):
    """A patch of a kernel file in hunks of context, removed and added lines, some hunks all removed."""
    lines = (kernel_tree / directory / name).read_text(errors="surrogateescape").split("\n")[:-1]
    body, old, new = [], 1, 1
    for start in range(0, len(lines) - 40, 40):
        chunk = lines[start:start + 40]
        # every third line context (a brace under a context line, a definition after one), every
        # third hunk only removes lines
        kinds = [" " if (start + i) % 3 == 0 else "-" if start % 120 == 0 else "+" for i in range(40)]
        counts = (kinds.count(" ") + kinds.count("-"), kinds.count(" ") + kinds.count("+"))
        body.append(f"@@ -{old},{counts[0]} +{new},{counts[1]} @@ static int f{start}(void)\n")
        body.extend(kind + text + "\n" for kind, text in zip(kinds, chunk))
        old, new = old + counts[0], new + counts[1]
    path = tmp_path / f"hunks-{name}.patch"
    path.write_text(f"diff --git a/{directory}/{name} b/{directory}/{name}\n--- a/{directory}/{name}\n"
                    f"+++ b/{directory}/{name}\n" + "".join(body), errors="surrogateescape")
    return path


def _c_files_of(paths):
    """(path, C file, the check run's context of its patch) for each .c and .h file of the patches."""
    from patchflow.checks import CheckContext

    for path in paths:
        series = Series(read_patches(str(path)))
        ctx = CheckContext(Options(strict=True), series)
        for file in (file for patch in series for file in patch.files if file.path.endswith((".c", ".h"))):
            yield path, file, ctx


def _c_test_paths(tmp_path, kernel_tree):
    """The test cases, two kernel files in hunks of context, removed and added lines, and a new file."""
    return [*case_files(), *(_hunks_patch(tmp_path, kernel_tree, name) for name in ("syscall.c", "btf.c")),
            _new_file_patch(tmp_path, kernel_tree, "helpers.c")]


def test_the_function_a_string_is_in_is_followed_as_the_plain_walk_follows_it(tmp_path, kernel_tree):
    compared = 0
    for path, file, ctx in _c_files_of(_c_test_paths(tmp_path, kernel_tree)):
        found = apis._strings_in_functions(file, ctx)
        walked = [(line, apis._STRING.search(code), function)
                  for line, code, function in _functions_walking_hunks(file, ctx.sources.masked_lines(file))]
        assert found == [(line, line.text[string.start():string.end()], function)
                         for line, string, function in walked if string and function], path.name
        compared += len(found)
    assert compared > 200


def _net_core_patch(tmp_path, kernel_tree, name):
    """A patch adding a copy of net/core/NAME of the tree as a new file beside it."""
    lines = (kernel_tree / "net" / "core" / name).read_text(errors="surrogateescape").split("\n")[:-1]
    path = tmp_path / f"net-{name}.patch"
    path.write_text(f"diff --git a/net/core/x_{name} b/net/core/x_{name}\nnew file mode 100644\n"
                    f"--- /dev/null\n+++ b/net/core/x_{name}\n@@ -0,0 +1,{len(lines)} @@\n"
                    + "".join(f"+{line}\n" for line in lines), errors="surrogateescape")
    return path


def _netdev_marker_patch(tmp_path):
    """Calls of dev_hold() added and removed around `\\ No newline` markers inside hunks of a net/core
    file: the lines the checks read are found by their patch lines, which a marker skips."""
    path = tmp_path / "netdev-markers.patch"
    path.write_text("diff --git a/net/core/dev.c b/net/core/dev.c\n--- a/net/core/dev.c\n+++ b/net/core/dev.c\n"
                    "@@ -1,2 +1,3 @@\n-\tdev_hold(a);\n\\ No newline at end of file\n+\tdev_hold(b);\n"
                    "+\tdev_hold(c);\n\\ No newline at end of file\n int x;\n"
                    "@@ -9,0 +10,3 @@\n+\tdev_put(d);\n+static inline int y(void) { return 0; }\n"
                    "+\tdev_put(e);\n\\ No newline at end of file\n")
    return path


def test_a_hunk_that_counts_no_old_line_has_no_removed_line(tmp_path, kernel_tree):
    """new_uses() reads no removed line in a hunk whose header counts no old line (a new file's):
    the parser reads a body by its header's counts, so none can be there."""
    hunks = [hunk for path in [*case_files(), _netdev_marker_patch(tmp_path), _new_file_patch(tmp_path, kernel_tree, "helpers.c")]
             for patch in read_patches(str(path)) for file in patch.files for hunk in file.hunks]
    assert sum(hunk.old_count == 0 for hunk in hunks) > 10
    assert all(line.kind != "-" for hunk in hunks if hunk.old_count == 0 for line in hunk.lines)


def test_the_lines_deprecated_api_and_source_inline_read_hide_no_use(tmp_path, kernel_tree, run_cli, monkeypatch):
    """DEPRECATED_API and SOURCE_INLINE read only the added lines whose text holds a call of a
    deprecated name or an `inline` (`inline.lines_with`): with every added line read instead, the
    same findings on every test case and on net/core files of the 6.12 tree added whole, with the
    tree (whose MAINTAINERS puts net/ under netdev's rules)."""
    from patchflow.checks import deprecated, inline

    inputs = [*case_files(), *(_net_core_patch(tmp_path, kernel_tree, name) for name in ("dev.c", "sock.c")),
              _hunks_patch(tmp_path, kernel_tree, "dev.c", "net/core"), _netdev_marker_patch(tmp_path)]

    def found():
        _, out, _ = run_cli("check", "--strict", "--tree", kernel_tree, "--types", "DEPRECATED_API,SOURCE_INLINE",
                            "--format", "json", *inputs)
        return json.loads(out)["findings"]

    with_filter = found()
    assert {f["type"] for f in with_filter} == {"DEPRECATED_API", "SOURCE_INLINE"}
    assert sum(f["file"].startswith("net/core/x_") for f in with_filter) > 5
    monkeypatch.setattr(inline, "lines_with", lambda needle, file, ctx: None)
    monkeypatch.setattr(deprecated, "lines_with", lambda needle, file, ctx: None)
    assert found() == with_filter


def test_the_lines_camelcase_reads_are_those_whose_code_has_a_case_change(tmp_path, kernel_tree):
    """CAMELCASE reads the added lines whose masked code holds a case change, found by one search
    of the file's joined masked lines: the lines a search of each added line's code finds."""
    camel = tmp_path / "camel.patch"  # case changes in code, comments, strings, context lines, two hunks
    camel.write_text("diff --git a/net/x.c b/net/x.c\n--- a/net/x.c\n+++ b/net/x.c\n@@ -1,1 +1,5 @@\n"
                     " int rxRing;\n+int txRing; /* Hello */\n+\tpr_info(\"Hello World\");\n+/* fooBar\n"
                     "+ * bazQux */ int aB;\n@@ -9,2 +12,2 @@\n-int oldName;\n+\tnewName(\"x\", \u00e9A, Ab);\n"
                     " int keepName;\n")
    compared = 0
    for path, file, ctx in _c_files_of([camel, *_c_test_paths(tmp_path, kernel_tree)]):
        masked = ctx.sources.masked_lines(file)
        if path is camel:
            assert [line.text for line, _ in declarations._code_with_camel(file, ctx)] == [
                "int txRing; /* Hello */", " * bazQux */ int aB;", '\tnewName("x", \u00e9A, Ab);']
        every_line = [(line, masked[line.patch_line]) for hunk in file.hunks for line in hunk.lines
                      if line.kind == "+" and declarations._CAMEL.search(masked[line.patch_line])]
        assert declarations._code_with_camel(file, ctx) == every_line, path.name
        compared += len(every_line)
    assert compared > 5


def test_a_macro_argument_body_is_read_once_as_each_argument_reads_it(tmp_path, kernel_tree):
    """MACRO_ARG_REUSE and MACRO_ARG_PRECEDENCE read each argument's body (its harmless uses taken
    out) from `_arguments`, worked out once per macro and left whole when the body has no harmless
    use: the bodies taken apart argument by argument."""
    from patchflow.checks import CheckContext

    header = kernel_tree / "tools" / "lib" / "bpf" / "bpf_core_read.h"  # 36 function-like macros
    lines = header.read_text(errors="surrogateescape").split("\n")[:-1]
    path = tmp_path / "core-read-h.patch"
    path.write_text("diff --git a/tools/lib/bpf/x.h b/tools/lib/bpf/x.h\nnew file mode 100644\n--- /dev/null\n"
                    f"+++ b/tools/lib/bpf/x.h\n@@ -0,0 +1,{len(lines)} @@\n" + "".join(f"+{line}\n" for line in lines),
                    errors="surrogateescape")
    read = 0
    for path in (path, *case_files()):
        series = Series(read_patches(str(path)))
        ctx = CheckContext(Options(strict=True), series)
        for patch in series:
            for file in (file for file in patch.files if file.path.endswith((".c", ".h"))):
                for line in (line for hunk in file.hunks for line in hunk.lines if line.kind == "+"):
                    macro = macros._macro(line, file, ctx)
                    if macro is None:
                        continue
                    taken_apart = [(arg, macros._without_harmless_uses(macro.single_line, arg)) for arg in macro.args
                                   if "..." not in arg and arg.lower() != "type" and arg]
                    assert macros._arguments(macro) == taken_apart, line.text
                    for arg, body in taken_apart:
                        assert macros._next_to_operator(body, arg) == _next_to_operator_from_start(body, arg)
                    read += len(taken_apart)
    assert read > 50
    for body in ("a <= b", "x ->a", "f(a, b)", "a = b", "c == a", "b, a", "(a) - 1", "~a", "x >> a", "a"):
        assert macros._next_to_operator(body, "a") == _next_to_operator_from_start(body, "a"), body


def _next_to_operator_from_start(body, arg):
    """MACRO_ARG_PRECEDENCE's test with the operator before the argument searched from the body's start."""
    rules = macros._rules()
    for word in rules["word"].finditer(body):
        if word.group() == arg:
            before = rules["operator_end"].search(body, 0, word.start())
            after = rules["operator"].match(body, len(body) - len(body[word.end():].lstrip()))
            return bool((before and before.group().strip() != ",") or (after and after.group() != ","))
    return False


def test_the_lines_memory_barrier_reads_are_those_holding_a_part_of_a_barriers_name(tmp_path, kernel_tree):
    """MEMORY_BARRIER reads the added lines holding `mb(`, `mb (`, `mb__`, `_release` or `_acquire`,
    found by three searches of the joined text: the lines a test of each line finds."""
    from test_line_needles import _file_of
    from patchflow.checks._lines import AddedLines

    texts = ["\tsmp_mb();", "\tmb ();", "\tsmp_mb__after_atomic();", "\tsmp_store_release(&x, 1);", "\tnumber = 1;",
             "\tx = smp_load_acquire(&y);", "\tmbmb(", "\tmb", "mb_", "\tlimb(x); /* mb__ */", "\tthumb (x);"]
    added = AddedLines(_file_of(texts))
    assert apis._barrier_lines(added) == [0, 1, 2, 3, 5, 6, 9, 10]
    _assert_found_as_each_line_shows(tmp_path, kernel_tree, "helpers.c", lambda file, added: apis._barrier_lines(added),
                                     lambda text: any(part in text for part in apis._BARRIER_PARTS))


def test_the_lines_prefer_kernel_types_reads_are_those_naming_a_c99_type(tmp_path, kernel_tree):
    """PREFER_KERNEL_TYPES reads the added lines in which a search of the joined text finds a C99
    integer type's name: the lines a search of each line finds."""
    from test_line_needles import _file_of
    from patchflow.checks import definitions
    from patchflow.checks._lines import AddedLines

    shown = definitions.prefer_kernel_types.line_filter
    texts = ["\tuint32_t a;", "\tint x;", "\t__int_8_t b; int64_t c;", "\tprint16_t();", "\tu32 d;", "int8_", "_t"]
    file = _file_of(texts)
    assert shown.indexes(file, AddedLines(file), None) == [0, 2, 3]
    _assert_found_as_each_line_shows(tmp_path, kernel_tree, "btf.c",
                                     lambda file, added: shown.indexes(file, added, None),
                                     definitions._C99_TYPE_IN_TEXT.search)


def test_the_lines_initialised_static_reads_are_those_its_per_line_needle_finds(tmp_path, kernel_tree):
    """INITIALISED_STATIC reads the added lines that a search of the joined text for a `static`
    initialised to 0, NULL or false finds: the lines its pattern finds searching each line."""
    from test_line_needles import _file_of
    from patchflow.checks import definitions
    from patchflow.checks._lines import AddedLines

    shown = definitions.initialised_static.line_filter
    per_line = re.compile(r"\bstatic\s.*=\s*(?:0|NULL|false)")
    texts = ["static int a = 0;", "\tstatic bool b\t=\tfalse;", "nonstatic int c = 0;", "static", "int d = 0;",
             "static int e", "= 0;", "x_static int f = NULL;", "/* static */ int g = 0;", "static\tint h = 1;"]
    file = _file_of(texts)
    assert shown.indexes(file, AddedLines(file), None) == [0, 1, 8]
    _assert_found_as_each_line_shows(tmp_path, kernel_tree, "btf.c",
                                     lambda file, added: shown.indexes(file, added, None), per_line.search)


def test_the_prototype_heads_are_those_each_pattern_matches_on_each_line(tmp_path, kernel_tree):
    """AVOID_EXTERNS and FUNCTION_ARGUMENTS match their patterns only on the heads that start with a
    type (`_prototype_heads.typed_heads`, one match a head for both): the lines each pattern finds
    on each added line that may start a prototype."""
    heads = tmp_path / "heads.patch"  # a type on a call, a pointer to a function, a `(` not at the end
    heads.write_text("diff --git a/net/x.c b/net/x.c\n--- a/net/x.c\n+++ b/net/x.c\n@@ -1,1 +1,7 @@\n"
                     " int x;\n+size_t x_len(void);\n+\tint (*open)(struct sock *);\n+\tfoo(bar);\n"
                     "+extern u32 x_mask(int a,\n+\t\t   int b);\n+static int x_open(void) { return 0; }\n")
    matched = 0
    for path, file, ctx in _c_files_of([heads, *_c_test_paths(tmp_path, kernel_tree)]):
        added = declarations.added_lines(file, ctx)
        for pattern in (_prototype_heads.C_PROTOTYPE, _prototype_heads.FUNCTION_DECLARATION):
            every_line = [index for index, line in enumerate(added.lines)
                          if _prototype_heads.is_head(line.text) and pattern.match(line.text)]
            assert _prototype_heads.heads_matching(added, ctx, pattern) == every_line, path.name
            matched += len(every_line)
            if path is heads:
                assert every_line == ([0, 3] if pattern is _prototype_heads.C_PROTOTYPE else [0, 1, 3])
    assert matched > 50
