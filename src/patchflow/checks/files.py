"""Files as wholes: files added, moved or deleted (does MAINTAINERS follow?), a file's own name written
inside it, the SPDX-License-Identifier tag on its first line, and execute permissions.
"""

from __future__ import annotations

import os
import re

from . import ERROR, WARNING, Hit, check
from ._hunk_places import index_in_hunk
from ._lines import line_filter, lines_holding
from .message import _SIGN_OFF
from ..lazy_regex import lazy

_MODE_LINE = lazy(r"^(?:new|deleted) file mode\s*\d+\s*$")
_RENAME_LINE = lazy(r"^rename (?:from|to) [\w/.\-]+\s*$")
_DIFFSTAT_RENAME = lazy(r"\{\s*([\w/.\-]*)\s*=>\s*([\w/.\-]*)\s*\}")
_MAINTAINERS_STAT = lazy(r"^\s*MAINTAINERS\s*\|")


def _path_change_line(text: str) -> bool:
    if text.startswith(("new file mode", "deleted file mode")):
        return bool(_MODE_LINE.match(text))
    if text.startswith("rename "):
        return bool(_RENAME_LINE.match(text))
    return "=>" in text and "{" in text and bool(_DIFFSTAT_RENAME.search(text))


def _log_lines(patch) -> set[int]:
    """The commit log as checkpatch bounds it: the body up to the first sign-off (a cover letter's
    shortlog and diffstat included, which is prose to it)."""
    found = set()
    for patch_line, text in patch.message:
        if _SIGN_OFF.match(text):
            break
        found.add(patch_line)
    return found


@check("FILE_PATH_CHANGES", level=WARNING)
def file_path_changes(patch, ctx):
    """The patch adds, moves or deletes a file, and its diffstat does not show MAINTAINERS changing.

    ## What it does
    Reports the first `new file mode`, `deleted file mode` or `rename from/to` line of the patch,
    or a diffstat line with a `{old => new}` rename, once per patch, unless a diffstat line above
    it shows that MAINTAINERS changes too.

    ## Why is this bad?
    MAINTAINERS lists files by path. A new file that no entry covers has no reviewer;
    get_maintainer.pl, and so the people who should see the next patch, follow the paths written
    there, and a moved or deleted file leaves an entry pointing at nothing. The warning asks the
    author to look; often the directory's entry already covers the file.

    ## Example
    ```bad new path=kernel/bpf/map_iter_stats.c
    +// SPDX-License-Identifier: GPL-2.0
    ```

    ```good path=kernel/bpf/syscall.c
    +	return 0;
    ```

    ## Fix
    Check that an entry of MAINTAINERS covers the new path (`scripts/get_maintainer.pl -f FILE`),
    and add or update one in the same series when none does.
    """
    log = _log_lines(patch) if patch.is_mail else set()
    for index, text in enumerate(patch.lines):
        if "MAINTAINERS" in text and _MAINTAINERS_STAT.match(text):
            return
        if text[:1] in ("+", "-", " ") and "{" not in text:
            continue  # a diff line, not a header (and not a diffstat rename)
        patch_line = patch.first_line + index
        if _path_change_line(text) and patch_line not in log:
            yield Hit.on_patch_line(patch, patch_line,
                                    "added, moved or deleted file(s), does MAINTAINERS need updating?")
            return


# checkpatch's reading of a mode line: a mode whose last three digits hold an odd one ("new mode 100755")
_EXECUTABLE_MODE = lazy(r"^new (?:file )?mode.*[7531]\d{0,2}$")
_DIFF_GIT_PATH = lazy(r"^diff --git.*?(\S+)$")
_PLUS_PATH = lazy(r"^\+\+\+\s+(\S+)")
_SCRIPT = lazy(r"\.(?:py|pl|awk|sh)$")
_PATH_PREFIX = lazy(r"^[^/]*/")  # a/ or b/


def _mode_lines(patch):
    """(patch line, text, the file named by the last `diff --git`/`+++` line, its a/ b/ prefix cut)
    of each `new ...` line of the patch outside the hunks, as checkpatch names the file a line
    belongs to (the other lines are told apart by how they start, before any pattern is tried)."""
    current = ""
    for patch_line in _lines_outside_hunks(patch):
        text = patch.lines[patch_line - patch.first_line]
        if text.startswith(("diff --git", "+++")):
            named = _DIFF_GIT_PATH.match(text) or _PLUS_PATH.match(text)
            if named:
                current = _PATH_PREFIX.sub("", named.group(1))
        if text.startswith("new "):
            yield patch_line, text, current


def _lines_outside_hunks(patch):
    """The patch lines that are no hunk's line, in order. A hunk's lines follow one another in the
    patch but for a line the reader skipped (a `\\ No newline` marker), so the spans between hunks
    are counted, not every line of the patch looked up (a set of them all took 10 ms on the corpus)."""
    hunks = sorted((hunk for file in patch.files for hunk in file.hunks if hunk.lines),
                   key=lambda hunk: hunk.lines[0].patch_line)
    at = patch.first_line
    for hunk in hunks:
        first, last = hunk.lines[0].patch_line, hunk.lines[-1].patch_line
        yield from range(at, first)
        if last - first + 1 != len(hunk.lines):
            inside = {line.patch_line for line in hunk.lines}
            yield from (number for number in range(first, last + 1) if number not in inside)
        at = max(at, last + 1)
    yield from range(at, patch.first_line + len(patch.lines))


@check("EXECUTE_PERMISSIONS", level=ERROR)
def execute_permissions(patch, ctx):
    """The patch makes a source file executable.

    ## What it does
    Reports a `new file mode` or `new mode` line that sets an execute bit, unless the file is under
    a `scripts/` directory or is a Python, Perl, awk or shell script (`.py`, `.pl`, `.awk`, `.sh`), as
    checkpatch does.

    ## Why is this bad?
    A C file, a header or a Makefile is never run; an execute bit on one is an accident of the
    editor or of a copy from a Windows share, and it travels into every tree that applies the patch.
    `git diff` shows it only in the mode line, which reviewers skip.

    ## Example
    ```bad
    Subject: [PATCH bpf-next] bpf: Restore the syscall file after the copy

    The file was copied from a share and picked up the wrong mode.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/kernel/bpf/syscall.c b/kernel/bpf/syscall.c
    old mode 100644
    new mode 100755
    ```

    ```good
    Subject: [PATCH bpf-next] selftests/bpf: Make the XDP test script executable

    The script is run directly by the selftest runner.

    Signed-off-by: Jane Doe <jane@example.org>
    ---
    diff --git a/tools/testing/selftests/bpf/test_xdp_veth.sh b/tools/testing/selftests/bpf/test_xdp_veth.sh
    old mode 100644
    new mode 100755
    ```

    ## Fix
    `chmod -x FILE` and amend the commit (`git commit --amend -a`); `git config core.fileMode true`
    makes git notice the bit.
    """
    for patch_line, text, path in _mode_lines(patch):
        if _EXECUTABLE_MODE.match(text) and "scripts/" not in path and not _SCRIPT.search(path):
            yield Hit.on_patch_line(patch, patch_line, "do not set execute permissions for source files",
                                    file=path)


@check("EMBEDDED_FILENAME", level=WARNING, scope="line")
@line_filter(lines=lambda file, added, ctx: lines_holding(file.path, added))
def embedded_filename(line, file, ctx):
    """An added line spells out the path of the file it is in.

    ## What it does
    Reports an added line that holds the file's own path (as the diff names it, e.g.
    `net/core/sock.c`) as a whole word, in code, a comment or a string.

    ## Why is this bad?
    A file that names itself is wrong as soon as it is moved or renamed, and the name says nothing
    that `git log` and the editor do not show.

    ## Example
    ```bad path=net/core/example.c
    +/* net/core/example.c: the example socket option */
    ```

    ```good path=net/core/example.c
    +/* the example socket option */
    ```

    ## Fix
    Leave the path out; describe what the file does instead.
    """
    path = file.path
    if path not in line.text:
        return None
    if re.search(r"\b" + re.escape(path) + r"\b", line.text):
        return "It's generally not useful to have the filename in the file"
    return None


_SHEBANG = lazy(r"^\s*#!\s*/")
_SPDX_TAG = "SPDX-License-Identifier:"
_LICENSE_DIRS = ("preferred", "dual", "deprecated", "exceptions")
_EXPRESSION_WORD = lazy(r"[A-Za-z0-9.+\-]+")
# the patterns SPDX_LICENSE_TAG asks of each file's first lines, compiled once (not looked up in
# `re`'s cache per line)
_BLOCK_COMMENT_SUFFIX = lazy(r"\.(h|s|S)$")
_LINE_COMMENT_SUFFIX = lazy(r"\.(c|rs|dts|dtsi)$")
_SCRIPT_SUFFIX = lazy(r"\.(sh|pl|py|awk|tc|yaml)$")
_C_OR_ASSEMBLY = lazy(r"\.[chsS]$")
_SPDX_EXPRESSION = lazy(r"(SPDX-License-Identifier: .*)")
_TAGGED_SUFFIX = lazy(r"\.(h|c|rs|s|S|sh|dtsi|dts)$")
_SPDX_WORD = lazy(r"\bSPDX-License-Identifier:")


def _comment_style(path: str, license_line: int) -> str:
    """The comment a file's SPDX line starts with, by its suffix (checkpatch's table)."""
    if _BLOCK_COMMENT_SUFFIX.search(path):
        return "/*"
    if _LINE_COMMENT_SUFFIX.search(path):
        return "//"
    if license_line == 2 or _SCRIPT_SUFFIX.search(path):
        return "#"
    return ".." if path.endswith(".rst") else ""


def _valid_licenses(ctx) -> set[str] | None:
    """The identifiers the tree's LICENSES/ files declare valid, or None without such a tree."""
    return ctx.once(_read_licenses)


def _read_licenses(ctx) -> set[str] | None:
    tree = ctx.tree
    if tree is None or not os.path.isdir(os.path.join(tree.path, "LICENSES")):
        return None
    found = set()
    for kind in _LICENSE_DIRS:
        folder = os.path.join(tree.path, "LICENSES", kind)
        for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else ():
            for text_line in (tree.read_text(f"LICENSES/{kind}/{name}") or "").splitlines():
                if text_line.startswith(("Valid-License-Identifier:", "SPDX-Exception-Identifier:")):
                    found.add(text_line.split(":", 1)[1].strip())
    return found


def _unknown_license(ctx, expression: str) -> bool:
    valid = _valid_licenses(ctx)
    if valid is None:
        return False
    expression = re.sub(r"\s*(?:\*/|-->)\s*$", "", expression)
    words = [w for w in _EXPRESSION_WORD.findall(expression) if w not in ("AND", "OR", "WITH")]
    return not words or any(word not in valid for word in words)


def _first_line_problems(ctx, path: str, text: str, license_line: int):
    comment = _comment_style(path, license_line)
    if _C_OR_ASSEMBLY.search(path) and _SPDX_TAG in text and not text.lstrip().startswith(comment):
        yield f"Improper SPDX comment style for '{path}', please use '{comment}' instead"
    if comment and not text.startswith(f"{comment} SPDX-License-Identifier: "):
        yield f"Missing or malformed SPDX-License-Identifier tag in line {license_line}"
        return
    match = _SPDX_EXPRESSION.search(text)
    if match is None:
        return
    expression = match.group(1)
    if _unknown_license(ctx, expression[len(_SPDX_TAG) + 1:]):
        yield f"'{expression}' is not supported in LICENSES/..."
    if path.startswith("Documentation/devicetree/bindings/") and \
            not re.search(r"GPL-2\.0(?:-only)? OR BSD-2-Clause", expression):
        yield "DT binding documents should be licensed (GPL-2.0-only OR BSD-2-Clause)"
    if path.startswith("include/dt-bindings/") and not re.search(r"GPL-2\.0(?:-only)? OR \S+", expression):
        yield "DT binding headers should be licensed (GPL-2.0-only OR .*)"


def _misplaced(file, line) -> bool:
    """An SPDX tag below the first lines of a C, Rust, assembly, shell or device tree file: on any line
    of the hunk, added or not (checkpatch means to look in comments only, but reports any)."""
    return bool(_TAGGED_SUFFIX.search(file.path)) and _SPDX_WORD.search(line.text) is not None


def _license_lines(patch, hunk):
    """The added and context lines of a hunk that SPDX_LICENSE_TAG reads, in order: those on line 1 or
    2 of the new file (at the hunk's start) and those naming SPDX, found by one search of the hunk's
    lines in the patch, joined (a new file's hunk has thousands of lines, and one tag)."""
    lines = hunk.lines
    if not lines:
        return []
    wanted = {}
    for line in lines:
        if line.kind != "-" and line.new_line > 2:
            break  # the new file's line numbers only grow
        if line.kind != "-":
            wanted[line.patch_line] = line
    start = lines[0].patch_line - patch.first_line
    text = "\n".join(patch.lines[start:lines[-1].patch_line - patch.first_line + 1])
    at, newlines, counted = text.find("SPDX"), 0, 0
    while at >= 0:
        newlines += text.count("\n", counted, at)
        counted = at
        line = lines[index_in_hunk(hunk, lines[0].patch_line + newlines)]
        if line.kind != "-":
            wanted[line.patch_line] = line
        at = text.find("SPDX", at + 1)
    return [wanted[number] for number in sorted(wanted)]


@check("SPDX_LICENSE_TAG", level=WARNING, scope="patch")
def spdx_license_tag(patch, ctx):
    """The first line of a file is not a well-formed SPDX-License-Identifier tag.

    ## What it does
    When a patch adds the first line of a file (the second, after a `#!` line), reports it unless
    it is an SPDX-License-Identifier tag in the comment style of the file's language (`// ` in .c,
    .rs and device tree files, `/* */` in headers and assembly, `# ` in scripts and YAML, `.. ` in
    reStructuredText). With a kernel tree (`--tree`, or the one around the current directory) that
    has LICENSES/, each license named must be one of its valid identifiers. Device tree bindings
    must be dual-licensed. An SPDX tag in a comment further down a C, Rust, assembly or device
    tree or shell file is reported as misplaced, on an added line or a context line (as checkpatch).

    ## Why is this bad?
    Documentation/process/license-rules.rst: every file carries its license as an SPDX identifier
    on its first line (the second for scripts), in the comment style tools look for;
    scripts/spdxcheck.py and the license scanners of distributions read nothing else.

    ## Example
    ```bad
    @@ -1,1 +1,1 @@
    -// SPDX-License-Identifier: GPL-2.0
    +/* SPDX-License-Identifier: GPL-2.0 */
    ```

    ```good
    @@ -1,1 +1,1 @@
    -// SPDX-License-Identifier: GPL-2.0
    +// SPDX-License-Identifier: GPL-2.0-only
    ```

    ## Fix
    Start the file with the tag in its language's comment style, e.g. `// SPDX-License-Identifier:
    GPL-2.0` for a .c file and `/* SPDX-License-Identifier: GPL-2.0 */` for a header.
    """
    for file in patch.files:
        if file.is_binary:
            continue
        license_line = 1
        for hunk in file.hunks:
            for line in _license_lines(patch, hunk):
                if line.new_line == license_line and license_line == 1 and _SHEBANG.match(line.text):
                    license_line = 2
                elif line.new_line == license_line and line.kind == "+":
                    for message in _first_line_problems(ctx, file.path, line.text, license_line):
                        yield Hit.at(line, file, message, patch=patch)
                elif line.new_line != license_line and "SPDX" in line.text and _misplaced(file, line):
                    yield Hit.at(line, file, f"Misplaced SPDX-License-Identifier tag - use line {license_line} "
                                 "instead", patch=patch)
