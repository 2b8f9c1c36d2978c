"""Running Alembic from code (CLI, tests) with the packaged migration scripts."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

from chengguan.core.fieldcrypt import Keyring

ROOT_INI = Path(__file__).resolve().parents[3] / "alembic.ini"


def alembic_config(url: str) -> Config:
    config = Config(str(ROOT_INI)) if ROOT_INI.is_file() else Config()
    config.set_main_option("script_location", "chengguan:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def script_revisions() -> tuple[frozenset[str], str | None]:
    """Every revision the packaged migrations know, and their single head."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return frozenset(rev.revision for rev in script.walk_revisions()), script.get_current_head()


def upgrade(url: str, revision: str = "head", *, keyring: Keyring | None = None) -> None:
    """Bring the database at ``url`` to ``revision`` (default: the single head); ``keyring`` seals the personal data
    a migration encrypts (default: the keyring of the process settings, read only if there is any)."""
    config = alembic_config(url)
    if keyring is not None:
        config.attributes["field_keyring"] = keyring
    command.upgrade(config, revision)


def downgrade(url: str, revision: str, *, keyring: Keyring | None = None) -> None:
    """Take the database at ``url`` back to ``revision`` (personal data is decrypted on the way down)."""
    config = alembic_config(url)
    if keyring is not None:
        config.attributes["field_keyring"] = keyring
    command.downgrade(config, revision)


# Tables made by hand in migrations, outside the ORM metadata: the SQLite FTS5 index and its shadow tables, and the
# monthly partitions of the IoT readings on PostgreSQL (iot.partitions).
UNMANAGED_TABLE_PREFIXES = ("law_search_fts", "iot_reading_p")


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Autogenerate/drift filter: skip the unmanaged tables and PostgreSQL's generated ``tsv`` column and index."""
    if type_ == "table" and name and name.startswith(UNMANAGED_TABLE_PREFIXES):
        return False
    if (
        type_ == "column"
        and name == "tsv"
        and getattr(obj, "table", None) is not None
        and obj.table.name == "law_search_doc"
    ):
        return False
    return not (type_ == "index" and name == "ix_law_search_doc_tsv")
