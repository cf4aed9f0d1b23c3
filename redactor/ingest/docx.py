"""Word .docx: text of every paragraph of every text-bearing part, mapped back to runs.

Parts, in this order: the main document part (``word/document.xml``: body paragraphs, table cells
cell by cell, text boxes, all in document order), then headers, footers, footnotes, endnotes and
comments (each kind sorted by part name, ``header2`` before ``header10``).

``Document.text`` is the text of each extracted paragraph joined by one "\\n" (also between
parts). The separator belongs to no Segment.

How a Segment points back into the file (the renderer rewrites runs by these indices):

* ``part``: the part name without its leading "/", e.g. "word/document.xml", "word/header1.xml".
* ``paragraph``: the index of the ``w:p`` element in ``list(root.iter(w:p))``, where ``root`` is
  the part's XML root (``part.element`` for python-docx XmlParts, else the part's blob parsed
  with ``docx.oxml.parser.parse_xml``). ``iter`` is document order (pre-order), so a paragraph
  holding a text box comes before the text box's paragraphs. All ``w:p`` elements are counted,
  including those inside ``mc:Fallback`` (which are not extracted: they duplicate their
  ``mc:Choice``; the renderer must still clear or drop them). See :func:`paragraphs`.
* ``run``: the index in :func:`text_runs` of that paragraph: the ``w:r`` descendants, in document
  order, whose nearest ``w:p`` ancestor is the paragraph, that are not inside ``w:del``,
  ``w:moveFrom`` or ``mc:Fallback``, and whose :func:`run_text` is not empty. Runs in
  ``w:hyperlink``, ``w:ins``, ``w:moveTo``, ``w:smartTag``, ``w:sdtContent``, ``w:fldSimple``,
  ``w:customXml`` count.
* ``offset``: always 0: a Segment covers the whole text of one run.

A run's text (:func:`run_text`), from its direct children: ``w:t`` its text, ``w:tab`` and
``w:ptab`` "\\t", ``w:br`` (any type) and ``w:cr`` "\\n", ``w:noBreakHyphen`` "-". ``w:delText``
and ``w:instrText`` (field codes) are not text.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.package import OpcPackage
from docx.opc.part import Part, XmlPart
from docx.oxml.parser import parse_xml
from docx.package import Package

from redactor.errors import (
    CorruptDocumentError,
    EncryptedDocumentError,
    TooLargeError,
    UnsupportedTypeError,
)
from redactor.ingest import sniff
from redactor.ingest._common import finish, label, metadata_notices
from redactor.model import Block, Document, Notice, Segment

Element = Any  # an lxml element (lxml ships no type information)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


W_P, W_R, W_T = _w("p"), _w("r"), _w("t")
W_DEL, W_MOVE_FROM, W_DEL_TEXT = _w("del"), _w("moveFrom"), _w("delText")
W_TC, W_TXBX = _w("tc"), _w("txbxContent")
W_AUTHOR = _w("author")
MC_FALLBACK = f"{{{MC_NS}}}Fallback"

MAIN_PART = "word/document.xml"
MAX_RATIO = 200
RATIO_FLOOR = 1 << 20
MAX_MEMBERS = 10_000

_RUN_CHILD_TEXT: dict[str, str] = {
    _w("tab"): "\t",
    _w("ptab"): "\t",
    _w("br"): "\n",
    _w("cr"): "\n",
    _w("noBreakHyphen"): "-",
}
_SKIPPED_RUN_CONTAINERS = frozenset({W_DEL, W_MOVE_FROM, MC_FALLBACK})
_PART_KINDS: dict[str, str] = {
    CT.WML_HEADER: "header",
    CT.WML_FOOTER: "footer",
    CT.WML_FOOTNOTES: "footnote",
    CT.WML_ENDNOTES: "endnote",
    CT.WML_COMMENTS: "comment",
}
_KIND_ORDER = ("header", "footer", "footnote", "endnote", "comment")
_UNREAD_RELS: dict[str, str] = {
    "/oleObject": "embedded object",
    "/package": "embedded object",
    "/aFChunk": "imported chunk (altChunk)",
    "/chart": "chart",
    "/diagramData": "SmartArt diagram",
    "/subDocument": "sub-document",
}
_CORE_FIELDS = (
    "author",
    "last_modified_by",
    "title",
    "subject",
    "keywords",
    "comments",
    "category",
    "identifier",
    "content_status",
)


@dataclass(frozen=True)
class TextPart:
    """One text-bearing part: its name (no leading "/"), kind and parsed XML root."""

    name: str
    kind: str
    root: Element


# ----------------------------------------------------------------------------- public helpers


def paragraphs(root: Element) -> list[Element]:
    """Every ``w:p`` of a part in document order: index i here is ``Segment.paragraph`` i."""
    return list(root.iter(W_P))


def is_extracted(paragraph: Element) -> bool:
    """False for paragraphs inside ``mc:Fallback`` (duplicates of the ``mc:Choice`` content)."""
    return not any(a.tag == MC_FALLBACK for a in paragraph.iterancestors())


def run_text(run: Element) -> str:
    """The text of one ``w:r`` (see the module docstring)."""
    pieces: list[str] = []
    for child in run:
        if child.tag == W_T:
            pieces.append(child.text or "")
        else:
            pieces.append(_RUN_CHILD_TEXT.get(child.tag, ""))
    return "".join(pieces)


def text_runs(paragraph: Element) -> list[tuple[Element, str]]:
    """The runs of ``paragraph`` that contribute text, with their text: index i is ``Segment.run`` i."""
    runs: list[tuple[Element, str]] = []
    for run in paragraph.iter(W_R):
        if _owned_and_live(run, paragraph):
            text = run_text(run)
            if text:
                runs.append((run, text))
    return runs


def part_root(part: Part) -> Element:
    """The XML root of a part: python-docx's element when it parsed one, else the blob parsed."""
    if isinstance(part, XmlPart):
        return part.element
    return parse_xml(part.blob)


# ----------------------------------------------------------------------------- reading


def read_docx(data: bytes, name: str, max_bytes: int) -> Document:
    """Read a .docx. Raises the named InputErrors for wrong type, zip bombs, damage, encryption."""
    check_container(data, name, max_bytes)
    package = open_package(data, name)
    parts = text_parts(package)
    builder = _TextBuilder()
    for part in parts:
        builder.add_part(part)
    notices = [
        *builder.part_notices(),
        *unread_content_notices(package),
        *revision_notices(parts),
        *metadata_notices(core_fields(package)),
        *glossary_notices(package),
    ]
    return finish(
        data,
        name,
        "docx",
        builder.text(),
        segments=builder.segments,
        blocks=builder.blocks,
        notices=notices,
    )


def check_container(data: bytes, name: str, max_bytes: int) -> None:
    """The bytes must be a sound zip holding word/document.xml and no zip bomb."""
    if data.startswith(sniff.OLE_MAGIC):
        _refuse_ole(data, name)
    if not sniff.is_zip(data):
        raise UnsupportedTypeError(f"{label(name)}: looks like {sniff.describe(data)}, not a Word .docx file")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
        raise CorruptDocumentError(f"{label(name)}: is a damaged or truncated zip archive") from e
    check_zip_bomb(infos, name, max_bytes)
    if MAIN_PART not in {info.filename for info in infos}:
        raise UnsupportedTypeError(
            f"{label(name)}: looks like {sniff.describe(data)} without {MAIN_PART}, not a Word .docx file"
        )


def check_zip_bomb(infos: list[zipfile.ZipInfo], name: str, max_bytes: int) -> None:
    """Refuse too many members, a declared total over 10 x max_bytes, or a member that expands
    to more than 1 MiB at over 200 times its compressed size.

    Python's zipfile never inflates a member past its declared size, so declared sizes bound
    what python-docx will read.
    """
    if len(infos) > MAX_MEMBERS:
        raise TooLargeError(f"{label(name)}: has {len(infos)} zip members (limit {MAX_MEMBERS})")
    total = sum(info.file_size for info in infos)
    if total > 10 * max_bytes:
        raise TooLargeError(
            f"{label(name)}: expands to {total} bytes (limit {10 * max_bytes}): refused as a possible zip bomb"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise TooLargeError(
                f"{label(name)}: a zip member expands {ratio:.0f} times (limit {MAX_RATIO}): "
                "refused as a possible zip bomb"
            )


def open_package(data: bytes, name: str) -> OpcPackage:
    """Open the package with python-docx; it must be a plain Word document (not .docm/.dotx)."""
    try:
        package = Package.open(io.BytesIO(data))
        content_type = package.main_document_part.content_type
    except Exception as e:
        raise CorruptDocumentError(
            f"{label(name)}: is not a readable Word package ({type(e).__name__})"
        ) from e
    if content_type != CT.WML_DOCUMENT_MAIN:
        raise UnsupportedTypeError(
            f"{label(name)}: is a macro-enabled Word file or a template, not a .docx document"
        )
    return package


def text_parts(package: OpcPackage) -> list[TextPart]:
    """The main part, then headers, footers, footnotes, endnotes and comments."""
    main = package.main_document_part
    others = [
        TextPart(str(part.partname).lstrip("/"), _PART_KINDS[part.content_type], part_root(part))
        for part in package.iter_parts()
        if part.content_type in _PART_KINDS
    ]
    others.sort(key=lambda p: (_KIND_ORDER.index(p.kind), _natural_key(p.name)))
    return [TextPart(str(main.partname).lstrip("/"), "body", part_root(main)), *others]


# ----------------------------------------------------------------------------- notices


def unread_content_notices(package: OpcPackage) -> list[Notice]:
    """Hold for content that can hold text we cannot analyse: OLE objects, altChunks, charts..."""
    counts: dict[str, int] = {}
    for rel in package.iter_rels():
        what = _unread_kind(rel.reltype)
        if what is not None:
            counts[what] = counts.get(what, 0) + 1
    if not counts:
        return []
    listed = ", ".join(f"{n} {what}{'s' if n > 1 else ''}" for what, n in sorted(counts.items()))
    return [Notice("docx-embedded", f"docx holds content that is not analysed: {listed}", hold=True)]


def revision_notices(parts: list[TextPart]) -> list[Notice]:
    """Non-holding notices for tracked deletions and author names stored in the parts."""
    notices: list[Notice] = []
    if any(_has_deleted_text(p.root) for p in parts):
        notices.append(
            Notice(
                "docx-deleted-text",
                "tracked deletions hold text that is not analysed: remove them before release",
            )
        )
    if any(_has_author(p.root) for p in parts):
        notices.append(
            Notice(
                "docx-authors", "comment or tracked-change author names are stored in the file: not analysed"
            )
        )
    return notices


def core_fields(package: OpcPackage) -> list[str]:
    """Names of the core properties (docProps/core.xml) that are set, if the part exists."""
    try:
        part = package.part_related_by(RT.CORE_PROPERTIES)
    except KeyError:
        return []
    props = getattr(part, "core_properties", None)
    if props is None:
        return []
    return [f for f in _CORE_FIELDS if str(getattr(props, f, "") or "").strip()]


def glossary_notices(package: OpcPackage) -> list[Notice]:
    if not any(part.content_type == CT.WML_DOCUMENT_GLOSSARY for part in package.iter_parts()):
        return []
    return [
        Notice(
            "docx-glossary",
            "docx has a glossary (building blocks) part that is not analysed: drop it before release",
        )
    ]


# ----------------------------------------------------------------------------- internals


@dataclass
class _TextBuilder:
    pieces: list[str] = field(default_factory=list)
    pos: int = 0
    started: bool = False
    segments: list[Segment] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    parts_with_text: list[TextPart] = field(default_factory=list)

    def text(self) -> str:
        return "".join(self.pieces)

    def add_part(self, part: TextPart) -> None:
        before = len(self.blocks)
        for index, paragraph in enumerate(paragraphs(part.root)):
            if is_extracted(paragraph):
                self.add_paragraph(part, index, paragraph)
        if part.kind != "body" and len(self.blocks) > before:
            self.parts_with_text.append(part)

    def add_paragraph(self, part: TextPart, index: int, paragraph: Element) -> None:
        if self.started:
            self._append("\n")
        self.started = True
        start = self.pos
        texts = text_runs(paragraph)
        for run_index, (_, text) in enumerate(texts):
            self.segments.append(Segment(self.pos, self.pos + len(text), part.name, index, run_index, 0))
            self._append(text)
        if "".join(text for _, text in texts).strip():
            self.blocks.append(Block(start, self.pos, _block_kind(part, paragraph)))

    def part_notices(self) -> list[Notice]:
        if not self.parts_with_text:
            return []
        listed = ", ".join(f"{p.name} ({p.kind})" for p in self.parts_with_text)
        return [Notice("docx-parts", f"text found outside the document body in: {listed}")]

    def _append(self, text: str) -> None:
        self.pieces.append(text)
        self.pos += len(text)


def _owned_and_live(run: Element, paragraph: Element) -> bool:
    for ancestor in run.iterancestors():
        if ancestor is paragraph:
            return True
        if ancestor.tag == W_P or ancestor.tag in _SKIPPED_RUN_CONTAINERS:
            return False
    return False


def _block_kind(part: TextPart, paragraph: Element) -> str:
    if part.kind != "body":
        return part.kind
    for ancestor in paragraph.iterancestors():
        if ancestor.tag == W_TXBX:
            return "textbox"
        if ancestor.tag == W_TC:
            return "cell"
    return "paragraph"


def _has_deleted_text(root: Element) -> bool:
    if any((el.text or "").strip() for el in root.iter(W_DEL_TEXT)):
        return True
    return any(run_text(r).strip() for mf in root.iter(W_MOVE_FROM) for r in mf.iter(W_R))


def _has_author(root: Element) -> bool:
    return any((el.get(W_AUTHOR) or "").strip() for el in _iter_elements(root))


def _iter_elements(root: Element) -> Iterator[Element]:
    return (el for el in root.iter() if isinstance(el.tag, str))


def _unread_kind(reltype: str) -> str | None:
    for suffix, what in _UNREAD_RELS.items():
        if reltype.endswith(suffix):
            return what
    return None


def _natural_key(name: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(t), "") if t.isdigit() else (0, t) for t in re.split(r"(\d+)", name))


def _refuse_ole(data: bytes, name: str) -> None:
    if sniff.ole_kind(data) == "word":
        raise UnsupportedTypeError(
            f"{label(name)}: looks like an old-format Word .doc file, not a .docx file"
        )
    raise EncryptedDocumentError(
        f"{label(name)}: is a password-protected (encrypted) Word file; remove the password and try again"
    )
