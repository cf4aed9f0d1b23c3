"""PDF rendering: pages become images with boxes burnt in, and nothing else of the source survives
(text layer, Info, XMP, annotations, links, attachments, form fields). Checked by re-reading the
output with pypdf and pdfplumber and by rendering it with pdfium, whose own character boxes tell
where the redacted words were. Verification must catch a renderer that leaks."""

from __future__ import annotations

import ctypes
import io
import re
import zlib

import builders as b
import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from fpdf import FPDF
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, RectangleObject, TextStringObject

import redactor.render.pdf as pdf_render
from redactor.errors import VerificationError
from redactor.ingest import from_bytes
from redactor.model import Document
from redactor.render import Redaction, Rendered, render
from redactor.render.plan import merge
from redactor.render.verify import Needles, check

SECRET = "Zanele Okonkwo"
REDACT = (SECRET, "QQ 12 34 56 C", "12 Oak Road", "Dana Reed")
SCALE = pdf_render.DPI / 72
XMP = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{SECRET}</dc:creator>'
       "</rdf:Description></rdf:RDF></x:xmpmeta>")


def adversarial_pdf() -> bytes:
    """Text on two pages, Info and XMP metadata, a sticky note, a free-text note, a link and an
    attachment, each naming her."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    for line in ["Marac referral", f"Victim: {SECRET}", "NI number QQ 12 34 56 C", "Lives at 12 Oak Road, Eastbrook"]:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.text_annotation(x=300, y=100, text=f"Sticky note about {SECRET}")
    pdf.free_text_annotation(f"Free text naming {SECRET}", x=300, y=300, w=150, h=30)
    pdf.link(x=56, y=60, w=100, h=14, link="mailto:zanele.ok@example.org")
    pdf.add_page()
    pdf.cell(text="Prepared by Dana Reed", new_x="LMARGIN", new_y="NEXT")
    pdf.embed_file(bytes=f"attached notes on {SECRET}".encode(), basename="notes.txt")
    pdf.set_title(f"Referral for {SECRET}")
    pdf.set_author("Dana Reed")
    pdf.set_subject(SECRET)
    pdf.set_keywords(SECRET)
    pdf.set_xmp_metadata(XMP)
    return bytes(pdf.output())


def redactions_for(document: Document, strings: tuple[str, ...] = REDACT) -> tuple[Redaction, ...]:
    return merge(Redaction(m.start(), m.end(), "PERSON", "T1", "test rule")
                 for s in strings for m in re.finditer(re.escape(s), document.text))


@pytest.fixture(scope="module")
def source() -> tuple[bytes, Document]:
    data = adversarial_pdf()
    return data, from_bytes(data, "referral.pdf")


@pytest.fixture(scope="module")
def output(source: tuple[bytes, Document]) -> Rendered:
    data, document = source
    return render(document, data, redactions_for(document))


# ----------------------------------------------------------------------------- independent re-reading


def norm(text: str) -> str:
    return "".join(text.casefold().split())


def all_stream_bytes(data: bytes) -> list[bytes]:
    """Every object's decoded stream data (images included) and the raw file, via pypdf."""
    reader = PdfReader(io.BytesIO(data))
    found = [data]
    for number in range(1, len(reader.xref_objStm) + sum(len(v) for v in reader.xref.values()) + 1):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: BLE001 - a free object number
            continue
        if hasattr(obj, "get_data"):
            found.append(obj.get_data())
    return found


def device_centres(data: bytes, page_index: int, word: str) -> list[tuple[int, int]]:
    """Where pdfium itself draws each letter of ``word`` (pixel centres at the renderer's scale)."""
    document = pdfium.PdfDocument(data)
    page = document[page_index]
    text = page.get_textpage()
    start = text.get_text_range().index(word)
    width, height = (round(v * SCALE) for v in page.get_size())
    centres = []
    for k in range(start, start + len(word)):
        left, bottom, right, top = text.get_charbox(k)
        x, y = ctypes.c_int(), ctypes.c_int()
        pdfium_raw.FPDF_PageToDevice(page, 0, 0, width, height, 0, (left + right) / 2, (bottom + top) / 2, x, y)
        if not word[k - start].isspace():
            centres.append((x.value, y.value))
    return centres


def page_image(data: bytes, page_index: int) -> object:
    return pdfium.PdfDocument(data)[page_index].render(scale=SCALE).to_pil().convert("RGB")


# ----------------------------------------------------------------------------- hidden places


def test_the_source_really_hides_things(source: tuple[bytes, Document]) -> None:
    reader = PdfReader(io.BytesIO(source[0]))
    assert SECRET in reader.metadata.title and reader.metadata.author == "Dana Reed"
    assert "/Metadata" in reader.trailer["/Root"] and "/Names" in reader.trailer["/Root"]
    assert len(reader.pages[0]["/Annots"]) >= 3
    assert SECRET in (reader.pages[0].extract_text() or "")


def test_no_text_layer(output: Rendered) -> None:
    with pdfplumber.open(io.BytesIO(output.data)) as pdf:
        assert [p.extract_text() for p in pdf.pages] == ["", ""]
        assert [p.chars for p in pdf.pages] == [[], []]
    assert all(not (p.extract_text() or "").strip() for p in PdfReader(io.BytesIO(output.data)).pages)


def test_no_metadata_annotations_links_attachments_or_forms(output: Rendered) -> None:
    reader = PdfReader(io.BytesIO(output.data))
    assert "/Info" not in reader.trailer and not reader.metadata
    assert set(reader.trailer["/Root"].keys()) == {"/Type", "/Pages"}
    for page in reader.pages:
        assert "/Annots" not in page
        xobjects = page["/Resources"]["/XObject"]
        assert [xobjects[k]["/Subtype"] for k in xobjects] == ["/Image"]
        assert set(page["/Resources"].keys()) == {"/XObject"}


@pytest.mark.parametrize("needle", [*REDACT, "Sticky note", "Free text naming", "zanele.ok", "attached notes",
                                    "Referral for"])
def test_no_secret_in_any_byte_or_decoded_stream(output: Rendered, needle: str) -> None:
    for blob in all_stream_bytes(output.data):
        for view in (blob.decode("latin-1"), blob.decode("utf-16-be", "ignore"), blob.decode("utf-16-le", "ignore")):
            assert norm(needle) not in norm(view)


def test_boxes_cover_the_redacted_words_and_nothing_else(source: tuple[bytes, Document], output: Rendered) -> None:
    first, second = page_image(output.data, 0), page_image(output.data, 1)
    for word in ["Zanele", "Okonkwo", "QQ 12 34 56 C", "12 Oak Road"]:
        assert {first.getpixel(c) for c in device_centres(source[0], 0, word)} == {(0, 0, 0)}, word
    assert {second.getpixel(c) for c in device_centres(source[0], 1, "Dana Reed")} == {(0, 0, 0)}
    for word in ["Marac referral", "Victim:", "Eastbrook", "Prepared by"]:
        page = second if word == "Prepared by" else first
        assert (0, 0, 0) not in {page.getpixel(c) for c in device_centres(source[0], 1 if page is second else 0, word)}


def test_pages_keep_their_size_and_the_output_says_it_is_images(source: tuple[bytes, Document],
                                                                 output: Rendered) -> None:
    before, after = PdfReader(io.BytesIO(source[0])), PdfReader(io.BytesIO(output.data))
    assert [tuple(map(float, p.mediabox)) for p in after.pages] == [
        (0.0, 0.0, round(float(p.mediabox.width), 3), round(float(p.mediabox.height), 3)) for p in before.pages]
    assert any("re-rendered as images" in n and "no text layer" in n for n in output.notes)


def test_the_log_gives_page_and_box(output: Rendered) -> None:
    assert [e.location.split(" (")[0] for e in output.log] == [
        "page 1 box 1", "page 1 box 2", "page 1 box 3", "page 2 box 1"]
    assert dict(output.log[0].where)["page"] == 1
    assert all(norm(s) not in norm(repr(output.log)) for s in REDACT)


# ----------------------------------------------------------------------------- page geometry


def _variant(data: bytes, change: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    page = writer.pages[0]
    if change == "offset mediabox":
        page.mediabox = RectangleObject([30, 100, 625.28, 941.89])
    elif change == "cropbox":
        page.cropbox = RectangleObject([40, 500, 400, 830])
    elif change.startswith("rotated"):
        page.rotation = int(change.split()[1])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("change", ["plain", "offset mediabox", "cropbox", "rotated 90", "rotated 180",
                                    "rotated 270"])
def test_boxes_land_on_the_words_whatever_the_page_geometry(change: str) -> None:
    data = _variant(b.pdf_bytes([["Hello Zanele Okonkwo here", "second line"]]), change)
    document = from_bytes(data, "x.pdf")
    spans = [Redaction(m.start(), m.end(), "PERSON", "T1", "t") for m in re.finditer(r"Zanele|elenaZ", document.text)]
    assert spans
    out = render(document, data, spans)
    image = page_image(out.data, 0)
    assert {image.getpixel(c) for c in device_centres(data, 0, "Zanele")} == {(0, 0, 0)}
    assert (0, 0, 0) not in {image.getpixel(c) for c in device_centres(data, 0, "Hello")}


def test_rule_marker_writes_the_rule_in_the_box() -> None:
    data = b.pdf_bytes([["Victim: Zanele Okonkwo lives here"]])
    document = from_bytes(data, "x.pdf")
    out = render(document, data, redactions_for(document, (SECRET,)), marker="rule")
    image = page_image(out.data, 0)
    colours = {image.getpixel(c) for c in device_centres(data, 0, "Okonkwo")}
    assert (0, 0, 0) in colours  # black box (with the rule id in white somewhere inside)


# ----------------------------------------------------------------------------- verification


def test_verification_catches_a_renderer_that_returns_the_source(monkeypatch: pytest.MonkeyPatch,
                                                                 source: tuple[bytes, Document]) -> None:
    monkeypatch.setattr(pdf_render, "render_pdf", lambda document, data, spans, style: (data, ()))
    data, document = source
    with pytest.raises(VerificationError) as caught:
        render(document, data, redactions_for(document))
    message = str(caught.value)
    assert "page 1 text (pdfplumber)" in message and "metadata" in message
    assert "Zanele" not in message and "Dana" not in message


def _image_pdf_with(change: str) -> bytes:
    """A one-pixel image-only PDF from the renderer's writer, then changed with pypdf."""
    pixel = pdf_render.PageImage(10, 10, (1, 1), zlib.compress(b"\xff\xff\xff"))
    writer = PdfWriter(clone_from=io.BytesIO(pdf_render.image_pdf([pixel])))
    if change == "info":
        writer.add_metadata({"/Title": f"Referral for {SECRET}"})
    elif change == "xmp":
        writer.xmp_metadata = XMP.encode()  # type: ignore[assignment]
    elif change == "annotation":
        from pypdf.annotations import Text

        writer.add_annotation(0, Text(rect=(1, 1, 5, 5), text=f"Note on {SECRET}"))
    elif change == "utf16 string":
        writer.root_object[NameObject("/Lang")] = TextStringObject(f"\u2013 {SECRET}")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(("change", "where"), [
    ("info", "metadata"),
    ("xmp", "object"),
    ("annotation", "page 1 annotations"),
    ("utf16 string", "object"),
])
def test_verification_finds_text_hidden_anywhere_in_a_pdf(change: str, where: str) -> None:
    needles = Needles(("zaneleokonkwo",))
    check("pdf", _image_pdf_with("none"), needles)  # a clean image-only PDF passes
    with pytest.raises(VerificationError, match=where):
        check("pdf", _image_pdf_with(change), needles)


def test_an_unreadable_candidate_fails_closed() -> None:
    with pytest.raises(VerificationError, match="cannot be re-read"):
        check("pdf", b"%PDF-1.4 garbage", Needles(("zaneleokonkwo",)))


def test_grey_pages_are_stored_grey_and_colour_pages_keep_their_colour() -> None:
    data = b.pdf_bytes([[f"Victim: {SECRET}"], None])
    document = from_bytes(data, "x.pdf")
    out = render(document, data, redactions_for(document, (SECRET,)))
    reader = PdfReader(io.BytesIO(out.data))
    spaces = [p["/Resources"]["/XObject"]["/Im0"]["/ColorSpace"] for p in reader.pages]
    assert spaces == ["/DeviceGray", "/DeviceRGB"]
    image = page_image(out.data, 1)
    assert image.getpixel((image.width // 2, image.height // 3)) == (200, 30, 30)
