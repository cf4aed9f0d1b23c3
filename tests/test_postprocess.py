"""Overlap resolution, PERSON clean-up and name propagation (no model needed)."""

from __future__ import annotations

import re

import pytest

from redactor import paths
from redactor.detect import postprocess
from redactor.detect.lexicon import load_lexicon
from redactor.model import Finding

LEX = load_lexicon(paths.rules_dir() / "lexicon.yaml")


def F(start: int, end: int, label: str, score: float = 0.8, rec: str = "SpacyRecognizer") -> Finding:
    return Finding(start, end, label, score, rec)


def spans(text: str, findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.label, text[f.start : f.end]) for f in findings]


def test_same_label_overlaps_merge() -> None:
    out = postprocess.resolve_overlaps([F(0, 10, "ADDRESS"), F(5, 20, "ADDRESS")], "x" * 20)
    assert [(f.start, f.end) for f in out] == [(0, 20)]


def test_unions_that_reach_each_other_merge_too() -> None:
    found = [F(4, 8, "PERSON", 0.8), F(10, 16, "PERSON", 0.8), F(4, 16, "PERSON", 0.65)]
    out = postprocess.resolve_overlaps(found, "1.  STAN, Ionela")
    assert [(f.start, f.end) for f in out] == [(4, 16)]


def test_higher_priority_label_keeps_the_characters() -> None:
    out = postprocess.resolve_overlaps([F(0, 12, "PHONE_NUMBER", 1.0), F(0, 12, "NHS_NUMBER", 0.75)], "943 476 5919")
    assert [f.label for f in out] == ["NHS_NUMBER"]


def test_partial_overlap_trims_the_weaker_finding() -> None:
    text = "INC 0377 21/08 - 44 ST JUDE'S RD"
    out = postprocess.resolve_overlaps([F(0, 14, "REFERENCE"), F(12, 32, "ADDRESS")], text)
    assert spans(text, out) == [("REFERENCE", "INC 0377 21/08"), ("ADDRESS", "44 ST JUDE'S RD")]


def test_overlap_that_leaves_little_drops_the_weaker_finding() -> None:
    out = postprocess.resolve_overlaps([F(0, 10, "REFERENCE"), F(2, 12, "PERSON")], "x" * 12)
    assert [f.label for f in out] == ["REFERENCE"]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("MARAC MINUTES - Westbury", "Westbury"),
        ("Kevin's", "Kevin"),
        ("DI Helen Marsh", "DI Helen Marsh"),
        ("Housing Options", None),
        ("CAMHS", None),
        ("the victim", None),
    ],
)
def test_clean_people(text: str, expected: str | None) -> None:
    out = postprocess.clean_people(text, [F(0, len(text), "PERSON")], LEX)
    assert (text[out[0].start : out[0].end] if out else None) == expected


def test_names_propagate_to_other_mentions_but_not_into_organisations() -> None:
    text = "Victim: Asha Begum. Asha said the Asha Project helped. Begum agreed."
    seed = F(8, 18, "PERSON", 0.8, "field_person")
    out = postprocess.propagate_names(text, [seed], LEX)
    found = sorted({(f.start, text[f.start : f.end]) for f in out})
    assert (20, "Asha") in found and (55, "Begum") in found
    assert (34, "Asha") not in found  # "Asha Project" is an organisation


def test_low_score_findings_do_not_seed_propagation() -> None:
    text = "AB went out. AB came back."
    out = postprocess.propagate_names(text, [F(0, 2, "PERSON", 0.45, "initials")], LEX)
    assert len(out) == 1


@pytest.mark.parametrize(
    "text,drop",
    [
        ("Salford Housing said", True),  # organisation
        ("Leeds was busy", True),  # a place known to GeoNames
        ("Amina said", False),
    ],
)
def test_drop_non_people(text: str, drop: bool) -> None:
    word = text.split()[0]
    out = postprocess.drop_non_people(text, [F(0, len(word), "PERSON")], LEX, frozenset({"Leeds", "Salford"}))
    assert (out == []) is drop


@pytest.mark.parametrize("text,refuge", [
    ("She has moved to Kelbridge Women's Aid refuge, 3 Orchard Rise, Kelbridge KB1 4QF.", True),
    ("Emergency placement at 40 Park Road, Northam NM5 6GG from tonight.", True),
    ("Safe house: 12 Larch Road, Eastbrook EB2 4TT", True),
    ("She still lives at 22 Alder Close, Westbury WB3 7QT with the children.", False),
])
def test_refuge_addresses_are_tagged_from_their_words(text: str, refuge: bool) -> None:
    m = re.search(r"\d+ [A-Z][a-z]+ (?:Rise|Road|Close), [A-Z][a-z]+ [A-Z0-9]+ [0-9A-Z]+", text)
    assert m is not None
    out = postprocess.tag_refuges(text, [F(m.start(), m.end(), "ADDRESS")])
    assert ("refuge" in out[0].tags) is refuge
