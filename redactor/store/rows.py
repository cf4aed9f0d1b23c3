"""The frozen values the store hands out. None of them is bound to a database session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class DocumentRow:
    """A stored document without its body."""

    id: int
    name: str
    kind: str
    sha256: str
    doc_type: str | None
    created_by: str
    created_at: datetime
    n_findings: int


@dataclass(frozen=True)
class StoredDocument:
    """A stored document with its body (decrypted) and its findings (offsets into ``text``, never text)."""

    id: int
    name: str
    kind: str
    sha256: str
    doc_type: str | None
    created_by: str
    created_at: datetime
    data: bytes
    text: str
    notices: tuple[dict[str, Any], ...]
    findings: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class ReviewRow:
    """One release of one document under review. ``version`` grows with every change (optimistic locking)."""

    id: int
    document_id: int
    release: dict[str, Any]
    mode: str  # minutes | letter
    status: str  # open | released
    version: int
    created_by: str
    created_at: datetime
    released_by: str | None
    released_at: datetime | None


@dataclass(frozen=True)
class EditRow:
    seq: int
    user: str
    at: datetime
    edit: dict[str, Any]


@dataclass(frozen=True)
class ApprovalRow:
    """``version`` is the review version the approver saw; the approval itself moves the review on by one."""

    user: str
    at: datetime
    version: int
    note: str


@dataclass(frozen=True)
class DisclosureRow:
    """One release that left: to whom, why, by whom, approved by whom, and what was removed (counts, log)."""

    id: int
    review_id: int
    document_id: int
    user: str
    at: datetime
    recipient_type: str
    recipient_name: str
    purpose: str
    cases: tuple[str, ...]
    output_sha256: str
    source_sha256: str
    counts: dict[str, Any]
    flags: tuple[Any, ...]
    approvers: tuple[str, ...]
    log: tuple[dict[str, Any], ...] = ()
