"""Recognise what a file's bytes look like, whatever its name says.

Used to refuse a file whose content does not match its extension, with a one-line message
that says what the file looks like (never what it contains).
"""

from __future__ import annotations

import io
import zipfile
from typing import Literal

PDF_MAGIC = b"%PDF-"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")
UTF8_BOM = b"\xef\xbb\xbf"

_MAGICS: tuple[tuple[bytes, str], ...] = (
    (PDF_MAGIC, "a PDF file"),
    (OLE_MAGIC, "an OLE compound file (an old-format .doc/.xls or a password-protected Office file)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"%!PS", "a PostScript file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xff\xfe", "UTF-16 text (save it as UTF-8)"),
    (b"\xfe\xff", "UTF-16 text (save it as UTF-8)"),
)

_ZIP_KINDS: tuple[tuple[str, str], ...] = (
    ("word/document.xml", "a Word .docx file"),
    ("xl/workbook.xml", "an Excel .xlsx workbook"),
    ("ppt/presentation.xml", "a PowerPoint .pptx file"),
    ("content.xml", "an OpenDocument file"),
)

OleKind = Literal["encrypted", "word", "other"]


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGICS)


def describe(data: bytes) -> str:
    """A short phrase saying what ``data`` looks like, e.g. "a PDF file" or "a PNG image"."""
    if not data:
        return "an empty file"
    for magic, what in _MAGICS:
        if data.startswith(magic):
            return what
    if is_zip(data):
        return _describe_zip(data)
    return _describe_other(data)


def binary_magic(data: bytes) -> str | None:
    """The description of ``data`` when it starts with a known binary signature, else None."""
    for magic, what in _MAGICS:
        if data.startswith(magic):
            return what
    if is_zip(data):
        return _describe_zip(data)
    return None


def ole_kind(data: bytes) -> OleKind:
    """Tell an encrypted OOXML package from a legacy Word file inside an OLE compound file.

    OLE directory entry names are stored as UTF-16LE, so the stream names can be found in the raw
    bytes: an encrypted Office package has an ``EncryptedPackage`` stream, a legacy Word file a
    ``WordDocument`` stream.
    """
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "encrypted"
    if "WordDocument".encode("utf-16-le") in data:
        return "word"
    return "other"


def _describe_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "a damaged zip archive"
    for member, what in _ZIP_KINDS:
        if member in names:
            return what
    return "a zip archive"


def _describe_other(data: bytes) -> str:
    head = data[:8192]
    if b"\x00" in head:
        return "binary data"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(head) - 3:
            return "non-UTF-8 or binary data"
    return "text"
