"""Persistence: documents, reviews, approvals, disclosures and the hash-chained audit trail.

``Store.open()`` connects to ``DATABASE_URL`` (default: the SQLite file ``var/marac-redact.sqlite``)
and migrates it to the newest schema. Modules: ``engine`` (URL, connection, write serialisation),
``schema`` (tables), ``migrate`` and ``migrations/`` (Alembic), ``crypto`` (bodies at rest),
``audit`` (the chain and its check), ``checks`` (no text in findings, logs, edits), ``store`` (the facade).
"""

from redactor.store.audit import AuditEvent, AuditReport
from redactor.store.crypto import new_key
from redactor.store.rows import ApprovalRow, DisclosureRow, DocumentRow, EditRow, ReviewRow, StoredDocument
from redactor.store.store import Store

__all__ = [
    "ApprovalRow",
    "AuditEvent",
    "AuditReport",
    "DisclosureRow",
    "DocumentRow",
    "EditRow",
    "ReviewRow",
    "Store",
    "StoredDocument",
    "new_key",
]
