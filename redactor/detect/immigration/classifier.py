"""The trained layer: three small linear models stored as plain arrays (no pickle).

``models/immigration/model.npz`` holds, for each of ``passage`` (binary), ``category`` (4-way) and
``subject`` (4-way), the feature vocabulary, inverse document frequencies, weights and biases;
``models/immigration/model.json`` holds the version, classes, thresholds and the measured scores.
Both are written by ``models/train_immigration.py``. Scoring is a sparse dot product in numpy:
features are weighted by idf and each row is L2-normalised, as in training.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse

from redactor.errors import ModelError

Features = dict[str, float]
MODEL_FILE = "model.npz"
CARD_FILE = "model.json"
PARTS = ("passage", "category", "subject")


@dataclass
class LinearModel:
    """Logistic regression over named sparse features. One column of weights per class
    (a binary model has one column: the positive class)."""

    vocab: dict[str, int]
    idf: np.ndarray
    coef: np.ndarray  # (n_features, n_columns)
    intercept: np.ndarray  # (n_columns,)
    classes: tuple[str, ...]
    _names: list[str] = field(default_factory=list, repr=False, compare=False)

    def transform(self, rows: Sequence[Features]) -> sparse.csr_matrix:
        """Rows of named features as an idf-weighted, L2-normalised CSR matrix (unknown names dropped,
        column indices sorted within each row)."""
        names: list[str] = []
        values: list[float] = []
        for row in rows:
            names.extend(row)
            values.extend(row.values())
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        cols = np.fromiter(map(self.vocab.get, names, repeat(-1)), dtype=np.int64, count=len(names))
        row_of = np.repeat(np.arange(len(rows), dtype=np.int64), lengths)
        known = cols >= 0
        cols, row_of, data = cols[known], row_of[known], np.asarray(values, dtype=np.float64)[known]
        order = np.lexsort((cols, row_of))
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum(np.bincount(row_of, minlength=len(rows)), out=indptr[1:])
        x = sparse.csr_matrix((data[order], cols[order], indptr), shape=(len(rows), len(self.vocab)))
        return normalise(x, self.idf)

    def proba(self, x: sparse.csr_matrix) -> np.ndarray:
        """(n_rows, n_classes) probabilities."""
        z = np.asarray(x @ self.coef) + self.intercept
        if self.coef.shape[1] == 1:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            return np.stack([1.0 - p, p], axis=1)
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def reasons(self, x: sparse.csr_matrix, row: int, cls: int, n: int = 3) -> list[str]:
        """The features that pushed row ``row`` most towards class ``cls``."""
        col = 0 if self.coef.shape[1] == 1 else cls
        sign = -1.0 if self.coef.shape[1] == 1 and cls == 0 else 1.0
        start, end = x.indptr[row], x.indptr[row + 1]
        idx, val = x.indices[start:end], x.data[start:end]
        contrib = sign * val * self.coef[idx, col]
        if self.coef.shape[1] > 1:  # against the mean of the other classes
            contrib -= val * (self.coef[idx].sum(axis=1) - self.coef[idx, col]) / (self.coef.shape[1] - 1)
        names = self.names()
        order = np.argsort(-contrib)[:n]
        return [names[idx[i]] for i in order if contrib[i] > 0]

    def names(self) -> list[str]:
        if len(self._names) != len(self.vocab):
            out = [""] * len(self.vocab)
            for k, i in self.vocab.items():
                out[i] = k
            self._names = out
        return self._names


def normalise(x: sparse.csr_matrix, idf: np.ndarray) -> sparse.csr_matrix:
    """Weight each column by its idf, then scale each row to unit length (an empty row stays empty).
    The arithmetic is that of ``diags(1 / norms) @ (x @ diags(idf))``, on the CSR arrays directly."""
    x = sparse.csr_matrix(x, dtype=np.float64, copy=True)
    x.sum_duplicates()
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))
    x.data *= idf[x.indices]
    sums = np.zeros(x.shape[0])
    filled = np.flatnonzero(np.diff(x.indptr))
    if len(filled):
        sums[filled] = np.add.reduceat(x.data * x.data, x.indptr[filled])  # as scipy's sum(axis=1)
    norms = np.sqrt(sums)
    norms[norms == 0] = 1.0
    x.data *= (1.0 / norms)[rows]
    x.eliminate_zeros()  # as the sparse products did (a 0.0 value is not stored)
    return x


@dataclass
class Models:
    passage: LinearModel
    category: LinearModel
    subject: LinearModel
    threshold: float  # passage probability at or above which a segment is flagged
    floor: float  # a strong pattern is overruled when the classifier is below this
    version: str
    card: dict[str, Any]


def save(models: Models, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = {}
    for part in PARTS:
        m: LinearModel = getattr(models, part)
        arrays[f"{part}.vocab"] = np.frombuffer("\n".join(m.names()).encode("utf-8"), dtype=np.uint8)
        arrays[f"{part}.idf"] = m.idf.astype(np.float32)
        arrays[f"{part}.coef"] = m.coef.astype(np.float32)
        arrays[f"{part}.intercept"] = m.intercept.astype(np.float32)
    np.savez_compressed(directory / MODEL_FILE, **arrays)  # type: ignore[arg-type]
    card = dict(models.card)
    card.update(version=models.version, threshold=models.threshold, floor=models.floor,
                classes={p: list(getattr(models, p).classes) for p in PARTS})
    (directory / CARD_FILE).write_text(json.dumps(card, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def load(directory: Path) -> Models:
    """Load offline from ``directory``; a missing or damaged model is a ModelError."""
    try:
        card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
        with np.load(directory / MODEL_FILE, allow_pickle=False) as z:
            parts = {p: _part(z, p, tuple(card["classes"][p])) for p in PARTS}
        return Models(parts["passage"], parts["category"], parts["subject"], float(card["threshold"]),
                      float(card["floor"]), str(card["version"]), card)
    except (OSError, KeyError, ValueError, TypeError) as e:
        raise ModelError(f"immigration model in {directory.name}/ cannot be loaded ({type(e).__name__})") from e


def _part(z: Any, part: str, classes: tuple[str, ...]) -> LinearModel:
    words = bytes(z[f"{part}.vocab"]).decode("utf-8").split("\n")
    vocab = {w: i for i, w in enumerate(words)}
    coef = z[f"{part}.coef"].astype(np.float64)
    if len(vocab) != coef.shape[0]:
        raise ValueError(f"{part}: vocabulary and weights differ in size")
    return LinearModel(vocab, z[f"{part}.idf"].astype(np.float64), coef, z[f"{part}.intercept"].astype(np.float64),
                       classes)
