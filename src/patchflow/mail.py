"""Reading mail as `git am` reads it (the semantics of `git mailinfo`), for the patch model.

The standard library's `email` package parses the headers (repeated, folded, RFC 2047 encoded words
in any charset), the MIME structure and the parts' transfer encodings and charsets. What it cannot
give is where each line of the decoded text stands in the file: checkpatch's `#N` is the line number
in the file as the user has it, so this module finds every part's body in the raw bytes and decodes
it line by line (quoted-printable) to keep that number for each decoded line. A base64 body has no
such correspondence: its decoded lines are numbered on from the first line of the encoded body.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
import sys
import zlib

from .errors import BadInput
from .lazy_regex import lazy
from .mail_bodies import base64_lines, quoted_printable_lines, split_lines, unflow
from .records import field, record

MBOX_FROM = lazy(rb"^From \S+\s+\w{3} \w{3}\s+\d{1,2} \d{1,2}:\d{2}:\d{2} \d{4}")
_HEADER = lazy(rb"^[!-9;-~]+:")
_FOLD = lazy(r"\r?\n(?=[ \t])")  # a folded header's line break
_GZIP_MAGIC = b"\x1f\x8b"
# A patch file larger than this is refused rather than read into memory.
MAX_PATCH_BYTES = 256 * 1024 * 1024
# a gzip member that inflates beyond this is refused (a zip bomb), as a large file is
MAX_INFLATED_BYTES = 256 * 1024 * 1024


@record
class MailText:
    """One message: its header lines as written, then its body decoded to text."""

    lines: list[str]  # text lines without newlines
    numbers: list[int]  # the file's line number of each entry of lines
    headers: dict = field(default_factory=dict)  # lower-case name -> decoded value (the first one)
    header_lines: dict = field(default_factory=dict)  # lower-case name -> line number in the file
    body_start: int = 0  # index into lines of the body's first line
    is_mail: bool = False


def gunzip(name: str, data: bytes) -> bytes:
    """The content of gzip-compressed input (what lore's `t.mbox.gz` gives), or the data as it is."""
    if not data.startswith(_GZIP_MAGIC):
        return data
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip framing
    out = []
    size = 0
    try:
        while data:
            chunk = inflater.decompress(data, MAX_INFLATED_BYTES + 1 - size)
            out.append(chunk)
            size += len(chunk)
            if size > MAX_INFLATED_BYTES:
                raise BadInput(f"{name}: inflates to more than the {MAX_INFLATED_BYTES >> 20} MiB patchflow reads")
            data = inflater.unconsumed_tail
            if inflater.eof:  # concatenated gzip members, as `cat a.gz b.gz` makes
                data = inflater.unused_data
                out.append(inflater.flush())
                inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if data.startswith(_GZIP_MAGIC) else None
                if inflater is None:
                    break
        if inflater is not None and not inflater.eof:
            raise BadInput(f"{name}: gzip data cut short")
    except (zlib.error, EOFError) as exc:
        raise BadInput(f"{name}: broken gzip data: {exc}")
    return b"".join(out)


def split_mbox(data: bytes) -> list[tuple[int, bytes]]:
    """(first line number, bytes) of each message of an mbox; a single mail or diff is one message.

    Messages start at `From ` lines with a date, as `git mailsplit` splits them. Each message is cut
    out of the bytes, not split into lines and joined again (a tenth of reading the new-file corpus)."""
    starts = _mbox_starts(data)
    messages = []
    for k, (line, offset) in enumerate(starts):
        message = data[offset:starts[k + 1][1]] if k + 1 < len(starts) else data[offset:]
        messages.append((line + 1, message if message.endswith(b"\n") else message + b"\n"))
    return messages


def _mbox_starts(data: bytes) -> list[tuple[int, int]]:
    """(line index, byte offset) of each line that starts a message: the first line, and each `From `
    line with a date when the first is one, found by searching the bytes for "\nFrom "."""
    starts = [(0, 0)]
    if not MBOX_FROM.match(_line_at(data, 0)):
        return starts  # a single mail or diff
    line, counted_to = 0, 0
    at = data.find(b"\nFrom ")
    while at >= 0:
        line += data.count(b"\n", counted_to, at + 1)
        counted_to = at + 1
        if MBOX_FROM.match(_line_at(data, at + 1)):
            starts.append((line, at + 1))
        at = data.find(b"\nFrom ", at + 1)
    return starts


def _line_at(data: bytes, offset: int) -> bytes:
    """The line of `data` that starts at `offset`, without its newline."""
    end = data.find(b"\n", offset)
    return data[offset:end] if end >= 0 else data[offset:]


def looks_like_mail(raw_lines: list[bytes]) -> bool:
    """Whether a message starts with mail headers (after its mbox `From ` line) rather than a diff."""
    pos = 1 if raw_lines and MBOX_FROM.match(raw_lines[0]) else 0
    return pos < len(raw_lines) and bool(_HEADER.match(raw_lines[pos])) and \
        not raw_lines[pos].startswith((b"diff ", b"Index:"))


def text_of(raw: bytes) -> str:
    """Bytes outside any declared charset: UTF-8, where stray bytes survive as surrogates (git keeps
    them as they are; the INVALID_UTF8 check reports them)."""
    return raw.decode("utf-8", errors="surrogateescape")


def read_message(data: bytes, first_line: int) -> MailText:
    """A message as lines numbered in the file: a mail's headers and decoded body, or plain text."""
    if not looks_like_mail(data.split(b"\n", 2)[:2]):
        lines = _text_lines(data)
        return MailText(lines, list(range(first_line, first_line + len(lines))))
    header_block, body_offset = _header_block(data)
    body_index = len(header_block)
    result = MailText([text_of(line) for line in header_block],
                      list(range(first_line, first_line + body_index)), is_mail=True)
    _record_header_lines(result, header_block, first_line)
    message = _PlainMail.read(header_block, body_index)
    if message is None:
        import email.parser

        # the parser's default policy is compat32, headers kept as written; naming it through
        # email.policy would import the whole modern header machinery (a tenth of a check's start-up)
        message = email.parser.BytesParser().parsebytes(data)
    for name, value in message.raw_items():  # as written: 8-bit bytes survive as surrogates
        name = name.strip().lower()
        if name not in result.headers:  # the first of repeated headers, as git mailinfo keeps
            result.headers[name] = decode_header(value, name)
    result.body_start = len(result.lines)
    for part, start, body in _parts_with_offsets(message, data, body_index, body_offset):
        lines, numbers = _decode_part(part, body, start + first_line)
        result.lines.extend(lines)
        result.numbers.extend(numbers)
    return result


_PLAIN_TYPE = lazy(r'text/plain\s*(?:;\s*charset\s*=\s*(?:"([\w.:-]+)"|([\w.:-]+))\s*)?;?', re.ASCII | re.I)


class _PlainMail:
    """What `read_message` asks of a parsed mail, for the common one that needs no MIME parser: ASCII
    headers without encoded words, one text/plain part (what `git format-patch` writes). The email
    package, imported only for the other mails, takes a tenth of a one-patch check's start-up."""

    def __init__(self, items: list[tuple[str, str]], charset: str | None):
        self._items, self._charset = items, charset
        self._first: dict = {}  # lower-case name -> the first one's value

    @classmethod
    def read(cls, raw_lines: list[bytes], body_index: int) -> "_PlainMail" | None:
        block = raw_lines[1 if MBOX_FROM.match(raw_lines[0]) else 0:body_index]
        if not block or block[-1].rstrip(b"\r") != b"" or block[0][:1] in (b" ", b"\t") or not _plain_lines(block):
            return None  # the parser's cases: 8-bit or encoded headers, a lone CR, no blank line, a fold first
        items: list[tuple[str, str]] = []
        for line in block[:-1]:  # each a header or a continuation (_header_block_end took no other)
            text = line.decode("ascii")
            if text[:1] in (" ", "\t"):
                items[-1] = (items[-1][0], items[-1][1] + "\n" + text)
            else:
                name, value = text.split(":", 1)
                items.append((name, value.lstrip(" \t")))
        self = cls([(name, value.rstrip("\r\n")) for name, value in items], None)  # as compat32 keeps them
        for name, value in self._items:
            self._first.setdefault(name.lower(), value)
        content_type = self.get("content-type")
        match = _PLAIN_TYPE.fullmatch(content_type.strip()) if content_type is not None else None
        if content_type is not None and match is None:
            return None
        self._charset = (match.group(1) or match.group(2) or "").lower() or None if match else None
        return self

    def raw_items(self) -> list[tuple[str, str]]:
        return self._items

    def get(self, name: str, default=None):
        return self._first.get(name, default)

    def get_content_charset(self) -> str | None:
        return self._charset

    def get_param(self, name: str, default=""):
        return default  # text/plain with at most a charset: no format=flowed

    def is_multipart(self) -> bool:
        return False


def _plain_lines(block: list[bytes]) -> bool:
    """Whether header lines are ASCII without encoded words and without a CR but the one that ends a
    line, tested on their joined bytes (a lore mail has a hundred header lines)."""
    joined = b"\n".join(block)
    return joined.isascii() and b"=?" not in joined and \
        joined.count(b"\r") == joined.count(b"\r\n") + joined.endswith(b"\r")


def _header_block(data: bytes) -> tuple[list[bytes], int]:
    """A mail's lines up to its body (its mbox `From ` line, the headers and their continuations, the
    blank line that ends them) and the offset in `data` of the body's first line: after the blank
    line, or at the first line that is neither a header nor a continuation (a body that starts
    without a blank line). Read a line at a time from the start: the body is not split here."""
    block: list[bytes] = []
    start, size = 0, len(data)
    while start < size:
        end = data.find(b"\n", start)
        end = size if end < 0 else end
        line = data[start:end]
        bare = line.rstrip(b"\r")
        mbox_from = not block and MBOX_FROM.match(line)
        if not (mbox_from or bare == b"" or bare[:1] in (b" ", b"\t") or _HEADER.match(bare)):
            break
        block.append(line)
        start = end + 1
        if bare == b"" and not mbox_from:
            break
    return block, min(start, size)


def _record_header_lines(result: MailText, header_block: list[bytes], first_line: int) -> None:
    for index, line in enumerate(header_block):
        if line[:1] in (b" ", b"\t") or not _HEADER.match(line):
            continue
        name = text_of(line.split(b":", 1)[0]).strip().lower()
        result.header_lines.setdefault(name, first_line + index)  # the first of repeated headers


def decode_header(value: str, name: str = "") -> str:
    """A header's value as `git mailinfo` shows it: unfolded, RFC 2047 encoded words decoded; an
    address header keeps (or gains) the quotes that its decoded display name needs."""
    value = (_FOLD.sub("", value) if "\n" in value else value).strip()
    if name in ("from", "to", "cc", "reply-to", "sender"):
        return _decode_addresses(value)
    return _decode_words(value)


def _decode_words(value: str) -> str:
    if "=?" not in value:
        # raw 8-bit bytes (surrogates from the parser), read as UTF-8 as git does without a charset
        return value if value.isascii() else value.encode("utf-8", errors="surrogateescape").decode(
            "utf-8", errors="surrogateescape")
    import email.errors
    import email.header

    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (UnicodeError, LookupError, ValueError, email.errors.MessageError):
        return value  # a mangled encoded word (unknown charset, bytes not of it): as written


def _decode_addresses(value: str) -> str:
    """`=?utf-8?q?Jos=C3=A9_(Acme)?= <j@x>` becomes `"José (Acme)" <j@x>`: the decoded name is quoted
    again where it holds characters that would otherwise read as a comment or a list."""
    if "=?" not in value:
        return _decode_words(value)
    import email.utils

    pairs = email.utils.getaddresses([value])
    if not pairs or not any(address for _, address in pairs):
        return _decode_words(value)
    return ", ".join(format_address(_decode_words(name), address) for name, address in pairs)


_NEEDS_QUOTES = lazy(r'[][()<>@,:;".\\]')


def format_address(name: str, address: str) -> str:
    if not name:
        return address
    if _NEEDS_QUOTES.search(name):
        name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{name} <{address}>"


def _parts_with_offsets(message, data: bytes, body_index: int, body_offset: int):
    """(leaf part, line index in the message of its body's first line, its raw body) for every part
    `git mailinfo` reads: the body of a single-part mail as the file has it; every leaf of a multipart
    one, in order (mailinfo reads attachments as text too, and skips the preamble and the epilogue)."""
    if not message.is_multipart():
        body = data[body_offset:]
        yield message, body_index, body if body.endswith(b"\n") or not body else body + b"\n"
        return
    raw = data.decode("ascii", errors="surrogateescape")
    raw = raw if raw.endswith("\n") or not raw else raw + "\n"
    pos = 0
    for part in message.walk():
        payload = None if part.is_multipart() else _raw_payload(part)
        found = raw.find(payload, pos) if payload else -1
        if found < 0:
            continue
        pos = found + len(payload)
        # the parser leaves out the newline before a boundary, the end of a line git keeps
        yield part, raw.count("\n", 0, found), payload.encode("ascii", errors="surrogateescape") + b"\n"


def _raw_payload(part) -> str | None:
    """A leaf part's body as the parser read it (8-bit bytes as surrogates). get_payload() would
    give 8-bit bytes already replaced by U+FFFD, and get_payload(decode=True) no encoded lines to
    number, so this reads the parsed body itself."""
    payload = getattr(part, "_payload", None)
    return payload if isinstance(payload, str) else None


def _codec(part) -> str | None:
    """The Python codec of a part's charset; None for UTF-8, ASCII, none declared or an unknown one."""
    charset = part.get_content_charset()
    if not charset:
        return None
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    return None if name in ("utf-8", "ascii") else name


def _decode_part(part, raw: bytes, first_number: int) -> tuple[list[str], list[int]]:
    """The part's body decoded (transfer encoding, then charset), with each line's file line number."""
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    codec = _codec(part)
    if encoding == "base64":
        decoded, numbers = base64_lines(raw, first_number)
    elif encoding == "quoted-printable":
        decoded, numbers = quoted_printable_lines(raw, first_number)
    elif codec is None and str(part.get_param("format", "")).lower() != "flowed":
        lines = _text_lines(raw)  # what a `git format-patch` mail is: decoded at once, not line by line
        return lines, list(range(first_number, first_number + len(lines)))
    else:
        decoded = split_lines(raw)
        numbers = list(range(first_number, first_number + len(decoded)))
    if str(part.get_param("format", "")).lower() == "flowed":
        decoded, numbers = unflow(decoded, numbers, str(part.get_param("delsp", "")).lower() == "yes")
    if codec is None:
        return [text_of(line) for line in decoded], numbers
    return [line.decode(codec, errors="surrogateescape") for line in decoded], numbers


def _text_lines(raw: bytes) -> list[str]:
    """`text_of` each line of `raw`: the same strings, decoded at once (no invalid UTF-8 sequence
    runs over a "\n", so surrogates stand for the same bytes)."""
    lines = text_of(raw).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


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


def check_text(name: str, data: bytes) -> None:
    """Refuse what is not 8-bit text: empty files, UTF-16, binary data."""
    if not data.strip():
        raise BadInput(f"{name}: empty file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:8192]:
        kind = "UTF-16 text" if _looks_utf16(data[:8192]) else "binary data (NUL bytes)"
        raise BadInput(f"{name}: {kind}, not a patch: patches are 8-bit text (git format-patch writes UTF-8)")
    if b"\x00" in data:
        raise BadInput(f"{name}: contains NUL bytes, not a text patch")


def decode(name: str, data: bytes) -> str:
    """Text of a patch file: UTF-8, where stray bytes survive as surrogates to be checked around."""
    check_text(name, data)
    return data.decode("utf-8", errors="surrogateescape")


def _looks_utf16(head: bytes) -> bool:
    """A byte-order mark, or ASCII text with a NUL in every other byte (what Windows editors save)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    even, odd = head[0::2], head[1::2]
    return len(head) >= 16 and max(even.count(0), odd.count(0)) >= 0.9 * len(odd)


def is_patch_break(line: str) -> bool:
    """Where `git mailinfo` ends the commit message: a `diff -` or `Index: ` line, `---` followed by
    only white space, or `--- ` and a file name."""
    if line.startswith(("diff -", "Index: ")):
        return True
    if not line.startswith("---"):
        return False
    rest = line[3:]
    if rest[:1] == " " and rest[1:2] and not rest[1:2].isspace():
        return True
    return rest.strip() == "" and (rest == "" or rest[:1].isspace())


def is_scissors(line: str) -> bool:
    """A `-- >8 --` line (`git am --scissors`; the message starts again below it), by git's rule: scissors
    (`>8`, `8<`, `>%`, `%<`) and dashes, at least 8 visible characters, under 3x the perforation, few gaps."""
    if ">8" not in line and "8<" not in line and ">%" not in line and "%<" not in line:
        return False  # no scissors, which the rule needs: most lines of a message (a `<` of an address too)
    scissors = perforation = gap = 0
    first = last = -1
    in_perforation = False
    line += "\n"  # git counts the newline as a gap after a trailing dash
    i = 0
    while i < len(line):
        c = line[i]
        if c.isspace():
            if in_perforation:
                perforation += 1
                gap += 1
            i += 1
            continue
        last = i
        first = i if first < 0 else first
        if c == "-":
            in_perforation = True
            perforation += 1
        elif line[i:i + 2] in (">8", "8<", ">%", "%<"):
            in_perforation = True
            perforation += 2
            scissors += 2
            i += 1
        else:
            in_perforation = False
        i += 1
    visible = last - first + 1
    return bool(scissors) and 8 <= visible < perforation * 3 and gap * 2 < perforation


def is_reply(raw: bytes) -> bool:
    """Whether a message's Subject starts with `Re:` (a reply in a thread, not a patch to check)."""
    for line in raw.split(b"\n\n", 1)[0].split(b"\n"):
        if line[:8].lower() == b"subject:":
            return bool(_REPLY.match(decode_header(text_of(line[8:]), "subject")))
    return False


_REPLY = lazy(r"\s*(re|aw|fwd?)\s*:", re.IGNORECASE)
