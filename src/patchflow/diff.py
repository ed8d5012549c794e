"""Unified diffs (`git diff`, `diff -u`) parsed into the patch model's `FileDiff`s, hunk by hunk.

Every diff line keeps its line number in the patch and in the old and the new file.
"""

from __future__ import annotations

from itertools import repeat

from .errors import BadInput
from .lazy_regex import lazy
from .patch import DiffLine, FileDiff, Hunk, Patch

_HUNK = lazy(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
_INDEX = lazy(r"^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?")


def _strip_prefix(path: str, git_diff: bool = True) -> str | None:
    """The file's path: without git's `a/`/`b/`; in a diff without `diff --git` lines (quilt's
    `--- linux.orig/net/x.c`), without its first directory, as `git apply` (-p1) strips it."""
    path = path.split("\t")[0].rstrip("\r")
    if path == "/dev/null":
        return None
    if path.startswith('"') and path.endswith('"'):
        path = path[1:-1].encode("latin-1", errors="ignore").decode("unicode_escape", errors="replace")
    if path[:2] in ("a/", "b/"):
        return path[2:]
    if not git_diff and "/" in path.strip("/"):
        return path.lstrip("/").split("/", 1)[1]
    return path


def parse_diff(patch: Patch, pos: int) -> list[FileDiff]:
    """Parse the unified diff that starts at lines[pos].

    Hunk bodies are read by their counts, as `git apply` does, so a line outside every hunk (the
    `-- ` signature, a trailing changelog) is not a diff line. A `diff --git` section of the usual
    shape (extended headers, `---`/`+++`, hunks, then text that is no diff) is read here in one
    pass (`_read_git_section`); any other is read with unidiff, and we keep its lines' numbers and
    add the extended headers (index blobs, modes) it leaves as raw text.
    """
    sections = _check_hunk_counts(patch, pos)
    files: list[FileDiff] = []
    # unidiff's objects for a line weigh ten times our own: parse one `diff --git` section at a time
    # so that only one file's are alive at once (a 200,000-line patch stays under 200 MB)
    bounds = [pos, *sections, len(patch.lines)]
    for section_start, section_end in zip(bounds, bounds[1:]):
        read = _read_git_section(patch, section_start, section_end)
        files.extend(read if read is not None else _parse_diff_section(patch, section_start, section_end))
    return files


# git's extended headers between `diff --git` and `---`, as the one-pass reader takes them (each
# exactly as git writes it: anything else goes to unidiff)
_GIT_HEADER = lazy(r"(?:new file mode|deleted file mode|old mode|new mode) [0-7]{6}|"
                   r"index [0-9a-f]+\.\.[0-9a-f]+(?: [0-7]{6})?|(?:dis)?similarity index [0-9]{1,3}%|"
                   r"(?:rename|copy) (?:from|to) [^\s\"]+")
_NO_NEWLINE_MARKER = "\\ No newline at end of file"
# after the last hunk, lines that unidiff would read as part of a diff (a marker, a file, a hunk,
# a header it refuses there): their section goes to unidiff
_DIFF_LIKE = ("--- ", "+++ ", "@@", "\\", "Binary file", "GIT binary patch", "new file mode ",
              "deleted file mode ", "old mode ", "new mode ", "index ")


def _read_git_section(patch: Patch, start: int, end: int) -> list[FileDiff] | None:
    """The file of lines[start:end] when it is a `diff --git a/X b/Y` section of the usual shape,
    read in one pass: paths without blanks or quotes, git's extended headers, `---` and `+++ b/Y`
    (or /dev/null), hunks each followed by `\\ No newline` markers only, then lines that are no
    diff (the signature). None for any other section: unidiff reads it, with its rules and errors
    (the same FileDiffs either way: tests/test_diff_reader.py)."""
    lines = patch.lines
    paths = _git_paths(lines[start])
    if paths is None:
        return None
    i = start + 1
    while i < end and _GIT_HEADER.fullmatch(lines[i]):
        i += 1
    headers = lines[start + 1:i]
    source, target = paths
    if any(header.startswith("deleted file mode ") for header in headers):
        target = "/dev/null"
    if not (i + 2 < end and lines[i].startswith("--- ") and lines[i + 1] == "+++ " + target):
        return None
    diff = FileDiff(old_path=_strip_prefix(source), new_path=_strip_prefix(target), patch_line=patch.first_line + start)
    for header in headers:
        _parse_extended_header(diff, header)
    i = _read_hunks(diff, lines, i + 2, end, patch.first_line)
    if i is None or not diff.hunks or any(line.startswith(_DIFF_LIKE) for line in lines[i:end]):
        return None
    return [diff]


def _git_paths(line: str) -> tuple | None:
    """("a/X", "b/Y") of a `diff --git a/X b/Y` line whose paths hold no blank, tab, quote or CR
    (the paths unidiff reads from it), else None."""
    words = line.split(" ")
    if len(words) != 4 or "\t" in line or '"' in line or "\r" in line:
        return None
    source, target = words[2], words[3]
    if len(source) < 3 or len(target) < 3 or not source.startswith("a/") or not target.startswith("b/"):
        return None
    return source, target


def _read_hunks(diff: FileDiff, lines: list[str], i: int, end: int, first_line: int) -> int | None:
    """Read the hunks from lines[i] on into `diff`, each body by its header's counts; the index after
    the last hunk and its markers, or None when a hunk header or a marker is not as unidiff reads it."""
    while i < end and lines[i].startswith("@@ -"):
        match = _UNIDIFF_HUNK.match(lines[i])
        if match is None:
            return None
        old_start, old_count, new_start, new_count, section = match.groups()
        model = Hunk(int(old_start), 1 if old_count is None else int(old_count), int(new_start),
                     1 if new_count is None else int(new_count), section.strip(), 0)
        i = _read_hunk_body(model, lines, i + 1, first_line)
        while i < end and lines[i].startswith("\\"):
            if not lines[i].startswith(_NO_NEWLINE_MARKER):
                return None
            model.lines[-1].no_newline = True
            i += 1
        model.patch_line = model.lines[0].patch_line - 1
        diff.hunks.append(model)
    return i


def _unidiff_lines(lines: list[str]) -> list[str]:
    """The lines for unidiff, with the CR of a CRLF taken off the file headers (`diff --git`, and a
    `---`/`+++` pair): unidiff compares them to each other, and a mail may carry a CR on some of them
    only (quoted-printable `=0D`); `git apply` reads such headers alike."""
    out = [line + "\n" for line in lines]
    for k, line in enumerate(lines):
        if line.endswith("\r") and (line.startswith("diff --git ") or (
                line.startswith("--- ") and k + 1 < len(lines) and lines[k + 1].startswith("+++ "))):
            out[k] = line[:-1] + "\n"
            if not line.startswith("diff"):
                out[k + 1] = lines[k + 1].rstrip("\r") + "\n"
    return out


def _parse_diff_section(patch: Patch, start: int, end: int) -> list[FileDiff]:
    """The files of lines[start:end]: one `diff --git` section, or a whole diff without such lines.

    unidiff reads the structure (files, headers, hunks, where each hunk ends) without making an
    object per line (`metadata_only`, the same rules and errors), and the hunks' lines are read
    here from the lines unidiff was given. unidiff before 1.0 refuses a blank context line in that
    mode (a mail client's stripped ` `): such a diff is read again with its objects per line."""
    from unidiff import PatchSet  # imported only when a section needs it: most are read without
    from unidiff.errors import UnidiffParseError

    base = patch.first_line + start  # patch line number of the section's first line
    given = _unidiff_lines(patch.lines[start:end])
    try:
        patch_set, per_line = PatchSet(given, metadata_only=True), False
    except (UnidiffParseError, ValueError):
        try:
            patch_set, per_line = PatchSet(given), True
        except (UnidiffParseError, ValueError) as exc:
            raise BadInput(f"{patch.name}: broken diff: {_one_line(str(exc))}")
    files: list[FileDiff] = []
    git_diff = patch.lines[start].startswith("diff --git ")
    cursor = 0  # hunk bodies are read in order: the next hunk's header is the next one from here
    for patched in patch_set:
        if not git_diff and not len(patched):
            continue  # `--- x` and `+++ y` with no hunk (a diff quoted in prose): `git apply` skips them
        info = [str(line).rstrip("\n") for line in patched.patch_info or ()]
        diff = FileDiff(
            old_path=_strip_prefix(patched.source_file, git_diff),
            new_path=_strip_prefix(patched.target_file, git_diff),
            patch_line=base,
            is_binary=patched.is_binary_file,
        )
        for line in info:
            _parse_extended_header(diff, line.rstrip("\r"))
        for hunk in patched:
            model = Hunk(hunk.source_start, hunk.source_length, hunk.target_start, hunk.target_length,
                         (hunk.section_header or "").strip(), 0)
            if not per_line:
                while not _UNIDIFF_HUNK.match(given[cursor]):
                    cursor += 1
                cursor = _read_hunk_body(model, patch.lines, start + cursor + 1, patch.first_line) - start
            _add_unidiff_lines(model, hunk, base)
            model.patch_line = (model.lines[0].patch_line - 1) if model.lines else base
            diff.hunks.append(model)
        files.append(diff)
    return files


def _add_unidiff_lines(model: Hunk, hunk, base: int) -> None:
    """The lines unidiff made objects for: every line when it read them all, else only a `\\ No
    newline` marker or blank lines after the hunk's counted end."""
    for line in hunk:
        if line.line_type == "\\":  # before the next test: unidiff numbers no marker line
            if model.lines:
                model.lines[-1].no_newline = True
            continue
        if line.line_type not in ("+", "-", " ") or line.diff_line_no is None:
            # the blank line that ends a mail of an mbox, or an empty line unidiff keeps after
            # the hunk's counted end: not part of the hunk
            continue
        model.lines.append(DiffLine(line.line_type, line.value.rstrip("\n"), base + line.diff_line_no - 1,
                                    line.source_line_no, line.target_line_no))


# unidiff's hunk header and its reading of a hunk body line that starts with CR or LF (a context line)
_UNIDIFF_HUNK = lazy(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))?\ @@[ ]?(.*)")
_EMPTY_BODY_LINE = lazy(r"[\r\n]{1,2}")


def _read_hunk_body(model: Hunk, lines: list[str], i: int, first_line: int) -> int:
    """Append the DiffLines of the hunk body that starts at lines[i] (whose counts
    `_check_hunk_counts` has checked; lines[0] is patch line `first_line`); returns the index after it."""
    old, new = model.old_start, model.new_start
    old_end, new_end = old + model.old_count, new + model.new_count
    body = model.lines
    while old < old_end or new < new_end:
        text = lines[i]
        kind = text[:1]
        if kind == "+":
            body.append(DiffLine("+", text[1:], first_line + i, None, new))
            new += 1
        elif kind == "-":
            body.append(DiffLine("-", text[1:], first_line + i, old, None))
            old += 1
        elif kind == "\\":
            if body:
                body[-1].no_newline = True
        else:  # " ", or a line that is empty or starts with CR: context, as unidiff reads it
            value = text[1:] if kind == " " else _EMPTY_BODY_LINE.match(text + "\n").group().rstrip("\n")
            body.append(DiffLine(" ", value, first_line + i, old, new))
            old, new = old + 1, new + 1
        i += 1
    return i


# hunk counts beyond this are refused before they are turned into numbers (a 5,000-digit count is an attack)
_MAX_COUNT_DIGITS = 9


def _check_hunk_counts(patch: Patch, pos: int) -> list[int]:
    """Refuse a hunk whose body does not have the lines its header counts, naming both lines; return
    the indexes after `pos` of the `diff --git` lines, which start the diff's sections (found on the
    way: no hunk body holds one).

    `git apply` reads a hunk body by the header's counts and calls the patch corrupt when the body
    ends early (a cut-off mail) or when a '+'/'-' line follows the counted end (counts that lie).
    """
    lines = patch.lines
    n = len(lines)
    i = pos
    sections = []
    while i < n:
        header = lines[i]
        match = _HUNK.match(header) if header.startswith("@@ -") else None
        if match is None:
            if i > pos and header.startswith("diff --git "):
                sections.append(i)
            i += 1
            continue
        header_line = patch.file_line(patch.first_line + i)
        counts = [match.group(k) or "1" for k in (2, 4)]
        if any(len(count) > _MAX_COUNT_DIGITS for count in counts) or \
                any(len(match.group(k)) > _MAX_COUNT_DIGITS for k in (1, 3)):
            raise BadInput(f"{patch.name}:{header_line}: hunk header with an impossible line number or count")
        old, new = int(counts[0]), int(counts[1])
        if old == 0 and new == 0:
            raise BadInput(f"{patch.name}:{header_line}: a hunk header that counts no lines")
        i, old, new = _counted_body_end(lines, i + 1, old, new)
        if old > 0 or new > 0:
            where = f"line {patch.file_line(patch.first_line + i)}" if i < n else "the end of the file"
            raise BadInput(f"{patch.name}:{header_line}: the hunk is cut short at {where}: "
                           f"its header counts more lines (a truncated patch, or counts that lie)")
        if old < 0 or new < 0:
            raise BadInput(f"{patch.name}:{header_line}: the hunk has more lines than its header counts")
        while i < n and lines[i].startswith("\\"):
            i += 1
        if i < n and lines[i][:1] in ("+", "-") and not _ends_diff_block(lines, i):
            raise BadInput(f"{patch.name}:{patch.file_line(patch.first_line + i)}: a diff line after the end of the hunk at "
                           f"line {header_line}: the hunk header's counts are wrong")
    return sections


def _counted_body_end(lines: list[str], i: int, old: int, new: int) -> tuple:
    """Walk the hunk body that starts at lines[i] as far as its counts go: (the index after it, the
    old and new counts left over: above 0 when the body ends early, below when a line overran)."""
    if old == 0 and i + new <= len(lines) and all(map(str.startswith, lines[i:i + new], repeat("+"))):
        return i + new, 0, 0  # a hunk that only adds (a new file's): one test of its lines, in C
    n = len(lines)
    while (old > 0 or new > 0) and i < n:
        kind = lines[i][:1]
        if kind == " " or lines[i] in ("", "\r"):
            old, new = old - 1, new - 1
        elif kind == "-":
            old -= 1
        elif kind == "+":
            new -= 1
        elif kind != "\\":
            break
        i += 1
    return i, old, new


def _ends_diff_block(lines: list[str], i: int) -> bool:
    """Whether lines[i], just after a hunk, is a mail signature or the next file's `---`/`+++` pair."""
    line = lines[i].rstrip("\r")
    if line in ("--", "-- "):
        return True
    return line.startswith("--- ") and i + 1 < len(lines) and lines[i + 1].startswith("+++ ")


def _one_line(text: str, limit: int = 120) -> str:
    """A message fit for the one stderr line: control characters escaped, long quotes cut."""
    text = text.strip().encode("unicode_escape", errors="backslashreplace").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _parse_extended_header(current: FileDiff, line: str) -> None:
    if line.startswith("new file mode "):
        current.old_path = None
        current.new_mode = line.split()[-1]
    elif line.startswith("deleted file mode "):
        current.new_path = None
        current.old_mode = line.split()[-1]
    elif line.startswith("old mode "):
        current.old_mode = line.split()[-1]
    elif line.startswith("new mode "):
        current.new_mode = line.split()[-1]
    elif line.startswith("rename from ") or line.startswith("copy from "):
        current.is_rename = line.startswith("rename")
        current.is_copy = line.startswith("copy")
        current.old_path = line.split(" ", 2)[2]
    elif line.startswith("rename to ") or line.startswith("copy to "):
        current.new_path = line.split(" ", 2)[2]
    elif line.startswith("index "):
        match = _INDEX.match(line)
        if match:
            current.old_blob, current.new_blob = match.group(1), match.group(2)
            if match.group(3):
                current.old_mode = current.old_mode or match.group(3)
                current.new_mode = current.new_mode or match.group(3)
    elif line.startswith("Binary files ") or line == "GIT binary patch":
        current.is_binary = True
