"""Dependency parses only around chosen passages (redactor.detect.parse)."""

from __future__ import annotations

import json

import pytest
import spacy

from redactor import paths
from redactor.detect.engine import load_nlp_config, load_spacy
from redactor.detect.parse import _merged, parse_regions

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
