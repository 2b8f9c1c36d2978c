"""Test databases copied from templates built once: "migrated" (the schema, nothing else) and "demo" (the migrated
demo city, sealed documents included, with the files it wrote: evidence blobs, keys).

A template is keyed by a hash of what it is made of (the migrations and the law data they seed; for the demo also
its package and the day, the demo being dated back from the day it is loaded), built under a file lock that the
xdist workers share, and copied per use: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on the PostgreSQL
server of CHENGGUAN_TEST_DATABASE_URL (every copy a database of its own, dropped after use). Templates of an older
key are dropped when a new one is built; so are copies left behind by a killed run. A template is built in a
process of its own: the demo loader leaves caches and connections behind that a test process must not inherit.

``python tests/databases.py`` builds the templates of the current backend ahead of a run.
"""

from __future__ import annotations

import contextlib
import datetime
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.pool import NullPool

PG_URL_ENV = "CHENGGUAN_TEST_DATABASE_URL"
ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".pytest_cache" / "db-templates"
KINDS = ("migrated", "demo")
# Database names on a server shared by every checkout: the checkout's own mark keeps their templates apart.
CHECKOUT = hashlib.sha256(str(ROOT).encode()).hexdigest()[:6]
TEMPLATE_PREFIX, COPY_PREFIX = "cgt_", "cgc_"
ORPHANED_AFTER_S = 6 * 3600


def postgres_base_url() -> str | None:
    return os.environ.get(PG_URL_ENV) or None


@dataclass(frozen=True)
class Template:
    kind: str
    url: str  # the template file (SQLite) or database (PostgreSQL): never opened by a test
    data_dir: Path  # the files its rows point at (empty for "migrated")


def template_key(kind: str, backend: str) -> str:
    import chengguan

    package = Path(chengguan.__file__).resolve().parent
    sources = [package / "migrations", package / "law" / "data"]
    digest = hashlib.sha256(f"{kind}:{backend}".encode())
    if kind == "demo":
        sources.append(package / "demo")
        digest.update(datetime.date.today().isoformat().encode())
    for source in sources:
        for path in sorted(source.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


_ready: dict[tuple[str, str | None], Template] = {}


def template(kind: str, *, sqlite: bool = False) -> Template:
    """The template of ``kind`` (on SQLite whatever the backend with ``sqlite``), built first if this state of its
    sources has none."""
    base = None if sqlite else postgres_base_url()
    found = _ready.get((kind, base))
    if found is not None:
        return found
    backend = "sqlite" if base is None else "postgresql"
    key = template_key(kind, backend)
    folder = CACHE / f"{backend}-{kind}-{key}"
    url = f"sqlite:///{folder / 'template.db'}" if base is None else _pg_url(base, _template_name(kind, key))
    CACHE.mkdir(parents=True, exist_ok=True)
    with _locked(CACHE / f".lock-{backend}-{kind}"):  # the workers of a run wait for the one that builds it
        exists = True
        if base is not None:
            with _pg_admin() as admin:
                _drop_leftovers(admin)
                exists = _pg_exists(admin, _template_name(kind, key))
        if not ((folder / "ready").is_file() and exists):
            _drop_stale(backend, kind, key)
            _build(kind, url, folder)
    found = _ready[(kind, base)] = Template(kind, url, folder / "data")
    return found


def copy_database(kind: str, tmp_dir: Path, *, sqlite: bool = False) -> str:
    """A URL to a fresh copy of the template of ``kind`` (drop it with ``drop_database``)."""
    source = make_url(template(kind, sqlite=sqlite).url)
    if source.get_backend_name() == "sqlite":
        target = tmp_dir / f"{kind}-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(source.database or "", target)
        return f"sqlite:///{target}"
    name = _copy_name()
    with _pg_admin() as admin:
        admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source.database}"')
    return _pg_url(source.render_as_string(hide_password=False), name)


def copy_files(kind: str, data_dir: Path, *, sqlite: bool = False, linked: bool = True) -> Path:
    """The template's files in ``data_dir``: hard links by default (thousands of evidence blobs; the app never
    rewrites a file in place but writes a new one and renames it over the old), real copies with ``linked=False``
    for a test that alters a file in place (it would alter the template's)."""
    copy = os.link if linked else shutil.copy2
    shutil.copytree(template(kind, sqlite=sqlite).data_dir, data_dir, copy_function=copy, dirs_exist_ok=True)
    return data_dir


def new_database_url(tmp_dir: Path) -> str:
    """A URL to an empty database: a new database on the PostgreSQL test server, else a new SQLite file."""
    base = postgres_base_url()
    if base is None:
        return f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"
    name = _copy_name()
    with _pg_admin() as admin:
        admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    return _pg_url(base, name)


def drop_database(url: str) -> None:
    """Drop a copy (or a new database) made above; on SQLite delete its files."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    with _pg_admin() as admin:
        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


# --- building ---------------------------------------------------------------------------------------------------


def _build(kind: str, url: str, folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "data").mkdir(parents=True)
    sqlite = make_url(url).get_backend_name() == "sqlite"
    name = make_url(url).database
    if not sqlite:
        with _pg_admin() as admin:
            admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
            note = json.dumps({"checkout": str(ROOT)}).replace("'", "''")
            admin.exec_driver_sql(f"COMMENT ON DATABASE \"{name}\" IS '{note}'")
    started = time.monotonic()
    subprocess.run([sys.executable, __file__, "--fill", kind, url, str(folder / "data")], check=True, cwd=ROOT)
    if sqlite:
        import sqlite3

        with contextlib.closing(sqlite3.connect(name or "")) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    (folder / "ready").write_text(f"built in {time.monotonic() - started:.0f} s\n")


def _fill(kind: str, url: str, data_dir: Path) -> None:
    from chengguan.core.db import Database
    from chengguan.core.migrate import upgrade

    upgrade(url)
    if kind == "demo":
        from chengguan.demo.loader import load_demo

        db = Database(url)
        load_demo(db, data_dir=data_dir, documents=True)
        db.dispose()


def _drop_stale(backend: str, kind: str, key: str) -> None:
    """Earlier keys' templates of this checkout (and the cache of the single-template layout before this one)."""
    shutil.rmtree(CACHE.parent / "demo-templates", ignore_errors=True)
    for folder in CACHE.glob(f"{backend}-{kind}-*"):
        if not folder.name.endswith(key):
            shutil.rmtree(folder, ignore_errors=True)
    if backend == "postgresql":
        with _pg_admin() as admin:
            for name in _pg_names(admin, f"{TEMPLATE_PREFIX}{CHECKOUT}_{kind}_"):
                if name != _template_name(kind, key):
                    _drop_quietly(admin, name)


def _drop_leftovers(admin: Connection) -> None:
    """Copies of runs that were killed before their clean-up, and templates of checkouts that are gone."""
    for name in _pg_names(admin, COPY_PREFIX):
        made = name.split("_")[2] if name.count("_") >= 3 else ""
        if made.isdigit() and time.time() - int(made) > ORPHANED_AFTER_S:
            _drop_quietly(admin, name)
    notes = admin.execute(
        text("SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database WHERE datname LIKE :p"),
        {"p": _like(TEMPLATE_PREFIX)},
    ).all()
    for name, note in notes:
        checkout = json.loads(note or "{}").get("checkout")
        if checkout and not Path(checkout).is_dir():
            _drop_quietly(admin, name)


def _drop_quietly(admin: Connection, name: str) -> None:
    # A database still in use (another run's) stays: it is somebody else's, or it will be dropped next time.
    with contextlib.suppress(Exception):
        admin.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')


# --- PostgreSQL plumbing ----------------------------------------------------------------------------------------


def _template_name(kind: str, key: str) -> str:
    return f"{TEMPLATE_PREFIX}{CHECKOUT}_{kind}_{key}"


def _copy_name() -> str:
    return f"{COPY_PREFIX}{CHECKOUT}_{int(time.time())}_{uuid.uuid4().hex[:8]}"


def _pg_url(base: str, database: str) -> str:
    return make_url(base).set(database=database).render_as_string(hide_password=False)


@contextlib.contextmanager
def _pg_admin() -> Iterator[Connection]:
    """An autocommit connection to the database of CHENGGUAN_TEST_DATABASE_URL (CREATE and DROP DATABASE run
    outside of any transaction, and from another database than the one they create, copy or drop)."""
    engine = create_engine(str(postgres_base_url()), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _pg_exists(admin: Connection, name: str) -> bool:
    return admin.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first() is not None


def _pg_names(admin: Connection, prefix: str) -> list[str]:
    rows = admin.execute(text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": _like(prefix)})
    return [row[0] for row in rows]


def _like(prefix: str) -> str:
    return prefix.replace("_", "\\_") + "%"  # "_" alone would match any character


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


if __name__ == "__main__":
    if sys.argv[1:2] == ["--fill"]:
        _fill(sys.argv[2], sys.argv[3], Path(sys.argv[4]))
    else:
        for each in KINDS:
            print(each, template(each).url)
