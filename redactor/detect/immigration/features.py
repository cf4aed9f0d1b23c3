"""Features of a candidate passage for the trained classifier (is it a passage, which category).

Word unigrams and bigrams (names replaced by ``<name>``, digits by ``0``), lemmas, character 3-5
grams inside words, the field label, pattern and hard-negative hits in the segment and in its
neighbours, and a few shape cues. Computed from the chunk's spaCy Doc (no re-parsing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from types import MappingProxyType

import regex as re
from spacy.tokens import Span, Token

from redactor.detect.immigration.patterns import Hit, token_lemma
from redactor.detect.immigration.segment import Segment

Features = dict[str, float]
STRONG = 0.8  # a pattern scoring at least this decides on its own (rules/immigration_patterns.yaml)
_DIGITS = re.compile(r"\d")
CHAR_N = (3, 4, 5)  # character n-gram lengths (the trained model's features)


def word_form(t: Token, names: frozenset[int]) -> str:
    if t.i in names:
        return "<name>"
    return _DIGITS.sub("0", t.lower_)


def passage_features(seg: Segment, span: Span, names: frozenset[int], hits: Sequence[Hit],
                     context: Sequence[Hit]) -> Features:
    """``hits`` fall inside the segment; ``context`` in the segments just before and after it."""
    f: Features = {}
    words = [word_form(t, names) for t in span if not t.is_space and not t.is_punct]
    for w in words:
        f["w=" + w] = 1.0
    for a, b in zip(words, words[1:], strict=False):
        f[f"b={a}_{b}"] = 1.0
    for t in span:
        if not t.is_space and not t.is_punct and t.i not in names:
            f["l=" + token_lemma(t)] = 1.0
    for w in set(words):
        if w != "<name>":
            f.update(char_grams(w))
    for w in seg.label.lower().split():
        f["lab=" + w.strip(":,.()'")] = 1.0
    _hit_features(hits, "", f)
    _hit_features(context, "ctx_", f)
    _shape(seg, words, f)
    return f


@lru_cache(maxsize=65536)
def char_grams(word: str) -> Mapping[str, float]:
    """The word's character n-gram features, read-only (a word recurs across passages: computed once)."""
    padded = f" {word} "
    return MappingProxyType({"c=" + padded[i:i + n]: 1.0 for n in CHAR_N for i in range(len(padded) - n + 1)})


def _hit_features(hits: Sequence[Hit], prefix: str, f: Features) -> None:
    for h in hits:
        if h.rule.negative:
            f[f"{prefix}neg={h.rule.id}"] = 1.0
            f[f"{prefix}neg"] = 1.0
            continue
        f[f"{prefix}p={h.rule.id}"] = 1.0
        f[f"{prefix}pc={h.rule.category}"] = 1.0
        if h.rule.score >= STRONG:
            f[f"{prefix}strong"] = 1.0


def _shape(seg: Segment, words: Sequence[str], f: Features) -> None:
    n = len(words)
    f["len=" + ("1-3" if n <= 3 else "4-8" if n <= 8 else "9-20" if n <= 20 else "21+")] = 1.0
    letters = [c for c in seg.text if c.isalpha()]
    if letters and sum(c.isupper() for c in letters) > 0.8 * len(letters):
        f["caps"] = 1.0
    if seg.text.rstrip().endswith(":"):
        f["ends_colon"] = 1.0
    if seg.label:
        f["has_label"] = 1.0
