"""Text encodings of register files: detect UTF-8 (with or without BOM), Windows-1252, ISO-8859-15.

Detection is a rule, not a guess: a strict UTF-8 decode first; otherwise bytes 0x80-0x9F (printable
only in Windows-1252) decide for cp1252, bytes that ISO-8859-15 turned into letters or ``€``
(0xA4, 0xA6, 0xA8, 0xB4, 0xB8, 0xBC-0xBE) decide for ISO-8859-15, and cp1252 remains when both read
the bytes alike.

Encodings are told apart per line: in a file that is mostly UTF-8, a line that is not is damaged
(its bytes become ``REPLACEMENT`` and the row is quarantined); in a file that is mostly 8-bit, a
line that is valid UTF-8 with non-ASCII letters was written by other software and is read as
UTF-8 (counted in ``utf8_lines``), since 8-bit German text is practically never valid UTF-8.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from regmod.errors import InputError

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
WINDOWS_1252 = "cp1252"
ISO_8859_15 = "iso8859-15"
SUPPORTED = (UTF8, UTF8_BOM, WINDOWS_1252, ISO_8859_15)

REPLACEMENT = "\ufffd"
"""What an undecodable byte becomes in the decoded text; rows holding it are quarantined."""

_C1_RANGE = re.compile(rb"[\x80-\x9f]")
_ISO_8859_15_ONLY = re.compile(rb"[\xa4\xa6\xa8\xb4\xb8\xbc\xbd\xbe]")
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
"""A lead byte and a continuation byte: without one anywhere, no line can be UTF-8 letters."""


@dataclass(frozen=True)
class DecodedText:
    """Text of a file and how it was decoded; ``lossy`` when some bytes became ``REPLACEMENT``,
    ``utf8_lines`` the lines of an 8-bit file read as UTF-8."""

    text: str
    encoding: str
    lossy: bool
    utf8_lines: int = 0


def canonical_encoding(name: str, *, file: str | None = None) -> str:
    """Python's own name for an encoding given by a user (``"Windows-1252"`` → ``"cp1252"``)."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise InputError(
            f"unknown encoding {name!r}; use one of {', '.join(SUPPORTED)}", file=file
        ) from None


def decode(data: bytes, encoding: str | None = None, *, file: str | None = None) -> DecodedText:
    """Decode ``data`` once, detecting the encoding unless one is given.

    An explicit encoding that loses bytes while another reads the file cleanly is a user mistake
    (InputError); otherwise undecodable bytes become ``REPLACEMENT`` and ``lossy`` is set.

    >>> decode("Müller".encode("cp1252")).encoding
    'cp1252'
    """
    detected = _detect(data)
    if encoding is None:
        return detected
    chosen = canonical_encoding(encoding, file=file)
    if chosen == UTF8 and data.startswith(codecs.BOM_UTF8):
        chosen = UTF8_BOM
    if chosen == detected.encoding:
        return detected
    try:
        return DecodedText(data.decode(chosen), chosen, lossy=False)
    except UnicodeDecodeError as error:
        if not detected.lossy:
            line = data.count(b"\n", 0, error.start) + 1
            raise InputError(
                f"the bytes are not valid {chosen} (first bad byte on line {line}); "
                f"they read cleanly as {detected.encoding}: pass that encoding or none",
                file=file,
            ) from None
    return DecodedText(data.decode(chosen, errors="replace"), chosen, lossy=True)


def _detect(data: bytes) -> DecodedText:
    if data.startswith(codecs.BOM_UTF8):
        return _decode_or_replace(data, UTF8_BOM)
    try:
        return DecodedText(data.decode(UTF8), UTF8, lossy=False)
    except UnicodeDecodeError:
        pass
    if not _UTF8_SEQUENCE.search(data):
        encoding = _eight_bit_encoding(data)
        return _decode_or_replace(data, encoding)
    lines = data.split(b"\n")
    as_utf8 = [_utf8_or_none(line) for line in lines]
    utf8_letters = sum(text is not None and not text.isascii() for text in as_utf8)
    eight_bit = [line for line, text in zip(lines, as_utf8, strict=True) if text is None]
    if utf8_letters > len(eight_bit):
        return DecodedText(data.decode(UTF8, errors="replace"), UTF8, lossy=True)
    encoding = _eight_bit_encoding(b"\n".join(eight_bit))
    other = iter(_decode_or_replace(b"\n".join(eight_bit), encoding).text.split("\n"))
    text = "\n".join(next(other) if line is None else line for line in as_utf8)
    return DecodedText(text, encoding, REPLACEMENT in text, utf8_lines=utf8_letters)


def _utf8_or_none(line: bytes) -> str | None:
    try:
        return line.decode(UTF8)
    except UnicodeDecodeError:
        return None


def _eight_bit_encoding(data: bytes) -> str:
    if _C1_RANGE.search(data):
        return WINDOWS_1252
    if _ISO_8859_15_ONLY.search(data):
        return ISO_8859_15
    return WINDOWS_1252


def _decode_or_replace(data: bytes, encoding: str) -> DecodedText:
    try:
        return DecodedText(data.decode(encoding), encoding, lossy=False)
    except UnicodeDecodeError:
        return DecodedText(data.decode(encoding, errors="replace"), encoding, lossy=True)
