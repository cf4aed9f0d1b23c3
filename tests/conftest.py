"""Shared fixtures. Database fixtures: every storage test runs on SQLite (a temporary file) and on a
real PostgreSQL server (``MARAC_TEST_PG_URL``, set by ``./run.sh test``), each test in a fresh schema.
Without ``MARAC_TEST_PG_URL`` the PostgreSQL runs are skipped, unless ``MARAC_REQUIRE_PG=1``.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BACKENDS = ("sqlite", "postgresql")


def _pg_base() -> str:
    url = os.environ.get("MARAC_TEST_PG_URL", "")
    if not url:
        reason = "MARAC_TEST_PG_URL is not set (./run.sh test sets up PostgreSQL and sets it)"
        if os.environ.get("MARAC_REQUIRE_PG") == "1":
            pytest.fail(f"MARAC_REQUIRE_PG=1 but {reason}")
        pytest.skip(reason)
    return url


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend (PostgreSQL: a fresh schema, dropped afterwards)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite'}"
        return
    base = _pg_base()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
