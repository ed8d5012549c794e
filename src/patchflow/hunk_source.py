"""The source around a patch's hunks: the changed file before (pre-image) and after (post-image).

A check that must see code above a hunk (the line that opened a parenthesis, the comment a hunk starts
in) asks the check context's sources (`checks/_source.py`), which call `windows(file, images, start_of)`: for each group of nearby hunks, the lines of each image
from a safe starting line above the hunks down to their last line, so a lexer runs on a few hundred
lines, never on the whole of a big file.

The images come from, in order:
1. the tree's object store: the blob named on the diff's `index` line (the pre-image); the post-image
   is that blob with the hunks applied;
2. the tree's work-tree file, when its lines agree with the hunks' pre-image (not yet applied) or
   post-image (already applied, as when checking one's own `git format-patch` output);
3. else the hunks themselves: context and removed lines for the pre-image, context and added lines
   for the post-image, each hunk a window of its own.
Every tree image is checked against every line of the hunks before it is used.
"""

from __future__ import annotations

from operator import attrgetter
from collections.abc import Callable, Iterable

from .records import record

_text_of = attrgetter("text")

# How far above a hunk a window may start when no safe starting line is nearer.
MAX_LINES_ABOVE = 400


@record
class Window:
    """Consecutive lines of one image of a file, and which of them the patch shows."""

    first_line: int  # the file's line number of lines[0]
    lines: list[str]
    whole_file: bool  # from the tree (a window cut from the whole image), not from hunk lines alone

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    @property
    def last_line(self) -> int:
        return self.first_line + len(self.lines) - 1


def read_blobs(tree, blob_ids: Iterable[str]) -> dict[str, str]:
    """The text of each blob the repository holds, by one `git cat-file --batch` (missing ids left out)."""
    ids = [b for b in dict.fromkeys(blob_ids) if b and set(b) != {"0"}]
    if not ids:
        return {}
    from .errors import TreeError
    from .tree import run_git

    try:  # git missing is said (ToolMissing); a tree git cannot read in time only costs the pre-images
        proc = run_git(["cat-file", "--batch"], cwd=tree.path, input=("\n".join(ids) + "\n").encode(), timeout=60)
    except (OSError, TreeError):
        return {}
    if proc.returncode != 0:
        return {}
    out = proc.stdout
    found: dict[str, str] = {}
    pos = 0
    for blob in ids:
        end = out.find(b"\n", pos)
        if end < 0:
            break
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue  # "<id> missing", "<id> ambiguous", or not a blob
        size = int(header[2])
        found[blob] = out[pos:pos + size].decode("utf-8", errors="surrogateescape")
        pos += size + 1
    return found


def _split(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _agrees(image: list[str], file, side: str) -> bool:
    """Whether `image` holds every line the hunks show for that side ("old" or "new")."""
    for hunk in file.hunks:
        for line in hunk.lines:
            if side == "old":
                number = line.old_line if line.kind in (" ", "-") else None
            else:
                number = line.new_line if line.kind in (" ", "+") else None
            if number is None:
                continue
            if number < 1 or number > len(image) or image[number - 1] != line.text:
                return False
    return True


def _apply(old: list[str], file, reverse: bool = False) -> list[str]:
    """The other image: `old` with the hunks applied (or, reversed, a post-image taken back)."""
    keep_kinds = (" ", "-") if reverse else (" ", "+")
    result: list[str] = []
    pos = 1  # next unread line of `old`
    for hunk in file.hunks:
        start, count = (hunk.new_start, hunk.new_count) if reverse else (hunk.old_start, hunk.old_count)
        until = start if count == 0 else start - 1  # a hunk of no lines on this side inserts after `start`
        result.extend(old[pos - 1:until])
        result.extend(line.text for line in hunk.lines if line.kind in keep_kinds)
        pos = until + count + 1
    result.extend(old[pos - 1:])
    return result


def images(file, tree, blobs: dict[str, str], work_tree: bool = True) -> tuple[list[str], list[str]] | None:
    """(pre-image, post-image) of a changed file as lists of lines, or None when the tree lacks it.

    `blobs` holds the pre-image blobs already read (`read_blobs`); `work_tree=False` leaves out the
    work-tree file (2. above). A new file has no tree image to read: its single hunk is the whole
    file, `windows` uses it.
    """
    if file.is_new or file.is_deleted or not file.hunks or tree is None:
        return None
    text = blobs.get(file.old_blob or "")
    if text is not None:
        old = _split(text)
        if _agrees(old, file, "old"):
            return old, _apply(old, file)
    if work_tree and file.old_path:
        text = tree.read_text(file.old_path)
        if text is not None:
            current = _split(text)
            if _agrees(current, file, "old"):
                return current, _apply(current, file)
            if _agrees(current, file, "new"):
                return _apply(current, file, reverse=True), current
    return None


def windows(file, whole: tuple[list[str], list[str]] | None,
            start_of: Callable[[list[str], int], int]) -> list[tuple[Window, Window]]:
    """(pre-image window, post-image window) for each group of nearby hunks; `whole` is what
    `images` gave for the file.

    `start_of(lines, index)` gives the index of a line at or above `lines[index]` where a lexer can
    safely start (outside any comment, string or statement), looking no more than MAX_LINES_ABOVE up.
    """
    if whole is None:
        pairs = []
        for hunk in file.hunks:
            if hunk.old_count == 0:  # a hunk that only adds (a new file's): its counts were checked
                old, new = [], list(map(_text_of, hunk.lines))
            else:
                old = [line.text for line in hunk.lines if line.kind in (" ", "-")]
                new = [line.text for line in hunk.lines if line.kind in (" ", "+")]
            old_first = hunk.old_start if hunk.old_count else hunk.old_start + 1
            new_first = hunk.new_start if hunk.new_count else hunk.new_start + 1
            pairs.append((Window(old_first, old, False), Window(new_first, new, False)))
        return pairs
    old_image, new_image = whole
    spans = []
    for hunk in file.hunks:
        old_first = max(hunk.old_start, 1)
        new_first = max(hunk.new_start, 1)
        old_begin = start_of(old_image, old_first - 1) + 1 if old_image else 1
        new_begin = start_of(new_image, new_first - 1) + 1 if new_image else 1
        spans.append([min(old_begin, old_first), hunk.old_start + hunk.old_count - 1,
                      min(new_begin, new_first), hunk.new_start + hunk.new_count - 1])
    merged: list[list[int]] = []
    for span in spans:
        if merged and (span[0] <= merged[-1][1] + 1 or span[2] <= merged[-1][3] + 1):
            last = merged[-1]
            last[1] = max(last[1], span[1])
            last[3] = max(last[3], span[3])
        else:
            merged.append(span)
    pairs = []
    for old_begin, old_end, new_begin, new_end in merged:
        pairs.append((Window(old_begin, old_image[old_begin - 1:max(old_end, old_begin - 1)], True),
                      Window(new_begin, new_image[new_begin - 1:max(new_end, new_begin - 1)], True)))
    return pairs
