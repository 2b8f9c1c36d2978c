"""Test helpers shared by every test module: throwaway databases on SQLite or PostgreSQL."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_URL_ENV = "CHENGGUAN_TEST_DATABASE_URL"


def postgres_base_url() -> str | None:
    return os.environ.get(PG_URL_ENV) or None


def new_database_url(tmp_dir: Path) -> str:
    """A URL to an empty database: a new schema on the PostgreSQL test server, else a new SQLite file."""
    base = postgres_base_url()
    if base is None:
        return f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    schema = parsed.query["options"].split("=", 1)[1]  # type: ignore[union-attr]
    engine = create_engine(parsed.difference_update_query(["options"]), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()
