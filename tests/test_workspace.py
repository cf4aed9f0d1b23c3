"""The review queue's API (redactor.workspace) end to end on a real store: upload, review, edit,
approve, release, and the DPO's views. The coordinator flow runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from redactor.auth import User, UserDirectory, load_users
from redactor.errors import (
    ApprovalRequiredError,
    EmptyDocumentError,
    PermissionDeniedError,
    StaleEditError,
    UnknownRecipientError,
    UnresolvedReviewError,
)
from redactor.pipeline import Redactor
from redactor.review import Edit
from redactor.store import Store
from redactor.workspace import Workspace, finding_from_json, finding_json

LETTER = (
    "Dear Housing Options,\n\n"
    "I am writing in support of Ms Rosa Quispe, DOB 14/02/1990, of 12 Alder Close, Leeds LS6 2QT. "
    "Her husband Mateo Quispe keeps her passport and says he will have her sent back. "
    "His own visa ran out last year. Police crime reference 13/556677/25. "
    "She can be reached on 07700 900461.\n\nYours sincerely,\nJo Baird, IDVA\n"
)
HOUSING = {"recipient": "housing", "purpose": "safeguarding",
           "marac_agreement": {"agreed": True, "by": "Marac chair", "when": "2026-11-02"}, "victim_consent": True}
COORD = User("amira", ("coordinator",))
IDVA = User("jo", ("idva",))
DPO = User("dee", ("dpo",))


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return Redactor.load()


def workspace(redactor: Redactor, url: str) -> Workspace:
    users = UserDirectory({u.name: (u, "") for u in (COORD, IDVA, DPO)}, Path("users.yaml"))
    return Workspace(redactor, Store.open(url), users)


@pytest.fixture
def ws(redactor: Redactor, tmp_path: Path) -> Workspace:
    return workspace(redactor, f"sqlite:///{tmp_path / 'ws.sqlite'}")


class NoDetector:
    def __getattr__(self, name: str) -> None:
        raise AssertionError("detection ran again")


def resolve_all(ws: Workspace, user: User, rid: int) -> int:
    view = ws.view(rid)
    version = view.version
    for item in view.reviewed.items:
        if item.final.decision == "review":
            version = ws.edit(user, rid, version, Edit("decide", key=item.key, decision="redact"))
    return version


def test_coordinator_flow(redactor: Redactor, db_url: str) -> None:
    ws = workspace(redactor, db_url)
    doc = ws.upload(COORD, "letter.txt", LETTER.encode())
    rid = ws.open_review(COORD, doc, HOUSING)
    view = ws.view(rid)
    labels = {i.final.finding.label for i in view.reviewed.items}
    assert {"PERSON", "ADDRESS", "PHONE_NUMBER", "IMMIGRATION"} <= labels
    version = resolve_all(ws, COORD, rid)
    manual = ws.view(rid).text.index("Jo Baird")
    version = ws.edit(COORD, rid, version, Edit("add", spans=((manual, manual + 8),)))
    view = ws.view(rid)
    assert view.four_eyes == "1 immigration passage(s) are kept"  # her own, kept with her consent
    version = ws.approve(IDVA, rid, version)
    assert ws.view(rid).blockers(COORD) == ()
    out = ws.release(COORD, rid, version)
    body = out.data.decode()
    for gone in ("Jo Baird", "His own visa", "13/556677/25"):
        assert gone not in body
    assert out.filename == "letter.redacted.txt" and b"Mateo" not in out.log_csv + out.log_json
    rows = ws.disclosures(DPO)
    assert [(r.recipient_type, r.purpose, r.user, r.approvers) for r in rows] == [
        ("housing", "safeguarding", "amira", ("jo",))
    ]
    assert ws.view(rid).review.status == "released"
    assert ws.verify_audit(DPO).ok
    with pytest.raises(UnresolvedReviewError, match="already released"):
        ws.release(COORD, rid, ws.view(rid).version)


def test_open_questions_block_release(ws: Workspace) -> None:
    rid = ws.open_review(COORD, ws.upload(COORD, "l.txt", LETTER.encode()), HOUSING)
    view = ws.view(rid)
    assert view.reviewed.open_questions > 0
    with pytest.raises(UnresolvedReviewError, match="need a decision"):
        ws.release(COORD, rid, view.version)


def test_two_reviewers_cannot_overwrite_each_other(ws: Workspace) -> None:
    rid = ws.open_review(COORD, ws.upload(COORD, "l.txt", LETTER.encode()), HOUSING)
    view = ws.view(rid)
    key = view.reviewed.items[0].key
    ws.edit(COORD, rid, view.version, Edit("decide", key=key, decision="redact"))
    with pytest.raises(StaleEditError):
        ws.edit(IDVA, rid, view.version, Edit("decide", key=key, decision="keep"))
    assert [e.user for e in ws.store.edits(rid)] == ["amira"]


def test_a_changed_release_is_redecided_without_detection_and_keeps_edits(ws: Workspace) -> None:
    rid = ws.open_review(COORD, ws.upload(COORD, "l.txt", LETTER.encode()), HOUSING)
    view = ws.view(rid)
    phone = next(i for i in view.reviewed.items if i.final.finding.label == "PHONE_NUMBER")
    version = ws.edit(COORD, rid, view.version, Edit("decide", key=phone.key, decision="redact"))
    no_detection = Workspace(Redactor(NoDetector(), ws.redactor.policy, ws.redactor.directory), ws.store, ws.users)
    no_detection.change_release(COORD, rid, version, {**HOUSING, "recipient": "police"})
    after = no_detection.view(rid)
    assert after.release.recipient == "police"
    assert {i.key: i for i in after.reviewed.items}[phone.key].final.decision == "redact"


@pytest.mark.parametrize(
    ("release", "reason"),
    [
        ({**HOUSING, "recipient": "immigration_enforcement", "purpose": "victim_application"}, "Immigration"),
    ],
)
def test_four_eyes_needs_a_second_person_approving_this_plan(ws: Workspace, release: dict, reason: str) -> None:
    rid = ws.open_review(COORD, ws.upload(COORD, "l.txt", LETTER.encode()), release)
    version = resolve_all(ws, COORD, rid)
    view = ws.view(rid)
    assert view.four_eyes and reason in view.four_eyes
    with pytest.raises(ApprovalRequiredError):
        ws.release(COORD, rid, version)
    version = ws.approve(COORD, rid, version)  # approving your own release does not count
    with pytest.raises(ApprovalRequiredError):
        ws.release(COORD, rid, version)
    version = ws.approve(IDVA, rid, version)
    # any change after the approval voids it: the approval named the plan's digest
    item = next(i for i in ws.view(rid).reviewed.items if i.final.decision == "keep")
    changed = ws.edit(COORD, rid, version, Edit("decide", key=item.key, decision="redact"))
    assert ws.view(rid).reviewed.digest() != ws.view(rid).approvals[-1].note
    with pytest.raises(ApprovalRequiredError):
        ws.release(COORD, rid, changed)
    changed = ws.approve(IDVA, rid, changed)
    out = ws.release(COORD, rid, changed)
    assert ws.disclosures(DPO)[0].approvers == ("jo",)
    assert "F2" in ws.disclosures(DPO)[0].flags and out.data


def test_keeping_an_immigration_passage_needs_four_eyes_and_flags_the_override(ws: Workspace) -> None:
    rid = ws.open_review(COORD, ws.upload(COORD, "l.txt", LETTER.encode()), HOUSING)
    view = ws.view(rid)
    his = next(i for i in view.reviewed.items
               if i.final.finding.label == "IMMIGRATION" and i.final.decision == "redact")
    version = ws.edit(COORD, rid, view.version, Edit("decide", key=his.key, decision="keep"))
    version = resolve_all(ws, COORD, rid)
    view = ws.view(rid)
    assert view.four_eyes and "immigration passage" in view.four_eyes
    assert "F3" in {f.rule for f in view.reviewed.flags}
    version = ws.approve(DPO, rid, version)
    ws.release(COORD, rid, version)
    assert "F3" in ws.disclosures(DPO)[0].flags


@pytest.mark.parametrize(
    ("user", "call"),
    [
        (DPO, lambda ws, doc: ws.upload(DPO, "x.txt", b"Some text here")),
        (COORD, lambda ws, doc: ws.disclosures(COORD)),
        (IDVA, lambda ws, doc: ws.spot_check(IDVA, 3)),
        (COORD, lambda ws, doc: ws.verify_audit(COORD)),
        (DPO, lambda ws, doc: ws.open_review(DPO, doc, HOUSING)),
    ],
)
def test_roles_are_enforced(ws: Workspace, user: User, call) -> None:
    doc = ws.upload(COORD, "l.txt", LETTER.encode())
    with pytest.raises(PermissionDeniedError):
        call(ws, doc)


def test_bad_input_stores_nothing(ws: Workspace) -> None:
    with pytest.raises(EmptyDocumentError):
        ws.upload(COORD, "empty.txt", b"")
    with pytest.raises(UnknownRecipientError):
        ws.open_review(COORD, ws.upload(COORD, "l.txt", LETTER.encode()), {**HOUSING, "recipient": "Acme Ltd"})
    assert len(ws.documents()) == 1 and ws.reviews() == []


def test_spot_check_is_a_random_sample_and_audited(ws: Workspace) -> None:
    for n in range(4):
        rid = ws.open_review(COORD, ws.upload(COORD, f"l{n}.txt", LETTER.encode()), HOUSING)
        ws.release(COORD, rid, ws.approve(DPO, rid, resolve_all(ws, COORD, rid)))
    sample = ws.spot_check(DPO, 2, seed=1)
    assert len(sample) == 2 and len({r.id for r in sample}) == 2
    assert ws.store.audit_events()[-1].action == "dpo.spot_check"
    assert len(ws.spot_check(DPO, 10, seed=1)) == 4


def test_preview_removes_review_items_too(ws: Workspace) -> None:
    rid = ws.open_review(COORD, ws.upload(COORD, "l.txt", LETTER.encode()), HOUSING)
    preview = ws.preview(rid).decode()
    assert "His own visa" not in preview and "13/556677/25" not in preview  # redact (P5) and review (I5)
    assert "[REDACTED: P5]" in preview
    assert ws.view(rid).review.status == "open"


def test_findings_round_trip_without_text(redactor: Redactor) -> None:
    for f in redactor.detector.detect_text(LETTER):
        raw = finding_json(f)
        assert finding_from_json(raw) == f
        assert LETTER[f.start:f.end] not in str(raw.values()) or len(LETTER[f.start:f.end]) < 4


def test_single_user_mode_cannot_complete_four_eyes(redactor: Redactor, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("MARAC_REDACT_USERS", raising=False)
    ws = Workspace(redactor, Store.open(f"sqlite:///{tmp_path / 's.sqlite'}"), load_users())
    local = ws.users.authenticate("", "")
    assert local is not None
    rid = ws.open_review(local, ws.upload(local, "l.txt", LETTER.encode()),
                         {**HOUSING, "recipient": "immigration_enforcement", "purpose": "victim_application"})
    version = ws.approve(local, rid, resolve_all(ws, local, rid))
    with pytest.raises(ApprovalRequiredError):
        ws.release(local, rid, version)
