"""The database connection: which URL, how to connect, and how write transactions are serialised.

SQLite (the default, a file under ``var/``) serialises writers: every write transaction starts with
``BEGIN IMMEDIATE`` so two writers never interleave. PostgreSQL serialises writers on the audit head
row (``SELECT ... FOR UPDATE``, see ``audit.lock_head``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from redactor.errors import StoreError

DEFAULT_URL = "sqlite:///var/marac-redact.sqlite"
WRITE = "marac_write"  # execution option: this connection's transaction writes


def resolve_url(url: str | None = None) -> URL:
    """The URL given, else ``DATABASE_URL``, else the SQLite file ``var/marac-redact.sqlite`` under the cwd."""
    raw = url or os.environ.get("DATABASE_URL") or DEFAULT_URL
    try:
        parsed = make_url(raw)
    except ArgumentError:
        raise StoreError("the database URL cannot be parsed: use sqlite:///FILE or postgresql+psycopg://...") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"unsupported database '{parsed.get_backend_name()}': use sqlite or postgresql+psycopg")
    if parsed.drivername == "postgresql":  # psycopg 3 is the driver installed with marac-redact
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def display(url: URL) -> str:
    """The URL with its password masked, safe to print or log."""
    return url.render_as_string(hide_password=True)


def make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        try:
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(f"cannot create the folder for {display(url)}: {e.strerror}") from e
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITE) else "BEGIN")

    return engine
