"""The CLI contract (other issues and external evaluation rely on it) and its bad-input behaviour."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

SAMPLE = (
    "MARAC MINUTES - Eastbrook - 4 June\nCASE 1 - Victim: Amina Osei (DOB 03/04/1991), "
    "14 Larch Road, Eastbrook EB2 4TT, tel 07700 900123\nPerpetrator: Kofi Osei.\n"
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redactor", *args], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def bad_files(tmp: Path) -> dict[str, Path]:
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    png = tmp / "picture.docx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    corrupt = tmp / "broken.docx"
    corrupt.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    ole = tmp / "locked.docx"
    ole.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    pdf = tmp / "truncated.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj <<>>")
    unknown = tmp / "notes.xyz"
    unknown.write_text("hello")
    emptyzip = tmp / "nothing.docx"
    with zipfile.ZipFile(emptyzip, "w") as z:
        z.writestr("readme.txt", "no word here")
    return {
        "missing": tmp / "absent.txt",
        "empty": empty,
        "png": png,
        "corrupt": corrupt,
        "ole": ole,
        "pdf": pdf,
        "unknown": unknown,
        "emptyzip": emptyzip,
    }


@pytest.mark.parametrize("kind", ["missing", "empty", "png", "corrupt", "ole", "pdf", "unknown", "emptyzip"])
def test_bad_input_one_line_nonzero_no_traceback(tmp_path: Path, kind: str) -> None:
    path = bad_files(tmp_path)[kind]
    result = run("scan", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("marac-redact: error: ")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_scan_json_contract(tmp_path: Path) -> None:
    f = tmp_path / "minutes.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    result = run("scan", str(f), "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["text"] == SAMPLE
    keys = {"start", "end", "label", "category", "subject", "score", "decision", "rule", "reason"}
    assert data["findings"] and all(keys <= set(x) for x in data["findings"])
    got = {(x["label"], data["text"][x["start"] : x["end"]]) for x in data["findings"]}
    assert {
        ("PERSON", "Amina Osei"),
        ("PHONE_NUMBER", "07700 900123"),
        ("ADDRESS", "14 Larch Road, Eastbrook EB2 4TT"),
    } <= got


def test_scan_table(tmp_path: Path) -> None:
    f = tmp_path / "minutes.txt"
    f.write_text(SAMPLE, encoding="utf-8")
    result = run("scan", str(f))
    assert result.returncode == 0 and "PHONE_NUMBER" in result.stdout and "findings" in result.stdout


def test_batch_keeps_order_and_reads_only_its_keys(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    lines = [
        {"id": "b", "text": SAMPLE, "spans": "never read", "doc_type": "minutes"},
        {"id": "a", "text": "Call Ms Petrova on 07700 900999."},
        {"id": 3, "text": "   "},
    ]
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = tmp_path / "pred.jsonl"
    result = run("batch", str(src), "-o", str(out))
    assert result.returncode == 0, result.stderr
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["b", "a", "3"]
    assert all(set(r) >= {"id", "findings", "release_allowed"} and "text" not in r for r in rows)
    assert any(x["label"] == "PHONE_NUMBER" for x in rows[1]["findings"])
    assert rows[2]["findings"] == []


def test_batch_workers_keep_order_and_give_the_same_findings(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    texts = [SAMPLE, "Call Ms Petrova on 07700 900999.", "DOB 03/04/1991, NI QQ 12 34 56 C"] * 12  # 36 docs
    src.write_text("".join(json.dumps({"id": f"d{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    found = {}
    for workers in ("1", "2"):
        out = tmp_path / f"pred{workers}.jsonl"
        result = run("batch", str(src), "-o", str(out), "--workers", workers)
        assert result.returncode == 0, result.stderr
        rows = [json.loads(x) for x in out.read_text().splitlines()]
        # Presidio's duplicate removal may name either of two recognizers that found the same span
        found[workers] = [(r["id"], [(f["start"], f["end"], f["label"]) for f in r["findings"]]) for r in rows]
    assert [i for i, _ in found["2"]] == [f"d{i}" for i in range(len(texts))]
    assert found["1"] == found["2"] and any(spans for _, spans in found["1"])


def test_batch_refuses_zero_workers(tmp_path: Path) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "x y"}) + "\n")
    result = run("batch", str(src), "-o", str(tmp_path / "o.jsonl"), "--workers", "0")
    assert result.returncode == 2 and "--workers" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("line", ['{"id": "x"}', "not json", '["a list"]', '{"id": "x", "text": 5}'])
def test_batch_bad_line_writes_nothing(tmp_path: Path, line: str) -> None:
    src = tmp_path / "docs.jsonl"
    src.write_text(json.dumps({"id": "ok", "text": "fine"}) + "\n" + line + "\n")
    out = tmp_path / "pred.jsonl"
    result = run("batch", str(src), "-o", str(out))
    assert result.returncode == 2 and "docs.jsonl:2" in result.stderr
    assert not out.exists() and "Traceback" not in result.stderr


def test_eval_prints_system_and_baselines(tmp_path: Path) -> None:
    text = "Victim: Amina Osei. Her leave to remain ran out in March. Call 07700 900123."
    gold = {
        "id": "g1",
        "doc_type": "notes",
        "text": text,
        "spans": [
            {"start": 8, "end": 18, "label": "PERSON"},
            {"start": 20, "end": 57, "label": "IMMIGRATION", "category": "STATUS", "subject": "victim"},
            {"start": 63, "end": 75, "label": "PHONE_NUMBER"},
        ],
    }
    f = tmp_path / "gold.jsonl"
    f.write_text(json.dumps(gold) + "\n")
    result = run("eval", str(f), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["system"]["labels"]["PHONE_NUMBER"]["recall"] == 1.0
    assert {"keyword_baseline", "stock_presidio"} <= set(report)


BROKEN_MENTION = '[{"text": "abc", "annotations": {"a1": {"entity_mentions": [{"start_offset": 0}]}}}]'


@pytest.mark.parametrize("body", [BROKEN_MENTION, '{"not": "a list"}', "not json"])
def test_eval_tab_bad_file_is_one_line(tmp_path: Path, body: str) -> None:
    f = tmp_path / "tab.json"
    f.write_text(body)
    result = run("eval-tab", str(f))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("no terminal", "set MARAC_REDACT_PASSWORD"),
        ("not utf-8", "cannot read the users file"),
        ("unwritable", "cannot write the users file"),
        ("db folder", "cannot create the folder"),
    ],
)
def test_admin_commands_fail_in_one_line(tmp_path: Path, case: str, message: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MARAC_REDACT_PASSWORD", "MARAC_REDACT_USERS")}
    args = ["users", "add", "abc", "--role", "dpo", "--users", str(tmp_path / "users.yaml")]
    if case != "no terminal":
        env["MARAC_REDACT_PASSWORD"] = "long enough 1"
    if case == "not utf-8":
        (tmp_path / "users.yaml").write_bytes(b"\xff\xfe")
    if case == "unwritable":
        (tmp_path / "file").write_text("x")
        args[-1] = str(tmp_path / "file" / "users.yaml")  # a folder that is a file
    if case == "db folder":
        (tmp_path / "file").write_text("x")
        args = ["db", "upgrade", "--db", f"sqlite:///{tmp_path / 'file' / 'x.sqlite'}"]
    result = subprocess.run([sys.executable, "-m", "redactor", *args], capture_output=True, text=True,
                            env=env, stdin=subprocess.DEVNULL, timeout=120)
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
