"""A leak scanner: does any byte of these files spell out one of these secrets?

It reads whole files as raw bytes, so for a SQLite database it sees every page: live rows,
free-list pages, the unused space of pages that held deleted rows, and the ``-wal``,
``-shm`` and ``-journal`` files beside it. Each secret is looked for in the encodings a
program would plausibly write it in:

* integers (chat ids, user ids): decimal text (also UTF-16), hexadecimal (lower and upper
  case, with and without ``0x``; for a negative number also its 64-bit two's complement),
  4- and 8-byte little- and big-endian binary, and the big-endian two's-complement forms of
  1, 2, 3, 4, 6 and 8 bytes that SQLite uses for integers in a record (only the widths of
  3 bytes or more that can hold the value: shorter ones would match by chance). Text forms
  leave out the sign, so they also find a negative id written without it;
* strings (names, usernames, typed text): UTF-8, UTF-16 (LE and BE), lower- and upper-cased,
  JSON-escaped (``\\u00eb``, as ``json.dumps`` writes non-ASCII) and URL-encoded; the ASCII
  letters of text encodings (and the hex digits of ``\\u`` escapes) match in any case.

A hit names the secret by its position and a masked form, so the report itself leaks nothing.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, quote_plus

#: Files SQLite keeps beside a database; scanned whenever they exist.
SIBLINGS = ("-wal", "-shm", "-journal")
#: Widths (bytes) of SQLite's integer serial types 1-6.
SQLITE_INT_WIDTHS = (1, 2, 3, 4, 6, 8)
#: Secrets shorter than this would match random bytes (an int needs 6 digits).
MIN_TEXT_LENGTH = 4
MIN_INT = 100_000
#: Binary forms shorter than this match by chance too often to mean anything.
MIN_BINARY_WIDTH = 3


@dataclass(frozen=True)
class Encoding:
    """One way a secret may be written: a name for the report and the bytes to look for."""

    name: str
    data: bytes
    #: Whether ASCII letters match in any case (text forms), or bytes must match exactly.
    any_case: bool


def mask(secret: str | int) -> str:
    """``'98…21' (12 chars)``: enough to tell secrets apart, not enough to learn one."""
    text = str(secret)
    shown = f"{text[:2]}…{text[-1:]}" if len(text) >= 8 else "…"
    return f"{shown!r} ({len(text)} chars)"


def encodings(secret: str | int) -> list[Encoding]:
    """Every form of ``secret`` the scanner looks for (duplicates of the same bytes merged).

    Raises ``ValueError`` for a secret so short that it would match by chance.
    """
    if isinstance(secret, bool) or not isinstance(secret, int | str):
        raise TypeError(f"a secret is an int or a str, not {type(secret).__name__}")
    if isinstance(secret, int):
        if abs(secret) < MIN_INT:
            raise ValueError(f"the integer secret {mask(secret)} is too small to scan for")
        forms = _int_encodings(secret)
    else:
        if len(secret) < MIN_TEXT_LENGTH:
            raise ValueError(f"the text secret {mask(secret)} is too short to scan for")
        forms = _text_encodings(secret)
    # Drop forms another one already finds: equal bytes, or a case-insensitive form that
    # matches them (for ASCII text, "utf-8" finds its lower-cased and JSON forms too).
    unique: list[Encoding] = []
    for form in forms:
        if not any(_covers(kept, form) for kept in unique):
            unique.append(form)
    return unique


def _covers(kept: Encoding, form: Encoding) -> bool:
    if kept.any_case:
        return kept.data.lower() == form.data.lower()
    return kept.data == form.data and not form.any_case


def _int_encodings(n: int) -> list[Encoding]:
    # Text forms leave out the sign, so they also find the number written without it.
    digits = str(abs(n))
    hex_digits = f"{abs(n):x}"
    forms = [
        Encoding("decimal", digits.encode("ascii"), False),
        Encoding("decimal-utf-16-le", digits.encode("utf-16-le"), False),
        Encoding("decimal-utf-16-be", digits.encode("utf-16-be"), False),
        Encoding("hex-0x", f"0x{hex_digits}".encode("ascii"), True),
        Encoding("hex-lower", hex_digits.encode("ascii"), False),
        Encoding("hex-upper", hex_digits.upper().encode("ascii"), False),
    ]
    if n < 0 and _fits(n, 8):
        twos = f"{n & (1 << 64) - 1:x}"  # how an unsigned 64-bit view prints it
        forms.append(Encoding("hex-twos-complement", twos.encode("ascii"), True))
    for width, code in ((4, "i"), (8, "q")):
        if _fits(n, width):
            forms.append(Encoding(f"int{width * 8}-le", struct.pack("<" + code, n), False))
            forms.append(Encoding(f"int{width * 8}-be", struct.pack(">" + code, n), False))
        if n >= 0 and n < 1 << (8 * width):
            unsigned = code.upper()
            forms.append(Encoding(f"uint{width * 8}-le", struct.pack("<" + unsigned, n), False))
            forms.append(Encoding(f"uint{width * 8}-be", struct.pack(">" + unsigned, n), False))
    for width in SQLITE_INT_WIDTHS:
        if width >= MIN_BINARY_WIDTH and _fits(n, width):
            forms.append(
                Encoding(f"sqlite-int-{width}", n.to_bytes(width, "big", signed=True), False)
            )
    return forms


def _fits(n: int, width: int) -> bool:
    limit = 1 << (8 * width - 1)
    return -limit <= n < limit


def _text_encodings(text: str) -> list[Encoding]:
    forms: list[Encoding] = []
    for variant, suffix in ((text, ""), (text.lower(), "-lower"), (text.upper(), "-upper")):
        forms += [
            Encoding(f"utf-8{suffix}", variant.encode("utf-8"), True),
            Encoding(f"utf-16-le{suffix}", variant.encode("utf-16-le"), True),
            Encoding(f"utf-16-be{suffix}", variant.encode("utf-16-be"), True),
        ]
    # Any case: some encoders write the \uXXXX digits in upper case.
    escaped = json.dumps(text, ensure_ascii=True)[1:-1]
    forms.append(Encoding("json-escaped", escaped.encode("ascii"), True))
    forms.append(Encoding("url-encoded", quote(text, safe="").encode("ascii"), True))
    forms.append(Encoding("url-encoded-plus", quote_plus(text, safe="").encode("ascii"), True))
    return forms


def files_to_scan(paths: Iterable[Path]) -> list[Path]:
    """``paths`` and their SQLite siblings that exist, each once.

    Raises ``FileNotFoundError`` for a given path that does not exist: a scan of nothing
    would pass without proving anything.
    """
    found: dict[Path, None] = {}
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"cannot scan {path}: no such file")
        found[path] = None
        for suffix in SIBLINGS:
            sibling = path.with_name(path.name + suffix)
            if sibling.is_file():
                found[sibling] = None
    return list(found)


def find_leaks(paths: Iterable[Path], secrets: Iterable[str | int]) -> list[str]:
    """One line per (file, secret, encoding) found; [] when the files hold none of them.

    Each line names the file, the secret by its index and masked form, the encoding and the
    offset of the first hit. Raises ``ValueError`` when no secret is given.
    """
    wanted = [(i, s, encodings(s)) for i, s in enumerate(secrets)]
    if not wanted:
        raise ValueError("no secrets to scan for")
    leaks: list[str] = []
    for file in files_to_scan(paths):
        data = file.read_bytes()
        for index, secret, forms in wanted:
            for form in forms:
                offset = _search(data, form)
                if offset >= 0:
                    leaks.append(
                        f"{file}: secret #{index} {mask(secret)} found as {form.name} "
                        f"at byte {offset}"
                    )
    return leaks


def _search(data: bytes, form: Encoding) -> int:
    if not form.any_case:
        return data.find(form.data)
    match = re.search(re.escape(form.data), data, re.IGNORECASE)
    return match.start() if match else -1
