"""Key rotation of the personal data: every encrypted value not sealed with the current key and cipher is opened and
sealed again, a batch of rows per transaction (the service keeps running; an interrupted run is resumed by running
it again), and the keys no value needs any more can then be retired.

Works on any ``MetaData``: the encrypted columns are found by their type, read and written as plain strings (the
ciphertext itself), so nothing here depends on the domain models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chengguan.core.fieldcrypt import PREFIX, Keyring, is_ciphertext
from chengguan.core.fieldtypes import Encrypted, EncryptedJSON
from chengguan.core.progress import SILENT, Reporter, Stage

BATCH = 500


@dataclass(frozen=True)
class EncryptedTable:
    name: str
    key: str  # the single-column primary key
    columns: dict[str, str]  # column → kind


@dataclass
class RotationReport:
    rows: dict[str, int] = field(default_factory=dict)  # table → rows rewritten
    values: int = 0


def encrypted_tables(metadata: sa.MetaData) -> list[EncryptedTable]:
    """The tables with encrypted columns, in name order."""
    out = []
    for table in sorted(metadata.tables.values(), key=lambda t: t.name):
        columns = {c.name: c.type.kind for c in table.columns if isinstance(c.type, Encrypted | EncryptedJSON)}
        if columns:
            (key,) = [c.name for c in table.primary_key.columns]
            out.append(EncryptedTable(table.name, key, columns))
    return out


def _light(t: EncryptedTable) -> sa.TableClause:
    """The table with untyped columns: the ciphertext as stored, no decryption on read."""
    return sa.table(t.name, sa.column(t.key), *(sa.column(c, sa.String) for c in t.columns))


def _stale(ring: Keyring, value: str | None) -> bool:
    if value is None:
        return False
    if not is_ciphertext(value):
        return True  # never encrypted (written before the migration): sealed now
    return not value.startswith(f"{PREFIX}{ring.algorithm}:{ring.current}:")


def reencrypt(
    engine: Engine, metadata: sa.MetaData, ring: Keyring, *, batch: int = BATCH, progress: Reporter = SILENT
) -> RotationReport:
    """Seal every value that is not under ``ring``'s current key and cipher with them; one transaction per batch,
    one progress stage per table."""
    report = RotationReport()
    for spec in encrypted_tables(metadata):
        with progress.stage(spec.name) as stage:
            _reencrypt_table(engine, spec, ring, batch, stage, report)
    return report


def _reencrypt_table(
    engine: Engine, spec: EncryptedTable, ring: Keyring, batch: int, stage: Stage, report: RotationReport
) -> None:
    table = _light(spec)
    key = table.c[spec.key]
    current = f"{PREFIX}{ring.algorithm}:{ring.current}:%"
    stale = sa.or_(*(sa.and_(table.c[c].is_not(None), table.c[c].not_like(current)) for c in spec.columns))
    with engine.connect() as connection:
        stage.start(connection.execute(sa.select(sa.func.count()).select_from(table).where(stale)).scalar() or 0)
    last = None
    while True:
        query = sa.select(key, *(table.c[c] for c in spec.columns)).where(stale).order_by(key).limit(batch)
        if last is not None:
            query = query.where(key > last)
        with engine.begin() as connection:
            rows = connection.execute(query).all()
            if not rows:
                break
            for row in rows:
                changes = {}
                for (column, kind), value in zip(spec.columns.items(), row[1:], strict=True):
                    if _stale(ring, value):
                        plain = ring.decrypt(kind, value) if is_ciphertext(value) else value
                        changes[column] = ring.encrypt(kind, plain)
                if changes:
                    connection.execute(sa.update(table).where(key == row[0]).values(changes))
                    report.values += len(changes)
                    report.rows[spec.name] = report.rows.get(spec.name, 0) + 1
        last = rows[-1][0]
        stage.advance(len(rows))


def keys_in_use(engine: Engine, metadata: sa.MetaData) -> set[str]:
    """The key ids some stored value is sealed with (what may not be retired)."""
    used: set[str] = set()
    with engine.connect() as connection:
        for spec in encrypted_tables(metadata):
            table = _light(spec)
            for column in spec.columns:
                kid = sa.func.substr(table.c[column], len(PREFIX) + 3, 8)
                query = sa.select(kid).where(table.c[column].like(f"{PREFIX}%")).distinct()
                used.update(connection.execute(query).scalars())
    return used


def plain_values(engine: Engine, metadata: sa.MetaData) -> dict[str, int]:
    """How many values of each encrypted column are still plain text (a check after migration or restore)."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for spec in encrypted_tables(metadata):
            table = _light(spec)
            for column in spec.columns:
                c = table.c[column]
                n = connection.execute(sa.select(sa.func.count()).where(c.is_not(None), c.not_like(f"{PREFIX}%")))
                count = n.scalar() or 0
                if count:
                    found[f"{spec.name}.{column}"] = count
    return found
