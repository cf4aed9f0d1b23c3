"""The detect stage: ``Detector.load()`` once per process, then ``detect(document)``.

Personal data comes from Presidio's AnalyzerEngine with UK recognizers (``rules/recognizers.yaml``)
and the spaCy pipeline named in ``models/nlp.yaml``; immigration passages come from
``redactor.detect.immigration`` when it is available.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, cast

from presidio_analyzer import AnalyzerEngine, RecognizerResult
from presidio_analyzer.nlp_engine import SpacyNlpEngine

from redactor import paths
from redactor.detect import postprocess
from redactor.detect.engine import build_analyzer, chunks, load_nlp_config, load_spacy
from redactor.detect.lexicon import Lexicon, load_lexicon
from redactor.detect.places import place_names
from redactor.detect.registry import load_recognizers
from redactor.model import ENTITY_LABELS, Detection, Document, Finding


class PassageDetector(Protocol):
    def find(self, text: str, doc: Any, offset: int, entities: Sequence[Finding]) -> list[Finding]: ...


PIPE_BATCH = 4  # texts per spaCy batch (benchmarks/: 2-4 is as fast as spaCy's default and far smaller)


class Detector:
    """Holds the loaded analyzer and spaCy pipeline. Safe to reuse for many documents."""

    def __init__(
        self,
        analyzer: AnalyzerEngine,
        nlp: Any,
        lexicon: Lexicon,
        chunk_chars: int,
        passages: PassageDetector | None = None,
        on_demand: tuple[str, ...] = (),
    ) -> None:
        self.analyzer = analyzer
        self.nlp = nlp
        self.lexicon = lexicon
        self.chunk_chars = chunk_chars
        self.passages = passages
        self.on_demand = on_demand  # components not run in the main pass (the parser: see parse.py)

    @classmethod
    def load(cls, rules: Path | None = None, models: Path | None = None, *, passages: bool = True) -> Detector:
        rules = rules or paths.rules_dir()
        models = models or paths.models_dir()
        cfg = load_nlp_config(models / "nlp.yaml")
        lexicon = load_lexicon(rules / "lexicon.yaml")
        recognizers = load_recognizers(rules / "recognizers.yaml", lexicon)
        nlp = load_spacy(cfg.spacy_model, cfg.exclude, cfg.enable)
        analyzer = build_analyzer(cfg, nlp, recognizers)
        finder = _load_passages(rules, models, nlp) if passages else None
        return cls(analyzer, nlp, lexicon, cfg.chunk_chars, finder, cfg.on_demand)

    def detect(self, document: Document) -> Detection:
        return Detection(document, self.detect_text(document.text))

    def detect_text(self, text: str) -> tuple[Finding, ...]:
        return self.detect_texts([text])[0]

    def detect_texts(self, texts: Sequence[str]) -> list[tuple[Finding, ...]]:
        """Analyse many texts, sharing one ``nlp.pipe`` stream (the fast path for batches)."""
        pieces = [(i, off, chunk) for i, t in enumerate(texts) for off, chunk in chunks(t, self.chunk_chars)]
        found: list[list[Finding]] = [[] for _ in texts]
        # a small batch: the chunks of a long pack are parsed a few at a time, so memory stays flat
        docs = self.nlp.pipe((chunk for _, _, chunk in pieces), batch_size=PIPE_BATCH, disable=list(self.on_demand))
        # Our own Docs go to Presidio as NlpArtifacts, so spaCy parses each text once (the
        # converter is a protected method of Presidio's spaCy engine; its public API would re-parse).
        engine = cast(SpacyNlpEngine, self.analyzer.nlp_engine)
        for (i, off, chunk), doc in zip(pieces, docs, strict=True):
            artifacts = engine._doc_to_nlp_artifact(doc, "en")
            results = self.analyzer.analyze(
                chunk,
                language="en",
                entities=list(ENTITY_LABELS),
                nlp_artifacts=artifacts,
                return_decision_process=True,
            )
            entities = [_finding(r, off) for r in results]
            found[i].extend(entities)
            if self.passages is not None:
                found[i].extend(self.passages.find(chunk, doc, off, entities))
        return [self._finish(t, f) for t, f in zip(texts, found, strict=True)]

    def _finish(self, text: str, findings: list[Finding]) -> tuple[Finding, ...]:
        entities = [f for f in findings if f.label in ENTITY_LABELS]
        passages = [f for f in findings if f.label not in ENTITY_LABELS]
        entities = postprocess.clean_people(text, entities, self.lexicon)
        entities = postprocess.keep_evidenced_initials(text, entities)
        entities = postprocess.drop_marac_ids(text, entities)
        entities = postprocess.settle_identifier_labels(text, entities)
        entities = postprocess.drop_address_words(text, entities)
        entities = postprocess.drop_non_people(text, entities, self.lexicon, place_names())
        entities = postprocess.case_people(text, entities, self.lexicon)
        entities = postprocess.propagate_names(text, entities, self.lexicon, place_names())
        entities = postprocess.resolve_overlaps(entities, text)
        entities = postprocess.tag_refuges(text, entities)
        return tuple(sorted(entities + passages, key=lambda f: (f.start, f.end, f.label)))


def _finding(r: RecognizerResult, offset: int) -> Finding:
    exp = r.analysis_explanation
    meta = r.recognition_metadata or {}
    recognizer = meta.get("recognizer_name") or getattr(exp, "recognizer", None) or "unknown"
    pattern = getattr(exp, "pattern_name", None)
    why = getattr(exp, "textual_explanation", None) or ""
    return Finding(
        r.start + offset, r.end + offset, r.entity_type, round(float(r.score), 3), recognizer, why, pattern=pattern
    )


def _load_passages(rules: Path, models: Path, nlp: Any) -> PassageDetector:
    """The immigration-passage detector. A missing or broken model is an error, never a silent skip."""
    from redactor.detect import immigration

    return immigration.load(rules, models, nlp)
