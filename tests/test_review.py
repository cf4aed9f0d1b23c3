"""The reviewer's edits on a plan (redactor.review): pure, table-driven, with negative cases."""

from __future__ import annotations

import pytest

from redactor import paths
from redactor.decide import decide
from redactor.errors import EditError
from redactor.model import Finding
from redactor.policy import load_policy
from redactor.release import Agreement, Release
from redactor.review import (
    Edit,
    apply_edits,
    bulk_rules,
    check_edit,
    item_key,
    occurrences,
    summarise,
)

POLICY = load_policy(paths.rules_dir() / "policy.yaml")
TEXT = "Rosa Quispe lives at 4 Elm Road. Her leave ends in May. His visa lapsed. Call 07700 900123."
# offsets into TEXT
PERSON = Finding(0, 11, "PERSON", 0.9, "spacy")
ADDRESS = Finding(21, 31, "ADDRESS", 0.9, "uk_address")
HER_STATUS = Finding(33, 55, "IMMIGRATION", 0.9, "imm", category="STATUS", subject="victim")
HIS_STATUS = Finding(56, 72, "IMMIGRATION", 0.9, "imm", category="STATUS", subject="perpetrator")
PHONE = Finding(78, 90, "PHONE_NUMBER", 1.0, "uk_phone")
FINDINGS = (PERSON, ADDRESS, HER_STATUS, HIS_STATUS, PHONE)


def release(recipient: str = "housing", consent: bool = True) -> Release:
    return Release(recipient, "safeguarding", marac_agreement=Agreement(True, "chair", "2026-11-01"),
                   victim_consent=consent)


def plan(rel: Release | None = None):
    return decide(FINDINGS, rel or release(), POLICY)


def test_text_offsets_are_what_the_findings_say() -> None:
    assert TEXT[PERSON.start:PERSON.end] == "Rosa Quispe"
    assert TEXT[ADDRESS.start:ADDRESS.end] == "4 Elm Road"
    assert TEXT[PHONE.start:PHONE.end] == "07700 900123"


def test_no_edits_is_the_plan() -> None:
    p = plan()
    r = apply_edits(p, [], len(TEXT), POLICY)
    assert [i.final for i in r.items] == sorted(p.items, key=lambda d: (d.finding.start, d.finding.end))
    assert r.plan.verdict == p.verdict


@pytest.mark.parametrize(
    ("key", "decision", "rule"),
    [
        (item_key(PERSON), "redact", "R1"),
        (item_key(HIS_STATUS), "keep", "R1"),
        (item_key(PHONE), "review", "R1"),
    ],
)
def test_decide_changes_one_item_and_names_the_reviewer(key: str, decision: str, rule: str) -> None:
    r = apply_edits(plan(), [Edit("decide", key=key, decision=decision, user="amira")], len(TEXT), POLICY)
    changed = {i.key: i for i in r.items}[key]
    assert changed.final.decision == decision
    assert changed.final.rule == rule and "amira" in changed.final.reason
    assert changed.edited_by == "amira"
    others = [i for i in r.items if i.key != key]
    assert all(i.final == i.proposed for i in others)


def test_deciding_what_was_proposed_keeps_the_policy_rule() -> None:
    p = plan()
    proposed = {item_key(d.finding): d for d in p.items}[item_key(HIS_STATUS)]
    r = apply_edits(p, [Edit("decide", key=item_key(HIS_STATUS), decision=proposed.decision, user="a")],
                    len(TEXT), POLICY)
    assert {i.key: i for i in r.items}[item_key(HIS_STATUS)].final.rule == proposed.rule


def test_redact_overridden_to_keep_raises_the_governance_flag() -> None:
    p = plan()
    his = {item_key(d.finding): d for d in p.items}[item_key(HIS_STATUS)]
    assert his.decision == "redact"
    r = apply_edits(p, [Edit("decide", key=item_key(HIS_STATUS), decision="keep")], len(TEXT), POLICY)
    assert [(f.rule, f.start, f.end) for f in r.flags if f.rule == "F3"] == [("F3", HIS_STATUS.start, HIS_STATUS.end)]
    assert any(i.overridden for i in r.items)
    # keep -> redact is no override
    r2 = apply_edits(p, [Edit("decide", key=item_key(PERSON), decision="redact")], len(TEXT), POLICY)
    assert not [f for f in r2.flags if f.rule == "F3"]


def test_manual_redaction_of_all_occurrences() -> None:
    text = "Call Dani. dani said no. Daniel is someone else. DANI again."
    spans = occurrences(text, "dani")
    assert [text[a:b] for a, b in spans] == ["Dani", "dani", "DANI"]
    p = decide((), release(), POLICY)
    r = apply_edits(p, [Edit("add", spans=spans, user="k")], len(text), POLICY)
    assert [(d.finding.start, d.finding.end, d.decision, d.rule) for d in r.plan.items] == [
        (a, b, "redact", "R2") for a, b in spans
    ]


@pytest.mark.parametrize(
    ("needle", "expected"),
    [("Elm  Road", ["Elm Road"]), ("", []), ("   ", []), ("Elm Roa", []), ("road.", ["Road."]),
     ("lives at", ["lives at"])],
)
def test_occurrences_table(needle: str, expected: list[str]) -> None:
    assert [TEXT[a:b] for a, b in occurrences(TEXT, needle)] == expected


def test_a_manual_redaction_can_be_withdrawn() -> None:
    p = plan()
    r = apply_edits(p, [Edit("add", spans=((12, 17),)), Edit("decide", key="M:12-17", decision="keep")],
                    len(TEXT), POLICY)
    manual = [i for i in r.items if i.manual]
    assert len(manual) == 1 and manual[0].final.decision == "keep"


def test_adjust_span_moves_the_item_but_keeps_its_key() -> None:
    r = apply_edits(plan(), [Edit("span", key=item_key(ADDRESS), start=18, end=31)], len(TEXT), POLICY)
    item = {i.key: i for i in r.items}[item_key(ADDRESS)]
    assert (item.final.finding.start, item.final.finding.end) == (18, 31)
    assert (item.proposed.finding.start, item.proposed.finding.end) == (21, 31)


def test_accept_all_items_of_one_rule() -> None:
    p = plan(release("housing"))
    rules = bulk_rules(apply_edits(p, [], len(TEXT), POLICY).items)
    rule, (count, _) = next((r, v) for r, v in rules.items() if v[0] >= 2)
    r = apply_edits(p, [Edit("rule", rule=rule, decision="redact", user="b")], len(TEXT), POLICY)
    decided = [i for i in r.items if i.proposed.rule == rule]
    assert len(decided) == count and all(i.final.decision == "redact" for i in decided)


def test_edits_survive_a_changed_release() -> None:
    edits = [Edit("decide", key=item_key(PHONE), decision="redact", user="a")]
    for rel in (release("housing"), release("health"), release("police")):
        r = apply_edits(plan(rel), edits, len(TEXT), POLICY)
        assert {i.key: i for i in r.items}[item_key(PHONE)].final.decision == "redact"


def test_an_edit_for_a_missing_item_is_skipped() -> None:
    r = apply_edits(plan(), [Edit("decide", key="PERSON:1-2", decision="keep")], len(TEXT), POLICY)
    assert [i.final for i in r.items] == [i.proposed for i in r.items]


@pytest.mark.parametrize(
    "edit",
    [
        Edit("rename"),
        Edit("decide", key="PERSON:0-11", decision="maybe"),
        Edit("decide", decision="keep"),
        Edit("rule", decision="keep"),
        Edit("add"),
        Edit("add", spans=((5, 5),)),
        Edit("add", spans=((0, 10_000),)),
        Edit("span", key="PERSON:0-11", start=-1, end=3),
    ],
)
def test_malformed_edits_are_refused(edit: Edit) -> None:
    with pytest.raises(EditError):
        check_edit(edit, len(TEXT))
    with pytest.raises(EditError):
        apply_edits(plan(), [edit], len(TEXT), POLICY)


@pytest.mark.parametrize(
    ("edit", "raw"),
    [
        (Edit("decide", key="PERSON:0-11", decision="keep"),
         {"kind": "decide", "key": "PERSON:0-11", "decision": "keep"}),
        (Edit("add", spans=((1, 3), (5, 9))), {"kind": "add", "spans": [[1, 3], [5, 9]]}),
        (Edit("span", key="ADDRESS:21-31", start=18, end=31),
         {"kind": "span", "key": "ADDRESS:21-31", "start": 18, "end": 31}),
        (Edit("acknowledge_hold"), {"kind": "acknowledge_hold"}),
    ],
)
def test_edits_round_trip_as_json_without_text(edit: Edit, raw: dict) -> None:
    assert edit.as_json() == raw
    assert Edit.from_json(raw) == edit


def test_open_questions_block_and_decisions_clear_them() -> None:
    crime_ref = Finding(12, 17, "REFERENCE", 0.9, "uk_ref")  # I5: a person decides for housing
    p = decide((*FINDINGS, crime_ref), release("housing"), POLICY)
    r = apply_edits(p, [], len(TEXT), POLICY)
    open_keys = [i.key for i in r.items if i.final.decision == "review"]
    assert item_key(crime_ref) in open_keys
    assert r.blockers and "need a decision" in r.blockers[-1]
    done = apply_edits(p, [Edit("decide", key=k, decision="redact") for k in open_keys], len(TEXT), POLICY)
    assert done.open_questions == 0 and done.blockers == ()


def test_blocked_release_is_a_blocker() -> None:
    rel = Release("housing", "safeguarding", marac_agreement=Agreement(False))
    r = apply_edits(decide(FINDINGS, rel, POLICY), [], len(TEXT), POLICY)
    assert r.blockers[0].startswith("release blocked by G1")


def test_held_document_needs_an_acknowledgement_and_is_flagged() -> None:
    p = decide(FINDINGS, release(), POLICY, held=True)
    r = apply_edits(p, [], len(TEXT), POLICY)
    assert any("held" in b for b in r.blockers)
    ack = apply_edits(p, [Edit("acknowledge_hold", user="c")], len(TEXT), POLICY)
    assert not ack.plan.held and "F4" in {f.rule for f in ack.flags}


@pytest.mark.parametrize(
    ("rel", "edits", "needs"),
    [
        (release("housing"), [], False),
        (release("housing"), [Edit("decide", key=item_key(HIS_STATUS), decision="keep")], True),
        (Release("immigration_enforcement", "victim_application", marac_agreement=Agreement(True),
                 victim_consent=True), [], True),
    ],
)
def test_four_eyes(rel: Release, edits: list[Edit], needs: bool) -> None:
    p = decide((PERSON, HIS_STATUS), rel, POLICY)
    r = apply_edits(p, edits, len(TEXT), POLICY)
    assert (r.four_eyes is not None) is needs


def test_digest_changes_with_any_decision_or_release() -> None:
    base = apply_edits(plan(), [], len(TEXT), POLICY)
    same = apply_edits(plan(), [], len(TEXT), POLICY)
    edited = apply_edits(plan(), [Edit("decide", key=item_key(PHONE), decision="redact")], len(TEXT), POLICY)
    other = apply_edits(plan(release("health")), [], len(TEXT), POLICY)
    assert base.digest() == same.digest()
    assert len({base.digest(), edited.digest(), other.digest()}) == 3


def test_summarise_groups_by_rule_with_redactions_first() -> None:
    r = apply_edits(plan(), [], len(TEXT), POLICY)
    summary = summarise(r)
    assert summary[0].decision == "redact"
    assert sum(s.count for s in summary) == len(r.items)
    his = next(s for s in summary if any(lab.startswith("IMMIGRATION (STATUS, perpetrator)") for lab, _ in s.labels))
    assert his.decision == "redact" and his.citation
