"""``Store``: the one object the service layer and the app talk to. Documents, reviews, edits,
approvals, disclosures and the audit trail, on SQLite (default) or PostgreSQL.

Every mutating method is one transaction that also appends its audit event, and commits before it
returns: a change without its event cannot exist, and a closed tab or a crash loses nothing. Review
changes take the ``expected_version`` the caller loaded; if someone else changed the review since,
nothing is written and ``StaleEditError`` says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import CursorResult, Engine, func, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from redactor.errors import NotFoundError, ReviewClosedError, StaleEditError, StoreError
from redactor.store import audit, checks, migrate
from redactor.store.audit import AuditEvent, AuditReport
from redactor.store.crypto import BodyCipher
from redactor.store.engine import WRITE, display, make_engine, resolve_url
from redactor.store.rows import ApprovalRow, DisclosureRow, DocumentRow, EditRow, ReviewRow, StoredDocument
from redactor.store.schema import (
    ApprovalRecord,
    AuditEventRecord,
    DisclosureRecord,
    DocumentRecord,
    EditRecord,
    ReviewRecord,
    now,
)


def _reason(e: SQLAlchemyError) -> str:
    text = str(e.orig) if isinstance(e, DBAPIError) and e.orig is not None else type(e).__name__
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(e).__name__


class Store:
    def __init__(self, engine: Engine, url: URL, cipher: BodyCipher) -> None:
        self._engine = engine
        self._url = url
        self._cipher = cipher

    @classmethod
    def open(cls, url: str | None = None, *, key: str | bytes | None = None, upgrade: bool = True) -> Store:
        """Connect (``url``, else ``DATABASE_URL``, else ``sqlite:///var/marac-redact.sqlite``) and migrate to head.

        ``upgrade=False`` (read-only checks such as ``audit verify``) changes nothing: the database must
        exist and already be at the package's schema revision.
        """
        parsed = resolve_url(url)
        cipher = BodyCipher(key)
        if not upgrade and parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
            raise StoreError(f"no database at {display(parsed)}")
        engine = make_engine(parsed)
        try:
            if upgrade:
                migrate.upgrade(engine)
            else:
                have, want = migrate.current(engine)
                if have != want:
                    raise StoreError(
                        f"the database {display(parsed)} is at schema revision {have or 'none'}, this version needs "
                        f"{want}: run `marac-redact db upgrade`"
                    )
        except SQLAlchemyError as e:
            engine.dispose()
            raise StoreError(f"cannot open the database {display(parsed)}: {_reason(e)}") from e
        except StoreError:
            engine.dispose()
            raise
        return cls(engine, parsed, cipher)

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def encrypted(self) -> bool:
        """True when a key is configured: new document bodies are encrypted at rest."""
        return self._cipher.enabled

    @property
    def url_for_display(self) -> str:
        return display(self._url)

    @property
    def engine(self) -> Engine:
        return self._engine

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        try:
            with Session(self._engine) as s:
                yield s
        except SQLAlchemyError as e:
            raise StoreError(f"database error on {self.url_for_display}: {_reason(e)}") from e

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One write transaction holding the audit head: writers queue here, so the chain never forks."""
        try:
            with self._engine.connect() as conn:
                conn.execution_options(**{WRITE: True})
                with Session(bind=conn, expire_on_commit=False) as s, s.begin():
                    audit.lock_head(s)
                    yield s
        except SQLAlchemyError as e:
            raise StoreError(f"database error on {self.url_for_display}: {_reason(e)}; nothing was written") from e

    # documents

    def add_document(
        self,
        *,
        user: str,
        name: str,
        kind: str,
        sha256: str,
        data: bytes,
        text: str,
        doc_type: str | None,
        notices: list[dict[str, Any]],
        findings: list[dict[str, Any]],
    ) -> int:
        checks.user(user)
        if kind not in checks.KINDS:
            raise StoreError(f"unknown document kind '{kind}': one of {', '.join(checks.KINDS)}")
        checks.sha256(sha256, "the document hash")
        stored = checks.findings(findings, len(text))
        rec = DocumentRecord(
            name=name[:255],
            kind=kind,
            sha256=sha256,
            doc_type=doc_type,
            created_by=user,
            created_at=now(),
            encrypted=self._cipher.enabled,
            data=self._cipher.seal(bytes(data)),
            text=self._cipher.seal(text.encode("utf-8")),
            notices=checks.json_value(list(notices), "notices"),
            findings=stored,
            n_findings=len(stored),
        )
        with self._writing() as s:
            s.add(rec)
            s.flush()
            detail = {"document_id": rec.id, "kind": kind, "n_findings": len(stored), "encrypted": rec.encrypted}
            audit.append(s, user=user, action="document.added", document_sha256=sha256, detail=detail)
            return rec.id

    def get_document(self, doc_id: int) -> StoredDocument:
        with self._reading() as s:
            r = s.get(DocumentRecord, doc_id)
            if r is None:
                raise NotFoundError(f"no document {doc_id}")
            what = f"document {doc_id}"
            return StoredDocument(
                id=r.id,
                name=r.name,
                kind=r.kind,
                sha256=r.sha256,
                doc_type=r.doc_type,
                created_by=r.created_by,
                created_at=r.created_at,
                data=self._cipher.unseal(r.data, encrypted=r.encrypted, what=what),
                text=self._cipher.unseal(r.text, encrypted=r.encrypted, what=what).decode("utf-8"),
                notices=tuple(r.notices),
                findings=tuple(r.findings),
            )

    def list_documents(self) -> list[DocumentRow]:
        with self._reading() as s:
            return [
                DocumentRow(r.id, r.name, r.kind, r.sha256, r.doc_type, r.created_by, r.created_at, r.n_findings)
                for r in s.scalars(select(DocumentRecord).order_by(DocumentRecord.id))
            ]

    # reviews

    def add_review(self, *, user: str, document_id: int, release: dict[str, Any], mode: str = "minutes") -> int:
        checks.user(user)
        if mode not in checks.MODES:
            raise StoreError(f"unknown review mode '{mode}': one of {', '.join(checks.MODES)}")
        release = checks.json_value(dict(release), "the release")
        with self._writing() as s:
            sha = self._document_sha(s, document_id)
            rec = ReviewRecord(
                document_id=document_id,
                release=release,
                mode=mode,
                status="open",
                version=1,
                created_by=user,
                created_at=now(),
            )
            s.add(rec)
            s.flush()
            detail = {"document_id": document_id, "mode": mode, "version": 1, **_purpose(release)}
            audit.append(s, user=user, action="review.opened", document_sha256=sha, review_id=rec.id, detail=detail)
            return rec.id

    def get_review(self, review_id: int) -> ReviewRow:
        with self._reading() as s:
            r = s.get(ReviewRecord, review_id)
            if r is None:
                raise NotFoundError(f"no review {review_id}")
            return _review_row(r)

    def list_reviews(self, *, status: str | None = None) -> list[ReviewRow]:
        q = select(ReviewRecord).order_by(ReviewRecord.id)
        if status is not None:
            q = q.where(ReviewRecord.status == status)
        with self._reading() as s:
            return [_review_row(r) for r in s.scalars(q)]

    def set_release(self, review_id: int, *, user: str, expected_version: int, release: dict[str, Any]) -> int:
        checks.user(user)
        release = checks.json_value(dict(release), "the release")
        with self._writing() as s:
            rec = self._bump(s, review_id, expected_version, release=release)
            detail = {"version": rec.version, **_purpose(release)}
            self._event(s, rec, user, "release.changed", detail=detail)
            return rec.version

    def add_edit(self, review_id: int, *, user: str, expected_version: int, edit: dict[str, Any]) -> int:
        checks.user(user)
        audit.check_detail(edit, "the edit")
        checks.edit(edit)
        edit = checks.json_value(dict(edit), "the edit")
        with self._writing() as s:
            rec = self._bump(s, review_id, expected_version)
            last = s.scalar(select(func.max(EditRecord.seq)).where(EditRecord.review_id == review_id)) or 0
            s.add(EditRecord(review_id=review_id, seq=last + 1, user=user, at=now(), edit=edit))
            rule = edit.get("rule") if isinstance(edit.get("rule"), str) else None
            detail = {"version": rec.version, "edit_seq": last + 1, "edit": edit}
            self._event(s, rec, user, "review.edited", rule=rule, detail=detail)
            return rec.version

    def edits(self, review_id: int) -> list[EditRow]:
        q = select(EditRecord).where(EditRecord.review_id == review_id).order_by(EditRecord.seq)
        with self._reading() as s:
            return [EditRow(r.seq, r.user, r.at, dict(r.edit)) for r in s.scalars(q)]

    def add_approval(self, review_id: int, *, user: str, expected_version: int, note: str = "") -> int:
        checks.user(user)
        if len(note) > 4000:
            raise StoreError("an approval note holds at most 4000 characters")
        with self._writing() as s:
            rec = self._bump(s, review_id, expected_version)
            s.add(ApprovalRecord(review_id=review_id, user=user, at=now(), version=expected_version, note=note))
            detail = {"version": rec.version, "approved_version": expected_version}
            self._event(s, rec, user, "review.approved", detail=detail)
            return rec.version

    def approvals(self, review_id: int) -> list[ApprovalRow]:
        q = select(ApprovalRecord).where(ApprovalRecord.review_id == review_id).order_by(ApprovalRecord.id)
        with self._reading() as s:
            return [ApprovalRow(r.user, r.at, r.version, r.note) for r in s.scalars(q)]

    def mark_released(self, review_id: int, *, user: str, expected_version: int, disclosure: dict[str, Any]) -> int:
        """Record what left (a disclosure row) and close the review. Returns the disclosure id.

        ``disclosure["approvers"]``, when given, names the approvals that count (each must have approved
        this review); otherwise every approver of the review is recorded.
        """
        checks.user(user)
        d = _disclosure(disclosure)
        given = [str(a) for a in disclosure["approvers"]] if disclosure.get("approvers") is not None else None
        at = now()
        with self._writing() as s:
            rec = self._bump(s, review_id, expected_version, status="released", released_by=user, released_at=at)
            source = d.pop("source_sha256", None) or self._document_sha(s, rec.document_id)
            q = select(ApprovalRecord.user).where(ApprovalRecord.review_id == review_id).order_by(ApprovalRecord.id)
            approvers = list(dict.fromkeys(s.scalars(q)))
            if given is not None:
                unknown = [a for a in given if a not in approvers]
                if unknown:
                    raise StoreError(f"{', '.join(unknown)} did not approve review {review_id}")
                approvers = list(dict.fromkeys(given))
            row = DisclosureRecord(
                review_id=review_id, document_id=rec.document_id, user=user, at=at, source_sha256=source,
                approvers=approvers, **d,
            )  # fmt: skip
            s.add(row)
            s.flush()
            detail = {
                "version": rec.version,
                "disclosure_id": row.id,
                "recipient_type": row.recipient_type,
                "purpose": row.purpose,
                "output_sha256": row.output_sha256,
                "counts": row.counts,
                "flags": _flag_rules(row.flags),
                "approvals": len(approvers),
            }
            audit.append(
                s, user=user, action="review.released", document_sha256=source, review_id=review_id, detail=detail
            )
            return row.id

    def disclosures(
        self,
        *,
        recipient_type: str | None = None,
        purpose: str | None = None,
        user: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[DisclosureRow]:
        """Disclosures, oldest first; ``since`` inclusive, ``until`` exclusive."""
        q = select(DisclosureRecord).order_by(DisclosureRecord.at, DisclosureRecord.id)
        if recipient_type is not None:
            q = q.where(DisclosureRecord.recipient_type == recipient_type)
        if purpose is not None:
            q = q.where(DisclosureRecord.purpose == purpose)
        if user is not None:
            q = q.where(DisclosureRecord.user == user)
        if since is not None:
            q = q.where(DisclosureRecord.at >= since)
        if until is not None:
            q = q.where(DisclosureRecord.at < until)
        with self._reading() as s:
            return [_disclosure_row(r) for r in s.scalars(q)]

    # audit trail

    def audit(
        self,
        *,
        user: str,
        action: str,
        document_sha256: str | None = None,
        review_id: int | None = None,
        rule: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> AuditEvent:
        """Append one event on its own (a download, a sign-in, a spot check). ``detail`` holds no personal data."""
        checks.user(user)
        with self._writing() as s:
            return audit.append(
                s,
                user=user,
                action=action,
                document_sha256=document_sha256,
                review_id=review_id,
                rule=rule,
                detail=detail,
            )

    def audit_events(self, *, since: datetime | None = None) -> list[AuditEvent]:
        q = select(AuditEventRecord).order_by(AuditEventRecord.seq)
        if since is not None:
            q = q.where(AuditEventRecord.at >= since)
        with self._reading() as s:
            return [audit.to_event(r) for r in s.scalars(q)]

    def verify_audit(self) -> AuditReport:
        with self._reading() as s:
            return audit.verify(s)

    # helpers

    @staticmethod
    def _document_sha(s: Session, document_id: int) -> str:
        sha = s.scalar(select(DocumentRecord.sha256).where(DocumentRecord.id == document_id))
        if sha is None:
            raise NotFoundError(f"no document {document_id}")
        return sha

    def _bump(self, s: Session, review_id: int, expected: int, **values: Any) -> ReviewRecord:
        """Move an open review from ``expected`` to the next version, atomically, or raise."""
        stmt = (
            update(ReviewRecord)
            .where(ReviewRecord.id == review_id, ReviewRecord.version == expected, ReviewRecord.status == "open")
            .values(version=expected + 1, **values)
            .execution_options(synchronize_session=False)
        )
        result = s.execute(stmt)
        assert isinstance(result, CursorResult)
        rec = s.get(ReviewRecord, review_id, populate_existing=True)
        if rec is None:
            raise NotFoundError(f"no review {review_id}")
        if result.rowcount != 1:
            if rec.status != "open":
                raise ReviewClosedError(f"review {review_id} has been released by {rec.released_by}: it cannot change")
            raise StaleEditError(
                f"review {review_id} was changed by someone else (version {rec.version}, you had {expected}): reload it"
            )
        return rec

    def _event(
        self, s: Session, rec: ReviewRecord, user: str, action: str, *, rule: str | None = None, detail: dict[str, Any]
    ) -> None:
        sha = self._document_sha(s, rec.document_id)
        audit.append(s, user=user, action=action, document_sha256=sha, review_id=rec.id, rule=rule, detail=detail)


def _purpose(release: dict[str, Any]) -> dict[str, Any]:
    purpose = release.get("purpose")
    return {"purpose": purpose} if isinstance(purpose, str) and audit.label_like(purpose) else {}


def _flag_rules(flags: list[Any]) -> list[str]:
    rules = [f.get("rule") if isinstance(f, dict) else f for f in flags]
    return [r for r in rules if isinstance(r, str) and audit.label_like(r)]


def _disclosure(d: dict[str, Any]) -> dict[str, Any]:
    missing = [k for k in ("recipient_type", "purpose", "output_sha256") if k not in d]
    if missing:
        raise StoreError(f"the disclosure lacks {', '.join(missing)}")
    counts = d.get("counts") or {}
    audit.check_detail(counts, "the disclosure counts")
    out: dict[str, Any] = {
        "recipient_type": checks.token(d["recipient_type"], "the recipient type"),
        "recipient_name": str(d.get("recipient_name") or "")[:255],
        "purpose": checks.token(d["purpose"], "the purpose"),
        "cases": [str(c) for c in d.get("cases") or ()],
        "output_sha256": checks.sha256(d["output_sha256"], "the output hash"),
        "counts": dict(counts),
        "flags": checks.json_value(list(d.get("flags") or ()), "the flags"),
        "log": checks.log(d.get("log") or ()),
    }
    if d.get("source_sha256"):
        out["source_sha256"] = checks.sha256(d["source_sha256"], "the source hash")
    return out


def _review_row(r: ReviewRecord) -> ReviewRow:
    return ReviewRow(
        id=r.id,
        document_id=r.document_id,
        release=dict(r.release),
        mode=r.mode,
        status=r.status,
        version=r.version,
        created_by=r.created_by,
        created_at=r.created_at,
        released_by=r.released_by,
        released_at=r.released_at,
    )


def _disclosure_row(r: DisclosureRecord) -> DisclosureRow:
    return DisclosureRow(
        id=r.id,
        review_id=r.review_id,
        document_id=r.document_id,
        user=r.user,
        at=r.at,
        recipient_type=r.recipient_type,
        recipient_name=r.recipient_name,
        purpose=r.purpose,
        cases=tuple(r.cases),
        output_sha256=r.output_sha256,
        source_sha256=r.source_sha256,
        counts=dict(r.counts),
        flags=tuple(r.flags),
        approvers=tuple(r.approvers),
        log=tuple(r.log),
    )
