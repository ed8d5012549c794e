"""The patch model: `git format-patch` mails, mboxes and plain diffs, parsed into `Patch` and `Series`.

Every line keeps the line number it has in the file it came from (checkpatch's `#N:`), and every diff
line also keeps its line number in the old and the new file.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import attrgetter

from . import mail
from .errors import BadInput
from .lazy_regex import lazy
from .mail import MAX_PATCH_BYTES, check_text, decode, is_patch_break, is_scissors, read_source  # noqa: F401
from .records import field, record

_TRAILER = lazy(r"^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$")
# Tags kernel developers put at the end of a commit message (Documentation/process/submitting-patches.rst).
KNOWN_TRAILERS = {
    "signed-off-by", "acked-by", "reviewed-by", "tested-by", "reported-by", "suggested-by",
    "co-developed-by", "cc", "fixes", "link", "closes", "reported-and-tested-by", "requested-by",
    "nacked-by", "debugged-by", "originally-by", "message-id",
}


_patch_line_of = attrgetter("patch_line")


def _first_hunk_line(hunk) -> int:
    return hunk.lines[0].patch_line if hunk.lines else hunk.patch_line


def _first_file_line(file) -> int:
    """Where a file's lines start: its first hunk's first line (the files of a diff without `diff
    --git` lines share their `patch_line`), else its `diff --git` line."""
    return _first_hunk_line(file.hunks[0]) if file.hunks else file.patch_line


# one DiffLine per line of a diff: without a __dict__ each weighs a third less
@record(slots=True)
class DiffLine:
    """One line of a hunk."""

    kind: str  # '+', '-' or ' '
    text: str  # the line without its marker and without the newline ('\r' is kept)
    patch_line: int  # 1-based line number in the patch file
    old_line: int | None
    new_line: int | None
    no_newline: bool = False  # followed by "\ No newline at end of file"


@record
class Hunk:
    """One `@@` hunk of a file diff and its lines."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    patch_line: int
    lines: list[DiffLine] = field(default_factory=list)


@record
class FileDiff:
    """One file's part of a diff: its paths, extended headers and hunks."""

    old_path: str | None  # None for a new file
    new_path: str | None  # None for a deleted file
    patch_line: int
    old_blob: str | None = None  # abbreviated blob ids from the `index` line
    new_blob: str | None = None
    old_mode: str | None = None
    new_mode: str | None = None
    is_binary: bool = False
    is_rename: bool = False
    is_copy: bool = False
    hunks: list[Hunk] = field(default_factory=list)
    # (the check run's context, its checks._lines.AddedLines of this file): asked by every line check
    scanned: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def path(self) -> str:
        return self.new_path if self.new_path is not None else (self.old_path or "")

    @property
    def is_new(self) -> bool:
        return self.old_path is None

    @property
    def is_deleted(self) -> bool:
        return self.new_path is None

    def added_lines(self) -> list[DiffLine]:
        # a list, not a generator: several checks walk every added line of every file
        return [line for hunk in self.hunks for line in hunk.lines if line.kind == "+"]


@record
class Trailer:
    """A tag of the commit message (`Signed-off-by: ...`)."""

    key: str
    value: str
    patch_line: int


@record
class SubjectPrefix:
    """The bracketed part of a subject, `[PATCH bpf-next v2 1/3]`, split into its words."""

    raw: str  # everything in the brackets, brackets included
    words: list[str]
    is_patch: bool = False
    rfc: bool = False
    resend: bool = False
    tree: str | None = None
    version: int | None = None
    number: int | None = None
    total: int | None = None


# a version or patch number: ASCII digits (int() refuses '²'), few enough for int() (5,000 digits raise)
_NUMBER = r"[0-9]{1,9}"
_PATCH_WORD = lazy(r"(?i)patch(v[0-9]+|set)?|rfc")
_NUMBER_WORD, _VERSION_WORD, _COUNT_WORD = lazy(_NUMBER), lazy("v" + _NUMBER), lazy(_NUMBER + "/" + _NUMBER)
_TREE_WORD = lazy(r"[a-z][a-z0-9._-]*")


def parse_subject(subject: str):
    """Split a subject into its `SubjectPrefix` and its summary."""
    rest = subject.strip()
    groups = []
    while rest.startswith("["):
        end = rest.find("]")
        if end < 0:
            break
        groups.append(rest[: end + 1])
        rest = rest[end + 1 :].lstrip()
    words = []
    list_tag_words = 0  # words of the groups before the one that says PATCH: a list's tag, [Intel-wired-lan]
    for group in groups:
        # Patchwork and the netdev tools split on commas as well as spaces: [PATCH bpf,v2,1/2]
        group_words = group[1:-1].replace(",", " ").split()
        if list_tag_words == len(words) and not any(_PATCH_WORD.fullmatch(w) for w in group_words):
            list_tag_words += len(group_words)
        words.extend(group_words)
    if list_tag_words == len(words):
        list_tag_words = 0  # no group says PATCH: every group may name the tree
    prefix = SubjectPrefix(raw=" ".join(groups), words=words)
    for position, word in enumerate(words):
        low = word.lower()
        if low == "patch" or low.startswith("patchv") or low == "patchset":
            prefix.is_patch = True
            if low.startswith("patchv") and _NUMBER_WORD.fullmatch(low[6:]):
                prefix.version = int(low[6:])
        elif low == "rfc":
            prefix.rfc = True
        elif low == "resend":
            prefix.resend = True
        elif _VERSION_WORD.fullmatch(low):
            prefix.version = int(low[1:])
        elif _COUNT_WORD.fullmatch(low):
            number, total = low.split("/")
            prefix.number, prefix.total = int(number), int(total)
        elif prefix.tree is None and position >= list_tag_words and _TREE_WORD.fullmatch(low):
            prefix.tree = word
    return prefix, rest


@record
class Patch:
    """One mail (or one plain diff) of a series."""

    source: str  # the path as the user gave it, '-' for standard input
    index_in_source: int  # 0 for the first message of a file
    lines: list[str]  # the text lines of this message, without newlines
    first_line: int  # the file's line number of lines[0]
    headers: dict = field(default_factory=dict)  # lower-case name -> decoded value
    header_lines: dict = field(default_factory=dict)  # lower-case name -> patch line number
    subject: str | None = None
    prefix: SubjectPrefix | None = None
    summary: str | None = None
    message: list[tuple] = field(default_factory=list)  # (patch_line, text) of the commit message
    trailers: list[Trailer] = field(default_factory=list)
    notes: list[tuple] = field(default_factory=list)  # (patch_line, text) below '---', above the diff
    files: list[FileDiff] = field(default_factory=list)
    is_mail: bool = False
    separator_line: int | None = None  # the '---' line
    patch_start: int | None = None  # where `git am` splits the patch off: the '---' or the diff's first line
    # the file's line number of each entry of `lines` when they are not the file's lines one for one
    # (a quoted-printable or base64 body, a multipart mail); None when lines[i] is line first_line + i
    numbers: list[int] | None = None
    inbody: dict = field(default_factory=dict)  # 'from'/'subject'/'date' -> (patch_line, value) in the body

    @property
    def author(self) -> str | None:
        """Who `git am` records as the author: the in-body From: line when there is one, else the mail's."""
        if "from" in self.inbody:
            return mail.decode_header(self.inbody["from"][1], "from")
        return self.headers.get("from")

    def new_side_text(self, patch_line: int | None) -> str | None:
        """The text of the added or unchanged diff line at `patch_line` (a parse line), or None. Files,
        their hunks and a hunk's lines are in patch order: each is found by bisection (an index of
        every line of the patch, built for the first fixable finding, took 8 ms on the new-file
        corpus; a walk over the hunks for each finding is quadratic on a patch of 200,000 lines)."""
        if patch_line is None or not self.files:
            return None
        file = self.files[max(bisect_right(self.files, patch_line, key=_first_file_line) - 1, 0)]
        hunks = file.hunks
        hunk = hunks[bisect_right(hunks, patch_line, key=_first_hunk_line) - 1] if hunks else None
        if hunk is None or not hunk.lines or not hunk.lines[0].patch_line <= patch_line <= hunk.lines[-1].patch_line:
            return None
        line = hunk.lines[bisect_left(hunk.lines, patch_line, key=_patch_line_of)]
        return line.text if line.patch_line == patch_line and line.kind != "-" else None

    def file_line(self, patch_line: int | None) -> int | None:
        """The line of the file as the user has it for a patch line (checkpatch's #N): where a decoded
        quoted-printable line starts; for base64, counted on from the body's first line."""
        if patch_line is None or self.numbers is None:
            return patch_line
        index = patch_line - self.first_line
        return self.numbers[index] if 0 <= index < len(self.numbers) else patch_line

    @property
    def message_id(self) -> str | None:
        return self.headers.get("message-id")

    @property
    def name(self) -> str:
        if self.index_in_source:
            return f"{self.source}#{self.index_in_source + 1}"
        return self.source

    @property
    def is_cover_letter(self) -> bool:
        return not self.files and self.prefix is not None and self.prefix.number == 0

    def line_text(self, patch_line: int) -> str:
        return self.lines[patch_line - self.first_line]

    @property
    def diff_line_count(self) -> int:
        """The lines inside hunks, which checkpatch counts as "lines checked"."""
        return sum(len(hunk.lines) for file in self.files for hunk in file.hunks)

    def trailer_values(self, key: str) -> list[Trailer]:
        key = key.lower()
        return [t for t in self.trailers if t.key.lower() == key]


@record
class Series:
    """The patches given on one command line."""

    patches: list[Patch]

    def __iter__(self):
        return iter(self.patches)

    def __len__(self):
        return len(self.patches)

    @property
    def numbered(self) -> list[Patch]:
        return [p for p in self.patches if p.prefix is not None and p.prefix.total is not None]


# --- reading -------------------------------------------------------------------------------


def split_messages(text: str) -> list[tuple]:
    """Split an mbox into (first_line_number, lines) per message; a single mail or diff is one."""
    messages = mail.split_mbox(text.encode("utf-8", errors="surrogateescape"))
    return [(first, [mail.text_of(line) for line in raw.split(b"\n")[:-1]]) for first, raw in messages]


def parse_message(source: str, index: int, first_line: int, raw: bytes) -> Patch:
    """One message of a file (a mail, or a plain diff) as a `Patch`."""
    text = mail.read_message(raw, first_line)
    patch = Patch(source=source, index_in_source=index, lines=text.lines, first_line=first_line,
                  headers=text.headers, header_lines=text.header_lines, is_mail=text.is_mail)
    if text.numbers != list(range(first_line, first_line + len(text.numbers))):
        patch.numbers = text.numbers  # an encoded body or a multipart mail: lines are not the file's
    if "subject" in patch.headers:
        patch.subject = patch.headers["subject"]
        patch.prefix, patch.summary = parse_subject(patch.subject)
    _parse_body(patch, text.body_start)
    return patch


def parse_patch(source: str, index: int, first_line: int, lines: list[str]) -> Patch:
    raw = "".join(line + "\n" for line in lines).encode("utf-8", errors="surrogateescape")
    return parse_message(source, index, first_line, raw)


def parse_bytes(data: bytes, source: str, skipped: list | None = None) -> list[Patch]:
    """Every patch of a single mail, an mbox or a plain diff, gzip-compressed or not.

    In an mbox of several mails (a series, or a whole thread from lore), replies and mails without a
    diff that are no cover letter are left out, each with a line in `skipped`; BadInput when nothing
    is left, or when a single message is not a patch."""
    name = "<stdin>" if source == "-" else source
    data = mail.gunzip(name, data)
    mail.check_text(name, data)
    messages = mail.split_mbox(data)
    patches = []
    notes: list[str] = []  # kept only when the file is read: a refused file is one line
    for index, (first_line, raw) in enumerate(messages):
        label = f"{source}#{index + 1}" if index else source
        if len(messages) > 1 and mail.is_reply(raw):
            notes.append(f"{label}: a reply (Re:), not checked")
            continue
        patch = parse_message(source, index, first_line, raw)
        reason = _not_a_patch(patch, len(messages) > 1)
        if reason and len(messages) > 1:
            notes.append(f"{label}: {reason}, not checked")
        elif reason:
            raise BadInput(f"{patch.name}: not a patch: {reason}")
        else:
            patches.append(patch)
    if not patches:
        raise BadInput(f"{name}: not a patch: none of its {len(messages)} mails holds a diff")
    if skipped is not None:
        skipped.extend(notes)
    return patches


def _not_a_patch(patch: Patch, in_mbox: bool) -> str | None:
    """Why a message is no patch to check, or None. A mail without a diff is checked on its own (a
    cover letter); in an mbox only when its subject says [PATCH ...]."""
    if patch.files or patch.is_cover_letter:
        return None
    if not patch.is_mail:
        return "no mail headers and no unified diff found"
    if patch.subject is None:
        return "a mail with no Subject and no diff"
    if in_mbox and not (patch.prefix is not None and patch.prefix.is_patch):
        return "no diff and no [PATCH] in its subject"
    return None


def _parse_inbody_headers(patch: Patch, pos: int) -> int:
    """The in-body `From:`, `Subject:` and `Date:` lines that open a mail's message (after blank
    lines), which override the mail's own as `git am` uses them; returns the message's first line."""
    lines = patch.lines
    seen = None
    while pos < len(lines):
        line = lines[pos].rstrip("\r")
        match = _INBODY.match(line)
        if match:
            seen = match.group(1).lower()
            patch.inbody[seen] = (patch.first_line + pos, match.group(2).strip())
        elif seen and line[:1] in (" ", "\t") and line.strip():
            number, value = patch.inbody[seen]
            patch.inbody[seen] = (number, value + line)
        elif line.strip() == "" and seen:
            return pos + 1  # the blank line that ends them
        elif line.strip() != "" and not mail.MBOX_FROM.match(line.encode("utf-8", "surrogateescape")):
            return pos
        pos += 1
    return pos


_INBODY = lazy(r"^(from|subject|date):[ \t]*(.*)$", re.IGNORECASE)


def _apply_inbody_headers(patch: Patch, has_patch: bool) -> None:
    if not has_patch:
        patch.inbody.clear()  # git mailinfo uses in-body headers only in a mail that holds a patch
    if "subject" in patch.inbody:
        number, value = patch.inbody["subject"]
        patch.subject = mail.decode_header(value, "subject")
        patch.prefix, patch.summary = parse_subject(patch.subject)
        patch.header_lines["subject"] = number


def _parse_body(patch: Patch, pos: int) -> None:
    """The commit message, the notes below `---` and the diff, split where `git mailinfo` splits them;
    in a mail, in-body headers open the message and a scissors line starts it again."""
    lines = patch.lines
    n = len(lines)
    in_notes = False
    if patch.is_mail:
        pos = _parse_inbody_headers(patch, pos)
    while pos < n:
        line = lines[pos]
        if line.startswith("diff --git ") or line.startswith("Index: ") or (
            line.startswith("--- ") and pos + 1 < n and lines[pos + 1].startswith("+++ ")
        ):
            break
        if not in_notes and patch.is_mail and is_scissors(line):
            patch.message.clear()
            patch.inbody.clear()
            pos = _parse_inbody_headers(patch, pos + 1)
            continue
        if not in_notes and (is_patch_break(line) if patch.is_mail else line.rstrip("\r") == "---"):
            in_notes = True
            patch.separator_line = patch.first_line + pos
        elif in_notes:
            patch.notes.append((patch.first_line + pos, line))
        else:
            patch.message.append((patch.first_line + pos, line))
        pos += 1
    if patch.separator_line is None and pos < n:
        patch.patch_start = patch.first_line + pos
    else:
        patch.patch_start = patch.separator_line
    _apply_inbody_headers(patch, patch.patch_start is not None)
    _collect_trailers(patch)
    if pos < n:
        from .diff import parse_diff

        patch.files = parse_diff(patch, pos)


def _collect_trailers(patch: Patch) -> None:
    for patch_line, text in patch.message:
        match = _TRAILER.match(text.strip())
        if match and (match.group(1).lower() in KNOWN_TRAILERS or match.group(1).lower().endswith("-by")):
            patch.trailers.append(Trailer(match.group(1), match.group(2).strip(), patch_line))


def read_patches(path: str, stdin=None, skipped: list | None = None) -> list[Patch]:
    """Every patch of one file, mbox (gzip-compressed or not) or standard input ('-')."""
    return parse_bytes(mail.read_source(path, stdin), path, skipped)


def read_series(paths: list[str], stdin=None, skipped: list | None = None) -> Series:
    patches: list[Patch] = []
    for path in paths:
        patches.extend(read_patches(path, stdin, skipped))
    return Series(patches)


def parse_text(text: str, source: str = "<text>") -> list[Patch]:
    """Parse patch text already in memory (used by `format` for the mails it builds)."""
    data = text.encode("utf-8", errors="surrogateescape")
    return [parse_message(source, i, first, raw) for i, (first, raw) in enumerate(mail.split_mbox(data))]
