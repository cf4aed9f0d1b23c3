"""Alembic environment: runs on the connection ``redactor.store.migrate`` passes in (or ``DATABASE_URL``)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from redactor.store.engine import make_engine, resolve_url
from redactor.store.schema import Base


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    with make_engine(resolve_url()).connect() as conn, conn.begin():
        _run(conn)
