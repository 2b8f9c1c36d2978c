"""personal data encrypted at rest: identity numbers, phone numbers, party addresses and reporter contacts become
ciphertext (core.fieldcrypt), lookups go through keyed hash columns; existing rows are encrypted in batches

The keyring comes from the settings of the process that migrates (``chengguan migrate`` creates it outside
production) or from ``config.attributes["field_keyring"]``; a database without personal data needs none.
Downgrade decrypts every value back to plain text (the keyring is needed then too).

Revision ID: da46ca6926e5
Revises: 8e1c65692029
Create Date: 2026-12-07 12:54:07.090250
"""

import json
import logging
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op

from chengguan.core.fieldcrypt import Keyring, is_ciphertext

revision: str = "da46ca6926e5"
down_revision: str | None = "8e1c65692029"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")
BATCH = 1000
SHORT, SENT_TO, ADDRESS, HASH = 103, 111, 1423, 64  # core.fieldcrypt.ciphertext_width(32 / 40 / 1024 bytes)

# table → (column, kind, hash column, plain width, not null)
PERSONAL: dict[str, list[tuple[str, str, str | None, int, bool]]] = {
    "penalty_case": [
        ("party_id_no", "id_no", "party_id_no_hash", 18, False),
        ("party_phone", "phone", "party_phone_hash", 20, False),
        ("party_address", "address", None, 256, False),
    ],
    "merchant": [
        ("operator_id_no", "id_no", "operator_id_no_hash", 18, False),
        ("phone", "phone", "phone_hash", 20, False),
    ],
    "merchant_account": [("phone", "phone", "phone_hash", 20, True)],
    "public_account": [("phone", "phone", "phone_hash", 20, True)],
    "portal_login_code": [("phone", "phone", "phone_hash", 20, True)],
    "sms_message": [("phone", "phone", "phone_hash", 20, True)],
    "service_consent": [("phone", "phone", "phone_hash", 20, True)],
    "delivery": [("sent_to", "phone", None, 40, False)],
    "officer": [("phone", "phone", None, 20, False)],
    "signal": [("reporter", "reporter", None, 0, False)],
}
WIDE = {"party_address": ADDRESS, "sent_to": SENT_TO}
OLD_INDEXES = {  # dropped: an index of ciphertexts finds nothing (recreated on downgrade)
    "penalty_case": [("ix_penalty_case_party_id_no", ["party_id_no"])],
    "merchant": [("ix_merchant_operator_id_no", ["operator_id_no"])],
    "portal_login_code": [("ix_portal_login_code_phone", ["phone", "sent_at"])],
}
OLD_UNIQUE = {"merchant_account": "uq_merchant_account_phone", "public_account": "uq_public_account_phone"}
NEW_INDEXES = {
    "penalty_case": [("ix_penalty_case_party_id_no_hash", ["party_id_no_hash"]),
                     ("ix_penalty_case_party_phone_hash", ["party_phone_hash"])],
    "merchant": [("ix_merchant_operator_id_no_hash", ["operator_id_no_hash"]),
                 ("ix_merchant_phone_hash", ["phone_hash"])],
    "portal_login_code": [("ix_portal_login_code_phone_hash", ["phone_hash", "sent_at"])],
    "sms_message": [("ix_sms_message_phone_hash", ["phone_hash"])],
    "service_consent": [("ix_service_consent_phone_hash", ["phone_hash"])],
}  # fmt: skip
NEW_UNIQUE = {"merchant_account": "uq_merchant_account_phone_hash", "public_account": "uq_public_account_phone_hash"}
# The built-in roles that work with parties in person keep seeing personal data in full, now through the new
# permission (identity.bootstrap grants it to new installations; an administrator may take it away).
PERMISSION = "personal_data:view"
GRANTED_TO = ("admin", "squad_leader", "officer", "legal_reviewer")


def _keyring_getter() -> Callable[[], Keyring]:
    found: list[Keyring] = []

    def get() -> Keyring:
        if not found:
            given = context.config.attributes.get("field_keyring")
            if given is None:
                from chengguan.core.fieldtypes import keyring_for

                given = keyring_for(op.get_bind().dialect)
            found.append(given)
        return found[0]

    return get


def upgrade() -> None:
    for table, columns in PERSONAL.items():
        with op.batch_alter_table(table) as batch:
            for name, _kind, hash_column, plain, _not_null in columns:
                if name == "reporter":
                    batch.alter_column(name, existing_type=sa.JSON(), type_=sa.Text(), existing_nullable=True,
                                       postgresql_using="reporter::text")  # fmt: skip
                    continue
                batch.alter_column(name, existing_type=sa.String(plain), type_=sa.String(WIDE.get(name, SHORT)))
                if hash_column:
                    batch.add_column(sa.Column(hash_column, sa.String(HASH), nullable=True))
            for index, _ in OLD_INDEXES.get(table, []):
                batch.drop_index(index)
            if table in OLD_UNIQUE:
                batch.drop_constraint(OLD_UNIQUE[table], type_="unique")
    ring = _keyring_getter()
    for table, columns in PERSONAL.items():
        _convert(table, columns, lambda kind, value: _seal(ring(), kind, value), hashed_with=ring)
    for table, columns in PERSONAL.items():
        with op.batch_alter_table(table) as batch:
            for _name, _kind, hash_column, _plain, not_null in columns:
                if hash_column and not_null:
                    batch.alter_column(hash_column, existing_type=sa.String(HASH), nullable=False)
            for index, names in NEW_INDEXES.get(table, []):
                batch.create_index(index, names, unique=False)
            if table in NEW_UNIQUE:
                batch.create_unique_constraint(NEW_UNIQUE[table], ["phone_hash"])
    role, grant = sa.table("role", sa.column("id", sa.Uuid()), sa.column("code"), sa.column("builtin")), _grants()
    roles = op.get_bind().execute(sa.select(role.c.id).where(role.c.code.in_(GRANTED_TO), role.c.builtin)).scalars()
    rows = [{"role_id": role_id, "permission": PERMISSION} for role_id in roles]
    if rows:
        op.bulk_insert(grant, rows)


def _grants() -> sa.Table:
    columns = (sa.Column("role_id", sa.Uuid()), sa.Column("permission", sa.String(50)))
    return sa.Table("role_permission", sa.MetaData(), *columns)


def downgrade() -> None:
    grant = _grants()
    op.execute(grant.delete().where(grant.c.permission == PERMISSION))
    for table in PERSONAL:
        with op.batch_alter_table(table) as batch:
            for index, _ in NEW_INDEXES.get(table, []):
                batch.drop_index(index)
            if table in NEW_UNIQUE:
                batch.drop_constraint(NEW_UNIQUE[table], type_="unique")
    ring = _keyring_getter()
    for table, columns in PERSONAL.items():
        _convert(table, columns, lambda kind, value: _open(ring(), kind, value), hashed_with=None)
    for table, columns in PERSONAL.items():
        with op.batch_alter_table(table) as batch:
            for name, _kind, hash_column, plain, _not_null in columns:
                if name == "reporter":
                    batch.alter_column(name, existing_type=sa.Text(), type_=sa.JSON(), existing_nullable=True,
                                       postgresql_using="reporter::json")  # fmt: skip
                    continue
                batch.alter_column(name, existing_type=sa.String(WIDE.get(name, SHORT)), type_=sa.String(plain))
                if hash_column:
                    batch.drop_column(hash_column)
            for index, names in OLD_INDEXES.get(table, []):
                batch.create_index(index, names, unique=False)
            if table in OLD_UNIQUE:
                batch.create_unique_constraint(OLD_UNIQUE[table], ["phone"])


def _seal(ring: Keyring, kind: str, value: Any) -> tuple[str, str]:
    """(ciphertext, plain) of a stored value, whether it is still plain or was sealed already."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if is_ciphertext(text):
        return text, ring.decrypt(kind, text)
    return ring.encrypt(kind, text), text


def _open(ring: Keyring, kind: str, value: Any) -> tuple[str, str]:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    plain = ring.decrypt(kind, text) if is_ciphertext(text) else text
    return plain, plain


def _convert(
    table_name: str,
    columns: list[tuple[str, str, str | None, int, bool]],
    convert: Callable[[str, Any], tuple[str, str]],
    *,
    hashed_with: Callable[[], Keyring] | None,
) -> None:
    """Rewrite every row's personal columns with ``convert`` (→ stored value, plain value), ``BATCH`` rows at a time
    in primary-key order; with ``hashed_with`` the hash columns follow the plain value (upgrade), else they are left
    alone for the drop (downgrade)."""
    bind = op.get_bind()
    names = [c[0] for c in columns]
    hashes = [c[2] for c in columns if c[2]]
    upgrading = hashed_with is not None
    table = sa.table(table_name, sa.column("id"), *(sa.column(n) for n in names), *(sa.column(h) for h in hashes))
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_id"))
        .values({n: sa.bindparam(n) for n in names} | ({h: sa.bindparam(h) for h in hashes} if upgrading else {}))
    )
    last, done = None, 0
    present = sa.or_(*(table.c[n].is_not(None) for n in names))
    while True:
        query = sa.select(table.c.id, *(table.c[n] for n in names)).where(present).order_by(table.c.id).limit(BATCH)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = bind.execute(query).all()
        if not rows:
            break
        updates = []
        for row in rows:
            values: dict[str, Any] = {"_id": row[0]}
            for (name, kind, hash_column, _plain, _nn), value in zip(columns, row[1:], strict=True):
                stored, plain = convert(kind, value) if value is not None else (None, None)
                values[name] = stored
                if hash_column and hashed_with is not None:
                    values[hash_column] = hashed_with().search_hash(kind, plain) if plain else None
            updates.append(values)
        bind.execute(statement, updates)
        done += len(rows)
        last = rows[-1][0]
    if done:
        log.info("%s: %d rows %s", table_name, done, "encrypted" if upgrading else "decrypted")
