"""The scorer follows EVALUATION.md to the letter: thresholds are tested on both sides."""

from __future__ import annotations

from typing import Any

import pytest

from redactor.evaluate.baselines import keyword_findings
from redactor.evaluate.scoring import Scores, score_document

TEXT = "Rosa Quispe lives at 22 Alder Close. Her visa has expired. Kevin keeps her passport."
#       0         1         2         3         4         5         6         7         8
ROSA = {"start": 0, "end": 11, "label": "PERSON"}
ADDR = {"start": 21, "end": 35, "label": "ADDRESS"}
VISA = {"start": 37, "end": 58, "label": "IMMIGRATION", "category": "STATUS", "subject": "victim"}


def doc(
    spans: list[dict[str, Any]], release: dict[str, Any] | None = None, expected: str = "allowed"
) -> dict[str, Any]:
    d: dict[str, Any] = {"id": "t", "text": TEXT, "spans": spans}
    if release is not None:
        d["release"] = release
        d["expected_release"] = expected
    return d


def f(start: int, end: int, label: str, decision: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"start": start, "end": end, "label": label, "decision": decision, **kw}


@pytest.mark.parametrize("finding_end,found", [(11, True), (9, True), (8, False)])
def test_entity_found_needs_80_percent(finding_end: int, found: bool) -> None:
    # "Rosa Quispe" has 10 non-space characters: 8 of them (80%) is enough, 7 is not
    s = Scores()
    score_document(s, doc([ROSA]), [f(0, finding_end, "PERSON")], None)
    assert s.labels["PERSON"].found == int(found)


def test_finding_with_another_label_does_not_count() -> None:
    s = Scores()
    score_document(s, doc([ROSA]), [f(0, 11, "ADDRESS")], None)
    assert s.labels["PERSON"].found == 0
    assert s.labels["ADDRESS"].correct == 0


@pytest.mark.parametrize(
    "start,end,found", [(37, 58, True), (37, 48, True), (37, 47, False)]
)  # 9 of 18 is enough, 8 is not
def test_passage_found_needs_50_percent(start: int, end: int, found: bool) -> None:
    s = Scores()
    score_document(s, doc([VISA]), [f(start, end, "IMMIGRATION", category="STATUS", subject="victim")], None)
    assert s.labels["IMMIGRATION"].found == int(found)


def test_category_and_subject_judged_on_most_overlapping_finding() -> None:
    s = Scores()
    findings = [
        f(37, 58, "IMMIGRATION", category="NRPF", subject="victim"),
        f(50, 58, "IMMIGRATION", category="STATUS", subject="perpetrator"),
    ]
    score_document(s, doc([VISA]), findings, None)
    assert (s.category_accuracy, s.subject_accuracy) == (0.0, 1.0)


@pytest.mark.parametrize("start,end,correct", [(0, 11, True), (0, 20, True), (0, 26, False)])
def test_finding_correct_needs_half_inside_gold(start: int, end: int, correct: bool) -> None:
    s = Scores()
    score_document(s, doc([ROSA]), [f(start, end, "PERSON")], None)
    assert s.labels["PERSON"].correct == int(correct)


RELEASE = {
    "recipient": "housing",
    "purpose": "safeguarding",
    "cases": [],
    "marac_agreement": True,
    "victim_consent": True,
}


@pytest.mark.parametrize("decision,leak", [("redact", False), ("review", False), ("keep", True), (None, True)])
def test_leak_by_decision(decision: str | None, leak: bool) -> None:
    s = Scores()
    gold = doc([{**VISA, "action": "redact"}], RELEASE)
    score_document(s, gold, [f(37, 58, "IMMIGRATION", decision)] if decision else [], True)
    assert s.leaks == int(leak)


@pytest.mark.parametrize("end,leak", [(58, False), (57, False), (56, True)])
def test_leak_needs_90_percent_covered(end: int, leak: bool) -> None:
    # the passage has 18 non-space characters: 17 (94%) passes and 16 (89%) fails the 90% bar
    s = Scores()
    gold = doc([{**VISA, "action": "redact"}], RELEASE)
    score_document(s, gold, [f(37, end, "PERSON", "redact")], True)
    assert s.leaks == int(leak)


def test_over_redaction_needs_more_than_half_redacted() -> None:
    s = Scores()
    gold = doc([{**ROSA, "action": "keep"}, {**ADDR, "action": "keep"}], RELEASE)
    score_document(s, gold, [f(0, 11, "PERSON", "redact"), f(21, 35, "ADDRESS", "review")], True)
    assert (s.keep_spans, s.over_redacted) == (2, 1)


def test_release_allowed_that_should_be_blocked_leaks_everything() -> None:
    s = Scores()
    gold = doc([{**ROSA, "action": "redact"}, {**ADDR, "action": "redact"}], RELEASE, expected="blocked")
    score_document(s, gold, [f(0, 11, "PERSON", "redact"), f(21, 35, "ADDRESS", "redact")], True)
    assert (s.leaks, s.verdict_accuracy) == (2, 0.0)


def test_blocked_release_that_should_be_allowed_fails_the_verdict_only() -> None:
    s = Scores()
    gold = doc([{**ROSA, "action": "keep"}], RELEASE)
    score_document(s, gold, [], False)
    assert (s.verdict_accuracy, s.leaks) == (0.0, 0)


def test_review_load_per_thousand_words() -> None:
    s = Scores()
    score_document(s, doc([ROSA], RELEASE), [f(0, 11, "PERSON", "review")], True)
    assert s.review_load == pytest.approx(1000 / len(TEXT.split()))


@pytest.mark.parametrize(
    "text,flagged",
    [
        ("Her visa has expired. She is safe.", ["Her visa has expired."]),
        ("She rang the HOME OFFICE.\nNo other news.", ["She rang the HOME OFFICE."]),
        ("He keeps her passport in the car.", []),
    ],
)
def test_keyword_baseline(text: str, flagged: list[str]) -> None:
    assert [text[x["start"] : x["end"]] for x in keyword_findings(text)] == flagged
