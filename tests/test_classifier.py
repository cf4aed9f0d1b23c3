"""The immigration classifier's feature matrices (redactor/detect/immigration/classifier.py) and character
n-grams (features.py) must be exactly those of the previous, plainer implementations kept here."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
import spacy
from scipy import sparse

from redactor import paths
from redactor.detect import immigration
from redactor.detect.engine import load_nlp_config, load_spacy
from redactor.detect.immigration import classifier
from redactor.detect.immigration.classifier import PARTS, LinearModel, Models, normalise
from redactor.detect.immigration.features import char_grams

Features = dict[str, float]
N_TEXTS = 40


# -- the previous implementations: the references -------------------------------------------------


def old_normalise(x: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    x = sparse.csr_matrix(x @ sparse.diags(idf))
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ x)


def old_transform(model: LinearModel, rows: Sequence[Features]) -> sparse.csr_matrix:
    indptr: list[int] = [0]
    indices: list[int] = []
    values: list[float] = []
    for row in rows:
        idx = [(model.vocab[k], v) for k, v in row.items() if k in model.vocab]
        idx.sort()
        indices.extend(i for i, _ in idx)
        values.extend(v for _, v in idx)
        indptr.append(len(indices))
    x = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float64), np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
        shape=(len(rows), len(model.vocab)),
    )
    return old_normalise(x, model.idf)


def old_char_grams(word: str, f: Features) -> None:
    padded = f" {word} "
    for n in (3, 4, 5):
        for i in range(len(padded) - n + 1):
            f["c=" + padded[i : i + n]] = 1.0


def assert_same(got: sparse.csr_matrix, want: sparse.csr_matrix) -> None:
    """Exactly the same matrix, stored the same way, with sorted column indices in each row."""
    assert isinstance(got, sparse.csr_matrix)
    assert got.shape == want.shape
    assert got.dtype == want.dtype == np.float64
    assert np.array_equal(got.toarray(), want.toarray())
    assert np.array_equal(got.indptr, want.indptr)
    assert np.array_equal(got.indices, want.indices)
    assert np.array_equal(got.data, want.data)  # bit for bit (array_equal on floats is exact)
    for r in range(got.shape[0]):
        cols = got.indices[got.indptr[r] : got.indptr[r + 1]]
        assert (np.diff(cols) > 0).all(), f"row {r}: column indices not sorted or repeated"


# -- a toy model ----------------------------------------------------------------------------------

NAMES = ["a", "b", "c", "d", "e", "f"]
TOY = LinearModel(
    vocab={name: i for i, name in enumerate(NAMES)},
    idf=np.array([1.0, 2.5, 1.25, 3.0, 1.7, 9.1]),
    coef=np.array([[0.5], [-1.0], [2.0], [0.25], [-0.75], [1.5]]),
    intercept=np.array([0.1]),
    classes=("no", "yes"),
)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([], id="no rows"),
        pytest.param([{}], id="an empty row"),
        pytest.param([{"zz": 1.0, "yy": 1.0}], id="only unknown features"),
        pytest.param([{"a": 1.0}, {"zz": 1.0, "q": 2.0}, {"b": 1.0, "c": 1.0}], id="unknown-only row between"),
        pytest.param([{"a": 1.0}, {}, {}, {"f": 1.0}], id="empty rows between"),
        pytest.param([{"e": 1.0, "a": 1.0, "f": 1.0, "c": 1.0, "b": 1.0, "d": 1.0}], id="arbitrary dict order"),
        pytest.param([{"f": 1.0, "zz": 1.0, "a": 1.0, "yy": 1.0, "c": 1.0}], id="known and unknown interleaved"),
        pytest.param([{"a": 0.5, "c": 2.0, "d": 3.25}, {"b": -1.5, "e": 1e-9}], id="values other than 1.0"),
        pytest.param([{"a": 1.0, "b": 1.0}, {"b": 1.0, "a": 1.0}], id="the same row in two orders"),
        pytest.param([{"a": 1.0, "b": 0.0}], id="a 0.0 value"),
    ],
)
def test_transform_table(rows: list[Features]) -> None:
    got, want = TOY.transform(rows), old_transform(TOY, rows)
    assert_same(got, want)
    assert np.array_equal(TOY.proba(got), TOY.proba(want))


def test_zero_value_gives_the_same_dense_matrix_and_probabilities() -> None:
    rows = [{"a": 1.0, "b": 0.0}, {"c": 0.0}]
    got, want = TOY.transform(rows), old_transform(TOY, rows)
    assert np.array_equal(got.toarray(), want.toarray())
    assert np.array_equal(TOY.proba(got), TOY.proba(want))


def test_reference_catches_a_dropped_sort() -> None:
    """The comparison can fail: a matrix with the right values but unsorted columns is told apart."""
    want = old_transform(TOY, [{"a": 1.0, "c": 1.0, "f": 2.0}])
    shuffled = sparse.csr_matrix((want.data[::-1], want.indices[::-1], want.indptr), shape=want.shape)
    assert np.array_equal(shuffled.toarray(), want.toarray())
    with pytest.raises(AssertionError):
        assert_same(shuffled, want)


def test_transform_does_not_change_its_rows() -> None:
    rows = [{"b": 2.0, "a": 1.0, "zz": 1.0}]
    TOY.transform(rows)
    assert rows == [{"b": 2.0, "a": 1.0, "zz": 1.0}] and list(rows[0]) == ["b", "a", "zz"]


# -- normalise ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dense", "idf"),
    [
        pytest.param(np.zeros((0, 3)), [1.0, 2.0, 3.0], id="no rows"),
        pytest.param(np.zeros((2, 3)), [1.0, 2.0, 3.0], id="all empty"),
        pytest.param([[3.0, 0.0, 4.0]], [1.0, 1.0, 1.0], id="3-4-5"),
        pytest.param([[0.0, 0.0, 0.0], [1.0, 2.0, 0.0], [0.0, 0.0, 0.0]], [1.5, 2.5, 3.5], id="empty rows around"),
        pytest.param([[1e-200, 1e-200]], [1.0, 1.0], id="tiny values"),
        pytest.param([[1e150, -1e150]], [1.0, 1.0], id="huge values"),
        pytest.param(
            [[1e200, -1e200]], [1.0, 1.0], id="squared norm overflows",
            marks=[pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning")],
        ),
        pytest.param([[1, 0, 3]], [1.5, 1.0, 2.0], id="integer input"),
    ],
)
def test_normalise_table(dense: Any, idf: list[float]) -> None:
    x = sparse.csr_matrix(np.asarray(dense))
    before = x.copy()
    got = normalise(x, np.asarray(idf))
    assert_same(got, old_normalise(x, np.asarray(idf)))
    assert (x != before).nnz == 0 and x.dtype == before.dtype  # the input is left alone


def test_normalise_unsorted_input_gives_sorted_rows_of_the_same_values() -> None:
    x = sparse.csr_matrix((np.array([0.1, 0.2, 0.7]), np.array([2, 1, 0]), np.array([0, 3])), shape=(1, 3))
    idf = np.array([1.3, 1.7, 2.9])
    got = normalise(x, idf)
    assert np.array_equal(got.toarray(), old_normalise(x, idf).toarray())
    assert list(got.indices) == [0, 1, 2]


def _random_csr(rng: np.random.Generator) -> sparse.csr_matrix:
    n_rows, n_cols = int(rng.integers(0, 25)), int(rng.integers(1, 120))
    density = float(rng.choice([0.0, 0.02, 0.1, 0.4, 1.0]))
    x = sparse.random(n_rows, n_cols, density=density, format="csr", random_state=rng)
    if rng.random() < 0.5:
        x.data = rng.normal(scale=float(rng.choice([1e-3, 1.0, 1e3])), size=x.nnz)
    elif rng.random() < 0.5:
        x.data = np.full(x.nnz, float(rng.choice([1.0, 0.5])))
    return x


def test_normalise_random_matrices() -> None:
    rng = np.random.default_rng(20240611)
    nonempty = 0
    for _ in range(400):
        x = _random_csr(rng)
        idf = rng.uniform(1.0, 10.0, x.shape[1])
        assert_same(normalise(x, idf), old_normalise(x, idf))
        nonempty += x.nnz > 0
    assert nonempty > 200


def test_transform_random_rows() -> None:
    rng = np.random.default_rng(7)
    for _ in range(300):
        n_vocab = int(rng.integers(1, 200))
        names = [f"w={i}" for i in rng.permutation(n_vocab * 2)[:n_vocab]]
        model = LinearModel({name: i for i, name in enumerate(names)}, rng.uniform(1.0, 10.0, n_vocab),
                            np.zeros((n_vocab, 1)), np.zeros(1), ("no", "yes"))
        rows: list[Features] = []
        for _ in range(int(rng.integers(0, 12))):
            known = [names[i] for i in rng.choice(n_vocab, size=int(rng.integers(0, n_vocab + 1)), replace=False)]
            unknown = [f"u={i}" for i in range(int(rng.integers(0, 5)))]
            keys = [str(k) for k in rng.permutation(np.array(known + unknown, dtype=object))]
            rows.append({k: float(rng.choice([1.0, 0.5, rng.uniform(0.01, 5.0)])) for k in keys})
        assert_same(model.transform(rows), old_transform(model, rows))


# -- the trained model ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def models() -> Models:
    return classifier.load(paths.models_dir() / immigration.MODEL_DIR)


@pytest.mark.parametrize("part", PARTS)
def test_trained_model_on_random_vocabulary_subsets(models: Models, part: str) -> None:
    model: LinearModel = getattr(models, part)
    names = model.names()
    rng = np.random.default_rng(len(names))
    rows: list[Features] = []
    for _ in range(200):
        picked = [names[i] for i in rng.choice(len(names), size=int(rng.integers(0, 80)), replace=False)]
        rows.append({k: float(rng.choice([1.0, 0.5])) for k in [*picked, "never=seen", "c=\u2603\u2603\u2603"]})
    got, want = model.transform(rows), old_transform(model, rows)
    assert_same(got, want)
    assert np.array_equal(model.proba(got), model.proba(want))


@pytest.fixture(scope="module")
def real_rows() -> dict[str, list[Features]]:
    """The feature rows each model is given while the detector runs over dev texts (the models
    recorded through a wrapper around ``transform``)."""
    cfg = load_nlp_config(paths.models_dir() / "nlp.yaml")
    nlp: spacy.language.Language = load_spacy(cfg.spacy_model, cfg.exclude, cfg.enable)
    detector = immigration.load(paths.rules_dir(), paths.models_dir(), nlp)
    recorded: dict[str, list[Features]] = {part: [] for part in PARTS}
    for part in PARTS:
        model = getattr(detector.models, part)

        def recording(rows: Sequence[Features], model: LinearModel = model, part: str = part) -> Any:
            recorded[part].extend(dict(r) for r in rows)
            return LinearModel.transform(model, rows)

        model.transform = recording  # an instance attribute: only this detector's models
    texts = [json.loads(line)["text"] for line in (paths.sample_docs_dir() / "dev.jsonl").open()][:N_TEXTS]
    for text, doc in zip(texts, nlp.pipe(texts, disable=["parser"]), strict=True):
        detector.find(text, doc, 0, [])
    return recorded


@pytest.mark.parametrize("part", PARTS)
def test_trained_model_on_real_feature_rows(models: Models, real_rows: dict[str, list[Features]], part: str) -> None:
    rows = real_rows[part]
    assert len(rows) >= {"passage": 500, "category": 10, "subject": 10}[part]
    model: LinearModel = getattr(models, part)
    got, want = model.transform(rows), old_transform(model, rows)
    assert_same(got, want)
    assert np.array_equal(model.proba(got), model.proba(want))


# -- character n-grams ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "grams"),
    [
        ("", []),
        ("a", [" a "]),
        ("ab", [" ab", "ab ", " ab "]),
        ("abc", [" ab", "abc", "bc ", " abc", "abc ", " abc "]),
        ("visa", [" vi", "vis", "isa", "sa ", " vis", "visa", "isa ", " visa", "visa "]),
        ("aaaa", [" aa", "aaa", "aa ", " aaa", "aaaa", "aaa ", " aaaa", "aaaa "]),  # repeats once
        ("<name>", [" <n", "<na", "nam", "ame", "me>", "e> ", " <na", "<nam", "name", "ame>", "me> ",
                    " <nam", "<name", "name>", "ame> "]),
        ("café", [" ca", "caf", "afé", "fé ", " caf", "café", "afé ", " café", "café "]),
    ],
)
def test_char_grams(word: str, grams: list[str]) -> None:
    got = char_grams(word)
    assert list(got) == ["c=" + g for g in grams]
    assert all(v == 1.0 and type(v) is float for v in got.values())
    old: Features = {}
    old_char_grams(word, old)
    assert got == old and list(got) == list(old)


def test_char_grams_copied_by_the_caller_never_change_later_results() -> None:
    first = dict(char_grams("visa"))
    f: Features = {"w=visa": 1.0}
    f.update(char_grams("visa"))
    f["c= vi"] = 7.0
    f["c=zzz"] = 1.0
    del f["c=visa"]
    assert char_grams("visa") == first
    assert "c=zzz" not in char_grams("visa") and char_grams("visa")["c= vi"] == 1.0


def test_char_grams_of_the_words_the_detector_saw(real_rows: dict[str, list[Features]]) -> None:
    """After a detector run (which fills the cache through ``passage_features``), the cached grams are
    still exactly the old ones."""
    words = {k[2:] for row in real_rows["passage"] for k in row if k.startswith("w=") and k != "w=<name>"}
    assert len(words) > 500
    for word in sorted(words):
        old: Features = {}
        old_char_grams(word, old)
        assert char_grams(word) == old, word
