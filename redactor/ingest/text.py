"""Plain text (.txt, .text, .md, .eml): strict UTF-8, the text kept exactly as stored.

``Document.text`` is the file's content after removing one leading UTF-8 byte-order mark; one
Segment (part "text") covers all of it. Blocks are the lines that hold something other than white
space (line terminators as in ``str.splitlines``, not included in the block), kind "paragraph".
"""

from __future__ import annotations

import re

from redactor.errors import UnsupportedTypeError
from redactor.ingest import sniff
from redactor.ingest._common import finish, label
from redactor.model import Block, Document, Notice, Segment

TEXT_EXTENSIONS = frozenset({".txt", ".text", ".md", ".eml"})

_BASE64_PART = re.compile(r"(?im)^content-transfer-encoding:[ \t]*base64[ \t]*\r?$")
_QP_PART = re.compile(r"(?im)^content-transfer-encoding:[ \t]*quoted-printable[ \t]*\r?$")


def read_text(data: bytes, name: str) -> Document:
    """Read a plain-text file. Raises UnsupportedTypeError when the bytes are not UTF-8 text."""
    return text_document(decode(data, name), name, data)


def text_document(text: str, name: str, data: bytes | None = None) -> Document:
    """A "text" Document for ``text`` as it is; ``data`` (default: ``text`` as UTF-8) is hashed."""
    notices = email_notices(text) if name.lower().endswith(".eml") else []
    return finish(
        text.encode("utf-8", errors="surrogatepass") if data is None else data,
        name,
        "text",
        text,
        segments=(Segment(0, len(text), "text"),),
        blocks=line_blocks(text),
        notices=notices,
    )


def decode(data: bytes, name: str) -> str:
    """Strict UTF-8 decode with one leading BOM removed; NUL bytes or a binary signature refuse."""
    looks_like = sniff.binary_magic(data)
    if looks_like is not None:
        raise UnsupportedTypeError(f"{label(name)}: looks like {looks_like}, not text")
    body = data.removeprefix(sniff.UTF8_BOM)
    if b"\x00" in body:
        raise UnsupportedTypeError(f"{label(name)}: contains NUL bytes: looks like binary data, not text")
    try:
        return body.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        offset = e.start + len(data) - len(body)
        raise UnsupportedTypeError(
            f"{label(name)}: is not UTF-8 text (invalid byte at offset {offset}); save it as UTF-8"
        ) from e


def line_blocks(text: str) -> list[Block]:
    """One "paragraph" Block per line that is not blank, terminator excluded."""
    blocks: list[Block] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        content = line.splitlines()[0] if line else ""
        if content.strip():
            blocks.append(Block(pos, pos + len(content), "paragraph"))
        pos += len(line)
    return blocks


def email_notices(text: str) -> list[Notice]:
    """Notices for MIME content of an .eml that is read as raw text, not decoded."""
    notices: list[Notice] = []
    if _BASE64_PART.search(text):
        notices.append(
            Notice(
                "eml-base64",
                "email has base64-encoded parts (bodies or attachments) that are not analysed",
                hold=True,
            )
        )
    if _QP_PART.search(text):
        notices.append(
            Notice(
                "eml-quoted-printable",
                "email has quoted-printable parts: words split by soft line breaks or encoded "
                "characters may be missed",
            )
        )
    return notices
