"""The audit trail: append-only events chained by hash, and the check that finds any edit or deletion.

Each event's ``hash`` is SHA-256 over the canonical JSON (sorted keys, no spaces) of its ``seq``,
``at`` (UTC ISO 8601, microseconds), ``user``, ``action``, ``document_sha256``, ``review_id``,
``rule``, ``detail`` and ``prev_hash`` (the previous event's hash; 64 zeros for the first). Sequence
numbers are contiguous from 1. ``audit_head`` holds the last seq and hash, so deleting the newest
events is found too. Appends run inside the writer's transaction after ``lock_head``, so concurrent
writers queue on the head and the chain never forks. Record ``verify`` 's head hash elsewhere (a
ticket, an email) to detect someone rewriting the whole chain.

Personal data never enters an event. ``check_detail`` accepts only what an audit needs: numbers,
booleans, null, and single label-like tokens (``PERSON``, ``I5``, ``review.released``,
``legal_adviser``, ``PERSON:120-131``, hex hashes) up to 64 characters, in dicts and lists. It refuses
whitespace (so names, addresses and sentences), ``@`` (e-mail addresses), tokens mixing upper and
lower case letters (``Amina``, ``McDonald``), runs of eight or more digits, numbers written with
separators holding six or more digits (``07700-900123``, ``03/04/1991``) and letters followed by six
or more digits (``AB123456C``, ``H1234567``) unless the token is a hex hash. It is a guard against
mistakes, not proof: an all-capitals or all-lower-case name (``KHAN``, ``amina-khan``), a short
postcode-like token or a bare integer passes. Edits are therefore also checked for their exact
shape (``checks.edit``: kind, decision, ``LABEL:start-end`` keys, rule ids, offsets only), and every
other detail is written by the library itself from ids, labels and counts.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from redactor.errors import PersonalDataError, StoreError
from redactor.store.schema import GENESIS, AuditEventRecord, AuditHeadRecord, now

TOKEN = re.compile(r"[A-Za-z0-9_.:/#+=-]{1,64}")
KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
HEX = re.compile(r"[0-9a-f]{12,128}")
SHA256 = re.compile(r"[0-9a-f]{64}")
LONG_DIGITS = re.compile(r"\d{8}")
NUMBER = re.compile(r"\+?[\d/.-]+")
ID_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,4}\d{6}")
MAX_ITEMS = 2000
MAX_DEPTH = 4


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    at: datetime
    user: str
    action: str
    document_sha256: str | None
    review_id: int | None
    rule: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class AuditReport:
    ok: bool
    events: int
    head: str
    problem: str | None = None


def label_like(value: str) -> bool:
    """True for a short single token that cannot be a name, address, phone or e-mail (see module doc)."""
    if not TOKEN.fullmatch(value):
        return False
    if HEX.fullmatch(value) and any(c.isalpha() for c in value):
        return True
    letters = [c for c in value if c.isalpha()]
    if any(c.isupper() for c in letters) and any(c.islower() for c in letters):
        return False
    digits = sum(c.isdigit() for c in value)
    return not (LONG_DIGITS.search(value) or (NUMBER.fullmatch(value) and digits >= 6) or ID_NUMBER.search(value))


def check_detail(value: Any, where: str = "audit detail", _depth: int = 0) -> None:
    """Raise PersonalDataError unless ``value`` holds only numbers, booleans, null and label-like tokens."""
    if _depth > MAX_DEPTH:
        raise PersonalDataError(f"{where} is nested too deeply")
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PersonalDataError(f"{where} holds a number that is not finite")
        return
    if isinstance(value, str):
        if not label_like(value):
            raise PersonalDataError(f"{where} holds free text: only ids, labels, numbers and hashes may be stored")
        return
    if isinstance(value, list | tuple):
        if len(value) > MAX_ITEMS:
            raise PersonalDataError(f"{where} has more than {MAX_ITEMS} items")
        for i, item in enumerate(value):
            check_detail(item, f"{where}[{i}]", _depth + 1)
        return
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise PersonalDataError(f"{where} has more than {MAX_ITEMS} keys")
        for k, item in value.items():
            if not isinstance(k, str) or not label_like(k):
                raise PersonalDataError(f"{where} has a key that is not a label or identifier")
            check_detail(item, f"{where}.{k}", _depth + 1)
        return
    raise PersonalDataError(f"{where} holds a {type(value).__name__}: only JSON numbers, booleans and tokens")


def event_hash(
    *,
    seq: int,
    at: datetime,
    user: str,
    action: str,
    document_sha256: str | None,
    review_id: int | None,
    rule: str | None,
    detail: dict[str, Any],
    prev_hash: str,
) -> str:
    body = {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds"),
        "user": user,
        "action": action,
        "document_sha256": document_sha256,
        "review_id": review_id,
        "rule": rule,
        "detail": detail,
        "prev_hash": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def lock_head(s: Session) -> AuditHeadRecord:
    """Take the audit head for this transaction (row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already has)."""
    head = s.scalars(select(AuditHeadRecord).where(AuditHeadRecord.id == 1).with_for_update()).one_or_none()
    if head is None:
        raise StoreError("the audit head is missing: the database was not migrated by marac-redact (db upgrade)")
    return head


def append(
    s: Session,
    *,
    user: str,
    action: str,
    document_sha256: str | None = None,
    review_id: int | None = None,
    rule: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event in the caller's transaction. The caller must hold the head (``lock_head``)."""
    detail = dict(detail or {})
    check_detail(detail)
    if not user or len(user) > 128:
        raise StoreError("an audit event needs a user (at most 128 characters)")
    if not KEY.fullmatch(action.replace(".", "_")):
        raise PersonalDataError("an audit action must be a dotted lower-case name such as review.released")
    if rule is not None and not label_like(rule):
        raise PersonalDataError("an audit rule must be a rule id such as I5")
    if document_sha256 is not None and not SHA256.fullmatch(document_sha256):
        raise PersonalDataError("an audit document hash must be 64 lower-case hex digits (SHA-256)")
    head = lock_head(s)
    at = now()
    fields: dict[str, Any] = {
        "seq": head.seq + 1,
        "at": at,
        "user": user,
        "action": action,
        "document_sha256": document_sha256,
        "review_id": review_id,
        "rule": rule,
        "detail": detail,
        "prev_hash": head.hash,
    }
    digest = event_hash(**fields)
    s.add(AuditEventRecord(**fields, hash=digest))
    head.seq, head.hash = fields["seq"], digest
    s.flush()
    return AuditEvent(**fields, hash=digest)


def to_event(r: AuditEventRecord) -> AuditEvent:
    return AuditEvent(
        seq=r.seq,
        at=r.at,
        user=r.user,
        action=r.action,
        document_sha256=r.document_sha256,
        review_id=r.review_id,
        rule=r.rule,
        detail=dict(r.detail),
        prev_hash=r.prev_hash,
        hash=r.hash,
    )


def verify(s: Session) -> AuditReport:
    """Recompute the chain. ``problem`` names the first bad event in one line."""
    head = s.get(AuditHeadRecord, 1)
    if head is None:
        return AuditReport(False, 0, "", "the audit head is missing")
    prev, count = GENESIS, 0
    rows = iter(s.scalars(select(AuditEventRecord).order_by(AuditEventRecord.seq)).yield_per(1000))
    while True:
        try:
            r = next(rows)
        except StopIteration:
            break
        except (ValueError, TypeError):  # a column no longer reads as its type: edited by hand
            return AuditReport(False, count, head.hash, f"event {_first_unreadable(s, count + 1)} was edited")
        expected = count + 1
        if r.seq != expected:
            return AuditReport(False, count, head.hash, f"{_events(expected, r.seq - 1)} deleted")
        if r.prev_hash != prev:
            return AuditReport(False, count, head.hash, f"event {r.seq} does not follow event {r.seq - 1} (reordered?)")
        try:
            e = to_event(r)
            intact = event_hash(**{k: getattr(e, k) for k in _HASHED}) == r.hash
        except (ValueError, TypeError):  # a field no longer reads as what was written: edited by hand
            intact = False
        if not intact:
            return AuditReport(False, count, head.hash, f"event {r.seq} was edited")
        prev, count = r.hash, expected
    if head.seq != count or head.hash != prev:
        if head.seq > count:
            problem = f"{_events(count + 1, head.seq)} deleted from the end (the head says {head.seq})"
        else:
            problem = f"the audit head (event {head.seq}) does not match the last event ({count})"
        return AuditReport(False, count, head.hash, problem)
    return AuditReport(True, count, head.hash, None)


def _first_unreadable(s: Session, first: int) -> int:
    """The first event from ``first`` on whose row cannot be read back (rows are fetched in batches)."""
    for seq in s.scalars(select(AuditEventRecord.seq).where(AuditEventRecord.seq >= first)
                         .order_by(AuditEventRecord.seq)).all():
        try:
            s.execute(select(AuditEventRecord).where(AuditEventRecord.seq == seq)).scalar_one()
        except (ValueError, TypeError):
            return seq
    return first


def _events(first: int, last: int) -> str:
    return f"event {first} was" if first >= last else f"events {first} to {last} were"


_HASHED = ("seq", "at", "user", "action", "document_sha256", "review_id", "rule", "detail", "prev_hash")
