"""A .docx as a zip of parts, edited in place: parse XML parts, drop parts with their relationships,
content-type overrides and the XML elements that point to them, and write the zip back.

Part names are zip member names (no leading "/"), as in ``Segment.part``.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from lxml import etree

from redactor.errors import RenderError

Element = Any  # an lxml element

R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = "[Content_Types].xml"
HYPERLINK_TYPE = "/hyperlink"

# Relationship types (by their last path segment) whose targets never leave: comments and who wrote
# them, custom XML and custom properties, embedded and linked files, controls, building blocks,
# the page thumbnail (a picture of the unredacted first page), template and sub-document paths.
DROPPED_REL_TYPES: dict[str, str] = {
    "comments": "comments",
    "commentsExtended": "comments",
    "commentsIds": "comments",
    "commentsExtensible": "comments",
    "people": "comments",
    "customXml": "custom XML",
    "custom-properties": "custom properties",
    "oleObject": "embedded objects",
    "package": "embedded objects",
    "aFChunk": "imported chunks (altChunk)",
    "control": "ActiveX controls",
    "glossaryDocument": "building blocks (glossary)",
    "thumbnail": "thumbnail",
    "attachedTemplate": "template path",
    "subDocument": "sub-documents",
}
DROPPED_FOLDERS: dict[str, str] = {
    "customxml/": "custom XML",
    "word/embeddings/": "embedded objects",
    "word/activex/": "ActiveX controls",
    "word/glossary/": "building blocks (glossary)",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def parse(data: bytes) -> Element:
    return etree.fromstring(data, parser=_PARSER)


def serialize(root: Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def rel_type_key(reltype: str) -> str:
    return reltype.rstrip("/").rsplit("/", 1)[-1]


def rels_name(part: str) -> str:
    """The relationships member of ``part`` ("" for the package relationships)."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


def source_of(rels: str) -> str:
    """The part a ``.rels`` member belongs to ("" for ``_rels/.rels``)."""
    folder, base = posixpath.split(rels)
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def resolve_target(source: str, target: str) -> str:
    """The member name a relative or absolute relationship target points to."""
    target = unquote(target)
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


@dataclass
class Package:
    infos: list[zipfile.ZipInfo]
    blobs: dict[str, bytes]
    trees: dict[str, Element] = field(default_factory=dict)
    dropped: dict[str, str] = field(default_factory=dict)  # part -> why
    removed_ids: dict[str, set[str]] = field(default_factory=dict)  # source part -> relationship ids

    @classmethod
    def read(cls, data: bytes) -> Package:
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                infos = archive.infolist()
                blobs = {i.filename: archive.read(i) for i in infos if not i.is_dir()}
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as e:
            raise RenderError(f"the .docx cannot be re-read for redaction ({type(e).__name__})") from e
        return cls([i for i in infos if not i.is_dir()], blobs)

    # ------------------------------------------------------------------ members

    def find(self, name: str) -> str | None:
        """The member name matching ``name`` (part names are case-insensitive), if any."""
        if name in self.blobs:
            return name
        lowered = name.lower()
        return next((n for n in self.blobs if n.lower() == lowered), None)

    def tree(self, name: str) -> Element:
        """The parsed XML of a member (parsed once; edits are written back by :meth:`to_bytes`)."""
        if name not in self.trees:
            try:
                self.trees[name] = parse(self.blobs[name])
            except (KeyError, etree.XMLSyntaxError) as e:
                raise RenderError(f"{name} cannot be parsed for redaction ({type(e).__name__})") from e
        return self.trees[name]

    def xml_members(self) -> Iterator[str]:
        return (n for n in list(self.blobs) if n.lower().endswith((".xml", ".rels")) and n not in self.dropped)

    def word_parts(self) -> Iterator[tuple[str, Element]]:
        """Every XML part whose root is WordprocessingML (document, headers, footers, notes, settings...)."""
        for name in self.xml_members():
            if name.lower().endswith(".xml") and name != CONTENT_TYPES:
                root = self.tree(name)
                if etree.QName(root).namespace == W_NS:
                    yield name, root

    def content_type(self, name: str) -> str:
        root = self.tree(CONTENT_TYPES)
        for o in root.iter(f"{{{CT_NS}}}Override"):
            if o.get("PartName", "").lstrip("/").lower() == name.lower():
                return str(o.get("ContentType", ""))
        return ""

    def parts_of_type(self, content_type: str) -> list[str]:
        root = self.tree(CONTENT_TYPES)
        found = (o.get("PartName", "").lstrip("/") for o in root.iter(f"{{{CT_NS}}}Override")
                 if o.get("ContentType") == content_type)
        return [n for n in (self.find(p) for p in found) if n is not None and n not in self.dropped]

    # ------------------------------------------------------------------ relationships

    def relationships(self) -> Iterator[tuple[str, Element]]:
        """(source part, Relationship element) for every relationship of every part still kept."""
        for name in self.xml_members():
            if name.lower().endswith(".rels"):
                for rel in list(self.tree(name).iter(f"{{{PR_NS}}}Relationship")):
                    yield source_of(name), rel

    def remove_relationship(self, source: str, rel: Element) -> None:
        rel.getparent().remove(rel)
        self.removed_ids.setdefault(source, set()).add(str(rel.get("Id", "")))

    # ------------------------------------------------------------------ dropping parts

    def drop_unsafe_parts(self) -> dict[str, int]:
        """Drop the parts named in DROPPED_FOLDERS / DROPPED_REL_TYPES, their relationships (and
        their own .rels), their content-type overrides and the elements that referred to them.
        Returns how many parts were dropped, by reason."""
        for name in list(self.blobs):
            why = next((w for f, w in DROPPED_FOLDERS.items() if name.lower().startswith(f)), None)
            if why:
                self.dropped[name] = why
        self._drop_by_relationship()
        self._drop_orphan_rels()
        self._remove_overrides()
        self.remove_references()
        counts: dict[str, int] = {}
        for name, why in self.dropped.items():
            if not name.lower().endswith(".rels"):
                counts[why] = counts.get(why, 0) + 1
        return counts

    def _drop_by_relationship(self) -> None:
        for source, rel in self.relationships():
            why = DROPPED_REL_TYPES.get(rel_type_key(str(rel.get("Type", ""))))
            internal = rel.get("TargetMode") != "External"
            target = self.find(resolve_target(source, str(rel.get("Target", "")))) if internal else None
            if why and target is not None:
                self.dropped.setdefault(target, why)
            if why or (target is not None and target in self.dropped):
                self.remove_relationship(source, rel)

    def _drop_orphan_rels(self) -> None:
        for name in list(self.blobs):
            if name.lower().endswith(".rels") and self.find(source_of(name)) in self.dropped:
                self.dropped[name] = self.dropped[str(self.find(source_of(name)))]

    def _remove_overrides(self) -> None:
        root = self.tree(CONTENT_TYPES)
        gone = {n.lower() for n in self.dropped}
        for o in list(root.iter(f"{{{CT_NS}}}Override")):
            if o.get("PartName", "").lstrip("/").lower() in gone:
                root.remove(o)

    def remove_references(self) -> None:
        """Remove what pointed to a removed relationship: a hyperlink loses its link (its text stays),
        an OLE object goes whole (``w:object``), any other element goes."""
        for source, ids in self.removed_ids.items():
            name = self.find(source)
            if name is None or name in self.dropped or not name.lower().endswith(".xml"):
                continue
            for el, attr in _references(self.tree(name), ids):
                _unlink(el, attr)

    # ------------------------------------------------------------------ writing

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for info in self.infos:
                if info.filename in self.dropped:
                    continue
                data = self.blobs[info.filename]
                if info.filename in self.trees:
                    data = serialize(self.trees[info.filename])
                fresh = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                fresh.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(fresh, data)
        return out.getvalue()


def _references(root: Element, ids: set[str]) -> list[tuple[Element, str]]:
    found: list[tuple[Element, str]] = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr, value in el.attrib.items():
            if attr.startswith(f"{{{R_NS}}}") and value in ids:
                found.append((el, attr))
    return found


def _unlink(el: Element, attr: str) -> None:
    if etree.QName(el).localname == "hyperlink":
        el.attrib.pop(attr, None)
        return
    gone = next((a for a in el.iterancestors(f"{{{W_NS}}}object")), el)
    parent = gone.getparent()
    if parent is not None:
        parent.remove(gone)
