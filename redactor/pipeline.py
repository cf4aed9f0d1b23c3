"""The one place the stages are chained: ingest -> detect -> decide (-> render -> audit).

``Redactor.load()`` loads models once; ``scan_path``/``scan_text``/``scan_many`` return
``ScanResult`` values whose ``as_json()`` is the CLI contract of ``scan --json`` and ``batch``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redactor import ingest
from redactor.detect import Detector
from redactor.errors import EmptyDocumentError
from redactor.model import Document, Finding, Notice

# Until a release policy decides, a person decides everything.
PENDING_RULE = "pending"
PENDING_REASON = "no release policy applied: a person decides"


@dataclass(frozen=True)
class Decided:
    """A finding with its decision and the rule that gave it."""

    finding: Finding
    decision: str
    rule: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        f = self.finding
        return {
            "start": f.start,
            "end": f.end,
            "label": f.label,
            "category": f.category,
            "subject": f.subject,
            "score": f.score,
            "decision": self.decision,
            "rule": self.rule,
            "reason": self.reason,
            "recognizer": f.recognizer,
            "pattern": f.pattern,
        }


@dataclass(frozen=True)
class ScanResult:
    document: Document
    items: tuple[Decided, ...]
    release_allowed: bool | None = None

    def as_json(self, *, with_text: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if with_text:
            out["text"] = self.document.text
        out["findings"] = [d.as_json() for d in self.items]
        out["release_allowed"] = self.release_allowed
        if self.document.notices:
            out["notices"] = [{"code": n.code, "message": n.message, "hold": n.hold} for n in self.document.notices]
        return out


def _text_document(text: str, name: str) -> Document:
    try:
        return ingest.from_text(text, name)
    except EmptyDocumentError:
        notice = Notice("empty", "the text is empty: nothing was analysed", hold=True)
        return Document(text, "text", name, "", notices=(notice,))


class Redactor:
    def __init__(self, detector: Detector) -> None:
        self.detector = detector

    @classmethod
    def load(cls) -> Redactor:
        return cls(Detector.load())

    def scan_path(self, path: str | Path) -> ScanResult:
        return self.scan_document(ingest.load(path))

    def scan_document(self, document: Document) -> ScanResult:
        return self._decide(document, self.detector.detect_text(document.text))

    def scan_text(self, text: str, name: str = "text") -> ScanResult:
        return self.scan_document(ingest.from_text(text, name))

    def scan_many(
        self, texts: Sequence[str], releases: Sequence[dict[str, Any] | None] | None = None
    ) -> list[ScanResult]:
        """Scan many texts in one spaCy stream. An empty text gives an empty result held for review."""
        docs = [_text_document(t, f"doc-{i}") for i, t in enumerate(texts)]
        found = self.detector.detect_texts([d.text for d in docs])
        return [self._decide(d, f) for d, f in zip(docs, found, strict=True)]

    def predict(self, gold: Sequence[dict[str, Any]]) -> list[tuple[list[dict[str, Any]], bool | None]]:
        """Findings in the evaluation format for annotated documents (only text and release are read)."""
        results = self.scan_many([g["text"] for g in gold], [g.get("release") for g in gold])
        return [([d.as_json() for d in r.items], r.release_allowed) for r in results]

    def _decide(self, document: Document, findings: Sequence[Finding]) -> ScanResult:
        items = tuple(Decided(f, "review", PENDING_RULE, PENDING_REASON) for f in findings)
        return ScanResult(document, items, None)
