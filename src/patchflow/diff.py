"""Unified diffs (`git diff`, `diff -u`) parsed into the patch model's `FileDiff`s, hunk by hunk.

Every diff line keeps its line number in the patch and in the old and the new file.
"""

from __future__ import annotations

from typing import List, Optional

from .errors import BadInput
from .lazy_regex import lazy
from .patch import DiffLine, FileDiff, Hunk, Patch

_HUNK = lazy(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
_INDEX = lazy(r"^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?")


def _strip_prefix(path: str, git_diff: bool = True) -> Optional[str]:
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


def parse_diff(patch: Patch, pos: int) -> List[FileDiff]:
    """Parse the unified diff that starts at lines[pos] with unidiff.

    unidiff reads hunk bodies by their counts, as `git apply` does, so a line outside every hunk (the
    `-- ` signature, a trailing changelog) is not a diff line; we keep its lines' numbers and add the
    extended headers (index blobs, modes) it leaves as raw text.
    """
    from unidiff import PatchSet
    from unidiff.errors import UnidiffParseError

    _check_hunk_counts(patch, pos)
    files: List[FileDiff] = []
    # unidiff's objects for a line weigh ten times our own: parse one `diff --git` section at a time
    # so that only one file's are alive at once (a 200,000-line patch stays under 200 MB)
    bounds = [pos] + [i for i in range(pos + 1, len(patch.lines)) if patch.lines[i].startswith("diff --git ")]
    bounds.append(len(patch.lines))
    for section_start, section_end in zip(bounds, bounds[1:]):
        files.extend(_parse_diff_section(patch, section_start, section_end, PatchSet, UnidiffParseError))
    return files


def _unidiff_lines(lines: List[str]) -> List[str]:
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


def _parse_diff_section(patch: Patch, start: int, end: int, PatchSet, UnidiffParseError) -> List[FileDiff]:
    """The files of lines[start:end]: one `diff --git` section, or a whole diff without such lines.

    unidiff reads the structure (files, headers, hunks, where each hunk ends) without making an
    object per line (`metadata_only`, the same rules and errors), and the hunks' lines are read
    here from the lines unidiff was given. unidiff before 1.0 refuses a blank context line in that
    mode (a mail client's stripped ` `): such a diff is read again with its objects per line."""
    base = patch.first_line + start  # patch line number of the section's first line
    given = _unidiff_lines(patch.lines[start:end])
    try:
        patch_set, per_line = PatchSet(given, metadata_only=True), False
    except (UnidiffParseError, ValueError):
        try:
            patch_set, per_line = PatchSet(given), True
        except (UnidiffParseError, ValueError) as exc:
            raise BadInput(f"{patch.name}: broken diff: {_one_line(str(exc))}")
    files: List[FileDiff] = []
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
                cursor = _read_hunk_body(model, given, cursor + 1, base)
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


def _read_hunk_body(model: Hunk, given: List[str], i: int, base: int) -> int:
    """Append the DiffLines of the hunk body that starts at given[i] (which unidiff has checked
    against the header's counts); returns the index after it."""
    old, new = model.old_start, model.new_start
    old_end, new_end = old + model.old_count, new + model.new_count
    lines = model.lines
    while old < old_end or new < new_end:
        text = given[i]
        kind = text[0]
        if kind == "+":
            lines.append(DiffLine("+", text[1:-1], base + i, None, new))
            new += 1
        elif kind == "-":
            lines.append(DiffLine("-", text[1:-1], base + i, old, None))
            old += 1
        elif kind == "\\":
            if lines:
                lines[-1].no_newline = True
        else:  # " ", or a line that is only CR/LF: context
            value = text[1:-1] if kind == " " else _EMPTY_BODY_LINE.match(text).group().rstrip("\n")
            lines.append(DiffLine(" ", value, base + i, old, new))
            old, new = old + 1, new + 1
        i += 1
    return i


# hunk counts beyond this are refused before they are turned into numbers (a 5,000-digit count is an attack)
_MAX_COUNT_DIGITS = 9


def _check_hunk_counts(patch: Patch, pos: int) -> None:
    """Refuse a hunk whose body does not have the lines its header counts, naming both lines.

    `git apply` reads a hunk body by the header's counts and calls the patch corrupt when the body
    ends early (a cut-off mail) or when a '+'/'-' line follows the counted end (counts that lie).
    """
    lines = patch.lines
    n = len(lines)
    i = pos
    while i < n:
        header = lines[i]
        match = _HUNK.match(header) if header.startswith("@@ -") else None
        if match is None:
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
        i += 1
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


def _ends_diff_block(lines: List[str], i: int) -> bool:
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
