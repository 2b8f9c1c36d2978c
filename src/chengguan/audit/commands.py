"""The audit log's commands: ``chengguan audit-export`` (JSON lines, optionally to syslog) and ``audit-archive``
(retention), registered on the ``chengguan`` command by cli.py."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import typer

from chengguan.core.config import get_settings


def audit_export(
    since_seq: int = typer.Option(0, "--since-seq", min=0, help="只导出序号大于此值的记录（增量导出）"),
    since: datetime | None = typer.Option(None, "--since", help="只导出此时间（含）之后的记录，ISO-8601，须带时区"),
    output: Path | None = typer.Option(None, "--output", "-o", help="写入此文件（JSON Lines）；省略时写到标准输出"),
    syslog: bool = typer.Option(False, "--syslog", help="同时逐条发送到 CHENGGUAN_AUDIT_SYSLOG（RFC 5424）"),
) -> None:
    """Export the audit log as JSON lines (each entry with every hashed field and its hash) for a central system."""
    from chengguan.audit import forward
    from chengguan.audit.export import line, records
    from chengguan.core.db import Database

    settings = get_settings()
    if since is not None and since.tzinfo is None:
        typer.echo("--since 须带时区，例如 2026-06-01T00:00:00+08:00", err=True)
        raise typer.Exit(2)
    sender = forward.Forwarder(settings.syslog) if syslog and settings.syslog else None
    if syslog and sender is None:
        typer.echo("未设置 CHENGGUAN_AUDIT_SYSLOG（主机:端口），无法发送到 syslog", err=True)
        raise typer.Exit(2)
    db = Database(settings.database_url)
    count, first, last = 0, None, None
    out = output.open("w", encoding="utf-8") if output else sys.stdout
    try:
        with db.session(write=False) as session:
            for record in records(session, since_seq=since_seq, since=since):
                out.write(line(record) + "\n")
                if sender is not None:
                    sender.send(record)
                count, first, last = count + 1, first or record["seq"], record["seq"]
    finally:
        if output:
            out.close()
        if sender is not None:
            sender.close()
        db.dispose()
    span = f"（序号 {first}–{last}）" if count else ""
    sent = "，并已发送到 syslog" if sender is not None else ""
    typer.echo(f"已导出 {count} 条审计记录{span}{sent}。下次增量导出：--since-seq {last or since_seq}", err=True)


def audit_archive(
    directory: Path = typer.Argument(..., help="归档目录（签名的 JSON Lines 文件写在这里，请异地保存）"),
) -> None:
    """Move audit entries older than CHENGGUAN_AUDIT_RETENTION_DAYS into a signed archive file; the chain stays
    verifiable from the checkpoint (entries inside the retention period never leave the database)."""
    from chengguan.audit.retention import ArchiveRefused, archive_old
    from chengguan.core.db import Database

    settings = get_settings()
    db = Database(settings.database_url)
    try:
        with db.session() as session, session.begin():
            done = archive_old(session, settings, directory)
    except ArchiveRefused as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    finally:
        db.dispose()
    if done is None:
        typer.echo(f"没有早于保留期（{settings.audit_retention_days} 天）的审计记录，未归档。")
        return
    f = done.file
    typer.echo(f"已归档序号 {f.first_seq}–{f.last_seq} 共 {f.entries} 条（早于 {done.cutoff:%Y-%m-%d %H:%M} UTC）："
               f"{f.path}（SHA-256 {f.sha256}）。请将该文件异地保存。")  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("audit-export")(audit_export)
    app.command("audit-archive")(audit_archive)
