"""spaCy's rule lemmatizer, remembered per word form.

spaCy's ``Lemmatizer.rule_lemmatize`` reads only a token's text, its coarse part of speech and its
morphology, but it caches its answer only for words that are not base forms, and nearly every
token is one: each of them pays for a chain of Python calls (about 4% of detection time).
:func:`memoise_lemmatizer` gives the loaded lemmatizer a ``__call__`` that reads (ORTH, POS, MORPH,
LEMMA) once per Doc with ``Doc.to_array``, asks spaCy's own ``lemmatize`` once per distinct
(ORTH, POS, MORPH) in the process, and writes the lemmas back with ``Doc.from_array``. Lemmas set
earlier (by the attribute ruler) are kept unless the lemmatizer overwrites, as spaCy does; a new
lemmatizer's first call is spaCy's own (it checks its tables). The lemmas are spaCy's, exactly: the
same on all 418 dev texts (177,182 tokens) when it was written, and ``tests/test_fast_lemmatizer.py``
compares 60 of them.
"""

from __future__ import annotations

from typing import Any, cast

from spacy.attrs import LEMMA, MORPH, ORTH, POS
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc


class _Remembered:
    """Mixed in before the lemmatizer's own class (see :func:`memoise_lemmatizer`)."""

    _memo: dict[tuple[int, int, int], int]
    _validated: bool
    overwrite: bool
    mode: str
    vocab: Any

    def __call__(self, doc: Doc) -> Doc:
        if self.mode != "rule" or not self._validated:  # spaCy's own call checks the tables first
            return cast(Doc, super().__call__(doc))  # type: ignore[misc]
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3:4].copy()
        memo, lemmatize, strings = self._memo, cast(Any, self).lemmatize, self.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(rows.tolist()):
            if lemma and not self.overwrite:
                continue
            key = (orth, pos, morph)
            found = memo.get(key)
            if found is None:
                found = memo[key] = strings.add(lemmatize(doc[i])[0])
            lemmas[i, 0] = found
        doc.from_array([LEMMA], cast(Any, lemmas))  # spaCy's stubs want Ints2d; this is to_array's own
        return doc


class RememberedLemmatizer(_Remembered, Lemmatizer):
    pass


class RememberedEnglishLemmatizer(_Remembered, EnglishLemmatizer):
    pass


def memoise_lemmatizer(nlp: Language, name: str = "lemmatizer") -> None:
    """Give the pipeline's lemmatizer ``name`` the remembering ``__call__``, in place (its class
    becomes a subclass of its own class, so tables, scorer and serialisation are untouched)."""
    pipe = nlp.get_pipe(name)
    if isinstance(pipe, _Remembered):
        return
    if not isinstance(pipe, Lemmatizer):
        raise TypeError(f"pipeline component '{name}' is a {type(pipe).__name__}, not a Lemmatizer")
    pipe.__class__ = _remembering(type(pipe))
    cast(Any, pipe)._memo = {}


def _remembering(base: type) -> type:
    """The remembering subclass of ``base``, found by name in this module (so a pipeline pickles)."""
    name = f"Remembered{base.__name__}"
    known = globals().get(name)
    if isinstance(known, type) and known.__bases__ == (_Remembered, base):
        return known
    made = type(name, (_Remembered, base), {"__module__": __name__})
    globals()[name] = made  # another language's lemmatizer: registered for pickle
    return made
