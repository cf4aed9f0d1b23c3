"""Every cell of POLICY.md's passage table, every gate and every identifier rule.

The expected values are transcribed from ../shared/spec/POLICY.md here, independently of
rules/policy.yaml, so a wrong edit to the rules fails these tests.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from redactor import paths
from redactor.decide import decide
from redactor.model import Finding
from redactor.policy import load_policy
from redactor.release import Agreement, Release

POLICY = load_policy(paths.rules_dir() / "policy.yaml")

# POLICY.md "Immigration passages" table; columns in the order of the spec.
COLUMNS = [
    "immigration_enforcement",
    "legal_adviser",
    "specialist_support",
    "housing",
    "children_social_care",
    "adult_social_care",
    "police",
    "probation",
    "health",
    "education",
    "other",
]
SPEC = {  # category/subject -> one decision per column ("consent" = keep with victim consent, else redact)
    "STATUS": [
        "keep",
        "consent",
        "consent",
        "review",
        "review",
        "review",
        "redact",
        "redact",
        "redact",
        "redact",
        "redact",
    ],
    "NRPF": ["keep", "keep", "keep", "keep", "keep", "keep", "redact", "redact", "redact", "redact", "redact"],
    "COERCION": ["keep", "keep", "keep", "keep", "keep", "keep", "keep", "keep", "keep", "redact", "redact"],
    "ENFORCEMENT": [
        "redact",
        "keep",
        "redact",
        "redact",
        "redact",
        "redact",
        "redact",
        "redact",
        "redact",
        "redact",
        "redact",
    ],
}


def release(
    recipient: str, consent: bool = True, purpose: str | None = None, agreed: bool = True, cases: tuple[str, ...] = ()
) -> Release:
    if purpose is None:
        purpose = "victim_application" if recipient == "immigration_enforcement" else "safeguarding"
    return Release(recipient, purpose, cases, Agreement(agreed, "Chair", "2026-11-01"), consent)


def passage(category: str, subject: str) -> Finding:
    return Finding(10, 60, "IMMIGRATION", 0.9, "test", category=category, subject=subject)


def expected(category: str, subject: str, column: int, consent: bool) -> str:
    if subject in {"perpetrator", "other"}:
        return "redact"
    cell = SPEC[category][column]
    return ("keep" if consent else "redact") if cell == "consent" else cell


CELLS = [
    (c, s, i, consent)
    for c in SPEC
    for s in ("victim", "child", "perpetrator", "other")
    for i in range(len(COLUMNS))
    for consent in (True, False)
    if not (COLUMNS[i] == "immigration_enforcement" and not consent)
]  # that release is blocked (G2)


@pytest.mark.parametrize("category,subject,column,consent", CELLS)
def test_passage_table_cell(category: str, subject: str, column: int, consent: bool) -> None:
    plan = decide([passage(category, subject)], release(COLUMNS[column], consent), POLICY)
    assert plan.verdict.allowed
    assert plan.items[0].decision == expected(category, subject, column, consent)
    assert plan.items[0].rule and plan.items[0].reason


@dataclass(frozen=True)
class GateCase:
    recipient: str
    purpose: str
    agreed: bool
    consent: bool
    gate: str | None


GATES = [
    GateCase("housing", "safeguarding", True, True, None),
    GateCase("housing", "safeguarding", False, True, "G1"),
    GateCase("police", "other", True, True, "G3"),
    GateCase("police", "legal_proceedings", True, False, None),
    GateCase("immigration_enforcement", "victim_application", True, True, None),
    GateCase("immigration_enforcement", "victim_application", True, False, "G2"),
    GateCase("immigration_enforcement", "safeguarding", True, True, "G2"),
    GateCase("immigration_enforcement", "legal_proceedings", True, True, "G2"),
    GateCase("immigration_enforcement", "victim_application", False, True, "G1"),
    GateCase("immigration_enforcement", "other", True, True, "G3"),
]


@pytest.mark.parametrize("case", GATES, ids=lambda c: f"{c.recipient}-{c.purpose}-{c.agreed}-{c.consent}")
def test_gates(case: GateCase) -> None:
    rel = Release(case.recipient, case.purpose, (), Agreement(case.agreed), case.consent)
    name = Finding(0, 5, "PERSON", 0.9, "test")
    plan = decide([name], rel, POLICY)
    assert plan.verdict.allowed is (case.gate is None)
    assert plan.verdict.gate == case.gate
    if case.gate:
        assert plan.verdict.unblock and plan.verdict.reason
        assert plan.items[0].decision == "redact"  # nothing leaves a blocked release


ID_CASES = [
    ("IMMIGRATION_ID", (), "legal_adviser", "safeguarding", "keep"),
    ("IMMIGRATION_ID", (), "immigration_enforcement", "victim_application", "keep"),
    ("IMMIGRATION_ID", (), "housing", "safeguarding", "redact"),
    ("IMMIGRATION_ID", (), "police", "legal_proceedings", "redact"),
    ("NHS_NUMBER", (), "health", "safeguarding", "keep"),
    ("NHS_NUMBER", (), "housing", "safeguarding", "redact"),
    ("NI_NUMBER", (), "legal_adviser", "legal_proceedings", "redact"),
    ("NI_NUMBER", (), "police", "safeguarding", "redact"),
    ("ADDRESS", ("refuge",), "police", "safeguarding", "redact"),
    ("ADDRESS", ("refuge",), "housing", "safeguarding", "redact"),
    ("ADDRESS", (), "housing", "safeguarding", "keep"),
    ("PERSON", (), "education", "safeguarding", "keep"),
    ("PHONE_NUMBER", (), "health", "safeguarding", "keep"),
    ("EMAIL_ADDRESS", (), "police", "safeguarding", "keep"),
    ("DATE_OF_BIRTH", (), "children_social_care", "safeguarding", "keep"),
    ("REFERENCE", (), "police", "safeguarding", "keep"),
    ("REFERENCE", (), "legal_adviser", "legal_proceedings", "keep"),
    ("REFERENCE", (), "housing", "safeguarding", "review"),
]


@pytest.mark.parametrize("label,tags,recipient,purpose,want", ID_CASES)
def test_identifier_rules(label: str, tags: tuple[str, ...], recipient: str, purpose: str, want: str) -> None:
    f = Finding(0, 9, label, 0.9, "test", tags=tags)
    plan = decide([f], release(recipient, purpose=purpose), POLICY)
    assert plan.items[0].decision == want


def test_strictest_overlapping_decision_wins() -> None:
    name = Finding(12, 20, "PERSON", 0.9, "test")
    perp_status = passage("STATUS", "perpetrator")
    plan = decide([name, perp_status], release("housing"), POLICY)
    by_label = {d.finding.label: d for d in plan.items}
    assert by_label["PERSON"].decision == "redact"
    assert by_label["PERSON"].rule == by_label["IMMIGRATION"].rule


def test_keep_inside_a_kept_passage_stays_keep() -> None:
    name = Finding(12, 20, "PERSON", 0.9, "test")
    plan = decide([name, passage("COERCION", "victim")], release("police"), POLICY)
    assert [d.decision for d in plan.items] == ["keep", "keep"]


def test_enforcement_passages_raise_a_governance_flag_for_every_recipient() -> None:
    for recipient in COLUMNS:
        plan = decide([passage("ENFORCEMENT", "victim")], release(recipient), POLICY)
        assert any(f.rule == "F1" and f.start == 10 for f in plan.flags)


def test_release_to_immigration_bodies_is_flagged() -> None:
    assert any(f.rule == "F2" for f in decide([], release("immigration_enforcement"), POLICY).flags)
    assert not decide([], release("housing"), POLICY).flags


@dataclass(frozen=True)
class FakeSection:
    start: int
    end: int
    case_id: str
    extra: tuple[tuple[int, int], ...] = ()

    def spans(self) -> tuple[tuple[int, int], ...]:
        return ((self.start, self.end), *self.extra)


@dataclass(frozen=True)
class FakeStructure:
    cases: tuple[FakeSection, ...]
    single_case: bool = False

    def case_for(self, case_id: str) -> FakeSection | None:
        return next((c for c in self.cases if c.case_id == case_id), None)


def test_other_cases_are_out_of_scope_and_everything_in_them_is_redacted() -> None:
    structure = FakeStructure((FakeSection(100, 200, "1"), FakeSection(200, 300, "2")))
    name1, name2 = Finding(110, 115, "PERSON", 0.9, "t"), Finding(210, 215, "PERSON", 0.9, "t")
    plan = decide([name1, name2], release("housing", cases=("1",)), POLICY, structure)
    out = [d for d in plan.items if d.finding.label == "OUT_OF_SCOPE"]
    assert [(d.finding.start, d.finding.end, d.decision, d.rule) for d in out] == [(200, 300, "redact", "S1")]
    decisions = {d.finding.start: d.decision for d in plan.items if d.finding.label == "PERSON"}
    assert decisions == {110: "keep", 210: "redact"}


def test_a_release_naming_a_missing_case_holds_every_case_for_review() -> None:
    structure = FakeStructure((FakeSection(100, 200, "1"), FakeSection(200, 300, "2")))
    plan = decide([], release("housing", cases=("7",)), POLICY, structure)
    assert {(d.finding.start, d.decision, d.rule) for d in plan.items} == {(100, "review", "S2"), (200, "review", "S2")}


def test_another_case_is_removed_everywhere_it_appears() -> None:
    structure = FakeStructure((FakeSection(100, 200, "1"), FakeSection(200, 300, "2", ((40, 60),))))
    plan = decide([], release("housing", cases=("1",)), POLICY, structure)
    assert sorted((d.finding.start, d.finding.end) for d in plan.items) == [(40, 60), (200, 300)]


def test_cases_named_but_none_found_holds_the_whole_document() -> None:
    plan = decide([], release("housing", cases=("3",)), POLICY, FakeStructure(()), text_length=500)
    assert [(d.finding.start, d.finding.end, d.decision, d.rule) for d in plan.items] == [(0, 500, "review", "S2")]


@pytest.mark.parametrize("cases", [("3",), ("LU/25/033",), ("1", "2")])
def test_a_single_case_document_has_nothing_out_of_scope(cases: tuple[str, ...]) -> None:
    name = Finding(10, 15, "PERSON", 0.9, "t")
    plan = decide([name], release("housing", cases=cases), POLICY, FakeStructure((), single_case=True),
                  text_length=500)
    assert [(d.finding.label, d.decision) for d in plan.items] == [("PERSON", "keep")]


def test_no_cases_named_keeps_everything_in_scope() -> None:
    structure = FakeStructure((FakeSection(100, 200, "1"),))
    plan = decide([Finding(110, 115, "PERSON", 0.9, "t")], release("housing"), POLICY, structure)
    assert [d.decision for d in plan.items] == ["keep"]
