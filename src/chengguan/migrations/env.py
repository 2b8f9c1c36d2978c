"""Alembic environment: the URL comes from the caller's config or CHENGGUAN_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from chengguan.core.config import get_settings
from chengguan.core.db import make_engine
from chengguan.core.migrate import include_object
from chengguan.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as connection:
        _run(connection)
    engine.dispose()


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table (copy, drop, rename); with foreign keys enforced the drop of a table
        # that other rows point at fails on any database holding data. SQLite ignores this pragma inside a
        # transaction, so it is set on the raw connection before the migration's transaction begins.
        _pragma(connection, "PRAGMA foreign_keys=OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left rows pointing at nothing: {broken[:5]}")
    finally:
        if sqlite:
            _pragma(connection, "PRAGMA foreign_keys=ON")


def _pragma(connection, statement: str) -> None:  # type: ignore[no-untyped-def]
    raw = connection.connection.driver_connection
    raw.execute(statement)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
