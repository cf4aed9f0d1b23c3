"""Schema migrations (Alembic, shipped inside the package): ``upgrade(engine)`` brings a database to head.

Idempotent, and safe when two processes open one database at once: SQLite serialises them with
``BEGIN IMMEDIATE``, PostgreSQL with a transaction-level advisory lock.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from redactor.store.engine import WRITE

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_ID = 0x6D61726163  # "marac"


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(engine: Engine) -> None:
    with engine.connect() as conn:
        conn.execution_options(**{WRITE: True})
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
            command.upgrade(config(conn), "head")


def current(engine: Engine) -> tuple[str | None, str]:
    """(the database's revision, the package's head revision)."""
    head = ScriptDirectory.from_config(config()).get_current_head() or ""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision(), head
