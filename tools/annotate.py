"""Turn hand-written, inline-annotated documents into EVALUATION.md JSON Lines.

Authoring format (one or more documents per ``.txt`` file under ``sample_docs/src``)::

    === id=dev-min-001 doc_type=minutes recipient=housing purpose=safeguarding cases=1 agreement=yes consent=yes
    MARAC MINUTES ...
    CASE 1 - Victim: [[PERSON:Rosa Quispe]] (DOB [[DATE_OF_BIRTH:14/02/1990]])
    {{STATUS/victim:[[PERSON:Rosa]] says her visa has expired.}}
    <<OUT:CASE 2 - ... whole section of another case ...>>

* ``[[LABEL:text]]`` an entity; ``[[ADDRESS+refuge:text]]`` marks a refuge or safe address.
* ``{{CATEGORY/subject:text}}`` an IMMIGRATION passage; entities may nest inside.
* ``<<OUT:text>>`` an OUT_OF_SCOPE section (release documents only).
* The header line gives ``id`` and ``doc_type``; a release is given by ``recipient``,
  ``purpose``, ``cases`` (comma-separated, may be empty), ``agreement`` and ``consent``.
  ``expected`` (allowed/blocked) is derived from the gates unless given.

Gold actions are derived from ``../shared/spec/POLICY.md`` by :mod:`gold_policy`, written
independently of the library's decision code so that evaluation is not circular.

Usage: ``python tools/annotate.py sample_docs/src/*.txt --check`` validates;
``python tools/annotate.py --build`` rebuilds ``sample_docs/dev.jsonl`` and
``sample_docs/heldout.jsonl`` (files whose name starts with ``heldout`` go to the latter).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gold_policy  # noqa: E402

ENTITY_LABELS = {
    "PERSON",
    "ADDRESS",
    "PHONE_NUMBER",
    "EMAIL_ADDRESS",
    "DATE_OF_BIRTH",
    "NHS_NUMBER",
    "NI_NUMBER",
    "IMMIGRATION_ID",
    "REFERENCE",
}
CATEGORIES = {"STATUS", "NRPF", "COERCION", "ENFORCEMENT"}
SUBJECTS = {"victim", "perpetrator", "child", "other"}
DOC_TYPES = {"minutes", "letter", "email", "referral", "notes"}
RECIPIENTS = {
    "immigration_enforcement",
    "police",
    "probation",
    "children_social_care",
    "adult_social_care",
    "health",
    "housing",
    "education",
    "specialist_support",
    "legal_adviser",
    "other",
}
PURPOSES = {"safeguarding", "victim_application", "legal_proceedings", "other"}

TOKEN = re.compile(r"\[\[([A-Z_]+)(\+refuge)?:|\]\]|\{\{([A-Z]+)/([a-z]+):|\}\}|<<OUT:|>>")
ROOT = Path(__file__).resolve().parent.parent


class MarkupError(ValueError):
    pass


@dataclass
class Open:
    kind: str  # entity | passage | out
    start: int
    attrs: dict[str, str] = field(default_factory=dict)


def parse_markup(marked: str, where: str) -> tuple[str, list[dict]]:
    """Strip markup, returning plain text and spans (without actions)."""
    out: list[str] = []
    pos = 0
    length = 0
    stack: list[Open] = []
    spans: list[dict] = []
    closers = {"]]": "entity", "}}": "passage", ">>": "out"}
    for m in TOKEN.finditer(marked):
        chunk = marked[pos : m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        tok = m.group(0)
        if tok in closers:
            if not stack or stack[-1].kind != closers[tok]:
                raise MarkupError(f"{where}: unexpected {tok!r} near {marked[max(0, m.start() - 40) : m.start()]!r}")
            top = stack.pop()
            if length == top.start:
                raise MarkupError(f"{where}: empty span")
            spans.append({"start": top.start, "end": length, **top.attrs})
        elif tok.startswith("[["):
            label = m.group(1)
            if label not in ENTITY_LABELS:
                raise MarkupError(f"{where}: unknown label {label}")
            if any(o.kind == "entity" for o in stack):
                raise MarkupError(f"{where}: entity inside entity")
            attrs = {"label": label}
            if m.group(2):
                attrs["refuge"] = "1"
            stack.append(Open("entity", length, attrs))
        elif tok.startswith("{{"):
            cat, subj = m.group(3), m.group(4)
            if cat not in CATEGORIES or subj not in SUBJECTS:
                raise MarkupError(f"{where}: bad passage {cat}/{subj}")
            if any(o.kind == "passage" for o in stack):
                raise MarkupError(f"{where}: passage inside passage")
            stack.append(Open("passage", length, {"label": "IMMIGRATION", "category": cat, "subject": subj}))
        else:
            stack.append(Open("out", length, {"label": "OUT_OF_SCOPE"}))
    tail = marked[pos:]
    out.append(tail)
    if stack:
        raise MarkupError(f"{where}: unclosed {stack[-1].kind} span")
    text = "".join(out)
    for s in spans:
        piece = text[s["start"] : s["end"]]
        if piece != piece.strip() and s["label"] != "OUT_OF_SCOPE":
            raise MarkupError(f"{where}: span {piece!r} starts or ends with white space")
    spans.sort(key=lambda s: (s["start"], -s["end"]))
    return text, spans


def parse_header(line: str, where: str) -> dict[str, str]:
    fields = {}
    for item in line[3:].split():
        if "=" not in item:
            raise MarkupError(f"{where}: header item {item!r} is not key=value")
        k, v = item.split("=", 1)
        fields[k] = v
    if "id" not in fields or fields.get("doc_type") not in DOC_TYPES:
        raise MarkupError(f"{where}: header needs id and a doc_type in {sorted(DOC_TYPES)}")
    return fields


def _yes(value: str, key: str, where: str) -> bool:
    if value not in {"yes", "no"}:
        raise MarkupError(f"{where}: {key} must be yes or no")
    return value == "yes"


def build_release(h: dict[str, str], where: str) -> dict | None:
    if "recipient" not in h:
        return None
    if h["recipient"] not in RECIPIENTS or h.get("purpose") not in PURPOSES:
        raise MarkupError(f"{where}: bad recipient or purpose")
    cases = [c for c in h.get("cases", "").split(",") if c]
    return {
        "recipient": h["recipient"],
        "purpose": h["purpose"],
        "cases": cases,
        "marac_agreement": _yes(h.get("agreement", "no"), "agreement", where),
        "victim_consent": _yes(h.get("consent", "no"), "consent", where),
    }


def convert_document(header: str, body: str, where: str) -> dict:
    h = parse_header(header, where)
    where = f"{where} [{h['id']}]"
    text, spans = parse_markup(body.strip("\n") + "\n", where)
    doc: dict = {"id": h["id"], "doc_type": h["doc_type"], "text": text}
    release = build_release(h, where)
    if release is None:
        if any(s["label"] == "OUT_OF_SCOPE" for s in spans):
            raise MarkupError(f"{where}: OUT_OF_SCOPE needs a release")
        for s in spans:
            s.pop("refuge", None)
        doc["spans"] = spans
        return doc
    verdict = gold_policy.release_verdict(release)
    if "expected" in h and h["expected"] != verdict:
        raise MarkupError(f"{where}: header says {h['expected']} but the gates give {verdict}")
    doc["release"] = release
    doc["expected_release"] = verdict
    doc["spans"] = gold_policy.assign_actions(spans, release, verdict)
    return doc


def convert_file(path: Path) -> list[dict]:
    docs = []
    raw = path.read_text(encoding="utf-8")
    blocks = re.split(r"(?m)^(=== .*)$", raw)
    if blocks[0].strip():
        raise MarkupError(f"{path}: text before the first '=== ' header")
    for i in range(1, len(blocks), 2):
        lineno = raw[: raw.index(blocks[i])].count("\n") + 1
        docs.append(convert_document(blocks[i], blocks[i + 1], f"{path.name}:{lineno}"))
    return docs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--check", action="store_true", help="validate and print counts")
    ap.add_argument("--build", action="store_true", help="rebuild sample_docs/dev.jsonl and heldout.jsonl")
    ap.add_argument("--show", help="print one document's spans by id")
    args = ap.parse_args(argv)
    files = args.files or sorted((ROOT / "sample_docs" / "src").glob("*.txt"))
    seen: set[str] = set()
    out: dict[str, list[dict]] = {"dev": [], "heldout": []}
    try:
        for f in files:
            for d in convert_file(f):
                if d["id"] in seen:
                    raise MarkupError(f"{f.name}: duplicate id {d['id']}")
                seen.add(d["id"])
                out["heldout" if f.name.startswith("heldout") else "dev"].append(d)
    except MarkupError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    for split, docs in out.items():
        counts: dict[str, int] = {}
        for d in docs:
            for s in d["spans"]:
                counts[s["label"]] = counts.get(s["label"], 0) + 1
        print(f"{split}: {len(docs)} documents; " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if args.show:
        for d in out["dev"] + out["heldout"]:
            if d["id"] == args.show:
                for s in d["spans"]:
                    print(s, repr(d["text"][s["start"] : s["end"]][:80]))
    if args.build:
        for split, docs in out.items():
            target = ROOT / "sample_docs" / f"{split}.jsonl"
            with target.open("w", encoding="utf-8") as fh:
                for d in docs:
                    fh.write(json.dumps(d, ensure_ascii=False) + "\n")
            print(f"wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
