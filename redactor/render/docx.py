"""Word .docx: redact inside the runs ingest read, then clean every hidden place of the package.

Runs are found exactly as ingest counted them (``redactor.ingest.docx``: ``paragraphs``,
``is_extracted``, ``text_runs``), and each one is checked to still hold the text that was scanned
before it is touched. A redaction's marker goes into the run holding its first character; the rest
of its characters are removed from their runs (across run boundaries, hyperlinks, paragraphs and
parts). Runs are edited in place, so their formatting, and all other runs, stay as they were.

Then :mod:`redactor.render.docx_clean` and :class:`~redactor.render.docx_package.Package` remove
comments, accept tracked changes, copy the redacted text boxes over their fallbacks, clear alt
text, properties and field codes, and drop embedded files, custom XML and the thumbnail. A
hyperlink whose text was redacted, or whose target holds a redacted string, loses its target.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from redactor.errors import RenderError
from redactor.ingest.docx import _RUN_CHILD_TEXT, W_T, is_extracted, paragraphs, text_runs
from redactor.model import Document, Segment
from redactor.render import docx_clean as clean
from redactor.render.docx_package import HYPERLINK_TYPE, R_NS, Element, Package, rel_type_key
from redactor.render.log import LogEntry
from redactor.render.plan import MarkerStyle, Redaction, marker_text
from redactor.render.verify import Needles

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_HYPERLINK = f"{{{W_NS}}}hyperlink"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

RunKey = tuple[str, int, int]  # part, paragraph, run


@dataclass(frozen=True)
class Cut:
    """Characters [lo, hi) of one run's text to remove; ``marker`` is inserted at ``lo`` if set."""

    lo: int
    hi: int
    marker: str | None = None


@dataclass
class Edits:
    cuts: dict[RunKey, list[Cut]] = field(default_factory=dict)
    expected: dict[RunKey, str] = field(default_factory=dict)
    entries: list[LogEntry] = field(default_factory=list)


def render_docx(document: Document, data: bytes, redactions: Sequence[Redaction], style: MarkerStyle,
                needles: Needles) -> tuple[bytes, tuple[LogEntry, ...], tuple[str, ...]]:
    edits = plan_cuts(document, redactions, style)
    package = Package.read(data)
    links = apply_cuts(package, edits)
    notes = clean_package(package, needles, links)
    return package.to_bytes(), tuple(edits.entries), tuple(notes)


# ----------------------------------------------------------------------------- planning


def plan_cuts(document: Document, redactions: Sequence[Redaction], style: MarkerStyle) -> Edits:
    """Which characters of which runs each redaction removes, and a log entry per paragraph touched."""
    edits = Edits()
    starts = [s.start for s in document.segments]
    for number, r in enumerate(redactions, 1):
        marker: str | None = marker_text(r, style)
        touched: dict[tuple[str, int], list[int]] = {}
        for seg in _overlapping(document.segments, starts, r):
            key = (seg.part, seg.paragraph, seg.run)
            lo = max(r.start, seg.start) - seg.start + seg.offset
            hi = min(r.end, seg.end) - seg.start + seg.offset
            edits.cuts.setdefault(key, []).append(Cut(lo, hi, marker))
            edits.expected[key] = document.text[seg.start : seg.end]
            touched.setdefault((seg.part, seg.paragraph), []).append(seg.run)
            marker = None
        edits.entries.extend(_entry(number, r, part, para, runs) for (part, para), runs in touched.items())
    return edits


def _overlapping(segments: Sequence[Segment], starts: Sequence[int], r: Redaction) -> Iterator[Segment]:
    i = max(0, bisect.bisect_right(starts, r.start) - 1)
    while i < len(segments) and segments[i].start < r.end:
        if segments[i].end > r.start:
            yield segments[i]
        i += 1


def _entry(number: int, r: Redaction, part: str, paragraph: int, runs: Sequence[int]) -> LogEntry:
    span = f"run {runs[0]}" if len(runs) == 1 else f"runs {runs[0]}-{runs[-1]}"
    where = (("part", part), ("paragraph", paragraph), ("first_run", runs[0]), ("last_run", runs[-1]))
    return LogEntry(number, f"{part} paragraph {paragraph} {span}", r.label, r.rule, r.reason, where)


# ----------------------------------------------------------------------------- applying


def apply_cuts(package: Package, edits: Edits) -> dict[str, set[str]]:
    """Edit the runs; returns, per part, the relationship ids of hyperlinks whose text was cut."""
    links: dict[str, set[str]] = {}
    by_paragraph: dict[tuple[str, int], list[tuple[int, list[Cut]]]] = {}
    for (part, para, run), cuts in edits.cuts.items():
        by_paragraph.setdefault((part, para), []).append((run, cuts))
    for (part, para), runs in by_paragraph.items():
        name = package.find(part)
        if name is None:
            raise RenderError(f"the .docx has no part {part}: it is not the document that was scanned")
        texts = _paragraph_runs(package.tree(name), part, para)  # counted once, before any edit
        for index, cuts in runs:
            run = _checked_run(texts, (part, para, index), edits.expected)
            cut_run(run, cuts)
            link = _hyperlink_id(run)
            if link:
                links.setdefault(name, set()).add(link)
    return links


def _paragraph_runs(root: Element, part: str, index: int) -> list[tuple[Element, str]]:
    found = paragraphs(root)
    if index >= len(found) or not is_extracted(found[index]):
        raise RenderError(f"{part} paragraph {index} is not where it was scanned: the file does not match")
    return text_runs(found[index])


def _checked_run(texts: list[tuple[Element, str]], key: RunKey, expected: dict[RunKey, str]) -> Element:
    part, para, index = key
    if index >= len(texts) or texts[index][1] != expected[key]:
        raise RenderError(f"{part} paragraph {para} run {index} does not hold the text that was scanned")
    return texts[index][0]


def cut_run(run: Element, cuts: Sequence[Cut]) -> None:
    """Remove the cut characters from the run's children, inserting each marker where its cut starts."""
    pos = 0
    for child in list(run):
        length = _length(child)
        if length and any(c.lo < pos + length and pos < c.hi for c in cuts):
            if child.tag == W_T:
                child.text = _cut_text(child.text or "", pos, cuts)
                child.set(XML_SPACE, "preserve")
            else:
                _cut_single(child, pos, cuts)
        pos += length


def _length(child: Element) -> int:
    if child.tag == W_T:
        return len(child.text or "")
    return 1 if child.tag in _RUN_CHILD_TEXT else 0


def _cut_text(text: str, base: int, cuts: Sequence[Cut]) -> str:
    out: list[str] = []
    for i, ch in enumerate(text):
        out.extend(c.marker for c in cuts if c.lo == base + i and c.marker)
        if not any(c.lo <= base + i < c.hi for c in cuts):
            out.append(ch)
    return "".join(out)


def _cut_single(child: Element, pos: int, cuts: Sequence[Cut]) -> None:
    """A tab, break or no-break hyphen inside a cut goes; one that starts a cut becomes its marker."""
    markers = "".join(c.marker for c in cuts if c.lo == pos and c.marker)
    if markers:
        text = etree.SubElement(child.getparent(), W_T)
        text.text = markers
        text.set(XML_SPACE, "preserve")
        child.addprevious(text)
    clean.remove(child)


def _hyperlink_id(run: Element) -> str | None:
    link = next(run.iterancestors(W_HYPERLINK), None)
    return None if link is None else link.get(f"{{{R_NS}}}id")


# ----------------------------------------------------------------------------- cleaning


def clean_package(package: Package, needles: Needles, links: dict[str, set[str]]) -> list[str]:
    dropped = package.drop_unsafe_parts()
    counts: Counter[str] = Counter()
    for _, root in package.word_parts():
        counts["comment references"] += clean.remove_comment_marks(root)
        counts["tracked changes"] += clean.accept_changes(root)
        counts["text box fallbacks"] += clean.copy_text_boxes_to_fallbacks(root)
        counts["alt texts and tooltips"] += clean.clear_alt_text(root)
        counts["document variables and data bindings"] += clean.remove_hidden_settings(root)
        counts["field codes"] += clean.clear_field_codes(root, needles)
    counts["link targets"] = _unlink(package, needles, links)
    package.remove_references()
    cleared = [f for name in package.parts_of_type(clean.CORE_CONTENT_TYPE)
               for f in clean.clear_core_properties(package.tree(name))]
    cleared += [f for name in package.parts_of_type(clean.APP_CONTENT_TYPE)
                for f in clean.clear_app_properties(package.tree(name))]
    return _notes(dropped, counts, cleared)


def _unlink(package: Package, needles: Needles, links: dict[str, set[str]]) -> int:
    """Remove the targets of redacted hyperlinks and of external links holding a redacted string."""
    count = 0
    for source, rel in list(package.relationships()):
        name = package.find(source) or source
        external = rel.get("TargetMode") == "External"
        redacted_link = rel_type_key(str(rel.get("Type", ""))) == HYPERLINK_TYPE[1:] and rel.get(
            "Id") in links.get(name, set())
        if redacted_link or (external and needles.found_in(unquote(str(rel.get("Target", ""))))):
            package.remove_relationship(name, rel)
            count += 1
    return count


def _notes(dropped: dict[str, int], counts: Counter[str], cleared: list[str]) -> list[str]:
    notes = [f"removed {n} part(s): {why}" for why, n in sorted(dropped.items())]
    notes += [f"{what} removed or resolved: {n}" for what, n in counts.items() if n]
    if cleared:
        notes.append(f"document properties cleared: {', '.join(dict.fromkeys(cleared))}")
    return notes
