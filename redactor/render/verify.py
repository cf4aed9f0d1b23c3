"""Check a candidate output before it is written: re-read it by means independent of the renderer
and search for every redacted string. Any hit raises VerificationError naming where (a part, a
page, an object), never what.

What is searched ("needles"): the original text of every redaction, split at line and tab breaks,
normalised (NFKC, case-folded, everything but letters and digits removed), so the search is case-,
white-space- and punctuation-insensitive: "Zanele_Okonkwo.png" and "QQ-12-34-56-C" are found, and
white space or punctuation may fall anywhere inside a found string. A piece shorter than 8
characters must also stand as a word where it is found: "end" is not found in "extended" (a word
of XML plumbing), as short names hide inside longer words everywhere. Two kinds of piece are
skipped, and counted (``Needles.short``, ``Needles.kept``):

* pieces with fewer than 3 letters and digits ("Jo", "12"): they occur by chance inside other
  words and numbers and would raise false alarms;
* pieces that also occur in the text that is kept (the redacted document text with its markers):
  a name kept in one place and removed in another cannot be told apart by a text search.

Where the search looks:

* text: the output decoded as UTF-8.
* docx: every zip member. XML members twice: the text and attribute values lxml reads, and the
  raw bytes with tags stripped by a regular expression (comments, CDATA and attribute values kept,
  namespace declarations dropped). A redacted single word that is also a word of the file's own
  vocabulary (a style, font or part name such as "Strong" or "styles") raises a false alarm: the
  check fails closed and names the part.
  Other members are searched when they decode as UTF-8 text; binary members (images) are not
  (text inside images is not analysed at all, see ingest).
* pdf: every page's text as read by pdfplumber and by pypdf, the Info metadata read by both,
  annotation contents, and every string and XML packet in every object (pdfminer, streams
  decompressed; image data is not text and is skipped) and in the raw bytes outside streams.
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from redactor.errors import VerificationError
from redactor.model import Document

MIN_CHARS = 3
WHOLE_WORD = 8
_BREAKS = re.compile(r"[\n\r\t\f\v\u2028\u2029\x1c-\x1e\x85]+")
_XML_EXTRAS = re.compile(rb"<!--(.*?)-->|<!\[CDATA\[(.*?)\]\]>|<\?(.*?)\?>", re.S)
_TAG = re.compile(r"<[^>]*>")
_ATTR_VALUE = re.compile(r"""([^\s=<>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_STREAM = re.compile(rb"(?<!end)stream\r?\n.*?endstream", re.S)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)


def normalise(text: str) -> str:
    """NFKC, case-folded, with everything but letters and digits removed."""
    return "".join(c for c in fold(text) if c.isalnum())


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def pattern(needle: str) -> re.Pattern[str]:
    """A regular expression finding ``needle`` (normalised) in folded text with any white space or
    punctuation between its characters. A needle shorter than WHOLE_WORD characters must also stand
    as a word (no letter or digit right before or after it), so "end" is not found in "extended"."""
    body = r"[\W_]*".join(re.escape(c) for c in needle)
    if len(needle) < WHOLE_WORD:
        body = (r"(?<![^\W_])" if needle[0].isalnum() else "") + body + (r"(?![^\W_])" if needle[-1].isalnum() else "")
    return re.compile(body)


@dataclass(frozen=True)
class Needles:
    """The normalised redacted strings to search for, and how many pieces were skipped."""

    strings: tuple[str, ...]
    short: int = 0
    kept: int = 0
    _patterns: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_patterns", tuple(pattern(s) for s in self.strings))

    def found_in(self, text: str) -> bool:
        folded = fold(text)
        flat = _flat(folded)
        return any(s in flat and p.search(folded) for s, p in zip(self.strings, self._patterns, strict=True))


def _flat(folded: str) -> str:
    return "".join(c for c in folded if c.isalnum())


def _in(needle: str, folded: str, flat: str) -> bool:
    return needle in flat and pattern(needle).search(folded) is not None


def needles_for(document: Document, spans: Iterable[tuple[int, int]], kept_text: str) -> Needles:
    """The needles for the given (start, end) spans of ``document.text``; ``kept_text`` is the
    expected output text (markers included), whose strings cannot count as leaks."""
    folded = fold(kept_text)
    flat = _flat(folded)
    strings: set[str] = set()
    short = in_kept = 0
    for start, end in spans:
        for piece in _BREAKS.split(document.text[start:end]):
            norm = normalise(piece)
            if not norm:
                continue
            if len(norm) < MIN_CHARS:
                short += 1
            elif _in(norm, folded, flat):
                in_kept += 1
            else:
                strings.add(norm)
    return Needles(tuple(sorted(strings, key=len, reverse=True)), short, in_kept)


def check(kind: str, data: bytes, needles: Needles) -> None:
    """Raise VerificationError if any needle is found in ``data`` (an output of ``kind``)."""
    if not needles.strings:
        return
    finder = {"text": text_leaks, "docx": docx_leaks, "pdf": pdf_leaks}[kind]
    try:
        places = list(dict.fromkeys(finder(data, needles)))
    except VerificationError:
        raise
    except Exception as e:
        raise VerificationError(
            f"verification failed: the candidate output cannot be re-read ({type(e).__name__}); nothing was written"
        ) from e
    if places:
        shown = ", ".join(places[:8]) + (f" and {len(places) - 8} more" if len(places) > 8 else "")
        raise VerificationError(
            f"verification failed: redacted text is still present in {shown}; nothing was written"
        )


# ----------------------------------------------------------------------------- text


def text_leaks(data: bytes, needles: Needles) -> Iterator[str]:
    text = data.decode("utf-8", errors="replace")
    if not needles.found_in(text):
        return
    lines = [n for n, line in enumerate(text.splitlines(), 1) if needles.found_in(line)]
    yield f"text line {lines[0]}" if lines else "text (across lines)"


# ----------------------------------------------------------------------------- docx


def docx_leaks(data: bytes, needles: Needles) -> Iterator[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            blob = archive.read(info)
            for how, text in _member_views(info.filename, blob):
                if needles.found_in(text):
                    yield f"{info.filename} ({how})"
                    break


def _member_views(name: str, blob: bytes) -> Iterator[tuple[str, str]]:
    if _looks_like_xml(name, blob):
        yield "XML text", _xml_text(blob)
        yield "raw bytes", _raw_xml_text(blob)
        return
    try:
        yield "raw bytes", blob.decode("utf-8")
    except UnicodeDecodeError:
        return  # binary (an image): not text


def _looks_like_xml(name: str, blob: bytes) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml")) or blob.lstrip()[:1] == b"<"


def _xml_text(blob: bytes) -> str:
    """All text, tails and attribute values lxml reads (comments and processing instructions too)."""
    try:
        root = etree.fromstring(blob, parser=_PARSER)
    except etree.XMLSyntaxError:
        return _decode_xml(blob)  # not well-formed: search all of it
    pieces: list[str] = []
    for node in root.iter():
        pieces.append(node.text or "")
        pieces.append(node.tail or "")
        if isinstance(node.tag, str):
            pieces.extend(node.attrib.values())
    return "\n".join(pieces)


def _raw_xml_text(blob: bytes) -> str:
    """The raw bytes with markup replaced by the attribute values it holds, entities decoded."""
    extras = "\n".join(_decode_xml(b"".join(g for g in m.groups() if g)) for m in _XML_EXTRAS.finditer(blob))
    text = _decode_xml(_XML_EXTRAS.sub(b" ", blob))
    stripped = _TAG.sub(lambda m: f" {_attribute_values(m.group(0))} ", text)
    return html.unescape(stripped) + "\n" + extras


def _attribute_values(tag: str) -> str:
    return " ".join(a or b for name, a, b in _ATTR_VALUE.findall(tag) if not name.startswith("xmlns"))


def _decode_xml(blob: bytes) -> str:
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        return blob.decode("utf-16", errors="replace")
    return blob.decode("utf-8", errors="replace")


# ----------------------------------------------------------------------------- pdf


def pdf_leaks(data: bytes, needles: Needles) -> Iterator[str]:
    yield from _plumber_leaks(data, needles)
    yield from _pypdf_leaks(data, needles)
    yield from _object_leaks(data, needles)
    if needles.found_in("\n".join(pdf_strings(_STREAM.sub(b" ", data)))):
        yield "file bytes outside streams"


def _plumber_leaks(data: bytes, needles: Needles) -> Iterator[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        if needles.found_in(" ".join(_strings(pdf.metadata.values()))):
            yield "metadata (Info, read by pdfplumber)"
        for number, page in enumerate(pdf.pages, 1):
            if needles.found_in(page.extract_text() or ""):
                yield f"page {number} text (pdfplumber)"
            if needles.found_in(" ".join(_strings(a.get("contents") for a in page.annots))):
                yield f"page {number} annotations"


def _pypdf_leaks(data: bytes, needles: Needles) -> Iterator[str]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.metadata and needles.found_in(" ".join(_strings(reader.metadata.values()))):
        yield "metadata (Info, read by pypdf)"
    for number, page in enumerate(reader.pages, 1):
        if needles.found_in(page.extract_text() or ""):
            yield f"page {number} text (pypdf)"


def _object_leaks(data: bytes, needles: Needles) -> Iterator[str]:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    document = PDFDocument(PDFParser(io.BytesIO(data)))
    for objid in sorted({i for xref in document.xrefs for i in xref.get_objids()}):
        obj = document.getobj(objid)
        if needles.found_in("\n".join(_object_strings(obj, 0))):
            yield f"object {objid}"


def _object_strings(obj: Any, depth: int) -> Iterator[str]:
    from pdfminer.pdftypes import PDFObjRef, PDFStream
    from pdfminer.psparser import PSLiteral

    if depth > 32 or isinstance(obj, PDFObjRef):
        return
    if isinstance(obj, PDFStream):
        yield from _object_strings(obj.attrs, depth + 1)
        subtype = obj.attrs.get("Subtype")
        if not (isinstance(subtype, PSLiteral) and subtype.name == "Image"):
            yield from _stream_strings(obj.get_data())
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from _object_strings(value, depth + 1)
    elif isinstance(obj, (list, tuple)):
        for value in obj:
            yield from _object_strings(value, depth + 1)
    elif isinstance(obj, (bytes, str)):
        yield _pdf_text(obj if isinstance(obj, bytes) else obj.encode("latin-1", "replace"))


def _stream_strings(data: bytes) -> Iterator[str]:
    if data.lstrip().startswith((b"<?xpacket", b"<?xml", b"<x:xmpmeta")):
        yield _raw_xml_text(data)  # an XMP metadata packet
        return
    yield from pdf_strings(data)


def pdf_strings(data: bytes) -> list[str]:
    """The literal ``(...)`` and hex ``<...>`` strings in PDF syntax, decoded (one pass, comments skipped)."""
    text = data.decode("latin-1")
    found: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "%":
            i = _line_end(text, i)
        elif c == "(":
            i, raw = _literal(text, i)
            found.append(_pdf_text(raw))
        elif c == "<" and text[i + 1 : i + 2] == "<":
            i += 2
        elif c == "<":
            end = text.find(">", i)
            end = len(text) if end < 0 else end
            found.append(_pdf_text(_hex(text[i + 1 : end])))
            i = end + 1
        else:
            i += 1
    return found


def _line_end(text: str, i: int) -> int:
    ends = [j for j in (text.find("\r", i), text.find("\n", i)) if j >= 0]
    return min(ends) if ends else len(text)


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "(": "(", ")": ")", "\\": "\\"}


def _literal(text: str, start: int) -> tuple[int, bytes]:
    """Read the literal string opening at ``start``; returns the index after it and its bytes."""
    out: list[str] = []
    depth, i = 1, start + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            i, piece = _escape(text, i + 1)
            out.append(piece)
            continue
        depth += 1 if c == "(" else -1 if c == ")" else 0
        if depth == 0:
            return i + 1, "".join(out).encode("latin-1", "replace")
        out.append(c)
        i += 1
    return i, "".join(out).encode("latin-1", "replace")


def _escape(text: str, i: int) -> tuple[int, str]:
    octal = re.match(r"[0-7]{1,3}", text[i : i + 3])
    if octal:
        return i + len(octal.group(0)), chr(int(octal.group(0), 8) & 0xFF)
    if text[i] in "\r\n":
        return i + (2 if text[i : i + 2] == "\r\n" else 1), ""
    return i + 1, _ESCAPES.get(text[i], text[i])


def _hex(digits: str) -> bytes:
    clean = re.sub(r"[^0-9A-Fa-f]", "", digits)
    return bytes.fromhex(clean + "0" * (len(clean) % 2))


def _pdf_text(raw: bytes) -> str:
    if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
        return raw.decode("utf-16", errors="replace")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    return raw.decode("latin-1")


def _strings(values: Iterable[Any]) -> Iterator[str]:
    for v in values:
        if isinstance(v, bytes):
            yield _pdf_text(v)
        elif isinstance(v, str):
            yield v
        elif isinstance(v, Sequence):
            yield from _strings(v)
        elif v is not None:
            yield str(v)
