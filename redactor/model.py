"""The typed, frozen values that pass between stages: ingest -> detect -> decide -> render -> audit.

Offsets are Python string indices into ``Document.text`` (end exclusive). Findings carry no text:
what they cover is always read back from the document, so a finding can be logged safely.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

DocumentKind = Literal["text", "docx", "pdf"]

ENTITY_LABELS: tuple[str, ...] = (
    "PERSON",
    "ADDRESS",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "DATE_OF_BIRTH",
    "NHS_NUMBER",
    "NI_NUMBER",
    "IMMIGRATION_ID",
    "REFERENCE",
)
PASSAGE_LABELS: tuple[str, ...] = ("IMMIGRATION", "OUT_OF_SCOPE")
CATEGORIES: tuple[str, ...] = ("STATUS", "NRPF", "COERCION", "ENFORCEMENT")
SUBJECTS: tuple[str, ...] = ("victim", "perpetrator", "child", "other")


@dataclass(frozen=True)
class Segment:
    """A run of ``Document.text`` that comes from one place in the source file.

    DOCX: ``part`` is the package part ("word/document.xml", "word/header1.xml", ...),
    ``paragraph`` the index of the ``w:p`` among that part's paragraphs in document order,
    ``run`` the index of the ``w:r`` among that paragraph's runs (hyperlinks and tracked
    insertions included), ``offset`` the character offset in that run's text where ``start`` falls.
    Plain text: one segment for the whole text, part "text".
    PDF: part "page-N" (1-based); paragraph = line number on the page; run = 0.
    """

    start: int
    end: int
    part: str
    paragraph: int = 0
    run: int = 0
    offset: int = 0


@dataclass(frozen=True)
class CharBox:
    """Where one character of a PDF sits: 1-based page number and pdfplumber's box (points, top-left origin)."""

    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass(frozen=True)
class Block:
    """A structural unit of the text: a paragraph, table cell, heading, header or footer line."""

    start: int
    end: int
    kind: str = "paragraph"  # paragraph | cell | header | footer | footnote | endnote | textbox | comment | line


@dataclass(frozen=True)
class Notice:
    """Something a reviewer must know about the document. ``hold`` means it cannot pass as clean."""

    code: str
    message: str
    hold: bool = False


@dataclass(frozen=True)
class Document:
    text: str
    kind: DocumentKind
    name: str
    sha256: str
    segments: tuple[Segment, ...] = ()
    blocks: tuple[Block, ...] = ()
    char_boxes: tuple[CharBox | None, ...] = ()
    notices: tuple[Notice, ...] = ()

    @property
    def held(self) -> bool:
        """True when part of the document could not be analysed: it must go to a person."""
        return any(n.hold for n in self.notices)

    def segment_at(self, index: int) -> Segment | None:
        """The source segment holding character ``index`` (None for inserted separators)."""
        starts = [s.start for s in self.segments]
        i = bisect.bisect_right(starts, index) - 1
        if i >= 0 and self.segments[i].start <= index < self.segments[i].end:
            return self.segments[i]
        return None


@dataclass(frozen=True)
class Finding:
    """One detected span with the explanation of how it was found."""

    start: int
    end: int
    label: str
    score: float
    recognizer: str
    explanation: str = ""
    category: str | None = None
    subject: str | None = None
    pattern: str | None = None
    tags: tuple[str, ...] = ()  # e.g. ("refuge",) on an address described as a refuge or safe house

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"bad finding offsets {self.start}..{self.end}")


@dataclass(frozen=True)
class Detection:
    """The output of the detect stage for one document."""

    document: Document
    findings: tuple[Finding, ...] = field(default_factory=tuple)
