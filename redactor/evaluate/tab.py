"""Identifier recall on TAB (court judgments annotated for anonymisation; ../shared/data/tab).

Scored as that folder's README says: each system redacts every span it finds; a mention is caught
when every one of its characters is covered; the lowest-numbered annotator's marks are used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from redactor.errors import AnnotationError, InputError

KINDS = ("DIRECT", "QUASI")


def load_tab(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError(f"{path.name}: file not found")
    try:
        docs = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise AnnotationError(f"{path.name}: not a TAB JSON file") from e
    if not isinstance(docs, list) or not all(isinstance(d, dict) and "text" in d and "annotations" in d for d in docs):
        raise AnnotationError(f"{path.name}: expected a list of documents with 'text' and 'annotations'")
    for n, doc in enumerate(docs):
        if not _well_formed(doc):
            raise AnnotationError(
                f"{path.name}: document {n}: annotations need entity_mentions with "
                "start_offset, end_offset and identifier_type inside the text"
            )
    return docs


def _well_formed(doc: dict[str, Any]) -> bool:
    annotators = doc["annotations"]
    if not isinstance(doc["text"], str) or not isinstance(annotators, dict) or not annotators:
        return False
    for ann in annotators.values():
        mentions = ann.get("entity_mentions") if isinstance(ann, dict) else None
        if not isinstance(mentions, list):
            return False
        for m in mentions:
            ok = isinstance(m, dict) and isinstance(m.get("start_offset"), int) and isinstance(m.get("end_offset"), int)
            if (
                not ok
                or not 0 <= m["start_offset"] <= m["end_offset"] <= len(doc["text"])
                or "identifier_type" not in m
            ):
                return False
    return True


def _mentions(doc: dict[str, Any]) -> list[dict[str, Any]]:
    annotator = sorted(doc["annotations"], key=lambda a: int("".join(ch for ch in a if ch.isdigit()) or 0))[0]
    return list(doc["annotations"][annotator]["entity_mentions"])


def _recall(docs: list[dict[str, Any]], spans: list[list[tuple[int, int]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for kind in KINDS:
        total = caught = 0
        for doc, found in zip(docs, spans, strict=True):
            covered = [False] * len(doc["text"])
            for s, e in found:
                for i in range(s, min(e, len(covered))):
                    covered[i] = True
            for m in _mentions(doc):
                if m["identifier_type"] != kind:
                    continue
                total += 1
                chars = [i for i in range(m["start_offset"], m["end_offset"]) if not doc["text"][i].isspace()]
                caught += all(covered[i] for i in chars)
        out[kind] = {"mentions": total, "caught": caught, "recall": round(caught / total, 4) if total else 0.0}
    return out


def score_tab(docs: list[dict[str, Any]]) -> dict[str, Any]:
    from redactor.detect import Detector
    from redactor.evaluate.baselines import StockPresidio

    detector = Detector.load(passages=False)
    ours = [[(f.start, f.end) for f in found] for found in detector.detect_texts([d["text"] for d in docs])]
    stock = StockPresidio()
    theirs = [[(r.start, r.end) for r in stock.raw(d["text"])] for d in docs]
    return {"documents": len(docs), "system": _recall(docs, ours), "stock_presidio": _recall(docs, theirs)}


def format_tab(result: dict[str, Any], name: str) -> str:
    lines = [
        f"{name}: {result['documents']} documents (mention recall: every character covered)",
        f"{'':<10}{'mentions':>9}{'system':>9}{'presidio':>10}",
    ]
    for kind in KINDS:
        s, p = result["system"][kind], result["stock_presidio"][kind]
        lines.append(f"{kind:<10}{s['mentions']:>9}{s['recall']:>9.3f}{p['recall']:>10.3f}")
    return "\n".join(lines)
