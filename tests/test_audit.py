"""The audit trail on SQLite and PostgreSQL: chaining, every kind of tampering, the detail validator
that keeps personal data out, and ``marac-redact audit verify`` / ``db upgrade`` / ``key new``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from store_helpers import RELEASE, TEXT, add_doc, sha

from redactor.cli import main
from redactor.errors import PersonalDataError
from redactor.store import Store
from redactor.store.audit import check_detail, event_hash, label_like
from redactor.store.schema import GENESIS

N_EVENTS = 6


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as s:
        yield s


def fill(store: Store) -> None:
    """Six events: document.added, review.opened, two review.edited, review.approved, document.downloaded."""
    rid = store.add_review(user="coord", document_id=add_doc(store), release=RELEASE)
    v = store.add_edit(rid, user="coord", expected_version=1, edit={"kind": "decide", "key": "PERSON:33-43"})
    v = store.add_edit(rid, user="coord", expected_version=v, edit={"kind": "decide", "rule": "I5"})
    store.add_approval(rid, user="dpo", expected_version=v)
    store.audit(user="dpo", action="document.downloaded", review_id=rid, rule="I5", detail={"bytes": 120})


def sql(store: Store, *statements: str) -> None:
    with store.engine.begin() as conn:
        for s in statements:
            conn.execute(text(s))


def test_events_are_chained_and_contiguous(store: Store) -> None:
    empty = store.verify_audit()
    assert (empty.ok, empty.events, empty.head, empty.problem) == (True, 0, GENESIS, None)
    fill(store)
    events = store.audit_events()
    assert [e.seq for e in events] == list(range(1, N_EVENTS + 1))
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash and after.at >= before.at
    for e in events:
        fields = {k: getattr(e, k) for k in ("seq", "at", "user", "action", "document_sha256", "review_id", "rule")}
        assert event_hash(**fields, detail=e.detail, prev_hash=e.prev_hash) == e.hash
    assert events[0].document_sha256 == sha(TEXT) and events[1].review_id == 1
    assert events[-1].rule == "I5" and events[-1].detail == {"bytes": 120}
    report = store.verify_audit()
    assert (report.ok, report.events, report.head, report.problem) == (True, N_EVENTS, events[-1].hash, None)
    recent = store.audit_events(since=events[3].at)
    assert {4, 5, 6} <= {e.seq for e in recent} and all(e.at >= events[3].at for e in recent)


SWAP_2_3 = (
    "UPDATE audit_events SET seq = -1 WHERE seq = 2",
    "UPDATE audit_events SET seq = 2 WHERE seq = 3",
    "UPDATE audit_events SET seq = 3 WHERE seq = -1",
)
TAMPERING: dict[str, tuple[tuple[str, ...], str]] = {
    "edited user": (("UPDATE audit_events SET \"user\" = 'mallory' WHERE seq = 3",), "event 3 was edited"),
    "edited action": (("UPDATE audit_events SET action = 'review.opened' WHERE seq = 4",), "event 4 was edited"),
    "edited rule": (("UPDATE audit_events SET rule = 'I1' WHERE seq = 6",), "event 6 was edited"),
    "edited detail": (("UPDATE audit_events SET detail = '{\"bytes\": 1}' WHERE seq = 6",), "event 6 was edited"),
    "edited review id": (("UPDATE audit_events SET review_id = 7 WHERE seq = 2",), "event 2 was edited"),
    "edited time": (("UPDATE audit_events SET at = at - interval '1 day' WHERE seq = 5",), "event 5 was edited"),
    "deleted first": (("DELETE FROM audit_events WHERE seq = 1",), "event 1 was deleted"),
    "deleted middle": (("DELETE FROM audit_events WHERE seq = 3",), "event 3 was deleted"),
    "deleted two": (("DELETE FROM audit_events WHERE seq IN (3, 4)",), "events 3 to 4 were deleted"),
    "deleted tail": (("DELETE FROM audit_events WHERE seq = 6",), "event 6 was deleted from the end"),
    "deleted all": (("DELETE FROM audit_events",), "events 1 to 6 were deleted from the end"),
    "reordered": (SWAP_2_3, "event 2 does not follow event 1"),
    "head rewound": (("UPDATE audit_head SET seq = 5",), "the audit head (event 5) does not match the last event"),
    "head hash": (("UPDATE audit_head SET hash = 'ff'",), "the audit head (event 6) does not match"),
    "head deleted": (("DELETE FROM audit_head",), "the audit head is missing"),
}


@pytest.mark.parametrize("case", TAMPERING)
def test_tampering_is_detected(store: Store, case: str) -> None:
    fill(store)
    statements, problem = TAMPERING[case]
    if store.engine.dialect.name == "sqlite":
        statements = tuple(s.replace("at - interval '1 day'", "datetime(at, '-1 day')") for s in statements)
    sql(store, *statements)
    report = store.verify_audit()
    assert not report.ok and report.problem is not None
    assert report.problem.startswith(problem) and "\n" not in report.problem


@pytest.mark.parametrize(
    ("statement", "problem"),
    [
        ("UPDATE audit_events SET detail = '[1]' WHERE seq = 2", "event 2 was edited"),  # valid JSON, not an object
        ("UPDATE audit_events SET detail = 'notjson' WHERE seq = 3", "event 3 was edited"),
        ("UPDATE audit_events SET at = 'garbage' WHERE seq = 4", "event 4 was edited"),
    ],
)
def test_a_row_edited_into_something_unreadable_is_reported_broken(tmp_path: Path, statement: str,
                                                                    problem: str) -> None:
    # SQLite lets a hand edit store what PostgreSQL's types would refuse
    with Store.open(f"sqlite:///{tmp_path / 'a.sqlite'}") as store:
        fill(store)
        sql(store, statement)
        report = store.verify_audit()
    assert not report.ok and report.problem == problem


def test_a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link(store: Store) -> None:
    fill(store)
    e = store.audit_events()[2]
    forged = event_hash(seq=3, at=e.at, user="mallory", action=e.action, document_sha256=e.document_sha256,
                        review_id=e.review_id, rule=e.rule, detail=e.detail, prev_hash=e.prev_hash)  # fmt: skip
    sql(store, f"UPDATE audit_events SET \"user\" = 'mallory', hash = '{forged}' WHERE seq = 3")
    assert store.verify_audit().problem == "event 4 does not follow event 3 (reordered?)"


# -- no personal data in events -------------------------------------------------------------------

ACCEPTED: list[Any] = [
    {},
    {"document_id": 3, "kind": "docx", "encrypted": True, "score": 0.93, "none": None},
    {"counts": {"PERSON": 3, "IMMIGRATION": 1}, "flags": ["G3", "F1"], "edit": {"spans": [[12, 40], [50, 61]]}},
    {"key": "PERSON:123456-123470", "hash": sha("x"), "recipient_type": "immigration_enforcement"},
    {"action": "review.released", "rule": "I5", "label": "DATE_OF_BIRTH", "version": 12},
]
REJECTED: list[tuple[Any, str]] = [
    ({"name": "Amina Osei"}, "free text"),
    ({"name": "Amina"}, "free text"),
    ({"address": "14 Larch Road"}, "free text"),
    ({"email": "amina.osei@example.org"}, "free text"),
    ({"phone": "07700900123"}, "free text"),
    ({"phone": "07700-900123"}, "free text"),
    ({"nhs": "485-777-3456"}, "free text"),
    ({"dob": "03/04/1991"}, "free text"),
    ({"ni": "AB123456C"}, "free text"),
    ({"ho_ref": "H1234567"}, "free text"),
    ({"reason": "victim disclosed overstaying"}, "free text"),
    ({"blob": "x" * 65}, "free text"),
    ({"nested": {"deep": ["ok", "Kofi Osei"]}}, "nested.deep[1] holds free text"),
    ({"Full Name": 1}, "key that is not a label"),
    ({3: 1}, "key that is not a label"),
    ({"score": float("nan")}, "not finite"),
    ({"when": {1, 2}}, "holds a set"),
    ({"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}, "nested too deeply"),
]


@pytest.mark.parametrize("detail", ACCEPTED)
def test_detail_validator_accepts_ids_labels_numbers_and_hashes(detail: Any) -> None:
    check_detail(detail)


@pytest.mark.parametrize("detail, message", REJECTED)
def test_detail_validator_rejects_personal_data_looking_values(detail: Any, message: str) -> None:
    with pytest.raises(PersonalDataError, match=message.replace("[", r"\[").replace("]", r"\]")) as e:
        check_detail(detail)
    assert "Amina" not in str(e.value) and "Osei" not in str(e.value) and "07700" not in str(e.value)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"detail": {"name": "Amina Osei"}}, "free text"),
        ({"action": "Sent to Amina"}, "dotted lower-case name"),
        ({"rule": "Amina Osei"}, "rule id"),
        ({"document_sha256": "minutes.docx"}, "SHA-256"),
    ],
)
def test_audit_refuses_personal_data_and_writes_nothing(store: Store, kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"user": "dpo", "action": "document.downloaded", **kwargs}
    with pytest.raises(PersonalDataError, match=message):
        store.audit(**args)
    assert store.audit_events() == [] and store.verify_audit().ok


@pytest.mark.parametrize("token, ok", [("PERSON", True), ("legal_adviser", True), ("Osei", False), ("a b", False)])
def test_label_like(token: str, ok: bool) -> None:
    assert label_like(token) is ok


# -- the command line -----------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_audit_verify_exit_codes(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli(capsys, "db", "upgrade", "--db", db_url)[0] == 0
    with Store.open(db_url) as s:
        fill(s)
        head = s.verify_audit().head
    intact = f"audit trail intact: 6 events, head {head[:12]}\n"
    assert cli(capsys, "audit", "verify", "--db", db_url) == (0, intact, "")
    with Store.open(db_url) as s:
        sql(s, "UPDATE audit_events SET detail = '{\"bytes\": 999}' WHERE seq = 6")
    assert cli(capsys, "audit", "verify", "--db", db_url) == (1, "audit trail broken: event 6 was edited\n", "")


@pytest.mark.parametrize(
    "url, message",
    [
        ("sqlite:///{tmp}/absent.sqlite", "no database at"),
        ("postgresql+psycopg://u:hunter2@127.0.0.1:1/x?connect_timeout=2", "cannot open the database"),
        ("mysql://u@h/x", "unsupported database"),
    ],
)
def test_audit_verify_database_problems_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, message: str
) -> None:
    code, out, err = cli(capsys, "audit", "verify", "--db", url.format(tmp=tmp_path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith("marac-redact: error: ") and message in err and "hunter2" not in err


def test_audit_verify_reads_database_url_and_does_not_migrate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{empty}")
    code, _, err = cli(capsys, "audit", "verify")
    assert code == 2 and "run `marac-redact db upgrade`" in err
    assert cli(capsys, "db", "upgrade")[0] == 0
    assert cli(capsys, "audit", "verify")[:2] == (0, f"audit trail intact: 0 events, head {GENESIS[:12]}\n")


def test_key_new_prints_a_fernet_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, "key", "new")
    assert code == 0 and Fernet(out.strip().encode())


def test_audit_verify_as_a_process(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    with Store.open(url) as s:
        fill(s)
    run = subprocess.run([sys.executable, "-m", "redactor", "audit", "verify", "--db", url],
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0 and run.stdout.startswith("audit trail intact: 6 events") and run.stderr == ""
