"""The initial schema: documents, reviews, edits, approvals, disclosures, the audit trail and its head.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _user(name: str = "user", nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.String(128), nullable=nullable)


def _json(name: str) -> sa.Column:
    return sa.Column(name, sa.JSON(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("doc_type", sa.String(32), nullable=True),
        _user("created_by"),
        _at("created_at"),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("text", sa.LargeBinary(), nullable=False),
        _json("notices"),
        _json("findings"),
        sa.Column("n_findings", sa.Integer(), nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False, index=True),
        _json("release"),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("version", sa.Integer(), nullable=False),
        _user("created_by"),
        _at("created_at"),
        _user("released_by", nullable=True),
        _at("released_at", nullable=True),
    )
    op.create_table(
        "edits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("reviews.id"), nullable=False, index=True),
        sa.Column("seq", sa.Integer(), nullable=False),
        _user(),
        _at("at"),
        _json("edit"),
        sa.UniqueConstraint("review_id", "seq"),
    )
    op.create_table(
        "approvals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("reviews.id"), nullable=False, index=True),
        _user(),
        _at("at"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_table(
        "disclosures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("review_id", sa.Integer(), sa.ForeignKey("reviews.id"), nullable=False, unique=True),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id"), nullable=False, index=True),
        sa.Column("user", sa.String(128), nullable=False, index=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("recipient_type", sa.String(64), nullable=False, index=True),
        sa.Column("recipient_name", sa.String(255), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False, index=True),
        _json("cases"),
        sa.Column("output_sha256", sa.String(64), nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        _json("counts"),
        _json("flags"),
        _json("log"),
        _json("approvers"),
    )
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        _at("at"),
        _user(),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("document_sha256", sa.String(64), nullable=True, index=True),
        sa.Column("review_id", sa.Integer(), nullable=True, index=True),
        sa.Column("rule", sa.String(64), nullable=True),
        _json("detail"),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS}])


def downgrade() -> None:
    for table in ("audit_head", "audit_events", "disclosures", "approvals", "edits", "reviews", "documents"):
        op.drop_table(table)
