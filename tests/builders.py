"""Build test documents in code: .docx with python-docx + lxml, .pdf with fpdf2 (+ pypdf).

Every name, address and number here is fictional.
"""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import docx
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.parser import parse_xml
from fpdf import FPDF
from lxml import etree
from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NSMAP = {
    "w": W_NS,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "wps": "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "v": "urn:schemas-microsoft-com:vml",
}
_DECLS = " ".join(f'xmlns:{k}="{v}"' for k, v in NSMAP.items())

SECRET = "Zanele Okonkwo"  # appears in test documents; must never appear in an error message

DELETED = "14 Elm Street"
TEXTBOX = "Refuge: 1 Hidden Lane"
FIELD_CODE = "HYPERLINK mailto:secret@example.org"
MOVED_AWAY = "Moved away from 3 Ash Close"


# ----------------------------------------------------------------------------- small files


def png_bytes(size: tuple[int, int] = (40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def ole_bytes(*stream_names: str) -> bytes:
    """An OLE compound-file header followed by a fake directory naming ``stream_names``."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    entries = b"".join(n.encode("utf-16-le").ljust(128, b"\x00") for n in ("Root Entry", *stream_names))
    return header + entries + bytes(512)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# ----------------------------------------------------------------------------- docx


def _xml(fragment: str) -> etree._Element:
    """Parse a ``w:``-prefixed fragment (one element) with all the namespaces declared."""
    wrapped = parse_xml(f"<w:wrap {_DECLS}>{fragment}</w:wrap>".encode())
    return wrapped[0]


def _body_append(document: docx.document.Document, fragment: str) -> None:
    body = document.element.body
    body.insert(len(body) - 1, _xml(fragment))  # before the final w:sectPr


def _run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def _textbox_paragraph(text: str) -> str:
    """A paragraph holding a text box: a DrawingML shape, with its VML copy in mc:Fallback."""
    inner = f"<w:txbxContent><w:p>{_run(text)}</w:p></w:txbxContent>"
    choice = (
        '<mc:Choice Requires="wps"><w:drawing><wp:inline><a:graphic>'
        '<a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f"<wps:wsp><wps:txbx>{inner}</wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:inline>"
        "</w:drawing></mc:Choice>"
    )
    fallback = (
        f"<mc:Fallback><w:pict><v:shape><v:textbox>{inner}</v:textbox></v:shape></w:pict></mc:Fallback>"
    )
    box = f"<w:r><mc:AlternateContent>{choice}{fallback}</mc:AlternateContent></w:r>"
    return f"<w:p>{_run('Before the box ')}{box}</w:p>"


def _notes_part(document: docx.document.Document, kind: str, text: str) -> None:
    """Add word/footnotes.xml or word/endnotes.xml with one note, referenced from the body."""
    root, item = ("footnotes", "footnote") if kind == "footnote" else ("endnotes", "endnote")
    content_type = CT.WML_FOOTNOTES if kind == "footnote" else CT.WML_ENDNOTES
    reltype = RT.FOOTNOTES if kind == "footnote" else RT.ENDNOTES
    separator = f'<w:{item} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{item}>'
    note = f'<w:{item} w:id="1"><w:p>{_run(text)}</w:p></w:{item}>'
    blob = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} {_DECLS}>{separator}{note}</w:{root}>'
    part = Part(PackURI(f"/word/{root}.xml"), content_type, blob.encode(), document.part.package)
    document.part.relate_to(part, reltype)
    _body_append(document, f'<w:p>{_run("See note")}<w:r><w:{item}Reference w:id="1"/></w:r></w:p>')


def _hyperlink_paragraph(document: docx.document.Document) -> str:
    rid = document.part.relate_to("mailto:jane@example.org", RT.HYPERLINK, is_external=True)
    return f'<w:p>{_run("Email: ")}<w:hyperlink r:id="{rid}">{_run("jane")}{_run("@example.org")}</w:hyperlink></w:p>'


RICH_BODY_FRAGMENTS: tuple[str, ...] = (
    # split runs of one name, plus a run with a tab, a break and a no-break hyphen
    f"<w:p>{_run('Victim: Za')}{_run('nele Okon')}{_run('kwo')}</w:p>",
    (
        "<w:p><w:r><w:t>Name:</w:t><w:tab/><w:t>Amy</w:t><w:br/><w:t>Smith</w:t><w:noBreakHyphen/>"
        "<w:t>Jones</w:t></w:r></w:p>"
    ),
    # tracked insertion counts, tracked deletion does not
    (
        f'<w:p>{_run("Lives at ")}<w:ins w:id="1" w:author="Case Worker">{_run("12 Oak Road")}</w:ins>'
        f'<w:del w:id="2" w:author="Case Worker"><w:r><w:delText>{DELETED}</w:delText></w:r></w:del></w:p>'
    ),
    # a tracked move: moveFrom (written with w:t) is deleted text, moveTo counts; also w:t in w:del
    (
        f'<w:p><w:moveFrom w:id="3" w:author="Case Worker"><w:r><w:t>{MOVED_AWAY}</w:t></w:r></w:moveFrom>'
        f'<w:moveTo w:id="4" w:author="Case Worker">{_run("Moved here")}</w:moveTo>'
        f'<w:del w:id="5" w:author="Case Worker">{_run(DELETED)}</w:del></w:p>'
    ),
    # smart tag, run-level content control, field code (instrText is not text), empty run
    (
        f'<w:p><w:smartTag w:element="place">{_run("Leeds")}</w:smartTag>{_run(", DOB ")}'
        f"<w:sdt><w:sdtPr/><w:sdtContent>{_run('03/04/1991')}</w:sdtContent></w:sdt>"
        f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>{FIELD_CODE}</w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'{_run(" (link)")}<w:r><w:fldChar w:fldCharType="end"/></w:r><w:r/></w:p>'
    ),
    _textbox_paragraph(TEXTBOX),
)


def docx_bytes(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def rich_docx(path: Path, *, with_image: bool = True) -> Path:
    """A .docx exercising every text-bearing place: body runs, hyperlink, tracked changes, smart
    tag, content control, field, text box (with mc:Fallback copy), table, header, footer,
    footnote, endnote and comment. Also an image (which must not hold the document)."""
    document = docx.Document()
    document.add_paragraph("Marac minutes")
    for fragment in RICH_BODY_FRAGMENTS:
        _body_append(document, fragment)
    _body_append(document, _hyperlink_paragraph(document))
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {
        (0, 0): "Perpetrator",
        (0, 1): "Mark Boyd",
        (1, 0): "Phone",
        (1, 1): "07700 900123",
    }.items():
        table.cell(row, col).text = text
    if with_image:
        document.add_picture(io.BytesIO(png_bytes()))
    section = document.sections[0]
    section.header.paragraphs[0].text = "OFFICIAL-SENSITIVE Ref SAL/25/047"
    section.footer.paragraphs[0].text = "Prepared by Dana Reed"
    _notes_part(document, "footnote", "Footnote: seen by Dr Amir Khan")
    _notes_part(document, "endnote", "Endnote: GP Dr Lee")
    commented = document.add_paragraph("Comment anchor")
    document.add_comment(commented.runs, text="Check address with Zanele", author="Bob Worker", initials="BW")
    document.save(str(path))
    return path


def simple_docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    return docx_bytes(document)


def docx_with_related_part_bytes(reltype: str, partname: str) -> bytes:
    """A simple .docx whose document part relates to one extra part (an OLE object, altChunk...)."""
    document = docx.Document()
    document.add_paragraph(f"Notes on {SECRET}")
    part = Part(PackURI(partname), "application/octet-stream", b"\x00" * 64, document.part.package)
    document.part.relate_to(part, reltype)
    return docx_bytes(document)


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
)
_PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="word/document.xml"/></Relationships>'
)


def minimal_docx_bytes(
    text: str = f"Victim {SECRET}",
    *,
    extra: dict[str, bytes] | None = None,
    main_type: str = CT.WML_DOCUMENT_MAIN,
) -> bytes:
    """A hand-made, tiny .docx (three members plus ``extra``), for size and type tests."""
    document = f'<w:document xmlns:w="{W_NS}"><w:body><w:p>{_run(text)}</w:p></w:body></w:document>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("{main}", main_type))
        archive.writestr("_rels/.rels", _PACKAGE_RELS)
        archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def zip_bomb_docx_bytes(megabytes: int = 8) -> bytes:
    """A valid tiny .docx plus one member of zeros that compresses about 1000 times."""
    return minimal_docx_bytes(extra={"word/media/padding.bin": bytes(megabytes << 20)})


def corrupt_member_docx_bytes() -> bytes:
    """A .docx whose zip directory is sound but whose document.xml data is damaged."""
    data = bytearray(minimal_docx_bytes("x" * 2000 + SECRET))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 2, start + info.compress_size - 2):
        data[i] ^= 0x5A
    return bytes(data)


def xlsx_like_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


# ----------------------------------------------------------------------------- pdf


def _pdf() -> FPDF:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_font("helvetica", size=12)
    return pdf


def _text_page(pdf: FPDF, lines: list[str]) -> None:
    pdf.add_page()
    for line in lines:
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")


def _image_page(pdf: FPDF) -> None:
    pdf.add_page()
    pdf.image(Image.open(io.BytesIO(png_bytes((400, 500)))), x=40, y=40, w=500)


def pdf_bytes(pages: list[list[str] | None], *, metadata: bool = False) -> bytes:
    """One page per item: a list of text lines, or None for a page holding only an image."""
    pdf = _pdf()
    for lines in pages:
        if lines is None:
            _image_page(pdf)
        else:
            _text_page(pdf, lines)
    if metadata:
        pdf.set_title(f"Referral for {SECRET}")
        pdf.set_author("Dana Reed")
        pdf.set_subject("Marac")
    return bytes(pdf.output())


def blank_pdf_bytes() -> bytes:
    pdf = _pdf()
    pdf.add_page()
    return bytes(pdf.output())


def annotated_pdf_bytes() -> bytes:
    pdf = _pdf()
    _text_page(pdf, ["Minutes"])
    pdf.text_annotation(x=100, y=100, text=f"Sticky note about {SECRET}")
    return bytes(pdf.output())


def encrypted_pdf_bytes(user_password: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes([[f"Victim {SECRET}"]])))
    writer.encrypt(user_password=user_password, owner_password="owner-pass", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def form_pdf_bytes(value: str = SECRET) -> bytes:
    """A PDF with one filled-in text field (a widget annotation and an AcroForm)."""
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes([["Referral form", "Name of victim:"]])))
    field = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Widget"),
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("victim_name"),
            NameObject("/V"): TextStringObject(value),
            NameObject("/Rect"): ArrayObject(
                [FloatObject(150), FloatObject(700), FloatObject(400), FloatObject(720)]
            ),
            NameObject("/F"): NumberObject(4),
        }
    )
    ref = writer._add_object(field)  # pypdf has no public add for a bare object
    writer.pages[0][NameObject("/Annots")] = ArrayObject([ref])
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([ref])}
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def noisy_text(length: int, seed: int = 0) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice("abcdefghij ") for _ in range(length))
