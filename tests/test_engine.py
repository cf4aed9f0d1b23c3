"""How redactor.detect.engine.load_spacy loads the spaCy pipeline: thinc's numpy ops without blis, only
while loading, and with the same annotations as a stock load."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import spacy
from spacy.attrs import DEP, ENT_IOB, ENT_TYPE, HEAD, LEMMA, MORPH, POS, SENT_START, TAG
from spacy.language import Language
from thinc.api import Model, NumpyOps, get_current_ops, use_ops

from redactor import paths
from redactor.detect import engine
from redactor.detect.engine import load_nlp_config, load_spacy
from redactor.errors import ModelError

CFG = load_nlp_config(paths.models_dir() / "nlp.yaml")
N_TEXTS = 40
TRAINED = ["tok2vec", "tagger", "parser", "senter", "ner"]


@pytest.fixture(scope="module")
def nlp() -> Language:
    return load_spacy(CFG.spacy_model, CFG.exclude, CFG.enable)


def _nodes(nlp: Language, name: str) -> Iterator[Model[Any, Any]]:
    yield from nlp.get_pipe(name).model.walk()  # type: ignore[attr-defined]


def test_the_trained_components_are_checked(nlp: Language) -> None:
    assert set(TRAINED) <= set(nlp.component_names)
    assert all(len(list(_nodes(nlp, name))) > 3 for name in TRAINED)


@pytest.mark.parametrize("name", TRAINED)
def test_numpy_ops_without_blis(nlp: Language, name: str) -> None:
    """Every layer runs on NumpyOps without blis, but the transition models' ``upper`` output layer
    (spaCy makes it with the default ops; it is a small (hidden x actions) product)."""
    model = nlp.get_pipe(name).model  # type: ignore[attr-defined]
    upper = model.get_ref("upper") if model.has_ref("upper") else None
    with_blis = [node for node in model.walk() if node.ops.use_blis]
    assert all(isinstance(node.ops, NumpyOps) for node in model.walk())
    if name in ("parser", "ner"):
        assert upper is not None and upper.name == "linear"
        assert with_blis == [upper]
    else:
        assert with_blis == []


@pytest.mark.parametrize("name", ["tok2vec", "ner"])
def test_embedding_and_encoder_layers_without_blis(nlp: Language, name: str) -> None:
    """The big products: tok2vec's (shared) and the NER's own tok2vec's embeddings and encoder."""
    model = nlp.get_pipe(name).model  # type: ignore[attr-defined]
    tok2vec = model if name == "tok2vec" else model.get_ref("tok2vec")
    kinds = {node.name for node in tok2vec.walk()}
    assert {"hashembed", "maxout", "layernorm", "expand_window"} <= kinds
    assert not any(node.ops.use_blis for node in tok2vec.walk())


def test_stock_load_uses_blis() -> None:
    """The check above can fail: a plain spacy.load (under thinc's default numpy ops, with blis) gives
    blis to every layer."""
    with use_ops("numpy", use_blis=True):
        stock = spacy.load(CFG.spacy_model, exclude=[n for n in TRAINED if n != "tok2vec"])
    assert all(getattr(node.ops, "use_blis", None) is True for node in _nodes(stock, "tok2vec"))


def _failing_load(*args: Any, **kwargs: Any) -> Language:
    assert getattr(get_current_ops(), "use_blis", None) is False  # inside load_spacy's context
    raise OSError("damaged package")


@pytest.mark.parametrize("outer", [None, "numpy"])
@pytest.mark.parametrize("fails", [False, True])
def test_ops_context_does_not_leak(monkeypatch: pytest.MonkeyPatch, outer: str | None, fails: bool) -> None:
    if fails:
        monkeypatch.setattr(engine.spacy, "load", _failing_load)

    def run() -> None:
        before = get_current_ops()
        if fails:
            with pytest.raises(OSError, match="damaged package"):
                load_spacy(CFG.spacy_model, CFG.exclude, CFG.enable)
        else:
            load_spacy(CFG.spacy_model, ("parser", "ner"), ())
        assert get_current_ops() is before

    if outer is None:
        run()
    else:
        with use_ops(outer, use_blis=True):
            run()


def test_missing_package_is_a_model_error() -> None:
    before = get_current_ops()
    with pytest.raises(ModelError, match="not installed"):
        load_spacy("en_no_such_pipeline_xyz")
    assert get_current_ops() is before


COMPARED = [TAG, POS, MORPH, LEMMA, SENT_START, ENT_IOB, ENT_TYPE]


def test_same_annotations_as_a_stock_load(nlp: Language) -> None:
    """No blis, the indexed attribute ruler and the memoised lemmatizer change no annotation (the
    tok2vec floats themselves differ in the last digits: about 1e-6)."""
    stock = spacy.load(CFG.spacy_model)
    stock.enable_pipe("senter")
    lines = (paths.sample_docs_dir() / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    texts = [json.loads(line)["text"] for line in lines if line.strip()][:N_TEXTS]
    for a, b in zip(nlp.pipe(texts, disable=["parser"]), stock.pipe(texts, disable=["parser"]), strict=True):
        assert [t.text for t in a] == [t.text for t in b]
        assert (a.to_array(COMPARED) == b.to_array(COMPARED)).all(), a.text[:60]
    nlp_parse, stock_parse = nlp.get_pipe("parser"), stock.get_pipe("parser")
    for text in texts[:15]:
        a, b = next(nlp.pipe([text], disable=["parser"])), next(stock.pipe([text], disable=["parser"]))
        nlp_parse(a)  # type: ignore[operator]
        stock_parse(b)  # type: ignore[operator]
        assert (a.to_array([HEAD, DEP]) == b.to_array([HEAD, DEP])).all(), text[:60]
