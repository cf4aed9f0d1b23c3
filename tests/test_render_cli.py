"""``marac-redact redact``: the happy paths (text, docx, pdf), blocked releases, unresolved review,
held documents, bad input and bad output paths, and a verification failure: every failure is one
line on stderr, exit 2, and nothing at all is written.

Most tests run the CLI in-process with a small stub detector (so they do not need the models);
the subprocess tests run the real command, and its happy paths need the full detector."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import builders as b
import docx
import pytest

import redactor.render.docx as docx_render
from redactor import cli, paths
from redactor.ingest import from_bytes
from redactor.model import Finding
from redactor.pipeline import Redactor
from redactor.policy import load_policy
from redactor.release import load_directory
from redactor.render.plan import BLOCK

NI = "QQ 12 34 56 C"
TEXT = f"Victim: Amina Osei, NI number {NI}.\nRef SAL/25/047\n"
RELEASE = ["--recipient", "housing", "--purpose", "safeguarding", "--marac-agreement"]
MODEL_MISSING = "immigration model"


class StubDetector:
    """NI numbers (policy I3: always redacted), references (I5: review for housing), one name (I6: kept)."""

    patterns = {"NI_NUMBER": r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", "REFERENCE": r"SAL/\d\d/\d{3}",
                "PERSON": r"Amina Osei"}

    def detect_text(self, text: str) -> tuple[Finding, ...]:
        found = [Finding(m.start(), m.end(), label, 1.0, "stub")
                 for label, rx in self.patterns.items() for m in re.finditer(rx, text)]
        return tuple(sorted(found, key=lambda f: f.start))


@pytest.fixture(autouse=True)
def stub_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = paths.rules_dir()
    stub = Redactor(StubDetector(), load_policy(rules / "policy.yaml"),  # type: ignore[arg-type]
                    load_directory(rules / "recipients.yaml"))
    monkeypatch.setattr(Redactor, "load", classmethod(lambda cls, rules=None: stub))


def redact(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = cli.main(["redact", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("marac-redact: error: ") and "Traceback" not in err
    return lines[0]


# ----------------------------------------------------------------------------- happy paths


def test_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = b.write(tmp_path / "minutes.txt", TEXT.encode())
    out = tmp_path / "out.txt"
    code, stdout, err = redact(capsys, str(src), "-o", str(out), *RELEASE, "--review-as-redact")
    assert code == 0, err
    assert out.read_text() == f"Victim: Amina Osei, NI number {BLOCK}.\nRef {BLOCK}\n"
    assert files(tmp_path) == ["minutes.txt", "out.txt", "out.txt.redactions.csv", "out.txt.redactions.json"]
    log = json.loads((tmp_path / "out.txt.redactions.json").read_text())
    assert [(r["label"], r["rule"]) for r in log["redactions"]] == [("NI_NUMBER", "I3"), ("REFERENCE", "I5")]
    assert log["release"]["recipient"] == "housing" and log["review_as_redact"] is True
    assert log["output_sha256"] and log["source"] == "minutes.txt"
    for name in ("out.txt.redactions.csv", "out.txt.redactions.json"):
        content = (tmp_path / name).read_text()
        assert "QQ" not in content and "SAL/25" not in content
    assert "wrote" in stdout


def test_docx_with_rule_marker(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = docx.Document()
    document.add_paragraph("Victim: Amina Osei")
    document.sections[0].footer.paragraphs[0].text = f"NI {NI}"
    document.core_properties.author = "Dana Reed"
    src = b.write(tmp_path / "minutes.docx", b.docx_bytes(document))
    out = tmp_path / "redacted.docx"
    code, _, err = redact(capsys, str(src), "-o", str(out), *RELEASE, "--marker", "rule")
    assert code == 0, err
    result = from_bytes(out.read_bytes(), "redacted.docx")
    assert result.text == "Victim: Amina Osei\nNI [REDACTED: I3]"
    with zipfile.ZipFile(out) as archive:
        assert all(b"Dana Reed" not in archive.read(n) and b"QQ 12" not in archive.read(n) for n in archive.namelist())
    rows = (tmp_path / "redacted.docx.redactions.csv").read_text().splitlines()
    assert rows[1].startswith("1,word/footer1.xml paragraph 0 run 0,NI_NUMBER,I3,")


def test_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = b.write(tmp_path / "referral.pdf", b.pdf_bytes([["Victim: Amina Osei", f"NI {NI}"]], metadata=True))
    out = tmp_path / "redacted.pdf"
    code, stdout, err = redact(capsys, str(src), "-o", str(out), *RELEASE)
    assert code == 0, err
    assert "re-rendered as images" in stdout
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(out.read_bytes()))
    assert not reader.metadata and (reader.pages[0].extract_text() or "") == ""
    assert json.loads((tmp_path / "redacted.pdf.redactions.json").read_text())["redactions"][0]["where"]["page"] == 1


# ----------------------------------------------------------------------------- refusals: nothing written


def test_blocked_release_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = b.write(tmp_path / "minutes.txt", TEXT.encode())
    code, _, err = redact(capsys, str(src), "-o", str(tmp_path / "out.txt"), "--recipient", "housing",
                          "--purpose", "safeguarding")
    assert code == 2 and "release blocked by G1" in one_error_line(err) and "To unblock" in err
    assert files(tmp_path) == ["minutes.txt"]


@pytest.mark.parametrize(("extra", "message"), [
    ([], "1 finding still needs a person's decision"),
    (["--recipient", "housing"], "needs both --recipient and --purpose"),
])
def test_unresolved_or_incomplete_release_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                          extra: list[str], message: str) -> None:
    src = b.write(tmp_path / "minutes.txt", TEXT.encode())
    args = extra or RELEASE
    code, _, err = redact(capsys, str(src), "-o", str(tmp_path / "out.txt"), *args)
    assert code == 2 and message in one_error_line(err)
    assert files(tmp_path) == ["minutes.txt"]


def test_held_document_needs_a_person(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = b.docx_with_related_part_bytes("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                                          "oleObject", "/word/embeddings/oleObject1.bin")
    src = b.write(tmp_path / "held.docx", data)
    out = tmp_path / "out.docx"
    code, _, err = redact(capsys, str(src), "-o", str(out), *RELEASE)
    assert code == 2 and "held (H1)" in one_error_line(err) and files(tmp_path) == ["held.docx"]
    code, _, err = redact(capsys, str(src), "-o", str(out), *RELEASE, "--review-as-redact")
    assert code == 0, err
    with zipfile.ZipFile(out) as archive:
        assert not [n for n in archive.namelist() if "embeddings" in n]


def _bad_inputs() -> dict[str, tuple[str, bytes]]:
    docx_data = b.simple_docx_bytes("Victim: Amina Osei")
    pdf_data = b.pdf_bytes([["Victim: Amina Osei"]])
    return {
        "empty": ("empty.txt", b""),
        "blank": ("blank.txt", b"  \n\t\n"),
        "truncated docx": ("cut.docx", docx_data[: len(docx_data) // 2]),
        "corrupt docx": ("broken.docx", b"PK\x03\x04" + b"garbage" * 50),
        "damaged docx member": ("damaged.docx", b.corrupt_member_docx_bytes()),
        "password docx": ("locked.docx", b.ole_bytes("EncryptedPackage")),
        "zip bomb": ("bomb.docx", b.zip_bomb_docx_bytes()),
        "png as docx": ("picture.docx", b.png_bytes()),
        "xlsx as docx": ("sheet.docx", b.xlsx_like_bytes()),
        "text as pdf": ("notes.pdf", b"Victim: Amina Osei"),
        "truncated pdf": ("cut.pdf", pdf_data[: len(pdf_data) // 2]),
        "password pdf": ("locked.pdf", b.encrypted_pdf_bytes()),
        "pdf as docx": ("report.docx", pdf_data),
        "binary as text": ("notes.txt", b"\x00\x01\x02 binary"),
    }


BAD = _bad_inputs()


@pytest.mark.parametrize("kind", sorted(BAD))
def test_bad_input_one_line_and_nothing_written(tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str) -> None:
    name, data = BAD[kind]
    src = b.write(tmp_path / name, data)
    out = tmp_path / f"out{src.suffix}"
    code, stdout, err = redact(capsys, str(src), "-o", str(out), *RELEASE)
    assert code == 2 and stdout == ""
    one_error_line(err)
    assert files(tmp_path) == [name]


def test_over_the_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = b.write(tmp_path / "minutes.txt", TEXT.encode())
    code, _, err = redact(capsys, str(src), "-o", str(tmp_path / "out.txt"), *RELEASE, "--max-bytes", "20")
    assert code == 2 and "over the limit of 20" in one_error_line(err) and files(tmp_path) == ["minutes.txt"]


def test_missing_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = redact(capsys, str(tmp_path / "absent.txt"), "-o", str(tmp_path / "out.txt"), *RELEASE)
    assert code == 2 and "not found" in one_error_line(err) and files(tmp_path) == []


@pytest.mark.parametrize(("output", "message"), [
    ("out.pdf", "must be a text file"),
    ("missing-folder/out.txt", "does not exist"),
    ("minutes.txt", "would overwrite the input"),
])
def test_bad_output_path(tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, message: str) -> None:
    src = b.write(tmp_path / "minutes.txt", TEXT.encode())
    code, _, err = redact(capsys, str(src), "-o", str(tmp_path / output), *RELEASE)
    assert code == 2 and message in one_error_line(err)
    assert files(tmp_path) == ["minutes.txt"] and src.read_bytes() == TEXT.encode()


def test_verification_failure_writes_nothing_and_keeps_an_old_output(tmp_path: Path,
                                                                    capsys: pytest.CaptureFixture[str],
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    real = docx_render.apply_cuts

    def skip_footers(package: object, edits: docx_render.Edits) -> dict[str, set[str]]:
        edits.cuts = {k: v for k, v in edits.cuts.items() if "footer" not in k[0]}
        return real(package, edits)  # type: ignore[arg-type]

    monkeypatch.setattr(docx_render, "apply_cuts", skip_footers)
    document = docx.Document()
    document.add_paragraph(f"NI {NI}")
    document.sections[0].footer.paragraphs[0].text = f"Footer NI {NI}"
    src = b.write(tmp_path / "minutes.docx", b.docx_bytes(document))
    old = b.write(tmp_path / "out.docx", b"an older output")
    code, _, err = redact(capsys, str(src), "-o", str(old), *RELEASE)
    line = one_error_line(err)
    assert code == 2 and "verification failed" in line and "word/footer1.xml" in line and "QQ" not in line
    assert files(tmp_path) == ["minutes.docx", "out.docx"] and old.read_bytes() == b"an older output"


# ----------------------------------------------------------------------------- the real command


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "redactor", "redact", *args], capture_output=True, text=True,
                          timeout=600)


def skip_if_model_missing(result: subprocess.CompletedProcess[str]) -> None:
    if result.returncode != 0 and MODEL_MISSING in result.stderr and "cannot be loaded" in result.stderr:
        pytest.skip("the full detector cannot load: the immigration model (models/immigration/) is not there yet")


@pytest.mark.parametrize("kind", ["empty", "corrupt docx", "password pdf", "png as docx", "zip bomb"])
def test_real_command_bad_input(tmp_path: Path, kind: str) -> None:
    name, data = BAD[kind]
    src = b.write(tmp_path / name, data)
    result = run(str(src), "-o", str(tmp_path / f"out{src.suffix}"), *RELEASE)
    assert result.returncode == 2 and result.stdout == ""
    one_error_line(result.stderr)
    assert files(tmp_path) == [name]


def test_real_command_blocked_release(tmp_path: Path) -> None:
    src = b.write(tmp_path / "minutes.txt", TEXT.encode())
    result = run(str(src), "-o", str(tmp_path / "out.txt"), "--recipient", "immigration_enforcement",
                 "--purpose", "safeguarding", "--marac-agreement")
    assert result.returncode == 2 and "release blocked by G2" in one_error_line(result.stderr)
    assert files(tmp_path) == ["minutes.txt"]


@pytest.mark.parametrize("suffix", [".txt", ".docx"])
def test_real_command_happy_path(tmp_path: Path, suffix: str) -> None:
    text = f"Victim: Amina Osei. Her NI number is {NI}."
    data = text.encode() if suffix == ".txt" else b.simple_docx_bytes(text)
    src = b.write(tmp_path / f"minutes{suffix}", data)
    out = tmp_path / f"out{suffix}"
    result = run(str(src), "-o", str(out), *RELEASE, "--review-as-redact")
    skip_if_model_missing(result)
    assert result.returncode == 0, result.stderr
    redacted = from_bytes(out.read_bytes(), out.name).text
    assert NI not in redacted and "NI number is" in redacted
    assert files(tmp_path) == sorted([src.name, out.name, f"{out.name}.redactions.csv", f"{out.name}.redactions.json"])
