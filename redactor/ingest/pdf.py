"""PDF: the text layer of every page, each character tied to the box of the glyph it came from.

Each page's text is pdfplumber's default text extraction (``page.get_textmap()``, not layout
mode): words on a line joined by inserted spaces, lines by inserted "\\n". Pages are joined by
``PAGE_SEPARATOR`` ("\\f\\n"), so ``text.split(PAGE_SEPARATOR)`` gives the pages' texts (a page's
own text never holds "\\f"). ``Document.char_boxes[i]`` is the CharBox of the glyph that produced
``text[i]`` (a ligature glyph expanded to several letters gives each letter the glyph's box), or
None for an inserted space, newline or page separator; it has exactly ``len(text)`` entries.

Segments and Blocks: one per non-empty text line; Segment.part is "page-N" (N 1-based),
Segment.paragraph the 0-based line number on that page, run and offset 0; Block kind "line".
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import PSLiteral
from pdfplumber.page import Page
from pdfplumber.pdf import PDF

from redactor.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    InputError,
    UnsupportedTypeError,
)
from redactor.ingest import sniff
from redactor.ingest._common import finish, label, metadata_notices
from redactor.model import Block, CharBox, Document, Notice, Segment

PAGE_SEPARATOR = "\f\n"
EOF_WINDOW = 1024
LARGE_IMAGE_SHARE = 0.25
_METADATA_FIELDS = ("Title", "Author", "Subject", "Keywords")
_SILENT_ANNOTATIONS = frozenset({"Link", "Popup", "Widget"})
_MAX_FIELD_DEPTH = 32


def scanned_message(number: int) -> str:
    return f"page {number} has no text layer: scanned pages are not analysed"


def read_pdf(data: bytes, name: str) -> Document:
    """Read a PDF. Raises the named InputErrors for wrong type, truncation, damage, passwords."""
    check_container(data, name)
    with open_pdf(data, name) as pdf:
        builder = _read_pages(pdf, name)
        notices = [*builder.notices, *_image_notices(builder.image_pages), *document_notices(pdf)]
    hint = "its pages have no text layer: scanned pages are not analysed" if builder.scanned else ""
    return finish(
        data,
        name,
        "pdf",
        builder.text(),
        segments=builder.segments,
        blocks=builder.blocks,
        char_boxes=builder.boxes,
        notices=notices,
        empty_hint=hint,
    )


def check_container(data: bytes, name: str) -> None:
    """The bytes must start with %PDF- and end (within 1 KiB) with an %%EOF marker."""
    if not data.startswith(sniff.PDF_MAGIC):
        raise UnsupportedTypeError(f"{label(name)}: looks like {sniff.describe(data)}, not a PDF file")
    if b"%%EOF" not in data[-EOF_WINDOW:]:
        raise CorruptDocumentError(f"{label(name)}: is a truncated PDF (no end-of-file marker)")


def open_pdf(data: bytes, name: str) -> PDF:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except Exception as e:
        raise _pdf_error(e, name) from e


def document_notices(pdf: PDF) -> list[Notice]:
    """Notices about the whole file: permissions-only encryption, forms, attachments, metadata."""
    notices: list[Notice] = []
    catalog: dict[str, Any] = pdf.doc.catalog
    if pdf.doc.encryption is not None:
        notices.append(
            Notice("pdf-encrypted", "pdf is encrypted with an empty user password (permissions only)")
        )
    if _form_has_values(resolve1(catalog.get("AcroForm"))):
        notices.append(Notice("pdf-form", "pdf form fields hold text that is not analysed", hold=True))
    if _has_attachments(catalog):
        notices.append(Notice("pdf-attachments", "pdf has attached files that are not analysed", hold=True))
    return notices + metadata_notices(_metadata_fields(pdf, catalog))


# ----------------------------------------------------------------------------- pages


@dataclass
class _TextBuilder:
    pieces: list[str] = field(default_factory=list)
    boxes: list[CharBox | None] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    image_pages: list[int] = field(default_factory=list)
    scanned: bool = False
    pos: int = 0

    def text(self) -> str:
        return "".join(self.pieces)

    def add_page(self, page: Page, number: int) -> None:
        if number > 1:
            self._append(PAGE_SEPARATOR, [None] * len(PAGE_SEPARATOR))
        text, boxes = page_text(page, number)
        self._add_lines(text, number)
        self._append(text, boxes)
        self._note_page(page, number, text)

    def _add_lines(self, text: str, number: int) -> None:
        for line_no, start, end in line_spans(text):
            self.segments.append(Segment(self.pos + start, self.pos + end, f"page-{number}", line_no))
            self.blocks.append(Block(self.pos + start, self.pos + end, "line"))

    def _note_page(self, page: Page, number: int, text: str) -> None:
        if not text.strip():
            if page.images or page.curves:
                self.scanned = True
                self.notices.append(Notice("scanned-page", scanned_message(number), hold=True))
        elif _largest_image_share(page) >= LARGE_IMAGE_SHARE:
            self.image_pages.append(number)
        if _has_annotation_text(page):
            self.notices.append(
                Notice(
                    "pdf-annotations",
                    f"page {number} has comments or attachments that are not analysed",
                    hold=True,
                )
            )

    def _append(self, text: str, boxes: list[CharBox | None]) -> None:
        self.pieces.append(text)
        self.boxes.extend(boxes)
        self.pos += len(text)


def page_text(page: Page, number: int) -> tuple[str, list[CharBox | None]]:
    """The page's text and one box (or None for an inserted character) per character."""
    letters: list[str] = []
    boxes: list[CharBox | None] = []
    for letter, char in page.get_textmap().tuples:
        box = None if char is None else _char_box(char, number)
        for one in letter:
            letters.append(one)
            boxes.append(box)
    return "".join(letters), boxes


def line_spans(text: str) -> Iterator[tuple[int, int, int]]:
    """(line number, start, end) of each line of ``text`` that is not blank."""
    pos = 0
    for line_no, line in enumerate(text.split("\n")):
        if line.strip():
            yield line_no, pos, pos + len(line)
        pos += len(line) + 1


def _char_box(char: dict[str, Any], number: int) -> CharBox:
    return CharBox(number, float(char["x0"]), float(char["top"]), float(char["x1"]), float(char["bottom"]))


def _read_pages(pdf: PDF, name: str) -> _TextBuilder:
    builder = _TextBuilder()
    try:
        for number, page in enumerate(pdf.pages, 1):
            builder.add_page(page, number)
    except InputError:
        raise
    except Exception as e:
        raise _pdf_error(e, name) from e
    return builder


def _largest_image_share(page: Page) -> float:
    area = float(page.width * page.height) or 1.0
    sizes = (float(im["width"]) * float(im["height"]) for im in page.images)
    return max(sizes, default=0.0) / area


def _image_notices(pages: list[int]) -> list[Notice]:
    if not pages:
        return []
    listed = ", ".join(str(n) for n in pages)
    return [Notice("pdf-images", f"large images on page(s) {listed}: any text inside them is not analysed")]


def _has_annotation_text(page: Page) -> bool:
    for annot in page.annots:
        subtype = _name(annot.get("data", {}).get("Subtype"))
        if subtype == "FileAttachment":
            return True
        if annot.get("contents") and subtype not in _SILENT_ANNOTATIONS:
            return True
    return False


# ----------------------------------------------------------------------------- document level


def _form_has_values(acroform: Any) -> bool:
    if not isinstance(acroform, dict):
        return False
    fields = resolve1(acroform.get("Fields"))
    return isinstance(fields, list) and any(_field_has_value(f, 0) for f in fields)


def _field_has_value(ref: Any, depth: int) -> bool:
    node = resolve1(ref)
    if not isinstance(node, dict) or depth > _MAX_FIELD_DEPTH:
        return False
    value = resolve1(node.get("V"))
    if isinstance(value, (bytes, str)) and value.strip():
        return True
    kids = resolve1(node.get("Kids"))
    return isinstance(kids, list) and any(_field_has_value(k, depth + 1) for k in kids)


def _has_attachments(catalog: dict[str, Any]) -> bool:
    names = resolve1(catalog.get("Names"))
    return isinstance(names, dict) and names.get("EmbeddedFiles") is not None


def _metadata_fields(pdf: PDF, catalog: dict[str, Any]) -> list[str]:
    info = pdf.metadata
    fields = [f for f in _METADATA_FIELDS if _has_value(info.get(f))]
    if catalog.get("Metadata") is not None:
        fields.append("XMP")
    return fields


def _has_value(value: Any) -> bool:
    if isinstance(value, bytes):
        return bool(value.strip())
    return isinstance(value, str) and bool(value.strip())


def _name(value: Any) -> str:
    value = resolve1(value)
    return str(value.name) if isinstance(value, PSLiteral) else str(value or "")


def _pdf_error(e: BaseException, name: str) -> InputError:
    """Map a pdfminer/pdfplumber failure to EncryptedDocumentError or CorruptDocumentError."""
    if isinstance(e, InputError):
        return e
    for cause in _causes(e):
        if isinstance(cause, PDFEncryptionError):
            return EncryptedDocumentError(
                f"{label(name)}: is a password-protected PDF; remove the password and try again"
            )
    return CorruptDocumentError(f"{label(name)}: is a damaged PDF ({type(_root_cause(e)).__name__})")


def _causes(e: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException] = [e]
    while todo:
        current = todo.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        todo.extend(a for a in current.args if isinstance(a, BaseException))
        todo.extend(c for c in (current.__cause__, current.__context__) if c is not None)


def _root_cause(e: BaseException) -> BaseException:
    if e.args and isinstance(e.args[0], BaseException):
        return e.args[0]
    return e
