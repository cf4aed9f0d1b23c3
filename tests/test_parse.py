"""Dependency parses only around chosen passages (redactor.detect.parse)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, cast

import pytest
import spacy
from spacy.attrs import DEP, HEAD
from spacy.tokens import Doc

from redactor import paths
from redactor.detect.engine import load_nlp_config, load_spacy
from redactor.detect.parse import _merged, _region_doc, _unsegmented, parse_regions

TEXT = (
    "Police: attended on 3 May after a neighbour called.\n"
    "IDVA: Rosa says her husband keeps her passport and threatens to have her sent back.\n"
    "Housing: no update.\n"
)


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    cfg = load_nlp_config(paths.models_dir() / "nlp.yaml")
    return load_spacy(cfg.spacy_model, cfg.exclude, cfg.enable)


@pytest.mark.parametrize(
    ("regions", "merged"),
    [([], []), ([(5, 9), (0, 4)], [(0, 4), (5, 9)]), ([(0, 5), (3, 9), (9, 12)], [(0, 12)])],
)
def test_regions_merge(regions: list[tuple[int, int]], merged: list[tuple[int, int]]) -> None:
    assert _merged(regions) == merged


def test_only_the_regions_are_parsed(nlp: spacy.language.Language) -> None:
    doc = next(nlp.pipe([TEXT], disable=["parser"]))
    assert not doc.has_annotation("DEP")
    start = TEXT.index("IDVA")
    end = TEXT.index("\nHousing")
    parse_regions(doc, [(start, end)], nlp.get_pipe("parser"))
    inside = [t for t in doc if start <= t.idx < end and not t.is_space]
    outside = [t for t in doc if t.idx < start and not t.is_space]
    assert all(t.dep_ for t in inside) and any(t.dep_ == "nsubj" for t in inside)
    assert all(start <= t.head.idx < end for t in inside)  # heads never leave the region
    assert not any(t.dep_ for t in outside)


def test_no_regions_changes_nothing(nlp: spacy.language.Language) -> None:
    doc = next(nlp.pipe([TEXT], disable=["parser"]))
    parse_regions(doc, [], nlp.get_pipe("parser"))
    assert not doc.has_annotation("DEP")


def test_region_parses_agree_with_whole_text_parses(nlp: spacy.language.Language) -> None:
    texts = [json.loads(line)["text"] for line in (paths.sample_docs_dir() / "dev.jsonl").open()][:20]
    agree = total = 0
    for text in texts:
        full = nlp(text)
        part = next(nlp.pipe([text], disable=["parser"]))
        parse_regions(part, [(0, len(text) // 2)], nlp.get_pipe("parser"))
        for a, b in zip(full, part, strict=True):
            if b.idx < len(text) // 2 - 200 and not a.is_space:  # away from the region's cut
                total += 1
                agree += a.dep_ == b.dep_ and a.head.i == b.head.i
    assert total > 1000 and agree / total > 0.9


def _parse_regions_as_docs(doc: Doc, regions: Sequence[tuple[int, int]], parser: Any) -> None:
    """The previous implementation (each region copied with ``Span.as_doc``): the reference."""
    spans = [doc.char_span(a, b, alignment_mode="expand") for a, b in _merged(regions)]
    todo = [s for s in spans if s is not None and len(s)]
    if not todo:
        return
    arr = doc.to_array([HEAD, DEP])
    subs = [_unsegmented(span.as_doc()) for span in todo]
    for span, parsed in zip(todo, parser.pipe(subs), strict=True):
        arr[span.start : span.end] = parsed.to_array([HEAD, DEP])
    doc.from_array([HEAD, DEP], cast(Any, arr))


def _middle_third(n: int) -> list[tuple[int, int]]:
    return [(n // 3, 2 * n // 3)]


def _two_disjoint(n: int) -> list[tuple[int, int]]:
    return [(n // 2, 3 * n // 4), (n // 10, n // 4)]  # out of order, as callers may give them


def _overlapping_and_ragged(n: int) -> list[tuple[int, int]]:
    return [(7, n // 5 + 3), (n // 6, n // 3 + 1), (n - n // 8, n)]  # mid-token edges, merged, the end


def _whole(n: int) -> list[tuple[int, int]]:
    return [(0, n)]


REGIONS: dict[str, Callable[[int], list[tuple[int, int]]]] = {
    "middle third": _middle_third,
    "two disjoint": _two_disjoint,
    "overlapping, mid-token": _overlapping_and_ragged,
    "whole text": _whole,
}


@pytest.mark.parametrize("regions", list(REGIONS))
def test_region_docs_parse_as_span_as_doc_did(nlp: spacy.language.Language, regions: str) -> None:
    texts = [json.loads(line)["text"] for line in (paths.sample_docs_dir() / "dev.jsonl").open()][:30]
    parser = nlp.get_pipe("parser")
    labelled = 0
    for text in texts:
        new, old = nlp.pipe([text, text], disable=["parser"])
        parse_regions(new, REGIONS[regions](len(text)), parser)
        _parse_regions_as_docs(old, REGIONS[regions](len(text)), parser)
        got, want = [(t.head.i, t.dep_) for t in new], [(t.head.i, t.dep_) for t in old]
        if got != want:
            diff = [(i, new[i].text, a, b) for i, (a, b) in enumerate(zip(got, want, strict=True)) if a != b]
            pytest.fail(f"{regions}: parses differ in {text[:40]!r}: {diff[:10]}")
        labelled += sum(bool(dep) for _, dep in got)
    assert labelled > 1000  # the regions were parsed


def test_region_doc_is_the_tokens_and_their_tensor(nlp: spacy.language.Language) -> None:
    doc = next(nlp.pipe([TEXT], disable=["parser"]))
    start, end = 3, 12
    span = doc[start:end]
    sub = _region_doc(doc, start, end, doc.to_array(["ORTH", "SPACY"]))
    assert [t.text_with_ws for t in sub] == [t.text_with_ws for t in span]
    assert sub.text == span.text_with_ws and sub.vocab is doc.vocab
    assert (sub.tensor == doc.tensor[start:end]).all() and (sub.tensor == span.as_doc().tensor).all()
    assert [t.is_sent_start for t in sub] == [True] + [None] * (len(sub) - 1)  # for the parser to decide
