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


@pytest.mark.parametrize(
    "text,label,rec,expected",
    [
        ("Hospital no: K2291837", "IMMIGRATION_ID", "immigration_id_patterns", "REFERENCE"),
        ("Passport: Nigerian, A09871234", "REFERENCE", "police_court_references", "IMMIGRATION_ID"),
        ("She has a protection claim, ref A1228874", "IMMIGRATION_ID", "immigration_id_patterns", "IMMIGRATION_ID"),
        ("Home Office case ref B1234567", "IMMIGRATION_ID", "immigration_id_patterns", "IMMIGRATION_ID"),
        ("Crime ref K2291837", "REFERENCE", "police_court_references", "REFERENCE"),
        ("passport\nHospital no: K2291837", "REFERENCE", "reference_cued", "REFERENCE"),  # a cued finding stays
        ("Police: H1234567 on the Home Office file", "IMMIGRATION_ID", "immigration_id_cued", "IMMIGRATION_ID"),
        ("Homeless application ref: K2291837", "IMMIGRATION_ID", "immigration_id_cued", "REFERENCE"),
        ("Visa application ref: K2291837", "IMMIGRATION_ID", "immigration_id_cued", "IMMIGRATION_ID"),
        ("Housing: her leave application no. K2291837 (UKVI)", "IMMIGRATION_ID", "immigration_id_cued",
         "IMMIGRATION_ID"),
    ],
)
def test_identifier_label_follows_the_cue_before_it(text: str, label: str, rec: str, expected: str) -> None:
    start = re.search(r"[A-Z]\d{7,8}", text)
    assert start is not None
    f = F(start.start(), start.end(), label, rec=rec)
    assert [g.label for g in postprocess.settle_identifier_labels(text, [f])] == [expected]


@pytest.mark.parametrize(
    "text,token,dropped",
    [
        ("CASE NO. 1 - Ref LUT/0925/01\nVictim: Shauna", "LUT/0925/01", True),
        ("Referral 1 of 3 - Ref KTN/24/118\nVictim: Danielle", "KTN/24/118", True),
        ("ACTIONS\nDS/25/049 Donna ATKINSON (7 Street)\n", "DS/25/049", True),
        ("\nC25-117 | V: Hannah Blake\n", "C25-117", True),
        ("1.  STAN, Ionela   Marac no. CV25/0312   (repeat)", "CV25/0312", True),
        ("Victim: Ann Lee    Perpetrator: James Whitlock    Ref WEX/25/118\n", "WEX/25/118", True),
        ("Ref SAL/25/047\nVictim: Rosa", "SAL/25/047", True),  # the Marac's shape, alone
        ("CHRONOLOGY - Grace Nakato\nRef SSD-IDVA-0931    Worker: Ines", "SSD-IDVA-0931", False),
        ("OFFICER CASE NOTES - case ref HOU-2025-0871", "HOU-2025-0871", False),
        ("Police: crime CRN 25/004417 and CRN 25/006032", "25/004417", False),
        # the structure finder's case headings, and an id right after the word Marac
        ("Derby Marac\n4. DB/0625/04 - Ana Ruiz / Tom Ruiz\nPolice: x\n5. DB/0625/05 - Jo Bell / Al Bell\n",
         "DB/0625/04", True),
        ("Minutes\n#1  SDW/0925/01 - HIGH\nV: Tanya Hadley\n#2  SDW/0925/02 - HIGH\nV: Amy Benn\n",
         "SDW/0925/02", True),
        ("Subject: Marac SK/25/17 - accepted?\n", "SK/25/17", True),
        ("From Slough Marac (case SL-25-066) - sent with consent", "SL-25-066", True),
        ("Subject: Housing ref SK/25/17 - accepted?\n", "SK/25/17", False),
    ],
)
def test_marac_own_ids_are_dropped(text: str, token: str, dropped: bool) -> None:
    start = text.index(token)
    kept = postprocess.drop_marac_ids(text, [F(start, start + len(token), "REFERENCE", rec="police_court_references")])
    assert (kept == []) is dropped


def test_case_people_are_found_where_their_case_names_them() -> None:
    text = ("Marac minutes\nCase 1 - PL-25-019 (HIGH) - Rosalind Pascoe (31/05/1986) / Wayne Trelawny\n"
            "Police: Rosalind called.\nCase 2 - PL-25-020 (HIGH) - Ewa Sadowska / Piotr Sadowski\nIDVA: none.\n")
    out = postprocess.case_people(text, [], LEX)
    assert sorted(text[f.start : f.end] for f in out) == [
        "Ewa Sadowska", "Piotr Sadowski", "Rosalind Pascoe", "Wayne Trelawny"
    ]
    assert {f.recognizer for f in out} == {"case_people"}
    assert postprocess.case_people("Dear Sir,\nNo cases here.\n", [], LEX) == []


@pytest.mark.parametrize("text,refuge", [
    ("Refuge address: Unit 3, 112 Stoney Stanton Road, Coventry CV1 4FS. He was seen on Stoney Stanton Road.", True),
    ("Home: 4 Elm Road, Leeds LS6 2QT. He was seen on Elm Road.", False),
])
def test_a_part_of_a_refuge_address_is_the_refuge_too(text: str, refuge: bool) -> None:
    full = re.search(r"(?:Unit 3, )?\d+ [A-Z][a-z]+(?: [A-Z][a-z]+)? Road, [A-Z][a-z]+ [A-Z0-9]+ [0-9A-Z]+", text)
    part = text.rindex("Road") - (len("Stoney Stanton ") if "Stoney" in text else len("Elm "))
    assert full is not None
    found = [F(full.start(), full.end(), "ADDRESS"), F(part, text.rindex("Road") + 4, "ADDRESS")]
    out = postprocess.tag_refuges(text, found)
    assert ("refuge" in out[1].tags) is refuge
