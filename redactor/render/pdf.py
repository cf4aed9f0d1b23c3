"""PDF: every page re-rendered as an image (pypdfium2) with opaque boxes burnt in (Pillow) over the
characters of every redaction, written as an image-only PDF by :func:`image_pdf`.

The output has no text layer, so no text can hide under a box; and it carries nothing else from
the source: no Info dictionary, no XMP, no annotations, form fields, links, attachments or
JavaScript. Annotations and form fields are not drawn either (their text is not analysed).

Box placement: ``Document.char_boxes`` are pdfplumber's boxes (points, top-left origin, in the
page as displayed); pdfplumber's own page images map them with the page's crop box and the scale,
and so does this module. Consecutive characters of a redaction on one line are merged into one
box, padded by ``PAD`` points.
"""

from __future__ import annotations

import io
import math
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pdfplumber
import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFont

from redactor.errors import RenderError
from redactor.model import CharBox, Document
from redactor.render.log import LogEntry
from redactor.render.plan import MarkerStyle, Redaction

DPI = 150
PAD = 1.0
NOTE = (
    f"pages were re-rendered as images ({DPI} dpi) with the redactions burnt in: the output has no text "
    "layer (its text cannot be selected or searched) and no metadata, annotations, form fields, links "
    "or attachments"
)


@dataclass(frozen=True)
class Box:
    """A rectangle to black out: 1-based page, pdfplumber coordinates (points), and its redaction."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float
    redaction: int
    rule: str


@dataclass(frozen=True)
class PageImage:
    """One rendered page: its size in points and its pixels (RGB, or grey when ``grey``), Flate-compressed."""

    width: float
    height: float
    pixels: tuple[int, int]
    data: bytes
    grey: bool = False


def render_pdf(document: Document, data: bytes, redactions: Sequence[Redaction],
               style: MarkerStyle) -> tuple[bytes, tuple[LogEntry, ...]]:
    boxes = plan_boxes(document, redactions)
    try:
        pages = list(_render_pages(data, boxes, style))
    except RenderError:
        raise
    except Exception as e:  # pdfium or pdfplumber failing on a page
        raise RenderError(f"the PDF cannot be re-rendered ({type(e).__name__})") from e
    return image_pdf(pages), tuple(_entry(b, redactions[b.redaction - 1], n) for n, b in _numbered(boxes))


# ----------------------------------------------------------------------------- boxes


def plan_boxes(document: Document, redactions: Sequence[Redaction]) -> list[Box]:
    """The boxes covering each redaction's characters, merged along each line."""
    boxes: list[Box] = []
    for number, r in enumerate(redactions, 1):
        chars = [b for b in document.char_boxes[r.start : r.end] if b is not None]
        boxes.extend(_line_boxes(chars, number, r.rule))
    return boxes


def _line_boxes(chars: Sequence[CharBox], number: int, rule: str) -> Iterator[Box]:
    current: Box | None = None
    for c in chars:
        if current is not None and _same_line(current, c):
            current = Box(c.page, min(current.x0, c.x0), min(current.top, c.top), max(current.x1, c.x1),
                          max(current.bottom, c.bottom), number, rule)
            continue
        if current is not None:
            yield current
        current = Box(c.page, c.x0, c.top, c.x1, c.bottom, number, rule)
    if current is not None:
        yield current


def _same_line(box: Box, c: CharBox) -> bool:
    if c.page != box.page:
        return False
    overlap = min(box.bottom, c.bottom) - max(box.top, c.top)
    return overlap > 0.5 * min(box.bottom - box.top, c.bottom - c.top)


def _numbered(boxes: Sequence[Box]) -> Iterator[tuple[int, Box]]:
    per_page: dict[int, int] = {}
    for b in boxes:
        per_page[b.page] = per_page.get(b.page, 0) + 1
        yield per_page[b.page], b


def _entry(b: Box, r: Redaction, n: int) -> LogEntry:
    coords = tuple((k, round(v, 1)) for k, v in (("x0", b.x0), ("top", b.top), ("x1", b.x1), ("bottom", b.bottom)))
    location = f"page {b.page} box {n} ({', '.join(str(v) for _, v in coords)} pt)"
    return LogEntry(b.redaction, location, r.label, r.rule, r.reason, (("page", b.page), ("box", n), *coords))


# ----------------------------------------------------------------------------- pages


def _render_pages(data: bytes, boxes: Sequence[Box], style: MarkerStyle) -> Iterator[PageImage]:
    try:
        source = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise RenderError(f"the PDF cannot be rendered ({type(e).__name__})") from e
    try:
        with pdfplumber.open(io.BytesIO(data)) as plumber:
            if len(plumber.pages) != len(source):
                raise RenderError("the PDF's pages do not match the scanned document")
            for number, (geometry, page) in enumerate(zip(plumber.pages, source, strict=True), 1):
                yield _render_page(page, geometry.cropbox, [b for b in boxes if b.page == number], style)
    finally:
        source.close()


def _render_page(page: pdfium.PdfPage, cropbox: tuple[float, float, float, float], boxes: Sequence[Box],
                 style: MarkerStyle) -> PageImage:
    image = page.render(scale=DPI / 72, draw_annots=False, may_draw_forms=False).to_pil().convert("RGB")
    scale = image.width / (cropbox[2] - cropbox[0])
    draw = ImageDraw.Draw(image)
    for b in boxes:
        rect = _device_rect(b, cropbox, scale, image.size)
        if rect is not None:
            draw.rectangle(rect, fill=(0, 0, 0))
            if style == "rule":
                _label(draw, rect, b.rule)
    width, height = page.get_size()
    grey = _is_grey(image)
    pixels = image.convert("L").tobytes() if grey else image.tobytes()
    return PageImage(width, height, image.size, zlib.compress(pixels, 6), grey)


def _is_grey(image: Image.Image) -> bool:
    """True when every pixel has R == G == B (most pages): stored as one grey channel, a third of the size."""
    red, green, blue = image.split()
    return ImageChops.difference(red, green).getbbox() is None and ImageChops.difference(green, blue).getbbox() is None


def _device_rect(b: Box, cropbox: tuple[float, float, float, float], scale: float,
                 size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    x0 = max(0, math.floor((b.x0 - PAD - cropbox[0]) * scale))
    y0 = max(0, math.floor((b.top - PAD - cropbox[1]) * scale))
    x1 = min(size[0] - 1, math.ceil((b.x1 + PAD - cropbox[0]) * scale))
    y1 = min(size[1] - 1, math.ceil((b.bottom + PAD - cropbox[1]) * scale))
    return (x0, y0, x1, y1) if x0 <= x1 and y0 <= y1 else None


def _label(draw: ImageDraw.ImageDraw, rect: tuple[int, int, int, int], rule: str) -> None:
    """Write the rule id in white inside the box when it fits."""
    height = rect[3] - rect[1]
    font = ImageFont.load_default(size=max(6, int(height * 0.7)))
    if draw.textlength(rule, font=font) + 4 <= rect[2] - rect[0]:
        draw.text((rect[0] + 2, rect[1] + height * 0.1), rule, fill=(255, 255, 255), font=font)


# ----------------------------------------------------------------------------- writing


def image_pdf(pages: Sequence[PageImage]) -> bytes:
    """A minimal PDF 1.4 of one full-page image per page; no Info, no XMP, nothing else."""
    bodies: dict[int, bytes] = {}
    kids: list[int] = []
    for i, page in enumerate(pages):
        page_id, content_id, image_id = 3 + 3 * i, 4 + 3 * i, 5 + 3 * i
        kids.append(page_id)
        space = b"/DeviceGray" if page.grey else b"/DeviceRGB"
        bodies[image_id] = _stream(
            b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
            b"/BitsPerComponent 8 /Filter /FlateDecode" % (*page.pixels, space), page.data)
        w, h = _num(page.width), _num(page.height)
        bodies[content_id] = _stream(b"", b"q %s 0 0 %s 0 0 cm /Im0 Do Q" % (w, h))
        bodies[page_id] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /XObject << /Im0 %d 0 R "
                           b">> >> /Contents %d 0 R >>" % (w, h, image_id, content_id))
    bodies[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    bodies[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    return _assemble(bodies)


def _assemble(bodies: dict[int, bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number in range(1, len(bodies) + 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, bodies[number])
    start = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, start)
    return bytes(out)


def _stream(entries: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)


def _num(value: float) -> bytes:
    return (b"%.3f" % value).rstrip(b"0").rstrip(b".")

