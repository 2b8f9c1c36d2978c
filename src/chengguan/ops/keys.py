"""Key custody for operators: what production needs before it starts, creating the keys once, rotating the
personal-data key, encrypting seal keys left in plain text (docs/operations.md「个人信息保护与密钥管理」)."""

from __future__ import annotations

import sqlalchemy as sa

from chengguan.core.config import Settings
from chengguan.core.db import Database
from chengguan.core.fieldkeys import (
    FieldKeyMissing,
    load_keyring,
    new_keyring,
    retire_keys,
    rotate_keyring,
    write_keyring,
)
from chengguan.core.fieldrotate import keys_in_use, reencrypt
from chengguan.core.progress import SILENT, Reporter
from chengguan.documents.credentials import protect_key_files
from chengguan.documents.signer import SigningKeyUnavailable, passphrase, write_passphrase


def key_problems(settings: Settings) -> list[str]:
    """Why these settings may not serve (zh-CN, one line each): the personal-data keyring or, for the local signer,
    the seal-key passphrase cannot be found. Production never creates them: a lost key must be noticed."""
    problems = []
    try:
        load_keyring(settings)
    except FieldKeyMissing as exc:
        problems.append(f"生产环境拒绝启动：{exc}")
    if settings.signer == "local":
        try:
            passphrase(settings)
        except SigningKeyUnavailable as exc:
            problems.append(f"生产环境拒绝启动：{exc.detail}")
    return problems


class KeyRefused(RuntimeError):
    """A key operation that would lose data (zh-CN message)."""


def init_keys(settings: Settings, metadata: sa.MetaData) -> list[str]:
    """Create the keyring and the passphrase where the settings put them, if missing (production included: this is
    the one deliberate act that makes them); what was done, as lines for the operator. A database that already
    holds encrypted values gets no new keyring: it could not read them (the lost file comes back from a backup)."""
    lines = []
    path = settings.field_key_path
    if settings.field_key is not None:
        lines.append("个人信息加密密钥：由 CHENGGUAN_FIELD_KEY 提供，未生成文件。")
    elif path.is_file():
        lines.append(f"个人信息加密密钥已存在：{path}")
    else:
        used = _keys_in_use(settings, metadata)
        if used:
            raise KeyRefused(
                f"数据库中已有用密钥 {'、'.join(sorted(used))} 加密的个人信息，而密钥文件 {path} 不存在："
                "新生成的密钥无法解密这些数据。请从备份恢复原密钥文件（chengguan restore 或密钥保管处）。"
            )
        write_keyring(path, new_keyring(settings.field_cipher))
        lines.append(f"已生成个人信息加密密钥：{path}（权限 0600，请按运维手册另行备份保管）")
    if settings.signer == "local":
        if settings.signing_passphrase is not None:
            lines.append("签章私钥口令：由 CHENGGUAN_SIGNING_PASSPHRASE 提供。")
        elif settings.signing_passphrase_path.is_file():
            lines.append(f"签章私钥口令已存在：{settings.signing_passphrase_path}")
        else:
            write_passphrase(settings.signing_passphrase_path)
            lines.append(f"已生成签章私钥口令：{settings.signing_passphrase_path}（权限 0600）")
    return lines


def _keys_in_use(settings: Settings, metadata: sa.MetaData) -> set[str]:
    db = Database(settings.database_url)
    try:
        if not sa.inspect(db.engine).has_table("penalty_case"):
            return set()  # not migrated yet: nothing encrypted
        return keys_in_use(db.engine, metadata)
    finally:
        db.dispose()


def protect_signing_keys(settings: Settings) -> int:
    """Encrypt the seal and CA private keys still in plain files (the upgrade step of ``chengguan migrate``)."""
    if settings.signer != "local":
        return 0
    return protect_key_files(settings)


def rotate(settings: Settings, metadata: sa.MetaData, *, retire: bool = False,
           progress: Reporter = SILENT) -> list[str]:  # fmt: skip
    """A new current data key, every value re-encrypted with it (resumable: run again after an interruption), and
    with ``retire`` the keys nothing uses any more removed from the keyring; the report as lines."""
    ring, kid = rotate_keyring(settings)
    db = Database(settings.database_url, keyring=ring)
    try:
        writer = db.engine.execution_options(sqlite_immediate=True) if db.dialect == "sqlite" else db.engine
        report = reencrypt(writer, metadata, ring, progress=progress)
        lines = [f"新密钥 {kid} 已启用；重新加密 {report.values} 个字段值（"
                 + "，".join(f"{t} {n} 行" for t, n in sorted(report.rows.items())) + "）。"]  # fmt: skip
        if retire:
            used = keys_in_use(db.engine, metadata)
            gone = retire_keys(settings, used)
            lines.append(f"已移除不再使用的旧密钥：{'、'.join(gone)}。" if gone else "没有可移除的旧密钥。")
    finally:
        db.dispose()
    lines.append("运行中的服务遇到新密钥的数据时会自动重新读取密钥文件；请重启服务，使新写入的数据也用新密钥加密。")
    return lines
