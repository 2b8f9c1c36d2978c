"""PostgreSQL backups with the server's own tools: ``pg_dump`` custom format; restored by
``pg_restore --clean --if-exists`` through ``psql`` in one transaction.

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
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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
    """The archive's ``pg_restore --clean --if-exists`` script run by ``psql`` in one transaction, a bar step per
    table. Partitioned tables are dropped first, whole: ``--clean`` drops a partition's inherited primary key on its
    own, which the server refuses ("cannot drop inherited constraint")."""
    conn = connection(url)
    program, psql = tool("pg_restore"), tool("psql")
    listing = subprocess.run([program, "--list", str(archive)], capture_output=True, text=True, env=_env(conn))
    if listing.returncode != 0:
        raise BackupError(f"pg_restore 无法读取备份：{_last_error(listing.stderr.splitlines(), 'pg_restore')}")
    stage.start(sum(" TABLE DATA " in line for line in listing.stdout.splitlines()))
    prologue = "SET client_min_messages = warning;\n" + "".join(
        f"DROP TABLE IF EXISTS {name} CASCADE;\n" for name in partitioned_tables(url)
    )
    script = [program, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--file=-", str(archive)]
    runner = [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", "--file=-"]
    with tempfile.TemporaryFile() as script_errors, tempfile.TemporaryFile() as run_errors:
        with (
            subprocess.Popen(script, stdout=subprocess.PIPE, stderr=script_errors, env=_env(conn)) as source,
            subprocess.Popen(
                runner, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=run_errors, env=_env(conn)
            ) as sink,
        ):
            assert source.stdout is not None and sink.stdin is not None
            try:
                sink.stdin.write(prologue.encode())
                for line in source.stdout:
                    if line.startswith(b"COPY "):
                        stage.advance()
                    sink.stdin.write(line)
            except BrokenPipeError:  # psql stopped at an error: its message says which
                source.kill()
            finally:
                with suppress(BrokenPipeError):
                    sink.stdin.close()
        # psql's error first: when it stops, pg_restore is killed and has nothing to say.
        for name, process, errors in (("psql", sink, run_errors), ("pg_restore", source, script_errors)):
            if process.returncode != 0:
                errors.seek(0)
                lines = errors.read().decode(errors="replace").splitlines()
                raise BackupError(f"{name} 失败（退出码 {process.returncode}）：{_last_error(lines, name)}")


def partitioned_tables(url: str) -> list[str]:
    """The partitioned (parent) tables of what is restored, schema-qualified and quoted."""
    conn = connection(url)
    where = "n.nspname = :schema" if conn.schema else f"n.nspname NOT IN {_SYSTEM_SCHEMAS}"
    sql = (
        "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_partitioned_table p "
        "JOIN pg_class c ON c.oid = p.partrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE NOT c.relispartition AND {where} ORDER BY 1"
    )
    with _engine(url) as engine, engine.connect() as c:
        return list(c.execute(text(sql), {"schema": conn.schema}).scalars())


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
