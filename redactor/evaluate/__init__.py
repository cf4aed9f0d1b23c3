"""``marac-redact eval``: score the system, the keyword baseline and stock Presidio on one gold file."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redactor.errors import AnnotationError, InputError
from redactor.evaluate.baselines import StockPresidio, keyword_findings
from redactor.evaluate.scoring import Scores, score_document

Predictor = Callable[[Sequence[dict[str, Any]]], list[tuple[list[dict[str, Any]], bool | None]]]


def load_gold(path: str | Path) -> list[dict[str, Any]]:
    """Read an annotated JSON Lines file; every problem names the line."""
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p.name}: no such file")
    docs = []
    with p.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as e:
                raise AnnotationError(f"{p.name}:{n}: not JSON ({e.msg})") from e
            _check_gold(doc, f"{p.name}:{n}")
            docs.append(doc)
    if not docs:
        raise AnnotationError(f"{p.name}: no documents")
    return docs


def _check_gold(doc: Any, where: str) -> None:
    if not isinstance(doc, dict) or not isinstance(doc.get("text"), str) or not isinstance(doc.get("spans"), list):
        raise AnnotationError(f"{where}: needs 'text' and 'spans'")
    n = len(doc["text"])
    for s in doc["spans"]:
        if not (
            isinstance(s, dict)
            and isinstance(s.get("start"), int)
            and isinstance(s.get("end"), int)
            and 0 <= s["start"] < s["end"] <= n
            and isinstance(s.get("label"), str)
        ):
            raise AnnotationError(f"{where}: bad span {s!r:.80}")
    doc.setdefault("id", where)


@dataclass
class EvalReport:
    documents: int
    system: Scores
    keyword: Scores
    presidio: Scores | None

    def as_dict(self) -> dict[str, Any]:
        out = {"documents": self.documents, "system": self.system.as_dict(), "keyword_baseline": self.keyword.as_dict()}
        if self.presidio is not None:
            out["stock_presidio"] = self.presidio.as_dict()
        return out


def evaluate(gold: Sequence[dict[str, Any]], predict: Predictor, *, stock: StockPresidio | None = None) -> EvalReport:
    system, keyword = Scores(), Scores()
    presidio = Scores() if stock is not None else None
    for doc, (findings, allowed) in zip(gold, predict(gold), strict=True):
        score_document(system, doc, findings, allowed)
        score_document(keyword, doc, keyword_findings(doc["text"]), True if doc.get("release") else None)
        if stock is not None and presidio is not None:
            score_document(presidio, doc, stock.findings(doc["text"]), True if doc.get("release") else None)
    return EvalReport(len(gold), system, keyword, presidio)
