"""Scoring exactly as ``../shared/spec/EVALUATION.md`` defines it. Pure: no models, no files.

A prediction for one document is a list of finding dicts ``{start, end, label, category, subject,
decision}`` plus ``release_allowed`` (True, False or None when no release was given).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

ENTITY_FOUND = 0.8
PASSAGE_FOUND = 0.5
CORRECT = 0.5
LEAK_BAR = 0.9
LEAK_BAR_SCOPE = 0.95
OVER_REDACTION = 0.5
PASSAGE_LABELS = {"IMMIGRATION", "OUT_OF_SCOPE"}


def _nonspace(text: str, start: int, end: int) -> set[int]:
    return {i for i in range(start, end) if not text[i].isspace()}


def _covered(text: str, spans: Iterable[dict[str, Any]]) -> set[int]:
    out: set[int] = set()
    for s in spans:
        out |= _nonspace(text, s["start"], s["end"])
    return out


def _share(part: set[int], whole: set[int]) -> float:
    return len(part & whole) / len(whole) if whole else 0.0


@dataclass
class LabelCounts:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Scores:
    labels: dict[str, LabelCounts] = field(default_factory=lambda: defaultdict(LabelCounts))
    passages_found: int = 0
    category_right: int = 0
    subject_right: int = 0
    redact_spans: int = 0
    leaks: int = 0
    keep_spans: int = 0
    over_redacted: int = 0
    review_findings: int = 0
    words: int = 0
    release_docs: int = 0
    verdict_right: int = 0
    leaked: list[tuple[str, str, int, int]] = field(default_factory=list)

    @property
    def category_accuracy(self) -> float:
        return self.category_right / self.passages_found if self.passages_found else 0.0

    @property
    def subject_accuracy(self) -> float:
        return self.subject_right / self.passages_found if self.passages_found else 0.0

    @property
    def leak_rate(self) -> float:
        return self.leaks / self.redact_spans if self.redact_spans else 0.0

    @property
    def over_redaction_rate(self) -> float:
        return self.over_redacted / self.keep_spans if self.keep_spans else 0.0

    @property
    def review_load(self) -> float:
        return 1000 * self.review_findings / self.words if self.words else 0.0

    @property
    def verdict_accuracy(self) -> float:
        return self.verdict_right / self.release_docs if self.release_docs else 0.0

    def as_dict(self) -> dict[str, Any]:
        labels = {
            k: {
                "gold": v.gold,
                "predicted": v.predicted,
                "recall": round(v.recall, 4),
                "precision": round(v.precision, 4),
                "f1": round(v.f1, 4),
            }
            for k, v in sorted(self.labels.items())
        }
        out: dict[str, Any] = {"labels": labels}
        if self.labels.get("IMMIGRATION") and self.labels["IMMIGRATION"].gold:
            out["immigration"] = {
                "category_accuracy": round(self.category_accuracy, 4),
                "subject_accuracy": round(self.subject_accuracy, 4),
            }
        if self.release_docs:
            out["release"] = {
                "documents": self.release_docs,
                "redact_spans": self.redact_spans,
                "leaks": self.leaks,
                "leak_rate": round(self.leak_rate, 4),
                "keep_spans": self.keep_spans,
                "over_redacted": self.over_redacted,
                "over_redaction_rate": round(self.over_redaction_rate, 4),
                "review_load_per_1000_words": round(self.review_load, 2),
                "verdict_accuracy": round(self.verdict_accuracy, 4),
            }
        return out


def score_document(
    scores: Scores, gold: dict[str, Any], findings: Sequence[dict[str, Any]], release_allowed: bool | None
) -> None:
    text = gold["text"]
    _score_detection(scores, text, gold["spans"], findings)
    if gold.get("release"):
        _score_release(scores, gold, findings, release_allowed)


def _score_detection(
    scores: Scores, text: str, spans: Sequence[dict[str, Any]], findings: Sequence[dict[str, Any]]
) -> None:
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        by_label[f["label"]].append(f)
    gold_by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for s in spans:
        gold_by_label[s["label"]].append(s)
    for label in set(by_label) | set(gold_by_label):
        counts = scores.labels[label]
        covered = _covered(text, by_label[label])
        bar = PASSAGE_FOUND if label in PASSAGE_LABELS else ENTITY_FOUND
        for g in gold_by_label[label]:
            counts.gold += 1
            if _share(covered, _nonspace(text, g["start"], g["end"])) >= bar:
                counts.found += 1
                if label == "IMMIGRATION":
                    _judge_passage(scores, text, g, by_label[label])
        gold_cover = _covered(text, gold_by_label[label])
        for f in by_label[label]:
            counts.predicted += 1
            if _share(gold_cover, _nonspace(text, f["start"], f["end"])) >= CORRECT:
                counts.correct += 1


def _judge_passage(scores: Scores, text: str, gold: dict[str, Any], findings: Sequence[dict[str, Any]]) -> None:
    chars = _nonspace(text, gold["start"], gold["end"])
    best = max(findings, key=lambda f: len(chars & _nonspace(text, f["start"], f["end"])))
    scores.passages_found += 1
    scores.category_right += best.get("category") == gold.get("category")
    scores.subject_right += best.get("subject") == gold.get("subject")


def _score_release(
    scores: Scores, gold: dict[str, Any], findings: Sequence[dict[str, Any]], release_allowed: bool | None
) -> None:
    text, spans = gold["text"], gold["spans"]
    scores.release_docs += 1
    scores.words += len(text.split())
    scores.review_findings += sum(1 for f in findings if f.get("decision") == "review")
    expected_allowed = gold.get("expected_release", "allowed") == "allowed"
    allowed = release_allowed is not False
    scores.verdict_right += allowed == expected_allowed
    removed = _covered(text, [f for f in findings if f.get("decision") in {"redact", "review"}])
    redacted = _covered(text, [f for f in findings if f.get("decision") == "redact"])
    for s in spans:
        chars = _nonspace(text, s["start"], s["end"])
        if s.get("action") == "redact":
            scores.redact_spans += 1
            if not allowed:
                continue  # nothing is released
            bar = LEAK_BAR_SCOPE if s["label"] == "OUT_OF_SCOPE" else LEAK_BAR
            if not expected_allowed or _share(removed, chars) < bar:
                scores.leaks += 1
                scores.leaked.append((gold["id"], s["label"], s["start"], s["end"]))
        elif s.get("action") == "keep":
            scores.keep_spans += 1
            if allowed and _share(redacted, chars) > OVER_REDACTION:
                scores.over_redacted += 1
