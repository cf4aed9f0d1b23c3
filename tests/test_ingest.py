"""Tests for redactor.ingest: text, DOCX and PDF reading, the source maps, and every refusal."""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from collections.abc import Callable
from pathlib import Path

import builders as b
import pdfplumber
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from redactor.errors import (
    CorruptDocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    InputError,
    MissingFileError,
    TooLargeError,
    UnsupportedTypeError,
)
from redactor.ingest import from_bytes, from_text, load
from redactor.ingest.docx import check_zip_bomb
from redactor.ingest.pdf import PAGE_SEPARATOR
from redactor.model import Document

W = f"{{{b.W_NS}}}"
MC_FALLBACK = f"{{{b.NSMAP['mc']}}}Fallback"
_SKIP = {W + "p", W + "del", W + "moveFrom", MC_FALLBACK}
_CHILD_TEXT = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n", W + "noBreakHyphen": "-"}


# ----------------------------------------------------------------------------- helpers


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    return b.write(tmp_path / name, data)


def _page_of(text: str, index: int) -> int:
    return text.count("\f", 0, index) + 1


def _raw_run_text(run: etree._Element) -> str:
    """Independent re-reading of a run's text straight from the XML (see ingest.docx docs)."""
    return "".join((c.text or "") if c.tag == W + "t" else _CHILD_TEXT.get(c.tag, "") for c in run)


def _raw_text_runs(paragraph: etree._Element) -> list[str]:
    texts: list[str] = []
    for run in paragraph.iter(W + "r"):
        ancestor = run.getparent()
        while ancestor is not None and ancestor is not paragraph and ancestor.tag not in _SKIP:
            ancestor = ancestor.getparent()
        text = _raw_run_text(run)
        if ancestor is paragraph and text:
            texts.append(text)
    return texts


def _raw_parts(path: Path) -> dict[str, etree._Element]:
    with zipfile.ZipFile(path) as archive:
        return {
            n: etree.fromstring(archive.read(n))
            for n in archive.namelist()
            if n.startswith("word/") and n.endswith(".xml") and "/_rels/" not in n
        }


def _extracted_paragraph_count(roots: dict[str, etree._Element], parts: set[str]) -> int:
    return sum(
        1
        for name in parts
        for p in roots[name].iter(W + "p")
        if not any(a.tag == MC_FALLBACK for a in p.iterancestors())
    )


@pytest.fixture(scope="module")
def rich(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Document]:
    path = b.rich_docx(tmp_path_factory.mktemp("docx") / "rich.docx")
    return path, load(path)


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Document]:
    pages: list[list[str] | None] = [
        ["Marac minutes 12 March", "Victim: Zanele Okonkwo, 12 Oak Road"],
        None,
        ["Perpetrator: Mark Boyd", "Phone 07700 900123", "Action: IDVA to call"],
    ]
    path = b.write(tmp_path_factory.mktemp("pdf") / "mixed.pdf", b.pdf_bytes(pages, metadata=True))
    return path, load(path)


# ----------------------------------------------------------------------------- plain text


@pytest.mark.parametrize(
    ("name", "raw", "text", "blocks"),
    [
        ("bom.txt", b"\xef\xbb\xbfHello\r\nWorld\n", "Hello\r\nWorld\n", ["Hello", "World"]),
        ("gaps.md", b"A line\n\n   \n\tB line\n", "A line\n\n   \n\tB line\n", ["A line", "\tB line"]),
        ("accents.text", "Zoë Müller – café".encode(), "Zoë Müller – café", ["Zoë Müller – café"]),
        (
            "note.eml",
            b"Subject: Case 3\n\nHi,\nsee Jo\n",
            "Subject: Case 3\n\nHi,\nsee Jo\n",
            ["Subject: Case 3", "Hi,", "see Jo"],
        ),
        ("cr.txt", b"one\rtwo", "one\rtwo", ["one", "two"]),
    ],
)
def test_text_is_exact_with_one_segment_and_line_blocks(
    tmp_path: Path, name: str, raw: bytes, text: str, blocks: list[str]
) -> None:
    doc = load(_write(tmp_path, name, raw))
    assert (doc.text, doc.kind, doc.name) == (text, "text", name)
    assert [(s.start, s.end, s.part) for s in doc.segments] == [(0, len(text), "text")]
    assert [doc.text[k.start : k.end] for k in doc.blocks] == blocks
    assert {k.kind for k in doc.blocks} == {"paragraph"}
    assert doc.sha256 == hashlib.sha256(raw).hexdigest()
    assert doc.char_boxes == ()


@pytest.mark.parametrize(
    ("body", "codes", "held"),
    [
        ("Subject: hi\n\nplain body\n", set(), False),
        ("Content-Type: text/plain\nContent-Transfer-Encoding: base64\n\nSGVsbG8=\n", {"eml-base64"}, True),
        ("Content-Transfer-Encoding: quoted-printable\n\nZan=\nele\n", {"eml-quoted-printable"}, False),
    ],
)
def test_eml_notices(body: str, codes: set[str], held: bool) -> None:
    doc = from_bytes(body.encode(), "message.eml")
    assert {n.code for n in doc.notices} == codes
    assert doc.held is held


@pytest.mark.parametrize(
    ("text", "name", "blocks", "codes"),
    [
        ("Victim: Jo\r\n\nDOB 01/02/1990", "doc-0", ["Victim: Jo", "DOB 01/02/1990"], set()),
        ("\ufeffkept BOM", "text", ["\ufeffkept BOM"], set()),
        ("Content-Transfer-Encoding: base64\n\nSGk=", "mail.eml", None, {"eml-base64"}),
    ],
)
def test_from_text_keeps_the_string(text: str, name: str, blocks: list[str] | None, codes: set[str]) -> None:
    doc = from_text(text, name)
    assert (doc.text, doc.name, doc.kind) == (text, name, "text")
    assert doc.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert [(s.start, s.end) for s in doc.segments] == [(0, len(text))]
    assert blocks is None or [text[k.start : k.end] for k in doc.blocks] == blocks
    assert {n.code for n in doc.notices} == codes


@pytest.mark.parametrize("text", ["", " ", "\n\t\r\n"])
def test_from_text_refuses_blank_text(text: str) -> None:
    with pytest.raises(EmptyDocumentError):
        from_text(text, "blank")


# ----------------------------------------------------------------------------- docx


def test_docx_every_character_maps_back_to_its_run(rich: tuple[Path, Document]) -> None:
    path, doc = rich
    roots = _raw_parts(path)
    for seg in doc.segments:
        runs = _raw_text_runs(list(roots[seg.part].iter(W + "p"))[seg.paragraph])
        assert seg.offset == 0
        assert runs[seg.run] == doc.text[seg.start : seg.end], seg
    for i, char in enumerate(doc.text):
        seg = doc.segment_at(i)
        if seg is None:
            assert char == "\n", i
        else:
            run = _raw_text_runs(list(roots[seg.part].iter(W + "p"))[seg.paragraph])[seg.run]
            assert run[seg.offset + i - seg.start] == char


def test_docx_every_paragraph_of_every_part_is_extracted_once(rich: tuple[Path, Document]) -> None:
    path, doc = rich
    roots = _raw_parts(path)
    parts = {s.part for s in doc.segments}
    separators = doc.text.count("\n") - sum(doc.text[s.start : s.end].count("\n") for s in doc.segments)
    assert separators == _extracted_paragraph_count(roots, parts) - 1
    for seg in doc.segments:  # runs of each paragraph are numbered 0..n-1 with none missing
        paragraph = list(roots[seg.part].iter(W + "p"))[seg.paragraph]
        assert 0 <= seg.run < len(_raw_text_runs(paragraph))


def test_docx_parts_come_in_order(rich: tuple[Path, Document]) -> None:
    _, doc = rich
    order = [s.part for s in doc.segments]
    firsts = sorted(set(order), key=order.index)
    assert firsts == [
        "word/document.xml",
        "word/header1.xml",
        "word/footer1.xml",
        "word/footnotes.xml",
        "word/endnotes.xml",
        "word/comments.xml",
    ]


@pytest.mark.parametrize(
    ("snippet", "part", "kind", "runs"),
    [
        ("Victim: Zanele Okonkwo", "word/document.xml", "paragraph", 3),
        ("Name:\tAmy\nSmith-Jones", "word/document.xml", "paragraph", 1),
        ("Lives at 12 Oak Road", "word/document.xml", "paragraph", 2),
        ("Moved here", "word/document.xml", "paragraph", 1),
        ("Leeds, DOB 03/04/1991 (link)", "word/document.xml", "paragraph", 4),
        ("Email: jane@example.org", "word/document.xml", "paragraph", 3),
        (b.TEXTBOX, "word/document.xml", "textbox", 1),
        ("Mark Boyd", "word/document.xml", "cell", 1),
        ("07700 900123", "word/document.xml", "cell", 1),
        ("OFFICIAL-SENSITIVE Ref SAL/25/047", "word/header1.xml", "header", 1),
        ("Prepared by Dana Reed", "word/footer1.xml", "footer", 1),
        ("Footnote: seen by Dr Amir Khan", "word/footnotes.xml", "footnote", 1),
        ("Endnote: GP Dr Lee", "word/endnotes.xml", "endnote", 1),
        ("Check address with Zanele", "word/comments.xml", "comment", 1),
    ],
)
def test_docx_paragraph_text_part_kind_and_runs(
    rich: tuple[Path, Document], snippet: str, part: str, kind: str, runs: int
) -> None:
    _, doc = rich
    assert doc.text.count(snippet) == 1
    start = doc.text.index(snippet)
    end = start + len(snippet)
    assert [(k.start, k.end, k.kind) for k in doc.blocks if k.start == start] == [(start, end, kind)]
    segs = [s for s in doc.segments if start <= s.start < end]
    assert len(segs) == runs
    assert {s.part for s in segs} == {part}
    assert len({s.paragraph for s in segs}) == 1


@pytest.mark.parametrize(
    "absent", [b.DELETED, b.MOVED_AWAY, b.FIELD_CODE, "mailto", "Bob Worker", "python-docx"]
)
def test_docx_text_leaves_out_deletions_field_codes_and_attributes(
    rich: tuple[Path, Document], absent: str
) -> None:
    assert absent not in rich[1].text


def test_docx_notices(rich: tuple[Path, Document]) -> None:
    _, doc = rich
    notices = {n.code: n for n in doc.notices}
    assert set(notices) == {"docx-parts", "docx-deleted-text", "docx-authors", "metadata"}
    for part in ("header1", "footer1", "footnotes", "endnotes", "comments"):
        assert f"word/{part}.xml" in notices["docx-parts"].message
    assert not doc.held  # the picture does not hold the document
    assert all(b.SECRET not in n.message and "\n" not in n.message for n in doc.notices)


@pytest.mark.parametrize(
    ("reltype", "partname", "what"),
    [
        (RT.OLE_OBJECT, "/word/embeddings/oleObject1.bin", "embedded object"),
        (RT.PACKAGE, "/word/embeddings/Sheet1.xlsx", "embedded object"),
        (RT.A_F_CHUNK, "/word/afchunk.mht", "altChunk"),
        (RT.CHART, "/word/charts/chart1.xml", "chart"),
    ],
)
def test_docx_unreadable_embedded_content_holds(reltype: str, partname: str, what: str) -> None:
    doc = from_bytes(b.docx_with_related_part_bytes(reltype, partname), "embedded.docx")
    held = [n for n in doc.notices if n.hold]
    assert [n.code for n in held] == ["docx-embedded"]
    assert what in held[0].message


def test_docx_without_extras_has_no_notices() -> None:
    doc = from_bytes(b.minimal_docx_bytes("Hello Jo"), "plain.docx")
    assert (doc.text, doc.notices) == ("Hello Jo", ())
    assert doc.segments[0].part == "word/document.xml"


# ----------------------------------------------------------------------------- pdf


def test_pdf_char_boxes_cover_every_character(mixed_pdf: tuple[Path, Document]) -> None:
    path, doc = mixed_pdf
    assert len(doc.char_boxes) == len(doc.text)
    with pdfplumber.open(path) as pdf:
        sizes = [(float(p.width), float(p.height)) for p in pdf.pages]
        glyphs = {
            (n, round(float(c["x0"]), 3), round(float(c["top"]), 3), c["text"])
            for n, p in enumerate(pdf.pages, 1)
            for c in p.chars
        }
    for i, (char, box) in enumerate(zip(doc.text, doc.char_boxes, strict=True)):
        if char.isspace():
            assert box is None, i
            continue
        assert box is not None, i
        page = _page_of(doc.text, i)
        width, height = sizes[page - 1]
        assert box.page == page
        assert 0 <= box.x0 < box.x1 <= width and 0 <= box.top < box.bottom <= height
        assert (page, round(box.x0, 3), round(box.top, 3), char) in glyphs


def test_pdf_pages_lines_and_segments(mixed_pdf: tuple[Path, Document]) -> None:
    _, doc = mixed_pdf
    pages = doc.text.split(PAGE_SEPARATOR)
    assert pages == [
        "Marac minutes 12 March\nVictim: Zanele Okonkwo, 12 Oak Road",
        "",
        "Perpetrator: Mark Boyd\nPhone 07700 900123\nAction: IDVA to call",
    ]
    lines = [(s.part, s.paragraph, s.run, doc.text[s.start : s.end]) for s in doc.segments]
    assert lines == [
        ("page-1", 0, 0, "Marac minutes 12 March"),
        ("page-1", 1, 0, "Victim: Zanele Okonkwo, 12 Oak Road"),
        ("page-3", 0, 0, "Perpetrator: Mark Boyd"),
        ("page-3", 1, 0, "Phone 07700 900123"),
        ("page-3", 2, 0, "Action: IDVA to call"),
    ]
    assert [(k.start, k.end) for k in doc.blocks] == [(s.start, s.end) for s in doc.segments]
    assert {k.kind for k in doc.blocks} == {"line"}


def test_pdf_scanned_page_and_metadata_notices(mixed_pdf: tuple[Path, Document]) -> None:
    _, doc = mixed_pdf
    held = [n for n in doc.notices if n.hold]
    assert [n.message for n in held] == ["page 2 has no text layer: scanned pages are not analysed"]
    assert doc.held
    metadata = [n for n in doc.notices if n.code == "metadata"]
    assert len(metadata) == 1 and "Author" in metadata[0].message and "Title" in metadata[0].message
    assert all(b.SECRET not in n.message and "Dana" not in n.message for n in doc.notices)


@pytest.mark.parametrize(
    ("data", "code", "hold"),
    [
        (b.annotated_pdf_bytes(), "pdf-annotations", True),
        (b.form_pdf_bytes(), "pdf-form", True),
        (b.encrypted_pdf_bytes(user_password=""), "pdf-encrypted", False),
        (b.pdf_bytes([["Plain page"]]), None, False),
    ],
)
def test_pdf_document_notices(data: bytes, code: str | None, hold: bool) -> None:
    doc = from_bytes(data, "case.pdf")
    assert [n.code for n in doc.notices if n.code != "metadata"] == ([code] if code else [])
    assert doc.held is hold
    assert all(b.SECRET not in n.message for n in doc.notices)


# ----------------------------------------------------------------------------- shared behaviour


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("notes.txt", lambda: f"Victim {b.SECRET}\n".encode()),
        ("minutes.docx", lambda: b.minimal_docx_bytes()),
        ("referral.pdf", lambda: b.pdf_bytes([[f"Victim {b.SECRET}"]])),
    ],
)
def test_from_bytes_matches_load_and_keeps_the_base_name(
    tmp_path: Path, name: str, make: Callable[[], bytes]
) -> None:
    data = make()
    loaded = load(_write(tmp_path, name, data))
    uploaded = from_bytes(data, f"C:\\Users\\worker\\Desktop\\{name}")
    assert uploaded == loaded
    assert uploaded.name == name
    assert uploaded.sha256 == hashlib.sha256(data).hexdigest()
    assert b.SECRET in uploaded.text


# ----------------------------------------------------------------------------- refusals

PDF = b.pdf_bytes([[f"Victim {b.SECRET}", "Second line"]])
DOCM = "application/vnd.ms-word.document.macroEnabled.main+xml"

BAD_INPUTS: list[tuple[str, Callable[[], bytes], int, type[InputError]]] = [
    ("empty.txt", lambda: b"", 10**6, EmptyDocumentError),
    ("empty.docx", lambda: b"", 10**6, EmptyDocumentError),
    ("empty.pdf", lambda: b"", 10**6, EmptyDocumentError),
    ("blank.txt", lambda: b" \n\t\r\n \n", 10**6, EmptyDocumentError),
    ("bom-only.txt", lambda: b"\xef\xbb\xbf", 10**6, EmptyDocumentError),
    ("blank.docx", lambda: b.simple_docx_bytes("   ", "", "\t"), 10**6, EmptyDocumentError),
    ("blank.pdf", b.blank_pdf_bytes, 10**6, EmptyDocumentError),
    ("scanned.pdf", lambda: b.pdf_bytes([None, None]), 10**6, EmptyDocumentError),
    ("truncated.docx", lambda: b.minimal_docx_bytes()[:-60], 10**6, CorruptDocumentError),
    ("half.docx", lambda: b.simple_docx_bytes(b.SECRET)[:20000], 10**6, CorruptDocumentError),
    ("damaged.docx", b.corrupt_member_docx_bytes, 10**6, CorruptDocumentError),
    ("truncated.pdf", lambda: PDF[: len(PDF) // 2], 10**6, CorruptDocumentError),
    ("no-eof.pdf", lambda: PDF[:-8], 10**6, CorruptDocumentError),
    (
        "garbage.pdf",
        lambda: b"%PDF-1.7\n" + b.noisy_text(3000).encode() + b"\n%%EOF\n",
        10**6,
        CorruptDocumentError,
    ),
    ("locked.pdf", b.encrypted_pdf_bytes, 10**6, EncryptedDocumentError),
    ("locked.docx", lambda: b.ole_bytes("EncryptionInfo", "EncryptedPackage"), 10**6, EncryptedDocumentError),
    ("ole-header.docx", lambda: b.ole_bytes(), 10**6, EncryptedDocumentError),
    ("legacy-word.docx", lambda: b.ole_bytes("WordDocument", "1Table"), 10**6, UnsupportedTypeError),
    ("pdf-inside.docx", lambda: PDF, 10**6, UnsupportedTypeError),
    ("picture.pdf", b.png_bytes, 10**6, UnsupportedTypeError),
    ("word-inside.pdf", lambda: b.minimal_docx_bytes(), 10**6, UnsupportedTypeError),
    ("sheet.docx", b.xlsx_like_bytes, 10**6, UnsupportedTypeError),
    ("macro.docx", lambda: b.minimal_docx_bytes(main_type=DOCM), 10**6, UnsupportedTypeError),
    ("text.docx", lambda: f"Victim {b.SECRET}".encode(), 10**6, UnsupportedTypeError),
    ("pdf-inside.txt", lambda: PDF, 10**6, UnsupportedTypeError),
    ("latin1.txt", lambda: f"Café {b.SECRET}".encode("latin-1"), 10**6, UnsupportedTypeError),
    ("nul.txt", lambda: b"abc\x00def", 10**6, UnsupportedTypeError),
    ("utf16.txt", lambda: b.SECRET.encode("utf-16"), 10**6, UnsupportedTypeError),
    ("minutes.doc", lambda: b.ole_bytes("WordDocument"), 10**6, UnsupportedTypeError),
    ("photo.png", b.png_bytes, 10**6, UnsupportedTypeError),
    ("notes", lambda: b.SECRET.encode(), 10**6, UnsupportedTypeError),
    ("empty.rtf", lambda: b"", 10**6, UnsupportedTypeError),
    ("big.txt", lambda: b"x" * 101, 100, TooLargeError),
    ("big.pdf", lambda: PDF, 100, TooLargeError),
    ("big.docx", lambda: b.minimal_docx_bytes(), 100, TooLargeError),
    ("bomb.docx", b.zip_bomb_docx_bytes, 10**6, TooLargeError),
    ("bomb-default-limit.docx", b.zip_bomb_docx_bytes, 50_000_000, TooLargeError),
]


@pytest.mark.parametrize(("name", "make", "max_bytes", "error"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
def test_bad_input_raises_named_error(
    tmp_path: Path, name: str, make: Callable[[], bytes], max_bytes: int, error: type[InputError]
) -> None:
    data = make()
    path = _write(tmp_path, name, data)
    for read in (
        lambda: load(path, max_bytes=max_bytes),
        lambda: from_bytes(data, name, max_bytes=max_bytes),
    ):
        with pytest.raises(error) as caught:
            read()
        assert type(caught.value) is error
        message = str(caught.value)
        assert message.startswith(f"{name}: ")
        assert "\n" not in message and b.SECRET not in message and "Okonkwo" not in message


@pytest.mark.parametrize(
    ("name", "looks_like"), [("pdf-inside.docx", "a PDF file"), ("picture.pdf", "a PNG image")]
)
def test_mismatch_message_says_what_the_file_looks_like(name: str, looks_like: str) -> None:
    data = PDF if name.endswith(".docx") else b.png_bytes()
    with pytest.raises(UnsupportedTypeError, match=looks_like):
        from_bytes(data, name)


@pytest.mark.parametrize(
    "make", [lambda p: p / "absent.txt", lambda p: p / "absent.pdf", lambda p: p / "folder.docx"]
)
def test_missing_or_not_a_file(tmp_path: Path, make: Callable[[Path], Path]) -> None:
    (tmp_path / "folder.docx").mkdir()
    with pytest.raises(MissingFileError, match=r"^(absent\.(txt|pdf)|folder\.docx): "):
        load(make(tmp_path))


@pytest.mark.parametrize(
    ("sizes", "count", "max_bytes", "refused"),
    [
        ([(600, 300)], 1, 50, True),  # declared total over 10 x max_bytes
        ([(400, 300)], 1, 50, False),
        ([(2 << 20, 1 << 10)], 1, 50_000_000, True),  # member expands 2048 times
        ([(10 << 20, 100 << 10)], 1, 50_000_000, False),  # 100 times: a normal ratio
        ([(500_000, 1_000)], 1, 50_000_000, False),  # high ratio but small: not a bomb
        ([(10, 10)], 10_001, 50_000_000, True),  # too many members
    ],
)
def test_zip_bomb_limits(sizes: list[tuple[int, int]], count: int, max_bytes: int, refused: bool) -> None:
    infos = []
    for i in range(count):
        for size, compressed in sizes:
            info = zipfile.ZipInfo(f"m{i}-{size}")
            info.file_size, info.compress_size = size, compressed
            infos.append(info)
    if refused:
        with pytest.raises(TooLargeError):
            check_zip_bomb(infos, "x.docx", max_bytes)
    else:
        check_zip_bomb(infos, "x.docx", max_bytes)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_damaged_files_only_raise_input_errors(tmp_path: Path, kind: str, seed: int) -> None:
    """Random damage must give a Document or a named InputError, never another exception."""
    rng = random.Random(seed)
    data = bytearray(b.minimal_docx_bytes("x" * 500) if kind == "docx" else PDF)
    for _ in range(rng.randint(1, 40)):
        data[rng.randrange(8, len(data) - 8)] = rng.randrange(256)
    try:
        doc = from_bytes(bytes(data), f"damaged.{kind}")
    except InputError as e:
        assert "\n" not in str(e)
    else:
        assert len(doc.text) > 0


def test_from_bytes_accepts_bytes_from_an_upload() -> None:
    data = io.BytesIO(b.minimal_docx_bytes("Upload")).getvalue()
    assert from_bytes(data, "upload.DOCX").text == "Upload"
