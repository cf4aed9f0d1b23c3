"""Write the demo documents the review app starts with (``sample_docs/files/``).

Every name, address and number is fictional: the texts are taken from ``sample_docs/dev.jsonl``
(written for this project, see ``sample_docs/AUTHORING.md``). The output is committed; run this
again only to change it:

    python tools/make_demo_files.py [--out sample_docs/files]
"""

from __future__ import annotations

import argparse
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import docx
from docx.shared import Pt

ROOT = Path(__file__).resolve().parent.parent
WHEN = datetime(2025, 10, 2, 9, 0, tzinfo=UTC)  # fixed, so that the files are the same byte for byte every run
DEV = ROOT / "sample_docs" / "dev.jsonl"
FILES = {
    "dev-min-019": "minutes-chesterford-2025-10-02.docx",
    "dev-let-021": "letter-calderdale-homes.docx",
    "dev-imma-026": "health-visiting-record.pdf",
    "hx-017": "email-police-request.txt",
}


def texts() -> dict[str, str]:
    out = {}
    with DEV.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            if doc["id"] in FILES:
                out[doc["id"]] = doc["text"]
    missing = set(FILES) - set(out)
    if missing:
        raise SystemExit(f"not in {DEV.name}: {', '.join(sorted(missing))}")
    return out


def write_docx(text: str, path: Path) -> None:
    d = docx.Document()
    style = d.styles["Normal"]
    style.font.name = "Calibri"  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    for line in text.split("\n"):
        d.add_paragraph(line)
    d.core_properties.author = "marac-redact demo"
    d.core_properties.title = ""
    d.core_properties.created = d.core_properties.modified = WHEN.replace(tzinfo=None)
    out = io.BytesIO()
    d.save(out)
    path.write_bytes(_fixed_times(out.getvalue()))


def _fixed_times(data: bytes) -> bytes:
    """The same zip with every member dated WHEN (python-docx stamps the time of writing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(zipfile.ZipInfo(info.filename, WHEN.timetuple()[:6]), src.read(info.filename),
                         zipfile.ZIP_DEFLATED)
    return out.getvalue()


def write_pdf(text: str, path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creator("marac-redact demo")
    pdf.set_creation_date(WHEN)
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for line in text.split("\n"):
        pdf.multi_cell(0, 5, line.encode("latin-1", "replace").decode("latin-1") or " ",
                       new_x="LMARGIN", new_y="NEXT")
    path.write_bytes(bytes(pdf.output()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "sample_docs" / "files")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for doc_id, text in texts().items():
        path = args.out / FILES[doc_id]
        if path.suffix == ".docx":
            write_docx(text, path)
        elif path.suffix == ".pdf":
            write_pdf(text, path)
        else:
            path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
