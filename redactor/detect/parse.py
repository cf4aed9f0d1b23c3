"""Dependency parses only where they are needed.

The spaCy parser is about a quarter of the pipeline's time, and only one thing needs dependencies:
working out whose immigration status a passage is about (``immigration/subject.py``). So the main
pass runs the cheap sentence recognizer (``senter``) instead, and :func:`parse_regions` parses the
few regions around chosen passages afterwards, writing heads and labels back into the chunk's Doc.

Each region is parsed as its own Doc made from the chunk's tokens and their tok2vec output (the
parser listens to ``doc.tensor``), with sentence starts left for the parser to decide. On the dev
documents this agrees with a whole-chunk parse on about 97% of the tokens' heads and labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import numpy
from spacy.attrs import DEP, HEAD, ORTH, SENT_START, SPACY
from spacy.tokens import Doc


def parse_regions(doc: Doc, regions: Sequence[tuple[int, int]], parser: Any) -> None:
    """Give the tokens of ``regions`` (character offsets into ``doc``) heads and dependency labels.
    Tokens outside the regions are left as their own roots with no label."""
    spans = [doc.char_span(a, b, alignment_mode="expand") for a, b in _merged(regions)]
    todo = [s for s in spans if s is not None and len(s)]
    if not todo:
        return
    arr = doc.to_array([HEAD, DEP])
    words = doc.to_array([ORTH, SPACY])
    subs = [_region_doc(doc, span.start, span.end, words) for span in todo]
    for span, parsed in zip(todo, parser.pipe(subs), strict=True):  # one batch for the whole chunk
        arr[span.start : span.end] = parsed.to_array([HEAD, DEP])
    doc.from_array([HEAD, DEP], cast(Any, arr))  # spaCy's stubs want Ints2d; this is to_array's own


def _region_doc(doc: Doc, start: int, end: int, words: Any) -> Doc:
    """Tokens ``start:end`` of ``doc`` as a Doc of their own with their tok2vec rows, which is all the
    parser reads. (``Span.as_doc`` would also copy every annotation and average the vectors.)"""
    strings = doc.vocab.strings
    rows = words[start:end].tolist()
    sub = Doc(doc.vocab, words=[strings[orth] for orth, _ in rows], spaces=[bool(sp) for _, sp in rows])
    sub.tensor = doc.tensor[start:end]
    return _unsegmented(sub)


def _unsegmented(sub: Doc) -> Doc:
    """``sub`` with its sentence starts unset (but the first), so the parser finds the sentences."""
    starts = numpy.zeros((len(sub), 1), dtype="uint64")
    starts[0, 0] = 1
    sub.from_array([SENT_START], cast(Any, starts))
    return sub


def _merged(regions: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(regions):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
