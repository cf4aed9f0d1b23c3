"""The store on SQLite and on a real PostgreSQL server: round trips, encryption at rest, optimistic
concurrency between two reviewers, migrations, and the checks that keep text out of structured columns."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from store_helpers import FINDINGS, RELEASE, TEXT, add_doc, disclosure, sha

from redactor.errors import (
    KeyMissingError,
    NotFoundError,
    PersonalDataError,
    ReviewClosedError,
    StaleEditError,
    StoreError,
)
from redactor.store import Store, new_key
from redactor.store.migrate import current
from redactor.store.schema import Base

TABLES = {"documents", "reviews", "edits", "approvals", "disclosures", "audit_events", "audit_head", "alembic_version"}


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    with Store.open(db_url) as s:
        yield s


def raw(store: Store, sql: str, **params: Any) -> list[Any]:
    with store.engine.begin() as conn:
        return list(conn.execute(text(sql), params))


# -- opening and migrating ------------------------------------------------------------------------


def test_open_migrates_an_empty_database_and_is_idempotent(db_url: str) -> None:
    with Store.open(db_url) as first:
        assert set(inspect(first.engine).get_table_names()) >= TABLES
        add_doc(first)
        have, want = current(first.engine)
        assert have == want and want
    for _ in range(2):
        with Store.open(db_url) as again:
            assert len(again.list_documents()) == 1
            assert raw(again, "SELECT count(*) FROM audit_head")[0][0] == 1
            assert again.verify_audit().ok and again.verify_audit().events == 1


def test_migrations_match_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diffs == []


def test_default_url_is_a_sqlite_file_under_var(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with Store.open() as s:
        assert s.url_for_display == "sqlite:///var/marac-redact.sqlite"
    assert (tmp_path / "var" / "marac-redact.sqlite").is_file()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'other.sqlite'}")
    with Store.open() as s:
        assert s.url_for_display.endswith("other.sqlite")


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql+psycopg://alice:s3cret@db.example:5432/marac", "postgresql+psycopg://alice:***@db.example:5432/marac"),
        ("postgresql://alice:s3cret@db/marac", "postgresql+psycopg://alice:***@db/marac"),
        ("sqlite:///var/x.sqlite", "sqlite:///var/x.sqlite"),
    ],
)
def test_url_for_display_masks_the_password(url: str, shown: str) -> None:
    from redactor.store.engine import display, resolve_url

    assert display(resolve_url(url)) == shown
    assert "s3cret" not in display(resolve_url(url))


@pytest.mark.parametrize(
    "url, message",
    [
        ("mysql://u:p@localhost/x", "unsupported database 'mysql'"),
        ("no url at all", "cannot be parsed"),
        ("postgresql+psycopg://u:hunter2@127.0.0.1:1/x?connect_timeout=2", "cannot open the database"),
    ],
)
def test_bad_database_urls_fail_with_one_line(url: str, message: str) -> None:
    with pytest.raises(StoreError) as e:
        Store.open(url)
    assert message in str(e.value) and "\n" not in str(e.value) and "hunter2" not in str(e.value)


def test_read_only_open_needs_an_existing_migrated_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        Store.open(f"sqlite:///{tmp_path / 'absent.sqlite'}", upgrade=False)
    assert not (tmp_path / "absent.sqlite").exists()


# -- documents -----------------------------------------------------------------------------------


def test_document_round_trip(store: Store) -> None:
    data = b"%PDF-1.7 binary \x00\xff body"
    doc_id = add_doc(store, data=data, kind="pdf", name="letter.pdf", doc_type=None)
    got = store.get_document(doc_id)
    assert (got.id, got.name, got.kind, got.sha256, got.doc_type, got.created_by) == (
        doc_id, "letter.pdf", "pdf", sha(data), None, "coord",
    )  # fmt: skip
    assert got.data == data and got.text == TEXT
    assert list(got.findings) == FINDINGS and got.notices[0]["code"] == "metadata"
    assert got.created_at.tzinfo is not None and abs(datetime.now(UTC) - got.created_at) < timedelta(minutes=1)
    rows = store.list_documents()
    assert [(r.id, r.name, r.n_findings) for r in rows] == [(doc_id, "letter.pdf", 2)]
    assert not hasattr(rows[0], "data") and not hasattr(rows[0], "text")


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"kind": "xlsx"}, StoreError, "unknown document kind"),
        ({"sha256": "not-a-hash"}, StoreError, "SHA-256"),
        ({"user": " "}, StoreError, "user name"),
        ({"findings": [{"start": 0, "end": 5, "label": "PERSON", "text": "Amina"}]}, PersonalDataError, "offsets only"),
        ({"findings": [{"start": 5, "end": 5, "label": "PERSON"}]}, StoreError, "0 <= start < end"),
        ({"findings": [{"start": 0, "end": 10_000, "label": "PERSON"}]}, StoreError, "ends after the text"),
        ({"findings": [{"start": "0", "end": 4, "label": "PERSON"}]}, StoreError, "integer offsets"),
        ({"notices": [{"code": object()}]}, StoreError, "not plain JSON"),
    ],
)
def test_add_document_refuses(store: Store, change: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        add_doc(store, **change)
    assert store.list_documents() == [] and store.audit_events() == []


def test_unknown_ids_raise_not_found(store: Store) -> None:
    for call in (lambda: store.get_document(99), lambda: store.get_review(99)):
        with pytest.raises(NotFoundError):
            call()
    with pytest.raises(NotFoundError):
        store.add_review(user="coord", document_id=99, release=RELEASE)
    with pytest.raises(NotFoundError):
        store.add_edit(99, user="coord", expected_version=1, edit={"kind": "decide"})


# -- encryption at rest --------------------------------------------------------------------------


def raw_bodies(store: Store, doc_id: int) -> tuple[bytes, bytes, bool]:
    data, body, encrypted = raw(store, "SELECT data, text, encrypted FROM documents WHERE id = :i", i=doc_id)[0]
    return bytes(data), bytes(body), bool(encrypted)


def test_keyed_bodies_are_encrypted_at_rest(db_url: str) -> None:
    key = new_key()
    with Store.open(db_url, key=key) as s:
        assert s.encrypted
        doc_id = add_doc(s, text=TEXT)
        data, body, encrypted = raw_bodies(s, doc_id)
        assert encrypted
        for column in (data, body):
            assert b"Amina" not in column and b"Larch Road" not in column and b"07700" not in column
        assert s.get_document(doc_id).text == TEXT and s.get_document(doc_id).data == TEXT.encode()


def test_unkeyed_bodies_are_plain_and_say_so(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARAC_REDACT_KEY", raising=False)
    with Store.open(db_url) as s:
        assert not s.encrypted
        doc_id = add_doc(s)
        data, body, encrypted = raw_bodies(s, doc_id)
        assert not encrypted and body == TEXT.encode() and data == TEXT.encode()


@pytest.mark.parametrize(
    "reader_key, message",
    [
        (None, "document 1 is encrypted and no key is configured"),
        ("other", "cannot be decrypted with the configured key"),
    ],
)
def test_encrypted_body_without_the_right_key_is_refused(
    db_url: str, monkeypatch: pytest.MonkeyPatch, reader_key: str | None, message: str
) -> None:
    monkeypatch.delenv("MARAC_REDACT_KEY", raising=False)
    with Store.open(db_url, key=new_key()) as writer:
        doc_id = add_doc(writer)
    with Store.open(db_url, key=new_key() if reader_key else None) as reader:
        assert reader.list_documents()[0].id == doc_id  # listing needs no key
        with pytest.raises(KeyMissingError) as e:
            reader.get_document(doc_id)
    assert message in str(e.value) and "\n" not in str(e.value)


def test_key_from_the_environment_and_rotation(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = new_key(), new_key()
    monkeypatch.setenv("MARAC_REDACT_KEY", old)
    with Store.open(db_url) as s:
        assert s.encrypted
        first = add_doc(s)
    monkeypatch.setenv("MARAC_REDACT_KEY", f"{new},{old}")
    with Store.open(db_url) as s:
        second = add_doc(s)
        assert s.get_document(first).text == TEXT and s.get_document(second).text == TEXT
    with Store.open(db_url, key=new) as s, pytest.raises(KeyMissingError):
        s.get_document(first)


def test_plain_documents_stay_readable_once_a_key_is_set(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MARAC_REDACT_KEY", raising=False)
    with Store.open(db_url) as s:
        doc_id = add_doc(s)
    with Store.open(db_url, key=new_key()) as s:
        assert s.get_document(doc_id).text == TEXT


@pytest.mark.parametrize("key", ["short", "x" * 44, b"\xff\xfe"])
def test_invalid_key_is_refused_with_one_line(key: str | bytes) -> None:
    from redactor.store.crypto import BodyCipher

    with pytest.raises(StoreError, match="not a Fernet key"):
        BodyCipher(key)


# -- reviews ---------------------------------------------------------------------------------------


def test_review_life_cycle(store: Store) -> None:
    doc_id = add_doc(store)
    rid = store.add_review(user="coord", document_id=doc_id, release=RELEASE)
    r = store.get_review(rid)
    assert (r.document_id, r.release, r.mode, r.status, r.version, r.created_by) == (
        doc_id, RELEASE, "minutes", "open", 1, "coord",
    )  # fmt: skip
    v = store.set_release(rid, user="coord", expected_version=1, release={**RELEASE, "purpose": "other"})
    edits = [
        {"kind": "decide", "key": "PERSON:33-43", "decision": "keep", "rule": "I1"},
        {"kind": "add", "spans": [[45, 59], [60, 70]], "decision": "redact"},
    ]
    for e in edits:
        v = store.add_edit(rid, user="idva", expected_version=v, edit=e)
    v = store.add_approval(rid, user="dpo", expected_version=v, note="checked the plan digest 3fa2")
    assert v == 5 and store.get_review(rid).release["purpose"] == "other"
    assert [(e.seq, e.user, e.edit) for e in store.edits(rid)] == [(1, "idva", edits[0]), (2, "idva", edits[1])]
    assert [(a.user, a.version, a.note) for a in store.approvals(rid)] == [("dpo", 4, "checked the plan digest 3fa2")]
    did = store.mark_released(rid, user="coord", expected_version=v, disclosure=disclosure())
    r = store.get_review(rid)
    assert (r.status, r.version, r.released_by) == ("released", 6, "coord") and r.released_at is not None
    assert [x.id for x in store.list_reviews(status="released")] == [rid] and store.list_reviews(status="open") == []
    (d,) = store.disclosures()
    assert (d.id, d.review_id, d.document_id, d.user, d.recipient_type, d.purpose, d.cases, d.approvers) == (
        did, rid, doc_id, "coord", "police", "safeguarding", ("1",), ("dpo",),
    )  # fmt: skip
    assert d.counts == {"PERSON": 1, "ADDRESS": 1} and d.flags == ("G3",) and d.log[0]["rule"] == "I1"
    actions = [e.action for e in store.audit_events()]
    assert actions == [
        "document.added", "review.opened", "release.changed", "review.edited", "review.edited",
        "review.approved", "review.released",
    ]  # fmt: skip
    with pytest.raises(ReviewClosedError, match=f"review {rid} has been released"):
        store.add_edit(rid, user="coord", expected_version=6, edit={"kind": "decide"})


@pytest.mark.parametrize(
    "edit, message",
    [
        ({"kind": "add", "text": "Amina Osei"}, "free text"),
        ({"kind": "add", "note": "she moved"}, "free text"),
        ({"kind": "decide", "key": "Amina"}, "free text"),
        ({"kind": "add", "phone": "07700900123"}, "free text"),
        ({"Kind Of": "x"}, "key that is not a label"),
        ({"kind": "decide", "key": "amina-khan"}, "not a label and offsets"),  # label-like, but a name
        ({"kind": "decide", "key": "PERSON:1-2", "decision": "osei"}, "not keep, review or redact"),
        ({"kind": "rule", "rule": "khan", "decision": "keep"}, "not a rule id"),
        ({"kind": "decide", "who": "bd7-3qp"}, "unknown fields"),
    ],
)
def test_edits_carry_no_text(store: Store, edit: dict[str, Any], message: str) -> None:
    rid = store.add_review(user="coord", document_id=add_doc(store), release=RELEASE)
    with pytest.raises(PersonalDataError, match=message):
        store.add_edit(rid, user="coord", expected_version=1, edit=edit)
    assert store.edits(rid) == [] and store.get_review(rid).version == 1


def test_bad_review_mode_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="unknown review mode"):
        store.add_review(user="coord", document_id=add_doc(store), release=RELEASE, mode="email")


@pytest.mark.parametrize(
    "change, error, message",
    [
        ({"purpose": None}, StoreError, "lacks purpose"),
        ({"recipient_type": "Ealing Housing Options"}, PersonalDataError, "recipient type"),
        ({"output_sha256": "abc"}, StoreError, "output hash"),
        ({"log": [{"start": 1, "end": 5, "label": "PERSON", "rule": "I1", "text": "Amina"}]}, PersonalDataError, "log"),
        ({"log": [{"start": 5, "end": 1}]}, StoreError, "log entry 0"),
        ({"counts": {"PERSON": "Amina Osei"}}, PersonalDataError, "counts"),
        ({"approvers": ["mallory"]}, StoreError, "mallory did not approve"),
    ],
)
def test_mark_released_refuses(store: Store, change: dict[str, Any], error: type[Exception], message: str) -> None:
    rid = store.add_review(user="coord", document_id=add_doc(store), release=RELEASE)
    d = disclosure(**change)
    if change.get("purpose", "") is None:
        del d["purpose"]
    with pytest.raises(error, match=message):
        store.mark_released(rid, user="coord", expected_version=1, disclosure=d)
    assert store.get_review(rid).status == "open" and store.disclosures() == []
    assert store.verify_audit().events == 2


# -- two reviewers ----------------------------------------------------------------------------------

OPS: dict[str, Callable[[Store, int, int], int]] = {
    "set_release": lambda s, rid, v: s.set_release(rid, user="b", expected_version=v, release=RELEASE),
    "add_edit": lambda s, rid, v: s.add_edit(rid, user="b", expected_version=v, edit={"kind": "decide"}),
    "add_approval": lambda s, rid, v: s.add_approval(rid, user="b", expected_version=v),
    "mark_released": lambda s, rid, v: s.mark_released(rid, user="b", expected_version=v, disclosure=disclosure()),
}


@pytest.mark.parametrize("op", OPS)
def test_second_reviewer_with_a_stale_version_is_refused_and_nothing_is_lost(db_url: str, op: str) -> None:
    with Store.open(db_url) as alice, Store.open(db_url) as bob:
        rid = alice.add_review(user="alice", document_id=add_doc(alice), release=RELEASE)
        seen_by_bob = bob.get_review(rid).version
        alice_edit = {"kind": "decide", "key": "PERSON:33-43", "decision": "redact"}
        v = alice.add_edit(rid, user="alice", expected_version=alice.get_review(rid).version, edit=alice_edit)
        events = len(bob.audit_events())
        with pytest.raises(StaleEditError) as e:
            OPS[op](bob, rid, seen_by_bob)
        expected = f"review {rid} was changed by someone else (version {v}, you had {seen_by_bob}): reload it"
        assert str(e.value) == expected
        assert [x.edit for x in bob.edits(rid)] == [alice_edit] and bob.approvals(rid) == []
        assert bob.get_review(rid).status == "open" and bob.disclosures() == []
        assert len(bob.audit_events()) == events
        assert OPS[op](bob, rid, bob.get_review(rid).version) >= 1  # after reloading, bob's change goes in
        assert bob.verify_audit().ok


def test_concurrent_writers_do_not_fork_the_chain_or_lose_edits(db_url: str) -> None:
    with Store.open(db_url) as setup:
        rid = setup.add_review(user="coord", document_id=add_doc(setup), release=RELEASE)
    stores = [Store.open(db_url) for _ in range(4)]
    errors: list[BaseException] = []

    def work(s: Store, n: int) -> None:
        try:
            for i in range(8):
                s.audit(user=f"user{n}", action="document.downloaded", detail={"i": i})
                while True:  # a reviewer who reloads after each refusal
                    try:
                        s.add_edit(rid, user=f"user{n}", expected_version=s.get_review(rid).version,
                                   edit={"kind": "span", "start": n, "end": i})  # fmt: skip
                        break
                    except StaleEditError:
                        continue
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(s, n)) for n, s in enumerate(stores)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in stores:
        s.close()
    assert errors == []
    with Store.open(db_url) as s:
        report = s.verify_audit()
        assert report.ok and report.events == 2 + 4 * 8 * 2
        assert [e.seq for e in s.edits(rid)] == list(range(1, 33)) and s.get_review(rid).version == 33


# -- the DPO's disclosure log -----------------------------------------------------------------------


def test_disclosure_filters(store: Store) -> None:
    doc_id = add_doc(store)
    made = []
    for who, rtype, purpose in [("ann", "police", "safeguarding"), ("bo", "housing", "safeguarding"),
                                ("ann", "immigration_enforcement", "other")]:  # fmt: skip
        rid = store.add_review(user=who, document_id=doc_id, release=RELEASE)
        made.append(store.mark_released(rid, user=who, expected_version=1,
                                        disclosure=disclosure(recipient_type=rtype, purpose=purpose)))  # fmt: skip
    a, b, c = made
    after = datetime.now(UTC) + timedelta(seconds=1)
    cases: list[tuple[dict[str, Any], list[int]]] = [
        ({}, [a, b, c]),
        ({"recipient_type": "police"}, [a]),
        ({"purpose": "safeguarding"}, [a, b]),
        ({"user": "ann"}, [a, c]),
        ({"user": "ann", "purpose": "other"}, [c]),
        ({"recipient_type": "victim"}, []),
        ({"since": after}, []),
        ({"until": after}, [a, b, c]),
        ({"since": store.disclosures()[1].at}, [b, c]),
        ({"until": store.disclosures()[1].at}, [a]),
    ]
    for filters, expected in cases:
        assert [d.id for d in store.disclosures(**filters)] == expected, filters
