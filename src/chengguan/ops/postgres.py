"""PostgreSQL backups with the server's own tools: ``pg_dump`` custom format, ``pg_restore --clean --if-exists``.

pg_dump reads one MVCC snapshot, so the server keeps reading and writing meanwhile. Connection settings go to the
tools as libpq's ``PG*`` variables (the password never appears on a command line, where ``ps`` would show it). A
URL whose ``options`` set a ``search_path`` (one schema per deployment, or per test) dumps and restores that schema
only; otherwise the whole database.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from chengguan.core.progress import Stage
from chengguan.ops.manifest import BackupError

_SEARCH_PATH = re.compile(r"-c\s*search_path\s*=\s*([^\s,]+)")
_QUERY_VARIABLES = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "sslcert": "PGSSLCERT",
                    "sslkey": "PGSSLKEY", "connect_timeout": "PGCONNECT_TIMEOUT", "options": "PGOPTIONS"}  # fmt: skip
_SYSTEM_SCHEMAS = "('pg_catalog', 'information_schema', 'pg_toast')"


@dataclass(frozen=True)
class Connection:
    """Where the tools connect (``PG*`` variables) and which schema they handle (``None``: the whole database)."""

    env: dict[str, str]
    schema: str | None

    @property
    def database(self) -> str:
        return self.env.get("PGDATABASE", "")


def connection(url: str) -> Connection:
    """libpq settings of a SQLAlchemy PostgreSQL URL."""
    parsed = make_url(url)
    env = {"PGHOST": parsed.host or "", "PGPORT": str(parsed.port or ""), "PGUSER": parsed.username or "",
           "PGPASSWORD": parsed.password or "", "PGDATABASE": parsed.database or ""}  # fmt: skip
    for key, variable in _QUERY_VARIABLES.items():
        value = parsed.query.get(key)
        if isinstance(value, str):
            env[variable] = value
    env = {k: v for k, v in env.items() if v}
    match = _SEARCH_PATH.search(env.get("PGOPTIONS", ""))
    return Connection(env, match.group(1).strip('"') if match else None)


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or a clear refusal."""
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"未找到 {name}：请安装与数据库服务器主版本一致的 PostgreSQL 客户端（如 apt install postgresql-client）"
            "并确保它在 PATH 中"
        )
    return found


@contextmanager
def _engine(url: str) -> Iterator[Engine]:
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _tables_where(conn: Connection) -> str:
    return "table_schema = :schema" if conn.schema else f"table_schema NOT IN {_SYSTEM_SCHEMAS}"


def table_count(url: str) -> int:
    """Tables in what is backed up (the schema, or every user schema)."""
    conn = connection(url)
    sql = f"SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND {_tables_where(conn)}"
    with _engine(url) as engine, engine.connect() as c:
        return int(c.execute(text(sql), {"schema": conn.schema}).scalar_one())


def is_empty(url: str) -> bool:
    return table_count(url) == 0


def revision(url: str) -> str | None:
    """The Alembic revision of the database (``None`` when it was never migrated)."""
    with _engine(url) as engine, engine.connect() as c:
        try:
            return c.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except DBAPIError:
            return None


def dump(url: str, out: Path, stage: Stage) -> None:
    """``pg_dump --format=custom`` of the database (or schema) into ``out``, a bar step per table."""
    conn = connection(url)
    program = tool("pg_dump")
    stage.start(table_count(url))
    args = [program, "--format=custom", "--verbose", "--no-owner", "--no-privileges", f"--file={out}"]
    if conn.schema:
        args.append(f"--schema={conn.schema}")
    _run(args, conn, stage, "dumping contents of table", "pg_dump")


def restore(url: str, archive: Path, stage: Stage) -> None:
    """``pg_restore --clean --if-exists`` of the archive into the configured database, in one transaction."""
    conn = connection(url)
    program = tool("pg_restore")
    listing = subprocess.run([program, "--list", str(archive)], capture_output=True, text=True, env=_env(conn))
    if listing.returncode != 0:
        raise BackupError(f"pg_restore 无法读取备份：{_last_error(listing.stderr.splitlines(), 'pg_restore')}")
    stage.start(sum(" TABLE DATA " in line for line in listing.stdout.splitlines()))
    args = [program, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
            "--exit-on-error", "--verbose", f"--dbname={conn.database}", str(archive)]  # fmt: skip
    _run(args, conn, stage, "processing data for table", "pg_restore")


def _env(conn: Connection) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return {**base, **conn.env}


def _run(args: list[str], conn: Connection, stage: Stage, step_marker: str, name: str) -> None:
    lines: list[str] = []
    with subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=_env(conn)) as p:
        assert p.stderr is not None
        for line in p.stderr:
            lines.append(line.rstrip())
            if step_marker in line:
                stage.advance()
    if p.returncode != 0:
        raise BackupError(f"{name} 失败（退出码 {p.returncode}）：{_last_error(lines, name)}")


def _last_error(lines: list[str], name: str) -> str:
    errors = [line for line in lines if "error" in line.lower() or "错误" in line]
    return (errors or lines or [f"{name} 没有给出原因"])[-1]
