"""Rules files are validated on load, and errors name the file and the rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from redactor import paths
from redactor.detect.lexicon import load_lexicon
from redactor.detect.registry import load_recognizers
from redactor.errors import RulesError

LEX = load_lexicon(paths.rules_dir() / "lexicon.yaml")
GOOD = """
version: 1
recognizers:
  - id: email
    entity: EMAIL_ADDRESS
    type: pattern
    patterns: [{id: e, regex: '\\S+@\\S+', score: 0.9}]
"""


def test_shipped_rules_load() -> None:
    recs = load_recognizers(paths.rules_dir() / "recognizers.yaml", LEX)
    assert {r.name for r in recs} >= {"uk_phone", "nhs_number", "ni_number", "uk_address", "date_of_birth"}


@pytest.mark.parametrize(
    "body,message",
    [
        (GOOD.replace("EMAIL_ADDRESS", "CREDIT_CARD"), "recognizer 'email' entity"),
        (GOOD.replace("score: 0.9", "score: 9"), "recognizer 'email' patterns/0/score"),
        (GOOD.replace("\\S+@\\S+", "(unclosed"), "recognizer 'email'"),
        (GOOD.replace("type: pattern", "type: code\n    class: Nope"), "unknown class 'Nope'"),
        (GOOD + GOOD.split("recognizers:")[1], "defined twice"),
        ("version: 2\nrecognizers: []", "version"),
        ("recognizers: [unclosed", "cannot read"),
    ],
)
def test_invalid_rules_name_file_and_rule(tmp_path: Path, body: str, message: str) -> None:
    f = tmp_path / "recognizers.yaml"
    f.write_text(body)
    with pytest.raises(RulesError) as err:
        load_recognizers(f, LEX)
    assert str(err.value).startswith("recognizers.yaml:")
    assert message in str(err.value)


def test_good_minimal_rules_load(tmp_path: Path) -> None:
    f = tmp_path / "recognizers.yaml"
    f.write_text(GOOD)
    assert [r.name for r in load_recognizers(f, LEX)] == ["email"]


def test_only_the_needed_spacy_components_run() -> None:
    from redactor.detect import Detector

    detector = Detector.load(passages=False)
    doc = next(detector.nlp.pipe(["Ms Rosa Quispe lives here. She is safe."], disable=list(detector.on_demand)))
    assert [n for n in detector.nlp.pipe_names if n not in detector.on_demand] == [
        "tok2vec", "tagger", "senter", "attribute_ruler", "lemmatizer", "ner"
    ]
    assert detector.on_demand == ("parser",)
    assert doc.has_annotation("SENT_START") and not doc.has_annotation("DEP")  # no whole-text parse
