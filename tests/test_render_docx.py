"""DOCX rendering against an adversarial document the test builds itself: every hidden place must
come out clean (checked by re-reading the raw zip, independently of the renderer), and what stays
must stay, formatting included. Verification must catch a renderer that misses a place."""

from __future__ import annotations

import html
import io
import re
import zipfile

import builders as b
import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

import redactor.render.docx as docx_render
from redactor.errors import RenderError, VerificationError
from redactor.ingest import from_bytes
from redactor.model import Document
from redactor.render import Redaction, Rendered, render
from redactor.render.plan import BLOCK, merge

SECRET = "Zanele Okonkwo"
EMAIL = "zanele.ok@example.org"
W = f"{{{b.W_NS}}}"
O_NS = "urn:schemas-microsoft-com:office:office"
PEOPLE_TYPE = "http://schemas.microsoft.com/office/2011/relationships/people"
# Strings the release removes wherever they appear in the document text.
REDACT = (SECRET, "Zanele", "12 Oak Road", "1 Hidden Lane", EMAIL, "SAL/25/047", "Dana Reed", "Amir Khan",
          "Lee Wong", "QQ 12 34 56 C")


# ----------------------------------------------------------------------------- the adversarial document


def _fragments(document: docx.document.Document) -> list[str]:
    link = document.part.relate_to(f"mailto:{EMAIL}", RT.HYPERLINK, is_external=True)
    ole = Part(PackURI("/word/embeddings/oleObject1.bin"), "application/vnd.openxmlformats-officedocument.oleObject",
               f"OLE stream naming {SECRET}".encode(), document.part.package)
    ole_id = document.part.relate_to(ole, RT.OLE_OBJECT)
    return [
        # a hyperlink split over two runs, with a tooltip naming her
        f'<w:p>{b._run("Email: ")}<w:hyperlink r:id="{link}" w:tooltip="Write to {SECRET}">'
        f'{b._run("zanele.ok")}{b._run("@example.org")}</w:hyperlink></w:p>',
        # tracked insertion (counts as text), deletion, a move, formatting and paragraph changes
        (f'<w:p><w:pPr><w:pPrChange w:id="7" w:author="Case Worker"><w:pPr/></w:pPrChange></w:pPr>'
         f'{b._run("Lives at ")}<w:ins w:id="1" w:author="Case Worker">{b._run("12 Oak Road")}</w:ins>'
         f'<w:del w:id="2" w:author="Case Worker"><w:r><w:delText>14 Elm Street</w:delText></w:r></w:del></w:p>'),
        (f'<w:p><w:moveFrom w:id="3" w:author="Case Worker"><w:r><w:t>Moved away from 3 Ash Close</w:t></w:r>'
         f'</w:moveFrom><w:moveTo w:id="4" w:author="Case Worker">{b._run("Moved here")}</w:moveTo>'
         '<w:r><w:rPr><w:b/><w:rPrChange w:id="8" w:author="Case Worker"><w:rPr/></w:rPrChange></w:rPr>'
         "<w:t>Risk high</w:t></w:r></w:p>"),
        # a field whose code holds her e-mail address (its shown result does not)
        (f'<w:p>{b._run("Contact ")}<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
         f'<w:r><w:instrText xml:space="preserve"> HYPERLINK "mailto:{EMAIL}" </w:instrText></w:r>'
         f'<w:r><w:fldChar w:fldCharType="separate"/></w:r>{b._run("by e-mail")}'
         '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'),
        b._textbox_paragraph("Refuge: 1 Hidden Lane"),
        # an embedded OLE object
        f'<w:p><w:r><w:object xmlns:o="{O_NS}"><o:OLEObject ProgID="Package" r:id="{ole_id}"/></w:object></w:r></w:p>',
    ]


def _add_parts(document: docx.document.Document) -> None:
    package = document.part.package
    custom = (f'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
              f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><property '
              f'fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="2" name="Victim"><vt:lpwstr>{SECRET}'
              "</vt:lpwstr></property></Properties>")
    package.relate_to(Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, custom.encode(), package),
                      RT.CUSTOM_PROPERTIES)
    item = Part(PackURI("/customXml/item9.xml"), CT.XML, f"<case><victim>{SECRET}</victim></case>".encode(), package)
    document.part.relate_to(item, RT.CUSTOM_XML)
    people = ('<w15:people xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml">'
              '<w15:person w15:author="Bob Worker"/></w15:people>')
    document.part.relate_to(Part(PackURI("/word/people.xml"), "application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.people+xml", people.encode(), package), PEOPLE_TYPE)


def _settings(document: docx.document.Document) -> None:
    doc_vars = etree.SubElement(document.settings.element, f"{W}docVars")
    etree.SubElement(doc_vars, f"{W}docVar", {f"{W}name": "victim", f"{W}val": SECRET})


def _properties(document: docx.document.Document) -> None:
    props = document.core_properties
    props.author = props.last_modified_by = "Dana Reed"
    props.title = f"Referral for {SECRET}"
    props.subject, props.keywords, props.category = "Zanele", SECRET, "Refuge referral"
    props.comments = f"Notes about {SECRET}"


def _with_app_properties(data: bytes) -> bytes:
    """Add Company and Manager to docProps/app.xml (python-docx has no API for them)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            blob = src.read(info)
            if info.filename == "docProps/app.xml":
                blob = blob.replace(b"</Properties>", b"<Company>Eastbrook Refuge Trust</Company>"
                                    b"<Manager>Dana Reed</Manager></Properties>")
            dst.writestr(info, blob)
    return out.getvalue()


def adversarial_docx() -> bytes:
    """A .docx hiding the victim's details in every place a Word file can."""
    document = docx.Document()
    document.add_paragraph("Marac minutes")
    p = document.add_paragraph()
    p.add_run("Victim: ").bold = True
    p.add_run("Za")
    p.add_run("nele Okon").italic = True
    p.add_run("kwo")
    p.add_run(" lives here.").underline = True
    for fragment in _fragments(document):
        b._body_append(document, fragment)
    table = document.add_table(rows=2, cols=2)
    for (row, col), text in {(0, 0): "Victim", (0, 1): SECRET, (1, 0): "NI number", (1, 1): "QQ 12 34 56 C"}.items():
        table.cell(row, col).text = text
    document.add_picture(io.BytesIO(b.png_bytes()))
    doc_pr = document.inline_shapes[0]._inline.docPr
    doc_pr.set("descr", f"Photo of {SECRET}")
    doc_pr.set("title", "Zanele at home")
    document.inline_shapes[0]._inline.graphic.graphicData.pic.nvPicPr.cNvPr.set("name", "Zanele_Okonkwo_home.png")
    document.element.body.insert(0, etree.Comment(" reviewer note on Zanele "))
    commented = document.add_paragraph("Comment anchor")
    document.add_comment(commented.runs, text="Check address with Zanele", author="Bob Worker", initials="BW")
    section = document.sections[0]
    section.header.paragraphs[0].text = f"OFFICIAL-SENSITIVE Ref SAL/25/047 re {SECRET}"
    section.footer.paragraphs[0].text = "Prepared by Dana Reed"
    b._notes_part(document, "footnote", "Footnote: seen by Dr Amir Khan")
    b._notes_part(document, "endnote", "Endnote: GP Dr Lee Wong")
    _add_parts(document)
    _settings(document)
    _properties(document)
    return _with_app_properties(b.docx_bytes(document))


def redactions_for(document: Document, strings: tuple[str, ...] = REDACT) -> tuple[Redaction, ...]:
    spans = [Redaction(m.start(), m.end(), "PERSON", "T1", "test rule")
             for s in strings for m in re.finditer(re.escape(s), document.text)]
    return merge(spans)


@pytest.fixture(scope="module")
def source() -> tuple[bytes, Document]:
    data = adversarial_docx()
    return data, from_bytes(data, "minutes.docx")


@pytest.fixture(scope="module")
def output(source: tuple[bytes, Document]) -> Rendered:
    data, document = source
    return render(document, data, redactions_for(document))


# ----------------------------------------------------------------------------- independent re-reading


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {i.filename: archive.read(i) for i in archive.infolist()}


def norm(text: str) -> str:
    return "".join(text.casefold().split())


def holds(blob: bytes, needle: str) -> bool:
    """True if ``needle`` is in the bytes, read as UTF-8 (entities decoded), Latin-1 or UTF-16."""
    views = [html.unescape(blob.decode("utf-8", "ignore")), blob.decode("latin-1"), blob.decode("utf-16-le", "ignore")]
    return any(norm(needle) in norm(v) for v in views)


def places_holding(data: bytes, needle: str) -> list[str]:
    return [name for name, blob in members(data).items() if holds(blob, needle)]


def tags(blob: bytes) -> set[str]:
    return {etree.QName(el).localname for el in etree.fromstring(blob).iter() if isinstance(el.tag, str)}


# ----------------------------------------------------------------------------- every hidden place

# (place, zip member in the input, a string hidden there). The input must hold it; the output must not.
HIDDEN_PLACES = [
    ("name split over three runs", "word/document.xml", "Za</w:t>"),
    ("hyperlink text over two runs", "word/document.xml", "zanele.ok</w:t>"),
    ("hyperlink target", "word/_rels/document.xml.rels", f"mailto:{EMAIL}"),
    ("hyperlink tooltip", "word/document.xml", f"Write to {SECRET}"),
    ("tracked insertion", "word/document.xml", "12 Oak Road"),
    ("tracked deletion (w:delText)", "word/document.xml", "14 Elm Street"),
    ("tracked move (w:moveFrom)", "word/document.xml", "3 Ash Close"),
    ("reviser name on tracked changes", "word/document.xml", "Case Worker"),
    ("field code (w:instrText)", "word/document.xml", f'HYPERLINK "mailto:{EMAIL}"'),
    ("text box (mc:Choice and mc:Fallback)", "word/document.xml", "1 Hidden Lane"),
    ("table cell", "word/document.xml", "QQ 12 34 56 C"),
    ("alt text description (wp:docPr descr)", "word/document.xml", f"Photo of {SECRET}"),
    ("alt text title (wp:docPr title)", "word/document.xml", "Zanele at home"),
    ("picture file name (pic:cNvPr name)", "word/document.xml", "Zanele_Okonkwo_home.png"),
    ("XML comment", "word/document.xml", "reviewer note on Zanele"),
    ("comment text", "word/comments.xml", "Check address with Zanele"),
    ("comment author", "word/comments.xml", "Bob Worker"),
    ("people part (comment authors)", "word/people.xml", "Bob Worker"),
    ("header", "word/header1.xml", "SAL/25/047"),
    ("footer", "word/footer1.xml", "Dana Reed"),
    ("footnote", "word/footnotes.xml", "Amir Khan"),
    ("endnote", "word/endnotes.xml", "Lee Wong"),
    ("core property title", "docProps/core.xml", f"Referral for {SECRET}"),
    ("core property author / last modified by", "docProps/core.xml", "Dana Reed"),
    ("core property subject/keywords/comments", "docProps/core.xml", f"Notes about {SECRET}"),
    ("core property category", "docProps/core.xml", "Refuge referral"),
    ("app property company", "docProps/app.xml", "Eastbrook Refuge Trust"),
    ("app property manager", "docProps/app.xml", "Dana Reed"),
    ("custom property", "docProps/custom.xml", SECRET),
    ("custom XML part", "customXml/item9.xml", SECRET),
    ("embedded OLE object", "word/embeddings/oleObject1.bin", SECRET),
    ("document variable (w:docVars)", "word/settings.xml", SECRET),
]


@pytest.mark.parametrize(("place", "member", "hidden"), HIDDEN_PLACES, ids=[p[0] for p in HIDDEN_PLACES])
def test_hidden_place_comes_out_clean(source: tuple[bytes, Document], output: Rendered, place: str, member: str,
                                      hidden: str) -> None:
    before = members(source[0])
    assert member in before and holds(before[member], hidden), f"the test document lacks {place}"
    after = members(output.data)
    assert member not in after or not holds(after[member], hidden)


@pytest.mark.parametrize("needle", [*REDACT, "14 Elm Street", "3 Ash Close", "Bob Worker", "Case Worker",
                                    "Eastbrook Refuge Trust", "zanele.ok"])
def test_no_member_of_the_output_holds_a_secret(output: Rendered, needle: str) -> None:
    assert places_holding(output.data, needle) == []


@pytest.mark.parametrize("member", ["word/comments.xml", "word/people.xml", "docProps/custom.xml",
                                    "customXml/item9.xml", "word/embeddings/oleObject1.bin", "docProps/thumbnail.jpeg"])
def test_unsafe_parts_are_gone_with_their_references(source: tuple[bytes, Document], output: Rendered,
                                                     member: str) -> None:
    assert member in members(source[0])
    after = members(output.data)
    assert member not in after
    referring = [n for n, blob in after.items() if n.endswith((".rels", "[Content_Types].xml"))
                 and member.rsplit("/", 1)[-1].encode() in blob]
    assert referring == []


@pytest.mark.parametrize(("member", "gone"), [
    ("word/document.xml", {"commentRangeStart", "commentRangeEnd", "commentReference", "ins", "del", "delText",
                           "moveFrom", "moveTo", "rPrChange", "pPrChange", "object", "OLEObject"}),
    ("word/settings.xml", {"docVars", "docVar"}),
    ("docProps/core.xml", {"creator", "lastModifiedBy", "title", "subject", "keywords", "description", "category"}),
    ("docProps/app.xml", {"Company", "Manager"}),
])
def test_markup_that_hides_text_or_names_is_removed(output: Rendered, member: str, gone: set[str]) -> None:
    assert tags(members(output.data)[member]) & gone == set()


def test_alt_text_and_tooltip_attributes_are_removed(output: Rendered) -> None:
    root = etree.fromstring(members(output.data)["word/document.xml"])
    doc_prs = [el for el in root.iter() if isinstance(el.tag, str) and etree.QName(el).localname in ("docPr", "cNvPr")]
    assert doc_prs and all(el.get("descr") is None and el.get("title") is None for el in doc_prs)
    assert all(el.get(f"{W}tooltip") is None for el in root.iter(f"{W}hyperlink"))


def test_text_box_fallback_is_the_redacted_choice(output: Rendered) -> None:
    root = etree.fromstring(members(output.data)["word/document.xml"])
    mc = b.NSMAP["mc"]
    choice = "".join(next(root.iter(f"{{{mc}}}Choice")).itertext())
    fallback = "".join(next(root.iter(f"{{{mc}}}Fallback")).itertext())
    assert choice == fallback == f"Refuge: {BLOCK}"


# ----------------------------------------------------------------------------- what stays, stays


def test_visible_text_around_redactions_is_intact(output: Rendered) -> None:
    text = from_bytes(output.data, "out.docx").text.split("\n")
    for line in [
        "Marac minutes",
        f"Victim: {BLOCK} lives here.",
        f"Email: {BLOCK}",
        f"Lives at {BLOCK}",
        "Moved hereRisk high",
        "Contact by e-mail",
        f"Refuge: {BLOCK}",
        f"OFFICIAL-SENSITIVE Ref {BLOCK} re {BLOCK}",
        f"Prepared by {BLOCK}",
        f"Footnote: seen by Dr {BLOCK}",
        f"Endnote: GP Dr {BLOCK}",
        "Comment anchor",
        "NI number",
    ]:
        assert line in text


def test_marker_goes_in_the_first_run_and_formatting_is_kept(output: Rendered) -> None:
    paragraph = docx.Document(io.BytesIO(output.data)).paragraphs[1]
    runs = paragraph.runs
    assert [r.text for r in runs] == ["Victim: ", BLOCK, "", "", " lives here."]
    assert runs[0].bold and runs[2].italic and runs[4].underline
    assert not runs[1].bold and not runs[4].bold


def test_structure_is_kept(source: tuple[bytes, Document], output: Rendered) -> None:
    before, after = docx.Document(io.BytesIO(source[0])), docx.Document(io.BytesIO(output.data))
    assert len(after.paragraphs) == len(before.paragraphs)
    assert [p.style.name for p in after.paragraphs] == [p.style.name for p in before.paragraphs]
    assert [[c.text for c in row.cells] for row in after.tables[0].rows] == [["Victim", BLOCK], ["NI number", BLOCK]]
    assert len(after.inline_shapes) == 1


def test_the_log_names_places_not_text(output: Rendered) -> None:
    locations = [e.location for e in output.log]
    assert "word/document.xml paragraph 1 runs 1-3" in locations
    assert any(loc.startswith("word/footer1.xml paragraph 0") for loc in locations)
    assert all(norm(s) not in norm(repr(output.log) + repr(output.notes)) for s in REDACT)
    assert any("comments" in n for n in output.notes) and any("tracked changes" in n for n in output.notes)


def test_rule_marker_and_untouched_document() -> None:
    data = b.simple_docx_bytes("Name: Zanele Okonkwo", "Nothing to see")
    document = from_bytes(data, "a.docx")
    out = render(document, data, redactions_for(document, (SECRET,)), marker="rule")
    assert from_bytes(out.data, "b.docx").text == "Name: [REDACTED: T1]\nNothing to see"
    untouched = render(document, data, ())
    assert from_bytes(untouched.data, "c.docx").text == document.text


def test_redaction_across_paragraphs_and_breaks() -> None:
    document = docx.Document()
    document.add_paragraph("Case 2 Okafor family")
    b._body_append(document, "<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t><w:tab/><w:t>end</w:t>"
                             "</w:r></w:p>")
    document.add_paragraph("Case 3 stays")
    data = b.docx_bytes(document)
    source = from_bytes(data, "x.docx")
    start, end = source.text.index("Case 2"), source.text.index("end") + 3
    out = render(source, data, [Redaction(start, end, "OUT_OF_SCOPE", "S1", "other case")])
    assert from_bytes(out.data, "y.docx").text == f"{BLOCK}\n\nCase 3 stays"
    assert places_holding(out.data, "Line one") == [] and places_holding(out.data, "Okafor") == []


# ----------------------------------------------------------------------------- failures


def test_verification_catches_a_renderer_that_skips_footers(monkeypatch: pytest.MonkeyPatch,
                                                            source: tuple[bytes, Document]) -> None:
    real = docx_render.apply_cuts

    def skip_footers(package: object, edits: docx_render.Edits) -> dict[str, set[str]]:
        edits.cuts = {k: v for k, v in edits.cuts.items() if "footer" not in k[0]}
        return real(package, edits)  # type: ignore[arg-type]

    monkeypatch.setattr(docx_render, "apply_cuts", skip_footers)
    data, document = source
    with pytest.raises(VerificationError) as caught:
        render(document, data, redactions_for(document))
    message = str(caught.value)
    assert "word/footer1.xml" in message and "Dana" not in message and "\n" not in message


def test_verification_catches_a_renderer_that_keeps_the_fallback(monkeypatch: pytest.MonkeyPatch,
                                                                 source: tuple[bytes, Document]) -> None:
    monkeypatch.setattr(docx_render.clean, "copy_text_boxes_to_fallbacks", lambda root: 0)
    data, document = source
    with pytest.raises(VerificationError, match=r"word/document\.xml"):
        render(document, data, redactions_for(document))


def test_bytes_of_another_file_are_refused(source: tuple[bytes, Document]) -> None:
    other = b.simple_docx_bytes("Name: Zanele Okonkwo")
    with pytest.raises(RenderError, match="not the file that was scanned"):
        render(source[1], other, redactions_for(source[1]))


def test_a_run_that_no_longer_matches_is_refused(source: tuple[bytes, Document]) -> None:
    data, document = source
    changed = Document(document.text, "docx", document.name, "", document.segments[:1] + tuple(
        s.__class__(s.start, s.end, s.part, s.paragraph, s.run + 1, s.offset) for s in document.segments[1:]))
    with pytest.raises(RenderError, match="does not hold the text that was scanned"):
        render(changed, data, redactions_for(document))


def test_package_stays_consistent(output: Rendered) -> None:
    """Every relationship id used exists, every internal target and content-type override names a part."""
    import posixpath

    parts = members(output.data)
    r_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    for name, blob in parts.items():
        if not name.endswith(".rels"):
            continue
        folder, base = posixpath.split(name)
        source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
        rels = etree.fromstring(blob)
        ids = {r.get("Id") for r in rels}
        for rel in rels:
            if rel.get("TargetMode") != "External":
                target = posixpath.normpath(posixpath.join(posixpath.dirname(source), rel.get("Target")))
                assert target.lstrip("/") in parts, (name, rel.get("Target"))
        if source in parts and source.endswith(".xml"):
            used = {v for el in etree.fromstring(parts[source]).iter() if isinstance(el.tag, str)
                    for k, v in el.attrib.items() if k.startswith(r_ns)}
            assert used <= ids, (source, used - ids)
    overrides = etree.fromstring(parts["[Content_Types].xml"])
    assert all(o.get("PartName").lstrip("/") in parts for o in overrides if o.get("PartName"))
