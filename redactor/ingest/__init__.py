"""Ingest: read a plain-text, .docx or .pdf file into a :class:`redactor.model.Document`.

The type is decided by the extension and checked against the content: a file whose bytes do not
match its extension is refused. Every failure on a bad file is one of the named
:class:`redactor.errors.InputError` subclasses, with a one-line message that names the file and
never quotes its text:

* MissingFileError: the path does not exist or is not a readable regular file.
* UnsupportedTypeError: unknown extension, or content that does not match it (the message says
  what the file looks like), text that is not UTF-8, a .docm/.dotx, a legacy .doc.
* EmptyDocumentError: 0 bytes, or no text other than white space.
* TooLargeError: more than ``max_bytes``, or a .docx zip bomb (see ``docx.check_zip_bomb``).
* CorruptDocumentError: a damaged or truncated zip or PDF, or any failure while parsing.
* EncryptedDocumentError: a password-protected PDF, or an OLE container under a .docx name
  (how Office stores a password-protected .docx).
"""

from __future__ import annotations

import stat
from pathlib import Path, PurePath

from redactor.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    MissingFileError,
    RedactorError,
    TooLargeError,
    UnsupportedTypeError,
)
from redactor.ingest import sniff
from redactor.ingest._common import base_name, label
from redactor.ingest.text import TEXT_EXTENSIONS, read_text, text_document
from redactor.model import Document

__all__ = ["DEFAULT_MAX_BYTES", "SUPPORTED_EXTENSIONS", "from_bytes", "from_text", "load"]

DEFAULT_MAX_BYTES = 50_000_000
SUPPORTED_EXTENSIONS = frozenset({*TEXT_EXTENSIONS, ".docx", ".pdf"})


def load(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read the file at ``path`` (checked for existence and size before it is read)."""
    file = Path(path)
    name = file.name
    size = _regular_file_size(file)
    _check_extension(name, b"")
    _check_size(size, name, max_bytes)
    data = _read_bytes(file, max_bytes)
    return from_bytes(data, name, max_bytes=max_bytes)


def from_bytes(data: bytes, name: str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read an uploaded file's bytes; ``name`` (its file name; any directory part is dropped)
    gives the extension and ``Document.name``."""
    name = base_name(name)
    ext = _check_extension(name, data)
    _check_size(len(data), name, max_bytes)
    if not data:
        raise EmptyDocumentError(f"{label(name)}: is empty (0 bytes)")
    try:
        return _dispatch(ext, data, name, max_bytes)
    except RedactorError:
        raise
    except MemoryError as e:
        raise TooLargeError(f"{label(name)}: is too large to read in memory") from e
    except Exception as e:
        raise CorruptDocumentError(f"{label(name)}: could not be read ({type(e).__name__})") from e


def from_text(text: str, name: str = "text") -> Document:
    """A "text" Document for a string already in memory (CLI stdin, evaluation corpora).

    The text is kept exactly; ``name`` is used as given (no extension check); sha256 is of the
    UTF-8 encoding. Raises EmptyDocumentError for empty or white-space-only text, like ``load``.
    """
    return text_document(text, name)


def _dispatch(ext: str, data: bytes, name: str, max_bytes: int) -> Document:
    # python-docx and pdfplumber are imported when a file needs them (batch over text never does)
    if ext == ".docx":
        from redactor.ingest.docx import read_docx

        return read_docx(data, name, max_bytes)
    if ext == ".pdf":
        from redactor.ingest.pdf import read_pdf

        return read_pdf(data, name)
    return read_text(data, name)


def _check_extension(name: str, data: bytes) -> str:
    ext = PurePath(name).suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        shown = f"'{label(ext)}'" if ext else "(no extension)"
        looks = f" (looks like {sniff.describe(data)})" if data else ""
        supported = " ".join(sorted(SUPPORTED_EXTENSIONS))
        raise UnsupportedTypeError(
            f"{label(name)}: unsupported file type {shown}{looks}; supported: {supported}"
        )
    return ext


def _check_size(size: int, name: str, max_bytes: int) -> None:
    if size > max_bytes:
        raise TooLargeError(f"{label(name)}: is {size} bytes, over the limit of {max_bytes}")


def _regular_file_size(file: Path) -> int:
    try:
        info = file.stat()
    except FileNotFoundError as e:
        raise MissingFileError(f"{label(file.name)}: file not found") from e
    except (OSError, ValueError) as e:
        raise MissingFileError(f"{label(file.name)}: cannot be read ({type(e).__name__})") from e
    if not stat.S_ISREG(info.st_mode):
        raise MissingFileError(f"{label(file.name)}: is not a regular file")
    return info.st_size


def _read_bytes(file: Path, max_bytes: int) -> bytes:
    try:
        with file.open("rb") as handle:
            return handle.read(max_bytes + 1)
    except OSError as e:
        raise MissingFileError(f"{label(file.name)}: cannot be read ({type(e).__name__})") from e
