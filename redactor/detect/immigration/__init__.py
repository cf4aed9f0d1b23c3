"""IMMIGRATION passages: the sentence, bullet or table cell that carries a person's immigration
information, with its category and subject (POLICY.md "Immigration passages").

Two layers that explain themselves, run once per chunk on the chunk's spaCy Doc:

1. patterns (``rules/immigration_patterns.yaml``, ``patterns.py``): a strong pattern flags its
   segment and gives the category, unless the classifier is almost sure it is not a passage;
2. a trained classifier (``models/immigration/``, ``classifier.py``) that flags segments the
   patterns miss when its probability reaches the threshold chosen by cross-validation.

The subject comes from the subject model over document cues (``cast.py``, ``subject.py``).
Each finding names its recognizer, pattern id or model version, score and reasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from spacy.tokens import Doc, Span

from redactor.detect.immigration import classifier
from redactor.detect.immigration.cast import Cast, build_casts, cast_at
from redactor.detect.immigration.classifier import Models
from redactor.detect.immigration.features import STRONG, passage_features
from redactor.detect.immigration.patterns import Hit, PatternSet, load_patterns
from redactor.detect.immigration.segment import Segment, segments
from redactor.detect.immigration.subject import subject_features
from redactor.detect.parse import parse_regions
from redactor.model import Finding

LABEL = "IMMIGRATION"
PATTERNS_FILE = "immigration_patterns.yaml"
MODEL_DIR = "immigration"
PATTERN_RECOGNIZER = "immigration_patterns"
MODEL_RECOGNIZER = "immigration_classifier"
Features = dict[str, float]


@dataclass(frozen=True)
class Candidate:
    """One segment with everything the decisions need."""

    seg: Segment
    span: Span
    hits: tuple[Hit, ...]
    features: Features


class ImmigrationDetector:
    def __init__(self, patterns: PatternSet, models: Models, parser: Any = None) -> None:
        self.patterns = patterns
        self.models = models
        self.parser = parser  # parses the regions around chosen passages when the main pass did not

    def find(self, text: str, doc: Doc, offset: int, entities: Sequence[Finding]) -> list[Finding]:
        persons = person_spans(text, doc, entities, offset)
        cands = self.candidates(text, doc, persons)
        if not cands:
            return []
        p = self.passage_proba(cands)
        chosen = [i for i, c in enumerate(cands) if self.flagged(c, p[i])]
        if not chosen:
            return []
        casts = build_casts(text, persons)
        if self.parser is not None and not doc.has_annotation("DEP"):
            parse_regions(doc, [_region(text, cands[i].seg.start, cands[i].seg.end) for i in chosen], self.parser)
        cats = self.categories([cands[i] for i in chosen])
        subjects = self.subjects([cands[i] for i in chosen], [c for c, _ in cats], text, person_token_map(doc, persons),
                                 casts)
        return [self._finding(cands[i], float(p[i]), cat, subj, offset)
                for i, cat, subj in zip(chosen, cats, subjects, strict=True)]

    # -- layers ------------------------------------------------------------------------------
    def candidates(self, text: str, doc: Doc, persons: Sequence[tuple[int, int]]) -> list[Candidate]:
        return build_candidates(self.patterns, text, doc, persons)

    def passage_proba(self, cands: Sequence[Candidate]) -> np.ndarray:
        m = self.models.passage
        return m.proba(m.transform([c.features for c in cands]))[:, 1]

    def flagged(self, cand: Candidate, p: float) -> bool:
        """A strong pattern flags unless the classifier is below the floor; otherwise the classifier
        flags at the threshold, unless a vetoing hard negative ("detained under the Mental Health
        Act", "Home Office funding") is in the segment."""
        return self.decide(cand, p, self.models.threshold, self.models.floor)

    @staticmethod
    def decide(cand: Candidate, p: float, threshold: float, floor: float) -> bool:
        if strongest(cand.hits) is not None:
            return p >= floor
        return p >= threshold and not any(h.rule.veto for h in cand.hits)

    def categories(self, cands: Sequence[Candidate]) -> list[tuple[str, str]]:
        """(category, why) per candidate, from the category model. It sees the pattern hits as features;
        letting a strong pattern's own category win instead scored 0.93 against 0.96 in cross-validation
        (a status word inside a threat is coercion)."""
        m = self.models.category
        x = m.transform([c.features for c in cands])
        probs = m.proba(x)
        out = []
        for i, c in enumerate(cands):
            k = int(np.argmax(probs[i]))
            why = f"model {probs[i][k]:.2f}: " + ", ".join(m.reasons(x, i, k))
            hit = strongest(c.hits)
            if hit is not None and hit.rule.category != m.classes[k]:
                why += f" (pattern {hit.rule.id} says {hit.rule.category})"
            out.append((m.classes[k], why))
        return out

    def subjects(self, cands: Sequence[Candidate], categories: Sequence[str], text: str,
                 person_tokens: dict[int, tuple[int, int]], casts: Sequence[tuple[int, Cast]]) -> list[tuple[str, str]]:
        m = self.models.subject
        rows = [subject_features(c.span, text, person_tokens, cast_at(casts, c.seg.start), c.seg.label, cat, c.hits,
                                 context_before(c.span, text))
                for c, cat in zip(cands, categories, strict=True)]
        x = m.transform(rows)
        probs = m.proba(x)
        out = []
        for i in range(len(rows)):
            k = int(np.argmax(probs[i]))
            out.append((m.classes[k], ", ".join(m.reasons(x, i, k))))
        return out

    def _finding(self, cand: Candidate, p: float, cat: tuple[str, str], subj: tuple[str, str], offset: int) -> Finding:
        hit = strongest(cand.hits)
        by_pattern = hit is not None and p < self.models.threshold
        score = max(p, hit.rule.score) if by_pattern and hit is not None else p
        why = (f"pattern {hit.rule.id} ({hit.rule.reason})" if by_pattern and hit is not None
               else f"classifier p={p:.2f}")
        explanation = f"{why}; category {cat[0]} by {cat[1]}; subject {subj[0]} by {subj[1] or 'prior'}"
        return Finding(cand.seg.start + offset, cand.seg.end + offset, LABEL, round(score, 3),
                       PATTERN_RECOGNIZER if by_pattern else MODEL_RECOGNIZER, explanation,
                       category=cat[0], subject=subj[0],
                       pattern=hit.rule.id if by_pattern and hit is not None else f"model {self.models.version}")


def build_candidates(patterns: PatternSet, text: str, doc: Doc, persons: Sequence[tuple[int, int]]) -> list[Candidate]:
    """Every segment of the chunk with its pattern hits and passage features."""
    segs = segments(text)
    hits = patterns.match(doc)
    names = frozenset(person_token_map(doc, persons))
    inside = _hits_by_segment(segs, hits)
    out = []
    for k, seg in enumerate(segs):
        span = doc.char_span(seg.start, seg.end, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        context = [h for j in (k - 1, k + 1) if 0 <= j < len(segs) for h in inside[j]]
        out.append(Candidate(seg, span, inside[k], passage_features(seg, span, names, inside[k], context)))
    return out


def _hits_by_segment(segs: Sequence[Segment], hits: Sequence[Hit]) -> list[tuple[Hit, ...]]:
    """The hits overlapping each segment (segments and hits in text order)."""
    out: list[tuple[Hit, ...]] = []
    first = 0
    for s in segs:
        while first < len(hits) and hits[first].end <= s.start:
            first += 1
        here = []
        for h in hits[first:]:
            if h.start >= s.end:
                break
            if h.end > s.start:
                here.append(h)
        out.append(tuple(here))
    return out


CONTEXT_CHARS = 300


def context_before(span: Span, text: str) -> Span | None:
    """The text before a passage in its paragraph (a blank line ends a paragraph), at most
    ``CONTEXT_CHARS`` characters. ``text`` is ``span.doc.text`` (passed in: spaCy rebuilds it per call)."""
    doc = span.doc
    start = max(0, span.start_char - CONTEXT_CHARS, text.rfind("\n\n", 0, span.start_char) + 2)
    if start >= span.start_char:
        return None
    ctx = doc.char_span(start, span.start_char, alignment_mode="contract")
    return ctx if ctx is not None and len(ctx) else None


def strongest(hits: Sequence[Hit]) -> Hit | None:
    """The highest-scoring positive hit that decides on its own (first in the text on a tie)."""
    best: Hit | None = None
    for h in hits:
        if not h.rule.negative and h.rule.score >= STRONG and (best is None or h.rule.score > best.rule.score):
            best = h
    return best


def person_spans(text: str, doc: Doc, entities: Sequence[Finding], offset: int) -> list[tuple[int, int]]:
    """PERSON spans in chunk offsets, from the entity findings (document offsets) and spaCy's NER."""
    spans = {(e.start - offset, e.end - offset) for e in entities if e.label == "PERSON"}
    spans |= {(e.start_char, e.end_char) for e in doc.ents if e.label_ == "PERSON"}
    return _merge(sorted((s, e) for s, e in spans if 0 <= s < e <= len(text)))


def _merge(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def person_token_map(doc: Doc, persons: Sequence[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for s, e in persons:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is None:
            continue
        for t in span:
            if not t.is_punct and t.lower_ not in ("'s", "’s"):
                out[t.i] = (s, e)
    return out


def _region(text: str, start: int, end: int) -> tuple[int, int]:
    """A passage and the context its subject features read (:func:`context_before`), from a line start."""
    first = max(0, start - CONTEXT_CHARS, text.rfind("\n\n", 0, start) + 2)
    return text.rfind("\n", 0, first) + 1, end


def load(rules_dir: Path, models_dir: Path, nlp: Any) -> ImmigrationDetector:
    patterns = load_patterns(rules_dir / PATTERNS_FILE, nlp)
    parser = nlp.get_pipe("parser") if "parser" in nlp.component_names else None
    return ImmigrationDetector(patterns, classifier.load(models_dir / MODEL_DIR), parser)
