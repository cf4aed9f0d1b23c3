"""The one place the stages are chained: ingest -> detect -> structure -> decide (-> render -> audit).

``Redactor.load()`` loads models and rules once; ``scan_document``/``scan_many`` return
``ScanResult`` values whose ``as_json()`` is the CLI contract of ``scan --json`` and ``batch``.
Without a release every finding is ``review``: a person decides.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redactor import ingest, paths
from redactor.decide import Decision, Plan, decide
from redactor.detect import Detector
from redactor.errors import EmptyDocumentError, RulesError
from redactor.model import Document, Finding, Notice
from redactor.policy import Policy, load_policy
from redactor.release import RecipientDirectory, Release, load_directory, release_from_dict
from redactor.structure import Structure, find_structure

NO_RELEASE_RULE = "none"
NO_RELEASE_REASON = "no release given: a person decides"


@dataclass(frozen=True)
class ScanResult:
    document: Document
    items: tuple[Decision, ...]
    plan: Plan | None = None

    @property
    def release_allowed(self) -> bool | None:
        return None if self.plan is None else self.plan.verdict.allowed

    def as_json(self, *, with_text: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.document.text} if with_text else {}
        out["findings"] = [d.as_json() for d in self.items]
        out["release_allowed"] = self.release_allowed
        if self.plan is not None:
            v = self.plan.verdict
            if not v.allowed:
                out["blocked"] = {
                    "gate": v.gate,
                    "reason": v.reason,
                    "unblock": v.unblock,
                    "citation": str(v.cite) if v.cite else None,
                }
            out["flags"] = [
                {"rule": f.rule, "reason": f.reason, "start": f.start, "end": f.end} for f in self.plan.flags
            ]
        if self.document.notices:
            out["notices"] = [{"code": n.code, "message": n.message, "hold": n.hold} for n in self.document.notices]
        return out


class Redactor:
    def __init__(self, detector: Detector, policy: Policy, directory: RecipientDirectory) -> None:
        self.detector = detector
        self.policy = policy
        self.directory = directory

    @classmethod
    def load(cls, rules: Path | None = None) -> Redactor:
        rules = rules or paths.rules_dir()
        policy, directory = load_policy(rules / "policy.yaml"), load_directory(rules / "recipients.yaml")
        missing = [t for t in directory.types if t not in policy.groups]
        if missing:
            raise RulesError(
                f"recipients.yaml: type(s) {', '.join(missing)} have no column in policy.yaml recipient_groups"
            )
        return cls(Detector.load(rules), policy, directory)

    def release(self, raw: Mapping[str, Any]) -> Release:
        return release_from_dict(raw, self.directory)

    def scan_path(self, path: str | Path, release: Release | None = None) -> ScanResult:
        return self.scan_document(ingest.load(path), release)

    def scan_document(
        self, document: Document, release: Release | None = None, doc_type: str | None = None
    ) -> ScanResult:
        return self.plan(document, self.detector.detect_text(document.text), release, doc_type)

    def scan_many(
        self,
        texts: Sequence[str],
        releases: Sequence[Mapping[str, Any] | None] | None = None,
        doc_types: Sequence[str | None] | None = None,
    ) -> list[ScanResult]:
        """Scan many texts in one spaCy stream. An empty text gives an empty result held for review."""
        docs = [_text_document(t, f"doc-{i}") for i, t in enumerate(texts)]
        found = self.detector.detect_texts([d.text for d in docs])
        rels = [self.release(r) if r else None for r in (releases or [None] * len(docs))]
        types = doc_types or [None] * len(docs)
        return [self.plan(d, f, r, t) for d, f, r, t in zip(docs, found, rels, types, strict=True)]

    def plan(
        self, document: Document, findings: Sequence[Finding], release: Release | None, doc_type: str | None = None
    ) -> ScanResult:
        """Decide (again) for a release: cheap, so a changed release never re-runs detection."""
        if release is None:
            items = tuple(Decision(f, "review", NO_RELEASE_RULE, NO_RELEASE_REASON) for f in findings)
            return ScanResult(document, items)
        structure = _structure(document.text, doc_type)
        plan = decide(findings, release, self.policy, structure, held=document.held, text_length=len(document.text))
        return ScanResult(document, plan.items, plan)

    def predict(self, gold: Sequence[dict[str, Any]]) -> list[tuple[list[dict[str, Any]], bool | None]]:
        """Findings in the evaluation format for annotated documents (only text, doc_type and release are read)."""
        results = self.scan_many(
            [g["text"] for g in gold], [g.get("release") for g in gold], [g.get("doc_type") for g in gold]
        )
        return [([d.as_json() for d in r.items], r.release_allowed) for r in results]


@functools.lru_cache(maxsize=16)
def _structure(text: str, doc_type: str | None) -> Structure:
    """The case sections of a text, kept for the next re-decision (a str caches its own hash)."""
    return find_structure(text, doc_type)


def _text_document(text: str, name: str) -> Document:
    try:
        return ingest.from_text(text, name)
    except EmptyDocumentError:
        notice = Notice("empty", "the text is empty: nothing was analysed", hold=True)
        return Document(text, "text", name, "", notices=(notice,))
