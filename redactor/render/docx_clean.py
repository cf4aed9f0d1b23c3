"""Clean the WordprocessingML of a .docx so nothing hidden survives redaction.

* Comments: ``w:commentRangeStart``/``End`` and the runs holding ``w:commentReference`` go (the
  comment parts themselves are dropped by the package).
* Tracked changes are accepted: ``w:ins``/``w:moveTo`` unwrapped, ``w:del``/``w:moveFrom`` (with
  their ``w:delText``) removed, a deleted table row removed, the ``*Change`` property records and
  move ranges dropped, so no deleted text or reviser name stays.
* Text boxes: after redaction, each ``mc:Fallback`` copy of a text box is replaced by a copy of the
  redacted ``mc:Choice`` text box (or dropped when the two do not line up).
* Alt text (``descr``/``title`` of ``docPr``/``cNvPr``, VML ``alt``/``o:title``), hyperlink
  tooltips, document variables, data bindings to custom XML, the track-changes setting and XML
  comments are removed; drawing names (often the picture's file name) become "Object <id>".
* Field codes: a ``w:instrText`` or ``w:fldSimple/@w:instr`` holding a redacted string is cleared
  (the field's displayed result stays).
* Properties: the identifying core properties (author, last modified by, title, subject, keywords,
  description, category, identifier, status) and the extended ones (company, manager, hyperlink base,
  titles of parts) are removed.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from lxml import etree

from redactor.ingest.docx import MC_FALLBACK, MC_NS, W_NS, W_TXBX
from redactor.render.docx_package import Element
from redactor.render.verify import Needles

MC_AC = f"{{{MC_NS}}}AlternateContent"
MC_CHOICE = f"{{{MC_NS}}}Choice"
O_NS = "urn:schemas-microsoft-com:office:office"
V_NS = "urn:schemas-microsoft-com:vml"
DC_NS = "http://purl.org/dc/elements/1.1/"
CP_NS = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
EP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
CORE_CONTENT_TYPE = "application/vnd.openxmlformats-package.core-properties+xml"
APP_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.extended-properties+xml"


def _w(tag: str) -> str:
    return f"{{{W_NS}}}{tag}"


_COMMENT_MARKS = frozenset({_w("commentRangeStart"), _w("commentRangeEnd")})
_UNWRAPPED = frozenset({_w("ins"), _w("moveTo")})
_REMOVED = frozenset({
    _w("del"), _w("moveFrom"), _w("delText"), _w("delInstrText"),
    _w("moveFromRangeStart"), _w("moveFromRangeEnd"), _w("moveToRangeStart"), _w("moveToRangeEnd"),
    _w("rPrChange"), _w("pPrChange"), _w("sectPrChange"), _w("tblPrChange"), _w("tblPrExChange"),
    _w("trPrChange"), _w("tcPrChange"), _w("tblGridChange"), _w("numberingChange"),
    _w("cellIns"), _w("cellDel"), _w("cellMerge"),
    _w("customXmlInsRangeStart"), _w("customXmlInsRangeEnd"), _w("customXmlDelRangeStart"),
    _w("customXmlDelRangeEnd"), _w("customXmlMoveFromRangeStart"), _w("customXmlMoveFromRangeEnd"),
    _w("customXmlMoveToRangeStart"), _w("customXmlMoveToRangeEnd"),
})
_HIDDEN_SETTINGS = frozenset({_w("docVars"), _w("dataBinding"), _w("trackRevisions")})
_CORE_FIELDS = (
    f"{{{DC_NS}}}creator", f"{{{CP_NS}}}lastModifiedBy", f"{{{DC_NS}}}title", f"{{{DC_NS}}}subject",
    f"{{{CP_NS}}}keywords", f"{{{DC_NS}}}description", f"{{{CP_NS}}}category", f"{{{DC_NS}}}identifier",
    f"{{{CP_NS}}}contentStatus",
)
_APP_FIELDS = tuple(f"{{{EP_NS}}}{t}" for t in ("Company", "Manager", "HyperlinkBase", "HeadingPairs", "TitlesOfParts"))


def localname(el: Element) -> str:
    return str(etree.QName(el).localname)


def elements(root: Element) -> list[Element]:
    return [el for el in root.iter() if isinstance(el.tag, str)]


def remove(el: Element) -> None:
    """Remove an element, keeping the text that follows it (its tail)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def unwrap(el: Element) -> None:
    """Replace an element by its children."""
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    for offset, child in enumerate(list(el)):
        parent.insert(index + offset, child)
    remove(el)


# ----------------------------------------------------------------------------- comments and revisions


def remove_comment_marks(root: Element) -> int:
    """Remove comment anchors and reference runs; returns how many comment references went."""
    count = 0
    for el in elements(root):
        if el.tag in _COMMENT_MARKS:
            remove(el)
        elif el.tag == _w("commentReference"):
            count += 1
            run = el.getparent()
            only_reference = run is not None and all(c is el or c.tag == _w("rPr") for c in run)
            remove(run if only_reference and run.tag == _w("r") else el)
    return count


def accept_changes(root: Element) -> int:
    """Accept every tracked change; returns how many change records were resolved."""
    count = 0
    for el in reversed(elements(root)):  # innermost first: whatever is removed later was already handled
        if el.tag in _UNWRAPPED:
            unwrap(el)
            count += 1
        elif el.tag == _w("del") and el.getparent() is not None and el.getparent().tag == _w("trPr"):
            _remove_row(el)
            count += 1
        elif el.tag in _REMOVED:
            remove(el)
            count += 1
    return count


def _remove_row(marker: Element) -> None:
    row = next(marker.iterancestors(_w("tr")), None)
    remove(row if row is not None else marker)


# ----------------------------------------------------------------------------- text boxes


def copy_text_boxes_to_fallbacks(root: Element) -> int:
    """Make each ``mc:Fallback`` text box a copy of its (redacted) ``mc:Choice`` one; returns how
    many fallbacks were replaced or removed. Innermost first, so nested boxes are done before."""
    count = 0
    for ac in reversed(list(root.iter(MC_AC))):
        choices = [c for c in ac if c.tag == MC_CHOICE]
        for fallback in [c for c in ac if c.tag == MC_FALLBACK]:
            source = _outer_boxes(choices[0]) if choices else []
            target = _outer_boxes(fallback)
            if not target:
                continue
            count += 1
            if len(source) != len(target):
                remove(fallback)
                continue
            for old, new in zip(target, source, strict=True):
                old.getparent().replace(old, copy.deepcopy(new))
    return count


def _outer_boxes(container: Element) -> list[Element]:
    boxes = list(container.iter(W_TXBX))
    return [b for b in boxes if not any(a.tag == W_TXBX for a in b.iterancestors() if a is not container)]


# ----------------------------------------------------------------------------- hidden attributes


def clear_alt_text(root: Element) -> int:
    """Remove alt text and titles of drawings and VML shapes, and hyperlink tooltips."""
    count = 0
    for el in elements(root):
        name = localname(el)
        keys: Sequence[str] = ()
        if name in ("docPr", "cNvPr"):
            keys = ("descr", "title")
            el.set("name", f"Object {el.get('id', '')}".strip())
        elif etree.QName(el).namespace == V_NS:
            keys = ("alt", f"{{{O_NS}}}title")
        elif el.tag == _w("hyperlink"):
            keys = (_w("tooltip"),)
        for key in keys:
            if el.attrib.pop(key, None) is not None:
                count += 1
    return count


def remove_hidden_settings(root: Element) -> int:
    """Remove document variables, data bindings, the track-changes setting and XML comments."""
    found = [el for el in elements(root) if el.tag in _HIDDEN_SETTINGS]
    found += list(root.iter(etree.Comment, etree.ProcessingInstruction))
    for el in found:
        remove(el)
    return len(found)


def clear_field_codes(root: Element, needles: Needles) -> int:
    """Clear field instructions that hold a redacted string; the field's shown result stays."""
    count = 0
    for el in elements(root):
        if el.tag == _w("instrText") and needles.found_in(el.text or ""):
            el.text = ""
            count += 1
        elif el.tag == _w("fldSimple") and needles.found_in(el.get(_w("instr"), "")):
            unwrap(el)
            count += 1
    return count


# ----------------------------------------------------------------------------- properties


def clear_core_properties(root: Element) -> list[str]:
    """Remove the identifying core properties; returns the names of those that were set."""
    return _remove_fields(root, _CORE_FIELDS)


def clear_app_properties(root: Element) -> list[str]:
    return _remove_fields(root, _APP_FIELDS)


def _remove_fields(root: Element, tags: Iterable[str]) -> list[str]:
    cleared: list[str] = []
    for tag in tags:
        for el in list(root.iter(tag)):
            if "".join(el.itertext()).strip():
                cleared.append(localname(el))
            remove(el)
    return cleared
