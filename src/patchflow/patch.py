"""The patch model: `git format-patch` mails, mboxes and plain diffs, parsed into `Patch` and `Series`.

Every line keeps the line number it has in the file it came from (checkpatch's `#N:`), and every diff
line also keeps its line number in the old and the new file.
"""

from __future__ import annotations

import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Iterator, List, Optional

from .errors import BadInput

# A patch file larger than this is refused rather than read into memory.
MAX_PATCH_BYTES = 256 * 1024 * 1024

_MBOX_FROM = re.compile(r"^From \S+\s+\w{3} \w{3}\s+\d{1,2} \d{1,2}:\d{2}:\d{2} \d{4}")
_HEADER = re.compile(r"^[!-9;-~]+:")
_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")
_INDEX = re.compile(r"^index ([0-9a-f]+)\.\.([0-9a-f]+)(?: (\d+))?")
_TRAILER = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$")
# Tags kernel developers put at the end of a commit message (Documentation/process/submitting-patches.rst).
KNOWN_TRAILERS = {
    "signed-off-by", "acked-by", "reviewed-by", "tested-by", "reported-by", "suggested-by",
    "co-developed-by", "cc", "fixes", "link", "closes", "reported-and-tested-by", "requested-by",
    "nacked-by", "debugged-by", "originally-by", "message-id",
}


# one DiffLine per line of a diff: without a __dict__ each weighs a third less (Python 3.10 and later)
_SLOTS = {"slots": True} if sys.version_info >= (3, 10) else {}


@dataclass(**_SLOTS)
class DiffLine:
    kind: str  # '+', '-' or ' '
    text: str  # the line without its marker and without the newline ('\r' is kept)
    patch_line: int  # 1-based line number in the patch file
    old_line: Optional[int]
    new_line: Optional[int]
    no_newline: bool = False  # followed by "\ No newline at end of file"


@dataclass
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str
    patch_line: int
    lines: List[DiffLine] = field(default_factory=list)


@dataclass
class FileDiff:
    old_path: Optional[str]  # None for a new file
    new_path: Optional[str]  # None for a deleted file
    patch_line: int
    old_blob: Optional[str] = None  # abbreviated blob ids from the `index` line
    new_blob: Optional[str] = None
    old_mode: Optional[str] = None
    new_mode: Optional[str] = None
    is_binary: bool = False
    is_rename: bool = False
    is_copy: bool = False
    hunks: List[Hunk] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.new_path if self.new_path is not None else (self.old_path or "")

    @property
    def is_new(self) -> bool:
        return self.old_path is None

    @property
    def is_deleted(self) -> bool:
        return self.new_path is None

    def added_lines(self) -> Iterator[DiffLine]:
        for hunk in self.hunks:
            for line in hunk.lines:
                if line.kind == "+":
                    yield line


@dataclass
class Trailer:
    key: str
    value: str
    patch_line: int


@dataclass
class SubjectPrefix:
    """The bracketed part of a subject, `[PATCH bpf-next v2 1/3]`, split into its words."""

    raw: str  # everything in the brackets, brackets included
    words: List[str]
    is_patch: bool = False
    rfc: bool = False
    tree: Optional[str] = None
    version: Optional[int] = None
    number: Optional[int] = None
    total: Optional[int] = None


# a version or patch number: ASCII digits (int() refuses '²'), few enough for int() (5,000 digits raise)
_NUMBER = r"[0-9]{1,9}"


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
    for group in groups:
        # Patchwork and the netdev tools split on commas as well as spaces: [PATCH bpf,v2,1/2]
        words.extend(group[1:-1].replace(",", " ").split())
    prefix = SubjectPrefix(raw=" ".join(groups), words=words)
    for word in words:
        low = word.lower()
        if low == "patch" or low.startswith("patchv") or low == "patchset":
            prefix.is_patch = True
            if low.startswith("patchv") and re.fullmatch(_NUMBER, low[6:]):
                prefix.version = int(low[6:])
        elif low == "rfc":
            prefix.rfc = True
        elif re.fullmatch(r"v" + _NUMBER, low):
            prefix.version = int(low[1:])
        elif re.fullmatch(_NUMBER + "/" + _NUMBER, low):
            number, total = low.split("/")
            prefix.number, prefix.total = int(number), int(total)
        elif prefix.tree is None and re.fullmatch(r"[a-z][a-z0-9._-]*", low) and low not in ("resend",):
            prefix.tree = word
    return prefix, rest


@dataclass
class Patch:
    """One mail (or one plain diff) of a series."""

    source: str  # the path as the user gave it, '-' for standard input
    index_in_source: int  # 0 for the first message of a file
    lines: List[str]  # the text lines of this message, without newlines
    first_line: int  # the file's line number of lines[0]
    headers: dict = field(default_factory=dict)  # lower-case name -> decoded value
    header_lines: dict = field(default_factory=dict)  # lower-case name -> patch line number
    subject: Optional[str] = None
    prefix: Optional[SubjectPrefix] = None
    summary: Optional[str] = None
    message: List[tuple] = field(default_factory=list)  # (patch_line, text) of the commit message
    trailers: List[Trailer] = field(default_factory=list)
    notes: List[tuple] = field(default_factory=list)  # (patch_line, text) below '---', above the diff
    files: List[FileDiff] = field(default_factory=list)
    is_mail: bool = False
    separator_line: Optional[int] = None  # the '---' line

    @property
    def author(self) -> Optional[str]:
        return self.headers.get("from")

    @property
    def message_id(self) -> Optional[str]:
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

    def trailer_values(self, key: str) -> List[Trailer]:
        key = key.lower()
        return [t for t in self.trailers if t.key.lower() == key]


@dataclass
class Series:
    """The patches given on one command line."""

    patches: List[Patch]

    def __iter__(self):
        return iter(self.patches)

    def __len__(self):
        return len(self.patches)

    @property
    def numbered(self) -> List[Patch]:
        return [p for p in self.patches if p.prefix is not None and p.prefix.total is not None]


# --- reading -------------------------------------------------------------------------------


def read_source(path: str, stdin=None) -> bytes:
    """The bytes of a patch file or of standard input, or BadInput with the reason."""
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_PATCH_BYTES + 1)
        name = "<stdin>"
    else:
        name = path
        try:
            st = os.stat(path)
        except FileNotFoundError:
            raise BadInput(f"{path}: no such file")
        except OSError as exc:
            raise BadInput(f"{path}: cannot read: {exc.strerror}")
        if stat.S_ISDIR(st.st_mode):
            raise BadInput(f"{path}: is a directory, not a patch file")
        if st.st_size > MAX_PATCH_BYTES:
            raise BadInput(f"{path}: {st.st_size} bytes is larger than the {MAX_PATCH_BYTES >> 20} MiB patchflow reads")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_PATCH_BYTES + 1)
        except OSError as exc:
            raise BadInput(f"{path}: cannot read: {exc.strerror}")
    if len(data) > MAX_PATCH_BYTES:
        raise BadInput(f"{name}: larger than the {MAX_PATCH_BYTES >> 20} MiB patchflow reads")
    return data


def decode(name: str, data: bytes) -> str:
    """Text of a patch file: UTF-8, where stray bytes survive as surrogates to be checked around."""
    if not data.strip():
        raise BadInput(f"{name}: empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:8192]:
        kind = "UTF-16 text" if _looks_utf16(data[:8192]) else "binary data (NUL bytes)"
        raise BadInput(f"{name}: {kind}, not a patch: patches are 8-bit text (git format-patch writes UTF-8)")
    if b"\x00" in data:
        raise BadInput(f"{name}: contains NUL bytes, not a text patch")
    return data.decode("utf-8", errors="surrogateescape")


def _looks_utf16(head: bytes) -> bool:
    """A byte-order mark, or ASCII text with a NUL in every other byte (what Windows editors save)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    even, odd = head[0::2], head[1::2]
    return len(head) >= 16 and max(even.count(0), odd.count(0)) >= 0.9 * len(odd)


def split_messages(text: str) -> List[tuple]:
    """Split an mbox into (first_line_number, lines) per message; a single mail or diff is one."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    starts = [0]
    if lines and _MBOX_FROM.match(lines[0]):
        starts = [i for i, line in enumerate(lines) if line.startswith("From ") and _MBOX_FROM.match(line)]
    messages = []
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        messages.append((start + 1, lines[start:end]))
    return messages


def _decode_header(value: str) -> str:
    if "=?" not in value:
        return value  # no RFC 2047 encoded word; the email package costs milliseconds to import
    import email.errors
    import email.header

    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (UnicodeError, LookupError, ValueError, email.errors.MessageError):
        # a mangled encoded word (bad charset, bytes that are not the charset): keep it as written
        return value


def parse_patch(source: str, index: int, first_line: int, lines: List[str]) -> Patch:
    patch = Patch(source=source, index_in_source=index, lines=lines, first_line=first_line)
    pos = 0
    if lines and _MBOX_FROM.match(lines[0]):
        pos = 1
    if pos < len(lines) and _HEADER.match(lines[pos]) and not lines[pos].startswith(("diff ", "Index:")):
        pos = _parse_headers(patch, lines, pos)
        patch.is_mail = True
    if patch.is_mail and patch.headers.get("content-transfer-encoding", "").lower() in ("quoted-printable", "base64"):
        _decode_transfer_encoding(patch, pos)
    _parse_body(patch, pos)
    return patch


def _parse_headers(patch: Patch, lines: List[str], pos: int) -> int:
    current = None
    while pos < len(lines):
        line = lines[pos].rstrip("\r")
        if line == "":
            pos += 1
            break
        if line[:1] in (" ", "\t") and current:
            patch.headers[current] += " " + line.strip()
        elif _HEADER.match(line):
            name, _, value = line.partition(":")
            current = name.strip().lower()
            if current in patch.headers:  # keep the first of repeated headers (Received:, ...)
                current = None
            else:
                patch.headers[current] = value.strip()
                patch.header_lines[current] = patch.first_line + pos
        else:
            break  # not a header: the body starts without a blank line
        pos += 1
    for name in ("subject", "from", "to", "cc"):
        if name in patch.headers:
            patch.headers[name] = _decode_header(patch.headers[name])
    if "subject" in patch.headers:
        patch.subject = patch.headers["subject"]
        patch.prefix, patch.summary = parse_subject(patch.subject)
    return pos


def _decode_transfer_encoding(patch: Patch, body_start: int) -> None:
    raw = "\n".join(patch.lines[body_start:]).encode("utf-8", errors="surrogateescape")
    encoding = patch.headers["content-transfer-encoding"].lower()
    try:
        if encoding == "base64":
            import base64

            decoded = base64.b64decode(raw, validate=False)
        else:
            import quopri

            decoded = quopri.decodestring(raw)
    except ValueError as exc:
        raise BadInput(f"{patch.name}: cannot decode its {encoding} body: {exc}")
    body = decoded.decode("utf-8", errors="surrogateescape").split("\n")
    patch.lines = patch.lines[:body_start] + body


def _parse_body(patch: Patch, pos: int) -> None:
    lines = patch.lines
    n = len(lines)
    in_notes = False
    while pos < n:
        line = lines[pos]
        if line.startswith("diff --git ") or line.startswith("Index: ") or (
            line.startswith("--- ") and pos + 1 < n and lines[pos + 1].startswith("+++ ")
        ):
            break
        if not in_notes and line.rstrip("\r") == "---":
            in_notes = True
            patch.separator_line = patch.first_line + pos
        elif in_notes:
            patch.notes.append((patch.first_line + pos, line))
        else:
            patch.message.append((patch.first_line + pos, line))
        pos += 1
    _collect_trailers(patch)
    if pos < n:
        patch.files = parse_diff(patch, pos)


def _collect_trailers(patch: Patch) -> None:
    for patch_line, text in patch.message:
        match = _TRAILER.match(text.strip())
        if match and (match.group(1).lower() in KNOWN_TRAILERS or match.group(1).lower().endswith("-by")):
            patch.trailers.append(Trailer(match.group(1), match.group(2).strip(), patch_line))


def _strip_prefix(path: str) -> Optional[str]:
    path = path.split("\t")[0].rstrip("\r")
    if path == "/dev/null":
        return None
    if path.startswith('"') and path.endswith('"'):
        path = path[1:-1].encode("latin-1", errors="ignore").decode("unicode_escape", errors="replace")
    if path[:2] in ("a/", "b/"):
        return path[2:]
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


def _parse_diff_section(patch: Patch, start: int, end: int, PatchSet, UnidiffParseError) -> List[FileDiff]:
    """The files of lines[start:end]: one `diff --git` section, or a whole diff without such lines."""
    base = patch.first_line + start  # patch line number of the section's first line
    try:
        patch_set = PatchSet([line + "\n" for line in patch.lines[start:end]])
    except (UnidiffParseError, ValueError) as exc:
        raise BadInput(f"{patch.name}: broken diff: {_one_line(str(exc))}")
    files: List[FileDiff] = []
    for patched in patch_set:
        first = base
        info = [str(line).rstrip("\n") for line in patched.patch_info or ()]
        diff = FileDiff(
            old_path=_strip_prefix(patched.source_file),
            new_path=_strip_prefix(patched.target_file),
            patch_line=first,
            is_binary=patched.is_binary_file,
        )
        for line in info:
            _parse_extended_header(diff, line.rstrip("\r"))
        for hunk in patched:
            model = Hunk(hunk.source_start, hunk.source_length, hunk.target_start, hunk.target_length,
                         (hunk.section_header or "").strip(), 0)
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
            model.patch_line = (model.lines[0].patch_line - 1) if model.lines else first
            diff.hunks.append(model)
        files.append(diff)
    return files


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
        header_line = patch.first_line + i
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
            where = f"line {patch.first_line + i}" if i < n else "the end of the file"
            raise BadInput(f"{patch.name}:{header_line}: the hunk is cut short at {where}: "
                           f"its header counts more lines (a truncated patch, or counts that lie)")
        if old < 0 or new < 0:
            raise BadInput(f"{patch.name}:{header_line}: the hunk has more lines than its header counts")
        while i < n and lines[i].startswith("\\"):
            i += 1
        if i < n and lines[i][:1] in ("+", "-") and not _ends_diff_block(lines, i):
            raise BadInput(f"{patch.name}:{patch.first_line + i}: a diff line after the end of the hunk at "
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


def read_patches(path: str, stdin=None) -> List[Patch]:
    """Every message of one patch file, mbox or standard input."""
    name = "<stdin>" if path == "-" else path
    text = decode(name, read_source(path, stdin))
    patches = []
    for index, (first_line, lines) in enumerate(split_messages(text)):
        patch = parse_patch(path, index, first_line, lines)
        if not patch.files and not patch.is_mail:
            raise BadInput(f"{patch.name}: not a patch: no mail headers and no unified diff found")
        if not patch.files and not patch.is_cover_letter and patch.subject is None:
            raise BadInput(f"{patch.name}: not a patch: a mail with no Subject and no diff")
        patches.append(patch)
    return patches


def read_series(paths: List[str], stdin=None) -> Series:
    patches: List[Patch] = []
    for path in paths:
        patches.extend(read_patches(path, stdin))
    return Series(patches)


def parse_text(text: str, source: str = "<text>") -> List[Patch]:
    """Parse patch text already in memory (used by `format` for the mails it builds)."""
    return [parse_patch(source, i, first, lines) for i, (first, lines) in enumerate(split_messages(text))]


def address_of(value: Optional[str]) -> str:
    """The bare e-mail address in a From: or Signed-off-by: value, lower-cased."""
    if not value:
        return ""
    import email.utils

    return email.utils.parseaddr(value)[1].lower()
