"""A mail body's transfer encodings and format=flowed undone as `git mailinfo` undoes them, each
decoded line with the line number in the file of the encoded line it starts on (`mail.read_message`)."""

from __future__ import annotations

import binascii
import re


def unflow(lines: list[bytes], numbers: list[int], delsp: bool) -> tuple[list[bytes], list[int]]:
    """format=flowed text (RFC 3676) as `git mailinfo` reads it: a leading space is unstuffed, a line
    that ends with a space goes on in the next one (numbered where it starts), `-- ` stays as it is."""
    out: list[bytes] = []
    out_numbers: list[int] = []
    pending, start = b"", None
    for line, number in zip(lines, numbers):
        cr = b"\r" if line.endswith(b"\r") else b""
        text = line[:-1] if cr else line
        if text == b"-- ":
            if start is not None:
                out.append(pending)
                out_numbers.append(start)
                pending, start = b"", None
            out.append(line)
            out_numbers.append(number)
            continue
        if text.startswith(b" "):
            text = text[1:]
        if start is None:
            start = number
        if text.endswith(b" "):
            pending += text[:-1] if delsp else text
            continue
        out.append(pending + text + cr)
        out_numbers.append(start)
        pending, start = b"", None
    if start is not None:
        out.append(pending)
        out_numbers.append(start)
    return out, out_numbers


def split_lines(raw: bytes) -> list[bytes]:
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return lines


def base64_lines(raw: bytes, first_number: int) -> tuple[list[bytes], list[int]]:
    """Decoded lines numbered on from the encoded body's first line: base64 keeps no line boundaries."""
    compact = re.sub(rb"[^A-Za-z0-9+/=]", b"", raw)
    compact = compact[: len(compact) - len(compact) % 4] if b"=" not in compact else compact
    try:
        decoded = binascii.a2b_base64(compact)
    except binascii.Error:
        decoded = b""
        for start in range(0, len(compact) - len(compact) % 4, 4):  # what decodes before the damage
            try:
                decoded += binascii.a2b_base64(compact[start:start + 4])
            except binascii.Error:
                break
    lines = split_lines(decoded)  # a CRLF body keeps its CRs, as git mailinfo keeps them ("quoted CRLF")
    return lines, list(range(first_number, first_number + len(lines)))


def quoted_printable_lines(raw: bytes, first_number: int) -> tuple[list[bytes], list[int]]:
    """Each decoded line with the line number of the encoded line it starts on (a soft line break,
    `=` at the end of a line, joins the next encoded line to it)."""
    lines: list[bytes] = []
    numbers: list[int] = []
    pending = b""
    start = None
    for index, line in enumerate(split_lines(raw)):
        if start is None:
            start = first_number + index
        stripped = line.rstrip(b"\r").rstrip(b" \t")
        if stripped.endswith(b"="):
            pending += stripped[:-1]
            continue
        for piece in binascii.a2b_qp(pending + line).split(b"\n"):  # an encoded =0A makes two lines
            lines.append(piece)
            numbers.append(start)
        pending, start = b"", None
    if start is not None:
        lines.append(binascii.a2b_qp(pending))
        numbers.append(start)
    return lines, numbers
